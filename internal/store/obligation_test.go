package store_test

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func bjDay(s string) time.Time {
	d, err := time.ParseInLocation("2006-01-02", s, gongkai.Beijing)
	if err != nil {
		panic(err)
	}
	return d
}

// publishFor publishes an item of the catalogue item at f.now, optionally
// for a chosen obligation.
func (f *fixture) publishFor(t *testing.T, code, title string, obligation int64) *gongkai.Disclosure {
	t.Helper()
	ctx := context.Background()
	d := &gongkai.Disclosure{Title: title, Body: "现将" + title + "公布如下。", CatalogueCode: code, Category: "finance",
		Audience: gongkai.AudiencePublic, PublicityDays: 5, Channels: []gongkai.Channel{"online"}}
	if err := f.db.CreateDisclosure(ctx, f.school.ID, f.actors[gongkai.RoleClerk], d); err != nil {
		t.Fatal(err)
	}
	if obligation != 0 {
		if err := f.db.SetDisclosureObligation(ctx, f.school.ID, d.ID, obligation); err != nil {
			t.Fatal(err)
		}
	}
	f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
	f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
	f.act(t, d.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
	return f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")
}

func obligationsOf(t *testing.T, f *fixture, code string) []*gongkai.Obligation {
	t.Helper()
	obs, err := f.db.FindObligations(context.Background(), f.school.ID, store.ObligationFilter{CatalogueCode: code})
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

func TestObligations_generation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		n, err := f.db.EnsureObligations(ctx, f.school.ID, bjDay("2026-01-01"), bjDay("2026-12-31"))
		if err != nil || n == 0 {
			t.Fatalf("ensure: %d, %v", n, err)
		}
		again, err := f.db.EnsureObligations(ctx, f.school.ID, bjDay("2026-01-01"), bjDay("2026-12-31"))
		if err != nil || again != 0 {
			t.Fatalf("ensure again: %d created, %v; want none", again, err)
		}
		monthly := obligationsOf(t, f, "monthly-finance")
		if len(monthly) != 12 {
			t.Fatalf("%d monthly statements due in 2026, want 12", len(monthly))
		}
		due := map[string]string{}
		for _, o := range monthly {
			due[o.PeriodKey] = o.Due.Format("2006-01-02")
		}
		for period, want := range map[string]string{
			"2025-12": "2026-01-05", // Monday
			"2026-01": "2026-02-05",
			"2026-09": "2026-10-08", // the 5th falls in the National Day holiday
			"2026-11": "2026-12-07", // the 5th is a Saturday
		} {
			if due[period] != want {
				t.Errorf("statement of %s due %q, want %s", period, due[period], want)
			}
		}
		// The other school has none; the window bounds hold.
		other, err := f.db.FindObligations(ctx, f.other.ID, store.ObligationFilter{})
		if err != nil || len(other) != 0 {
			t.Fatalf("other school: %d obligations, %v", len(other), err)
		}
		march, err := f.db.FindObligations(ctx, f.school.ID, store.ObligationFilter{From: bjDay("2026-03-01"), To: bjDay("2026-03-31")})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range march {
			if o.Due.Month() != time.March {
				t.Errorf("%s %s due %s outside March", o.CatalogueCode, o.PeriodKey, o.Due.Format("2006-01-02"))
			}
		}
		if len(march) < 2 { // the February statement and the budget
			t.Errorf("%d obligations in March, want the statement and the budget", len(march))
		}
	})
}

func TestObligations_events(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		clerk := f.actors[gongkai.RoleClerk]
		tests := []struct {
			name   string
			actor  *gongkai.Actor
			code   string
			title  string
			date   string
			amount int64
			code2  string
			field  string
		}{
			{"below 3000 yuan", clerk, "large-expense", "购置打印机", "2026-02-27", 299999, gongkai.EINVALID, "amount"},
			{"a teacher may not", f.actors[gongkai.RoleStaff], "large-expense", "购置课桌椅", "2026-02-27", 500000, gongkai.EFORBIDDEN, ""},
			{"not an event item", clerk, "monthly-finance", "二月报表", "2026-02-27", 0, gongkai.EINVALID, "catalogue"},
			{"in the future", clerk, "student-awards", "三好学生评定", "2026-03-09", 0, gongkai.EINVALID, "date"},
			{"no title", clerk, "student-awards", " ", "2026-02-27", 0, gongkai.EINVALID, "title"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.db.RecordEvent(ctx, f.school.ID, tt.actor, tt.code, tt.title, bjDay(tt.date), tt.amount)
				if gongkai.ErrorCode(err) != tt.code2 {
					t.Fatalf("err %v, want %s", err, tt.code2)
				}
				if tt.field != "" && gongkai.ErrorFields(err)[tt.field] == "" {
					t.Fatalf("no message for %s: %v", tt.field, gongkai.ErrorFields(err))
				}
			})
		}
		// 3,000 yuan exactly is a large expense; due 20 working days after
		// Friday 2026-02-27: Saturday 02-28 is worked in lieu (调休), then
		// March 2–26 holds the other 19.
		o, err := f.db.RecordEvent(ctx, f.school.ID, clerk, "large-expense", "购置课桌椅", bjDay("2026-02-27"), LargeExpense)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Due.Format("2006-01-02"); got != "2026-03-26" {
			t.Errorf("due %s, want 2026-03-26", got)
		}
		if o.EventTitle != "购置课桌椅" || o.EventAmountFen != LargeExpense || o.State != gongkai.ObUpcoming {
			t.Errorf("obligation %+v", o)
		}
	})
}

const LargeExpense = store.LargeExpenseFen

func TestObligations_meetingAtTheBoundary(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		if _, err := f.db.EnsureObligations(ctx, f.school.ID, bjDay("2026-03-01"), bjDay("2026-06-30")); err != nil {
			t.Fatal(err)
		}
		obs := obligationsOf(t, f, "monthly-finance") // February, March, April, May statements
		if len(obs) != 4 || obs[0].PeriodKey != "2026-02" || obs[0].Due.Format("2006-01-02") != "2026-03-05" {
			t.Fatalf("statements %d, first %+v", len(obs), obs[0])
		}
		if obs[0].State != gongkai.ObDueSoon || obs[1].State != gongkai.ObUpcoming {
			t.Fatalf("on 03-02: %s, %s; want due soon, upcoming", obs[0].State, obs[1].State)
		}
		// February's, published late in the evening of its due day: on time.
		f.now = time.Date(2026, 3, 5, 23, 30, 0, 0, gongkai.Beijing)
		feb := f.publishFor(t, "monthly-finance", "关于2026年2月份财务收支情况的公示", 0)
		// March's, due 04-07 (the 5th is Sunday, the 6th 清明 in lieu), published the day after.
		if obs[1].Due.Format("2006-01-02") != "2026-04-07" {
			t.Fatalf("March statement due %s", obs[1].Due.Format("2006-01-02"))
		}
		f.now = time.Date(2026, 4, 8, 0, 5, 0, 0, gongkai.Beijing)
		mar := f.publishFor(t, "monthly-finance", "关于2026年3月份财务收支情况的公示", 0)
		// May's, chosen on the form ahead of April's.
		may := f.publishFor(t, "monthly-finance", "关于2026年5月份财务收支情况的公示", obs[3].ID)

		obs = obligationsOf(t, f, "monthly-finance")
		want := []struct {
			state gongkai.ObligationState
			by    int64
		}{{gongkai.ObOnTime, feb.ID}, {gongkai.ObLate, mar.ID}, {gongkai.ObUpcoming, 0}, {gongkai.ObOnTime, may.ID}}
		for i, w := range want {
			if obs[i].State != w.state || obs[i].DisclosureID != w.by {
				t.Errorf("%s: %s by %d, want %s by %d", obs[i].PeriodKey, obs[i].State, obs[i].DisclosureID, w.state, w.by)
			}
		}
		// Publishing again (a revision) does not meet another one.
		f.revise(t, feb.ID, "更正金额", &store.Revision{Title: feb.Title, Body: "更正后的内容。"})
		if obs := obligationsOf(t, f, "monthly-finance"); obs[2].DisclosureID != 0 {
			t.Errorf("the revision met April's statement")
		}
		// A chosen obligation of another item is refused.
		d := f.draft(t, "其他")
		if err := f.db.SetDisclosureObligation(ctx, f.school.ID, d.ID, obs[2].ID); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Errorf("obligation of another item: %v", err)
		}
	})
}

func TestObligations_waiveAndRemind(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		if _, err := f.db.EnsureObligations(ctx, f.school.ID, bjDay("2026-03-01"), bjDay("2026-04-30")); err != nil {
			t.Fatal(err)
		}
		feb := obligationsOf(t, f, "monthly-finance")[0]
		budget := obligationsOf(t, f, "budget")[0]
		if err := f.db.WaiveObligation(ctx, f.school.ID, budget.ID, f.actors[gongkai.RoleClerk], "理由"); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("clerk waives: %v", err)
		}
		if err := f.db.WaiveObligation(ctx, f.school.ID, budget.ID, f.actors[gongkai.RolePrincipal], "  "); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Errorf("no reason: %v", err)
		}
		if err := f.db.WaiveObligation(ctx, f.other.ID, budget.ID, f.outsider, "外校"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("another school's principal: %v", err)
		}
		if err := f.db.WaiveObligation(ctx, f.school.ID, budget.ID, f.actors[gongkai.RolePrincipal], "预算已随县教育局统一公开"); err != nil {
			t.Fatal(err)
		}
		b, err := f.db.FindObligation(ctx, f.school.ID, budget.ID)
		if err != nil || b.State != gongkai.ObWaived || b.WaiveReason != "预算已随县教育局统一公开" || b.WaivedByName != "校长甲" || b.WaivedAt.IsZero() {
			t.Fatalf("waived: %+v %v", b, err)
		}

		// 03-02: February's statement is due soon: the clerks hear once.
		start := f.now
		n, err := f.db.RemindObligations(ctx)
		if err != nil || n != 1 {
			t.Fatalf("reminders on 03-02: %d, %v; want 1", n, err)
		}
		if n, _ := f.db.RemindObligations(ctx); n != 0 {
			t.Fatalf("reminded again: %d", n)
		}
		// 03-06: overdue, the principal hears once.
		f.now = time.Date(2026, 3, 6, 9, 0, 0, 0, gongkai.Beijing)
		if n, err := f.db.RemindObligations(ctx); err != nil || n != 1 {
			t.Fatalf("reminders on 03-06: %d, %v; want 1", n, err)
		}
		evs, err := f.db.FindEvents(ctx, f.school.ID, start, gongkai.EventObligationDueSoon, gongkai.EventObligationOverdue)
		if err != nil || len(evs) != 2 || evs[0].Subject != feb.ID || evs[0].Type != gongkai.EventObligationDueSoon || evs[1].Type != gongkai.EventObligationOverdue {
			t.Fatalf("events %v %v", evs, err)
		}
		overdue, err := f.db.FindObligations(ctx, f.school.ID, store.ObligationFilter{States: []gongkai.ObligationState{gongkai.ObOverdue}})
		if err != nil || len(overdue) != 1 || overdue[0].ID != feb.ID || overdue[0].Workdays != 1 {
			t.Fatalf("overdue %v %v", overdue, err)
		}
	})
}
