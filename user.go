package gongkai

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is a person who signs in. Parents and staff alike are users; what they
// may do depends on their memberships and bureau role.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Email       string
	BureauID    int64 // non-zero for bureau users
	BureauRole  Role  // bureau_admin or inspector, or ""
	Disabled    bool
	CreatedAt   time.Time
}

// Membership is one role of a user in one school.
type Membership struct {
	SchoolID     int64
	UserID       int64
	Role         Role
	DepartmentID int64 // 0 when none
}

// Actor is the acting user with everything needed to decide permissions. The
// zero Actor (ID 0) is an anonymous reader.
type Actor struct {
	User
	Memberships []Membership
	// SchoolBureau maps the id of every school the actor is a member of to its
	// bureau, and is filled for bureau users with every school of their bureau.
	SchoolBureau map[int64]int64
}

// Anonymous reports whether nobody is signed in.
func (a *Actor) Anonymous() bool { return a == nil || a.ID == 0 }

// HasRole reports whether the actor holds role r in the school.
func (a *Actor) HasRole(schoolID int64, r Role) bool {
	if a.Anonymous() {
		return false
	}
	for _, m := range a.Memberships {
		if m.SchoolID == schoolID && m.Role == r {
			return true
		}
	}
	return false
}

// Roles returns the actor's roles in the school.
func (a *Actor) Roles(schoolID int64) []Role {
	if a.Anonymous() {
		return nil
	}
	var rs []Role
	for _, m := range a.Memberships {
		if m.SchoolID == schoolID {
			rs = append(rs, m.Role)
		}
	}
	return rs
}

// IsMember reports whether the actor holds any role in the school.
func (a *Actor) IsMember(schoolID int64) bool { return len(a.Roles(schoolID)) > 0 }

// Oversees reports whether the actor is a bureau user over the school, whose
// bureau is bureauID.
func (a *Actor) Oversees(schoolBureauID int64) bool {
	return !a.Anonymous() && a.BureauRole.ValidBureau() && a.BureauID != 0 && a.BureauID == schoolBureauID
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,39}$`)

// ValidateUsername checks the sign-in name: 3–40 lower-case letters, digits,
// dots, dashes or underscores, so that names are easy to read out and type.
func ValidateUsername(name string) string {
	if !usernamePattern.MatchString(name) {
		return "用户名须为 3–40 位小写字母、数字、点、横线或下划线，以字母或数字开头。"
	}
	return ""
}

// ValidatePassword checks a new password's length; length is what resists
// guessing, so no composition rules.
func ValidatePassword(pw string) string {
	n := utf8.RuneCountInString(pw)
	if n < 10 {
		return "密码至少 10 个字符。"
	}
	if n > 200 {
		return "密码不能超过 200 个字符。"
	}
	if strings.TrimSpace(pw) == "" {
		return "密码不能全是空格。"
	}
	return ""
}

// ValidateDisplayName checks a person's shown name.
func ValidateDisplayName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return "请填写姓名。"
	}
	if utf8.RuneCountInString(name) > 40 {
		return "姓名不能超过 40 个字符。"
	}
	return CheckText("姓名", name, false)
}

// CheckText checks that a free-text field holds text both databases keep
// alike: PostgreSQL refuses NUL and invalid UTF-8, which SQLite stores, and
// no form means to send the other control characters (escape, backspace)
// either. Line breaks and tabs are allowed in multi-line fields only. It
// returns "" for good text and otherwise a message that names the field.
func CheckText(label, v string, multiline bool) string {
	if !utf8.ValidString(v) {
		return label + "含有无法识别的字符，请重新输入。"
	}
	for _, r := range v {
		if !unicode.IsControl(r) || (multiline && (r == '\n' || r == '\r' || r == '\t')) {
			continue
		}
		if r == '\n' || r == '\r' || r == '\t' {
			return label + "不能包含换行或制表符，请写在一行内。"
		}
		return label + "含有不可见的控制字符，请删去后再保存。"
	}
	return ""
}

// Member is a user with their roles in one school, as the school's list of
// people shows them.
type Member struct {
	User         User
	Roles        []Role
	DepartmentID int64
	Department   string
	NoPassword   bool // the account has no password yet: nobody opened its one-time link
}

// ActorIn is the member as an actor of that school only: what they may do
// as a member, whatever bureau role the account may also hold.
func (m *Member) ActorIn(school *School) *Actor {
	u := m.User
	u.BureauID, u.BureauRole = 0, ""
	a := &Actor{User: u, SchoolBureau: map[int64]int64{school.ID: school.BureauID}}
	for _, r := range m.Roles {
		a.Memberships = append(a.Memberships, Membership{SchoolID: school.ID, UserID: u.ID, Role: r, DepartmentID: m.DepartmentID})
	}
	return a
}
