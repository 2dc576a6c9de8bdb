package gongkai

import "testing"

// TestMember_ActorIn: a member acts in the school with their roles there
// and nothing else, even when the account also holds a bureau role.
func TestMember_ActorIn(t *testing.T) {
	school := &School{ID: 3, BureauID: 1}
	m := &Member{User: User{ID: 7, BureauID: 1, BureauRole: RoleBureauAdmin}, Roles: []Role{RoleClerk, RoleLeader}, DepartmentID: 5}
	a := m.ActorIn(school)
	if a.BureauRole != "" || a.Oversees(1) {
		t.Fatal("the member keeps the account's bureau role")
	}
	for _, r := range []Role{RoleClerk, RoleLeader} {
		if !a.HasRole(3, r) {
			t.Errorf("member lacks %s", r)
		}
	}
	if a.HasRole(3, RolePrincipal) || a.HasRole(4, RoleClerk) {
		t.Error("the member has a role they do not hold")
	}
	if !CanCreateDisclosure(a, 3) || CanCreateDisclosure(a, 4) {
		t.Error("the member acts as clerk outside their school, or not in it")
	}
}
