package store_test

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// reviseStep takes one step of the item's pending revision and fails the
// test if it is refused.
func (f *fixture) reviseStep(t *testing.T, id int64, r gongkai.Role, a gongkai.Action, comment string) *gongkai.Disclosure {
	t.Helper()
	d, err := f.db.ActRevision(context.Background(), f.school.ID, id, f.actors[r], a, comment)
	if err != nil {
		t.Fatalf("revision %s by %s: %v", a, r, err)
	}
	return d
}

// revise takes a published item through a whole revision: drafted by the
// clerk, submitted, signed, checked and published.
func (f *fixture) revise(t *testing.T, id int64, reason string, rev *store.Revision) *gongkai.Disclosure {
	t.Helper()
	if _, err := f.db.StartRevision(context.Background(), f.school.ID, id, f.actors[gongkai.RoleClerk], reason, rev); err != nil {
		t.Fatalf("start revision: %v", err)
	}
	f.reviseStep(t, id, gongkai.RoleClerk, gongkai.ActionSubmit, "")
	f.reviseStep(t, id, gongkai.RolePrincipal, gongkai.ActionApprove, "")
	f.reviseStep(t, id, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
	return f.reviseStep(t, id, gongkai.RoleClerk, gongkai.ActionPublish, "")
}

// reviseAll takes a published item of any school through a whole
// revision with the given people.
func reviseAll(t *testing.T, db *store.DB, schoolID, id int64, clerk, principal, supervisor *gongkai.Actor, reason string, rev *store.Revision) *gongkai.Disclosure {
	t.Helper()
	ctx := context.Background()
	if _, err := db.StartRevision(ctx, schoolID, id, clerk, reason, rev); err != nil {
		t.Fatalf("start revision: %v", err)
	}
	var d *gongkai.Disclosure
	for _, s := range []struct {
		who *gongkai.Actor
		a   gongkai.Action
	}{{clerk, gongkai.ActionSubmit}, {principal, gongkai.ActionApprove}, {supervisor, gongkai.ActionCheck}, {clerk, gongkai.ActionPublish}} {
		var err error
		if d, err = db.ActRevision(ctx, schoolID, id, s.who, s.a, ""); err != nil {
			t.Fatalf("revision %s: %v", s.a, err)
		}
	}
	return d
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if gongkai.ErrorCode(err) != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

// publicSearch is what an anonymous reader's board search finds.
func (f *fixture) publicSearch(t *testing.T, q string) []*gongkai.Disclosure {
	t.Helper()
	items, _, err := f.db.FindDisclosures(context.Background(), f.school.ID, store.DisclosureFilter{Published: true, Audiences: []gongkai.Audience{gongkai.AudiencePublic}, Query: q})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// TestRevisions_signedAgain walks a revision through the procedure: until
// it is published the board, the search and the item keep the old text and
// period, each step is refused to the wrong role, a return sends it back to
// the clerk, and the signer and checker of each version are kept.
func TestRevisions_signedAgain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.publish(t, "关于2026年2月份财务收支情况的公示")
		oldBody, oldEnd := d.Body, d.PublicityEnd
		clerk, principal, leader := f.actors[gongkai.RoleClerk], f.actors[gongkai.RolePrincipal], f.actors[gongkai.RoleLeader]
		rev := &store.Revision{Title: d.Title + "（更正）", Body: "收入 ¥12,500.00 元，含琉璃瓦维修款。"}

		_, err := f.db.StartRevision(ctx, f.school.ID, d.ID, leader, "更正", rev)
		wantCode(t, "revise as leader", err, gongkai.EFORBIDDEN)
		_, err = f.db.StartRevision(ctx, f.school.ID, d.ID, clerk, "", rev)
		wantCode(t, "revise without reason", err, gongkai.EINVALID)
		_, err = f.db.StartRevision(ctx, f.school.ID, d.ID, clerk, "更正", &store.Revision{Title: d.Title, Body: d.Body})
		wantCode(t, "revise without change", err, gongkai.EINVALID)
		// Another school's people read the public item but take no step on it.
		if _, err = f.db.StartRevision(ctx, f.school.ID, d.ID, f.outsider, "更正", rev); err == nil || gongkai.ErrorCode(err) != gongkai.EFORBIDDEN && gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("revise from another school: %v", err)
		}

		f.now = f.now.AddDate(0, 0, 1)
		got, err := f.db.StartRevision(ctx, f.school.ID, d.ID, clerk, "更正收入金额", rev)
		if err != nil {
			t.Fatal(err)
		}
		if got.RevisionState != gongkai.StateDraft || got.Version != 1 || got.Body != oldBody || got.Title != d.Title || !got.PublicityEnd.Equal(oldEnd) {
			t.Fatalf("after revise: revision %q, version %d, body %q, title %q", got.RevisionState, got.Version, got.Body, got.Title)
		}
		p := got.PendingRevision()
		if p == nil || p.Version != 2 || p.Body != rev.Body || p.Reason != "更正收入金额" || !p.PublishedAt.IsZero() {
			t.Fatalf("pending revision: %+v", p)
		}
		_, err = f.db.StartRevision(ctx, f.school.ID, d.ID, clerk, "再次修订", &store.Revision{Body: "另一处更正。"})
		wantCode(t, "second revision while one is pending", err, gongkai.ECONFLICT)

		// The board lists the item, marked, with its old text; a word only
		// in the revision finds nothing.
		if items := f.publicSearch(t, "琉璃瓦"); len(items) != 0 {
			t.Fatalf("search finds the unpublished revision: %d items", len(items))
		}
		if items := f.publicSearch(t, "财务"); len(items) != 1 || items[0].RevisionState != gongkai.StateDraft || items[0].Title != d.Title {
			t.Fatalf("board search: %v", items)
		}

		// Each step refused to the wrong role or in the wrong state.
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, leader, gongkai.ActionSubmit, "")
		wantCode(t, "submit by leader", err, gongkai.EFORBIDDEN)
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, principal, gongkai.ActionApprove, "")
		wantCode(t, "approve a draft", err, gongkai.ECONFLICT)
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleStaff], gongkai.ActionSubmit, "")
		wantCode(t, "submit by staff", err, gongkai.EFORBIDDEN)
		f.reviseStep(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, leader, gongkai.ActionApprove, "")
		wantCode(t, "approve by leader", err, gongkai.EFORBIDDEN)
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleSupervisor], gongkai.ActionCheck, "")
		wantCode(t, "check before signing", err, gongkai.ECONFLICT)
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, clerk, gongkai.ActionPublish, "")
		wantCode(t, "publish before signing", err, gongkai.ECONFLICT)
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, leader, gongkai.ActionReturn, "")
		wantCode(t, "return without reason", err, gongkai.EINVALID)

		// Returned to the clerk, edited, submitted again.
		got = f.reviseStep(t, d.ID, gongkai.RoleLeader, gongkai.ActionReturn, "请写明维修款金额")
		if got.RevisionState != gongkai.StateDraft || got.State != gongkai.StatePublished {
			t.Fatalf("after return: revision %q, item %s", got.RevisionState, got.State)
		}
		_, err = f.db.UpdateRevision(ctx, f.school.ID, d.ID, leader, "更正收入金额", rev)
		wantCode(t, "edit by leader", err, gongkai.EFORBIDDEN)
		rev.Body = "收入 ¥12,500.00 元，含琉璃瓦维修款 ¥500.00 元。"
		got, err = f.db.UpdateRevision(ctx, f.school.ID, d.ID, clerk, "更正收入金额，写明维修款", rev)
		if err != nil {
			t.Fatal(err)
		}
		if p := got.PendingRevision(); p == nil || p.Body != rev.Body || p.Reason != "更正收入金额，写明维修款" {
			t.Fatalf("edited revision: %+v", p)
		}
		f.reviseStep(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.reviseStep(t, d.ID, gongkai.RoleLeader, gongkai.ActionComment, "同意更正")
		got = f.reviseStep(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		if got.Body != oldBody || got.Version != 1 || got.RevisionState != gongkai.StateApproved {
			t.Fatalf("signed revision went live: version %d body %q", got.Version, got.Body)
		}
		if items := f.publicSearch(t, "琉璃瓦"); len(items) != 0 {
			t.Fatalf("search finds the signed, unpublished revision")
		}
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, principal, gongkai.ActionCheck, "")
		wantCode(t, "check by principal", err, gongkai.EFORBIDDEN)
		f.reviseStep(t, d.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, leader, gongkai.ActionPublish, "")
		wantCode(t, "publish by leader", err, gongkai.EFORBIDDEN)

		f.now = f.now.AddDate(0, 0, 1) // Wednesday 2026-03-04
		got = f.reviseStep(t, d.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")
		if got.Version != 2 || got.Body != rev.Body || got.Title != rev.Title || got.RevisionState != "" || got.State != gongkai.StatePublished ||
			got.IndexNo != d.IndexNo || got.Reason != "更正收入金额，写明维修款" {
			t.Fatalf("published revision: version %d body %q state %s/%q index %q", got.Version, got.Body, got.State, got.RevisionState, got.IndexNo)
		}
		if s, e := got.PublicityStart.Format("2006-01-02"), got.PublicityEnd.Format("2006-01-02"); s != "2026-03-04" || e != "2026-03-10" {
			t.Fatalf("period after revision %s..%s, want 2026-03-04..2026-03-10", s, e)
		}
		if items := f.publicSearch(t, "琉璃瓦"); len(items) != 1 {
			t.Fatalf("search after publication finds %d items", len(items))
		}
		// Who signed and checked each version.
		for i, v := range got.Versions {
			if v.SignedByName != principal.DisplayName || v.SignedAt.IsZero() || v.CheckedByName != f.actors[gongkai.RoleSupervisor].DisplayName || v.CheckedAt.IsZero() {
				t.Errorf("version %d: signed %q %v, checked %q %v", i+1, v.SignedByName, v.SignedAt, v.CheckedByName, v.CheckedAt)
			}
		}
		if got.SignedBy != principal.ID {
			t.Errorf("item signed by %d, want the principal", got.SignedBy)
		}
		// The trail marks the revision's steps, all public once published.
		var steps []gongkai.Action
		for _, e := range got.Trail {
			if e.Revision {
				steps = append(steps, e.Action)
			}
		}
		want := []gongkai.Action{gongkai.ActionRevise, gongkai.ActionSubmit, gongkai.ActionReturn, gongkai.ActionEdit, gongkai.ActionSubmit,
			gongkai.ActionComment, gongkai.ActionApprove, gongkai.ActionCheck, gongkai.ActionPublish}
		if len(steps) != len(want) {
			t.Fatalf("revision steps %v, want %v", steps, want)
		}
		if n := len(gongkai.PublicTrail(got.Trail)); n != len(got.Trail) {
			t.Errorf("public trail keeps %d of %d steps of a published revision", n, len(got.Trail))
		}
	})
}

// TestRevisions_abandonAndWithdraw: a revision may be abandoned by the clerk
// or the principal, not the leaders; withdrawing the item abandons its
// pending revision; archiving waits for it.
func TestRevisions_abandonAndWithdraw(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.publish(t, "2026年春季收费标准公示")
		clerk := f.actors[gongkai.RoleClerk]
		if _, err := f.db.StartRevision(ctx, f.school.ID, d.ID, clerk, "更正住宿费", &store.Revision{Body: "住宿费每学期 ¥400.00 元。"}); err != nil {
			t.Fatal(err)
		}
		f.reviseStep(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		_, err := f.db.ActRevision(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleLeader], gongkai.ActionAbandon, "不改了")
		wantCode(t, "abandon by leader", err, gongkai.EFORBIDDEN)
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, clerk, gongkai.ActionAbandon, "")
		wantCode(t, "abandon without reason", err, gongkai.EINVALID)
		got := f.reviseStep(t, d.ID, gongkai.RolePrincipal, gongkai.ActionAbandon, "收费标准未变，无需更正")
		if got.RevisionState != "" || got.PendingRevision() != nil || len(got.Versions) != 1 || got.Body != d.Body || got.State != gongkai.StatePublished {
			t.Fatalf("after abandon: revision %q, %d versions, body %q", got.RevisionState, len(got.Versions), got.Body)
		}
		if last := got.Trail[len(got.Trail)-1]; last.Action != gongkai.ActionAbandon || !last.Revision || last.Comment != "收费标准未变，无需更正" {
			t.Fatalf("abandon recorded as %+v", last)
		}
		if n := len(gongkai.PublicTrail(got.Trail)); n != 5+1 { // create … publish
			t.Errorf("public trail of an abandoned revision keeps %d steps, want 6", n)
		}
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, clerk, gongkai.ActionSubmit, "")
		wantCode(t, "submit after abandon", err, gongkai.ECONFLICT)

		// A new revision after the abandoned one is version 2 again.
		got, err = f.db.StartRevision(ctx, f.school.ID, d.ID, clerk, "补充收费依据", &store.Revision{Body: d.Body + "\n\n依据：闽价费〔2025〕1号。"})
		if err != nil {
			t.Fatal(err)
		}
		if p := got.PendingRevision(); p == nil || p.Version != 2 {
			t.Fatalf("new revision: %+v", p)
		}
		f.reviseStep(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.reviseStep(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")

		// Closed meanwhile: still no archiving while it is pending.
		f.now = time.Date(2026, 3, 10, 0, 0, 1, 0, gongkai.Beijing)
		if _, err := f.db.CloseEndedPeriods(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Act(ctx, f.school.ID, d.ID, clerk, gongkai.ActionArchive, "", nil)
		wantCode(t, "archive while a revision is pending", err, gongkai.ECONFLICT)

		got = f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionWithdraw, "收费项目调整，另行公示")
		if got.State != gongkai.StateWithdrawn || got.RevisionState != "" || len(got.Versions) != 1 || got.Body != d.Body {
			t.Fatalf("withdrawn with a pending revision: state %s, revision %q, %d versions", got.State, got.RevisionState, len(got.Versions))
		}
		n := len(got.Trail)
		if got.Trail[n-2].Action != gongkai.ActionAbandon || got.Trail[n-1].Action != gongkai.ActionWithdraw {
			t.Fatalf("trail ends %s, %s; want abandon, withdraw", got.Trail[n-2].Action, got.Trail[n-1].Action)
		}
		_, err = f.db.ActRevision(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleSupervisor], gongkai.ActionCheck, "")
		wantCode(t, "check after withdrawal", err, gongkai.ECONFLICT)
	})
}

// TestRevisions_work: pending revisions wait in the work queues of those
// whose step is next, and count in the bureau's figures.
func TestRevisions_work(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.publish(t, "关于食堂承包经营的公示")
		if _, err := f.db.StartRevision(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleClerk], "补充合同期限", &store.Revision{Body: d.Body + "合同期三年。"}); err != nil {
			t.Fatal(err)
		}
		mine, err := f.db.FindWork(ctx, f.school.ID, store.WorkQuery{RevisionDraftsBy: f.actors[gongkai.RoleClerk].ID})
		if err != nil || len(mine) != 1 || !mine[0].Revision || mine[0].ID != d.ID {
			t.Fatalf("clerk's revision drafts: %v %v", mine, err)
		}
		f.reviseStep(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		work, err := f.db.FindWork(ctx, f.school.ID, store.WorkQuery{States: []gongkai.State{gongkai.StateSubmitted}, RevisionStates: []gongkai.State{gongkai.StateSubmitted}})
		if err != nil {
			t.Fatal(err)
		}
		if len(work) != 1 || !work[0].Revision || work[0].RevisionState != gongkai.StateSubmitted || work[0].Step != gongkai.ActionSubmit {
			t.Fatalf("principal's work: %+v", work)
		}
		counts, err := f.db.CountByState(ctx, f.bureau.ID, []gongkai.State{gongkai.StateSubmitted, gongkai.StatePublished})
		if err != nil {
			t.Fatal(err)
		}
		if c := counts[f.school.ID]; c[gongkai.StateSubmitted] != 1 || c[gongkai.StatePublished] != 1 {
			t.Fatalf("counts %v, want the revision waiting and the item published", c)
		}
		revising, total, err := f.db.FindDisclosures(ctx, f.school.ID, store.DisclosureFilter{Revising: true})
		if err != nil || total != 1 || revising[0].ID != d.ID {
			t.Fatalf("items being revised: %d %v", total, err)
		}
	})
}
