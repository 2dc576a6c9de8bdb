package gongkai

import (
	"testing"
	"time"
)

func TestRemovalDate(t *testing.T) {
	at := time.Date(2026, 3, 7, 15, 0, 0, 0, Beijing)
	tests := []struct {
		name, text string
		want       string
	}{
		{"redacted body", RedactedBody(at), "2026-03-07"},
		{"taken-down roster", TakedownNotice(&Disclosure{}, at), "2026-03-07"},
		{"purged file", RedactedMark + "：该附件含有不应公开的个人信息，已于 2026年3月7日删除。", "2026-03-07"},
		{"an ordinary body with a date", "会议定于 2026年3月7日召开。", ""},
		{"a notice without a date", RedactedMark, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := RemovalDate(tt.text)
			got := ""
			if ok {
				got = d.Format(time.DateOnly)
			}
			if got != tt.want {
				t.Errorf("RemovalDate(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
