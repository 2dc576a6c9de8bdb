package scrub

import (
	"bytes"
	"encoding/binary"
)

// pngDropped are the chunks that carry text or dates: tEXt, zTXt and iTXt
// (author, software, comments, XMP), eXIf (EXIF with GPS) and tIME.
var pngDropped = map[string]bool{"tEXt": true, "zTXt": true, "iTXt": true, "eXIf": true, "tIME": true}

// cleanPNG copies the chunks of a PNG up to IEND, without the ones that
// carry metadata; chunk CRCs are kept, so what stays is byte for byte what
// was uploaded.
func cleanPNG(data []byte) ([]byte, error) {
	const sig = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(data, []byte(sig)) {
		return nil, refuse(MsgPNGBroken)
	}
	out := bytes.NewBuffer(make([]byte, 0, len(data)))
	out.WriteString(sig)
	for i := len(sig); ; {
		if i+12 > len(data) {
			return nil, refuse(MsgPNGBroken)
		}
		n := int(binary.BigEndian.Uint32(data[i:]))
		end := i + 12 + n
		if n < 0 || n > len(data) || end > len(data) {
			return nil, refuse(MsgPNGBroken)
		}
		typ := string(data[i+4 : i+8])
		if !pngDropped[typ] {
			out.Write(data[i:end])
		}
		if typ == "IEND" {
			return out.Bytes(), nil
		}
		i = end
	}
}
