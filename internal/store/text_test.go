package store_test

import (
	"context"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// A control character in a free-text field is refused the same way on
// SQLite as on PostgreSQL (which cannot store NUL), before any row is
// written.
func TestPeople_controlCharactersRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		principal := f.actors[gongkai.RolePrincipal]
		admin := f.bureauUser(t, "bureau-admin", gongkai.RoleBureauAdmin)
		invalid := func(t *testing.T, what string, err error) {
			t.Helper()
			if gongkai.ErrorCode(err) != gongkai.EINVALID || len(gongkai.ErrorFields(err)) == 0 {
				t.Errorf("%s: %v, want a field error", what, err)
			}
		}
		_, err := f.db.AddMember(ctx, f.school.ID, principal, gongkai.StaffEntry{Username: "wang.nul", DisplayName: "王\x00芳", Roles: []gongkai.Role{gongkai.RoleStaff}}, 0)
		invalid(t, "member's name", err)
		_, _, err = f.db.ImportStaff(ctx, f.school.ID, principal, []gongkai.StaffEntry{{Line: 2, Username: "li.esc", DisplayName: "李\x1b娜", Roles: []gongkai.Role{gongkai.RoleStaff}}})
		if gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Errorf("staff list cell: %v", err)
		}
		_, _, err = f.db.CreateStaffInvitation(ctx, f.school.ID, principal, "新任\x00会计", []gongkai.Role{gongkai.RoleClerk}, 0)
		invalid(t, "invitation label", err)
		_, err = f.db.UpdateSchoolProfile(ctx, principal, f.school.ID, store.SchoolProfile{FullName: "青禾县祥谦小学", OfficeHours: "8:00\x00", Guide: "指南"})
		invalid(t, "profile", err)
		b := *f.bureau
		b.DivisionCode, b.Phone, b.Sponsor = "350121", "0591-22345678", "青禾\x00县人民政府"
		invalid(t, "bureau", f.db.UpdateBureau(ctx, admin, &b))
		_, err = f.db.CreateDepartment(ctx, f.school.ID, "财务\x00室")
		invalid(t, "department", err)
		_, err = f.db.ImportSchools(ctx, admin, f.bureau.ID, []gongkai.SchoolListRow{{Row: 2, School: gongkai.School{Slug: "xinjian", Name: "新建小学", Code: "3501210009", Stage: "小学"},
			PrincipalName: "马\x00俊", PrincipalUsername: "ma.jun"}}, "")
		if gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Errorf("principal's name in the school list: %v", err)
		}
		for _, u := range []string{"wang.nul", "li.esc", "ma.jun"} {
			if _, _, err := f.db.FindUserForLogin(ctx, u); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
				t.Errorf("%s got an account: %v", u, err)
			}
		}
	})
}
