package scrubtest

import (
	"encoding/binary"
	"unicode/utf16"
)

// OLE returns a compound file (the container of .doc, .xls and WPS's .wps
// and .et) holding a stream of 4 KB under each name, e.g. "WordDocument" for
// a Word file, "Workbook" for an Excel one, "Macros" beside it for one with
// macros. A 4 KB stream lives in the file's own sectors, not in its mini
// stream, which keeps the builder small; the stream's text is filler.
func OLE(streams ...string) []byte {
	const sector, streamSectors = 512, 8 // 4096 bytes a stream
	const (
		free, endOfChain, fatSect, noStream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
	)
	le := binary.LittleEndian
	head := make([]byte, sector)
	copy(head, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
	le.PutUint16(head[0x18:], 0x003E) // minor version
	le.PutUint16(head[0x1A:], 3)      // major version: 512-byte sectors
	le.PutUint16(head[0x1C:], 0xFFFE) // little-endian
	le.PutUint16(head[0x1E:], 9)      // sector shift
	le.PutUint16(head[0x20:], 6)      // mini sector shift
	le.PutUint32(head[0x2C:], 1)      // FAT sectors
	le.PutUint32(head[0x30:], 1)      // first directory sector
	le.PutUint32(head[0x38:], 4096)   // mini stream cutoff
	le.PutUint32(head[0x3C:], endOfChain)
	le.PutUint32(head[0x44:], endOfChain)
	for i := 0; i < 109; i++ {
		le.PutUint32(head[0x4C+4*i:], free)
	}
	le.PutUint32(head[0x4C:], 0) // the FAT is sector 0

	fat := make([]byte, sector)
	for i := 0; i < sector/4; i++ {
		le.PutUint32(fat[4*i:], free)
	}
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], endOfChain) // the directory, one sector
	dir := make([]byte, sector)
	entry := func(i int, name string, kind byte, child, right, start, size uint32) {
		e := dir[128*i : 128*(i+1)]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		le.PutUint16(e[0x40:], uint16(2*len(u)+2))
		e[0x42], e[0x43] = kind, 1 // black
		le.PutUint32(e[0x44:], noStream)
		le.PutUint32(e[0x48:], right)
		le.PutUint32(e[0x4C:], child)
		le.PutUint32(e[0x74:], start)
		le.PutUint64(e[0x78:], uint64(size))
	}
	entry(0, "Root Entry", 5, 1, noStream, endOfChain, 0)
	var data []byte
	for k, name := range streams {
		first := uint32(2 + k*streamSectors)
		for s := range streamSectors {
			next := first + uint32(s) + 1
			if s == streamSectors-1 {
				next = endOfChain
			}
			le.PutUint32(fat[4*(int(first)+s):], next)
		}
		right := uint32(noStream)
		if k < len(streams)-1 {
			right = uint32(k + 2)
		}
		entry(k+1, name, 2, noStream, right, first, streamSectors*sector)
		block := make([]byte, streamSectors*sector)
		for j := range block {
			block[j] = "filler "[j%7]
		}
		data = append(data, block...)
	}
	out := append(head, fat...)
	out = append(out, dir...)
	return append(out, data...)
}
