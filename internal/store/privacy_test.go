package store_test

import (
	"context"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

const rosterBody = "以下学生获得国家助学金：\n\n| 姓名 | 班级 | 身份证号 |\n| --- | --- | --- |\n| 林小雨 | 三(2)班 | 350102201203151239 |"

func (f *fixture) rosterDraft(t *testing.T, body string) *gongkai.Disclosure {
	t.Helper()
	d := &gongkai.Disclosure{Title: "2025年秋季学期国家助学金名单", Body: body, Category: "aid",
		Audience: gongkai.AudienceCommunity, PublicityDays: 5, Channels: []gongkai.Channel{"online"}}
	if err := f.db.CreateDisclosure(context.Background(), f.school.ID, f.actors[gongkai.RoleClerk], d); err != nil {
		t.Fatalf("create: %v", err)
	}
	return d
}

func TestPrivacy_SubmitRefusedThenMasked(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		clerk := f.actors[gongkai.RoleClerk]
		d := f.rosterDraft(t, rosterBody+"\n\n联系人：王老师 13812345678")
		_, err := f.db.Act(ctx, f.school.ID, d.ID, clerk, gongkai.ActionSubmit, "", nil)
		if gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("submit with an ID number: %v, want invalid", err)
		}
		msg := gongkai.ErrorMessage(err)
		for _, want := range []string{"表格第 1 行“身份证号”列：身份证号 3501**********1239", "正文第 7 行：手机号码 138****5678"} {
			if !strings.Contains(msg, want) {
				t.Errorf("refusal %q does not name %q", msg, want)
			}
		}
		if strings.Contains(msg, "350102201203151239") {
			t.Errorf("the refusal shows the number itself: %q", msg)
		}
		if got, _ := f.db.FindDisclosureByID(ctx, f.school.ID, d.ID); got.State != gongkai.StateDraft {
			t.Fatalf("state %s after a refused submit", got.State)
		}
		// Another school cannot mask it; a parent does not see it.
		if _, err := f.db.MaskDraft(ctx, f.other.ID, d.ID, f.outsider); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("outsider mask: %v", err)
		}
		if _, err := f.db.MaskDraft(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleParent]); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("parent mask: %v", err)
		}
		n, err := f.db.MaskDraft(ctx, f.school.ID, d.ID, clerk)
		if err != nil || n != 2 {
			t.Fatalf("mask: %d, %v", n, err)
		}
		got, _ := f.db.FindDisclosureByID(ctx, f.school.ID, d.ID)
		if !strings.Contains(got.Body, "| 3501**********1239 |") || !strings.Contains(got.Body, "138****5678") || strings.Contains(got.Body, "350102201203151239") {
			t.Fatalf("masked body %q", got.Body)
		}
		if v := got.Versions[len(got.Versions)-1]; v.Body != got.Body {
			t.Errorf("the version keeps %q", v.Body)
		}
		f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
	})
}

func TestPrivacy_Attachments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		clerk := f.actors[gongkai.RoleClerk]
		d := f.rosterDraft(t, "名单见附件。")
		att := &gongkai.Attachment{Filename: "名单.xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			Size: 10, SHA256: strings.Repeat("a", 64), StorageKey: strings.Repeat("a", 64)}
		if err := f.db.AddAttachment(ctx, f.school.ID, d.ID, clerk, att); err != nil {
			t.Fatal(err)
		}
		rep, err := f.db.CheckPrivacy(ctx, f.school.ID, d.ID)
		if err != nil || len(rep.Unscanned) != 1 {
			t.Fatalf("unscanned: %+v, %v", rep, err)
		}
		_, err = f.db.Act(ctx, f.school.ID, d.ID, clerk, gongkai.ActionSubmit, "", nil)
		if !strings.Contains(gongkai.ErrorMessage(err), "附件《名单.xlsx》无法自动检查（尚未检查）") {
			t.Fatalf("submit with an unscanned file: %v", err)
		}
		scan := []gongkai.Finding{{Kind: gongkai.PIIMobile, Masked: "138****5678", Place: "工作表“Sheet1” F3"}}
		for range 2 { // a second scan of the same content replaces the first
			if err := f.db.SaveAttachmentScan(ctx, f.school.ID, att.SHA256, scan); err != nil {
				t.Fatal(err)
			}
		}
		// Another school's file of the same content is not this school's scan.
		if rep, _ := f.db.CheckPrivacy(ctx, f.other.ID, d.ID); rep != nil {
			t.Errorf("another school checks the item: %+v", rep)
		}
		_, err = f.db.Act(ctx, f.school.ID, d.ID, clerk, gongkai.ActionSubmit, "", nil)
		if gongkai.ErrorFields(err)["file"] == "" || !strings.Contains(gongkai.ErrorMessage(err), "附件《名单.xlsx》工作表“Sheet1” F3：手机号码 138****5678") {
			t.Fatalf("submit with a phone in a file: %v", err)
		}
		// Masking does not touch files: the finding stays.
		if n, err := f.db.MaskDraft(ctx, f.school.ID, d.ID, clerk); n != 0 || err != nil {
			t.Fatalf("mask: %d, %v", n, err)
		}
		if err := f.db.RemoveAttachment(ctx, f.school.ID, d.ID, att.ID, clerk); err != nil {
			t.Fatal(err)
		}
		f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
	})
}

func TestPrivacy_PrincipalOverride(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.rosterDraft(t, "资助咨询：王老师 13812345678")
		rep, err := f.db.CheckPrivacy(ctx, f.school.ID, d.ID)
		if err != nil || len(rep.Findings) != 1 {
			t.Fatalf("findings: %+v, %v", rep, err)
		}
		key := rep.Findings[0].Key()
		for _, r := range []gongkai.Role{gongkai.RoleClerk, gongkai.RoleLeader, gongkai.RoleSupervisor} {
			if err := f.db.OverridePrivacy(ctx, f.school.ID, d.ID, f.actors[r], key, "公开的号码"); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
				t.Errorf("%s override: %v, want forbidden", r, err)
			}
		}
		if err := f.db.OverridePrivacy(ctx, f.other.ID, d.ID, f.outsider, key, "公开的号码"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("another school's principal: %v", err)
		}
		principal := f.actors[gongkai.RolePrincipal]
		if err := f.db.OverridePrivacy(ctx, f.school.ID, d.ID, principal, key, "  "); gongkai.ErrorFields(err)["reason"] == "" {
			t.Errorf("override without a reason: %v", err)
		}
		if err := f.db.OverridePrivacy(ctx, f.school.ID, d.ID, principal, "mobile|正文第 9 行|x", "理由"); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("override of no finding: %v", err)
		}
		reason := "该号码是资助办王老师的工作手机，已征得本人同意公开。"
		if err := f.db.OverridePrivacy(ctx, f.school.ID, d.ID, principal, key, reason); err != nil {
			t.Fatal(err)
		}
		f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		// The supervision group sees the override and its reason when
		// they check, and the trail has it.
		rep, err = f.db.CheckPrivacy(ctx, f.school.ID, d.ID)
		if err != nil || len(rep.Findings) != 0 || len(rep.Overrides) != 1 {
			t.Fatalf("after override: %+v, %v", rep, err)
		}
		o := rep.Overrides[0]
		if o.Reason != reason || o.PrincipalName != principal.DisplayName || !o.Current || o.Place != "正文第 1 行" {
			t.Errorf("override %+v", o)
		}
		got, _ := f.db.FindDisclosureByID(ctx, f.school.ID, d.ID)
		found := false
		for _, e := range got.Trail {
			if e.Action == gongkai.ActionOverridePrivacy {
				found = strings.Contains(e.Comment, reason) && strings.Contains(e.Comment, "138****5678") && !strings.Contains(e.Comment, "13812345678")
			}
		}
		if !found {
			t.Errorf("trail %+v lacks the override", got.Trail)
		}
		if err := f.db.OverridePrivacy(ctx, f.school.ID, d.ID, principal, key, reason); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("override after approval: %v", err)
		}
	})
}

func TestPrivacy_SchoolPhoneAllowed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		p := store.SchoolProfile{FullName: "青禾县祥谦小学", Phone: "0591-22345678", AidPhone: "13905911234"}
		if _, err := f.db.UpdateSchoolProfile(ctx, f.actors[gongkai.RolePrincipal], f.school.ID, p); err != nil {
			t.Fatal(err)
		}
		d := f.rosterDraft(t, "资助热线：13905911234，监督电话：0591-22345678。")
		f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		// The same number at another school is somebody's phone.
		other := &gongkai.Disclosure{Title: "名单", Body: "联系 13905911234", Category: "aid", Audience: gongkai.AudiencePublic, PublicityDays: 5, Channels: []gongkai.Channel{"online"}}
		u := f.outsider
		if err := f.db.CreateDisclosure(ctx, f.other.ID, u, other); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Act(ctx, f.other.ID, other.ID, u, gongkai.ActionSubmit, "", nil); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Errorf("another school's item with the number: %v", err)
		}
	})
}

// TestPrivacy_Revision: a revision that brings in an ID number is saved as
// a draft, but its submission is refused like a first one, naming the
// place, and nothing of it reaches the board.
func TestPrivacy_Revision(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.publish(t, "2026年2月份财务收支情况")
		clerk := f.actors[gongkai.RoleClerk]
		if _, err := f.db.Act(ctx, f.school.ID, d.ID, clerk, gongkai.ActionRevise, "补充联系人",
			&store.Revision{Title: d.Title, Body: d.Body + "\n联系人身份证 11010519491231002X"}); err != nil {
			t.Fatalf("start the revision: %v", err)
		}
		_, err := f.db.ActRevision(ctx, f.school.ID, d.ID, clerk, gongkai.ActionSubmit, "")
		if gongkai.ErrorCode(err) != gongkai.EINVALID || !strings.Contains(gongkai.ErrorMessage(err), "正文第 2 行：身份证号 1101**********002X") {
			t.Fatalf("submitting a revision with an ID number: %v", err)
		}
		got, _ := f.db.FindDisclosureByID(ctx, f.school.ID, d.ID)
		if got.Version != 1 || strings.Contains(got.Body, "11010519491231002X") || got.RevisionState != gongkai.StateDraft {
			t.Fatalf("the refused revision moved on: version %d, revision %q", got.Version, got.RevisionState)
		}
	})
}
