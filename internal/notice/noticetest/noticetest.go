// Package noticetest reads printed notices back the way a person would see
// them: rendered to pixels by pdftoppm and to text by pdftotext (Debian's
// poppler-utils, which scripts/test.sh installs), an implementation of PDF
// independent of the one that wrote them.
package noticetest

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"gongkai/internal/notice"
)

// Font is the Chinese font the tests make notices with: GONGKAI_PDF_FONT
// or the default. It fails the test when the font is missing.
func Font(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv("GONGKAI_PDF_FONT")
	if path == "" {
		path = notice.DefaultFont
	}
	if _, err := os.Stat(path); err != nil {
		tb.Fatalf("no Chinese TrueType font for the PDF tests (install fonts-droid-fallback; scripts/test.sh does): %v", err)
	}
	return path
}

func tool(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		tb.Fatalf("%s is missing (install poppler-utils; scripts/test.sh does): %v", name, err)
	}
	return p
}

// Pages renders every page of pdf at dpi dots per inch.
func Pages(tb testing.TB, pdf []byte, dpi int) []image.Image {
	tb.Helper()
	dir := tb.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(tool(tb, "pdftoppm"), "-r", strconv.Itoa(dpi), "-png", in, filepath.Join(dir, "page")).CombinedOutput()
	if err != nil {
		tb.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	var pages []image.Image
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			tb.Fatalf("pdftoppm's %s: %v", filepath.Base(f), err)
		}
		pages = append(pages, img)
	}
	if len(pages) == 0 {
		tb.Fatalf("pdftoppm rendered no page:\n%s", out)
	}
	return pages
}

// Text is the text of pdf in reading order, as pdftotext extracts it.
func Text(tb testing.TB, pdf []byte) string {
	tb.Helper()
	in := filepath.Join(tb.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(tool(tb, "pdftotext"), "-enc", "UTF-8", in, "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// Ink is the share of a page's pixels that are not white.
func Ink(img image.Image) float64 {
	b := img.Bounds()
	var dark int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				dark++
			}
		}
	}
	return float64(dark) / float64(b.Dx()*b.Dy())
}
