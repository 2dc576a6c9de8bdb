package gongkai

import (
	"slices"
	"strings"
	"testing"
)

func TestCheckAccountAction(t *testing.T) {
	const (
		school, otherSchool, farSchool = 1, 2, 3
		bureau, farBureau              = 10, 20
	)
	member := func(id int64, disabled bool, ms ...Membership) *Actor {
		a := &Actor{User: User{ID: id, Disabled: disabled}, SchoolBureau: map[int64]int64{}}
		for _, m := range ms {
			m.UserID = id
			a.Memberships = append(a.Memberships, m)
			a.SchoolBureau[m.SchoolID] = map[int64]int64{school: bureau, otherSchool: bureau, farSchool: farBureau}[m.SchoolID]
		}
		return a
	}
	in := func(s int64, r Role) Membership { return Membership{SchoolID: s, Role: r} }
	principal := member(1, false, in(school, RolePrincipal))
	bothPrincipal := member(2, false, in(school, RolePrincipal), in(otherSchool, RolePrincipal))
	admin := &Actor{User: User{ID: 3, BureauID: bureau, BureauRole: RoleBureauAdmin}}
	farAdmin := &Actor{User: User{ID: 4, BureauID: farBureau, BureauRole: RoleBureauAdmin}}
	clerk := member(5, false, in(school, RoleClerk))

	teacher := member(20, false, in(school, RoleStaff), in(school, RoleClerk))
	gone := member(21, true, in(school, RoleStaff))
	twoSchools := member(22, false, in(school, RoleStaff), in(otherSchool, RoleStaff))
	farToo := member(23, false, in(school, RoleStaff), in(farSchool, RoleStaff))
	head := member(24, false, in(school, RolePrincipal))
	bureauUser := member(25, false, in(school, RoleStaff))
	bureauUser.BureauID, bureauUser.BureauRole = bureau, RoleInspector
	stranger := member(26, false, in(otherSchool, RoleStaff))
	bothPrincipalTarget := member(27, false, in(school, RolePrincipal), in(otherSchool, RolePrincipal))

	tests := []struct {
		name    string
		actor   *Actor
		act     AccountAction
		target  *Actor
		others  int      // other active principals of this school
		lastOf  []string // other schools the target is the last principal of
		wantErr string   // "" when allowed
	}{
		{"principal deactivates a teacher", principal, AccountDeactivate, teacher, 1, nil, ""},
		{"principal resets a teacher", principal, AccountReset, teacher, 1, nil, ""},
		{"principal reactivates", principal, AccountReactivate, gone, 1, nil, ""},
		{"bureau admin deactivates", admin, AccountDeactivate, teacher, 1, nil, ""},
		{"admin of another bureau", farAdmin, AccountDeactivate, teacher, 1, nil, EFORBIDDEN},
		{"a clerk may not", clerk, AccountDeactivate, teacher, 1, nil, EFORBIDDEN},
		{"not a member here", principal, AccountDeactivate, stranger, 1, nil, ENOTFOUND},
		{"nobody deactivates themselves", principal, AccountDeactivate, principal, 1, nil, ECONFLICT},
		{"own password is changed on the account page", principal, AccountReset, principal, 1, nil, ECONFLICT},
		{"bureau accounts are the bureau's", principal, AccountDeactivate, bureauUser, 1, nil, EFORBIDDEN},
		{"a person of two schools is not one principal's", principal, AccountDeactivate, twoSchools, 1, nil, EFORBIDDEN},
		{"nor is their password", principal, AccountReset, twoSchools, 1, nil, EFORBIDDEN},
		{"a principal of both schools may", bothPrincipal, AccountDeactivate, twoSchools, 1, nil, ""},
		{"the bureau admin may, both schools being theirs", admin, AccountDeactivate, twoSchools, 1, nil, ""},
		{"not when one school is another bureau's", admin, AccountDeactivate, farToo, 1, nil, EFORBIDDEN},
		{"the last principal stays", admin, AccountDeactivate, head, 0, nil, ECONFLICT},
		{"a principal with a colleague may go", admin, AccountDeactivate, head, 1, nil, ""},
		{"nor the last principal of another school", admin, AccountDeactivate, bothPrincipalTarget, 1, []string{"开物小学"}, ECONFLICT},
		{"a reset is no deactivation", admin, AccountReset, bothPrincipalTarget, 1, []string{"开物小学"}, ""},
		{"already deactivated", principal, AccountDeactivate, gone, 1, nil, ECONFLICT},
		{"reactivate an active account", principal, AccountReactivate, teacher, 1, nil, ECONFLICT},
		{"no reset of a deactivated account", principal, AccountReset, gone, 1, nil, ECONFLICT},
		{"anonymous", &Actor{}, AccountDeactivate, teacher, 1, nil, EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := AccountFacts{SchoolID: school, SchoolBureau: bureau, Target: tt.target, LastPrincipalOf: tt.lastOf}
			if tt.others == 0 && tt.lastOf == nil {
				f.LastPrincipalOf = []string{"祥谦小学"}
			}
			err := CheckAccountAction(tt.actor, tt.act, f)
			if got := ErrorCode(err); got != tt.wantErr {
				t.Fatalf("CheckAccountAction = %v (code %q), want code %q", err, got, tt.wantErr)
			}
			if err != nil && ErrorMessage(err) == "" {
				t.Fatal("a refusal without a message")
			}
		})
	}
}

func TestParseRoleLabels(t *testing.T) {
	tests := []struct {
		in      string
		roles   []Role
		unknown []string
	}{
		{"经办人、领导小组", []Role{RoleClerk, RoleLeader}, nil},
		{"经办人,教职工", []Role{RoleClerk, RoleStaff}, nil},
		{" 校长， 领导小组成员 ；监督小组 ", []Role{RolePrincipal, RoleLeader, RoleSupervisor}, nil},
		{"clerk、staff、经办人", []Role{RoleClerk, RoleStaff}, nil},
		{"教代会代表、家长", []Role{RoleRepresentative, RoleParent}, nil},
		{"经办人、会计", []Role{RoleClerk}, []string{"会计"}},
		{"教育局管理员", nil, []string{"教育局管理员"}},
		{"", nil, nil},
	}
	for _, tt := range tests {
		roles, unknown := ParseRoleLabels(tt.in)
		if !slices.Equal(roles, tt.roles) || !slices.Equal(unknown, tt.unknown) {
			t.Errorf("ParseRoleLabels(%q) = %v, %v; want %v, %v", tt.in, roles, unknown, tt.roles, tt.unknown)
		}
	}
	if got := RoleLabels([]Role{RoleClerk, RoleLeader}); got != "经办人、领导小组" {
		t.Errorf("RoleLabels = %q", got)
	}
}

func TestDescribeDevice(t *testing.T) {
	tests := []struct{ ua, want string }{
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", "Chrome · Android"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari · iPhone"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN", "微信 · iPhone"},
		{"Mozilla/5.0 (Linux; Android 12; V2134A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/101.0.4951.74 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64", "微信 · Android"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge · Windows"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0", "Firefox · Windows"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari · Mac"},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36", "Chrome · Linux"},
		{"Mozilla/5.0 (Phone; OpenHarmony 4.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.4.300", "Chrome · 鸿蒙"},
		{"curl/8.5.0", "curl"},
		{"Go-http-client/1.1", "程序"},
		{"", "未知设备"},
		{"something else", "未知设备"},
	}
	for _, tt := range tests {
		if got := DescribeDevice(tt.ua); got != tt.want {
			t.Errorf("DescribeDevice(%q) = %q, want %q", tt.ua, got, tt.want)
		}
	}
}

func TestCheckAttachAccount(t *testing.T) {
	const (
		school, sibling, farSchool, newSchool = 1, 2, 3, 0
		bureau, farBureau                     = 10, 20
	)
	bureauOf := map[int64]int64{school: bureau, sibling: bureau, farSchool: farBureau}
	account := func(ms ...Membership) *Actor {
		a := &Actor{User: User{ID: 50}, SchoolBureau: map[int64]int64{}}
		for _, m := range ms {
			a.Memberships = append(a.Memberships, m)
			a.SchoolBureau[m.SchoolID] = bureauOf[m.SchoolID]
		}
		return a
	}
	in := func(s int64, r Role) Membership { return Membership{SchoolID: s, Role: r} }
	principal := account(in(school, RolePrincipal))
	principal.ID = 1
	admin := &Actor{User: User{ID: 3, BureauID: bureau, BureauRole: RoleBureauAdmin}}
	inspector := &Actor{User: User{ID: 4, BureauID: bureau, BureauRole: RoleInspector}}
	farAdmin := &Actor{User: User{ID: 5, BureauID: farBureau, BureauRole: RoleBureauAdmin}}

	// The target account's memberships.
	memberHere := account(in(school, RoleStaff))
	siblingTeacher := account(in(sibling, RoleStaff))
	siblingParent := account(in(sibling, RoleParent))
	noSchool := account() // e.g. a teacher whose roles were all removed
	farTeacher := account(in(farSchool, RoleStaff))
	mixed := account(in(sibling, RoleStaff), in(farSchool, RoleStaff))
	bureauAccount := &Actor{User: User{ID: 60, BureauID: bureau, BureauRole: RoleInspector}}
	bureauMember := account(in(school, RoleStaff))
	bureauMember.BureauID, bureauMember.BureauRole = bureau, RoleInspector

	tests := []struct {
		name   string
		actor  *Actor
		school int64
		target *Actor
		ok     bool
	}{
		{"principal changes roles of a member", principal, school, memberHere, true},
		{"principal names a teacher of a sibling school", principal, school, siblingTeacher, false},
		{"principal names a parent of a sibling school", principal, school, siblingParent, false},
		{"principal names an account of no school", principal, school, noSchool, false},
		{"principal names a teacher of another bureau", principal, school, farTeacher, false},
		{"principal names a bureau account", principal, school, bureauAccount, false},
		{"principal names a bureau account that is also a member", principal, school, bureauMember, false},
		{"bureau admin changes roles of a member", admin, school, memberHere, true},
		{"bureau admin moves a teacher between its schools", admin, school, siblingTeacher, true},
		{"bureau admin names a principal for a new school", admin, newSchool, siblingTeacher, true},
		{"bureau admin names an account of no school", admin, school, noSchool, false},
		{"bureau admin names another bureau's teacher", admin, school, farTeacher, false},
		{"bureau admin names someone also of another bureau", admin, school, mixed, false},
		{"bureau admin names a bureau account", admin, school, bureauAccount, false},
		{"bureau admin names a bureau account for a new school", admin, newSchool, bureauAccount, false},
		{"inspector attaches nothing", inspector, school, siblingTeacher, false},
		{"another bureau's admin", farAdmin, school, siblingTeacher, false},
		{"anonymous", &Actor{}, school, siblingTeacher, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schoolBureau := int64(bureau)
			err := CheckAttachAccount(tt.actor, tt.school, schoolBureau, tt.target)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckAttachAccount = %v, want allowed %v", err, tt.ok)
			}
			if err != nil {
				msg := ErrorFields(err)["username"]
				if ErrorCode(err) != EINVALID || msg == "" {
					t.Fatalf("refusal %v is not a field error on username", err)
				}
			}
		})
	}
	if msg := ErrorFields(CheckAttachAccount(principal, school, bureau, siblingTeacher))["username"]; msg != AttachByInvitation {
		t.Errorf("a principal is told %q, want the invitation advice", msg)
	}
}

// Every free-text field refuses control characters alike on both
// databases (PostgreSQL refuses NUL and invalid UTF-8 that SQLite keeps).
func TestCheckText(t *testing.T) {
	tests := []struct {
		name      string
		v         string
		multiline bool
		ok        bool
	}{
		{"plain", "王秀英", false, true},
		{"spaces and punctuation", "周一至周五 8:00–17:30（节假日除外）", false, true},
		{"NUL", "王\x00秀英", false, false},
		{"escape", "王\x1b[31m秀英", false, false},
		{"backspace", "王\b秀英", false, false},
		{"DEL", "王\x7f秀英", false, false},
		{"C1 control", "王\u0085秀英", false, false},
		{"line break in one line", "王\n秀英", false, false},
		{"tab in one line", "王\t秀英", false, false},
		{"invalid UTF-8", "王\xff秀英", false, false},
		{"line breaks in a multi-line field", "第一条\r\n第二条\t说明", true, true},
		{"NUL in a multi-line field", "第一条\n\x00", true, false},
		{"invalid UTF-8 in a multi-line field", "第一条\n\xc3", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := CheckText("备注", tt.v, tt.multiline)
			if (msg == "") != tt.ok {
				t.Fatalf("CheckText(%q) = %q, want ok %v", tt.v, msg, tt.ok)
			}
			if msg != "" && !strings.HasPrefix(msg, "备注") {
				t.Errorf("message %q does not name the field", msg)
			}
		})
	}
	// The fields of issue 11 use it.
	for name, msg := range map[string]string{
		"display name":   ValidateDisplayName("王\x00秀英"),
		"bureau sponsor": ErrorFields((&Bureau{Name: "青禾县教育局", DivisionCode: "350121", Phone: "0591-22345678", Sponsor: "青禾\x00县"}).Validate())["sponsor"],
		"bureau address": ErrorFields((&Bureau{Name: "青禾县教育局", DivisionCode: "350121", Phone: "0591-22345678", Address: "解放路\x1b1号"}).Validate())["address"],
		"school name":    ErrorFields((&School{Slug: "xq", Name: "祥谦\x00小学"}).Validate())["name"],
		"office hours":   ErrorFields((&School{Slug: "xq", Name: "祥谦小学", OfficeHours: "8:00\x0017:00"}).Validate())["office_hours"],
		"guide":          ErrorFields((&School{Slug: "xq", Name: "祥谦小学", Guide: "办事\x00指南"}).Validate())["guide"],
		"staff name":     staffProblem(StaffEntry{DisplayName: "王\x00秀英", Username: "wang", Roles: []Role{RoleStaff}}, "display_name"),
		"staff dept":     staffProblem(StaffEntry{DisplayName: "王秀英", Username: "wang", Roles: []Role{RoleStaff}, Department: "财务\x00室"}, "department"),
	} {
		if msg == "" {
			t.Errorf("%s with a control character is accepted", name)
		}
	}
	if err := (&School{Slug: "xq", Name: "祥谦小学", Guide: "第一条\n第二条"}).Validate(); err != nil {
		t.Errorf("a guide of several lines is refused: %v", err)
	}
}

func staffProblem(e StaffEntry, field string) string {
	ValidateStaffEntry(&e)
	return e.Problems[field]
}
