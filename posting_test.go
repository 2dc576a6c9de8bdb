package gongkai_test

import (
	"strings"
	"testing"
	"time"

	"gongkai"
)

func TestPosting_Check(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, gongkai.Beijing)
	published := time.Date(2026, 12, 2, 16, 30, 0, 0, gongkai.Beijing)
	ok := func() gongkai.Posting {
		return gongkai.Posting{Channel: gongkai.ChannelBoard, Date: day("2026-12-03"), Place: "教学楼一楼公开栏", By: "王老师"}
	}
	for _, tc := range []struct {
		name      string
		edit      func(p *gongkai.Posting)
		published time.Time
		want      map[string]string // field → part of its message; nil for valid
	}{
		{"valid", func(*gongkai.Posting) {}, published, nil},
		{"on the day of publication, before its hour", func(p *gongkai.Posting) { p.Date = day("2026-12-02") }, published, nil},
		{"today", func(p *gongkai.Posting) { p.Date = day("2026-12-05") }, published, nil},
		{"every physical channel", func(p *gongkai.Posting) { p.Channel = "parent_meeting" }, published, nil},
		{"tomorrow", func(p *gongkai.Posting) { p.Date = day("2026-12-06") }, published, map[string]string{"date": "不能晚于今天"}},
		{"before publication", func(p *gongkai.Posting) { p.Date = day("2026-12-01") }, published, map[string]string{"date": "不能早于发布日期（2026-12-02）"}},
		{"not published", func(*gongkai.Posting) {}, time.Time{}, map[string]string{"date": "尚未发布"}},
		{"no date", func(p *gongkai.Posting) { p.Date = time.Time{} }, published, map[string]string{"date": "请填写日期"}},
		{"online needs no record", func(p *gongkai.Posting) { p.Channel = gongkai.ChannelOnline }, published, map[string]string{"channel": "无需另行记录"}},
		{"unknown channel", func(p *gongkai.Posting) { p.Channel = "wechat" }, published, map[string]string{"channel": "无效"}},
		{"no channel", func(p *gongkai.Posting) { p.Channel = "" }, published, map[string]string{"channel": "请选择"}},
		{"blank place and name", func(p *gongkai.Posting) { p.Place, p.By = "  ", "" }, published,
			map[string]string{"place": "请填写", "by": "请填写"}},
		{"place too long", func(p *gongkai.Posting) { p.Place = strings.Repeat("栏", 101) }, published, map[string]string{"place": "100 字"}},
		{"name with a line break", func(p *gongkai.Posting) { p.By = "王\n老师" }, published, map[string]string{"by": "一行"}},
		{"NUL in place", func(p *gongkai.Posting) { p.Place = "一楼\x00" }, published, map[string]string{"place": "一行"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ok()
			tc.edit(&p)
			err := p.Check(now, tc.published)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if gongkai.ErrorCode(err) != gongkai.EINVALID {
				t.Fatalf("Check = %v, want EINVALID", err)
			}
			fields := gongkai.ErrorFields(err)
			if len(fields) != len(tc.want) {
				t.Errorf("fields = %v, want %d of them", fields, len(tc.want))
			}
			for f, part := range tc.want {
				if !strings.Contains(fields[f], part) {
					t.Errorf("field %s = %q, want it to say %q", f, fields[f], part)
				}
			}
		})
	}
}

func TestPosting_CheckTrims(t *testing.T) {
	p := gongkai.Posting{Channel: "broadcast", Date: day("2026-12-03"), Place: " 广播站 ", By: " 李老师 "}
	if err := p.Check(day("2026-12-04"), day("2026-12-03")); err != nil {
		t.Fatal(err)
	}
	if p.Place != "广播站" || p.By != "李老师" {
		t.Errorf("kept %q %q, want them trimmed", p.Place, p.By)
	}
}

func TestCheckVoid(t *testing.T) {
	for reason, valid := range map[string]bool{"日期填错": true, "": false, "   ": false, strings.Repeat("错", 501): false} {
		if err := gongkai.CheckVoid(reason); (err == nil) != valid {
			t.Errorf("CheckVoid(%.10q) = %v, want valid %v", reason, err, valid)
		}
	}
}

func TestChannelMetAt(t *testing.T) {
	published := time.Date(2026, 12, 2, 16, 30, 0, 0, gongkai.Beijing)
	board := func(d string) gongkai.Posting {
		return gongkai.Posting{Channel: gongkai.ChannelBoard, Date: day(d)}
	}
	voided := board("2026-12-02")
	voided.VoidedAt = day("2026-12-04")
	for _, tc := range []struct {
		name      string
		channel   gongkai.Channel
		published time.Time
		postings  []gongkai.Posting
		want      string // "" for not met
	}{
		{"no channel: met by publication", "", published, nil, "2026-12-02"},
		{"online: met by publication", gongkai.ChannelOnline, published, nil, "2026-12-02"},
		{"online before publication", gongkai.ChannelOnline, time.Time{}, nil, ""},
		{"board without a posting", gongkai.ChannelBoard, published, nil, ""},
		{"board with a posting", gongkai.ChannelBoard, published, []gongkai.Posting{board("2026-12-03")}, "2026-12-03"},
		{"the earliest posting counts", gongkai.ChannelBoard, published, []gongkai.Posting{board("2026-12-04"), board("2026-12-03")}, "2026-12-03"},
		{"a voided posting does not count", gongkai.ChannelBoard, published, []gongkai.Posting{voided}, ""},
		{"a voided earlier one is passed over", gongkai.ChannelBoard, published, []gongkai.Posting{voided, board("2026-12-04")}, "2026-12-04"},
		{"a posting on another channel does not count", "parent_meeting", published, []gongkai.Posting{board("2026-12-03")}, ""},
		{"nothing counts before publication", gongkai.ChannelBoard, time.Time{}, []gongkai.Posting{board("2026-12-03")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := gongkai.ChannelMetAt(tc.channel, tc.published, tc.postings)
			if tc.want == "" {
				if !got.IsZero() {
					t.Errorf("met at %v, want not met", got)
				}
				return
			}
			if got.IsZero() || got.In(gongkai.Beijing).Format("2006-01-02") != tc.want {
				t.Errorf("met at %v, want %s", got, tc.want)
			}
		})
	}
}

func TestChannelStatuses(t *testing.T) {
	d := &gongkai.Disclosure{State: gongkai.StatePublished, PublishedAt: day("2026-12-02"),
		Channels: []gongkai.Channel{gongkai.ChannelOnline, gongkai.ChannelBoard, "parent_meeting"}}
	ps := []gongkai.Posting{{Channel: gongkai.ChannelBoard, Date: day("2026-12-03")}, {Channel: "broadcast", Date: day("2026-12-04")}}
	got := gongkai.ChannelStatuses(d, ps)
	want := []struct {
		c   gongkai.Channel
		met bool
	}{{gongkai.ChannelOnline, true}, {gongkai.ChannelBoard, true}, {"parent_meeting", false}, {"broadcast", true}}
	if len(got) != len(want) {
		t.Fatalf("statuses = %+v, want %d", got, len(want))
	}
	for i, w := range want {
		if got[i].Channel != w.c || got[i].Met() != w.met {
			t.Errorf("status %d = %s met %v, want %s met %v", i, got[i].Channel, got[i].Met(), w.c, w.met)
		}
	}
	d.State = gongkai.StateApproved
	for _, s := range gongkai.ChannelStatuses(d, nil) {
		if s.Met() {
			t.Errorf("%s met before publication", s.Channel)
		}
	}
}

func TestCanPostItem(t *testing.T) {
	for st, ok := range map[gongkai.State]bool{
		gongkai.StateDraft: false, gongkai.StateSubmitted: false, gongkai.StateApproved: false, gongkai.StateChecked: false,
		gongkai.StatePublished: true, gongkai.StateClosed: true, gongkai.StateArchived: true, gongkai.StateWithdrawn: false,
	} {
		err := gongkai.CanPostItem(&gongkai.Disclosure{State: st})
		if (err == nil) != ok || (err != nil && gongkai.ErrorCode(err) != gongkai.ECONFLICT) {
			t.Errorf("%s: CanPostItem = %v, want allowed %v", st, err, ok)
		}
	}
}

func TestCanRecordPosting(t *testing.T) {
	for name, want := range map[string]bool{
		"principal": true, "clerk": true, "leader": false, "supervisor": false, "staff": false, "parent": false,
		"otherPrincipal": false, "bureauAdmin": false,
	} {
		if got := gongkai.CanRecordPosting(fbPeople()[name], fbSchool); got != want {
			t.Errorf("%s: CanRecordPosting = %v, want %v", name, got, want)
		}
	}
}
