package store_test

import (
	"context"
	"testing"

	"gongkai"
	"gongkai/internal/testdb"
)

// TestDisclosures_Recall: the clerk takes a submission back before the
// principal signs it; the leaders' comments stay in the trail, the draft
// is editable again, and once signed it can no longer be recalled.
func TestDisclosures_Recall(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.draft(t, "关于2026年春季学期收费标准的公示")
		f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, d.ID, gongkai.RoleLeader, gongkai.ActionComment, "收费依据请写完整")

		if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleLeader], gongkai.ActionRecall, "", nil); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("recall by a leader: %v, want forbidden", err)
		}
		got := f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionRecall, "")
		if got.State != gongkai.StateDraft {
			t.Fatalf("state after recall = %s", got.State)
		}
		last := got.Trail[len(got.Trail)-1]
		if last.Action != gongkai.ActionRecall || last.From != gongkai.StateSubmitted || last.To != gongkai.StateDraft || last.ActorRole != gongkai.RoleClerk {
			t.Fatalf("trail entry %+v", last)
		}
		if prev := got.Trail[len(got.Trail)-2]; prev.Comment != "收费依据请写完整" {
			t.Fatalf("the leader's comment left the trail: %+v", prev)
		}
		got.Body = got.Body + "\n\n依据：闽价费〔2025〕12号。"
		if _, err := f.db.UpdateDraft(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleClerk], got); err != nil {
			t.Fatalf("edit after recall: %v", err)
		}
		f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleClerk], gongkai.ActionRecall, "", nil); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("recall after signing: %v, want conflict", err)
		}
	})
}
