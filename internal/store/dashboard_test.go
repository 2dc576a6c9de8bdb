package store_test

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func TestDashPeriod_bounds(t *testing.T) {
	for _, c := range []struct {
		now      string
		p        store.DashPeriod
		from, to string
		label    string
	}{
		{"2026-11-25", store.PeriodMonth, "2026-11-01", "2026-11-30", "2026年11月"},
		{"2026-02-10", store.PeriodMonth, "2026-02-01", "2026-02-28", "2026年2月"},
		{"2026-11-25", store.PeriodTerm, "2026-08-01", "2027-01-31", "2026年秋季学期"},
		{"2027-01-15", store.PeriodTerm, "2026-08-01", "2027-01-31", "2026年秋季学期"},
		{"2026-02-01", store.PeriodTerm, "2026-02-01", "2026-07-31", "2026年春季学期"},
		{"2026-07-31", store.PeriodTerm, "2026-02-01", "2026-07-31", "2026年春季学期"},
		{"2026-08-01", store.PeriodTerm, "2026-08-01", "2027-01-31", "2026年秋季学期"},
		{"2026-11-25", store.PeriodYear, "2026-01-01", "2026-12-31", "2026年"},
	} {
		from, to, label := c.p.Bounds(bjDay(c.now).Add(10 * time.Hour))
		if day(from) != c.from || day(to) != c.to || label != c.label {
			t.Errorf("%s at %s: %s – %s %q, want %s – %s %q", c.p, c.now, day(from), day(to), label, c.from, c.to, c.label)
		}
	}
}

// TestDashboard_figures builds a small bureau by hand — three schools, a
// fourth in another bureau — and checks every figure against values
// counted by hand. Obligations are per-event ones (20 working days after
// the event) whose due dates, counted on the 2026 calendar, are:
//
//	event 2026-03-02 → due 2026-03-30   event 2026-08-03 → due 2026-08-31
//	event 2026-10-12 → due 2026-11-09   event 2026-10-19 → due 2026-11-16
//	event 2026-10-26 → due 2026-11-23   event 2026-11-02 → due 2026-11-30
//
// and the dashboard is read on Wednesday 2026-11-25.
func TestDashboard_figures(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		at := func(s string) { f.now = bjDay(s).Add(10 * time.Hour) }
		record := func(school int64, a *gongkai.Actor, event string) *gongkai.Obligation {
			t.Helper()
			at(event)
			o, err := f.db.RecordEvent(ctx, school, a, "procurement", "采购结果"+event, bjDay(event), 0)
			if err != nil {
				t.Fatalf("record %s: %v", event, err)
			}
			return o
		}
		publish := func(school int64, clerk, principal, supervisor *gongkai.Actor, o *gongkai.Obligation, on string) {
			t.Helper()
			at(on)
			d := &gongkai.Disclosure{Title: "大宗物资采购结果公示", Body: "现将采购结果公布如下。", CatalogueCode: "procurement", Category: "procurement",
				Audience: gongkai.AudiencePublic, PublicityDays: 5, Channels: []gongkai.Channel{"online"}}
			if err := f.db.CreateDisclosure(ctx, school, clerk, d); err != nil {
				t.Fatal(err)
			}
			if err := f.db.SetDisclosureObligation(ctx, school, d.ID, o.ID); err != nil {
				t.Fatal(err)
			}
			for _, s := range []struct {
				a   *gongkai.Actor
				act gongkai.Action
			}{{clerk, gongkai.ActionSubmit}, {principal, gongkai.ActionApprove}, {supervisor, gongkai.ActionCheck}, {clerk, gongkai.ActionPublish}} {
				if _, err := f.db.Act(ctx, school, d.ID, s.a, s.act, "", nil); err != nil {
					t.Fatalf("%s: %v", s.act, err)
				}
			}
		}
		member := func(school int64, name string, roles ...gongkai.Role) *gongkai.Actor {
			t.Helper()
			u := &gongkai.User{Username: name, DisplayName: name}
			if err := f.db.CreateMember(ctx, school, u, "x", roles, 0); err != nil {
				t.Fatal(err)
			}
			a, err := f.db.LoadActor(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		feedback := func(school int64, created string) *gongkai.Feedback {
			t.Helper()
			at(created)
			c, _, err := f.db.CreateFeedback(ctx, school, &gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "关于校门口交通" + created, Body: "放学时校门口拥堵，建议错峰放学。" + created, Anonymous: true})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		step := func(school int64, c *gongkai.Feedback, a *gongkai.Actor, on string, s gongkai.FeedbackStep) {
			t.Helper()
			at(on)
			if _, err := f.db.HandleFeedback(ctx, school, c.ID, a, s); err != nil {
				t.Fatalf("%s: %v", s.Action, err)
			}
		}
		reply := gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "已研究，下周起错峰放学。"}

		// School A (祥谦小学).
		clerk, principal, supervisor := f.actors[gongkai.RoleClerk], f.actors[gongkai.RolePrincipal], f.actors[gongkai.RoleSupervisor]
		a := f.school.ID
		a1 := record(a, clerk, "2026-03-02") // met on its due day: on time
		a2 := record(a, clerk, "2026-08-03") // met two days late
		a3 := record(a, clerk, "2026-10-12") // met early: on time
		a4 := record(a, clerk, "2026-10-19") // never met: overdue
		a5 := record(a, clerk, "2026-10-26") // met a day late
		record(a, clerk, "2026-11-02")       // due 11-30: pending
		a7 := record(a, clerk, "2026-10-12") // waived
		publish(a, clerk, principal, supervisor, a1, "2026-03-30")
		publish(a, clerk, principal, supervisor, a2, "2026-09-02")
		publish(a, clerk, principal, supervisor, a3, "2026-11-05")
		publish(a, clerk, principal, supervisor, a5, "2026-11-24")
		at("2026-11-20")
		if err := f.db.WaiveObligation(ctx, a, a7.ID, principal, "采购已取消。"); err != nil {
			t.Fatal(err)
		}
		f1 := feedback(a, "2026-03-02") // replied in 2 working days
		step(a, f1, principal, "2026-03-04", reply)
		f2 := feedback(a, "2026-11-16") // replied in 5 working days, then rectifying
		step(a, f2, principal, "2026-11-23", reply)
		step(a, f2, principal, "2026-11-23", gongkai.FeedbackStep{Action: gongkai.FActRectify, Comment: "增设护学岗", Due: bjDay("2026-12-04")})
		feedback(a, "2026-11-20")       // open, not replied
		f4 := feedback(a, "2025-12-29") // replied last year: not in the median
		step(a, f4, principal, "2025-12-31", reply)

		// School B (开物小学): five obligations all met on time.
		b := f.other.ID
		bSup := member(b, "kaiwu.supervisor", gongkai.RoleSupervisor)
		for _, ev := range []string{"2026-10-12", "2026-10-12", "2026-10-12", "2026-10-19", "2026-10-19"} {
			o := record(b, f.outsider, ev)
			publish(b, f.outsider, f.outsider, bSup, o, day(o.Due.AddDate(0, 0, -3)))
		}
		f5 := feedback(b, "2026-11-02") // replied in 1 working day
		step(b, f5, f.outsider, "2026-11-03", reply)

		// School C (翠屏小学): nothing at all.
		c := &gongkai.School{BureauID: f.bureau.ID, Slug: "cuiping", Name: "翠屏小学", Code: "3501210003"}
		if err := f.db.CreateSchool(ctx, c, []string{"办公室"}); err != nil {
			t.Fatal(err)
		}
		// School D of another bureau: an overdue obligation and an open case.
		bureau2 := &gongkai.Bureau{Name: "邻县教育局"}
		if err := f.db.CreateBureau(ctx, bureau2); err != nil {
			t.Fatal(err)
		}
		d := &gongkai.School{BureauID: bureau2.ID, Slug: "linxian", Name: "邻县小学", Code: "3501220001"}
		if err := f.db.CreateSchool(ctx, d, []string{"办公室"}); err != nil {
			t.Fatal(err)
		}
		record(d.ID, member(d.ID, "linxian.clerk", gongkai.RoleClerk), "2026-10-19")
		feedback(d.ID, "2026-11-20")

		at("2026-11-25")
		figs, err := f.db.Dashboard(ctx, f.bureau.ID, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if len(figs) != 3 {
			t.Fatalf("%d schools, want the bureau's 3: %+v", len(figs), figs)
		}
		by := map[string]store.SchoolFigures{}
		for _, s := range figs {
			by[s.Slug] = s
		}
		pf := func(onTime, late, overdue, waived, pending, rank int) store.PeriodFigures {
			return store.PeriodFigures{OnTime: onTime, Late: late, Overdue: overdue, Waived: waived, Pending: pending, Rank: rank}
		}
		type want struct {
			month, term, year   store.PeriodFigures
			open, rect, replied int
			median              float64
			firstOverdue        int64
		}
		for slug, w := range map[string]want{
			"xiangqian": {month: pf(1, 1, 1, 1, 1, 0), term: pf(1, 2, 1, 1, 1, 0), year: pf(2, 2, 1, 1, 1, 2),
				open: 2, rect: 1, replied: 2, median: 3.5, firstOverdue: a4.ID},
			"kaiwu":   {month: pf(5, 0, 0, 0, 0, 1), term: pf(5, 0, 0, 0, 0, 1), year: pf(5, 0, 0, 0, 0, 1), replied: 1, median: 1},
			"cuiping": {median: -1},
		} {
			s, ok := by[slug]
			if !ok {
				t.Errorf("school %s missing", slug)
				continue
			}
			for _, p := range []struct {
				name      string
				got, want store.PeriodFigures
			}{{"month", s.Month, w.month}, {"term", s.Term, w.term}, {"year", s.Year, w.year}} {
				got := p.got
				got.FirstOverdue = 0
				if got != p.want {
					t.Errorf("%s %s: %+v, want %+v", slug, p.name, got, p.want)
				}
			}
			if s.Month.FirstOverdue != w.firstOverdue || s.Year.FirstOverdue != w.firstOverdue {
				t.Errorf("%s first overdue %d/%d, want %d", slug, s.Month.FirstOverdue, s.Year.FirstOverdue, w.firstOverdue)
			}
			if s.OpenFeedback != w.open || s.OpenRectifications != w.rect || s.Replied != w.replied || s.MedianReplyDays != w.median {
				t.Errorf("%s feedback: open %d rectifying %d replied %d median %v, want %d %d %d %v", slug,
					s.OpenFeedback, s.OpenRectifications, s.Replied, s.MedianReplyDays, w.open, w.rect, w.replied, w.median)
			}
		}

		// Rates and the series of school A.
		sa := by["xiangqian"]
		if r := sa.Year.Rate(); r != 0.4 || sa.Year.Cases() != 5 || !sa.Year.Ranked() || sa.Month.Ranked() {
			t.Errorf("A: year rate %v of %d (ranked %v), month ranked %v; want 0.4 of 5, ranked, month not", r, sa.Year.Cases(), sa.Year.Ranked(), sa.Month.Ranked())
		}
		if r := by["cuiping"].Year.Rate(); r != -1 {
			t.Errorf("C: rate %v with no case, want -1", r)
		}
		if len(sa.Series) != 12 || day(sa.Series[0].Month) != "2025-12-01" || day(sa.Series[11].Month) != "2026-11-01" {
			t.Fatalf("series: %d months from %s", len(sa.Series), day(sa.Series[0].Month))
		}
		for k, w := range map[int]store.PeriodFigures{3: pf(1, 0, 0, 0, 0, 0), 8: pf(0, 1, 0, 0, 0, 0), 11: pf(1, 1, 1, 1, 1, 0), 5: {}} {
			got := sa.Series[k].PeriodFigures
			got.FirstOverdue = 0
			if got != w {
				t.Errorf("A in %s: %+v, want %+v", day(sa.Series[k].Month), got, w)
			}
		}
	})
}

func TestOpeningPeriod(t *testing.T) {
	decided := store.PeriodFigures{OnTime: 1}
	pending := store.PeriodFigures{Pending: 3, Waived: 1}
	tests := []struct {
		name string
		figs []store.SchoolFigures
		want store.DashPeriod
	}{
		{"no school", nil, store.PeriodTerm},
		{"nothing decided anywhere", []store.SchoolFigures{{Month: pending, Term: pending, Year: pending}}, store.PeriodTerm},
		{"this month has a case", []store.SchoolFigures{{}, {Month: decided, Term: decided, Year: decided}}, store.PeriodMonth},
		{"an empty month: this term", []store.SchoolFigures{{Month: pending, Term: decided, Year: decided}}, store.PeriodTerm},
		{"only last term: this year", []store.SchoolFigures{{Year: store.PeriodFigures{Overdue: 2}}}, store.PeriodYear},
		{"a late one counts", []store.SchoolFigures{{Month: store.PeriodFigures{Late: 1}}}, store.PeriodMonth},
	}
	for _, tt := range tests {
		if got := store.OpeningPeriod(tt.figs); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}
