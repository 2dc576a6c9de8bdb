package search

import (
	"strings"
	"testing"
)

// render shows marked parts in [brackets].
func render(parts []Part) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Match {
			b.WriteString("[" + p.Text + "]")
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("前言", 40) + "本学期收费项目如下：作业本费 ¥12 元。" + strings.Repeat("结语", 40)
	tests := []struct {
		name, text, query string
		width             int
		want              string
	}{
		{"whole text", "## 收费公示\n\n本学期**收费**项目", "收费", 40, "[收费]公示 本学期[收费]项目"},
		{"cut on both sides", long, "收费", 20, "…言前言本学期[收费]项目如下：作业本费 ¥1…"},
		{"two terms", "财务收支与采购结果", "采购 财务", 40, "[财务]收支与[采购]结果"},
		{"case and full width", "Ｐｄｆ附件与PDF说明", "pdf", 40, "[Ｐｄｆ]附件与[PDF]说明"},
		{"markup and HTML stay text", "<script>alert(1)</script> 收费", "收费", 40, "<script>alert(1)</script> [收费]"},
		{"table", "| 项目 | 金额 |\n| --- | ---: |\n| 收费 | 12 |", "收费", 40, "项目 金额 [收费] 12"},
		{"no match", "财务收支", "采购", 40, ""},
		{"empty query", "财务收支", "  ", 40, ""},
	}
	for _, tt := range tests {
		if got := render(Snippet(tt.text, tt.query, tt.width)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestHighlight(t *testing.T) {
	if got := render(Highlight("2026年春季学期收费项目公示", "收费 公示")); got != "2026年春季学期[收费]项目[公示]" {
		t.Errorf("title: %q", got)
	}
	if got := Highlight("三月财务收支", "收费"); got != nil {
		t.Errorf("no match: %v", got)
	}
}
