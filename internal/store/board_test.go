package store_test

import (
	"context"
	"testing"

	"gongkai"
	"gongkai/internal/testdb"
)

func TestBoard_CountByCategoryAndInPublicity(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		f.publish(t, "一月财务公示")
		f.publish(t, "二月财务公示")
		f.draft(t, "三月财务公示（草稿）")
		staff := f.draft(t, "绩效工资方案")
		staff.Audience, staff.Category = gongkai.AudienceStaff, "evaluation"
		if _, err := f.db.UpdateDraft(ctx, f.school.ID, staff.ID, f.actors[gongkai.RoleClerk], staff); err != nil {
			t.Fatal(err)
		}
		f.act(t, staff.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, staff.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		f.act(t, staff.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
		f.act(t, staff.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")

		public := []gongkai.Audience{gongkai.AudiencePublic}
		tests := []struct {
			name      string
			schoolID  int64
			audiences []gongkai.Audience
			want      map[string]int
		}{
			{"public", f.school.ID, public, map[string]int{"finance": 2}},
			{"staff", f.school.ID, []gongkai.Audience{gongkai.AudiencePublic, gongkai.AudienceStaff}, map[string]int{"finance": 2, "evaluation": 1}},
			{"no audience", f.school.ID, nil, map[string]int{}},
			{"other school", f.other.ID, public, map[string]int{}},
		}
		for _, tt := range tests {
			got, err := f.db.CountByCategory(ctx, tt.schoolID, tt.audiences)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %s = %d, want %d", tt.name, k, got[k], v)
				}
			}
		}

		// Published Monday 2026-03-02 for five working days, to Friday.
		counts, err := f.db.CountInPublicity(ctx, f.now)
		if err != nil || counts[f.school.ID] != 2 || counts[f.other.ID] != 0 {
			t.Fatalf("in publicity on the day: %v %v", counts, err)
		}
		counts, _ = f.db.CountInPublicity(ctx, f.now.AddDate(0, 0, 4))
		if counts[f.school.ID] != 2 {
			t.Errorf("on the last day: %v", counts)
		}
		counts, _ = f.db.CountInPublicity(ctx, f.now.AddDate(0, 0, 5))
		if counts[f.school.ID] != 0 {
			t.Errorf("after the period: %v", counts)
		}
	})
}
