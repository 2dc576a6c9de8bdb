package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// TestCalendarEdit_recountsOpenDeadlines: an administrator makes Wednesday
// 2026-03-04 a day off. Every open deadline counted over it moves one
// working day in the same transaction, each with a line in its trail and
// the edit in the admin log; closed ones stay as they were.
func TestCalendarEdit_recountsOpenDeadlines(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustOrderFixture(t, dsn) // Monday 2026-03-02 10:00
		clerk, principal := f.actors[gongkai.RoleClerk], f.actors[gongkai.RolePrincipal]
		date := func(s string) time.Time {
			d, err := time.ParseInLocation("2006-01-02", s, gongkai.Beijing)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}

		// Open: an expense of today, due 20 working days later (03-30);
		// closed: one waived.
		ob, err := f.db.RecordEvent(ctx, f.school.ID, clerk, "large-expense", "购置课桌椅", f.now, 1200000)
		mustNot(t, err)
		waived, err := f.db.RecordEvent(ctx, f.school.ID, clerk, "large-expense", "维修围墙", f.now, 800000)
		mustNot(t, err)
		mustNot(t, f.db.WaiveObligation(ctx, f.school.ID, waived.ID, principal, "已并入年度预算公开"))
		// The February statement is due on Thursday 03-05, by the calendar
		// of the catalogue ("by the 5th").
		_, err = f.db.EnsureObligations(ctx, f.school.ID, date("2026-03-05"), date("2026-03-05"))
		mustNot(t, err)
		monthly := findObligation(t, f, "monthly-finance", "2026-02")
		if got := day(monthly.Due); got != "2026-03-05" {
			t.Fatalf("February statement due %s, want 2026-03-05", got)
		}

		// Open: an opinion of today, due in 5 working days (03-09); closed:
		// one declined.
		open, _ := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "建议增加图书角", Body: "希望每个班级都设图书角。"})
		declined, _ := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "食堂菜价", Body: "请公开食堂菜价。"})
		f.handle(t, declined.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActDecline, Comment: "食堂菜价已于上月公开，请查阅公开栏。"})

		// In its period: published today for 5 working days (to 03-06);
		// withdrawn: no period any more.
		item := f.publish(t, "2026年春季学期助学金名单")
		withdrawn := f.publish(t, "2026年春季学期收费标准")
		f.act(t, withdrawn.ID, gongkai.RolePrincipal, gongkai.ActionWithdraw, "标准有误")
		if day(item.PublicityEnd) != "2026-03-06" {
			t.Fatalf("period ends %s, want 2026-03-06", day(item.PublicityEnd))
		}

		// Open: an order with 10 working days (03-16); closed: one accepted.
		order := f.issue(t, gongkai.OrderIssue{Workdays: 10})[0]
		done := f.issue(t, gongkai.OrderIssue{Workdays: 10})[0]
		f.step(t, done, principal, gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已公开。"})
		done = f.step(t, done, f.admin, gongkai.OrderCommand{Action: gongkai.OActAccept})

		// Neither a school's staff nor another bureau's inspector edits the
		// calendar.
		for _, a := range []*gongkai.Actor{principal, f.inspector} {
			if _, err := f.db.SetCalendarDay(ctx, "CN", a, gongkai.CalendarDay{Date: "2026-03-04", Kind: gongkai.DayHoliday, Name: "地方假日"}); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
				t.Errorf("%s edits the calendar: %v", a.DisplayName, err)
			}
		}

		edit, err := f.db.SetCalendarDay(ctx, "CN", f.admin, gongkai.CalendarDay{Date: "2026-03-04", Kind: gongkai.DayHoliday, Name: "地方假日"})
		mustNot(t, err)
		if edit.Moved != 4 {
			t.Errorf("moved %d deadlines, want 4 (obligation, case, period, order): %+v", edit.Moved, edit)
		}

		gotOb, err := f.db.FindObligation(ctx, f.school.ID, ob.ID)
		mustNot(t, err)
		if day(gotOb.Due) != "2026-03-31" {
			t.Errorf("expense obligation due %s, want 2026-03-31", day(gotOb.Due))
		}
		if got := findObligation(t, f, "monthly-finance", "2026-02"); day(got.Due) != "2026-03-05" {
			t.Errorf("February statement due %s; a day off before the 5th does not move it", day(got.Due))
		}
		gotWaived, err := f.db.FindObligation(ctx, f.school.ID, waived.ID)
		mustNot(t, err)
		if day(gotWaived.Due) != day(waived.Due) {
			t.Errorf("waived obligation moved from %s to %s", day(waived.Due), day(gotWaived.Due))
		}

		gotCase, err := f.db.FindFeedbackByID(ctx, f.school.ID, open.ID)
		mustNot(t, err)
		if day(gotCase.Due) != "2026-03-10" {
			t.Errorf("case due %s, want 2026-03-10", day(gotCase.Due))
		}
		last := gotCase.Messages[len(gotCase.Messages)-1]
		if last.Action != gongkai.FActRecount || last.Internal || !strings.Contains(last.Body, "答复期限由2026年3月9日改为2026年3月10日") {
			t.Errorf("case thread ends with %+v", last)
		}
		gotDeclined, err := f.db.FindFeedbackByID(ctx, f.school.ID, declined.ID)
		mustNot(t, err)
		if day(gotDeclined.Due) != day(declined.Due) || len(gotDeclined.Messages) != 2 {
			t.Errorf("declined case: due %s (was %s), %d messages", day(gotDeclined.Due), day(declined.Due), len(gotDeclined.Messages))
		}

		gotItem, err := f.db.FindDisclosureByID(ctx, f.school.ID, item.ID)
		mustNot(t, err)
		if day(gotItem.PublicityEnd) != "2026-03-09" || gotItem.EndProvisional {
			t.Errorf("period ends %s (provisional %v), want 2026-03-09", day(gotItem.PublicityEnd), gotItem.EndProvisional)
		}
		ev := gotItem.Trail[len(gotItem.Trail)-1]
		if ev.Action != gongkai.ActionRecount || ev.From != gongkai.StatePublished || ev.To != gongkai.StatePublished ||
			!strings.Contains(ev.Comment, "公示期截止日由2026年3月6日改为2026年3月9日") {
			t.Errorf("item trail ends with %+v", ev)
		}
		gotWithdrawn, err := f.db.FindDisclosureByID(ctx, f.school.ID, withdrawn.ID)
		mustNot(t, err)
		if gotWithdrawn.Trail[len(gotWithdrawn.Trail)-1].Action == gongkai.ActionRecount {
			t.Error("a withdrawn item's period was counted again")
		}

		gotOrder, err := f.db.FindOrderByID(ctx, f.school.ID, order.ID)
		mustNot(t, err)
		if day(gotOrder.Deadline) != "2026-03-17" {
			t.Errorf("order deadline %s, want 2026-03-17", day(gotOrder.Deadline))
		}
		step := gotOrder.Trail[len(gotOrder.Trail)-1]
		if step.Action != gongkai.OActRecount || day(step.Deadline) != "2026-03-17" || !strings.Contains(step.Comment, "办理期限由2026年3月16日改为2026年3月17日") {
			t.Errorf("order trail ends with %+v", step)
		}
		gotDone, err := f.db.FindOrderByID(ctx, f.school.ID, done.ID)
		mustNot(t, err)
		if day(gotDone.Deadline) != day(done.Deadline) || len(gotDone.Trail) != len(done.Trail) {
			t.Errorf("accepted order: deadline %s (was %s), %d steps (was %d)", day(gotDone.Deadline), day(done.Deadline), len(gotDone.Trail), len(done.Trail))
		}

		log, _, err := f.db.FindAdminLog(ctx, store.AdminLogFilter{BureauID: f.bureau.ID, Action: gongkai.AdminCalendarEdited})
		mustNot(t, err)
		if len(log) != 1 || log[0].Subject != "2026-03-04" || log[0].ActorID != f.admin.ID ||
			log[0].Detail != "2026-03-04 普通日 → 放假（地方假日）；重算期限 4 项" {
			t.Errorf("admin log %+v", log)
		}

		// The 5th itself off moves the statement to Friday; removing both
		// days puts every deadline back.
		_, err = f.db.SetCalendarDay(ctx, "CN", f.admin, gongkai.CalendarDay{Date: "2026-03-05", Kind: gongkai.DayHoliday, Name: "地方假日"})
		mustNot(t, err)
		if got := findObligation(t, f, "monthly-finance", "2026-02"); day(got.Due) != "2026-03-06" {
			t.Errorf("February statement due %s, want 2026-03-06", day(got.Due))
		}
		for _, d := range []string{"2026-03-05", "2026-03-04"} {
			_, err = f.db.SetCalendarDay(ctx, "CN", f.admin, gongkai.CalendarDay{Date: d})
			mustNot(t, err)
		}
		gotOb, _ = f.db.FindObligation(ctx, f.school.ID, ob.ID)
		gotCase, _ = f.db.FindFeedbackByID(ctx, f.school.ID, open.ID)
		gotItem, _ = f.db.FindDisclosureByID(ctx, f.school.ID, item.ID)
		gotOrder, _ = f.db.FindOrderByID(ctx, f.school.ID, order.ID)
		if got := []string{day(gotOb.Due), day(findObligation(t, f, "monthly-finance", "2026-02").Due), day(gotCase.Due), day(gotItem.PublicityEnd), day(gotOrder.Deadline)}; strings.Join(got, " ") != "2026-03-30 2026-03-05 2026-03-09 2026-03-06 2026-03-16" {
			t.Errorf("after removing both days: %v", got)
		}
		log, _, err = f.db.FindAdminLog(ctx, store.AdminLogFilter{BureauID: f.bureau.ID, Action: gongkai.AdminCalendarEdited})
		mustNot(t, err)
		if len(log) != 4 || log[0].Detail != "2026-03-04 放假（地方假日） → 普通日；重算期限 4 项" {
			t.Errorf("admin log after removal: %+v", log)
		}

		// A chosen date stays: the case assigned with a due date of its own.
		assigned, _ := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "校门口交通", Body: "放学时校门口拥堵。"})
		f.handle(t, assigned.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: 0, AssigneeID: f.actors[gongkai.RoleClerk].ID, Due: date("2026-03-12")})
		_, err = f.db.SetCalendarDay(ctx, "CN", f.admin, gongkai.CalendarDay{Date: "2026-03-12", Kind: gongkai.DayHoliday, Name: "地方假日"})
		mustNot(t, err)
		if got, _ := f.db.FindFeedbackByID(ctx, f.school.ID, assigned.ID); day(got.Due) != "2026-03-12" {
			t.Errorf("a due date chosen by the principal moved to %s", day(got.Due))
		}
	})
}

func findObligation(t *testing.T, f *orderFixture, code, period string) *gongkai.Obligation {
	t.Helper()
	obs, err := f.db.FindObligations(context.Background(), f.school.ID, store.ObligationFilter{CatalogueCode: code})
	mustNot(t, err)
	for _, o := range obs {
		if o.PeriodKey == period {
			return o
		}
	}
	t.Fatalf("no obligation %s %s", code, period)
	return nil
}

func mustNot(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// TestSeedCalendar_newYearRecounts: a database that knew the holidays up to
// 2026 gets 2027 from a newer lunar-go at start; an order counted into 2027
// moves from the days presumed then to the days the notice gives (the 调休
// Sundays 01-31 and 02-14 worked, the Spring Festival off), with a line in
// its trail.
func TestSeedCalendar_newYearRecounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		now := time.Date(2026, 12, 28, 10, 0, 0, 0, gongkai.Beijing) // a Monday
		db.Now = func() time.Time { return now }
		days, years := calendar.Seed()
		var oldDays []gongkai.CalendarDay
		for _, d := range days {
			if d.Date < "2027" {
				oldDays = append(oldDays, d)
			}
		}
		oldYears := slices.DeleteFunc(slices.Clone(years), func(y int) bool { return y >= 2027 })
		mustNot(t, db.SeedCalendar(ctx, "CN", oldDays, oldYears))
		bureau := &gongkai.Bureau{Name: "青禾县教育局"}
		mustNot(t, db.CreateBureau(ctx, bureau))
		school := &gongkai.School{BureauID: bureau.ID, Slug: "xiangqian", Name: "祥谦小学", Code: "3501210001"}
		mustNot(t, db.CreateSchool(ctx, school, nil))
		u := &gongkai.User{Username: "ju-admin", DisplayName: "管理员乙", BureauID: bureau.ID, BureauRole: gongkai.RoleBureauAdmin}
		mustNot(t, db.CreateUser(ctx, u, "x"))
		admin, err := db.LoadActor(ctx, u.ID)
		mustNot(t, err)
		orders, err := db.IssueOrders(ctx, bureau.ID, admin, gongkai.OrderIssue{Kind: gongkai.OrderUrge, Title: "关于督促公开寒假安排的通知",
			Body: "请于期限内公开寒假安排。", Workdays: 30, SchoolIDs: []int64{school.ID}})
		mustNot(t, err)
		if got := day(orders[0].Deadline); got != "2027-02-09" {
			t.Fatalf("deadline before 2027 is known: %s, want 2027-02-09", got)
		}

		mustNot(t, db.SeedCalendar(ctx, "CN", days, years))
		o, err := db.FindOrderByID(ctx, school.ID, orders[0].ID)
		mustNot(t, err)
		if got := day(o.Deadline); got != "2027-02-15" {
			t.Errorf("deadline after 2027 was seeded: %s, want 2027-02-15", got)
		}
		step := o.Trail[len(o.Trail)-1]
		if step.Action != gongkai.OActRecount || !strings.Contains(step.Comment, "因载入2027年节假日安排，办理期限由2027年2月9日改为2027年2月15日") {
			t.Errorf("trail ends with %+v", step)
		}
		// Seeding again changes nothing.
		mustNot(t, db.SeedCalendar(ctx, "CN", days, years))
		if again, _ := db.FindOrderByID(ctx, school.ID, o.ID); len(again.Trail) != len(o.Trail) {
			t.Errorf("a second seed wrote %d more steps", len(again.Trail)-len(o.Trail))
		}
	})
}

// TestCalendarEdit_everyNode: two nodes on one PostgreSQL database. When
// one node's administrator edits the calendar or marks a year complete,
// the other node counts with the new calendar at once, not with the one
// it had in memory.
func TestCalendarEdit_everyNode(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustOrderFixture(t, dsn)
		if f.db.Dialect() != "postgres" {
			t.Skip("one node on SQLite")
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		other := mustOpen(t, dsn)
		listening := make(chan struct{})
		var once sync.Once
		other.OnChange(func(int64) { once.Do(func() { close(listening) }) }) // Listen reports 0 once it listens
		go other.Listen(ctx)
		<-listening

		// eventually waits until the other node's calendar says ok.
		eventually := func(what string, ok func(c *gongkai.WorkCalendar) bool) {
			t.Helper()
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				c, err := other.Calendar(ctx, "CN")
				mustNot(t, err)
				if ok(c) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("the other node still has the old calendar: %s", what)
				}
			}
		}
		wed := time.Date(2026, 3, 4, 0, 0, 0, 0, gongkai.Beijing)
		eventually("before", func(c *gongkai.WorkCalendar) bool { return c.IsWorkday(wed) }) // cached now
		_, err := f.db.SetCalendarDay(ctx, "CN", f.admin, gongkai.CalendarDay{Date: "2026-03-04", Kind: gongkai.DayHoliday, Name: "地方假日"})
		mustNot(t, err)
		eventually("2026-03-04 made a day off", func(c *gongkai.WorkCalendar) bool { return !c.IsWorkday(wed) })

		eventually("before", func(c *gongkai.WorkCalendar) bool { return !c.HasYear(2099) })
		_, err = f.db.MarkCalendarYear(ctx, "CN", f.admin, 2099)
		mustNot(t, err)
		eventually("2099 marked complete", func(c *gongkai.WorkCalendar) bool { return c.HasYear(2099) })
	})
}
