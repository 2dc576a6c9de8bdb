package gongkai

// Role is what a user may do in one school, or across a bureau.
type Role string

// School roles. A user may hold several in one school.
const (
	RolePrincipal      Role = "principal"      // 校长: head of the leadership group, signs off (签发)
	RoleLeader         Role = "leader"         // 领导小组成员: reviews drafts
	RoleSupervisor     Role = "supervisor"     // 监督小组: checks before publication
	RoleClerk          Role = "clerk"          // 经办人: drafts and publishes
	RoleStaff          Role = "staff"          // 教职工: reads the internal board
	RoleRepresentative Role = "representative" // 教代会代表
	RoleParent         Role = "parent"         // 家长 / 学生: reads the community board
)

// Bureau roles, over every school of one bureau.
const (
	RoleBureauAdmin Role = "bureau_admin" // 教育局管理员: manages schools and the calendar
	RoleInspector   Role = "inspector"    // 督查员: reads everything, changes nothing
)

// SchoolRoles lists the school roles in the order forms show them.
var SchoolRoles = []Role{RolePrincipal, RoleLeader, RoleSupervisor, RoleClerk, RoleStaff, RoleRepresentative, RoleParent}

// BureauRoles lists the bureau roles.
var BureauRoles = []Role{RoleBureauAdmin, RoleInspector}

// Valid reports whether r is a known school role.
func (r Role) Valid() bool {
	for _, s := range SchoolRoles {
		if r == s {
			return true
		}
	}
	return false
}

// ValidBureau reports whether r is a known bureau role.
func (r Role) ValidBureau() bool { return r == RoleBureauAdmin || r == RoleInspector }

// Label is the Chinese name of the role.
func (r Role) Label() string {
	switch r {
	case RolePrincipal:
		return "校长"
	case RoleLeader:
		return "领导小组"
	case RoleSupervisor:
		return "监督小组"
	case RoleClerk:
		return "经办人"
	case RoleStaff:
		return "教职工"
	case RoleRepresentative:
		return "教代会代表"
	case RoleParent:
		return "家长"
	case RoleBureauAdmin:
		return "教育局管理员"
	case RoleInspector:
		return "督查员"
	}
	return string(r)
}

// isStaffSide reports whether the role belongs to a school's staff (everyone
// but parents), who may read the internal board.
func (r Role) isStaffSide() bool { return r.Valid() && r != RoleParent }

// isWorkflow reports whether the role takes part in the disclosure procedure
// and so may see items before they are published.
func (r Role) isWorkflow() bool {
	switch r {
	case RolePrincipal, RoleLeader, RoleSupervisor, RoleClerk:
		return true
	}
	return false
}
