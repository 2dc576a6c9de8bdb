package store_test

import (
	"context"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/testdb"
)

// A deactivated school takes in nobody: no one is added or imported, no
// invitation is made, and one made before is no longer accepted. The roles
// of its people may still be changed.
func TestPeople_deactivatedSchoolTakesNoOne(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		principal := f.actors[gongkai.RolePrincipal]
		_, staffToken, err := f.db.CreateStaffInvitation(ctx, f.school.ID, principal, "", []gongkai.Role{gongkai.RoleStaff}, 0)
		if err != nil {
			t.Fatal(err)
		}
		code, err := f.db.CreateInvitation(ctx, f.school.ID, principal, "三年级二班家长", 10, 7*24*3600e9)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SetSchoolActive(ctx, nil, f.bureau.ID, f.school.ID, false, "撤并"); err != nil {
			t.Fatal(err)
		}
		refused := func(t *testing.T, what string, err error) {
			t.Helper()
			if gongkai.ErrorCode(err) != gongkai.ECONFLICT || !strings.Contains(gongkai.ErrorMessage(err), "祥谦小学已停用") {
				t.Errorf("%s in a deactivated school: %v", what, err)
			}
		}
		_, err = f.db.AddMember(ctx, f.school.ID, principal, gongkai.StaffEntry{Username: "new.teacher", DisplayName: "新教师", Roles: []gongkai.Role{gongkai.RoleStaff}}, 0)
		refused(t, "add a member", err)
		_, _, err = f.db.ImportStaff(ctx, f.school.ID, principal, []gongkai.StaffEntry{{Line: 2, Username: "new.teacher", DisplayName: "新教师", Roles: []gongkai.Role{gongkai.RoleStaff}}})
		refused(t, "import a staff list", err)
		_, _, err = f.db.CreateStaffInvitation(ctx, f.school.ID, principal, "", []gongkai.Role{gongkai.RoleStaff}, 0)
		refused(t, "create a staff invitation", err)
		_, err = f.db.FindStaffInvitation(ctx, staffToken)
		refused(t, "open a staff invitation", err)
		_, err = f.db.AcceptStaffInvitation(ctx, staffToken, 0, &gongkai.User{Username: "joiner", DisplayName: "加入者"}, "x", "h", "", 3600e9)
		refused(t, "accept a staff invitation", err)
		_, err = f.db.AcceptStaffInvitation(ctx, staffToken, f.outsider.ID, nil, "", "", "", 0)
		refused(t, "accept a staff invitation signed in", err)
		_, err = f.db.CreateInvitation(ctx, f.school.ID, principal, "四年级家长", 10, 7*24*3600e9)
		refused(t, "create a parents' code", err)
		_, err = f.db.Join(ctx, code.Code, 0, &gongkai.User{Username: "parent.new", DisplayName: "新家长"}, "x")
		refused(t, "join with a parents' code", err)
		for _, u := range []string{"new.teacher", "joiner", "parent.new"} {
			if _, _, err := f.db.FindUserForLogin(ctx, u); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
				t.Errorf("%s got an account: %v", u, err)
			}
		}
		if a, _ := f.db.LoadActor(ctx, f.outsider.ID); a.IsMember(f.school.ID) {
			t.Error("the outsider joined the deactivated school")
		}
		// Its people's roles may still change.
		staff := f.actors[gongkai.RoleStaff]
		if _, err := f.db.ChangeMemberRoles(ctx, f.school.ID, staff.ID, principal, nil, 0); err != nil {
			t.Errorf("take a member's roles away: %v", err)
		}
	})
}
