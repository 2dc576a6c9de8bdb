package store_test

import (
	"context"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func boardPosting(day string) *gongkai.Posting {
	return &gongkai.Posting{Channel: gongkai.ChannelBoard, Date: bjDay(day), Place: "教学楼一楼公开栏", By: "王老师"}
}

func TestPostings_RecordFindVoid(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.publish(t, "2026年2月财务收支情况") // 2026-03-02
		clerk := f.actors[gongkai.RoleClerk]

		f.now = f.now.AddDate(0, 0, 2)
		p := boardPosting("2026-03-03")
		p.PhotoKey, p.PhotoType, p.PhotoSize = "ab12", "image/jpeg", 1234
		if err := f.db.RecordPosting(ctx, f.school.ID, d.ID, clerk, p); err != nil {
			t.Fatal(err)
		}
		if p.ID == 0 || p.CreatedByName != clerk.DisplayName {
			t.Fatalf("recorded %+v", p)
		}
		ps, err := f.db.FindPostings(ctx, f.school.ID, d.ID)
		if err != nil || len(ps) != 1 {
			t.Fatalf("postings = %v, %v; want one", ps, err)
		}
		got := ps[0]
		if got.Channel != gongkai.ChannelBoard || got.Place != "教学楼一楼公开栏" || got.By != "王老师" || got.Date.Format("2006-01-02") != "2026-03-03" ||
			got.PhotoKey != "ab12" || got.CreatedByName != clerk.DisplayName || got.Voided() {
			t.Errorf("found %+v", got)
		}

		// Another school's item of the same id is not found, nor its postings.
		if ps, err := f.db.FindPostings(ctx, f.other.ID, d.ID); err != nil || len(ps) != 0 {
			t.Errorf("other school's postings = %v, %v; want none", ps, err)
		}
		if _, err := f.db.FindPosting(ctx, f.other.ID, d.ID, p.ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("other school's posting: %v, want ENOTFOUND", err)
		}

		// Voiding needs a reason, keeps the record, and happens once.
		if err := f.db.VoidPosting(ctx, f.school.ID, d.ID, p.ID, clerk, " "); gongkai.ErrorFields(err)["reason"] == "" {
			t.Errorf("void without reason: %v, want a field error", err)
		}
		if err := f.db.VoidPosting(ctx, f.school.ID, d.ID, p.ID, clerk, "日期记错"); err != nil {
			t.Fatal(err)
		}
		if err := f.db.VoidPosting(ctx, f.school.ID, d.ID, p.ID, clerk, "再次作废"); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("void twice: %v, want ECONFLICT", err)
		}
		v, err := f.db.FindPosting(ctx, f.school.ID, d.ID, p.ID)
		if err != nil || !v.Voided() || v.VoidReason != "日期记错" || v.VoidedByName != clerk.DisplayName {
			t.Errorf("voided posting = %+v, %v", v, err)
		}
	})
}

func TestPostings_Refused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.publish(t, "收费公示")
		draft := f.draft(t, "未发布的事项")
		clerk := f.actors[gongkai.RoleClerk]
		for _, tc := range []struct {
			name   string
			school int64
			id     int64
			actor  *gongkai.Actor
			p      *gongkai.Posting
			code   string
			field  string
		}{
			{"unpublished item", f.school.ID, draft.ID, clerk, boardPosting("2026-03-02"), gongkai.ECONFLICT, ""},
			{"another school's staff", f.school.ID, d.ID, f.outsider, boardPosting("2026-03-02"), gongkai.ENOTFOUND, ""},
			{"a parent", f.school.ID, d.ID, f.actors[gongkai.RoleParent], boardPosting("2026-03-02"), gongkai.EFORBIDDEN, ""},
			{"the supervision group", f.school.ID, d.ID, f.actors[gongkai.RoleSupervisor], boardPosting("2026-03-02"), gongkai.EFORBIDDEN, ""},
			{"through the other school", f.other.ID, d.ID, f.outsider, boardPosting("2026-03-02"), gongkai.ENOTFOUND, ""},
			{"in the future", f.school.ID, d.ID, clerk, boardPosting("2026-03-03"), gongkai.EINVALID, "date"},
			{"before publication", f.school.ID, d.ID, clerk, boardPosting("2026-02-27"), gongkai.EINVALID, "date"},
			{"online", f.school.ID, d.ID, clerk, &gongkai.Posting{Channel: gongkai.ChannelOnline, Date: bjDay("2026-03-02"), Place: "网站", By: "王"}, gongkai.EINVALID, "channel"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := f.db.RecordPosting(ctx, tc.school, tc.id, tc.actor, tc.p)
				if gongkai.ErrorCode(err) != tc.code {
					t.Fatalf("RecordPosting = %v, want %s", err, tc.code)
				}
				if tc.field != "" && gongkai.ErrorFields(err)[tc.field] == "" {
					t.Errorf("no message for %s: %v", tc.field, err)
				}
			})
		}
		if ps, _ := f.db.FindPostings(ctx, f.school.ID, d.ID); len(ps) != 0 {
			t.Errorf("refused postings were stored: %v", ps)
		}
		ok := boardPosting("2026-03-02")
		if err := f.db.RecordPosting(ctx, f.school.ID, d.ID, clerk, ok); err != nil {
			t.Fatal(err)
		}
		if err := f.db.VoidPosting(ctx, f.school.ID, d.ID, ok.ID, f.outsider, "外校作废"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("void by another school: %v, want ENOTFOUND", err)
		}
	})
}

// An obligation that names a channel is met only by a posting on that
// channel, recorded on the item that fulfils it; voiding the posting opens
// it again. One without a channel is met by publication, as before.
func TestPostings_MeetObligation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		principal := f.actors[gongkai.RolePrincipal]
		cat, err := f.db.FindCatalogue(ctx, f.school.ID)
		if err != nil {
			t.Fatal(err)
		}
		var fees gongkai.CatalogueItem
		for _, c := range cat {
			if c.Code == "fees" {
				fees = c
			}
		}
		fees.Channel = gongkai.ChannelBoard
		if err := f.db.SaveCatalogueItem(ctx, f.school.ID, principal, &fees); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.EnsureObligations(ctx, f.school.ID, bjDay("2026-03-01"), bjDay("2026-12-31")); err != nil {
			t.Fatal(err)
		}
		open := obligationsOf(t, f, "fees")
		if len(open) == 0 || open[0].Channel != gongkai.ChannelBoard {
			t.Fatalf("fees obligations %+v, want one naming the board", open)
		}
		ob := open[0]
		d := f.publishFor(t, "fees", "2026年秋季学期收费公示", ob.ID)
		o, err := f.db.FindObligation(ctx, f.school.ID, ob.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !o.Open() || o.DisclosureID != d.ID {
			t.Fatalf("after publication the obligation is %s fulfilled by %d; want open and fulfilled by %d", o.State, o.DisclosureID, d.ID)
		}
		// Another item of the same catalogue item does not take it over.
		other := f.publishFor(t, "fees", "另一份收费公示", 0)
		if o, _ := f.db.FindObligation(ctx, f.school.ID, ob.ID); o.DisclosureID != d.ID {
			t.Errorf("the obligation moved to item %d, want %d", o.DisclosureID, d.ID)
		}
		// A posting on another channel, or on another item, does not meet it.
		f.now = f.now.AddDate(0, 0, 1)
		meeting := &gongkai.Posting{Channel: "parent_meeting", Date: bjDay("2026-03-03"), Place: "各班教室", By: "班主任"}
		if err := f.db.RecordPosting(ctx, f.school.ID, d.ID, principal, meeting); err != nil {
			t.Fatal(err)
		}
		if err := f.db.RecordPosting(ctx, f.school.ID, other.ID, principal, boardPosting("2026-03-03")); err != nil {
			t.Fatal(err)
		}
		if o, _ := f.db.FindObligation(ctx, f.school.ID, ob.ID); !o.Open() {
			t.Fatalf("met by a posting elsewhere: %s", o.State)
		}
		p := boardPosting("2026-03-03")
		if err := f.db.RecordPosting(ctx, f.school.ID, d.ID, principal, p); err != nil {
			t.Fatal(err)
		}
		o, _ = f.db.FindObligation(ctx, f.school.ID, ob.ID)
		if o.Open() || o.MetAt.Format("2006-01-02") != "2026-03-03" {
			t.Fatalf("after the board posting: %s met %v, want met on 2026-03-03", o.State, o.MetAt)
		}
		if n := countOpen(t, f, "fees"); n != len(open)-1 {
			t.Errorf("%d open fees obligations on the calendar, want %d", n, len(open)-1)
		}
		if err := f.db.VoidPosting(ctx, f.school.ID, d.ID, p.ID, principal, "贴错了栏"); err != nil {
			t.Fatal(err)
		}
		if o, _ := f.db.FindObligation(ctx, f.school.ID, ob.ID); !o.Open() {
			t.Errorf("still %s after the posting was voided", o.State)
		}
		if n := countOpen(t, f, "fees"); n != len(open) {
			t.Errorf("%d open fees obligations after voiding, want %d", n, len(open))
		}

		// Without a channel, publication meets the obligation as before.
		plain := obligationsOf(t, f, "monthly-finance")
		f.publishFor(t, "monthly-finance", "2026年2月财务收支情况", plain[0].ID)
		if o, _ := f.db.FindObligation(ctx, f.school.ID, plain[0].ID); o.Open() {
			t.Errorf("plain obligation %s after publication, want met", o.State)
		}
	})
}

func countOpen(t *testing.T, f *fixture, code string) int {
	t.Helper()
	n := 0
	for _, o := range obligationsOf(t, f, code) {
		if o.Open() {
			n++
		}
	}
	return n
}

func TestDashboard_Paper(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		clerk := f.actors[gongkai.RoleClerk]
		var items []*gongkai.Disclosure
		for _, title := range []string{"一", "二", "三"} {
			items = append(items, f.publish(t, "公示"+title))
		}
		if err := f.db.RecordPosting(ctx, f.school.ID, items[0].ID, clerk, boardPosting("2026-03-02")); err != nil {
			t.Fatal(err)
		}
		voided := boardPosting("2026-03-02")
		if err := f.db.RecordPosting(ctx, f.school.ID, items[1].ID, clerk, voided); err != nil {
			t.Fatal(err)
		}
		if err := f.db.VoidPosting(ctx, f.school.ID, items[1].ID, voided.ID, clerk, "记错事项"); err != nil {
			t.Fatal(err)
		}
		radio := &gongkai.Posting{Channel: "broadcast", Date: bjDay("2026-03-02"), Place: "广播站", By: "李老师"}
		if err := f.db.RecordPosting(ctx, f.school.ID, items[2].ID, clerk, radio); err != nil {
			t.Fatal(err)
		}
		figs, err := f.db.Dashboard(ctx, f.bureau.ID, f.now)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range figs {
			want := store.PaperFigures{}
			if s.SchoolID == f.school.ID {
				want = store.PaperFigures{Published: 3, Posted: 1}
			}
			for _, p := range store.DashPeriods {
				if got := s.PaperOf(p); got != want {
					t.Errorf("%s %s: paper %+v, want %+v", s.Name, p, got, want)
				}
			}
		}
	})
}
