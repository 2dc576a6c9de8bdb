// Package qrcodetest reads QR codes back for tests, as a phone's camera
// would: from an image, or from the SVG that package qrcode draws.
//
// It decodes with gozxing, a port of ZXing, the decoder inside most phone
// scanners, so that a test checks the encoder against an independent
// implementation rather than against itself. Only tests import it.
package qrcodetest

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"regexp"
	"strconv"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// Decode reads the QR code in img. pure says the image is the code alone,
// module-aligned (drawn, not photographed or scaled by a browser).
func Decode(img image.Image, pure bool) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("qrcodetest: bitmap: %w", err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	if pure {
		hints = map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", fmt.Errorf("qrcodetest: decode: %w", err)
	}
	return res.GetText(), nil
}

var (
	svgView = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	svgPath = regexp.MustCompile(`<path fill="#000" d="([^"]*)"`)
	svgRun  = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
)

// Rasterize draws an SVG of package qrcode (one "M x yhNv1h-Nz" per run of
// dark modules) as a gray image with scale pixels per module.
func Rasterize(svg string, scale int) (image.Image, error) {
	m := svgView.FindStringSubmatch(svg)
	p := svgPath.FindStringSubmatch(svg)
	if m == nil || p == nil {
		return nil, errors.New("qrcodetest: not a QR code SVG: no viewBox or path")
	}
	dim, _ := strconv.Atoi(m[1])
	img := image.NewGray(image.Rect(0, 0, dim*scale, dim*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	runs := svgRun.FindAllStringSubmatch(p[1], -1)
	if len(runs) == 0 {
		return nil, errors.New("qrcodetest: no dark modules")
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
	return img, nil
}

// DecodeSVG reads the QR code of an SVG drawn by package qrcode.
func DecodeSVG(svg string) (string, error) {
	img, err := Rasterize(svg, 4)
	if err != nil {
		return "", err
	}
	return Decode(img, true)
}
