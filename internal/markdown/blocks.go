package markdown

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// BlockKind says how a Block is laid out on paper.
type BlockKind int

// The kinds of Block.
const (
	Paragraph BlockKind = iota
	Heading             // Level 1 to 6
	ListItem            // Marker and Level (nesting, from 0)
	Quote               // a paragraph of a block quote
	Code                // preformatted lines
	Table               // Rows, the first the header; Align per column
	Rule                // a thematic break
)

// Block is one block of a Markdown text as plain text, for layouts that
// are not HTML (the printed notice's PDF). What Render drops (raw HTML) is
// dropped here too; emphasis is lost, a link keeps its address in brackets.
type Block struct {
	Kind   BlockKind
	Level  int
	Marker string // "•" or "3."
	Text   string
	Rows   [][]string
	Align  []string // "left", "center", "right" or "" per column
}

// Blocks returns the blocks of src in order.
func (r *Renderer) Blocks(src string) []Block {
	source := []byte(src)
	doc := r.md.Parser().Parse(text.NewReader(source))
	w := &blockWalker{src: source}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		w.block(n, 0, false)
	}
	return w.out
}

type blockWalker struct {
	src []byte
	out []Block
}

func (w *blockWalker) block(n ast.Node, depth int, quoted bool) {
	switch n := n.(type) {
	case *ast.Heading:
		w.out = append(w.out, Block{Kind: Heading, Level: n.Level, Text: w.inline(n)})
	case *ast.Paragraph, *ast.TextBlock:
		k := Paragraph
		if quoted {
			k = Quote
		}
		if s := w.inline(n); s != "" {
			w.out = append(w.out, Block{Kind: k, Text: s})
		}
	case *ast.List:
		w.list(n, depth, quoted)
	case *ast.Blockquote:
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			w.block(c, depth, true)
		}
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		var b strings.Builder
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			b.Write(seg.Value(w.src))
		}
		w.out = append(w.out, Block{Kind: Code, Text: strings.TrimRight(b.String(), "\n")})
	case *ast.ThematicBreak:
		w.out = append(w.out, Block{Kind: Rule})
	case *east.Table:
		w.table(n)
	}
}

func (w *blockWalker) list(l *ast.List, depth int, quoted bool) {
	i := l.Start
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		marker := "•"
		if l.IsOrdered() {
			marker = strconv.Itoa(i) + "."
			i++
		}
		first := true
		for c := item.FirstChild(); c != nil; c = c.NextSibling() {
			switch c.(type) {
			case *ast.Paragraph, *ast.TextBlock:
				b := Block{Kind: ListItem, Level: depth, Text: w.inline(c)}
				if first {
					b.Marker = marker
				}
				w.out = append(w.out, b)
				first = false
			default:
				w.block(c, depth+1, quoted)
			}
		}
		if first { // an empty item
			w.out = append(w.out, Block{Kind: ListItem, Level: depth, Marker: marker})
		}
	}
}

func (w *blockWalker) table(t *east.Table) {
	b := Block{Kind: Table}
	for _, a := range t.Alignments {
		switch a {
		case east.AlignLeft:
			b.Align = append(b.Align, "left")
		case east.AlignCenter:
			b.Align = append(b.Align, "center")
		case east.AlignRight:
			b.Align = append(b.Align, "right")
		default:
			b.Align = append(b.Align, "")
		}
	}
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, w.inline(c))
		}
		b.Rows = append(b.Rows, cells)
	}
	w.out = append(w.out, b)
}

// inline is the plain text of n's inline children.
func (w *blockWalker) inline(n ast.Node) string {
	var b strings.Builder
	w.inlineTo(&b, n)
	return strings.TrimSpace(b.String())
}

func (w *blockWalker) inlineTo(b *strings.Builder, n ast.Node) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(w.src))
			if c.HardLineBreak() {
				b.WriteByte('\n')
			} else if c.SoftLineBreak() {
				softBreak(b, c.NextSibling(), w.src)
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.URL(w.src))
		case *ast.Link:
			before := b.Len()
			w.inlineTo(b, c)
			label := b.String()[before:]
			dest := string(c.Destination)
			if (strings.HasPrefix(dest, "http://") || strings.HasPrefix(dest, "https://")) && label != dest {
				b.WriteString("（" + dest + "）")
			}
		case *ast.Image:
			w.inlineTo(b, c) // its alternative text
		case *ast.RawHTML:
			// dropped, as Render drops it
		default:
			w.inlineTo(b, c)
		}
	}
}

// softBreak joins two source lines of a paragraph: Chinese runs on without
// a space, Latin words get one.
func softBreak(b *strings.Builder, next ast.Node, src []byte) {
	s := b.String()
	last, _ := utf8.DecodeLastRuneInString(s)
	var first rune
	if t, ok := next.(*ast.Text); ok {
		first, _ = utf8.DecodeRune(t.Segment.Value(src))
	}
	if last < utf8.RuneSelf && first < utf8.RuneSelf && !unicode.IsSpace(last) {
		b.WriteByte(' ')
	}
}
