// Package qrcode draws the QR codes printed on invitation slips, so that a
// parent's phone camera opens the join link instead of their typing it.
//
// It uses github.com/piglig/go-qr, a Go translation of Project Nayuki's QR
// code generator (the reference implementation many libraries are checked
// against): all 40 versions and 4 error correction levels, the standard
// mask penalty rules, no dependencies, MIT licence, tagged releases and
// active maintenance. The standard library has no QR encoder. The SVG is
// drawn here from the module matrix, so that it carries a title for screen
// readers, a quiet zone counted in modules and crisp edges in print.
package qrcode

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"

	goqr "github.com/piglig/go-qr"
)

// quiet is the light border around the code, in modules, as ISO/IEC 18004
// asks for.
const quiet = 4

func encode(text string) (*goqr.QrCode, error) {
	// Level M (15% recovery) keeps a link of ~80 characters at version 5 or
	// 6, which prints sharply at 25 mm; slips get folded and smudged.
	qr, err := goqr.EncodeText(text, goqr.Medium)
	if err != nil {
		return nil, fmt.Errorf("qrcode: encode %d bytes: %w", len(text), err)
	}
	return qr, nil
}

// SVG returns an inline SVG element of the QR code of text, titled with
// label for screen readers. It scales to its container's width.
func SVG(text, label string) (string, error) {
	qr, err := encode(text)
	if err != nil {
		return "", err
	}
	n := qr.Size()
	dim := strconv.Itoa(n + 2*quiet)
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 ` + dim + " " + dim + `" role="img" aria-label="` + html.EscapeString(label) + `" shape-rendering="crispEdges">`)
	b.WriteString(`<title>` + html.EscapeString(label) + `</title>`)
	b.WriteString(`<rect width="` + dim + `" height="` + dim + `" fill="#fff"/><path fill="#000" d="`)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !qr.Module(x, y) {
				continue
			}
			// A run of dark modules in a row is one rectangle.
			run := 1
			for x+run < n && qr.Module(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quiet, y+quiet, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}

// PNG returns the QR code of text as a PNG image with scale pixels per
// module (at least 1).
func PNG(text string, scale int) ([]byte, error) {
	qr, err := encode(text)
	if err != nil {
		return nil, err
	}
	scale = max(scale, 1)
	n := qr.Size()
	side := (n + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !qr.Module(x, y) {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				row := (y+quiet)*scale + dy
				for dx := 0; dx < scale; dx++ {
					img.SetColorIndex((x+quiet)*scale+dx, row, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qrcode: png: %w", err)
	}
	return buf.Bytes(), nil
}
