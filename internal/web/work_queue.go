package web

import (
	"slices"

	"gongkai"
)

// ownQueues are, for each role, the headings of the work page that are its
// own work: the page shows them first, before the feedback, the orders and
// what others wait for.
var ownQueues = map[gongkai.Role][]string{
	gongkai.RolePrincipal:  {"sign"},
	gongkai.RoleLeader:     {"review"},
	gongkai.RoleSupervisor: {"check"},
	gongkai.RoleClerk:      {"returned", "publish"},
}

// ownQueue reports whether the heading key is the own work of one of the
// roles.
func ownQueue(roles []gongkai.Role, key string) bool {
	for _, r := range roles {
		if slices.Contains(ownQueues[r], key) {
			return true
		}
	}
	return false
}

// actorRoles are the roles the reader holds in any school.
func (p *workPage) actorRoles() []gongkai.Role {
	var roles []gongkai.Role
	if p.Actor == nil {
		return nil
	}
	for _, m := range p.Actor.Memberships {
		if !slices.Contains(roles, m.Role) {
			roles = append(roles, m.Role)
		}
	}
	return roles
}

// OwnGroups are the headings with rows that are the reader's own queue
// (待签发 for the principal, 待审核 for the supervision group, 待审议 for the
// leaders, returned drafts for the clerk), in the order of the procedure.
func (p *workPage) OwnGroups() []workGroupView { return p.groupsWhere(true) }

// OtherGroups are the remaining headings with rows, in the order of the
// procedure.
func (p *workPage) OtherGroups() []workGroupView { return p.groupsWhere(false) }

// workGroupView is a heading of the work queue with its page, for the
// template "work-group".
type workGroupView struct {
	P *workPage
	G *workGroup
}

func (p *workPage) groupsWhere(own bool) []workGroupView {
	roles := p.actorRoles()
	var out []workGroupView
	for _, g := range p.Groups {
		if len(g.Rows) > 0 && ownQueue(roles, g.Key) == own {
			out = append(out, workGroupView{P: p, G: g})
		}
	}
	return out
}
