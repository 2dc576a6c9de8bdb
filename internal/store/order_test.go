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

// orderFixture adds the bureau's users and a second bureau with a school
// and an administrator to the store fixture.
type orderFixture struct {
	*fixture
	admin, inspector, farAdmin *gongkai.Actor
	far                        *gongkai.School
}

func mustOrderFixture(t *testing.T, dsn string) *orderFixture {
	t.Helper()
	ctx := context.Background()
	f := &orderFixture{fixture: mustFixture(t, dsn)}
	user := func(name string, bureau int64, role gongkai.Role) *gongkai.Actor {
		u := &gongkai.User{Username: name, DisplayName: role.Label() + "乙", BureauID: bureau, BureauRole: role}
		if err := f.db.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
		a, err := f.db.LoadActor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	f.admin = user("ju-admin", f.bureau.ID, gongkai.RoleBureauAdmin)
	f.inspector = user("ju-inspector", f.bureau.ID, gongkai.RoleInspector)
	far := &gongkai.Bureau{Name: "平川市教育局"}
	if err := f.db.CreateBureau(ctx, far); err != nil {
		t.Fatal(err)
	}
	f.far = &gongkai.School{BureauID: far.ID, Slug: "yuanfang", Name: "远方小学", Code: "3501990001"}
	if err := f.db.CreateSchool(ctx, f.far, nil); err != nil {
		t.Fatal(err)
	}
	f.farAdmin = user("far-admin", far.ID, gongkai.RoleBureauAdmin)
	return f
}

func (f *orderFixture) issue(t *testing.T, in gongkai.OrderIssue) []*gongkai.Order {
	t.Helper()
	if in.Kind == "" {
		in.Kind = gongkai.OrderUrge
	}
	if in.Title == "" {
		in.Title = "关于督促公开2月份财务收支情况的通知"
	}
	if in.Body == "" {
		in.Body = "你校2月份财务收支情况至今未公开，请于期限内公开并报告。"
	}
	if len(in.SchoolIDs) == 0 {
		in.SchoolIDs = []int64{f.school.ID}
	}
	orders, err := f.db.IssueOrders(context.Background(), f.bureau.ID, f.admin, in)
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	return orders
}

func (f *orderFixture) step(t *testing.T, o *gongkai.Order, a *gongkai.Actor, in gongkai.OrderCommand) *gongkai.Order {
	t.Helper()
	got, err := f.db.StepOrder(context.Background(), o.SchoolID, o.ID, a, in)
	if err != nil {
		t.Fatalf("%s: %v", in.Action, err)
	}
	return got
}

func TestOrders_lifecycle(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustOrderFixture(t, dsn)
		// Ten working days from Monday 2026-03-02 is Monday 2026-03-16.
		orders := f.issue(t, gongkai.OrderIssue{Workdays: 10, SchoolIDs: []int64{f.school.ID, f.other.ID}})
		if len(orders) != 2 {
			t.Fatalf("%d orders, want one per school", len(orders))
		}
		o := orders[0]
		if o.Number != "青禾教督〔2026〕1号" || orders[1].Number != "青禾教督〔2026〕2号" {
			t.Errorf("numbers %q, %q", o.Number, orders[1].Number)
		}
		if got := o.Deadline.Format("2006-01-02"); got != "2026-03-16" {
			t.Errorf("deadline %s, want 2026-03-16", got)
		}
		if o.State != gongkai.OrderIssued || o.IssuedByName == "" || len(o.Trail) != 1 || o.Trail[0].Action != gongkai.OActIssue {
			t.Errorf("issued order: %+v", o)
		}
		// The inspector reads but does not accept; the leader does not answer.
		if _, err := f.db.StepOrder(ctx, o.SchoolID, o.ID, f.actors[gongkai.RoleLeader], gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已公开"}); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("leader answers: %v, want forbidden", err)
		}
		// An answer needs text; a disclosure of another school is refused.
		_, err := f.db.StepOrder(ctx, o.SchoolID, o.ID, f.actors[gongkai.RolePrincipal], gongkai.OrderCommand{Action: gongkai.OActAnswer})
		if gongkai.ErrorFields(err)["comment"] == "" {
			t.Errorf("empty answer: %v", err)
		}
		foreign := &gongkai.Disclosure{Title: "开物小学财务公示", Body: "内容", Category: "finance", Audience: gongkai.AudiencePublic, PublicityDays: 5}
		if err := f.db.CreateDisclosure(ctx, f.other.ID, f.outsider, foreign); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.StepOrder(ctx, o.SchoolID, o.ID, f.actors[gongkai.RolePrincipal], gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已公开", ResultID: foreign.ID})
		if gongkai.ErrorFields(err)["result_id"] == "" {
			t.Errorf("another school's disclosure as the result: %v", err)
		}
		if _, err := f.db.StepOrder(ctx, o.SchoolID, o.ID, f.admin, gongkai.OrderCommand{Action: gongkai.OActAccept}); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("accept before an answer: %v, want conflict", err)
		}
		result := f.draft(t, "2026年2月份财务收支情况")
		f.act(t, result.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, result.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		f.act(t, result.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
		f.act(t, result.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")
		o = f.step(t, o, f.actors[gongkai.RolePrincipal], gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已于3月3日公开。", ResultID: result.ID})
		if o.State != gongkai.OrderAnswered || o.ResultID != result.ID || o.ResultTitle == "" || o.Reply != "已于3月3日公开。" {
			t.Errorf("answered: %+v", o)
		}
		if _, err := f.db.StepOrder(ctx, o.SchoolID, o.ID, f.inspector, gongkai.OrderCommand{Action: gongkai.OActAccept}); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("inspector accepts: %v, want forbidden", err)
		}
		// A return needs its reason and may set a new deadline.
		if _, err := f.db.StepOrder(ctx, o.SchoolID, o.ID, f.admin, gongkai.OrderCommand{Action: gongkai.OActReturn}); gongkai.ErrorFields(err)["comment"] == "" {
			t.Errorf("return without a reason: %v", err)
		}
		if _, err := f.db.StepOrder(ctx, o.SchoolID, o.ID, f.admin, gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充", Deadline: bjDay("2026-03-01")}); gongkai.ErrorFields(err)["deadline"] == "" {
			t.Errorf("return with a past deadline: %v", err)
		}
		o = f.step(t, o, f.admin, gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充收支明细表。", Deadline: bjDay("2026-03-20")})
		if o.State != gongkai.OrderReturned || o.Deadline.Format("2006-01-02") != "2026-03-20" {
			t.Errorf("returned: %s %s", o.State, o.Deadline)
		}
		o = f.step(t, o, f.actors[gongkai.RolePrincipal], gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "明细表已补充。"})
		o = f.step(t, o, f.admin, gongkai.OrderCommand{Action: gongkai.OActAccept, Comment: "同意办结。"})
		if o.State != gongkai.OrderAccepted || o.ClosedAt.IsZero() {
			t.Errorf("accepted: %+v", o)
		}
		var trail []string
		for _, s := range o.Trail {
			trail = append(trail, string(s.Action)+":"+s.Author)
		}
		want := []string{"issue:教育局管理员乙", "answer:校长甲", "return:教育局管理员乙", "answer:校长甲", "accept:教育局管理员乙"}
		if len(trail) != len(want) {
			t.Fatalf("trail %v, want %v", trail, want)
		}
		for i := range want {
			if trail[i] != want[i] {
				t.Errorf("trail %v, want %v", trail, want)
				break
			}
		}
		if o.Trail[2].Comment != "请补充收支明细表。" || o.Trail[2].Deadline.Format("2006-01-02") != "2026-03-20" {
			t.Errorf("return step: %+v", o.Trail[2])
		}
		// Every event went to the outbox.
		evs, err := f.db.FindEvents(ctx, f.school.ID, f.now.Add(-time.Hour), gongkai.EventOrderIssued, gongkai.EventOrderAnswered, gongkai.EventOrderReturned, gongkai.EventOrderAccepted)
		if err != nil || len(evs) != 5 {
			t.Errorf("%d events (%v), want 5", len(evs), err)
		}
	})
}

func TestOrders_issueValidation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustOrderFixture(t, dsn)
		ok := gongkai.OrderIssue{Kind: gongkai.OrderRectify, Title: "关于整改食堂公示栏的通知", Body: "检查发现……", Workdays: 10, SchoolIDs: []int64{f.school.ID}}
		for _, tc := range []struct {
			name  string
			actor *gongkai.Actor
			edit  func(n *gongkai.OrderIssue)
			field string
			code  string
		}{
			{"no title", f.admin, func(n *gongkai.OrderIssue) { n.Title = "" }, "title", gongkai.EINVALID},
			{"past deadline", f.admin, func(n *gongkai.OrderIssue) { n.Deadline = bjDay("2026-03-01") }, "deadline", gongkai.EINVALID},
			{"no school", f.admin, func(n *gongkai.OrderIssue) { n.SchoolIDs = nil }, "schools", gongkai.EINVALID},
			{"another bureau's school", f.admin, func(n *gongkai.OrderIssue) { n.SchoolIDs = []int64{f.far.ID} }, "schools", gongkai.EINVALID},
			{"workdays out of range", f.admin, func(n *gongkai.OrderIssue) { n.Workdays = 0 }, "workdays", gongkai.EINVALID},
			{"linked case, two schools", f.admin, func(n *gongkai.OrderIssue) { n.FeedbackID, n.SchoolIDs = 1, []int64{f.school.ID, f.other.ID} }, "schools", gongkai.EINVALID},
			{"obligation of another school", f.admin, func(n *gongkai.OrderIssue) { n.ObligationID = 999999 }, "obligation", gongkai.EINVALID},
			{"inspector", f.inspector, func(n *gongkai.OrderIssue) {}, "", gongkai.EFORBIDDEN},
			{"principal", f.actors[gongkai.RolePrincipal], func(n *gongkai.OrderIssue) {}, "", gongkai.EFORBIDDEN},
			{"another bureau's admin", f.farAdmin, func(n *gongkai.OrderIssue) {}, "", gongkai.EFORBIDDEN},
		} {
			in := ok
			tc.edit(&in)
			_, err := f.db.IssueOrders(ctx, f.bureau.ID, tc.actor, in)
			if gongkai.ErrorCode(err) != tc.code || (tc.field != "" && gongkai.ErrorFields(err)[tc.field] == "") {
				t.Errorf("%s: %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		n, _, err := f.db.FindOrders(ctx, f.bureau.ID, store.OrderFilter{})
		if err != nil || len(n) != 0 {
			t.Errorf("refused orders were stored: %d, %v", len(n), err)
		}
	})
}

func TestOrders_overdueAtTheBoundary(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustOrderFixture(t, dsn)
		o := f.issue(t, gongkai.OrderIssue{Deadline: bjDay("2026-03-06")})[0] // Friday
		count := func() (overdue int, figures store.OrderFigures) {
			t.Helper()
			list, total, err := f.db.FindOrders(ctx, f.bureau.ID, store.OrderFilter{Overdue: true})
			if err != nil || total != len(list) {
				t.Fatalf("overdue list: %v", err)
			}
			fig, err := f.db.OrderFigures(ctx, f.bureau.ID, f.now)
			if err != nil {
				t.Fatal(err)
			}
			return total, fig[f.school.ID]
		}
		f.now = time.Date(2026, 3, 6, 23, 59, 0, 0, gongkai.Beijing)
		if n, fig := count(); n != 0 || fig.Overdue != 0 || fig.Open != 1 || fig.IssuedThisYear != 1 {
			t.Errorf("on the deadline day: %d overdue, figures %+v", n, fig)
		}
		if n, err := f.db.RemindOverdueOrders(ctx); err != nil || n != 0 {
			t.Errorf("reminders on the deadline day: %d, %v", n, err)
		}
		f.now = time.Date(2026, 3, 7, 0, 0, 1, 0, gongkai.Beijing)
		if n, fig := count(); n != 1 || fig.Overdue != 1 {
			t.Errorf("the day after: %d overdue, figures %+v", n, fig)
		}
		// One reminder a day: twice the same day gives one.
		for i, want := range []int{1, 0} {
			if n, err := f.db.RemindOverdueOrders(ctx); err != nil || n != want {
				t.Errorf("reminder %d on 03-07: %d, %v; want %d", i, n, err, want)
			}
		}
		f.now = time.Date(2026, 3, 8, 9, 0, 0, 0, gongkai.Beijing)
		if n, err := f.db.RemindOverdueOrders(ctx); err != nil || n != 1 {
			t.Errorf("reminder on 03-08: %d, %v; want 1", n, err)
		}
		// Answered: no longer overdue, no more reminders; counted as answered.
		f.step(t, o, f.actors[gongkai.RolePrincipal], gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已公开。"})
		f.now = time.Date(2026, 3, 9, 9, 0, 0, 0, gongkai.Beijing)
		if n, err := f.db.RemindOverdueOrders(ctx); err != nil || n != 0 {
			t.Errorf("reminder after the answer: %d, %v", n, err)
		}
		if n, fig := count(); n != 0 || fig.Overdue != 0 || fig.Open != 1 || fig.AnsweredThisYear != 1 {
			t.Errorf("answered: %d overdue, figures %+v", n, fig)
		}
		// Returned after its deadline, the order needs a new one: it would
		// otherwise be overdue the moment the school sees it again.
		_, err := f.db.StepOrder(ctx, o.SchoolID, o.ID, f.admin, gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充明细。"})
		if gongkai.ErrorFields(err)["deadline"] == "" {
			t.Errorf("returned past its deadline without a new one: %v", err)
		}
		o = f.step(t, o, f.admin, gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充明细。", Deadline: bjDay("2026-03-13")})
		if n, fig := count(); n != 0 || fig.Overdue != 0 || o.State != gongkai.OrderReturned {
			t.Errorf("returned with a new deadline: %d overdue, figures %+v, state %s", n, fig, o.State)
		}
	})
}

func TestOrders_tenancy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustOrderFixture(t, dsn)
		o := f.issue(t, gongkai.OrderIssue{Workdays: 5})[0]
		// Another school's id does not find it.
		if _, err := f.db.FindOrderByID(ctx, f.other.ID, o.ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("found through another school: %v", err)
		}
		// Another bureau lists none of it and cannot step on it.
		farBureau := f.far.BureauID
		list, total, err := f.db.FindOrders(ctx, farBureau, store.OrderFilter{})
		if err != nil || total != 0 || len(list) != 0 {
			t.Errorf("another bureau lists %d: %v", total, err)
		}
		if fig, err := f.db.OrderFigures(ctx, farBureau, f.now); err != nil || len(fig) != 0 {
			t.Errorf("another bureau's figures: %v, %v", fig, err)
		}
		f.step(t, o, f.actors[gongkai.RolePrincipal], gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已办理。"})
		if _, err := f.db.StepOrder(ctx, o.SchoolID, o.ID, f.farAdmin, gongkai.OrderCommand{Action: gongkai.OActAccept}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("another bureau's admin accepts: %v, want not found", err)
		}
		if _, err := f.db.StepOrder(ctx, o.SchoolID, o.ID, f.outsider, gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "x"}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("another school's principal steps: %v, want not found", err)
		}
		// The school's list holds it; the other school's does not.
		if _, n, _ := f.db.FindOrders(ctx, f.bureau.ID, store.OrderFilter{SchoolID: f.other.ID}); n != 0 {
			t.Errorf("the other school lists %d", n)
		}
		if _, n, _ := f.db.FindOrders(ctx, f.bureau.ID, store.OrderFilter{SchoolID: f.school.ID, States: []gongkai.OrderState{gongkai.OrderAnswered}}); n != 1 {
			t.Errorf("the school lists %d answered, want 1", n)
		}
		if id, err := f.db.FindOrderSchoolID(ctx, o.ID); err != nil || id != f.school.ID {
			t.Errorf("school of the order: %d, %v", id, err)
		}
	})
}

func TestOrders_linkedObligation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustOrderFixture(t, dsn)
		if _, err := f.db.EnsureObligations(ctx, f.school.ID, bjDay("2026-01-01"), bjDay("2026-03-31")); err != nil {
			t.Fatal(err)
		}
		obs, err := f.db.FindObligations(ctx, f.school.ID, store.ObligationFilter{CatalogueCode: "monthly-finance", States: []gongkai.ObligationState{gongkai.ObOverdue}})
		if err != nil || len(obs) == 0 {
			t.Fatalf("no overdue statement: %v", err)
		}
		o := f.issue(t, gongkai.OrderIssue{Workdays: 5, ObligationID: obs[0].ID})[0]
		if o.ObligationID != obs[0].ID || o.ObligationName == "" || o.ObligationPeriod == "" || o.ObligationDue.IsZero() {
			t.Errorf("linked obligation: %+v", o)
		}
		// The same obligation for the other school is refused.
		_, err = f.db.IssueOrders(ctx, f.bureau.ID, f.admin, gongkai.OrderIssue{Kind: gongkai.OrderUrge, Title: "督办", Body: "请公开", Workdays: 5,
			SchoolIDs: []int64{f.other.ID}, ObligationID: obs[0].ID})
		if gongkai.ErrorFields(err)["obligation"] == "" {
			t.Errorf("another school's obligation: %v", err)
		}
	})
}

// TestOrders_deactivatedSchool: a deactivated school takes no new order,
// named in the field message; its old orders stay readable.
func TestOrders_deactivatedSchool(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustOrderFixture(t, dsn)
		old := f.issue(t, gongkai.OrderIssue{SchoolIDs: []int64{f.other.ID}, Workdays: 10})
		if _, err := f.db.SetSchoolActive(ctx, f.admin, f.bureau.ID, f.other.ID, false, "撤并"); err != nil {
			t.Fatal(err)
		}
		in := gongkai.OrderIssue{Kind: gongkai.OrderUrge, Title: "关于督促公开的通知", Body: "请公开。", Workdays: 10, SchoolIDs: []int64{f.school.ID, f.other.ID}}
		_, err := f.db.IssueOrders(ctx, f.bureau.ID, f.admin, in)
		if msg := gongkai.ErrorFields(err)["schools"]; gongkai.ErrorCode(err) != gongkai.EINVALID || !strings.Contains(msg, f.other.Name+"已停用") {
			t.Errorf("order to a deactivated school: %v", err)
		}
		if orders, _, _ := f.db.FindOrders(ctx, f.bureau.ID, store.OrderFilter{}); len(orders) != 1 {
			t.Errorf("%d orders, want the old one only", len(orders))
		}
		if _, err := f.db.FindOrderByID(ctx, f.other.ID, old[0].ID); err != nil {
			t.Errorf("the old order of the deactivated school: %v", err)
		}
		in.SchoolIDs = []int64{f.school.ID}
		if _, err := f.db.IssueOrders(ctx, f.bureau.ID, f.admin, in); err != nil {
			t.Errorf("order to the active school: %v", err)
		}
	})
}

// TestOrders_answerFiles: the files of an answer stay with its trail
// entry, and are found only under their own order and school.
func TestOrders_answerFiles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustOrderFixture(t, dsn)
		o := f.issue(t, gongkai.OrderIssue{Workdays: 10})[0]
		other := f.issue(t, gongkai.OrderIssue{Workdays: 10})[0]
		file := gongkai.Attachment{Filename: "会议记录.pdf", ContentType: "application/pdf", Size: 1234, SHA256: "ab", StorageKey: "ab/cd"}
		o = f.step(t, o, f.actors[gongkai.RolePrincipal], gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "见会议记录。", Files: []gongkai.Attachment{file}})
		answer := o.Trail[len(o.Trail)-1]
		if len(answer.Files) != 1 || answer.Files[0].Filename != "会议记录.pdf" || answer.Files[0].ID == 0 || len(o.Trail[0].Files) != 0 {
			t.Fatalf("trail %+v", o.Trail)
		}
		got, err := f.db.FindOrderFile(ctx, f.school.ID, o.ID, answer.Files[0].ID)
		if err != nil || got.StorageKey != "ab/cd" || got.Size != 1234 {
			t.Fatalf("file %+v, %v", got, err)
		}
		if _, err := f.db.FindOrderFile(ctx, f.school.ID, other.ID, got.ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("the file under another order: %v", err)
		}
		if _, err := f.db.FindOrderFile(ctx, f.other.ID, o.ID, got.ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("the file under another school: %v", err)
		}
	})
}
