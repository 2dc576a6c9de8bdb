package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// reportData builds a small fixed data set through the store's API and
// returns the fixture, read at Wednesday 2026-11-25. The figures of 2026
// counted by hand are in TestReportFigures_handCounted. Working-day
// deadlines on the 2026 calendar:
//
//	procurement event 2026-03-02 → due 2026-03-30   event 2026-08-03 → due 2026-08-31
//	event 2026-10-12 → due 2026-11-09                event 2026-10-19 → due 2026-11-16
//	event 2026-11-02 → due 2026-11-30                event 2025-11-03 → due 2025-12-01
//	a case received Monday 2026-06-01 is due (5 working days) 2026-06-08
func reportData(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := mustFixture(t, dsn)
	at := func(s string) { f.now = bjDay(s).Add(10 * time.Hour) }
	clerk, principal, supervisor := f.actors[gongkai.RoleClerk], f.actors[gongkai.RolePrincipal], f.actors[gongkai.RoleSupervisor]
	a := f.school.ID

	publish := func(school int64, cl, pr, su *gongkai.Actor, d *gongkai.Disclosure, on string, ob *gongkai.Obligation) *gongkai.Disclosure {
		t.Helper()
		at(on)
		d.Body = "现将有关情况公布如下。"
		if err := f.db.CreateDisclosure(ctx, school, cl, d); err != nil {
			t.Fatal(err)
		}
		if ob != nil {
			if err := f.db.SetDisclosureObligation(ctx, school, d.ID, ob.ID); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range []struct {
			a   *gongkai.Actor
			act gongkai.Action
		}{{cl, gongkai.ActionSubmit}, {pr, gongkai.ActionApprove}, {su, gongkai.ActionCheck}, {cl, gongkai.ActionPublish}} {
			if _, err := f.db.Act(ctx, school, d.ID, s.a, s.act, "", nil); err != nil {
				t.Fatalf("%s %q: %v", s.act, d.Title, err)
			}
		}
		return d
	}
	record := func(event string) *gongkai.Obligation {
		t.Helper()
		at(event)
		o, err := f.db.RecordEvent(ctx, a, clerk, "procurement", "采购结果"+event, bjDay(event), 0)
		if err != nil {
			t.Fatalf("record %s: %v", event, err)
		}
		return o
	}
	type sent struct {
		c      *gongkai.Feedback
		secret string
	}
	send := func(school int64, kind gongkai.FeedbackKind, on string) sent {
		t.Helper()
		at(on)
		c, secret, err := f.db.CreateFeedback(ctx, school, &gongkai.NewFeedback{Kind: kind, Subject: "关于" + string(kind) + on, Body: "内容" + on, Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		return sent{c, secret}
	}
	step := func(c sent, who *gongkai.Actor, on string, s gongkai.FeedbackStep) {
		t.Helper()
		at(on)
		if _, err := f.db.HandleFeedback(ctx, c.c.SchoolID, c.c.ID, who, s); err != nil {
			t.Fatalf("%s: %v", s.Action, err)
		}
	}
	sender := func(c sent, on string, s gongkai.SenderStep) {
		t.Helper()
		at(on)
		if _, err := f.db.SenderAct(ctx, c.c.Receipt, c.secret, 0, s); err != nil {
			t.Fatalf("sender %s: %v", s.Action, err)
		}
	}
	reply := gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "已研究办理。"}

	// Items of school A.
	item := func(title, category string, aud gongkai.Audience, channels ...gongkai.Channel) *gongkai.Disclosure {
		return &gongkai.Disclosure{Title: title, Category: category, Audience: aud, PublicityDays: 5, Channels: channels}
	}
	publish(a, clerk, principal, supervisor, item("2025年12月财务报表", "finance", gongkai.AudiencePublic, "online"), "2025-12-30", nil) // last year
	d1 := publish(a, clerk, principal, supervisor, item("2026年2月财务报表", "finance", gongkai.AudiencePublic, "online", "board"), "2026-03-10", nil)
	d2 := publish(a, clerk, principal, supervisor, item("春季学期收费标准", "fees", gongkai.AudienceCommunity, "online"), "2026-04-01", nil)
	at("2026-04-03")
	if _, err := f.db.Act(ctx, a, d2.ID, principal, gongkai.ActionWithdraw, "收费标准有误，重新公示。", nil); err != nil {
		t.Fatal(err)
	}
	d3 := publish(a, clerk, principal, supervisor, item("绩效工资分配方案", "finance", gongkai.AudienceStaff, "board"), "2026-05-06", nil)
	at("2026-05-07")
	reviseAll(t, f.db, a, d3.ID, clerk, principal, supervisor, "更正笔误。", &store.Revision{Title: d3.Title, Body: "更正后的方案。"})
	draft := item("未发布的草稿", "finance", gongkai.AudiencePublic)
	draft.Body = "草稿"
	if err := f.db.CreateDisclosure(ctx, a, clerk, draft); err != nil {
		t.Fatal(err)
	}

	// Obligations of school A: on time, late, overdue, pending, waived, and
	// one of last year.
	record("2025-11-03")
	o1 := record("2026-03-02")
	o2 := record("2026-08-03")
	record("2026-10-19")
	record("2026-11-02")
	o5 := record("2026-10-12")
	procurement := func(title string) *gongkai.Disclosure {
		d := item(title, "procurement", gongkai.AudiencePublic, "online")
		d.CatalogueCode = "procurement"
		return d
	}
	publish(a, clerk, principal, supervisor, procurement("采购结果一"), "2026-03-30", o1)
	publish(a, clerk, principal, supervisor, procurement("采购结果二"), "2026-09-02", o2)
	at("2026-11-20")
	if err := f.db.WaiveObligation(ctx, a, o5.ID, principal, "采购已取消。"); err != nil {
		t.Fatal(err)
	}

	// Feedback of school A.
	c0 := send(a, gongkai.KindOpinion, "2025-12-29") // last year
	step(c0, principal, "2025-12-31", reply)
	c1 := send(a, gongkai.KindOpinion, "2026-03-02") // answered on time in 2 working days, rated satisfied
	step(c1, principal, "2026-03-04", reply)
	sender(c1, "2026-03-05", gongkai.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingSatisfied})
	c2 := send(a, gongkai.KindMailbox, "2026-06-01") // answered late (due 06-08) in 7 working days, rectified
	step(c2, principal, "2026-06-10", reply)
	step(c2, principal, "2026-06-10", gongkai.FeedbackStep{Action: gongkai.FActRectify, Comment: "增设护学岗。", Due: bjDay("2026-06-30")})
	step(c2, principal, "2026-06-20", gongkai.FeedbackStep{Action: gongkai.FActRectified, Comment: "已增设。", ResultID: d1.ID})
	c3 := send(a, gongkai.KindRequest, "2026-09-07") // refused the next working day
	step(c3, principal, "2026-09-08", gongkai.FeedbackStep{Action: gongkai.FActDecline, Comment: "所涉信息属于个人隐私，不予公开。"})
	c4 := send(a, gongkai.KindRequest, "2026-10-12") // granted in 2 working days, rated basic
	step(c4, principal, "2026-10-14", reply)
	sender(c4, "2026-10-15", gongkai.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingBasic})
	send(a, gongkai.KindRequest, "2026-11-20")      // pending
	c6 := send(a, gongkai.KindReport, "2026-11-02") // open, overdue (due 11-23), escalated by its sender
	sender(c6, "2026-11-25", gongkai.SenderStep{Action: gongkai.FActEscalate, Body: "逾期未答复。"})

	// School B: one item and one open case.
	b := f.other.ID
	bSup := f.person(t, "kaiwu.sup", b, gongkai.RoleSupervisor)
	publish(b, f.outsider, f.outsider, bSup, item("开物小学财务报表", "finance", gongkai.AudiencePublic, "online"), "2026-07-01", nil)
	send(b, gongkai.KindOpinion, "2026-07-02")

	at("2026-11-25")
	return f
}

// TestReportFigures_handCounted checks every figure of the year against the
// data set counted by hand, for one school and summed for the bureau.
func TestReportFigures_handCounted(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := reportData(t, dsn)
		from, to := bjDay("2026-01-01"), bjDay("2026-12-31")
		got, err := f.db.SchoolReportFigures(ctx, f.school.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		check := func(what string, got, want any) {
			t.Helper()
			if !equalAny(got, want) {
				t.Errorf("%s: got %+v, want %+v", what, got, want)
			}
		}
		check("published", got.Published, 5)
		check("by category", got.ByCategory, map[string]int{"finance": 2, "fees": 1, "procurement": 2})
		check("by audience", got.ByAudience, map[gongkai.Audience]int{gongkai.AudiencePublic: 3, gongkai.AudienceCommunity: 1, gongkai.AudienceStaff: 1})
		check("by channel", got.ByChannel, map[gongkai.Channel]int{"online": 4, "board": 2})
		check("withdrawn", got.Withdrawn, 1)
		check("revised", got.Revised, 1)
		ob := got.Obligations
		ob.FirstOverdue = 0
		check("obligations", ob, store.PeriodFigures{OnTime: 1, Late: 1, Overdue: 1, Waived: 1, Pending: 1})
		pr := got.Item("procurement")
		check("procurement", pr, store.PeriodFigures{OnTime: 1, Late: 1, Overdue: 1, Waived: 1, Pending: 1})
		check("on-time rate", got.Obligations.Rate(), 1.0/3)
		check("opinion", got.Feedback[gongkai.KindOpinion], store.FeedbackFigures{Received: 1, Answered: 1, OnTime: 1})
		check("mailbox", got.Feedback[gongkai.KindMailbox], store.FeedbackFigures{Received: 1, Answered: 1})
		check("request", got.Feedback[gongkai.KindRequest], store.FeedbackFigures{Received: 3, Answered: 2, OnTime: 2, Open: 1})
		check("report", got.Feedback[gongkai.KindReport], store.FeedbackFigures{Received: 1, Open: 1, Escalated: 1})
		check("objection", got.Feedback[gongkai.KindObjection], store.FeedbackFigures{})
		check("total", got.FeedbackTotal(), store.FeedbackFigures{Received: 6, Answered: 4, OnTime: 3, Open: 2, Escalated: 1})
		check("requests", got.Requests, store.RequestFigures{Received: 3, Granted: 1, Refused: 1, Pending: 1})
		check("rectifications", [2]int{got.RectifyPlanned, got.RectifyDone}, [2]int{1, 1})
		check("median reply days", got.MedianReplyDays, 2.0) // of 2, 7, 1, 2
		check("ratings", [3]int{got.Satisfied, got.Basic, got.Unsatisfied}, [3]int{1, 1, 0})

		// The bureau: both schools, by name, and their sum.
		all, err := f.db.BureauReportFigures(ctx, f.bureau.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 {
			t.Fatalf("bureau: %d schools, want 2", len(all))
		}
		byName := map[string]store.ReportFigures{}
		for _, s := range all {
			byName[s.Name] = s
		}
		kw := byName["开物小学"]
		check("kaiwu published", kw.Published, 1)
		check("kaiwu opinion", kw.Feedback[gongkai.KindOpinion], store.FeedbackFigures{Received: 1, Open: 1})
		check("xiangqian in bureau", byName["祥谦小学"].Published, 5)
		sum := store.SumReportFigures(all)
		check("sum published", sum.Published, 6)
		check("sum finance", sum.ByCategory["finance"], 3)
		check("sum feedback", sum.FeedbackTotal(), store.FeedbackFigures{Received: 7, Answered: 4, OnTime: 3, Open: 3, Escalated: 1})
		check("sum median", sum.MedianReplyDays, 2.0)
		sob := sum.Obligations
		sob.FirstOverdue = 0
		check("sum obligations", sob, store.PeriodFigures{OnTime: 1, Late: 1, Overdue: 1, Waived: 1, Pending: 1})

		// Last year holds only what happened then.
		last, err := f.db.SchoolReportFigures(ctx, f.school.ID, bjDay("2025-01-01"), bjDay("2025-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		lob := last.Obligations
		lob.FirstOverdue = 0
		check("2025 published", last.Published, 1)
		check("2025 obligations", lob, store.PeriodFigures{Overdue: 1})
		check("2025 feedback", last.FeedbackTotal(), store.FeedbackFigures{Received: 1, Answered: 1, OnTime: 1})

		// A term: the spring term of 2026 (February–July).
		spring, err := f.db.SchoolReportFigures(ctx, f.school.ID, bjDay("2026-02-01"), bjDay("2026-07-31"))
		if err != nil {
			t.Fatal(err)
		}
		sob = spring.Obligations
		sob.FirstOverdue = 0
		check("spring published", spring.Published, 4)
		check("spring obligations", sob, store.PeriodFigures{OnTime: 1})
		check("spring feedback", spring.FeedbackTotal(), store.FeedbackFigures{Received: 2, Answered: 2, OnTime: 1})

		if _, err := f.db.SchoolReportFigures(ctx, 99999, from, to); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("unknown school: %v, want ENOTFOUND", err)
		}
	})
}

func equalAny(a, b any) bool {
	switch x := a.(type) {
	case map[string]int:
		y := b.(map[string]int)
		return mapsEqual(x, y)
	case map[gongkai.Audience]int:
		return mapsEqual(x, b.(map[gongkai.Audience]int))
	case map[gongkai.Channel]int:
		return mapsEqual(x, b.(map[gongkai.Channel]int))
	}
	return a == b
}

func mapsEqual[K comparable](a, b map[K]int) bool {
	for k, v := range a {
		if v != 0 && b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// TestAnnualReport_textAndPublish: the principal writes the paragraphs and
// publishes the report as one draft disclosure; nobody else may; a second
// publication is refused while the first stands.
func TestAnnualReport_textAndPublish(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		f.now = bjDay("2026-11-25").Add(10 * time.Hour)
		principal := f.actors[gongkai.RolePrincipal]
		r, err := f.db.FindAnnualReport(ctx, f.school.ID, 2026)
		if err != nil || r.Summary != "" || r.DisclosureID != 0 {
			t.Fatalf("empty report: %+v %v", r, err)
		}
		text := gongkai.ReportText{Summary: "  本年度公开工作总体平稳。 ", Problems: "月报偶有延迟。", Other: "无。"}
		for _, who := range []gongkai.Role{gongkai.RoleLeader, gongkai.RoleSupervisor, gongkai.RoleClerk} {
			if err := f.db.SaveReportText(ctx, f.school.ID, f.actors[who], 2026, text); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
				t.Errorf("%s saves text: %v, want EFORBIDDEN", who, err)
			}
		}
		bad := gongkai.ReportText{Summary: strings.Repeat("长", gongkai.MaxReportParagraph+1), Other: "<script>alert(1)</script>"}
		err = f.db.SaveReportText(ctx, f.school.ID, principal, 2026, bad)
		if fe := gongkai.ErrorFields(err); gongkai.ErrorCode(err) != gongkai.EINVALID || fe["summary"] == "" || fe["other"] == "" || fe["problems"] != "" {
			t.Errorf("bad text: %v", err)
		}
		if err := f.db.SaveReportText(ctx, f.school.ID, principal, 2027, text); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("next year's report: %v, want ENOTFOUND", err)
		}
		if err := f.db.SaveReportText(ctx, f.school.ID, principal, 2026, text); err != nil {
			t.Fatal(err)
		}
		r, err = f.db.FindAnnualReport(ctx, f.school.ID, 2026)
		if err != nil || r.Summary != "本年度公开工作总体平稳。" || r.Problems != "月报偶有延迟。" || r.UpdatedByName != principal.DisplayName {
			t.Fatalf("saved report: %+v %v", r, err)
		}
		if other, _ := f.db.FindAnnualReport(ctx, f.other.ID, 2026); other.Summary != "" {
			t.Errorf("another school sees the text: %+v", other)
		}

		d := &gongkai.Disclosure{Title: gongkai.ReportTitle(f.school.Name, 2026), Body: "## 一、总体情况\n\n正文。", Category: "other", Audience: gongkai.AudiencePublic,
			Channels: []gongkai.Channel{"online"}}
		if err := f.db.PublishReport(ctx, f.school.ID, f.actors[gongkai.RoleClerk], 2026, d); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("clerk publishes: %v", err)
		}
		if err := f.db.PublishReport(ctx, f.school.ID, principal, 2026, d); err != nil {
			t.Fatal(err)
		}
		got, err := f.db.FindDisclosureByID(ctx, f.school.ID, d.ID)
		if err != nil || got.State != gongkai.StateDraft || got.Title != "祥谦小学2026年度校务公开工作年度报告" || got.Audience != gongkai.AudiencePublic || !strings.Contains(got.Body, "总体情况") {
			t.Fatalf("draft: %+v %v", got, err)
		}
		r, _ = f.db.FindAnnualReport(ctx, f.school.ID, 2026)
		if r.DisclosureID != d.ID || r.DisclosureState != gongkai.StateDraft || r.Summary == "" {
			t.Errorf("report after publishing: %+v", r)
		}
		again := &gongkai.Disclosure{Title: d.Title, Body: "x", Category: "other", Audience: gongkai.AudiencePublic}
		if err := f.db.PublishReport(ctx, f.school.ID, principal, 2026, again); gongkai.ErrorCode(err) != gongkai.ECONFLICT || again.ID != 0 {
			t.Errorf("second publication: %v (id %d), want ECONFLICT and no new item", err, again.ID)
		}
		// A report of another year is its own.
		y25 := &gongkai.Disclosure{Title: gongkai.ReportTitle(f.school.Name, 2025), Body: "x", Category: "other", Audience: gongkai.AudiencePublic}
		if err := f.db.PublishReport(ctx, f.school.ID, principal, 2025, y25); err != nil {
			t.Fatal(err)
		}
		if r25, _ := f.db.FindAnnualReport(ctx, f.school.ID, 2025); r25.DisclosureID != y25.ID || r25.Summary != "" {
			t.Errorf("2025 report: %+v", r25)
		}
	})
}
