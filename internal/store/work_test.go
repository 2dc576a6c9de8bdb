package store_test

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func TestWork_FindWork(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		start := f.now

		mine := f.draft(t, "我的草稿")
		returned := f.draft(t, "被退回的草稿")
		f.act(t, returned.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, returned.ID, gongkai.RoleLeader, gongkai.ActionReturn, "请补充支出明细")
		// An edit after the return keeps the return as the step into draft.
		returned.Body += "补充明细。"
		if _, err := f.db.UpdateDraft(ctx, f.school.ID, returned.ID, f.actors[gongkai.RoleClerk], returned); err != nil {
			t.Fatal(err)
		}

		submitted := f.draft(t, "待审议事项")
		f.now = start.Add(time.Hour)
		f.act(t, submitted.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.now = start.Add(2 * time.Hour)
		// A review comment keeps the state: the item waits since its submission.
		f.act(t, submitted.ID, gongkai.RoleLeader, gongkai.ActionComment, "同意")

		approved := f.draft(t, "已签发事项")
		f.act(t, approved.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, approved.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")

		published := f.publish(t, "公示中事项") // Monday 2026-03-02 + 5 working days: ends Friday 03-06

		// A draft by someone else and an item of the other school stay out.
		other := &gongkai.Disclosure{Title: "校长的草稿", Audience: gongkai.AudiencePublic}
		if err := f.db.CreateDisclosure(ctx, f.school.ID, f.actors[gongkai.RolePrincipal], other); err != nil {
			t.Fatal(err)
		}
		outside := &gongkai.Disclosure{Title: "外校待审议", Body: "内容", Category: "finance", Audience: gongkai.AudiencePublic}
		if err := f.db.CreateDisclosure(ctx, f.other.ID, f.outsider, outside); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Act(ctx, f.other.ID, outside.ID, f.outsider, gongkai.ActionSubmit, "", nil); err != nil {
			t.Fatal(err)
		}

		day := func(s string) time.Time {
			d, _ := time.ParseInLocation("2006-01-02", s, gongkai.Beijing)
			return d
		}
		tests := []struct {
			name string
			q    store.WorkQuery
			want []int64
		}{
			{"submitted", store.WorkQuery{States: []gongkai.State{gongkai.StateSubmitted}}, []int64{submitted.ID}},
			{"approved and checked", store.WorkQuery{States: []gongkai.State{gongkai.StateApproved, gongkai.StateChecked}}, []int64{approved.ID}},
			{"my drafts", store.WorkQuery{DraftsBy: f.actors[gongkai.RoleClerk].ID}, []int64{mine.ID, returned.ID}},
			{"period ends soon", store.WorkQuery{PeriodFrom: day("2026-03-02"), PeriodTo: day("2026-03-06")}, []int64{published.ID}},
			{"period ends later", store.WorkQuery{PeriodFrom: day("2026-03-02"), PeriodTo: day("2026-03-05")}, nil},
			{"period already over", store.WorkQuery{PeriodFrom: day("2026-03-09"), PeriodTo: day("2026-03-12")}, nil},
			{"nothing asked", store.WorkQuery{}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				items, err := f.db.FindWork(ctx, f.school.ID, tt.q)
				if err != nil {
					t.Fatal(err)
				}
				got := map[int64]*store.WorkItem{}
				for _, it := range items {
					got[it.ID] = it
				}
				if len(items) != len(tt.want) {
					t.Fatalf("got %d items, want %v", len(items), tt.want)
				}
				for _, id := range tt.want {
					if got[id] == nil {
						t.Fatalf("item %d missing", id)
					}
				}
			})
		}

		items, err := f.db.FindWork(ctx, f.school.ID, store.WorkQuery{States: []gongkai.State{gongkai.StateSubmitted}, DraftsBy: f.actors[gongkai.RoleClerk].ID})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]*store.WorkItem{}
		for _, it := range items {
			byID[it.ID] = it
		}
		if it := byID[returned.ID]; it.Step != gongkai.ActionReturn || it.StepComment != "请补充支出明细" || it.StepActor == "" {
			t.Fatalf("returned draft: step %q comment %q actor %q", it.Step, it.StepComment, it.StepActor)
		}
		if it := byID[mine.ID]; it.Step != gongkai.ActionCreate {
			t.Fatalf("new draft: step %q", it.Step)
		}
		if it := byID[submitted.ID]; it.Step != gongkai.ActionSubmit || !it.Since.Equal(start.Add(time.Hour)) {
			t.Fatalf("submitted: step %q since %v, want submit at %v", it.Step, it.Since, start.Add(time.Hour))
		}

		// Another school's id is never found through this school.
		items, err = f.db.FindWork(ctx, f.other.ID, store.WorkQuery{States: []gongkai.State{gongkai.StateSubmitted}})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].ID != outside.ID {
			t.Fatalf("other school's queue: %d items", len(items))
		}
	})
}

func TestWork_CountByState(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		a := f.draft(t, "甲")
		f.act(t, a.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		b := f.draft(t, "乙")
		f.act(t, b.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.publish(t, "丙")
		f.draft(t, "丁")

		states := []gongkai.State{gongkai.StateSubmitted, gongkai.StateApproved, gongkai.StatePublished}
		counts, err := f.db.CountByState(ctx, f.bureau.ID, states)
		if err != nil {
			t.Fatal(err)
		}
		got := counts[f.school.ID]
		if got[gongkai.StateSubmitted] != 2 || got[gongkai.StatePublished] != 1 || got[gongkai.StateApproved] != 0 || got[gongkai.StateDraft] != 0 {
			t.Fatalf("counts %v", got)
		}
		if len(counts[f.other.ID]) != 0 {
			t.Fatalf("other school counts %v", counts[f.other.ID])
		}
		none, err := f.db.CountByState(ctx, f.bureau.ID+1000, states)
		if err != nil || len(none) != 0 {
			t.Fatalf("unknown bureau: %v %v", none, err)
		}
	})
}

// TestWork_FindInspectionWork: where each school's checklist of the term
// stands, in the order asked, without schools not asked for.
func TestWork_FindInspectionWork(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		term := gongkai.TermOf(f.db.Now())
		if _, err := f.db.SaveInspection(ctx, f.school.ID, f.actors[gongkai.RoleSupervisor], gongkai.InspectionSave{Term: term}); err != nil {
			t.Fatal(err)
		}
		got, err := f.db.FindInspectionWork(ctx, []int64{f.other.ID, f.school.ID}, term)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].School.ID != f.other.ID || got[0].State != "" || got[1].School.Slug != f.school.Slug || got[1].State != gongkai.InspectionDraft {
			t.Errorf("work %+v %+v", got[0], got[1])
		}
		if got, err := f.db.FindInspectionWork(ctx, []int64{f.other.ID}, term.Prev()); err != nil || len(got) != 1 || got[0].State != "" {
			t.Errorf("another term: %+v, %v", got, err)
		}
	})
}
