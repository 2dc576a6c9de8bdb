package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Part is a piece of a snippet: text to show, marked when a query term
// matched it. The text is plain; the page escapes it.
type Part struct {
	Text  string
	Match bool
}

// markup are the Markdown marks a snippet leaves out: it shows the words.
var markup = strings.NewReplacer("**", "", "__", "", "`", "", "|", " ")

// plain is text as a snippet shows it: without Markdown's marks, the
// heading and quote marks at the start of its lines and the rules under a
// table's head, on one line.
func plain(text string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		if strings.Trim(line, "|-: \t\r\n") == "" {
			continue // a table's rule, or an empty line
		}
		b.WriteString(strings.TrimLeft(line, "#> \t"))
		b.WriteByte(' ')
	}
	return strings.Join(strings.Fields(markup.Replace(b.String())), " ")
}

// Snippet returns width characters of text around the first place
// where a term of the query occurs, with every occurrence of every term in
// it marked, "…" where it cuts the text, Markdown's marks and line
// breaks left out; nil when no term occurs. Terms match as substrings, ignoring
// case and full-width forms, as the search itself nearly does (see the
// package comment).
func Snippet(text, query string, width int) []Part {
	r := []rune(plain(text))
	start, end := -1, 0
	marks := marksOf(r, query)
	for i, m := range marks {
		if m {
			start = i
			break
		}
	}
	if start < 0 {
		return nil
	}
	from := max(0, start-width/3)
	end = min(len(r), from+width)
	from = max(0, min(from, end-width))
	parts := partsOf(r[from:end], marks[from:end])
	if from > 0 {
		parts = append([]Part{{Text: "…"}}, parts...)
	}
	if end < len(r) {
		parts = append(parts, Part{Text: "…"})
	}
	return parts
}

// Highlight returns text whole with every occurrence of the query's terms
// marked, or nil when none occurs.
func Highlight(text, query string) []Part {
	r := []rune(text)
	marks := marksOf(r, query)
	for _, m := range marks {
		if m {
			return partsOf(r, marks)
		}
	}
	return nil
}

// marksOf marks each rune of r inside an occurrence of a term of query.
func marksOf(r []rune, query string) []bool {
	lower := make([]rune, len(r))
	for i, c := range r {
		lower[i] = fold(c)
	}
	marks := make([]bool, len(r))
	n := 0
	for f := range strings.FieldsSeq(query) {
		if n == MaxTerms {
			break
		}
		n++
		var term []rune
		for _, c := range truncate(f, MaxTermRunes) {
			term = append(term, fold(c))
		}
		if len(term) == 0 {
			continue
		}
		for i := 0; i+len(term) <= len(lower); i++ {
			if equalRunes(lower[i:i+len(term)], term) {
				for j := range term {
					marks[i+j] = true
				}
			}
		}
	}
	return marks
}

// fold is the rune as terms are compared: lower case, and its NFKC form
// when that is one rune (full-width letters and digits as ASCII).
func fold(c rune) rune {
	if k := []rune(norm.NFKC.String(string(c))); len(k) == 1 {
		c = k[0]
	}
	return unicode.ToLower(c)
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// partsOf joins runs of runes with the same mark into parts.
func partsOf(r []rune, marks []bool) []Part {
	var parts []Part
	for i := 0; i < len(r); {
		j := i
		for j < len(r) && marks[j] == marks[i] {
			j++
		}
		parts = append(parts, Part{Text: string(r[i:j]), Match: marks[i]})
		i = j
	}
	return parts
}
