package notice

import (
	"os"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
)

func testWriter(t *testing.T) *writer {
	t.Helper()
	path := os.Getenv("GONGKAI_PDF_FONT")
	if path == "" {
		path = DefaultFont
	}
	font, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no Chinese TrueType font (install fonts-droid-fallback; scripts/test.sh does): %v", err)
	}
	cjk, err := sfnt.Parse(font)
	if err != nil {
		t.Fatal(err)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(cjkFamily, "", font)
	return &writer{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor(""), cjk: cjk, size: 10.5, memo: map[runeKey]float64{}}
}

// TestWrap breaks lines where a Chinese reader expects: anywhere between
// characters, never before closing punctuation, never inside a number or a
// Latin word.
func TestWrap(t *testing.T) {
	w := testWriter(t)
	han := w.runeWidth('字')
	for _, tc := range []struct {
		name  string
		text  string
		chars float64 // the width, in Chinese characters; -1: just short of "see the notice"
		want  []string
	}{
		{"plain", "一二三四五六七八", 5, []string{"一二三四五", "六七八"}},
		{"closing punctuation stays", "一二三四五。六七", 5, []string{"一二三四", "五。六七"}},
		{"opening punctuation moves down", "一二三四（五六", 5, []string{"一二三四", "（五六"}},
		{"a phone number moves down whole", "监督电话0591-5550023", 8, []string{"监督电话", "0591-5550023"}},
		{"words at spaces", "see the notice board", -1, []string{"see the", "notice board"}},
		{"explicit lines", "第一行\n第二行", 10, []string{"第一行", "第二行"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			width := tc.chars*han + 0.01
			if tc.chars < 0 {
				width = w.width("see the notice") - 0.1
			}
			got := w.wrap(tc.text, width)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("wrap(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

// TestRuns sets in the standard font what the Chinese font lacks.
func TestRuns(t *testing.T) {
	w := testWriter(t)
	got := w.runs("公示期：2026-03-03 “通知”")
	var kinds []string
	for _, r := range got {
		k := "cjk"
		if r.latin {
			k = "latin"
		}
		kinds = append(kinds, k+":"+r.text)
	}
	want := []string{"cjk:公示期：", "latin:2026-03-03 ", "cjk:“通知”"}
	if w.latin('“') {
		want = []string{"cjk:公示期：", "latin:2026-03-03 “", "cjk:通知", "latin:”"}
	}
	if strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Errorf("runs = %q, want %q", kinds, want)
	}
}
