package qrcode

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"gongkai/internal/qrcode/qrcodetest"
)

// The codes are read back with gozxing (qrcodetest), a port of ZXing, the
// decoder inside most phone scanners: an independent check of the encoder.

var links = []string{
	"https://gongkai.example.cn/join?code=7KQ2M-H9XPA",
	"http://127.0.0.1:8080/invite/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1u",
	"https://青禾县.example.cn/join?code=23456-789AB", // not ASCII: byte mode in UTF-8
}

func TestPNG_decodesToTheLink(t *testing.T) {
	for _, link := range links {
		b, err := PNG(link, 4)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		got, err := qrcodetest.Decode(img, true)
		if err != nil || got != link {
			t.Errorf("PNG decodes to %q (%v), want %q", got, err, link)
		}
	}
}

// The SVG is read back into pixels from its path and decoded like a photo
// of the printed slip.
func TestSVG_decodesToTheLink(t *testing.T) {
	for _, link := range links {
		svg, err := SVG(link, "加入链接二维码")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(svg, `<title>加入链接二维码</title>`) || !strings.Contains(svg, `role="img"`) {
			t.Errorf("SVG lacks its title for screen readers: %.120s", svg)
		}
		got, err := qrcodetest.DecodeSVG(svg)
		if err != nil || got != link {
			t.Errorf("SVG decodes to %q (%v), want %q", got, err, link)
		}
	}
}
