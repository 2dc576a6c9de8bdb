// Package photo cleans a photo taken with a phone (of a notice on the
// bulletin board, of a meeting) before it is stored: the image is decoded
// and encoded again with the standard library, so that nothing of the
// uploaded file survives but its pixels — no EXIF with the GPS position and
// the phone's serial number, no XMP, IPTC, comments, text chunks or
// embedded thumbnails. Stripping segments (internal/scrub) keeps the
// encoded image as it was; re-encoding also drops whatever a crafted file
// hides where a segment walker would not look.
package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"

	"gongkai"
	"gongkai/internal/scrub"
)

// MaxPixels bounds a photo's size in pixels (a 48-megapixel phone camera
// is below it), so that a small file that claims a huge image cannot make
// the server allocate gigabytes.
const MaxPixels = 50_000_000

// JPEGQuality is the quality photos are encoded at: a notice stays legible.
const JPEGQuality = 85

// Messages of refused photos, shown next to the field.
const (
	MsgType   = "照片须为 JPEG 或 PNG 格式。"
	MsgBroken = "照片无法读取，可能已损坏。"
	MsgHuge   = "照片像素过大，请缩小后再上传。"
)

// Clean decodes a JPEG or PNG and returns it encoded afresh in the same
// format, with its content type. A JPEG's EXIF orientation is applied to
// the pixels first, so a phone photo stays upright without its EXIF.
// Anything else, a damaged file or one over MaxPixels is refused with
// EINVALID.
func Clean(data []byte) ([]byte, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	switch {
	case errors.Is(err, image.ErrFormat) || (err == nil && format != "jpeg" && format != "png"):
		return nil, "", gongkai.Errorf(gongkai.EINVALID, MsgType)
	case err != nil:
		return nil, "", gongkai.Errorf(gongkai.EINVALID, MsgBroken)
	case cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels:
		return nil, "", gongkai.Errorf(gongkai.EINVALID, MsgHuge)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", gongkai.Errorf(gongkai.EINVALID, MsgBroken)
	}
	var out bytes.Buffer
	if format == "png" {
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&out, img); err != nil {
			return nil, "", err
		}
		return out.Bytes(), "image/png", nil
	}
	img = orient(img, orientation(data))
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: JPEGQuality}); err != nil {
		return nil, "", err
	}
	return out.Bytes(), "image/jpeg", nil
}

// orientation finds the EXIF orientation of a JPEG, or 0.
func orientation(data []byte) int {
	for i := 2; i+4 <= len(data) && data[i] == 0xFF; {
		m := data[i+1]
		if m == 0xDA || m == 0xD9 { // start of scan: no more metadata
			return 0
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 0
		}
		if m == 0xE1 {
			if o := scrub.ExifOrientation(data[i+4 : i+2+n]); o != 0 {
				return o
			}
		}
		i += 2 + n
	}
	return 0
}

// orient turns the image as EXIF orientation o says (2–8: mirrored and/or
// rotated), so that it shows upright with no EXIF at all.
func orient(src image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if o >= 5 {
		w, h = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), src, b.Min, draw.Src)
	sw, sh := b.Dx(), b.Dy()
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = sw-1-x, y
			case 3:
				dx, dy = sw-1-x, sh-1-y
			case 4:
				dx, dy = x, sh-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = sh-1-y, x
			case 7:
				dx, dy = sh-1-y, sw-1-x
			case 8:
				dx, dy = y, sw-1-x
			}
			dst.SetRGBA(dx, dy, rgba.RGBAAt(x, y))
		}
	}
	return dst
}
