package gongkai

import (
	"strings"
	"testing"
)

func TestReportText_validate(t *testing.T) {
	for _, c := range []struct {
		name   string
		text   ReportText
		fields []string
	}{
		{"empty is fine", ReportText{}, nil},
		{"ordinary", ReportText{Summary: "本年度共主动公开 42 项。\r\n", Problems: "月报偶有延迟。", Other: "无"}, nil},
		{"too long", ReportText{Problems: strings.Repeat("问", MaxReportParagraph+1)}, []string{"problems"}},
		{"markup", ReportText{Summary: `<img src=x onerror="alert(1)">`, Other: "javascript:alert(1)"}, []string{"summary", "other"}},
		{"NUL", ReportText{Other: "a\x00b"}, []string{"other"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := c.text
			err := text.Validate()
			fe := ErrorFields(err)
			if len(fe) != len(c.fields) {
				t.Fatalf("got %v, want messages for %v", err, c.fields)
			}
			for _, f := range c.fields {
				if fe[f] == "" {
					t.Errorf("no message for %s", f)
				}
			}
			if err == nil && strings.ContainsAny(text.Summary, "\r") {
				t.Errorf("not normalised: %q", text.Summary)
			}
		})
	}
	if ReportTitle("祥谦小学", 2026) != "祥谦小学2026年度校务公开工作年度报告" {
		t.Error(ReportTitle("祥谦小学", 2026))
	}
	if !ValidReportYear(2026, 2026) || ValidReportYear(2027, 2026) || ValidReportYear(1999, 2026) {
		t.Error("ValidReportYear")
	}
}
