package notice

import (
	"bytes"
	"fmt"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"

	"gongkai/internal/markdown"
)

// Colours of the sheet: ink, and grey for what is secondary.
var (
	ink   = [3]int{0x1a, 0x1a, 0x1a}
	muted = [3]int{0x55, 0x55, 0x55}
)

// render lays out n, its body in blocks, on A4 pages with the TrueType font.
func render(n *Notice, body []markdown.Block, font []byte) ([]byte, error) {
	cjk, err := sfnt.Parse(font)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoFont, err)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(false, marginBottom) // writer.need breaks pages
	pdf.SetCellMargin(0)
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(n.Title, true)
	pdf.SetAuthor(n.School, true)
	pdf.SetCreator("gongkai", false)
	pdf.SetLang(n.Lang)
	pdf.AddUTF8FontFromBytes(cjkFamily, "", font)
	w := &writer{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor(""), cjk: cjk, color: ink, memo: map[runeKey]float64{}}
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetFont(latinFamily, "", 8)
		pdf.SetTextColor(muted[0], muted[1], muted[2])
		pdf.SetXY(marginX, pageH-12)
		pdf.CellFormat(contentW, 4, fmt.Sprintf("%d / {nb}", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	w.header(n)
	if n.Notice != "" {
		w.boxed(n.Notice, 12)
	} else {
		for _, b := range body {
			w.block(b)
		}
		w.files(n)
	}
	w.objection(n)
	if err := w.record(n); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("notice: pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// header draws the school, the heading, the index line, a double rule,
// the title and the trail.
func (w *writer) header(n *Notice) {
	pdf := w.pdf
	pdf.SetY(marginTop)
	w.color = ink
	w.text(n.School, 20, marginX, contentW, 10, "C")
	w.color = muted
	w.text(n.Heading, 12, marginX, contentW, 7, "C")
	pdf.SetY(pdf.GetY() + 2)
	var meta []string
	for _, m := range n.Meta {
		meta = append(meta, m[0]+m[1])
	}
	w.color = ink
	w.text(strings.Join(meta, "    "), 9.5, marginX, contentW, 5.2, "L")
	y := pdf.GetY() + 1.5
	pdf.SetDrawColor(0, 0, 0)
	pdf.SetLineWidth(0.8)
	pdf.Line(marginX, y, pageW-marginX, y)
	pdf.SetLineWidth(0.2)
	pdf.Line(marginX, y+1.2, pageW-marginX, y+1.2)
	pdf.SetY(y + 7)
	w.text(n.Title, 17, marginX+8, contentW-16, 9, "C")
	pdf.SetY(pdf.GetY() + 1)
	w.color = muted
	if n.Trail != "" {
		w.text(n.Trail, 9.5, marginX, contentW, 5.2, "C")
	}
	if n.Signers != "" {
		w.text(n.Signers, 9.5, marginX, contentW, 5.2, "C")
	}
	pdf.SetY(pdf.GetY() + 5)
	w.color = ink
}

// block draws one block of the body.
func (w *writer) block(b markdown.Block) {
	const size = 11.5
	lh := lineHeight(size)
	pdf := w.pdf
	w.color = ink
	switch b.Kind {
	case markdown.Heading:
		s := max(16-float64(b.Level), 12)
		pdf.SetY(pdf.GetY() + 2)
		w.need(3 * lineHeight(s)) // not alone at the foot of a page
		w.text(b.Text, s, marginX, contentW, lineHeight(s), "L")
	case markdown.ListItem:
		indent := 7 * float64(b.Level+1)
		w.need(lh)
		if b.Marker != "" {
			w.size = size
			y := pdf.GetY()
			w.line(b.Marker, marginX+indent-7, 6, lh, "R")
			pdf.SetY(y)
		}
		w.text(b.Text, size, marginX+indent, contentW-indent, lh, "L")
	case markdown.Quote:
		w.color = muted
		w.text(b.Text, size, marginX+8, contentW-8, lh, "L")
	case markdown.Code:
		w.text(b.Text, 9.5, marginX+6, contentW-6, lineHeight(9.5), "L")
	case markdown.Rule:
		w.need(6)
		y := pdf.GetY() + 3
		pdf.SetLineWidth(0.2)
		pdf.Line(marginX+contentW/4, y, pageW-marginX-contentW/4, y)
		pdf.SetY(y + 3)
	case markdown.Table:
		w.table(b, 10)
	default:
		w.text(b.Text, size, marginX, contentW, lh, "L")
	}
	pdf.SetY(pdf.GetY() + 2)
}

// files lists the attachments by name.
func (w *writer) files(n *Notice) {
	if len(n.Files) == 0 {
		return
	}
	pdf := w.pdf
	pdf.SetY(pdf.GetY() + 2)
	w.color = ink
	w.need(2 * lineHeight(11))
	w.text(n.FilesLabel, 11, marginX, contentW, lineHeight(11), "L")
	for i, f := range n.Files {
		w.text(fmt.Sprintf("%d. %s", i+1, f), 10.5, marginX+7, contentW-7, lineHeight(10.5), "L")
	}
}

// boxed draws s in a frame, kept on one page.
func (w *writer) boxed(s string, size float64) {
	lh := lineHeight(size)
	w.size = size
	lines := w.wrap(s, contentW-12)
	h := float64(len(lines))*lh + 8
	w.need(h)
	y := w.pdf.GetY()
	w.pdf.SetLineWidth(0.4)
	w.pdf.Rect(marginX, y, contentW, h, "D")
	w.pdf.SetY(y + 4)
	w.color = ink
	for _, l := range lines {
		w.line(l, marginX+6, contentW-12, lh, "L")
	}
	w.pdf.SetY(y + h + 4)
}

// objection draws the publicity period and where to object, in a frame
// kept on one page.
func (w *writer) objection(n *Notice) {
	if n.Objection == "" && n.Period == "" {
		return
	}
	const size = 10.5
	lh := lineHeight(size)
	w.size = size
	inner := contentW - 12
	var lines []string
	for _, s := range append([]string{n.Period, n.Objection}, n.Ways...) {
		if s != "" {
			lines = append(lines, w.wrap(s, inner)...)
		}
	}
	h := float64(len(lines))*lh + 8
	w.pdf.SetY(w.pdf.GetY() + 4)
	w.need(h)
	y := w.pdf.GetY()
	w.pdf.SetLineWidth(0.3)
	w.pdf.Rect(marginX, y, contentW, h, "D")
	w.pdf.SetY(y + 4)
	w.color = ink
	for _, l := range lines {
		w.line(l, marginX+6, inner, lh, "L")
	}
	w.pdf.SetY(y + h + 4)
}
