package gongkai

import (
	"strings"
	"time"
)

// How long the one-time links of people administration stay valid.
const (
	// StaffInvitationTTL is the life of a staff invitation link.
	StaffInvitationTTL = 7 * 24 * time.Hour
	// ResetLinkTTL is the life of a link to set a new password after a
	// reset: a day, so a link read by the wrong person soon stops working.
	ResetLinkTTL = 24 * time.Hour
	// NewAccountLinkTTL is the life of the first set-password link of an
	// account a principal created: a week, as slips are handed out over
	// several days.
	NewAccountLinkTTL = 7 * 24 * time.Hour
)

// AccountAction is something an administrator does to another person's
// account rather than to their roles in one school.
type AccountAction string

// The account actions.
const (
	AccountDeactivate AccountAction = "deactivate"
	AccountReactivate AccountAction = "reactivate"
	AccountReset      AccountAction = "reset" // issue a set-password link
)

// AccountFacts is what CheckAccountAction needs to know besides the actor.
type AccountFacts struct {
	SchoolID     int64 // the school whose members page the action comes from
	SchoolBureau int64 // that school's bureau
	// Target is the account, with its memberships; its SchoolBureau maps each
	// of its schools to that school's bureau.
	Target *Actor
	// LastPrincipalOf names the schools, this one or others, whose only
	// principal with an active account is the target.
	LastPrincipalOf []string
}

// CheckAccountAction decides whether the actor may deactivate, reactivate
// or reset the password of another person's account.
//
// Deactivation is per account, not per school: a deactivated person cannot
// sign in anywhere, and their sessions and tokens stop at once. Most people
// work at one school, where this is what a principal means by "this person
// has left". Because the account may be the key to other schools too, a
// principal may act only on accounts whose every school they manage; a
// person who also works elsewhere is the bureau administrator's to
// deactivate (a principal can still take away their roles here). Bureau
// accounts are never a school's to touch, nobody acts on their own account
// here (they change their own password on their account page), and the
// last active principal of any of its schools is never deactivated.
func CheckAccountAction(actor *Actor, act AccountAction, f AccountFacts) error {
	if !CanManageSchool(actor, f.SchoolBureau, f.SchoolID) {
		return Errorf(EFORBIDDEN, "只有本校校长或教育局管理员可以管理本校人员的账号。")
	}
	t := f.Target
	if t == nil || !t.IsMember(f.SchoolID) {
		return Errorf(ENOTFOUND, "人员不存在。")
	}
	if t.ID == actor.ID {
		switch act {
		case AccountDeactivate:
			return Errorf(ECONFLICT, "不能停用您自己的账号。")
		case AccountReset:
			return Errorf(ECONFLICT, "您的密码请在“我的账号”中修改。")
		}
		return Errorf(ECONFLICT, "不能恢复您自己的账号。")
	}
	if t.BureauRole != "" {
		return Errorf(EFORBIDDEN, "此人是教育局账号，由教育局管理。")
	}
	for _, m := range t.Memberships {
		if m.SchoolID == f.SchoolID || CanManageSchool(actor, t.SchoolBureau[m.SchoolID], m.SchoolID) {
			continue
		}
		return Errorf(EFORBIDDEN, "此人还在其他学校任职，账号由教育局管理员处理。如只是离开本校，请取消其在本校的全部角色。")
	}
	switch act {
	case AccountDeactivate:
		if t.Disabled {
			return Errorf(ECONFLICT, "此账号已停用。")
		}
		if len(f.LastPrincipalOf) > 0 {
			return Errorf(ECONFLICT, "此人是%s唯一的校长，学校至少要保留一位校长。请先为另一位人员设置校长角色，再停用此人。", strings.Join(f.LastPrincipalOf, "、"))
		}
	case AccountReactivate:
		if !t.Disabled {
			return Errorf(ECONFLICT, "此账号未停用。")
		}
	case AccountReset:
		if t.Disabled {
			return Errorf(ECONFLICT, "此账号已停用，请先恢复账号。")
		}
	default:
		return Errorf(EINVALID, "未知操作。")
	}
	return nil
}

// RoleByLabel returns the school role whose Chinese name (as the forms
// show it: 经办人, 领导小组) or code (clerk) is s.
func RoleByLabel(s string) (Role, bool) {
	s = strings.TrimSpace(s)
	for _, r := range SchoolRoles {
		if s == r.Label() || strings.EqualFold(s, string(r)) {
			return r, true
		}
	}
	// The long form some lists use.
	if s == "领导小组成员" {
		return RoleLeader, true
	}
	return "", false
}

// ParseRoleLabels reads a list of role names separated by 、 , ， ; ；
// or spaces, as a staff list writes them. It returns the roles without
// repeats, and the names it did not know.
func ParseRoleLabels(s string) (roles []Role, unknown []string) {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '、', ',', '，', ';', '；', ' ', '\u3000', '\t', '\n':
			return true
		}
		return false
	})
	for _, p := range parts {
		r, ok := RoleByLabel(p)
		if !ok {
			unknown = append(unknown, p)
			continue
		}
		if !containsRole(roles, r) {
			roles = append(roles, r)
		}
	}
	return roles, unknown
}

func containsRole(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// RoleLabels writes roles in Chinese as a staff list does: 经办人、教职工.
func RoleLabels(roles []Role) string {
	labels := make([]string, len(roles))
	for i, r := range roles {
		labels[i] = r.Label()
	}
	return strings.Join(labels, "、")
}

// DescribeDevice names the browser and system of a User-Agent for a list
// of one's sessions, as "Chrome · Android" or "微信 · iPhone". It keeps
// nothing else of the string, which gongkai does not store.
func DescribeDevice(ua string) string {
	if strings.TrimSpace(ua) == "" {
		return "未知设备"
	}
	has := func(s string) bool { return strings.Contains(ua, s) }
	browser := ""
	switch {
	case has("MicroMessenger"):
		browser = "微信"
	case has("DingTalk"):
		browser = "钉钉"
	case has("QQ/") || has("MQQBrowser"):
		browser = "QQ浏览器"
	case has("Edg/") || has("EdgA/") || has("EdgiOS/"):
		browser = "Edge"
	case has("OPR/") || has("Opera"):
		browser = "Opera"
	case has("Firefox/") || has("FxiOS/"):
		browser = "Firefox"
	case has("HeadlessChrome"):
		browser = "Chrome"
	case has("Chrome/") || has("CriOS/") || has("Chromium/"):
		browser = "Chrome"
	case has("Safari/") && has("Version/"):
		browser = "Safari"
	case has("curl/"):
		browser = "curl"
	case has("Go-http-client"):
		browser = "程序"
	case has("python") || has("Python"):
		browser = "程序"
	}
	system := ""
	switch {
	case has("HarmonyOS") || has("OpenHarmony"):
		system = "鸿蒙"
	case has("Android"):
		system = "Android"
	case has("iPhone"):
		system = "iPhone"
	case has("iPad"):
		system = "iPad"
	case has("Windows"):
		system = "Windows"
	case has("Macintosh") || has("Mac OS X"):
		system = "Mac"
	case has("CrOS"):
		system = "ChromeOS"
	case has("Linux"):
		system = "Linux"
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	case system != "":
		return "浏览器 · " + system
	}
	return "未知设备"
}

// StaffEntry is one person of a staff list to import (or one added by
// hand): the row it came from, and the problems found in it by field
// ("display_name", "username", "roles", "department").
type StaffEntry struct {
	Line        int // the row of the sheet, counting the header as 1
	DisplayName string
	Username    string
	Roles       []Role
	Department  string // a department of the school, by name; "" for none
	Problems    map[string]string
}

// Problem records one problem of the entry's field, keeping the first.
func (e *StaffEntry) Problem(field, msg string) {
	if e.Problems == nil {
		e.Problems = map[string]string{}
	}
	if _, ok := e.Problems[field]; !ok {
		e.Problems[field] = msg
	}
}

// ValidateStaffEntry checks what can be checked of an entry without the
// database: the username's form, the name's length, at least one role.
// Whether the name may be empty (an existing account keeps its own) and
// whether the department exists are the store's to decide.
func ValidateStaffEntry(e *StaffEntry) {
	e.Username = strings.ToLower(strings.TrimSpace(e.Username))
	e.DisplayName = strings.TrimSpace(e.DisplayName)
	e.Department = strings.TrimSpace(e.Department)
	if msg := ValidateUsername(e.Username); msg != "" {
		e.Problem("username", msg)
	}
	if e.DisplayName != "" {
		if msg := ValidateDisplayName(e.DisplayName); msg != "" {
			e.Problem("display_name", msg)
		}
	}
	if msg := CheckText("处室", e.Department, false); msg != "" {
		e.Problem("department", msg)
	}
	if len(e.Roles) == 0 {
		e.Problem("roles", "请至少填写一个角色。")
	}
	for _, r := range e.Roles {
		if !r.Valid() {
			e.Problem("roles", "角色无效。")
		}
	}
}

// AttachByInvitation is the refusal for naming someone else's existing
// account. It says nothing of whose account it is.
const AttachByInvitation = "该用户名已有账号。请发送“教职工邀请链接”，由本人登录后接受邀请加入本校。"

// CheckAttachAccount decides whether the actor may give roles in a school
// (schoolID, of bureau schoolBureau; 0 for a school the bureau is about to
// register) to an existing account, target, by typing its username: on the
// members form, in a staff list, through the API, or as the principal named
// in the county's school list.
//
// An account is its owner's: whoever can name it into their school then
// manages it there, and CheckAccountAction lets the manager of every school
// of an account reset its password. So a principal attaches no existing
// account; the person joins by accepting a staff invitation while signed in
// (their consent), and the principal only changes the roles of people
// already in the school. A bureau administrator, who may already act on
// every account of their own schools, may attach an account whose every
// school is of their bureau (a head teacher moved to another school, a
// principal named in the school list), but not an account of another
// bureau, of no school at all (nobody vouches for it), or a bureau account.
// Refusals are field errors on "username" that do not name the person.
func CheckAttachAccount(actor *Actor, schoolID, schoolBureau int64, target *Actor) error {
	if target == nil {
		return Errorf(ENOTFOUND, "人员不存在。")
	}
	if schoolID != 0 && target.IsMember(schoolID) && target.BureauRole == "" {
		return nil // a member already: only their roles here change
	}
	refuse := func(msg string) error {
		return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"username": msg}}
	}
	if !actor.Oversees(schoolBureau) || actor.BureauRole != RoleBureauAdmin {
		return refuse(AttachByInvitation)
	}
	if target.BureauRole != "" {
		return refuse("该用户名是教育局账号，不能加入学校。请为此人另建一个学校账号。")
	}
	if len(target.Memberships) == 0 {
		return refuse("该用户名已有账号，但不在本局任何学校任职。请换一个新用户名，或由本人登录后接受“教职工邀请链接”加入。")
	}
	for _, m := range target.Memberships {
		if target.SchoolBureau[m.SchoolID] != actor.BureauID {
			return refuse("该用户名已有账号，且在其他教育局的学校任职。请换一个新用户名，或由本人登录后接受“教职工邀请链接”加入。")
		}
	}
	return nil
}
