package demo

import "gongkai"

// Account is a demo user as the login page of a demo lists it.
type Account struct {
	Group      string // the bureau's or the school's name
	Username   string
	Roles      []gongkai.Role
	Department string
}

// Accounts lists every demo user, the bureau's first, then each school's in
// the order of Schools; the password of each is Password.
func Accounts() []Account {
	b := Bureau().Name
	out := []Account{
		{Group: b, Username: "bureau.admin", Roles: []gongkai.Role{gongkai.RoleBureauAdmin}},
		{Group: b, Username: "bureau.inspector", Roles: []gongkai.Role{gongkai.RoleInspector}},
	}
	for _, s := range Schools() {
		for _, p := range s.People {
			out = append(out, Account{Group: s.Name, Username: s.Slug + "." + p.Login, Roles: p.Roles, Department: p.Department})
		}
	}
	return out
}
