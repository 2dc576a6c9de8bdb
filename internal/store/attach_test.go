package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// A principal cannot take an existing account into their school by typing
// its username (by hand, in a staff list): the person joins only by
// accepting a staff invitation while signed in. The refusal does not name
// the person. A bureau administrator may move accounts within the bureau,
// never another bureau's.
func TestPeople_attachNeedsConsent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		principal := f.actors[gongkai.RolePrincipal]
		admin := f.bureauUser(t, "bureau-admin", gongkai.RoleBureauAdmin)

		// An account whose roles were all removed, and one of another bureau.
		orphan := &gongkai.User{Username: "former.teacher", DisplayName: "离任教师丙"}
		if err := f.db.CreateUser(ctx, orphan, "x"); err != nil {
			t.Fatal(err)
		}
		far := &gongkai.Bureau{Name: "远山县教育局"}
		if err := f.db.CreateBureau(ctx, far); err != nil {
			t.Fatal(err)
		}
		farSchool := &gongkai.School{BureauID: far.ID, Slug: "yuanshan", Name: "远山小学", Code: "3501220001"}
		if err := f.db.CreateSchool(ctx, farSchool, nil); err != nil {
			t.Fatal(err)
		}
		farTeacher := &gongkai.User{Username: "far.teacher", DisplayName: "远山教师丁"}
		if err := f.db.CreateMember(ctx, farSchool.ID, farTeacher, "x", []gongkai.Role{gongkai.RoleStaff}, 0); err != nil {
			t.Fatal(err)
		}

		refused := func(t *testing.T, err error, name string) {
			t.Helper()
			msg := gongkai.ErrorFields(err)["username"]
			if gongkai.ErrorCode(err) != gongkai.EINVALID || msg == "" {
				t.Fatalf("error %v, want a field error on username", err)
			}
			if strings.Contains(gongkai.ErrorMessage(err)+msg, name) {
				t.Errorf("the refusal names the person: %q", msg)
			}
		}
		for _, tt := range []struct {
			name  string
			actor *gongkai.Actor
			user  *gongkai.User
		}{
			{"principal, account of no school", principal, orphan},
			{"principal, principal of another school", principal, &f.outsider.User},
			{"principal, another bureau's teacher", principal, farTeacher},
			{"bureau admin, account of no school", admin, orphan},
			{"bureau admin, another bureau's teacher", admin, farTeacher},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.db.AddMember(ctx, f.school.ID, tt.actor, gongkai.StaffEntry{Username: tt.user.Username, Roles: []gongkai.Role{gongkai.RoleParent}}, 0)
				refused(t, err, tt.user.DisplayName)
				if msg := gongkai.ErrorFields(err)["username"]; tt.actor == principal && msg != gongkai.AttachByInvitation {
					t.Errorf("principal told %q", msg)
				}
				entries := []gongkai.StaffEntry{{Line: 2, Username: tt.user.Username, Roles: []gongkai.Role{gongkai.RoleStaff}}}
				plans, err := f.db.PlanStaffImport(ctx, f.school.ID, tt.actor, entries)
				if err != nil {
					t.Fatal(err)
				}
				if plans[0].Problems["username"] == "" || plans[0].Existing != nil {
					t.Errorf("preview: problems %v, existing %v", plans[0].Problems, plans[0].Existing)
				}
				if _, _, err := f.db.ImportStaff(ctx, f.school.ID, tt.actor, entries); gongkai.ErrorCode(err) != gongkai.EINVALID {
					t.Errorf("import: %v", err)
				}
				a, err := f.db.LoadActor(ctx, tt.user.ID)
				if err != nil {
					t.Fatal(err)
				}
				if a.IsMember(f.school.ID) {
					t.Fatal("the account was attached")
				}
			})
		}

		// The bureau's school list may name a principal of the bureau, not
		// another bureau's teacher.
		row := func(slug, code, username string) gongkai.SchoolListRow {
			return gongkai.SchoolListRow{Row: 2, School: gongkai.School{Slug: slug, Name: "新建小学", Code: code, Stage: "小学"}, PrincipalName: "某人", PrincipalUsername: username}
		}
		if _, err := f.db.ImportSchools(ctx, admin, f.bureau.ID, []gongkai.SchoolListRow{row("xinjian", "3501210009", farTeacher.Username)}, ""); gongkai.ErrorCode(err) != gongkai.EINVALID || strings.Contains(gongkai.ErrorMessage(err), farTeacher.DisplayName) {
			t.Fatalf("another bureau's teacher named principal: %v", err)
		}
		conflicts, err := f.db.CheckSchoolList(ctx, admin, f.bureau.ID, []gongkai.SchoolListRow{row("xinjian", "3501210009", orphan.Username)})
		if err != nil || conflicts[2]["principal_username"] == "" {
			t.Fatalf("preview of an account of no school named principal: %v %v", conflicts, err)
		}
		out, err := f.db.ImportSchools(ctx, admin, f.bureau.ID, []gongkai.SchoolListRow{row("xinjian", "3501210009", "outsider")}, "")
		if err != nil || len(out) != 1 || out[0].NewPrincipal {
			t.Fatalf("a principal of the bureau named for a new school: %v %+v", err, out)
		}

		// Consent: signed in, the person accepts an invitation and joins.
		_, token, err := f.db.CreateStaffInvitation(ctx, f.school.ID, principal, "", []gongkai.Role{gongkai.RoleStaff}, 0)
		if err != nil {
			t.Fatal(err)
		}
		inv, err := f.db.AcceptStaffInvitation(ctx, token, farTeacher.ID, nil, "", "", "", 0)
		if err != nil {
			t.Fatalf("accept signed in: %v", err)
		}
		if inv.UsedByName != farTeacher.DisplayName {
			t.Errorf("used by %q", inv.UsedByName)
		}
		a, _ := f.db.LoadActor(ctx, farTeacher.ID)
		if !a.HasRole(f.school.ID, gongkai.RoleStaff) || !a.HasRole(farSchool.ID, gongkai.RoleStaff) {
			t.Errorf("memberships after accepting %+v", a.Memberships)
		}
		invs, err := f.db.FindStaffInvitations(ctx, f.school.ID)
		if err != nil || len(invs) != 1 || invs[0].UsedByName != farTeacher.DisplayName {
			t.Fatalf("invitation list: %v %+v", err, invs)
		}
		log, _, err := f.db.FindAdminLog(ctx, store.AdminLogFilter{BureauID: f.bureau.ID, SchoolID: f.school.ID, Action: gongkai.AdminMemberAdded})
		if err != nil || len(log) != 1 || log[0].ActorID != farTeacher.ID || !strings.Contains(log[0].Subject, farTeacher.Username) {
			t.Fatalf("admin log: %v %+v", err, log)
		}
		// Their account stays their own: this principal cannot reset it.
		if _, err := f.db.ResetPassword(ctx, f.school.ID, farTeacher.ID, principal); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("principal resets the joined teacher's password: %v", err)
		}
	})
}

// The schools list names no deactivated principal.
func TestPeople_findPrincipalsActiveOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		admin := f.bureauUser(t, "bureau-admin", gongkai.RoleBureauAdmin)
		// The other school gets a second principal, so the first may go.
		second := &gongkai.User{Username: "second.head", DisplayName: "副校长乙"}
		if err := f.db.CreateMember(ctx, f.other.ID, second, "x", []gongkai.Role{gongkai.RolePrincipal}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SetAccountActive(ctx, f.other.ID, f.outsider.ID, admin, false); err != nil {
			t.Fatal(err)
		}
		got, err := f.db.FindPrincipals(ctx, f.bureau.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got[f.other.ID][1] != "second.head" {
			t.Errorf("principal of the other school: %v, want the active one", got[f.other.ID])
		}
		if got[f.school.ID][1] != "u-principal" {
			t.Errorf("principal of the school: %v", got[f.school.ID])
		}
	})
}

// A bureau administrator cannot deactivate the principal of two schools
// while either would be left without a principal, whichever school's page
// the action comes from.
func TestPeople_deactivateKeepsEverySchoolsPrincipal(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		admin := f.bureauUser(t, "bureau-admin", gongkai.RoleBureauAdmin)
		// The outsider, sole principal of the other school, also heads this
		// one, which keeps its own principal too.
		if _, err := f.db.AddMember(ctx, f.school.ID, admin, gongkai.StaffEntry{Username: "outsider", Roles: []gongkai.Role{gongkai.RolePrincipal}}, 0); err != nil {
			t.Fatal(err)
		}
		_, err := f.db.SetAccountActive(ctx, f.school.ID, f.outsider.ID, admin, false)
		if gongkai.ErrorCode(err) != gongkai.ECONFLICT || !strings.Contains(gongkai.ErrorMessage(err), "开物小学") {
			t.Fatalf("deactivate the other school's last principal from this school: %v", err)
		}
		if u, _ := f.db.FindUserByID(ctx, f.outsider.ID); u.Disabled {
			t.Fatal("the other school was left without a principal")
		}
		// With a second principal there, the account may go.
		second := &gongkai.User{Username: "second.head", DisplayName: "副校长乙"}
		if err := f.db.CreateMember(ctx, f.other.ID, second, "x", []gongkai.Role{gongkai.RolePrincipal}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SetAccountActive(ctx, f.school.ID, f.outsider.ID, admin, false); err != nil {
			t.Fatalf("deactivate with a principal left at both schools: %v", err)
		}
	})
}

// A set-password link records who made it: the principal who added the
// person, the one who reset the password, nobody for the command line.
func TestPeople_passwordLinkMaker(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		principal := f.actors[gongkai.RolePrincipal]
		m, err := f.db.AddMember(ctx, f.school.ID, principal, gongkai.StaffEntry{Username: "wang.fang", DisplayName: "王芳", Roles: []gongkai.Role{gongkai.RoleStaff}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(time.Minute)
		if _, err := f.db.ResetPassword(ctx, f.school.ID, m.User.ID, principal); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(time.Minute)
		if _, err := f.db.ResetPasswordByUsername(ctx, "wang.fang"); err != nil {
			t.Fatal(err)
		}
		got, err := f.db.PasswordLinkMakersForTest(ctx, m.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{principal.ID, principal.ID, 0}; !slices.Equal(got, want) {
			t.Errorf("links made by %v, want %v", got, want)
		}
	})
}

// An uploaded school list, which holds principals' names, is deleted by
// housekeeping once its day is over, even if nobody uploads again.
func TestSchools_stagedImportsExpire(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		admin := f.bureauUser(t, "bureau-admin", gongkai.RoleBureauAdmin)
		if _, err := f.db.StageSchoolImport(ctx, f.bureau.ID, admin.ID, "名单.xlsx", []byte("PK 校长 马俊杰")); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(23 * time.Hour)
		if n, err := f.db.DeleteExpiredSchoolImports(ctx); err != nil || n != 0 {
			t.Fatalf("within the day: deleted %d, %v", n, err)
		}
		f.now = f.now.Add(2 * time.Hour)
		if n, err := f.db.DeleteExpiredSchoolImports(ctx); err != nil || n != 1 {
			t.Fatalf("after the day: deleted %d, %v; want the list gone", n, err)
		}
	})
}
