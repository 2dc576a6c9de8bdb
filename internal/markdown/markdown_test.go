package markdown

import (
	"strings"
	"testing"
)

func TestRender_safe(t *testing.T) {
	r := New()
	for _, tc := range []struct{ src, must, mustNot string }{
		{"| 项目 | 金额 |\n|---|--:|\n| 办公费 | ¥1,200.00 |", "<table>", ""},
		{"<script>alert(1)</script>\n\n正文", "正文", "<script"},
		{"[点我](javascript:alert(1))", "点我", "javascript:"},
		{"<img src=x onerror=alert(1)>", "", "onerror"},
		{"**加粗**", "<strong>加粗</strong>", ""},
	} {
		got := string(r.Render(tc.src))
		if tc.must != "" && !strings.Contains(got, tc.must) {
			t.Errorf("Render(%q) = %q, want it to contain %q", tc.src, got, tc.must)
		}
		if tc.mustNot != "" && strings.Contains(got, tc.mustNot) {
			t.Errorf("Render(%q) = %q, must not contain %q", tc.src, got, tc.mustNot)
		}
	}
}

func TestRender_rightAlignedAmounts(t *testing.T) {
	got := string(New().Render("| 项目 | 金额 |\n|---|--:|\n| 办公费 | ¥1,200.00 |"))
	if !strings.Contains(got, `<td align="right">¥1,200.00</td>`) {
		t.Fatalf("amount column not right-aligned: %s", got)
	}
}
