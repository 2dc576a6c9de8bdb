package store_test

import (
	"context"
	"slices"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// rolesIn returns the user's roles and department in the school, nil when
// they are not a member.
func rolesIn(t *testing.T, db *store.DB, schoolID, userID int64) ([]gongkai.Role, int64) {
	t.Helper()
	members, err := db.FindMembers(context.Background(), schoolID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.User.ID == userID {
			return m.Roles, m.DepartmentID
		}
	}
	return nil, 0
}

func TestAdmin_ChangeMemberRoles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		depts, err := f.db.FindDepartments(ctx, f.school.ID)
		if err != nil || len(depts) == 0 {
			t.Fatalf("departments: %v %v", depts, err)
		}
		otherDepts, err := f.db.FindDepartments(ctx, f.other.ID)
		if err != nil || len(otherDepts) == 0 {
			t.Fatalf("other departments: %v %v", otherDepts, err)
		}
		staff := f.actors[gongkai.RoleStaff].ID
		principal := f.actors[gongkai.RolePrincipal].ID
		leader := f.actors[gongkai.RoleLeader].ID

		tests := []struct {
			name     string
			user     int64
			roles    []gongkai.Role
			dept     int64
			wantCode string
			// wantRoles is what the user holds afterwards (nil: not a member).
			wantRoles []gongkai.Role
		}{
			{"add a role and a department", staff, []gongkai.Role{gongkai.RoleStaff, gongkai.RoleRepresentative}, depts[0].ID, "", []gongkai.Role{gongkai.RoleRepresentative, gongkai.RoleStaff}},
			{"unknown role", staff, []gongkai.Role{"janitor"}, 0, gongkai.EINVALID, []gongkai.Role{gongkai.RoleRepresentative, gongkai.RoleStaff}},
			{"department of another school", staff, []gongkai.Role{gongkai.RoleStaff}, otherDepts[0].ID, gongkai.EINVALID, []gongkai.Role{gongkai.RoleRepresentative, gongkai.RoleStaff}},
			{"last principal keeps the role", principal, []gongkai.Role{gongkai.RoleLeader}, 0, gongkai.ECONFLICT, []gongkai.Role{gongkai.RolePrincipal}},
			{"last principal cannot leave", principal, nil, 0, gongkai.ECONFLICT, []gongkai.Role{gongkai.RolePrincipal}},
			{"a second principal", leader, []gongkai.Role{gongkai.RoleLeader, gongkai.RolePrincipal}, 0, "", []gongkai.Role{gongkai.RoleLeader, gongkai.RolePrincipal}},
			{"then the first may step down", principal, []gongkai.Role{gongkai.RoleLeader}, 0, "", []gongkai.Role{gongkai.RoleLeader}},
			{"no roles removes the member", staff, nil, 0, "", nil},
			{"not a member of the school", f.outsider.ID, []gongkai.Role{gongkai.RoleStaff}, 0, gongkai.ENOTFOUND, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u, err := f.db.ChangeMemberRoles(ctx, f.school.ID, tt.user, f.actors[gongkai.RolePrincipal], tt.roles, tt.dept)
				if err == nil && u.ID != tt.user {
					t.Errorf("returned user %d, want %d", u.ID, tt.user)
				}
				if code := gongkai.ErrorCode(err); code != tt.wantCode {
					t.Fatalf("error %v, want code %q", err, tt.wantCode)
				}
				got, _ := rolesIn(t, f.db, f.school.ID, tt.user)
				slices.Sort(got)
				want := slices.Clone(tt.wantRoles)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("roles %v, want %v", got, want)
				}
			})
		}
		if _, dept := rolesIn(t, f.db, f.school.ID, leader); dept != 0 {
			t.Errorf("leader got department %d without asking", dept)
		}
		// The outsider's own school is untouched by all this.
		if got, _ := rolesIn(t, f.db, f.other.ID, f.outsider.ID); len(got) != 2 {
			t.Errorf("outsider roles in own school: %v", got)
		}
	})
}

func TestAdmin_AddMemberExisting(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		depts, _ := f.db.FindDepartments(ctx, f.school.ID)
		// Give the staff member a department first: merging must keep it.
		staff := f.actors[gongkai.RoleStaff]
		if _, err := f.db.ChangeMemberRoles(ctx, f.school.ID, staff.ID, nil, []gongkai.Role{gongkai.RoleStaff}, depts[1].ID); err != nil {
			t.Fatal(err)
		}

		admin := f.bureauUser(t, "bureau-admin", gongkai.RoleBureauAdmin)
		principal := f.actors[gongkai.RolePrincipal]
		tests := []struct {
			name        string
			actor       *gongkai.Actor
			username    string
			roles       []gongkai.Role
			dept        int64
			wantCode    string
			wantExisted bool
			wantRoles   []gongkai.Role
			wantDept    int64
		}{
			{"a principal may not name another school's principal", principal, " Outsider ", []gongkai.Role{gongkai.RoleStaff}, depts[0].ID, gongkai.EINVALID, false, nil, 0},
			{"the bureau admin moves someone within the bureau", admin, " Outsider ", []gongkai.Role{gongkai.RoleStaff}, depts[0].ID, "", false, []gongkai.Role{gongkai.RoleStaff}, depts[0].ID},
			{"merged with roles held here", principal, staff.Username, []gongkai.Role{gongkai.RoleRepresentative}, 0, "", true, []gongkai.Role{gongkai.RoleRepresentative, gongkai.RoleStaff}, depts[1].ID},
			{"unknown username without a name", principal, "no.such.user", []gongkai.Role{gongkai.RoleStaff}, 0, gongkai.EINVALID, false, nil, 0},
			{"no role chosen", admin, "outsider", nil, 0, gongkai.EINVALID, false, nil, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				m, err := f.db.AddMember(ctx, f.school.ID, tt.actor, gongkai.StaffEntry{Username: tt.username, Roles: tt.roles}, tt.dept)
				if code := gongkai.ErrorCode(err); code != tt.wantCode {
					t.Fatalf("error %v, want code %q", err, tt.wantCode)
				}
				if err != nil {
					if len(gongkai.ErrorFields(err)) == 0 {
						t.Errorf("a refusal should name its field: %v", err)
					}
					return
				}
				u, existed := m.User, m.WasMember
				if m.Created || m.Token != "" {
					t.Errorf("an existing account got a new one or a link: %+v", m)
				}
				if existed != tt.wantExisted {
					t.Errorf("existed %v, want %v", existed, tt.wantExisted)
				}
				got, dept := rolesIn(t, f.db, f.school.ID, u.ID)
				slices.Sort(got)
				if !slices.Equal(got, tt.wantRoles) || dept != tt.wantDept {
					t.Errorf("roles %v dept %d, want %v dept %d", got, dept, tt.wantRoles, tt.wantDept)
				}
			})
		}
		// The outsider now belongs to both schools, with their roles at home kept.
		a, err := f.db.LoadActor(ctx, f.outsider.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !a.HasRole(f.school.ID, gongkai.RoleStaff) || !a.HasRole(f.other.ID, gongkai.RolePrincipal) || !a.HasRole(f.other.ID, gongkai.RoleClerk) {
			t.Errorf("outsider memberships %+v", a.Memberships)
		}
	})
}
