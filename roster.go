package gongkai

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Rosters: lists of people (aid, awards, discipline, enrolment results, title
// reviews, evaluations). 教财厅函〔2017〕28号 allows a student roster to show
// only what the decision needs (name, school, grade or class, aid level and
// amount) and never ID numbers, phone numbers, addresses, bank accounts or
// birth dates; a student roster stops showing its people when its publicity
// period ends or it is withdrawn, whichever comes first. Staff rosters follow
// their catalogue item. Taking down hides; it does not purge (redaction does).

// RosterKind says whose names the disclosures of a catalogue item list.
type RosterKind string

// Roster kinds.
const (
	RosterNone     RosterKind = "none"     // no list of people
	RosterStudents RosterKind = "students" // students (aid, awards, discipline, enrolment results)
	RosterStaff    RosterKind = "staff"    // staff (titles, evaluations, staff awards)
)

// RosterKinds lists the kinds in the order forms show them.
var RosterKinds = []RosterKind{RosterNone, RosterStudents, RosterStaff}

// Label is the Chinese name of the kind.
func (k RosterKind) Label() string {
	switch k {
	case RosterStudents:
		return "学生名单"
	case RosterStaff:
		return "教职工名单"
	}
	return "不含名单"
}

// Holds reports whether the kind is a list of people.
func (k RosterKind) Holds() bool { return k == RosterStudents || k == RosterStaff }

// RosterField is a column a roster may show.
type RosterField string

// Fields a roster may show, and fields it never shows.
const (
	FieldName        RosterField = "name"
	FieldSchool      RosterField = "school"
	FieldClass       RosterField = "class"
	FieldLevel       RosterField = "level"
	FieldAmount      RosterField = "amount"
	FieldPost        RosterField = "post"
	FieldIDNumber    RosterField = "id_number"
	FieldPhone       RosterField = "phone"
	FieldAddress     RosterField = "address"
	FieldBankAccount RosterField = "bank_account"
	FieldBirthDate   RosterField = "birth_date"
)

// RosterFields are the fields a catalogue item may make public.
var RosterFields = []RosterField{FieldName, FieldSchool, FieldClass, FieldLevel, FieldAmount, FieldPost}

// NeverPublicFields are never shown on a roster (教财厅函〔2017〕28号).
var NeverPublicFields = []RosterField{FieldIDNumber, FieldPhone, FieldAddress, FieldBankAccount, FieldBirthDate}

// Label is the Chinese name of the field.
func (f RosterField) Label() string {
	switch f {
	case FieldName:
		return "姓名"
	case FieldSchool:
		return "学校"
	case FieldClass:
		return "年级或班级"
	case FieldLevel:
		return "资助档次或等次"
	case FieldAmount:
		return "金额"
	case FieldPost:
		return "岗位或职务"
	case FieldIDNumber:
		return "身份证号"
	case FieldPhone:
		return "联系电话"
	case FieldAddress:
		return "家庭住址"
	case FieldBankAccount:
		return "银行账号"
	case FieldBirthDate:
		return "出生日期"
	}
	return string(f)
}

// Takedown says when a roster stops showing its people.
type Takedown string

// Takedown rules.
const (
	TakedownPeriodEnd Takedown = "period_end" // when the publicity period ends or it is withdrawn, whichever comes first
	TakedownWithdrawn Takedown = "withdrawn"  // only when it is withdrawn
	TakedownNever     Takedown = "never"      // stays up (staff lists only)
)

// Takedowns lists the rules in the order forms show them.
var Takedowns = []Takedown{TakedownPeriodEnd, TakedownWithdrawn, TakedownNever}

// Label is the Chinese wording of the rule.
func (t Takedown) Label() string {
	switch t {
	case TakedownPeriodEnd:
		return "公示期满或撤回时撤下（以先到者为准）"
	case TakedownWithdrawn:
		return "撤回时撤下"
	case TakedownNever:
		return "长期公开"
	}
	return string(t)
}

// RosterRule is what a catalogue item says about the people its
// disclosures list.
type RosterRule struct {
	Kind     RosterKind
	Fields   []RosterField // the fields that may be public, in RosterFields order
	Takedown Takedown      // empty when Kind is RosterNone
}

// Holds reports whether the rule is about a list of people.
func (r RosterRule) Holds() bool { return r.Kind.Holds() }

// Allows reports whether the field may be public under the rule.
func (r RosterRule) Allows(f RosterField) bool { return slices.Contains(r.Fields, f) }

// FieldsText lists the public fields in Chinese: 姓名、学校、年级或班级.
func (r RosterRule) FieldsText() string {
	s := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		s[i] = f.Label()
	}
	return strings.Join(s, "、")
}

// Default roster rules (教财厅函〔2017〕28号).
var (
	StudentRoster = RosterRule{Kind: RosterStudents, Fields: []RosterField{FieldName, FieldSchool, FieldClass, FieldLevel, FieldAmount}, Takedown: TakedownPeriodEnd}
	StaffRoster   = RosterRule{Kind: RosterStaff, Fields: []RosterField{FieldName, FieldSchool, FieldPost, FieldLevel}, Takedown: TakedownPeriodEnd}
	NoRoster      = RosterRule{Kind: RosterNone}
)

// ValidateRosterRule checks and normalises a rule: a known kind; at least
// the name among known fields, none of the never-public ones; student
// rosters always taken down at the end of the period or at withdrawal. Field
// keys are roster, roster_fields and takedown.
func ValidateRosterRule(r *RosterRule, fe FieldErrors) {
	switch r.Kind {
	case RosterNone:
		*r = NoRoster
		return
	case RosterStudents, RosterStaff:
	default:
		fe.Add("roster", "请选择名单类型。")
		return
	}
	var fields []RosterField
	for _, f := range RosterFields {
		if slices.Contains(r.Fields, f) {
			fields = append(fields, f)
		}
	}
	for _, f := range r.Fields {
		if slices.Contains(NeverPublicFields, f) {
			fe.Add("roster_fields", fmt.Sprintf("名单不得公开%s（教财厅函〔2017〕28号）。", f.Label()))
		} else if !slices.Contains(RosterFields, f) {
			fe.Add("roster_fields", "可公开的字段无效。")
		}
	}
	r.Fields = fields
	if !r.Allows(FieldName) {
		fe.Add("roster_fields", "名单至少公开姓名。")
	}
	if r.Takedown == "" {
		r.Takedown = TakedownPeriodEnd
	}
	switch {
	case !slices.Contains(Takedowns, r.Takedown):
		fe.Add("takedown", "请选择撤下时间。")
	case r.Kind == RosterStudents && r.Takedown != TakedownPeriodEnd:
		fe.Add("takedown", "学生名单须在公示期满或撤回时撤下（教财厅函〔2017〕28号）。")
	}
}

// RuleFor is the roster rule of an item: its catalogue item's, or, for an
// item without one, the rule of its category (student aid always lists
// students).
func RuleFor(d *Disclosure, catalogue []CatalogueItem) RosterRule {
	if d.CatalogueCode != "" {
		for _, c := range catalogue {
			if c.Code == d.CatalogueCode && c.Roster.Kind != "" {
				return c.Roster
			}
		}
	}
	if d.Category == "aid" {
		return StudentRoster
	}
	return NoRoster
}

// TakedownAt reports whether the people of d are taken down at now under
// the rule, and since when: the day after the publicity period's last day
// (Beijing), or the moment of withdrawal, whichever comes first.
func TakedownAt(d *Disclosure, rule RosterRule, now time.Time) (time.Time, bool) {
	if !rule.Holds() || rule.Takedown == TakedownNever || !d.Published() {
		return time.Time{}, false
	}
	var at time.Time
	// A closed item's period is over even on a clock that lags the sweep's.
	closed := d.State == StateClosed || d.State == StateArchived && d.WithdrawnAt.IsZero()
	if rule.Takedown == TakedownPeriodEnd && d.PublicityDays > 0 && !d.PublicityEnd.IsZero() && (closed || PeriodOver(d.PublicityEnd, now)) {
		y, m, day := d.PublicityEnd.In(Beijing).Date()
		at = time.Date(y, m, day+1, 0, 0, 0, 0, Beijing)
	}
	withdrawn := d.WithdrawnAt
	if withdrawn.IsZero() && d.State == StateWithdrawn {
		withdrawn = d.UpdatedAt // an item withdrawn before the time was kept
	}
	if !withdrawn.IsZero() && !now.Before(withdrawn) && (at.IsZero() || withdrawn.Before(at)) {
		at = withdrawn
	}
	return at, !at.IsZero()
}

// TakedownCause tells what took a roster down at at: its withdrawal, or
// the end of its publicity period, whose last day is day.
func TakedownCause(d *Disclosure, at time.Time) (day time.Time, withdrawn bool) {
	if w := d.WithdrawnAt; !w.IsZero() && !w.After(at) || w.IsZero() && d.State == StateWithdrawn && !d.UpdatedAt.After(at) {
		return at, true
	}
	return at.Add(-time.Nanosecond), false
}

// TakedownNotice is the notice a taken-down roster shows instead of its
// people: 名单已于 2026年3月7日公示期满撤下, or …撤回时撤下.
func TakedownNotice(d *Disclosure, at time.Time) string {
	day, withdrawn := TakedownCause(d, at)
	if withdrawn {
		return "名单已于 " + ChineseDate(day) + "撤回时撤下"
	}
	return "名单已于 " + ChineseDate(day) + "公示期满撤下"
}

// nameHeaders are the column headings of a Markdown table whose cells are
// people's names.
var nameHeaders = []string{"学生", "教师", "指导教师", "获奖学生", "受助学生", "人选", "推荐人选", "获奖者"}

// RosterNames returns the people named in the name columns (姓名, 学生,
// 教师 …) of the Markdown tables of the texts, longest first, without
// repeats: what a taken-down roster's title must not show.
func RosterNames(texts ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, text := range texts {
		cols := []int(nil)
		inTable, header := false, false
		for line := range strings.Lines(text) {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "|") {
				inTable = false
				continue
			}
			cells := rowCells(line)
			if !inTable {
				inTable, header, cols = true, true, nil
				for i, c := range cells {
					if strings.Contains(c, "姓名") || slices.Contains(nameHeaders, c) {
						cols = append(cols, i)
					}
				}
				continue
			}
			if header && isDelimiterRow(cells) {
				header = false
				continue
			}
			for _, i := range cols {
				if i < len(cells) && looksLikeName(cells[i]) && !seen[cells[i]] {
					seen[cells[i]] = true
					out = append(out, cells[i])
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return utf8.RuneCountInString(out[i]) > utf8.RuneCountInString(out[j]) })
	return out
}

// rowCells are the texts of a Markdown table row's cells, read by the same
// splitRow as the personal-data scan (privacy.go), without emphasis marks.
func rowCells(line string) []string {
	var cells []string
	for _, c := range splitRow(line) {
		cells = append(cells, strings.Trim(strings.TrimSpace(line[c[0]:c[1]]), "*"))
	}
	return cells
}

func isDelimiterRow(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, ":- ") != "" {
			return false
		}
	}
	return true
}

// looksLikeName accepts a cell of 2–8 letters with no digits: a name, not a
// total ("9人") or a dash.
func looksLikeName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 8 || s == "合计" || s == "小计" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '·' && r != ' ' {
			return false
		}
	}
	return true
}

// MaskNames replaces every name in s by ××, longest names first.
func MaskNames(s string, names []string) string {
	for _, n := range names {
		s = strings.ReplaceAll(s, n, "××")
	}
	return s
}

// ImpactAssessment is a recorded 个人信息保护影响评估 (PIPL art. 55): before
// a catalogue item that publishes personal data is used, the principal
// records why, what, to whom, for how long, and who checked it.
type ImpactAssessment struct {
	ID            int64
	SchoolID      int64
	CatalogueCode string
	CatalogueName string
	Purpose       string // 处理目的
	Fields        string // 公开的个人信息字段
	Audience      string // 公开范围
	Retention     string // 保存与公开期限
	CheckedBy     string // 审核人
	AssessedOn    time.Time
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
}

// ValidateImpactAssessment checks the form: every field filled, none too
// long, the date not in the future. Field keys are purpose, fields,
// audience, retention, checked_by and assessed_on.
func ValidateImpactAssessment(a *ImpactAssessment, now time.Time) error {
	fe := FieldErrors{}
	for _, f := range []struct {
		key, label string
		v          *string
		max        int
	}{
		{"purpose", "处理目的", &a.Purpose, 1000},
		{"fields", "公开的个人信息", &a.Fields, 500},
		{"audience", "公开范围", &a.Audience, 200},
		{"retention", "公开与保存期限", &a.Retention, 500},
		{"checked_by", "审核人", &a.CheckedBy, 100},
	} {
		*f.v = strings.TrimSpace(*f.v)
		switch {
		case *f.v == "":
			fe.Add(f.key, "请填写"+f.label+"。")
		case utf8.RuneCountInString(*f.v) > f.max:
			fe.Add(f.key, fmt.Sprintf("%s不能超过 %d 字。", f.label, f.max))
		case HasNUL(*f.v):
			fe.Add(f.key, f.label+"含有无法保存的空字符。")
		}
	}
	if a.AssessedOn.IsZero() {
		fe.Add("assessed_on", "请填写评估日期。")
	} else if y, m, d := now.In(Beijing).Date(); a.AssessedOn.After(time.Date(y, m, d, 23, 59, 59, 0, Beijing)) {
		fe.Add("assessed_on", "评估日期不能晚于今天。")
	}
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "影响评估有误，请检查标红的项目。", Fields: fe}
}

// AuditReasonMin and AuditReasonMax bound the reason recorded for opening a
// taken-down roster.
const (
	AuditReasonMin = 4
	AuditReasonMax = 500
)

// ValidateAuditReason checks the reason given to open a taken-down roster.
func ValidateAuditReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	n := utf8.RuneCountInString(reason)
	msg := ""
	switch {
	case n < AuditReasonMin:
		msg = fmt.Sprintf("请写明查阅原件的理由（至少 %d 个字），例如“核对异议 2026-0012”。", AuditReasonMin)
	case n > AuditReasonMax:
		msg = fmt.Sprintf("理由不能超过 %d 字。", AuditReasonMax)
	case HasNUL(reason):
		msg = "理由含有无法保存的空字符。"
	}
	if msg != "" {
		return "", &Error{Code: EINVALID, Message: msg, Fields: FieldErrors{"reason": msg}}
	}
	return reason, nil
}

// CanAuditRoster reports whether the actor may open a taken-down roster's
// original, with a recorded reason: staff of the procedure of the school
// (principal, leaders, supervision group, clerks) and the bureau.
func CanAuditRoster(a *Actor, schoolBureauID, schoolID int64) bool {
	return CanSeeUnpublished(a, schoolBureauID, schoolID)
}

// CanReadPrivacyRecords reports whether the actor may read a school's
// impact assessments and the log of roster audits: its principal and
// supervision group, and the bureau.
func CanReadPrivacyRecords(a *Actor, schoolBureauID, schoolID int64) bool {
	return a.Oversees(schoolBureauID) || a.HasRole(schoolID, RolePrincipal) || a.HasRole(schoolID, RoleSupervisor)
}

// CanAssessImpact reports whether the actor may record an impact
// assessment for the school: its principal.
func CanAssessImpact(a *Actor, schoolID int64) bool { return a.HasRole(schoolID, RolePrincipal) }

// RosterChangeExposes reports whether changing an item's rule from old to
// next would put people back on the board: a list no longer treated as
// one, or taken down later than before. Lists already taken down under the
// old rule must stay down, so such a change is refused while the item has
// published lists.
func RosterChangeExposes(old, next RosterRule) bool {
	if !old.Holds() {
		return false
	}
	if !next.Holds() {
		return true
	}
	rank := map[Takedown]int{TakedownPeriodEnd: 0, TakedownWithdrawn: 1, TakedownNever: 2}
	return rank[next.Takedown] > rank[old.Takedown]
}
