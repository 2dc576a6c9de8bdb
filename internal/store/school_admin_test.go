package store_test

import (
	"context"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// bureauAdmin makes the fixture's bureau administrator (catalogue_test.go).
func (f *fixture) bureauAdmin(t *testing.T) *gongkai.Actor { return bureauAdmin(t, f) }

func newSchool(f *fixture) *gongkai.School {
	return &gongkai.School{BureauID: f.bureau.ID, Slug: "yuanba", Name: "元坝镇中心小学", FullName: "青禾县元坝镇中心小学",
		Code: "3136003305", CreditCode: "91110108551385082Q", Stage: "小学", Address: "青禾县元坝镇新街12号", Phone: "0598-5550268"}
}

func TestSchools_Register(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		admin := f.bureauAdmin(t)
		required := canteen()
		must(t, f.db.SaveBureauCatalogueItem(ctx, f.bureau.ID, admin, &required))
		s := newSchool(f)
		if err := f.db.RegisterSchool(ctx, f.actors[gongkai.RolePrincipal], s); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("a principal registered a school: %v", err)
		}
		if err := f.db.RegisterSchool(ctx, admin, s); err != nil {
			t.Fatal(err)
		}
		// The catalogue, the bureau's items and the obligations at once.
		cat, err := f.db.FindCatalogue(ctx, s.ID)
		if err != nil || len(cat) != len(gongkai.DefaultCatalogue)+1 || cat[len(cat)-1].Code != required.Code || !cat[len(cat)-1].Required {
			t.Fatalf("catalogue of the new school: %d items, %v", len(cat), err)
		}
		if obs, _ := f.db.FindObligations(ctx, s.ID, store.ObligationFilter{CatalogueCode: required.Code}); len(obs) == 0 {
			t.Error("no obligations of the bureau's required item at once")
		}
		obs, err := f.db.FindObligations(ctx, s.ID, store.ObligationFilter{CatalogueCode: "monthly-finance"})
		if err != nil || len(obs) == 0 {
			t.Fatalf("a new school has no monthly obligations at once: %v", err)
		}
		if obs[0].Due.Before(f.now.AddDate(0, 0, -1)) {
			t.Errorf("first obligation due %s, before the school existed", obs[0].Due)
		}
		depts, _ := f.db.FindDepartments(ctx, s.ID)
		if len(depts) == 0 {
			t.Error("a new school has no departments")
		}
		log, _, err := f.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: s.ID})
		if err != nil || len(log) != 1 || log[0].Action != gongkai.AdminSchoolCreated || log[0].ActorName != "管理员" ||
			!strings.Contains(log[0].Detail, "学校标识码：（空） → 3136003305") {
			t.Fatalf("admin log = %+v, %v", log, err)
		}

		// Bad input names its field: 409 for a value another school has,
		// 422 for a value that is wrong.
		tests := []struct {
			name   string
			change func(*gongkai.School)
			code   string
			field  string
		}{
			{"duplicate slug", func(x *gongkai.School) { x.Slug = "yuanba" }, gongkai.ECONFLICT, "slug"},
			{"duplicate slug of the fixture", func(x *gongkai.School) { x.Slug = "kaiwu" }, gongkai.ECONFLICT, "slug"},
			{"duplicate code", func(x *gongkai.School) { x.Code = "3136003305" }, gongkai.ECONFLICT, "code"},
			{"duplicate credit code", func(x *gongkai.School) { x.CreditCode = "91110108551385082q" }, gongkai.ECONFLICT, "credit_code"},
			{"wrong check character", func(x *gongkai.School) { x.CreditCode = "91110108551385082R" }, gongkai.EINVALID, "credit_code"},
			{"phone with letters", func(x *gongkai.School) { x.Phone = "0598-555O268" }, gongkai.EINVALID, "phone"},
			{"code of nine digits", func(x *gongkai.School) { x.Code = "313600330" }, gongkai.EINVALID, "code"},
			{"no stage", func(x *gongkai.School) { x.Stage = "" }, gongkai.EINVALID, "stage"},
			{"a wrong code and a taken slug, both at once", func(x *gongkai.School) { x.Code, x.Slug = "1", "yuanba" }, gongkai.EINVALID, "slug"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				x := &gongkai.School{BureauID: f.bureau.ID, Slug: "xinjie", Name: "新街小学", Code: "3136009901", Stage: "小学",
					CreditCode: "9144030071526726XG"}
				tt.change(x)
				err := f.db.RegisterSchool(ctx, admin, x)
				if gongkai.ErrorCode(err) != tt.code || gongkai.ErrorFields(err)[tt.field] == "" {
					t.Fatalf("RegisterSchool = %v, want %s on %s", err, tt.code, tt.field)
				}
			})
		}
		// The same code in another bureau is another school's business.
		far := &gongkai.Bureau{Name: "邻县教育局"}
		must(t, f.db.CreateBureau(ctx, far))
		twin := newSchool(f)
		twin.BureauID, twin.Slug = far.ID, "linxian-yuanba"
		if err := f.db.RegisterSchool(ctx, nil, twin); err != nil {
			t.Errorf("the same codes in another bureau: %v", err)
		}
		if err := f.db.RegisterSchool(ctx, admin, &gongkai.School{BureauID: far.ID, Slug: "zz", Name: "外县", Code: "1234567890", Stage: "小学"}); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("an administrator registered a school in another bureau: %v", err)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSchools_Update(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		admin := f.bureauAdmin(t)
		s := newSchool(f)
		must(t, f.db.RegisterSchool(ctx, admin, s))
		upd := *s
		upd.Phone, upd.Stage = "0598-5550269", "九年一贯制学校"
		got, err := f.db.UpdateSchool(ctx, admin, f.bureau.ID, s.ID, &upd)
		if err != nil || got.Phone != "0598-5550269" {
			t.Fatalf("UpdateSchool = %+v, %v", got, err)
		}
		again, _ := f.db.FindSchoolBySlug(ctx, "yuanba")
		if again.Phone != "0598-5550269" || again.Stage != "九年一贯制学校" {
			t.Errorf("saved %+v", again)
		}
		log, _, _ := f.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: s.ID, Action: gongkai.AdminSchoolUpdated})
		if len(log) != 1 || log[0].Detail != "学段：小学 → 九年一贯制学校\n监督电话：0598-5550268 → 0598-5550269" {
			t.Fatalf("admin log = %+v", log)
		}
		// Nothing changed: nothing logged.
		if _, err := f.db.UpdateSchool(ctx, admin, f.bureau.ID, s.ID, again); err != nil {
			t.Fatal(err)
		}
		if log, _, _ := f.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: s.ID, Action: gongkai.AdminSchoolUpdated}); len(log) != 1 {
			t.Errorf("an update without change was logged: %+v", log)
		}
		// Another school's slug and code.
		upd.Slug, upd.Code = "kaiwu", "3501210002"
		_, err = f.db.UpdateSchool(ctx, admin, f.bureau.ID, s.ID, &upd)
		if gongkai.ErrorCode(err) != gongkai.ECONFLICT || gongkai.ErrorFields(err)["slug"] == "" || !strings.Contains(gongkai.ErrorFields(err)["code"], "开物小学") {
			t.Fatalf("conflict = %v", err)
		}
		// Of another bureau: not found.
		if _, err := f.db.UpdateSchool(ctx, admin, f.bureau.ID+100, s.ID, again); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("update in another bureau: %v", err)
		}
	})
}

func TestSchools_DeactivateReactivate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		admin := f.bureauAdmin(t)
		before, _ := f.db.FindObligations(ctx, f.school.ID, store.ObligationFilter{})
		if _, err := f.db.EnsureObligations(ctx, f.school.ID, f.now, f.now.AddDate(0, 3, 0)); err != nil {
			t.Fatal(err)
		}
		open, _ := f.db.FindObligations(ctx, f.school.ID, store.ObligationFilter{})
		if len(open) <= len(before) {
			t.Fatal("no obligations to drop")
		}
		s, err := f.db.SetSchoolActive(ctx, admin, f.bureau.ID, f.school.ID, false, "与开物小学合并")
		if err != nil || s.Active() {
			t.Fatalf("deactivate: %+v %v", s, err)
		}
		if _, err := f.db.SetSchoolActive(ctx, admin, f.bureau.ID, f.school.ID, false, ""); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("deactivated twice: %v", err)
		}
		// Not listed; still found by its slug, for its board.
		listed, _ := f.db.FindActiveSchools(ctx, f.bureau.ID)
		for _, x := range listed {
			if x.ID == f.school.ID {
				t.Error("a deactivated school is listed")
			}
		}
		if got, err := f.db.FindSchoolBySlug(ctx, "xiangqian"); err != nil || got.Active() {
			t.Errorf("by slug: %+v %v", got, err)
		}
		// Its forecast obligations are gone and none are created.
		obs, _ := f.db.FindObligations(ctx, f.school.ID, store.ObligationFilter{})
		for _, o := range obs {
			if o.Due.After(f.now) && o.Open() {
				t.Errorf("obligation %s %s due %s stayed", o.CatalogueCode, o.PeriodKey, o.Due)
			}
		}
		if n, err := f.db.EnsureObligations(ctx, f.school.ID, f.now, f.now.AddDate(0, 3, 0)); n != 0 || err != nil {
			t.Errorf("EnsureObligations for a deactivated school: %d, %v", n, err)
		}
		// No new drafts, no feedback.
		d := &gongkai.Disclosure{Title: "停用后的公示", Body: "x", Category: "finance", Audience: gongkai.AudiencePublic}
		if err := f.db.CreateDisclosure(ctx, f.school.ID, f.actors[gongkai.RoleClerk], d); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("draft at a deactivated school: %v", err)
		}
		if _, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "建议", Body: "建议增加图书角。", SenderName: "家长"}); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("feedback to a deactivated school: %v", err)
		}

		// Reactivated: listed, obligations of the coming months again.
		f.now = f.now.AddDate(0, 1, 0)
		s, err = f.db.SetSchoolActive(ctx, admin, f.bureau.ID, f.school.ID, true, "")
		if err != nil || !s.Active() {
			t.Fatalf("reactivate: %v", err)
		}
		obs, _ = f.db.FindObligations(ctx, f.school.ID, store.ObligationFilter{CatalogueCode: "monthly-finance"})
		found := false
		for _, o := range obs {
			if o.Due.After(f.now) {
				found = true
			}
		}
		if !found {
			t.Error("a reactivated school has no obligations ahead")
		}
		if _, err := f.db.SetSchoolActive(ctx, admin, f.bureau.ID, f.school.ID, true, ""); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("reactivated twice: %v", err)
		}
		if _, err := f.db.SetSchoolActive(ctx, f.actors[gongkai.RolePrincipal], f.bureau.ID, f.school.ID, false, ""); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("a principal deactivated the school: %v", err)
		}
		log, _, _ := f.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: f.school.ID})
		if len(log) != 2 || log[0].Action != gongkai.AdminSchoolReactivate || log[1].Action != gongkai.AdminSchoolDeactivate || log[1].Detail != "说明：与开物小学合并" {
			t.Fatalf("admin log = %+v", log)
		}
	})
}

func TestSchools_Profile(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		p := store.SchoolProfile{FullName: "青禾县祥谦小学", Address: "祥谦街56号", Phone: "0598-5550117", AdmissionPhone: "0598-5550118",
			AidPhone: "0598-5550119", OfficeHours: "周一至周五 8:00–17:30", Guide: "## 转学\n\n携带户口簿到教导处办理。"}
		if _, err := f.db.UpdateSchoolProfile(ctx, f.actors[gongkai.RoleClerk], f.school.ID, p); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("a clerk edited the profile: %v", err)
		}
		if _, err := f.db.UpdateSchoolProfile(ctx, f.outsider, f.school.ID, p); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("another school's principal edited the profile: %v", err)
		}
		bad := p
		bad.AidPhone = "资助热线见公告"
		if _, err := f.db.UpdateSchoolProfile(ctx, f.actors[gongkai.RolePrincipal], f.school.ID, bad); gongkai.ErrorFields(err)["aid_phone"] == "" {
			t.Fatalf("bad aid phone: %v", err)
		}
		s, err := f.db.UpdateSchoolProfile(ctx, f.actors[gongkai.RolePrincipal], f.school.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := f.db.FindSchoolByID(ctx, s.ID)
		if got.AdmissionPhone != "0598-5550118" || got.Guide != p.Guide || got.OfficeHours != p.OfficeHours || got.Name != "祥谦小学" {
			t.Errorf("saved %+v", got)
		}
		log, _, _ := f.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: f.school.ID})
		if len(log) != 1 || !strings.Contains(log[0].Detail, "招生咨询电话：（空） → 0598-5550118") || log[0].ActorName != f.actors[gongkai.RolePrincipal].DisplayName {
			t.Fatalf("admin log = %+v", log)
		}
	})
}

func TestSchools_Import(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		admin := f.bureauAdmin(t)
		rows := []gongkai.SchoolListRow{
			{Row: 2, School: gongkai.School{Slug: "yuanba", Name: "元坝镇中心小学", Code: "3136003305", Stage: "小学"}, PrincipalName: "马俊杰", PrincipalUsername: "yuanba.principal"},
			{Row: 3, School: gongkai.School{Slug: "pingan", Name: "平安职业技术学校", Code: "3136004401", Stage: "中等职业学校"}, PrincipalName: "外校校长", PrincipalUsername: "outsider"},
			{Row: 4, School: gongkai.School{Slug: "kaiwu", Name: "开物小学二部", Code: "3136001299", Stage: "小学"}},
		}
		// One row clashes with an existing school: nothing is imported.
		_, err := f.db.ImportSchools(ctx, admin, f.bureau.ID, rows, "")
		if gongkai.ErrorCode(err) != gongkai.EINVALID || !strings.Contains(gongkai.ErrorMessage(err), "第4行") {
			t.Fatalf("import with a clash: %v", err)
		}
		if _, err := f.db.FindSchoolBySlug(ctx, "yuanba"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("a row was imported from a refused list: %v", err)
		}
		if _, _, err := f.db.FindUserForLogin(ctx, "yuanba.principal"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("a principal was created from a refused list: %v", err)
		}
		rows[2].School.Slug = "kaiwu-2"
		out, err := f.db.ImportSchools(ctx, admin, f.bureau.ID, rows, "")
		if err != nil || len(out) != 3 {
			t.Fatalf("import: %v", err)
		}
		if !out[0].NewPrincipal || out[1].NewPrincipal || out[2].Principal != "" {
			t.Errorf("principals: %+v %+v %+v", out[0], out[1], out[2])
		}
		// A new principal cannot sign in until they set a password.
		u, hash, err := f.db.FindUserForLogin(ctx, "yuanba.principal")
		if err != nil || u.DisplayName != "马俊杰" || strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("new principal %+v %q %v", u, hash, err)
		}
		a, _ := f.db.LoadActor(ctx, u.ID)
		if !a.HasRole(out[0].School.ID, gongkai.RolePrincipal) {
			t.Error("the new account is not principal of the school")
		}
		// The members page tells the new principal (no password yet) from
		// the existing account.
		for i, want := range []bool{true, false} {
			ms, err := f.db.FindMembers(ctx, out[i].School.ID)
			if err != nil || len(ms) != 1 || ms[0].NoPassword != want {
				t.Errorf("members of %s: %+v %v, want NoPassword %v", out[i].School.Slug, ms, err, want)
			}
		}
		outsider, _ := f.db.LoadActor(ctx, f.outsider.ID)
		if !outsider.HasRole(out[1].School.ID, gongkai.RolePrincipal) || !outsider.HasRole(f.other.ID, gongkai.RolePrincipal) {
			t.Error("the existing account did not become principal there too")
		}
		obs, _ := f.db.FindObligations(ctx, out[1].School.ID, store.ObligationFilter{})
		if len(obs) == 0 {
			t.Error("an imported school has no obligations")
		}
		log, total, _ := f.db.FindAdminLog(ctx, store.AdminLogFilter{BureauID: f.bureau.ID, Action: gongkai.AdminSchoolsImported})
		if total != 3 || !strings.Contains(log[2].Detail, "校长：马俊杰（yuanba.principal）") {
			t.Fatalf("admin log %d %+v", total, log)
		}
	})
}

func TestSchools_StagedImport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		admin := f.bureauAdmin(t)
		token, err := f.db.StageSchoolImport(ctx, f.bureau.ID, admin.ID, "名单.xlsx", []byte("PK data"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.FindSchoolImport(ctx, f.bureau.ID, f.actors[gongkai.RolePrincipal].ID, token); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("another user read the staged list: %v", err)
		}
		st, err := f.db.FindSchoolImport(ctx, f.bureau.ID, admin.ID, token)
		if err != nil || string(st.Data) != "PK data" || st.Filename != "名单.xlsx" || len(st.SHA256) != 64 {
			t.Fatalf("staged %+v %v", st, err)
		}
		rows := []gongkai.SchoolListRow{{Row: 2, School: gongkai.School{Slug: "yuanba", Name: "元坝镇中心小学", Code: "3136003305", Stage: "小学"}}}
		if _, err := f.db.ImportSchools(ctx, admin, f.bureau.ID, rows, token); err != nil {
			t.Fatal(err)
		}
		rows[0].School.Slug, rows[0].School.Code = "yuanba2", "3136003306"
		if _, err := f.db.ImportSchools(ctx, admin, f.bureau.ID, rows, token); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("a staged list imported twice: %v", err)
		}
		// A day later the upload is gone.
		token2, _ := f.db.StageSchoolImport(ctx, f.bureau.ID, admin.ID, "b.xlsx", []byte("x"))
		f.now = f.now.Add(25 * 60 * 60 * 1e9)
		if _, err := f.db.FindSchoolImport(ctx, f.bureau.ID, admin.ID, token2); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("an old upload: %v", err)
		}
	})
}
