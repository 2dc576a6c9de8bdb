package scrub

import (
	"bytes"
	"encoding/binary"
)

// cleanJPEG keeps the segments a decoder needs and drops those that carry
// metadata: APP1 (EXIF with GPS, XMP), APP3–APP13 (IPTC in APP13) and APP15,
// APP2 unless it is an ICC colour profile, and comments; anything after the
// end of the image (a thumbnail of a multi-picture file, appended data) goes
// too. The EXIF orientation survives as a one-entry EXIF segment, so a phone
// photo still shows upright.
func cleanJPEG(data []byte) ([]byte, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, refuse(MsgJPEGBroken)
	}
	out := bytes.NewBuffer(make([]byte, 0, len(data)))
	out.Write(data[:2])
	orientation := 0
	i := 2
	for {
		// Fill bytes (0xFF) may pad a marker.
		for i+1 < len(data) && data[i] == 0xFF && data[i+1] == 0xFF {
			i++
		}
		if i+1 >= len(data) || data[i] != 0xFF {
			return nil, refuse(MsgJPEGBroken)
		}
		m := data[i+1]
		switch {
		case m == 0xD9: // end of image
			out.Write(data[i : i+2])
			return withOrientation(out.Bytes(), orientation), nil
		case m >= 0xD0 && m <= 0xD7, m == 0x01: // markers without a length
			out.Write(data[i : i+2])
			i += 2
			continue
		}
		if i+4 > len(data) {
			return nil, refuse(MsgJPEGBroken)
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		end := i + 2 + n
		if n < 2 || end > len(data) {
			return nil, refuse(MsgJPEGBroken)
		}
		seg, payload := data[i:end], data[i+4:end]
		switch {
		case m == 0xE1:
			if o := exifOrientation(payload); o > 1 && o <= 8 && orientation == 0 {
				orientation = o
			}
		case m == 0xE2 && bytes.HasPrefix(payload, []byte("ICC_PROFILE\x00")):
			out.Write(seg)
		case m == 0xE0, m == 0xEE: // JFIF, Adobe (colour transform)
			out.Write(seg)
		case m >= 0xE2 && m <= 0xEF, m == 0xFE: // other APPn, COM: dropped
		default:
			out.Write(seg)
		}
		i = end
		if m == 0xDA { // start of scan: entropy-coded data up to the next marker
			j := i
			for {
				if j+1 >= len(data) {
					return nil, refuse(MsgJPEGBroken)
				}
				if data[j] == 0xFF && data[j+1] != 0x00 && !(data[j+1] >= 0xD0 && data[j+1] <= 0xD7) && data[j+1] != 0xFF {
					break
				}
				if data[j] == 0xFF && data[j+1] == 0xFF {
					// Fill bytes before a marker: keep scanning from the last one.
					j++
					continue
				}
				j++
			}
			out.Write(data[i:j])
			i = j
		}
	}
}

// exifOrientation reads tag 0x0112 of IFD0 from an APP1 payload, or 0.
func exifOrientation(p []byte) int {
	if !bytes.HasPrefix(p, []byte("Exif\x00\x00")) || len(p) < 14 {
		return 0
	}
	t := p[6:]
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0
	}
	count := int(bo.Uint16(t[off:]))
	for k := 0; k < count; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 0
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
			return int(bo.Uint16(t[e+8:]))
		}
	}
	return 0
}

// withOrientation inserts, after the start of image (and a JFIF segment), an
// EXIF segment that holds the orientation and nothing else.
func withOrientation(jpg []byte, o int) []byte {
	if o == 0 {
		return jpg
	}
	seg := []byte{0xFF, 0xE1, 0, 0}
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, 'M', 'M', 0, 42, 0, 0, 0, 8) // TIFF header, IFD0 at 8
	seg = append(seg, 0, 1)                        // one entry
	seg = append(seg, 0x01, 0x12, 0, 3, 0, 0, 0, 1, byte(o>>8), byte(o), 0, 0)
	seg = append(seg, 0, 0, 0, 0) // no next IFD
	binary.BigEndian.PutUint16(seg[2:], uint16(len(seg)-2))
	at := 2
	if len(jpg) > 6 && jpg[2] == 0xFF && jpg[3] == 0xE0 {
		at = 4 + int(binary.BigEndian.Uint16(jpg[4:]))
	}
	out := make([]byte, 0, len(jpg)+len(seg))
	out = append(out, jpg[:at]...)
	out = append(out, seg...)
	return append(out, jpg[at:]...)
}

// ExifOrientation returns the EXIF orientation (1–8) that an APP1 segment's
// payload p holds, or 0 when it holds none.
func ExifOrientation(p []byte) int { return exifOrientation(p) }
