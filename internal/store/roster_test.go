package store_test

import (
	"context"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func rosterItem(title, body string) *gongkai.Disclosure {
	return &gongkai.Disclosure{Title: title, Body: body, CatalogueCode: "aid-roster", Category: "aid", Audience: gongkai.AudiencePublic, PublicityDays: 5}
}

// searchCount is how many published items of the school a word finds.
func searchCount(t *testing.T, f *fixture, q string) int {
	t.Helper()
	_, n, err := f.db.FindDisclosures(context.Background(), f.school.ID, store.DisclosureFilter{Published: true, Audiences: gongkai.Audiences, Query: q})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRosters_takedownLeavesTheIndex: at the end of the period (the sweep)
// and at withdrawal, a roster's names leave the search index itself, the
// title's other words stay, and a rebuilt index keeps it so.
func TestRosters_takedownLeavesTheIndex(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		principal, clerk := f.actors[gongkai.RolePrincipal], f.actors[gongkai.RoleClerk]
		body := "| 序号 | 姓名 | 班级 |\n| --- | --- | --- |\n| 1 | 宇文星河 | 三(1)班 |\n| 2 | 令狐春生 | 三(2)班 |\n"

		// The gate: no roster before the principal's assessment.
		err := f.db.CreateDisclosure(ctx, f.school.ID, clerk, rosterItem("生活补助名单", body))
		if gongkai.ErrorCode(err) != gongkai.EINVALID || gongkai.ErrorFields(err)["assessment"] != "aid-roster" {
			t.Fatalf("roster without an assessment: %v", err)
		}
		a := &gongkai.ImpactAssessment{CatalogueCode: "aid-roster", Purpose: "接受监督", Fields: "姓名、班级", Audience: "对外公开", Retention: "公示期满撤下",
			CheckedBy: "监督小组", AssessedOn: f.now}
		for _, tt := range []struct {
			who  *gongkai.Actor
			code string
			want string
		}{{clerk, "aid-roster", gongkai.EFORBIDDEN}, {principal, "monthly-finance", gongkai.EINVALID}, {principal, "nope", gongkai.ENOTFOUND}} {
			b := *a
			b.CatalogueCode = tt.code
			if err := f.db.CreateImpactAssessment(ctx, f.school.ID, tt.who, &b); gongkai.ErrorCode(err) != tt.want {
				t.Errorf("assessment of %s: %v, want %s", tt.code, err, tt.want)
			}
		}
		if err := f.db.CreateImpactAssessment(ctx, f.school.ID, principal, a); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.FindImpactAssessments(ctx, f.other.ID, ""); len(got) != 0 {
			t.Errorf("another school sees %d assessments", len(got))
		}

		publish := func(title string) *gongkai.Disclosure {
			d := rosterItem(title, body)
			if err := f.db.CreateDisclosure(ctx, f.school.ID, clerk, d); err != nil {
				t.Fatal(err)
			}
			f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
			f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
			f.act(t, d.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
			return f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")
		}
		first := publish("关于宇文星河等同学生活补助的公示")
		if n := searchCount(t, f, "宇文星河"); n != 1 {
			t.Fatalf("in its period the name finds %d, want 1", n)
		}
		f.now = f.now.AddDate(0, 0, 10)
		if _, err := f.db.CloseEndedPeriods(ctx); err != nil {
			t.Fatal(err)
		}
		check := func(when string, titles int) {
			t.Helper()
			for _, name := range []string{"宇文星河", "令狐春生"} {
				if n := searchCount(t, f, name); n != 0 {
					t.Errorf("%s: %s finds %d items", when, name, n)
				}
			}
			if n := searchCount(t, f, "生活补助"); n != titles {
				t.Errorf("%s: the titles' other words find %d, want %d", when, n, titles)
			}
		}
		check("after the sweep", 1)

		withdrawn := publish("春季学期生活补助名单")
		if n := searchCount(t, f, "令狐春生"); n != 1 {
			t.Fatalf("the new roster is not found by a name: %d", n)
		}
		if _, err := f.db.Act(ctx, f.school.ID, withdrawn.ID, principal, gongkai.ActionWithdraw, "名单有误", nil); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"宇文星河", "令狐春生"} {
			if n := searchCount(t, f, name); n != 0 {
				t.Errorf("after withdrawal %s finds %d", name, n)
			}
		}
		got, err := f.db.FindDisclosureByID(ctx, f.school.ID, withdrawn.ID)
		if err != nil || !got.WithdrawnAt.Equal(f.now) {
			t.Errorf("withdrawn at %v, want %v (%v)", got.WithdrawnAt, f.now, err)
		}
		// A redaction rewrites the item's index entry: still without names.
		if _, err := f.db.Redact(ctx, f.school.ID, first.ID, principal, store.RedactRequest{Target: gongkai.RedactBody, Version: 1, Reason: "名单中误含学生身份证号码"}, nil); err != nil {
			t.Fatal(err)
		}
		check("after a redaction", 2)
		if err := store.Reindex(ctx, f.db); err != nil {
			t.Fatal(err)
		}
		check("after a rebuilt index", 2)
		if n := searchCount(t, f, "春季学期"); n != 1 {
			t.Errorf("after a rebuilt index the withdrawn roster's title finds %d", n)
		}

		// The audit record: a reason, a reader of the procedure, the school's own.
		if _, err := f.db.RecordRosterAudit(ctx, f.school.ID, withdrawn.ID, clerk, ""); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Errorf("audit without a reason: %v", err)
		}
		if _, err := f.db.RecordRosterAudit(ctx, f.school.ID, withdrawn.ID, f.actors[gongkai.RoleParent], "看看名单内容"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("a parent's audit: %v", err)
		}
		if _, err := f.db.RecordRosterAudit(ctx, f.school.ID, withdrawn.ID, clerk, "核对异议 2026-0003"); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.db.FindRosterAudits(ctx, f.school.ID, 10); len(got) != 1 || got[0].Reason != "核对异议 2026-0003" || got[0].At.IsZero() {
			t.Errorf("audits %+v", got)
		}
		if got, _ := f.db.FindRosterAudits(ctx, f.other.ID, 10); len(got) != 0 {
			t.Errorf("another school sees %d audits", len(got))
		}

		// Lists taken down stay down: the item's rule cannot be loosened
		// once lists of it were published; tightening it is fine.
		item := findItem(t, f.db, f.school.ID, "aid-roster")
		for _, loose := range []gongkai.RosterRule{gongkai.NoRoster, {Kind: gongkai.RosterStaff, Fields: gongkai.StaffRoster.Fields, Takedown: gongkai.TakedownNever}} {
			changed := *item
			changed.Roster = loose
			err := f.db.SaveCatalogueItem(ctx, f.school.ID, principal, &changed)
			if gongkai.ErrorCode(err) != gongkai.EINVALID || gongkai.ErrorFields(err)["takedown"] == "" {
				t.Errorf("loosening the rule to %+v: %v, want refused", loose, err)
			}
		}
		if got := findItem(t, f.db, f.school.ID, "aid-roster"); got.Roster.Kind != gongkai.RosterStudents {
			t.Errorf("after refused changes the rule is %+v", got.Roster)
		}
		if n := searchCount(t, f, "宇文星河"); n != 0 {
			t.Errorf("after the refused changes a name finds %d", n)
		}
	})
}
