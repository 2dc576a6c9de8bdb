package photo_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"gongkai"
	"gongkai/internal/photo"
)

// secrets are what a phone writes into a photo and must not survive.
var secrets = []string{"Exif", "GPS", "31.2304N", "121.4737E", "iPhone-SN-0042", "secret comment", "after the end"}

func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(40 * x), uint8(40 * y), 200, 255})
		}
	}
	for y := 0; y < h/2; y++ { // a red top-left quarter to follow the rotation
		for x := 0; x < w/2; x++ {
			img.Set(x, y, color.RGBA{255, 0, 0, 255})
		}
	}
	return img
}

// exifSegment is an APP1 segment whose IFD0 holds the orientation, the
// camera's serial number and a pointer to a GPS IFD with the position as
// text, as a crafted (and a careless) file might.
func exifSegment(orientation uint16) []byte {
	var t bytes.Buffer
	t.WriteString("MM\x00\x2a\x00\x00\x00\x08")
	entries := []struct {
		tag, typ uint16
		count    uint32
		value    uint32
	}{{0x0112, 3, 1, uint32(orientation) << 16}, {0xA431, 2, 15, 50}, {0x8825, 4, 1, 70}}
	binary.Write(&t, binary.BigEndian, uint16(len(entries)))
	for _, e := range entries {
		binary.Write(&t, binary.BigEndian, e)
	}
	binary.Write(&t, binary.BigEndian, uint32(0))
	for t.Len() < 50 {
		t.WriteByte(0)
	}
	t.WriteString("iPhone-SN-0042\x00")
	for t.Len() < 70 {
		t.WriteByte(0)
	}
	t.WriteString("\x00\x01\x00\x02\x00\x00\x00\x10\x00\x00\x00\x60GPS 31.2304N 121.4737E\x00")
	payload := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

func craftedJPEG(t *testing.T, orientation uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(32, 16), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	com := []byte{0xFF, 0xFE, 0, 16}
	com = append(com, "secret comment"...)
	out := append([]byte{}, plain[:2]...)
	out = append(out, exifSegment(orientation)...)
	out = append(out, com...)
	out = append(out, plain[2:]...)
	return append(out, "after the end"...)
}

func TestClean_JPEGLosesEXIF(t *testing.T) {
	in := craftedJPEG(t, 1)
	for _, s := range secrets {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("the crafted file lacks %q: the test proves nothing", s)
		}
	}
	if _, err := jpeg.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("the crafted file is not a JPEG a decoder reads: %v", err)
	}
	out, ctype, err := photo.Clean(in)
	if err != nil || ctype != "image/jpeg" {
		t.Fatalf("Clean = %s, %v", ctype, err)
	}
	for _, s := range secrets {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("cleaned photo still holds %q", s)
		}
	}
	for i := 0; i+1 < len(out); i++ {
		if out[i] == 0xFF && (out[i+1] == 0xE1 || out[i+1] == 0xFE) {
			t.Errorf("cleaned photo has an APP1 or comment marker at %d", i)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil || img.Bounds().Dx() != 32 || img.Bounds().Dy() != 16 {
		t.Fatalf("cleaned photo decodes to %v, %v; want 32×16", img.Bounds(), err)
	}
}

// A phone photo taken upright but stored sideways (orientation 6) stays
// upright once its EXIF is gone: the pixels are turned.
func TestClean_JPEGKeepsUpright(t *testing.T) {
	out, _, err := photo.Clean(craftedJPEG(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 16 || b.Dy() != 32 {
		t.Fatalf("turned photo is %d×%d, want 16×32", b.Dx(), b.Dy())
	}
	// Turned 90° clockwise: the red top-left quarter is now top-right.
	red := func(x, y int) bool { r, g, _, _ := img.At(x, y).RGBA(); return r>>8 > 200 && g>>8 < 60 }
	if !red(12, 4) || red(4, 4) {
		t.Errorf("top-right %v, top-left %v; want the red quarter top-right", img.At(12, 4), img.At(4, 4))
	}
	if bytes.Contains(out, []byte("Exif")) {
		t.Error("the turned photo carries EXIF")
	}
}

func TestClean_PNGLosesText(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(3, 3)); err != nil {
		t.Fatal(err)
	}
	plain := buf.Bytes()
	chunk := func(typ, data string) []byte {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		c = append(c, typ...)
		c = append(c, data...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE([]byte(typ+data)))
	}
	ihdrEnd := 8 + 25
	in := append([]byte{}, plain[:ihdrEnd]...)
	in = append(in, chunk("tEXt", "Comment\x00GPS 31.2304N 121.4737E iPhone-SN-0042")...)
	in = append(in, chunk("eXIf", "MM\x00\x2aExif secret comment")...)
	in = append(in, plain[ihdrEnd:]...)
	if _, err := png.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("crafted PNG: %v", err)
	}
	out, ctype, err := photo.Clean(in)
	if err != nil || ctype != "image/png" {
		t.Fatalf("Clean = %s, %v", ctype, err)
	}
	for _, s := range []string{"GPS", "iPhone-SN-0042", "tEXt", "eXIf", "secret comment"} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("cleaned PNG still holds %q", s)
		}
	}
}

func TestClean_Refused(t *testing.T) {
	var g bytes.Buffer
	if err := gif.Encode(&g, testImage(2, 2), nil); err != nil {
		t.Fatal(err)
	}
	var p bytes.Buffer
	if err := png.Encode(&p, testImage(1, 1)); err != nil {
		t.Fatal(err)
	}
	huge := append([]byte{}, p.Bytes()...)
	binary.BigEndian.PutUint32(huge[16:], 60000) // IHDR width and height
	binary.BigEndian.PutUint32(huge[20:], 60000)
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))
	jpg := craftedJPEG(t, 1)
	for name, tc := range map[string]struct {
		data []byte
		msg  string
	}{
		"gif":       {g.Bytes(), photo.MsgType},
		"text":      {[]byte("这不是图片"), photo.MsgType},
		"truncated": {jpg[:len(jpg)/2], photo.MsgBroken},
		"huge":      {huge, photo.MsgHuge},
	} {
		_, _, err := photo.Clean(tc.data)
		if gongkai.ErrorCode(err) != gongkai.EINVALID || gongkai.ErrorMessage(err) != tc.msg {
			t.Errorf("%s: %v, want EINVALID %q", name, err, tc.msg)
		}
	}
}
