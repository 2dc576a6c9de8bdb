package gongkai

import (
	"strings"
	"testing"
	"time"
)

func ledgerItem() *Disclosure {
	return &Disclosure{ID: 42, IndexNo: "3501210001-2026-finance-0007", Category: "finance", Audience: AudiencePublic,
		Title: "2026年3月助学金名单公示（张小明）", Body: "| 姓名 | 金额 |\n| 张小明 | 500 |", Version: 2,
		PublicityStart: time.Date(2026, 3, 2, 0, 0, 0, 0, Beijing), PublicityEnd: time.Date(2026, 3, 6, 0, 0, 0, 0, Beijing),
		SignedByName: "校长甲", SignedAt: time.Date(2026, 3, 1, 9, 30, 0, 0, Beijing), Reason: "更正金额"}
}

func TestNewLedgerEntry(t *testing.T) {
	at := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		action LedgerAction
		edit   func(d *Disclosure)
		want   []string // substrings of the canonical bytes
		absent []string
	}{
		{"publish", LedgerPublish, nil,
			[]string{`{"format":"gongkai-ledger/v1","school":"xq","item":42,"version":2,"action":"publish",`, `"publicity_start":"2026-03-02","publicity_end":"2026-03-06"`,
				`"signer":"校长甲","signed_at":"2026-03-01T09:30:00+08:00"`, `"reason_sha256":""`, `"time":"2026-03-02T10:00:00+08:00"}`, `"attachments":["aa","bb"]`},
			[]string{"张小明", "助学金", "更正金额", "\n"}},
		{"revise hashes the reason", LedgerRevise, nil, []string{`"reason_sha256":"` + HashText("更正金额") + `"`}, []string{"更正金额"}},
		{"no period", LedgerWithdraw, func(d *Disclosure) { d.PublicityStart, d.PublicityEnd = time.Time{}, time.Time{} },
			[]string{`"publicity_start":"","publicity_end":""`, `"action":"withdraw"`}, nil},
		{"html is not escaped", LedgerPublish, func(d *Disclosure) { d.IndexNo = "a<b>&c" }, []string{`"index_no":"a<b>&c"`}, []string{`\u003c`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := ledgerItem()
			if tc.edit != nil {
				tc.edit(d)
			}
			e := NewLedgerEntry(LedgerFacts{SchoolSlug: "xq", Item: d, Attachments: []string{"aa", "bb"}, Action: tc.action, At: at})
			b := string(e.Bytes())
			for _, w := range tc.want {
				if !strings.Contains(b, w) {
					t.Errorf("entry %s lacks %s", b, w)
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(b, w) {
					t.Errorf("entry %s carries %q", b, w)
				}
			}
			back, err := ParseLedgerEntry([]byte(b))
			if err != nil || string(back.Bytes()) != b {
				t.Errorf("entry does not read back: %v", err)
			}
		})
	}
}

func TestParseLedgerEntry_rejects(t *testing.T) {
	good := string(NewLedgerEntry(LedgerFacts{SchoolSlug: "xq", Item: ledgerItem(), Action: LedgerPublish, At: time.Unix(0, 0)}).Bytes())
	for name, b := range map[string]string{
		"spaces":         strings.Replace(good, `,"school"`, `, "school"`, 1),
		"reordered":      `{"school":"xq",` + strings.Replace(good[1:], `"school":"xq",`, "", 1),
		"unknown field":  strings.Replace(good, `{"format"`, `{"extra":1,"format"`, 1),
		"other format":   strings.Replace(good, LedgerFormat, "gongkai-ledger/v0", 1),
		"trailing space": good + " ",
		"truncated":      good[:len(good)-5],
		"empty":          "",
	} {
		if _, err := ParseLedgerEntry([]byte(b)); err == nil {
			t.Errorf("%s: accepted %s", name, b)
		}
	}
}

func TestCheckLedgerContent(t *testing.T) {
	d := ledgerItem()
	e := NewLedgerEntry(LedgerFacts{SchoolSlug: "xq", Item: d, Attachments: []string{"aa", "bb"}, Action: LedgerPublish, At: time.Now()})
	redacted := time.Date(2026, 3, 20, 10, 0, 0, 0, Beijing)
	same := LedgerContent{Title: d.Title, Body: d.Body, Attachments: []string{"aa", "bb"}}
	for _, tc := range []struct {
		name       string
		edit       func(c *LedgerContent)
		mismatches string
		removed    time.Time
	}{
		{"as logged", nil, "", time.Time{}},
		{"body changed", func(c *LedgerContent) { c.Body += "。" }, "正文", time.Time{}},
		{"title changed", func(c *LedgerContent) { c.Title = "别的标题" }, "标题", time.Time{}},
		{"file swapped", func(c *LedgerContent) { c.Attachments[1] = "cc" }, "附件 2", time.Time{}},
		{"file added", func(c *LedgerContent) { c.Attachments = append(c.Attachments, "cc") }, "附件数量", time.Time{}},
		{"text redacted", func(c *LedgerContent) { c.Title, c.Body, c.TextRemoved = "已删除", "", redacted }, "", redacted},
		{"one file deleted", func(c *LedgerContent) { c.Attachments[0], c.FileRemoved = "", []time.Time{redacted, {}} }, "", redacted},
		{"roster taken down", func(c *LedgerContent) {
			c.Body, c.Attachments, c.TextRemoved, c.FilesRemoved = "", nil, redacted, redacted
		}, "", redacted},
		{"deleted file, other changed", func(c *LedgerContent) {
			c.Attachments[0], c.Attachments[1], c.FileRemoved = "", "cc", []time.Time{redacted, {}}
		}, "附件 2", redacted},
		{"redaction does not excuse a changed file", func(c *LedgerContent) { c.Body, c.TextRemoved, c.Attachments[0] = "", redacted, "zz" }, "附件 1", redacted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := same
			c.Attachments = append([]string{}, same.Attachments...)
			if tc.edit != nil {
				tc.edit(&c)
			}
			r := CheckLedgerContent(e, c)
			if got := strings.Join(r.Mismatches, ","); got != tc.mismatches || r.OK != (tc.mismatches == "") {
				t.Errorf("mismatches %q (ok %v), want %q", got, r.OK, tc.mismatches)
			}
			if !r.Removed.Equal(tc.removed) {
				t.Errorf("removed %v, want %v", r.Removed, tc.removed)
			}
		})
	}
}
