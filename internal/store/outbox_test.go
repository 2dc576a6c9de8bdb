package store_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func TestOutbox_PublishEmitsAndClaimLeases(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.publish(t, "关于2026年春季学期收费标准的公示")
		f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionWithdraw, "金额有误")

		evs, err := f.db.ClaimEvents(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var types []gongkai.EventType
		for _, e := range evs {
			types = append(types, e.Type)
			if e.SchoolID != f.school.ID || e.Subject != d.ID || e.Attempts != 1 {
				t.Fatalf("event %+v", e)
			}
		}
		if len(types) != 2 || types[0] != gongkai.EventDisclosurePublished || types[1] != gongkai.EventDisclosureWithdrawn {
			t.Fatalf("events %v, want published then withdrawn (submit, approve and check tell no one outside)", types)
		}
		if evs[0].Data["title"] != "关于2026年春季学期收费标准的公示" || evs[1].Data["reason"] != "金额有误" {
			t.Fatalf("data %v %v", evs[0].Data, evs[1].Data)
		}
		// Leased: nobody else gets them until the lease ends.
		if again, _ := f.db.ClaimEvents(ctx, 10); len(again) != 0 {
			t.Fatalf("claimed twice: %d", len(again))
		}
		f.now = f.now.Add(store.EventLease + time.Second)
		again, err := f.db.ClaimEvents(ctx, 10)
		if err != nil || len(again) != 2 || again[0].Attempts != 2 {
			t.Fatalf("after the lease: %d events, err %v", len(again), err)
		}
		// The first claimer lost its lease: its finish is refused and
		// records nothing.
		err = f.db.FinishEvent(ctx, evs[0], store.Outcome{Notifications: []store.Notification{{UserID: f.actors[gongkai.RoleClerk].ID, Title: "x"}}})
		if gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("finish after lost lease: %v", err)
		}
		if _, total, _, _ := f.db.FindNotifications(ctx, f.actors[gongkai.RoleClerk].ID, 1); total != 0 {
			t.Fatalf("a lost lease still notified")
		}
		// The holder finishes one with an outcome, retries the other.
		clerk := f.actors[gongkai.RoleClerk].ID
		if err := f.db.FinishEvent(ctx, again[0], store.Outcome{
			Notifications: []store.Notification{{UserID: clerk, SchoolID: f.school.ID, Title: "已发布：收费标准", Link: "/s/xiangqian/d/1"}},
			Next:          []store.Event{{SchoolID: f.school.ID, Type: gongkai.EventMailSend, Data: map[string]any{"to": "a@example.org"}}},
		}); err != nil {
			t.Fatal(err)
		}
		if err := f.db.RetryEvent(ctx, again[1], errors.New("webhook: 500"), time.Minute); err != nil {
			t.Fatal(err)
		}
		next, _ := f.db.ClaimEvents(ctx, 10)
		if len(next) != 1 || next[0].Type != gongkai.EventMailSend || next[0].Data["to"] != "a@example.org" {
			t.Fatalf("after finish: %+v", next)
		}
		f.now = f.now.Add(time.Minute)
		retried, _ := f.db.ClaimEvents(ctx, 10)
		if len(retried) != 1 || retried[0].ID != again[1].ID || retried[0].LastError != "webhook: 500" || retried[0].Attempts != 3 {
			t.Fatalf("retry: %+v", retried)
		}
		if err := f.db.FailEvent(ctx, retried[0], errors.New("gave up")); err != nil {
			t.Fatal(err)
		}
		pending, failed, err := f.db.OutboxStats(ctx)
		if err != nil || pending != 1 || failed != 1 {
			t.Fatalf("stats: pending %d failed %d err %v", pending, failed, err)
		}
	})
}

func TestNotifications_ReadAndCount(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		clerk, leader := f.actors[gongkai.RoleClerk].ID, f.actors[gongkai.RoleLeader].ID
		for i := 0; i < 25; i++ {
			f.now = f.now.Add(time.Minute)
			if err := f.db.CreateNotifications(ctx, []int64{clerk, clerk}, f.school.ID, "新的异议：第"+string(rune('A'+i))+"件", "请于5个工作日内答复。", "/work"); err != nil {
				t.Fatal(err)
			}
		}
		items, total, unread, err := f.db.FindNotifications(ctx, clerk, 1)
		if err != nil || total != 25 || unread != 25 || len(items) != store.NotificationsPerPage {
			t.Fatalf("page 1: %d items, total %d, unread %d, err %v (one per user even when listed twice)", len(items), total, unread, err)
		}
		if items[0].Title != "新的异议：第Y件" || !items[0].Unread() || items[0].SchoolID != f.school.ID {
			t.Fatalf("newest first: %+v", items[0])
		}
		page2, _, _, _ := f.db.FindNotifications(ctx, clerk, 2)
		if len(page2) != 5 || page2[4].Title != "新的异议：第A件" {
			t.Fatalf("page 2: %d", len(page2))
		}
		// Read what was shown; one that comes meanwhile stays unread.
		if err := f.db.CreateNotifications(ctx, []int64{clerk}, f.school.ID, "又一件", "", ""); err != nil {
			t.Fatal(err)
		}
		if err := f.db.MarkNotificationsRead(ctx, clerk, items[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.db.CountUnreadNotifications(ctx, clerk); n != 1 {
			t.Fatalf("unread after reading: %d, want 1", n)
		}
		// Another user's notices are not theirs to read or mark.
		if n, _ := f.db.CountUnreadNotifications(ctx, leader); n != 0 {
			t.Fatalf("leader has %d", n)
		}
		if err := f.db.MarkNotificationsRead(ctx, leader, 1<<40); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.db.CountUnreadNotifications(ctx, clerk); n != 1 {
			t.Fatalf("another user marked the clerk's notices: %d", n)
		}
	})
}

// TestNotifications_notToDeactivatedAccounts: a deactivated account gets
// no notice, from the outbox or otherwise; the others still do.
func TestNotifications_notToDeactivatedAccounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		clerk, leader := f.actors[gongkai.RoleClerk].ID, f.actors[gongkai.RoleLeader].ID
		if _, err := f.db.SetAccountActive(ctx, f.school.ID, leader, f.actors[gongkai.RolePrincipal], false); err != nil {
			t.Fatal(err)
		}
		if err := f.db.CreateNotifications(ctx, []int64{clerk, leader}, f.school.ID, "新的异议", "请于5个工作日内答复。", "/work"); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.db.CountUnreadNotifications(ctx, clerk); n != 1 {
			t.Errorf("the clerk has %d notices, want 1", n)
		}
		if n, _ := f.db.CountUnreadNotifications(ctx, leader); n != 0 {
			t.Errorf("the deactivated leader has %d notices", n)
		}
	})
}

func TestFeedbackRecipients(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		admin := &gongkai.User{Username: "bureau-admin", DisplayName: "局管理员", BureauID: f.bureau.ID, BureauRole: gongkai.RoleBureauAdmin}
		if err := f.db.CreateUser(ctx, admin, "x"); err != nil {
			t.Fatal(err)
		}
		inspector := &gongkai.User{Username: "bureau-inspector", DisplayName: "督查员", BureauID: f.bureau.ID, BureauRole: gongkai.RoleInspector}
		if err := f.db.CreateUser(ctx, inspector, "x"); err != nil {
			t.Fatal(err)
		}
		id := func(r gongkai.Role) int64 { return f.actors[r].ID }
		tests := []struct {
			name string
			fb   gongkai.Feedback
			want []int64
		}{
			{"opinion: leadership and principal handle, supervision watches", gongkai.Feedback{Kind: gongkai.KindOpinion},
				[]int64{id(gongkai.RolePrincipal), id(gongkai.RoleLeader), id(gongkai.RoleSupervisor)}},
			{"assigned to a clerk", gongkai.Feedback{Kind: gongkai.KindObjection, AssigneeID: id(gongkai.RoleClerk)},
				[]int64{id(gongkai.RolePrincipal), id(gongkai.RoleLeader), id(gongkai.RoleSupervisor), id(gongkai.RoleClerk)}},
			{"report: the supervision group", gongkai.Feedback{Kind: gongkai.KindReport, About: gongkai.SubjectStaff},
				[]int64{id(gongkai.RoleSupervisor)}},
			{"report about the only supervisor: the bureau, not them", gongkai.Feedback{Kind: gongkai.KindReport, About: gongkai.SubjectStaff, AboutUserID: id(gongkai.RoleSupervisor)},
				[]int64{admin.ID}},
			{"report about the leadership: the bureau only", gongkai.Feedback{Kind: gongkai.KindReport, About: gongkai.SubjectLeadership, ToBureau: true},
				[]int64{admin.ID}},
			{"escalated letter: the bureau, and those who handled it before", gongkai.Feedback{Kind: gongkai.KindMailbox, Escalated: true},
				[]int64{id(gongkai.RolePrincipal), id(gongkai.RoleLeader), id(gongkai.RoleSupervisor), admin.ID}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				fb := tt.fb
				fb.SchoolID = f.school.ID
				us, err := f.db.FeedbackRecipients(ctx, f.school, &fb)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, u := range us {
					got = append(got, u.ID)
				}
				sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
				want := append([]int64(nil), tt.want...)
				sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
				if len(got) != len(want) {
					t.Fatalf("got %v, want %v", got, want)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("got %v, want %v", got, want)
					}
				}
			})
		}
	})
}

func TestOutbox_OverdueDigestAndSweepOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		// Two nodes on one database.
		other := mustOpen(t, dsn)
		other.Now = f.db.Now
		fb := &gongkai.Feedback{ID: 7, SchoolID: f.school.ID, Kind: gongkai.KindOpinion, State: gongkai.FeedbackAssigned}
		due := time.Date(2026, 2, 27, 0, 0, 0, 0, gongkai.Beijing)
		for i, db := range []*store.DB{f.db, other, f.db} {
			raised, err := db.RaiseOverdue(ctx, fb, due)
			if err != nil || raised != (i == 0) {
				t.Fatalf("raise %d: %v %v", i, raised, err)
			}
		}
		// A new deadline is a new obligation.
		if raised, _ := other.RaiseOverdue(ctx, fb, due.AddDate(0, 0, 7)); !raised {
			t.Fatal("a later deadline was not raised")
		}
		// Another school's case of the same id is its own.
		if raised, _ := f.db.RaiseOverdue(ctx, &gongkai.Feedback{ID: 7, SchoolID: f.other.ID}, due); !raised {
			t.Fatal("the other school's case was not raised")
		}
		for i, db := range []*store.DB{f.db, other} {
			started, err := db.StartDigest(ctx, f.school.ID, "2026-W10")
			if err != nil || started != (i == 0) {
				t.Fatalf("digest %d: %v %v", i, started, err)
			}
		}
		if started, _ := other.StartDigest(ctx, f.school.ID, "2026-W11"); !started {
			t.Fatal("next week's digest refused")
		}
		evs, _ := f.db.FindEvents(ctx, f.school.ID, f.now.Add(-time.Hour), gongkai.EventFeedbackOverdue, gongkai.EventDigestWeekly)
		if len(evs) != 4 {
			t.Fatalf("events: %d, want 2 overdue + 2 digests", len(evs))
		}
		if evs[0].Data["due"] != "2026-02-27" || evs[2].Data["week"] != "2026-W10" {
			t.Fatalf("data: %v %v", evs[0].Data, evs[2].Data)
		}
		// A periodic job runs on one node per period.
		ran := 0
		for _, db := range []*store.DB{f.db, other, f.db} {
			ok, err := db.ClaimSweep(ctx, "overdue", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				ran++
			}
		}
		if ran != 1 {
			t.Fatalf("sweep ran %d times", ran)
		}
		f.now = f.now.Add(time.Hour)
		if ok, _ := other.ClaimSweep(ctx, "overdue", time.Hour); !ok {
			t.Fatal("sweep did not run an hour later")
		}
	})
}

// TestClaimEvents_TwoNodes has two stores on one database claim the same
// queue at once: every event is delivered, none twice.
func TestClaimEvents_TwoNodes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		const n = 300
		for i := 0; i < n; i++ {
			if err := f.db.Emit(ctx, store.Event{SchoolID: f.school.ID, Type: gongkai.EventFeedbackReceived, Subject: int64(i + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		nodes := []*store.DB{f.db, mustOpen(t, dsn), mustOpen(t, dsn)}
		var mu sync.Mutex
		seen := map[int64]int{}
		perNode := make([]int, len(nodes))
		var wg sync.WaitGroup
		for i, db := range nodes {
			db.Now = f.db.Now
			for w := 0; w < 2; w++ { // two workers per node
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						evs, err := db.ClaimEvents(ctx, 7)
						if err != nil {
							t.Error(err)
							return
						}
						if len(evs) == 0 {
							return
						}
						for _, e := range evs {
							if err := db.FinishEvent(ctx, e, store.Outcome{}); err != nil {
								t.Error(err)
							}
							mu.Lock()
							seen[e.ID]++
							perNode[i]++
							mu.Unlock()
						}
					}
				}()
			}
		}
		wg.Wait()
		if len(seen) != n {
			t.Fatalf("delivered %d of %d", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("event %d delivered %d times", id, c)
			}
		}
		t.Logf("per node: %v", perNode)
		if pending, _, _ := f.db.OutboxStats(ctx); pending != 0 {
			t.Fatalf("pending %d", pending)
		}
	})
}
