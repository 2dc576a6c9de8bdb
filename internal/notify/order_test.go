package notify

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/testdb"
)

// TestDispatch_Orders: the principal hears of an order when it is issued
// and returned, and once a day while it is overdue; the bureau's
// administrator hears of the answer. In the app and by e-mail.
func TestDispatch_Orders(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		admin, err := f.db.LoadActor(ctx, f.admin.ID)
		must(t, err)
		count := func(addr, prefix string) int {
			n := 0
			for _, m := range f.smtp.to(addr) {
				if strings.HasPrefix(m.Subject, prefix) {
					n++
				}
			}
			return n
		}
		// Issued Monday 03-02, due Friday 03-06.
		orders, err := f.db.IssueOrders(ctx, f.school.BureauID, admin, gongkai.OrderIssue{Kind: gongkai.OrderUrge, Title: "关于督促公开2月份财务收支情况的通知",
			Body: "请公开。", Deadline: time.Date(2026, 3, 6, 0, 0, 0, 0, gongkai.Beijing), SchoolIDs: []int64{f.school.ID}})
		must(t, err)
		o := orders[0]
		f.drain()
		issued := "教育局督办通知：关于督促公开2月份财务收支情况的通知"
		if count(email(gongkai.RolePrincipal), issued) != 1 || count(email(gongkai.RoleLeader), "") != 0 {
			t.Fatalf("issued: principal %d, leader %d; mails %v", count(email(gongkai.RolePrincipal), issued), count(email(gongkai.RoleLeader), ""), subjects(f.smtp.all()))
		}
		items, _, _, err := f.db.FindNotifications(ctx, f.users[gongkai.RolePrincipal].ID, 1)
		must(t, err)
		if len(items) != 1 || items[0].Link != "/s/xq/orders/"+strconv.FormatInt(o.ID, 10) || !strings.Contains(items[0].Body, "剩余 4 个工作日") {
			t.Fatalf("principal's notices: %+v", items)
		}
		// Overdue from Saturday 03-07: one reminder a day, however often the
		// sweep runs.
		f.setNow(time.Date(2026, 3, 7, 9, 0, 0, 0, gongkai.Beijing))
		for i := 0; i < 3; i++ {
			must(t, f.d.Sweep(ctx))
			f.drain()
			f.advance(61 * time.Minute)
		}
		late := "督办通知已逾期未答复"
		if n := count(email(gongkai.RolePrincipal), late); n != 1 {
			t.Fatalf("overdue on 03-07: told %d times", n)
		}
		f.setNow(time.Date(2026, 3, 8, 9, 0, 0, 0, gongkai.Beijing))
		must(t, f.d.Sweep(ctx))
		f.drain()
		if n := count(email(gongkai.RolePrincipal), late); n != 2 {
			t.Fatalf("overdue on 03-08: told %d times in all, want 2", n)
		}
		// The answer goes to the bureau; a return back to the principal.
		_, err = f.db.StepOrder(ctx, f.school.ID, o.ID, f.actor(gongkai.RolePrincipal), gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已公开。"})
		must(t, err)
		f.drain()
		if n := count(f.admin.Email, "祥谦小学已答复督办通知"); n != 1 {
			t.Fatalf("answer: the administrator told %d times; mails %v", n, subjects(f.smtp.all()))
		}
		_, err = f.db.StepOrder(ctx, f.school.ID, o.ID, admin, gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请附公开事项链接。",
			Deadline: time.Date(2026, 3, 13, 0, 0, 0, 0, gongkai.Beijing)})
		must(t, err)
		f.drain()
		if n := count(email(gongkai.RolePrincipal), "督办通知被退回"); n != 1 {
			t.Fatalf("return: the principal told %d times", n)
		}
		// Answered again: the sweep no longer reminds.
		_, err = f.db.StepOrder(ctx, f.school.ID, o.ID, f.actor(gongkai.RolePrincipal), gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已补充。"})
		must(t, err)
		f.setNow(time.Date(2026, 3, 20, 9, 0, 0, 0, gongkai.Beijing))
		must(t, f.d.Sweep(ctx))
		f.drain()
		if n := count(email(gongkai.RolePrincipal), late); n != 2 {
			t.Fatalf("reminded after the answer: %d in all", n)
		}
	})
}

// TestDispatch_DueTextOnTheBureauCalendar: the time left in a notice is
// counted on the calendar of the school's bureau, with its local day off,
// not on the national one.
func TestDispatch_DueTextOnTheBureauCalendar(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		days, years := calendar.Seed()
		days = append(days, gongkai.CalendarDay{Date: "2026-03-04", Kind: gongkai.DayHoliday, Name: "地方假日"})
		must(t, f.db.SeedCalendar(ctx, "350199", days, years))
		bureau := &gongkai.Bureau{Name: "平川县教育局", RegionCode: "350199"}
		must(t, f.db.CreateBureau(ctx, bureau))
		school := &gongkai.School{BureauID: bureau.ID, Slug: "pc", Name: "平川小学", Code: "3501990001"}
		must(t, f.db.CreateSchool(ctx, school, nil))
		principal := &gongkai.User{Username: "pc.principal", DisplayName: "校长乙", Email: "principal@pc.example.cn"}
		must(t, f.db.CreateMember(ctx, school.ID, principal, "x", []gongkai.Role{gongkai.RolePrincipal}, 0))
		admin := &gongkai.User{Username: "pc.admin", DisplayName: "局管理员乙", BureauID: bureau.ID, BureauRole: gongkai.RoleBureauAdmin}
		must(t, f.db.CreateUser(ctx, admin, "x"))
		actor, err := f.db.LoadActor(ctx, admin.ID)
		must(t, err)
		// Issued Monday 03-02, due Friday 03-06: 4 working days on the
		// national calendar, 3 with Wednesday off.
		_, err = f.db.IssueOrders(ctx, bureau.ID, actor, gongkai.OrderIssue{Kind: gongkai.OrderUrge, Title: "关于督促公开的通知",
			Body: "请公开。", Deadline: time.Date(2026, 3, 6, 0, 0, 0, 0, gongkai.Beijing), SchoolIDs: []int64{school.ID}})
		must(t, err)
		f.drain()
		got := f.smtp.to("principal@pc.example.cn")
		if len(got) != 1 || !strings.Contains(got[0].Body, "剩余 3 个工作日") {
			t.Fatalf("the principal's mail does not count on the bureau's calendar: %q", subjects(got))
		}
	})
}
