package notice

import (
	"fmt"
	"strings"

	"gongkai/internal/markdown"
	"gongkai/internal/qrcode"
)

// table draws a Markdown table with ruled cells; columns share the width
// by their content, and the header row is repeated on a new page.
func (w *writer) table(b markdown.Block, size float64) {
	if len(b.Rows) == 0 {
		return
	}
	const pad = 1.5
	w.size = size
	lh := lineHeight(size) * 0.9
	cols := 0
	for _, r := range b.Rows {
		cols = max(cols, len(r))
	}
	widths := w.columnWidths(b.Rows, cols, pad)
	w.pdf.SetLineWidth(0.2)
	for i, row := range b.Rows {
		h := w.rowHeight(row, widths, lh, pad)
		if w.pdf.GetY()+h > bottomLimit && i > 0 {
			w.newPage()
			w.row(b.Rows[0], b.Align, widths, w.rowHeight(b.Rows[0], widths, lh, pad), lh, pad, true)
		}
		w.row(row, b.Align, widths, h, lh, pad, i == 0)
	}
}

// columnWidths shares the width of the page among the columns by the
// widest text of each, no column narrower than 12 mm.
func (w *writer) columnWidths(rows [][]string, cols int, pad float64) []float64 {
	natural := make([]float64, cols)
	var sum float64
	for c := range natural {
		for _, r := range rows {
			if c < len(r) {
				natural[c] = max(natural[c], w.width(r[c])+2*pad)
			}
		}
		natural[c] = max(natural[c], 12)
		sum += natural[c]
	}
	out := make([]float64, cols)
	for c := range out {
		out[c] = natural[c] * contentW / sum
	}
	return out
}

func (w *writer) rowHeight(row []string, widths []float64, lh, pad float64) float64 {
	n := 1
	for c, s := range row {
		if c < len(widths) {
			n = max(n, len(w.wrap(s, widths[c]-2*pad)))
		}
	}
	return float64(n)*lh + 2*pad
}

func (w *writer) row(row, align []string, widths []float64, h, lh, pad float64, header bool) {
	pdf := w.pdf
	y := pdf.GetY()
	x := marginX
	w.color = ink
	for c, width := range widths {
		if header {
			pdf.SetFillColor(0xee, 0xee, 0xee)
			pdf.Rect(x, y, width, h, "FD")
		} else {
			pdf.Rect(x, y, width, h, "D")
		}
		if c < len(row) {
			a := "L"
			switch {
			case header:
				a = "C"
			case c < len(align) && align[c] == "right":
				a = "R"
			case c < len(align) && align[c] == "center":
				a = "C"
			}
			pdf.SetY(y + pad)
			for _, l := range w.wrap(row[c], width-2*pad) {
				w.line(l, x+pad, width-2*pad, lh, a)
			}
		}
		x += width
	}
	pdf.SetXY(marginX, y+h)
}

// record draws the QR code of the verify page with the record beside it,
// kept on one page at the end.
func (w *writer) record(n *Notice) error {
	if n.QR == "" {
		return nil
	}
	modules, err := qrcode.Modules(n.QR)
	if err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	const side = 32.0 // mm, the code without its quiet zone
	m := side / float64(len(modules))
	quiet := m * qrcode.Quiet
	// The quiet zone is white paper: the margin on the left and below, the
	// space every block leaves after it above (2 mm or more) and this.
	pdf := w.pdf
	gap := max(quiet-2, 0)
	w.need(gap + side)
	x, y := marginX, pdf.GetY()+gap
	pdf.SetFillColor(0, 0, 0)
	for r, row := range modules {
		for c := 0; c < len(row); c++ {
			if !row[c] {
				continue
			}
			run := 1
			for c+run < len(row) && row[c+run] {
				run++
			}
			// A hair wider and taller, so that no seam shows between squares.
			pdf.Rect(x+float64(c)*m, y+float64(r)*m, float64(run)*m+0.02, m+0.02, "F")
			c += run - 1
		}
	}
	tx := marginX + side + quiet
	tw := pageW - marginX - tx
	pdf.SetY(y)
	w.color = ink
	w.text(n.QRLabel, 10.5, tx, tw, lineHeight(10.5), "L")
	for _, s := range n.Record {
		if isHash(s) {
			w.hash(s, tx, tw)
			continue
		}
		w.text(s, 9.5, tx, tw, lineHeight(9.5), "L")
	}
	pdf.SetY(max(pdf.GetY(), y+side))
	return nil
}

// hash prints a hex digest in Courier, in lines of 32 characters.
func (w *writer) hash(s string, x, width float64) {
	pdf := w.pdf
	pdf.SetFont(monoFamily, "", 9.5)
	pdf.SetTextColor(ink[0], ink[1], ink[2])
	for len(s) > 0 {
		k := min(len(s), 32)
		pdf.SetX(x)
		pdf.CellFormat(width, lineHeight(9.5), s[:k], "", 2, "L", false, 0, "")
		s = s[k:]
	}
	pdf.SetX(marginX)
}

func isHash(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}
