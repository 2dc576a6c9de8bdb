package gongkai

import (
	"strings"
	"testing"
	"time"
)

// TestCheckLedgerItem: an item as logged matches; a change behind gongkai's
// back is a mismatch naming what changed; a lawful removal (a redacted body,
// a deleted file, a roster taken down) is reported with its date, never as
// a mismatch, and does not hide a change of what is still there.
func TestCheckLedgerItem(t *testing.T) {
	published := time.Date(2026, 3, 2, 9, 0, 0, 0, Beijing)
	redacted := time.Date(2026, 3, 5, 10, 0, 0, 0, Beijing)
	takedown := time.Date(2026, 3, 9, 0, 0, 0, 0, Beijing)
	logged := func() *Disclosure {
		return &Disclosure{ID: 7, Version: 2, State: StatePublished, Title: "助学金名单公示", Body: "| 姓名 |\n| 张小明 |",
			Attachments: []Attachment{{ID: 1, Version: 2, SHA256: strings.Repeat("a", 64)}, {ID: 2, Version: 2, SHA256: strings.Repeat("b", 64)}},
			Versions:    []Version{{Version: 1, Title: "旧", Body: "旧"}, {Version: 2, Title: "助学金名单公示", Body: "| 姓名 |\n| 张小明 |", PublishedAt: published}}}
	}
	entry := NewLedgerEntry(LedgerFacts{SchoolSlug: "xq", Item: logged(), Attachments: []string{strings.Repeat("a", 64), strings.Repeat("b", 64)},
		Action: LedgerRevise, At: published})
	for _, tc := range []struct {
		name     string
		change   func(d *Disclosure)
		takedown time.Time
		ok       bool
		mismatch string
		removed  time.Time
	}{
		{"as logged", func(*Disclosure) {}, time.Time{}, true, "", time.Time{}},
		{"body changed", func(d *Disclosure) { d.Body += "（改）" }, time.Time{}, false, "正文", time.Time{}},
		{"title changed", func(d *Disclosure) { d.Title = "名单" }, time.Time{}, false, "标题", time.Time{}},
		{"file swapped", func(d *Disclosure) { d.Attachments[1].SHA256 = strings.Repeat("c", 64) }, time.Time{}, false, "附件 2", time.Time{}},
		{"file dropped", func(d *Disclosure) { d.Attachments = d.Attachments[:1] }, time.Time{}, false, "附件数量", time.Time{}},
		{"body redacted", func(d *Disclosure) {
			d.Body, d.Title = RedactedBody(redacted), "助学金名单公示"
			d.Versions[1].RedactedAt = redacted
		}, time.Time{}, true, "", redacted},
		{"an older version redacted is no removal of this one", func(d *Disclosure) {
			d.Body += "（改）"
			d.Versions[0].RedactedAt = redacted
		}, time.Time{}, false, "正文", time.Time{}},
		{"file redacted", func(d *Disclosure) { d.Attachments[0].RedactedAt = redacted }, time.Time{}, true, "", redacted},
		{"file redacted, body changed", func(d *Disclosure) {
			d.Attachments[0].RedactedAt = redacted
			d.Body += "（改）"
		}, time.Time{}, false, "正文", redacted},
		{"roster taken down", func(*Disclosure) {}, takedown, true, "", takedown},
		{"roster taken down, body changed", func(d *Disclosure) { d.Body += "（改）" }, takedown, false, "正文", time.Time{}},
		{"redacted before the takedown", func(d *Disclosure) {
			d.Body = RedactedBody(redacted)
			d.Versions[1].RedactedAt = redacted
		}, takedown, true, "", redacted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := logged()
			tc.change(d)
			got := CheckLedgerItem(entry, d, tc.takedown)
			if got.OK != tc.ok || strings.Join(got.Mismatches, " ") != tc.mismatch || !got.Removed.Equal(tc.removed) {
				t.Errorf("got ok=%v mismatches=%q removed=%v, want ok=%v %q %v", got.OK, got.Mismatches, got.Removed, tc.ok, tc.mismatch, tc.removed)
			}
		})
	}
}
