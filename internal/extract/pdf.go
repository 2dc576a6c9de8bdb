package extract

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/unicode/norm"

	"gongkai"
)

// PDF text comes from github.com/ledongthuc/pdf (the maintained successor of
// rsc.io/pdf: it parses the file, its cross-reference streams and filters,
// and interprets content streams); the standard library reads no PDF. Its
// own text decoding prefers a font's /Encoding to its /ToUnicode map, which
// garbles the Type 3 fonts Chromium (Skia) writes for CJK text, so the
// content streams are walked here with the ToUnicode map first, as the PDF
// specification (9.10.2) says a reader should.

// scanPDF reads the text of every page. A document without any text is a
// scanned image: it cannot be checked, and a person must look at it. A page
// without text but with an image, in a document that has text elsewhere,
// is named alone.
func scanPDF(r io.ReaderAt, size int64, allowed map[string]bool) (out []gongkai.Finding) {
	defer func() {
		// The library panics on some malformed files; a file it cannot
		// read is one a person must check.
		if recover() != nil {
			out = []gongkai.Finding{gongkai.Unchecked("", "文件无法读取，可能已损坏")}
		}
	}()
	rd, err := pdf.NewReader(r, size)
	if err != nil {
		return []gongkai.Finding{gongkai.Unchecked("", "文件无法打开，可能已损坏或已加密")}
	}
	pages, images, err := pdfPages(rd)
	if err != nil {
		return []gongkai.Finding{gongkai.Unchecked("", err.Error())}
	}
	any := false
	for _, p := range pages {
		any = any || strings.TrimSpace(p) != ""
	}
	if !any {
		return []gongkai.Finding{gongkai.Unchecked("", "可能是扫描图片")}
	}
	out = gongkai.ScanPages(pages, allowed)
	for i, p := range pages {
		if strings.TrimSpace(p) == "" && images[i] {
			out = append(out, gongkai.Unchecked(fmt.Sprintf("第 %d 页", i+1), "可能是扫描图片"))
		}
	}
	return out
}

// PDFPages returns the text of each page of a PDF, lines separated by
// newlines; for tests and tools.
func PDFPages(r io.ReaderAt, size int64) (pages []string, err error) {
	defer func() {
		if recover() != nil {
			err = fmt.Errorf("extract: unreadable PDF")
		}
	}()
	rd, err := pdf.NewReader(r, size)
	if err != nil {
		return nil, err
	}
	pages, _, err = pdfPages(rd)
	return pages, err
}

func pdfPages(rd *pdf.Reader) (pages []string, images []bool, err error) {
	n := rd.NumPage()
	if n > MaxPages {
		return nil, nil, fmt.Errorf("超过 %d 页", MaxPages)
	}
	total := 0
	for i := 1; i <= n; i++ {
		p := rd.Page(i)
		text, img := pageText(p)
		// Fonts map some characters to their compatibility forms (the
		// Kangxi radical ⾦ for 金); NFKC gives the text a reader sees.
		text = norm.NFKC.String(text)
		total += len(text)
		if total > MaxTextBytes {
			return nil, nil, fmt.Errorf("文字超过 %d MB", MaxTextBytes>>20)
		}
		pages = append(pages, text)
		images = append(images, img)
	}
	return pages, images, nil
}

// pageText walks a page's content stream: text-showing operators are
// decoded with their font; each text object (BT … ET) and each move to
// another line starts a new line, so that numbers in neighbouring table
// cells stay apart while a word drawn glyph by glyph stays whole.
func pageText(p pdf.Page) (string, bool) {
	if p.V.IsNull() {
		return "", false
	}
	res := p.Resources()
	hasImage := res.Key("XObject").Kind() == pdf.Dict && len(res.Key("XObject").Keys()) > 0
	contents := p.V.Key("Contents")
	if contents.Kind() == pdf.Null {
		return "", hasImage
	}
	fonts := map[string]decoder{}
	var cur decoder
	var lineX, lineY float64
	var b strings.Builder
	newline := func() {
		s := b.String()
		if len(s) > 0 && s[len(s)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	show := func(v pdf.Value) {
		if cur == nil || v.Kind() != pdf.String {
			return
		}
		b.WriteString(cur.decode(v.RawString()))
	}
	pdf.Interpret(contents, func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "Tf":
			if len(args) == 2 {
				name := args[0].Name()
				d, ok := fonts[name]
				if !ok {
					d = newDecoder(res.Key("Font").Key(name), p.Font(name))
					fonts[name] = d
				}
				cur = d
			}
		case "BT", "ET", "T*":
			newline()
		case "Td", "TD":
			// Glyph by glyph along the line (Chromium's Type 3 text) stays
			// one word; a move to another line starts a new one.
			if len(args) == 2 && args[1].Float64() != 0 {
				newline()
			}
		case "Tm":
			if len(args) == 6 && (args[5].Float64() != lineY || args[4].Float64() < lineX) {
				newline()
			}
			if len(args) == 6 {
				lineX, lineY = args[4].Float64(), args[5].Float64()
			}
		case "Tj":
			if len(args) == 1 {
				show(args[0])
			}
		case "'", "\"":
			newline()
			if len(args) > 0 {
				show(args[len(args)-1])
			}
		case "TJ":
			if len(args) == 1 && args[0].Kind() == pdf.Array {
				for i := 0; i < args[0].Len(); i++ {
					show(args[0].Index(i))
				}
			}
		}
	})
	return b.String(), hasImage
}

// decoder turns the bytes of a shown string into text.
type decoder interface{ decode(raw string) string }

// newDecoder uses the font's ToUnicode map when it has one, and the
// library's encoding otherwise.
func newDecoder(v pdf.Value, f pdf.Font) decoder {
	if tu := v.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		if m := readCMap(tu); m != nil {
			return m
		}
	}
	return libDecoder{f.Encoder()}
}

type libDecoder struct{ enc pdf.TextEncoding }

func (d libDecoder) decode(raw string) string { return d.enc.Decode(raw) }

// cmap is a ToUnicode map: code space ranges by length, single codes and
// ranges.
type cmap struct {
	space  [4][][2]string
	chars  map[string]string
	ranges []cmapRange
}

type cmapRange struct {
	lo, hi string
	dst    []string // the first code's text, or the text of each code
	each   bool
}

// readCMap parses a ToUnicode stream. It is read with its own small lexer
// (hex strings, numbers, keywords, arrays) rather than the library's
// PostScript interpreter, which needs a real /ProcSet resource for
// "/CIDInit /ProcSet findresource begin".
func readCMap(v pdf.Value) *cmap {
	rc := v.Reader()
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 4<<20))
	if err != nil && len(data) == 0 {
		return nil
	}
	m := &cmap{chars: map[string]string{}}
	toks := cmapTokens(string(data))
	var stack []cmapToken
	pop := func() cmapToken {
		if len(stack) == 0 {
			return cmapToken{}
		}
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		return t
	}
	for _, t := range toks {
		if t.kind != 'k' {
			stack = append(stack, t)
			continue
		}
		switch t.s {
		case "endcodespacerange":
			for len(stack) >= 2 {
				hi, lo := pop(), pop()
				if lo.kind == 'h' && hi.kind == 'h' && len(lo.s) >= 1 && len(lo.s) <= 4 && len(lo.s) == len(hi.s) {
					m.space[len(lo.s)-1] = append(m.space[len(lo.s)-1], [2]string{lo.s, hi.s})
				}
			}
		case "endbfchar":
			for len(stack) >= 2 {
				repl, code := pop(), pop()
				if code.kind == 'h' && repl.kind == 'h' {
					m.chars[code.s] = utf16Text(repl.s)
				}
			}
		case "endbfrange":
			for len(stack) >= 3 {
				dst, hi, lo := pop(), pop(), pop()
				if lo.kind != 'h' || hi.kind != 'h' || len(lo.s) != len(hi.s) || len(lo.s) == 0 {
					continue
				}
				r := cmapRange{lo: lo.s, hi: hi.s, each: dst.kind == 'a'}
				if dst.kind == 'a' {
					for _, x := range dst.arr {
						r.dst = append(r.dst, utf16Text(x))
					}
				} else {
					r.dst = []string{utf16Text(dst.s)}
				}
				m.ranges = append(m.ranges, r)
			}
		}
		stack = stack[:0]
	}
	if len(m.chars) == 0 && len(m.ranges) == 0 {
		return nil
	}
	return m
}

// cmapToken is a hex string ('h'), an array of hex strings ('a'), a
// keyword ('k') or anything else ('o').
type cmapToken struct {
	kind byte
	s    string
	arr  []string
}

func cmapTokens(s string) []cmapToken {
	var out []cmapToken
	var arr []string
	inArr := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '%':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		case c == '<' && i+1 < len(s) && s[i+1] == '<', c == '>' && i+1 < len(s) && s[i+1] == '>':
			i += 2
		case c == '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return out
			}
			h := hexBytes(s[i+1 : i+j])
			i += j + 1
			if inArr {
				arr = append(arr, h)
			} else {
				out = append(out, cmapToken{kind: 'h', s: h})
			}
		case c == '[':
			inArr, arr = true, nil
			i++
		case c == ']':
			if inArr {
				out = append(out, cmapToken{kind: 'a', arr: arr})
			}
			inArr = false
			i++
		case c == '(':
			depth := 0
			for ; i < len(s); i++ {
				if s[i] == '\\' {
					i++
					continue
				}
				if s[i] == '(' {
					depth++
				} else if s[i] == ')' {
					depth--
					if depth == 0 {
						i++
						break
					}
				}
			}
			out = append(out, cmapToken{kind: 'o'})
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0:
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n\f<>[]()/%", rune(s[j])) {
				j++
			}
			if j == i { // a name's slash
				j++
				for j < len(s) && !strings.ContainsRune(" \t\r\n\f<>[]()/%", rune(s[j])) {
					j++
				}
				out = append(out, cmapToken{kind: 'o'})
			} else if w := s[i:j]; w[0] >= '0' && w[0] <= '9' || w[0] == '-' || w[0] == '.' {
				out = append(out, cmapToken{kind: 'o', s: w})
			} else {
				out = append(out, cmapToken{kind: 'k', s: w})
			}
			i = j
		}
	}
	return out
}

func hexBytes(h string) string {
	var digits []byte
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') {
			digits = append(digits, c)
		}
	}
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out := make([]byte, len(digits)/2)
	for i := range out {
		out[i] = unhex(digits[2*i])<<4 | unhex(digits[2*i+1])
	}
	return string(out)
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func (m *cmap) decode(raw string) string {
	var b strings.Builder
	for len(raw) > 0 {
		n := m.codeLen(raw)
		code := raw[:n]
		raw = raw[n:]
		if s, ok := m.chars[code]; ok {
			b.WriteString(s)
			continue
		}
		b.WriteString(m.fromRange(code))
	}
	return b.String()
}

// codeLen is the length of the code at the start of raw, by the code
// space ranges (one byte when none matches).
func (m *cmap) codeLen(raw string) int {
	for n := 1; n <= 4 && n <= len(raw); n++ {
		for _, r := range m.space[n-1] {
			if r[0] <= raw[:n] && raw[:n] <= r[1] {
				return n
			}
		}
	}
	return 1
}

func (m *cmap) fromRange(code string) string {
	for _, r := range m.ranges {
		if len(r.lo) != len(code) || code < r.lo || code > r.hi {
			continue
		}
		off := codeValue(code) - codeValue(r.lo)
		if r.each {
			if off < len(r.dst) {
				return r.dst[off]
			}
			return ""
		}
		u := []rune(r.dst[0])
		if len(u) == 0 {
			return ""
		}
		u[len(u)-1] += rune(off)
		return string(u)
	}
	return ""
}

func codeValue(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v<<8 | int(s[i])
	}
	return v
}

// utf16Text decodes a big-endian UTF-16 string of a ToUnicode map.
func utf16Text(s string) string {
	if len(s)%2 != 0 {
		return strings.ToValidUTF8(s, "")
	}
	u := make([]uint16, len(s)/2)
	for i := range u {
		u[i] = uint16(s[2*i])<<8 | uint16(s[2*i+1])
	}
	out := string(utf16.Decode(u))
	if !utf8.ValidString(out) {
		return ""
	}
	return out
}
