package notice

import (
	"strings"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
)

// Page geometry in millimetres: A4 with the margins of a printed notice.
const (
	pageW, pageH       = 210.0, 297.0
	marginX            = 20.0
	marginTop          = 18.0
	marginBottom       = 20.0
	contentW           = pageW - 2*marginX
	bottomLimit        = pageH - marginBottom
	cjkFamily          = "cjk"
	latinFamily        = "Helvetica"
	monoFamily         = "Courier"
	widthMemoSize      = 10.0 // widths are measured once at this size and scaled
	ptPerMM            = 72 / 25.4
	closingPunctuatn   = "，。、；：！？）》」』”’〉】,.;:!?)"
	openingPunctuation = "（《「『“‘〈【"
)

// writer draws text in two fonts: the Chinese TrueType font has no Latin
// letters or digits (Droid Sans Fallback has none), so those are set in
// Helvetica, one of the PDF's standard fonts, which needs no embedding.
type writer struct {
	pdf   *fpdf.Fpdf
	tr    func(string) string // UTF-8 to the standard fonts' encoding
	cjk   *sfnt.Font
	buf   sfnt.Buffer
	size  float64 // points
	color [3]int
	memo  map[runeKey]float64
}

type runeKey struct {
	latin bool
	r     rune
}

// run is a piece of a line in one font.
type run struct {
	text  string
	latin bool
}

// latin reports whether r is set in the standard font: Latin-1, and what
// the Chinese font lacks but the standard font's code page has (dashes,
// curly quotes).
func (w *writer) latin(r rune) bool {
	if r < 0x100 {
		return true
	}
	if gi, err := w.cjk.GlyphIndex(&w.buf, r); err == nil && gi != 0 {
		return false
	}
	return w.tr(string(r)) != "." // the translator's mark of a rune it lacks
}

func (w *writer) runs(s string) []run {
	var out []run
	for _, r := range s {
		l := w.latin(r)
		if n := len(out); n > 0 && out[n-1].latin == l {
			out[n-1].text += string(r)
			continue
		}
		out = append(out, run{text: string(r), latin: l})
	}
	return out
}

func (w *writer) use(latin bool, size float64) {
	if latin {
		w.pdf.SetFont(latinFamily, "", size)
	} else {
		w.pdf.SetFont(cjkFamily, "", size)
	}
}

func (w *writer) runeWidth(r rune) float64 {
	k := runeKey{w.latin(r), r}
	v, ok := w.memo[k]
	if !ok {
		w.use(k.latin, widthMemoSize)
		s := string(r)
		if k.latin {
			s = w.tr(s)
		}
		v = w.pdf.GetStringWidth(s)
		w.memo[k] = v
	}
	return v * w.size / widthMemoSize
}

func (w *writer) width(s string) float64 {
	var t float64
	for _, r := range s {
		t += w.runeWidth(r)
	}
	return t
}

// wrap breaks s into lines no wider than width: Chinese anywhere except
// before closing punctuation, Latin words at spaces where it can.
func (w *writer) wrap(s string, width float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, w.wrapLine(para, width)...)
	}
	return out
}

func (w *writer) wrapLine(s string, width float64) []string {
	rs := []rune(s)
	var out []string
	start, word := 0, 0 // word: where the Latin word at i began
	var used float64
	for i := 0; i < len(rs); i++ {
		if !wordRune(rs[i]) || i == 0 || !wordRune(rs[i-1]) {
			word = i
		}
		cw := w.runeWidth(rs[i])
		if used+cw <= width || i == start {
			used += cw
			continue
		}
		brk := i
		switch {
		case wordRune(rs[i]) && word > start:
			brk = word // a number or a word moves down whole
		case strings.ContainsRune(closingPunctuatn, rs[i]) && i-1 > start:
			brk = i - 1 // no line starts with closing punctuation
		}
		for brk-1 > start && strings.ContainsRune(openingPunctuation, rs[brk-1]) {
			brk-- // nor ends with opening punctuation
		}
		out = append(out, strings.TrimRight(string(rs[start:brk]), " "))
		for brk < i && rs[brk] == ' ' {
			brk++
		}
		start, used = brk, 0
		for _, r := range rs[start:i] {
			used += w.runeWidth(r)
		}
		i-- // measure rs[i] again on the new line
	}
	return append(out, string(rs[start:]))
}

// wordRune reports whether r belongs to a Latin word, a number or an
// address, which lines do not break inside unless they are longer than a
// line.
func wordRune(r rune) bool {
	return r <= unicode.MaxLatin1 && r != ' '
}

// need starts a new page unless h millimetres fit below the current line.
func (w *writer) need(h float64) {
	if w.pdf.GetY()+h > bottomLimit {
		w.newPage()
	}
}

func (w *writer) newPage() {
	w.pdf.AddPage()
	w.pdf.SetY(marginTop)
}

// line draws one line of text at x on the current line, aligned within
// width ("L", "C" or "R"), and moves down by h.
func (w *writer) line(s string, x, width, h float64, align string) {
	w.need(h)
	switch align {
	case "C":
		x += (width - w.width(s)) / 2
	case "R":
		x += width - w.width(s)
	}
	y := w.pdf.GetY()
	w.pdf.SetTextColor(w.color[0], w.color[1], w.color[2])
	for _, r := range w.runs(s) {
		w.use(r.latin, w.size)
		text := r.text
		if r.latin {
			text = w.tr(text)
		}
		rw := w.width(r.text)
		w.pdf.SetXY(x, y)
		w.pdf.CellFormat(rw, h, text, "", 0, "L", false, 0, "")
		x += rw
	}
	w.pdf.SetXY(marginX, y+h)
}

// text wraps s to width at x and draws its lines with line height lh.
func (w *writer) text(s string, size, x, width, lh float64, align string) {
	w.size = size
	for _, l := range w.wrap(s, width) {
		w.line(l, x, width, lh, align)
	}
}

// lineHeight is a comfortable line height for a font size, in millimetres.
func lineHeight(size float64) float64 { return size / ptPerMM * 1.6 }
