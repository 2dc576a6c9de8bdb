package gongkai

import "time"

// AdminAction names one kind of administrative change in the admin log.
type AdminAction string

// The administrative changes the admin log records.
const (
	AdminSetup            AdminAction = "setup"              // the county was set up
	AdminBureauUpdated    AdminAction = "bureau.updated"     // the bureau's particulars
	AdminSchoolCreated    AdminAction = "school.created"     // one school, by form or API
	AdminSchoolsImported  AdminAction = "school.imported"    // the county's school list
	AdminSchoolUpdated    AdminAction = "school.updated"     // by the bureau or the principal (profile)
	AdminSchoolDeactivate AdminAction = "school.deactivated" // and its reactivation below
	AdminSchoolReactivate AdminAction = "school.reactivated"
	AdminMemberAdded      AdminAction = "member.added"
	AdminMembersImported  AdminAction = "member.imported"
	AdminRolesChanged     AdminAction = "member.roles"
	AdminMemberDeactivate AdminAction = "member.deactivated"
	AdminMemberReactivate AdminAction = "member.reactivated"
	AdminPasswordReset    AdminAction = "password.reset"
	AdminInvitation       AdminAction = "invitation.created"
	AdminCalendarEdited   AdminAction = "calendar.edited"
	AdminCatalogueEdited  AdminAction = "catalogue.edited"
	AdminUserCreated      AdminAction = "user.created" // a bureau account, or from the command line
	AdminWitnessLogAdded  AdminAction = "witness.log"  // a school log of another instance, which the bureau witnesses
)

// Label is the Chinese name of the change, as the admin log shows it.
func (a AdminAction) Label() string {
	switch a {
	case AdminSetup:
		return "初始化设置"
	case AdminBureauUpdated:
		return "修改教育局信息"
	case AdminSchoolCreated:
		return "新建学校"
	case AdminSchoolsImported:
		return "导入学校名单"
	case AdminSchoolUpdated:
		return "修改学校信息"
	case AdminSchoolDeactivate:
		return "停用学校"
	case AdminSchoolReactivate:
		return "恢复学校"
	case AdminMemberAdded:
		return "添加人员"
	case AdminMembersImported:
		return "导入教职工名单"
	case AdminRolesChanged:
		return "修改角色"
	case AdminMemberDeactivate:
		return "停用账号"
	case AdminMemberReactivate:
		return "恢复账号"
	case AdminPasswordReset:
		return "重置密码"
	case AdminInvitation:
		return "发出邀请"
	case AdminCalendarEdited:
		return "修改工作日历"
	case AdminCatalogueEdited:
		return "修改公开目录"
	case AdminUserCreated:
		return "新建账号"
	case AdminWitnessLogAdded:
		return "登记见证日志"
	}
	return string(a)
}

// AdminEntry is one line of the admin log: who changed what, when. Entries
// are only ever added; nothing in the log can be edited or removed.
type AdminEntry struct {
	ID        int64
	BureauID  int64
	SchoolID  int64  // 0 for a change of the bureau's own settings
	ActorID   int64  // 0 for the command line
	ActorName string // kept as it was at the time, like the trail's names
	Action    AdminAction
	Subject   string // what was changed: a school's name, a username, a date
	Detail    string // how: "监督电话：0591-1 → 0591-2", one change a line
	CreatedAt time.Time
}

// Change is one field's change, for an admin log entry's detail.
type Change struct {
	Field    string // the field's label: 监督电话
	Old, New string
}

// DescribeChanges writes the fields that differ, one a line, as
// "监督电话：0591-1 → 0591-2"; an empty string when nothing changed.
func DescribeChanges(changes []Change) string {
	var out []byte
	for _, c := range changes {
		if c.Old == c.New {
			continue
		}
		if len(out) > 0 {
			out = append(out, '\n')
		}
		old, nw := c.Old, c.New
		if old == "" {
			old = "（空）"
		}
		if nw == "" {
			nw = "（空）"
		}
		out = append(out, c.Field+"："+old+" → "+nw...)
	}
	return string(out)
}
