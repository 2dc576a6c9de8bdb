package store_test

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// fixture is a bureau with two schools and people in every role of the first.
type fixture struct {
	db       *store.DB
	bureau   *gongkai.Bureau
	school   *gongkai.School
	other    *gongkai.School
	actors   map[gongkai.Role]*gongkai.Actor
	outsider *gongkai.Actor // principal and clerk of the other school
	now      time.Time
}

func mustOpen(tb testing.TB, dsn string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), dsn, nil)
	if err != nil {
		tb.Fatalf("open %s: %v", dsn, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func mustFixture(t testing.TB, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	db := mustOpen(t, dsn)
	// Monday 2026-03-02 10:00 Beijing: a plain working week.
	f := &fixture{db: db, now: time.Date(2026, 3, 2, 10, 0, 0, 0, gongkai.Beijing), actors: map[gongkai.Role]*gongkai.Actor{}}
	db.Now = func() time.Time { return f.now }
	days, years := calendar.Seed()
	if err := db.SeedCalendar(ctx, "CN", days, years); err != nil {
		t.Fatal(err)
	}
	f.bureau = &gongkai.Bureau{Name: "青禾县教育局"}
	if err := db.CreateBureau(ctx, f.bureau); err != nil {
		t.Fatal(err)
	}
	f.school = &gongkai.School{BureauID: f.bureau.ID, Slug: "xiangqian", Name: "祥谦小学", Code: "3501210001"}
	if err := db.CreateSchool(ctx, f.school, []string{"办公室", "财务室"}); err != nil {
		t.Fatal(err)
	}
	f.other = &gongkai.School{BureauID: f.bureau.ID, Slug: "kaiwu", Name: "开物小学", Code: "3501210002"}
	if err := db.CreateSchool(ctx, f.other, []string{"办公室"}); err != nil {
		t.Fatal(err)
	}
	for _, r := range gongkai.SchoolRoles {
		u := &gongkai.User{Username: "u-" + string(r), DisplayName: r.Label() + "甲"}
		if err := db.CreateMember(ctx, f.school.ID, u, "x", []gongkai.Role{r}, 0); err != nil {
			t.Fatal(err)
		}
		a, err := db.LoadActor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.actors[r] = a
	}
	u := &gongkai.User{Username: "outsider", DisplayName: "外校校长"}
	if err := db.CreateMember(ctx, f.other.ID, u, "x", []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleClerk}, 0); err != nil {
		t.Fatal(err)
	}
	f.outsider, _ = db.LoadActor(ctx, u.ID)
	return f
}

func (f *fixture) draft(t testing.TB, title string) *gongkai.Disclosure {
	t.Helper()
	d := &gongkai.Disclosure{Title: title, Body: "现将" + title + "的有关情况公布如下：合计 ¥12,000.00 元。", Category: "finance",
		Audience: gongkai.AudiencePublic, PublicityDays: 5, Channels: []gongkai.Channel{"online", "board"}}
	if err := f.db.CreateDisclosure(context.Background(), f.school.ID, f.actors[gongkai.RoleClerk], d); err != nil {
		t.Fatalf("create: %v", err)
	}
	return d
}

func (f *fixture) act(t testing.TB, id int64, r gongkai.Role, a gongkai.Action, comment string) *gongkai.Disclosure {
	t.Helper()
	d, err := f.db.Act(context.Background(), f.school.ID, id, f.actors[r], a, comment, nil)
	if err != nil {
		t.Fatalf("%s by %s: %v", a, r, err)
	}
	return d
}

func (f *fixture) publish(t testing.TB, title string) *gongkai.Disclosure {
	t.Helper()
	d := f.draft(t, title)
	f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
	f.act(t, d.ID, gongkai.RoleLeader, gongkai.ActionComment, "同意公开")
	f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
	f.act(t, d.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
	return f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")
}

func TestDisclosures_Lifecycle(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.draft(t, "关于2026年2月份财务收支情况的公示")

		// Returned at review, then at check, each with its reason.
		f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleLeader], gongkai.ActionReturn, "", nil); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("return without reason: %v, want invalid", err)
		}
		got := f.act(t, d.ID, gongkai.RoleLeader, gongkai.ActionReturn, "请补充支出明细")
		if got.State != gongkai.StateDraft {
			t.Fatalf("after return: %s", got.State)
		}
		f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, d.ID, gongkai.RoleLeader, gongkai.ActionComment, "同意")
		if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleLeader], gongkai.ActionApprove, "", nil); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("approve by leader: %v, want forbidden", err)
		}
		got = f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		if got.SignedBy != f.actors[gongkai.RolePrincipal].ID || got.SignedAt.IsZero() {
			t.Fatalf("signature not recorded: %d %v", got.SignedBy, got.SignedAt)
		}
		if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleClerk], gongkai.ActionPublish, "", nil); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("publish before check: %v, want conflict", err)
		}
		f.act(t, d.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "审核无误")
		got = f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")

		if got.State != gongkai.StatePublished || got.IndexNo != "3501210001/2026-CW-0001" {
			t.Fatalf("published: state %s index %q", got.State, got.IndexNo)
		}
		// Published Monday 2026-03-02 for five working days: to Friday 03-06.
		if s, e := got.PublicityStart.Format("2006-01-02"), got.PublicityEnd.Format("2006-01-02"); s != "2026-03-02" || e != "2026-03-06" {
			t.Fatalf("period %s..%s", s, e)
		}
		wantTrail := []gongkai.Action{gongkai.ActionCreate, gongkai.ActionSubmit, gongkai.ActionReturn, gongkai.ActionSubmit, gongkai.ActionComment,
			gongkai.ActionApprove, gongkai.ActionCheck, gongkai.ActionPublish}
		if len(got.Trail) != len(wantTrail) {
			t.Fatalf("trail has %d steps, want %d", len(got.Trail), len(wantTrail))
		}
		for i, e := range got.Trail {
			if e.Action != wantTrail[i] {
				t.Errorf("trail[%d] = %s, want %s", i, e.Action, wantTrail[i])
			}
		}
		if r := got.Trail[2]; r.Comment != "请补充支出明细" || r.ActorRole != gongkai.RoleLeader || r.ActorName != f.actors[gongkai.RoleLeader].DisplayName {
			t.Errorf("return step recorded as %+v", r)
		}

		// A revision is a new version; the first stays readable.
		if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleClerk], gongkai.ActionRevise, "更正金额", &store.Revision{Body: got.Body}); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("revise without change: %v", err)
		}
		f.now = f.now.AddDate(0, 0, 1)
		rev := f.revise(t, d.ID, "更正收入金额", &store.Revision{Body: "收入 ¥12,500.00 元。"})
		if rev.Version != 2 || len(rev.Versions) != 2 || rev.Versions[0].Body != got.Body || rev.Body != "收入 ¥12,500.00 元。" || rev.IndexNo != got.IndexNo {
			t.Fatalf("revision: version %d, %d versions, body %q, index %q", rev.Version, len(rev.Versions), rev.Body, rev.IndexNo)
		}
		if rev.PublicityEnd.Format("2006-01-02") != "2026-03-09" {
			t.Errorf("revised period ends %s, want 2026-03-09", rev.PublicityEnd.Format("2006-01-02"))
		}

		// The period ends: the sweeper closes the item, once.
		f.now = time.Date(2026, 3, 10, 0, 0, 1, 0, gongkai.Beijing)
		closed, err := f.db.CloseEndedPeriods(ctx)
		if err != nil || len(closed) != 1 || closed[0].ID != d.ID {
			t.Fatalf("close: %v, %d closed", err, len(closed))
		}
		if again, _ := f.db.CloseEndedPeriods(ctx); len(again) != 0 {
			t.Fatalf("closed twice")
		}
		if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[gongkai.RolePrincipal], gongkai.ActionWithdraw, "", nil); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("withdraw without reason: %v", err)
		}
		w := f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionWithdraw, "数据有误，另行公布")
		if w.State != gongkai.StateWithdrawn || w.Reason != "数据有误，另行公布" {
			t.Fatalf("withdrawn: %s %q", w.State, w.Reason)
		}
		a := f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionArchive, "")
		if a.State != gongkai.StateArchived {
			t.Fatalf("archive: %s", a.State)
		}
	})
}

func TestDisclosures_OtherSchoolNotFound(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.draft(t, "草稿")
		if _, err := f.db.FindDisclosureByID(ctx, f.other.ID, d.ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("found through another school: %v", err)
		}
		if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.outsider, gongkai.ActionSubmit, "", nil); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("outsider submit: %v, want not found", err)
		}
		if _, err := f.db.Act(ctx, f.other.ID, d.ID, f.outsider, gongkai.ActionSubmit, "", nil); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("outsider submit via own school: %v, want not found", err)
		}
		// Parents and staff do not see drafts.
		for _, r := range []gongkai.Role{gongkai.RoleParent, gongkai.RoleStaff} {
			if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[r], gongkai.ActionSubmit, "", nil); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
				t.Errorf("%s submit: %v, want not found", r, err)
			}
		}
		if _, err := f.db.FindSchoolBySlug(ctx, "nope"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("unknown school: %v", err)
		}
	})
}

func TestDisclosures_SubmitValidates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := &gongkai.Disclosure{Title: "国家助学金名单", Category: "aid", Audience: gongkai.AudienceCommunity, PublicityDays: 3}
		if err := f.db.CreateDisclosure(ctx, f.school.ID, f.actors[gongkai.RoleClerk], d); err != nil {
			t.Fatalf("a half-filled draft must save: %v", err)
		}
		_, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleClerk], gongkai.ActionSubmit, "", nil)
		fields := gongkai.ErrorFields(err)
		if fields["body"] == "" || fields["publicity_days"] == "" {
			t.Fatalf("submit errors %v, want body and publicity_days", fields)
		}
		if err := f.db.CreateDisclosure(ctx, f.school.ID, f.actors[gongkai.RoleParent], &gongkai.Disclosure{Title: "x"}); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("parent creates: %v", err)
		}
	})
}

func TestDisclosures_BoardAndSearch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		f.publish(t, "关于2026年2月份财务收支情况的公示")
		aid := f.draft(t, "2026年春季学期国家助学金受助学生名单公示")
		_ = aid
		p := f.publish(t, "多媒体教学设备采购结果公示")
		staffOnly := f.draft(t, "教职工绩效工资分配方案")
		staffOnly.Audience = gongkai.AudienceStaff
		if _, err := f.db.UpdateDraft(ctx, f.school.ID, staffOnly.ID, f.actors[gongkai.RoleClerk], staffOnly); err != nil {
			t.Fatal(err)
		}
		f.act(t, staffOnly.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, staffOnly.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		f.act(t, staffOnly.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
		f.act(t, staffOnly.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")

		public := store.DisclosureFilter{Published: true, Audiences: []gongkai.Audience{gongkai.AudiencePublic}}
		items, total, err := f.db.FindDisclosures(ctx, f.school.ID, public)
		if err != nil || total != 2 || len(items) != 2 {
			t.Fatalf("public board: %d/%d %v", len(items), total, err)
		}
		if items[0].ID != p.ID {
			t.Errorf("board not newest first")
		}
		check := func(flt store.DisclosureFilter, q string, want int) {
			t.Helper()
			flt.Query = q
			_, n, err := f.db.FindDisclosures(ctx, f.school.ID, flt)
			if err != nil || n != want {
				t.Errorf("search %q: %d hits, %v; want %d", q, n, err, want)
			}
		}
		check(public, "财务", 1)
		check(public, "采购", 1)
		check(public, "助学", 0) // only a draft has it
		check(public, "公示", 2)
		check(public, "绩效", 0) // staff only
		check(public, "设备 采购", 1)
		check(public, "财", 1)
		check(public, `"; DROP TABLE disclosures; --`, 0)
		staff := store.DisclosureFilter{Published: true, Audiences: gongkai.ReadableAudiences(f.actors[gongkai.RoleStaff], f.bureau.ID, f.school.ID)}
		check(staff, "绩效", 1)
		if _, n, _ := f.db.FindDisclosures(ctx, f.other.ID, staff); n != 0 {
			t.Errorf("other school's board shows %d items", n)
		}
		years, err := f.db.FindDisclosureYears(ctx, f.school.ID)
		if err != nil || len(years) != 1 || years[0] != 2026 {
			t.Errorf("years %v %v", years, err)
		}
	})
}

// TestStore_nulIsInvalid: a NUL character is refused as bad
// input on both databases, never a server error.
func TestStore_nulIsInvalid(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := &gongkai.Disclosure{Title: "标题", Body: "正文\x00后半", Category: "finance"}
		if err := f.db.CreateDisclosure(ctx, f.school.ID, f.actors[gongkai.RoleClerk], d); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("NUL in body: %v, want invalid", err)
		}
		if _, err := f.db.CreateInvitation(ctx, f.school.ID, f.actors[gongkai.RolePrincipal], "一班\x00", 10, time.Hour); gongkai.ErrorCode(err) != gongkai.EINVALID && err != nil {
			t.Fatalf("NUL in invitation label: %v", err)
		}
	})
}
