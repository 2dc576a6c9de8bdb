package qrcode

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// decode reads a QR code from an image with gozxing, a port of ZXing, the
// decoder inside most phone scanners: an independent check of the encoder.
func decode(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}

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
		if got := decode(t, img); got != link {
			t.Errorf("PNG decodes to %q, want %q", got, link)
		}
	}
}

// The SVG is read back into pixels from its path ("M x yhNv1h-Nz" per run
// of dark modules) and decoded like a photo of the printed slip.
func TestSVG_decodesToTheLink(t *testing.T) {
	view := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	path := regexp.MustCompile(`<path fill="#000" d="([^"]*)"`)
	run := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
	for _, link := range links {
		svg, err := SVG(link, "加入链接二维码")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(svg, `<title>加入链接二维码</title>`) || !strings.Contains(svg, `role="img"`) {
			t.Errorf("SVG lacks its title for screen readers: %.120s", svg)
		}
		m := view.FindStringSubmatch(svg)
		p := path.FindStringSubmatch(svg)
		if m == nil || p == nil {
			t.Fatalf("SVG without viewBox or path: %.200s", svg)
		}
		dim, _ := strconv.Atoi(m[1])
		const scale = 4
		img := image.NewGray(image.Rect(0, 0, dim*scale, dim*scale))
		for i := range img.Pix {
			img.Pix[i] = 255
		}
		runs := run.FindAllStringSubmatch(p[1], -1)
		if len(runs) == 0 {
			t.Fatal("no dark modules")
		}
		for _, r := range runs {
			x, _ := strconv.Atoi(r[1])
			y, _ := strconv.Atoi(r[2])
			w, _ := strconv.Atoi(r[3])
			for px := x * scale; px < (x+w)*scale; px++ {
				for py := y * scale; py < (y+1)*scale; py++ {
					img.SetGray(px, py, color.Gray{})
				}
			}
		}
		if got := decode(t, img); got != link {
			t.Errorf("SVG decodes to %q, want %q", got, link)
		}
	}
}
