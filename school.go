package gongkai

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Bureau is a county (or city) education bureau over many schools.
type Bureau struct {
	ID           int64
	Name         string // e.g. 平川县教育局
	RegionCode   string // region of the working-day calendar, "CN" for the national one
	DivisionCode string // 行政区划代码 of the county, e.g. 350121
	Address      string
	Phone        string // 监督举报电话, in every page's footer
	Sponsor      string // 主办单位 in the footer; the bureau itself when empty
	ICP          string // ICP备案号
	PSB          string // 公安备案号
	CreatedAt    time.Time
}

// divisionPattern is a 行政区划代码 (GB/T 2260): six digits whose first two
// name a province; a county's ends in its own two digits (350121), a
// city's in 00 (350100).
var divisionPattern = regexp.MustCompile(`^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$`)

// Validate trims the spaces around a bureau's particulars and checks them
// as the setup page and the bureau's settings take them: the name, the 行政区划代码 and the 监督举报电话 are
// required, the rest is for the footer and optional. The ICP and 公安备案号
// are checked loosely, for their keyword and a number, since provinces write
// them in several ways (闽ICP备12345678号-1, 闽公网安备 35012102000123号).
func (b *Bureau) Validate() error {
	fe := FieldErrors{}
	b.Name, b.DivisionCode, b.Address = strings.TrimSpace(b.Name), strings.TrimSpace(b.DivisionCode), strings.TrimSpace(b.Address)
	b.Phone, b.Sponsor = strings.TrimSpace(b.Phone), strings.TrimSpace(b.Sponsor)
	b.ICP, b.PSB = strings.TrimSpace(b.ICP), strings.TrimSpace(b.PSB)
	if n := utf8.RuneCountInString(b.Name); n == 0 || n > 60 {
		fe.Add("name", "请填写教育局名称（不超过 60 字），例如 青禾县教育局。")
	}
	if !divisionPattern.MatchString(b.DivisionCode) {
		fe.Add("division_code", "行政区划代码须为 6 位数字，例如 350121。")
	}
	if utf8.RuneCountInString(b.Address) > 120 {
		fe.Add("address", "地址不超过 120 字。")
	}
	if b.Phone == "" {
		fe.Add("phone", "请填写监督举报电话，它显示在每个页面的底部。")
	} else if msg := ValidatePhone("监督举报电话", b.Phone); msg != "" {
		fe.Add("phone", msg)
	}
	if utf8.RuneCountInString(b.Sponsor) > 60 {
		fe.Add("sponsor", "主办单位不超过 60 字。")
	}
	if b.ICP != "" && (!strings.Contains(strings.ToUpper(b.ICP), "ICP") || !strings.ContainsAny(b.ICP, "0123456789") || utf8.RuneCountInString(b.ICP) > 40) {
		fe.Add("icp", "ICP备案号的格式如 闽ICP备12345678号，可不填。")
	}
	if b.PSB != "" && (!strings.Contains(b.PSB, "公网安备") || !strings.ContainsAny(b.PSB, "0123456789") || utf8.RuneCountInString(b.PSB) > 40) {
		fe.Add("psb", "公安备案号的格式如 闽公网安备 35012102000123号，可不填。")
	}
	for _, f := range []struct{ key, label, v string }{
		{"name", "教育局名称", b.Name}, {"division_code", "行政区划代码", b.DivisionCode}, {"address", "地址", b.Address},
		{"phone", "监督举报电话", b.Phone}, {"sponsor", "主办单位", b.Sponsor}, {"icp", "ICP备案号", b.ICP}, {"psb", "公安备案号", b.PSB},
	} {
		if msg := CheckText(f.label, f.v, false); msg != "" {
			fe[f.key] = msg
		}
	}
	return fe.Err()
}

// SponsorName is the 主办单位 the footer shows: the sponsor, or the bureau
// itself when none is set.
func (b *Bureau) SponsorName() string {
	if b.Sponsor != "" {
		return b.Sponsor
	}
	return b.Name
}

// School is a tenant: every row of school data carries its id.
type School struct {
	ID         int64
	BureauID   int64
	BureauName string
	RegionCode string // the bureau's working-day calendar region
	Slug       string // short name in URLs: /s/{slug}/
	Name       string // 祥谦小学
	FullName   string // 闽侯县祥谦小学
	Code       string // 学校标识码, 10 digits, the first part of every index number
	Address    string
	Phone      string // 监督电话: contact shown under every item and in the footer
	CreditCode string // 统一社会信用代码, 18 characters
	Stage      string // 学段: 小学, 初中, 九年一贯制, 高中, 中职, ...
	// What the school publishes of itself (its profile, edited by the principal).
	AdmissionPhone string // 招生咨询电话
	AidPhone       string // 资助热线
	OfficeHours    string // 办公时间
	Guide          string // 便民办事指南 (Markdown)
	// DeactivatedAt is when the bureau deactivated the school; zero while active.
	DeactivatedAt time.Time
	// Bureau is the school's bureau, for the footer (监督举报电话, 主办单位, 备案号).
	Bureau    Bureau
	CreatedAt time.Time
}

// Active reports whether the school has not been deactivated.
func (s *School) Active() bool { return s.DeactivatedAt.IsZero() }

// Department is a 处室 of a school (教导处, 总务处, ...).
type Department struct {
	ID       int64
	SchoolID int64
	Name     string
}

var slugPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,39}$`)

// schoolCodePattern is the 学校标识码 the Ministry of Education gives every
// school: ten digits.
var schoolCodePattern = regexp.MustCompile(`^[0-9]{10}$`)

// Stages are the 学段 a bureau chooses from for a school, in the order of the
// county's school list (教育事业统计 school types).
var Stages = []string{"幼儿园", "小学", "初中", "九年一贯制学校", "十二年一贯制学校", "完全中学", "高中", "中等职业学校", "特殊教育学校"}

// ValidStage reports whether v is one of Stages.
func ValidStage(v string) bool {
	for _, s := range Stages {
		if s == v {
			return true
		}
	}
	return false
}

// Validate checks a school's fields. The 学校标识码 and 学段 may be empty
// here (a school created before the bureau kept them); RegistrationErrors
// requires them of what the bureau enters.
func (s *School) Validate() error {
	fe := FieldErrors{}
	if !slugPattern.MatchString(s.Slug) {
		fe.Add("slug", "网址名须为 2–40 位小写字母、数字或横线，以字母开头。")
	} else if s.Slug == "new" || s.Slug == "import" {
		fe.Add("slug", "“"+s.Slug+"”是系统保留的网址名，请换一个。")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(s.Name)); n == 0 || n > 60 {
		fe.Add("name", "请填写学校名称（不超过 60 字）。")
	}
	if utf8.RuneCountInString(s.FullName) > 120 {
		fe.Add("full_name", "学校全称不超过 120 字。")
	}
	if s.Code != "" && !schoolCodePattern.MatchString(s.Code) {
		fe.Add("code", "学校标识码须为 10 位数字。")
	}
	if msg := ValidateCreditCode(s.CreditCode); msg != "" {
		fe.Add("credit_code", msg)
	}
	if s.Stage != "" && !ValidStage(s.Stage) {
		fe.Add("stage", "请从列表中选择学段："+strings.Join(Stages, "、")+"。")
	}
	if utf8.RuneCountInString(s.Address) > 120 {
		fe.Add("address", "地址不超过 120 字。")
	}
	for _, f := range []struct{ key, label, v string }{
		{"phone", "监督电话", s.Phone}, {"admission_phone", "招生咨询电话", s.AdmissionPhone}, {"aid_phone", "资助热线", s.AidPhone},
	} {
		if msg := ValidatePhone(f.label, f.v); msg != "" {
			fe.Add(f.key, msg)
		}
	}
	if utf8.RuneCountInString(s.OfficeHours) > 200 {
		fe.Add("office_hours", "办公时间不超过 200 字。")
	}
	if utf8.RuneCountInString(s.Guide) > MaxGuideRunes {
		fe.Add("guide", fmt.Sprintf("便民办事指南不超过 %d 字。", MaxGuideRunes))
	}
	for _, f := range []struct {
		key, label, v string
		multiline     bool
	}{
		{"slug", "网址名", s.Slug, false}, {"name", "学校名称", s.Name, false}, {"full_name", "学校全称", s.FullName, false},
		{"code", "学校标识码", s.Code, false}, {"credit_code", "统一社会信用代码", s.CreditCode, false}, {"stage", "学段", s.Stage, false},
		{"address", "地址", s.Address, false}, {"phone", "监督电话", s.Phone, false}, {"admission_phone", "招生咨询电话", s.AdmissionPhone, false},
		{"aid_phone", "资助热线", s.AidPhone, false}, {"office_hours", "办公时间", s.OfficeHours, false}, {"guide", "便民办事指南", s.Guide, true},
	} {
		if msg := CheckText(f.label, f.v, f.multiline); msg != "" {
			fe[f.key] = msg // before the field's other problems: they may quote it
		}
	}
	return fe.Err()
}

// MaxGuideRunes bounds the 便民办事指南.
const MaxGuideRunes = 20000

// ValidateRegistration checks a school as the bureau registers it (by form,
// API or the county's school list): Validate, and the 学校标识码 and 学段
// that every school of a county has.
func (s *School) ValidateRegistration() error {
	fe := FieldErrors{}
	if err := s.Validate(); err != nil {
		for k, v := range ErrorFields(err) {
			fe.Add(k, v)
		}
	}
	if s.Code == "" {
		fe.Add("code", "请填写学校标识码（10 位数字）。")
	}
	if s.Stage == "" {
		fe.Add("stage", "请选择学段。")
	}
	return fe.Err()
}

// SchoolUse is something a school does on the platform that its
// deactivation may stop.
type SchoolUse int

// What a school does.
const (
	UseBoard       SchoolUse = iota // its public and internal boards are read
	UseListed                       // it is on the list of schools (home page, GET /api/v1/schools)
	UseNewDraft                     // a new item is registered
	UseFeedback                     // the public sends feedback (objections, letters, requests)
	UseObligations                  // obligations are created and reminded, counted overdue on the dashboard
	UseWorkflow                     // items already under way take their steps
	UseNewOrder                     // the bureau issues it a new supervision order (督办通知)
	UseNewMembers                   // people are added by hand, by a staff list or the API
	UseInvitations                  // staff invitations and parents' codes are made and used
)

// Allows reports whether the school may be used so. A deactivated school (撤并,
// 停办) stays readable, so that what it published is not lost, but takes in
// nothing new and owes nothing: it is left off the lists, its board says it
// was deactivated, no obligation is created, reminded or counted for it,
// and nobody joins it (no one added or imported, no invitation made or used;
// the roles of its people may still be changed or taken away).
// Items already under way may still be finished (published or withdrawn),
// so that nothing is left half-done.
func (s *School) Allows(u SchoolUse) bool {
	if s.Active() {
		return true
	}
	switch u {
	case UseBoard, UseWorkflow:
		return true
	}
	return false
}

// Refusal is the error for a use the school does not allow, nil when it does.
func (s *School) Refusal(u SchoolUse) error {
	if s.Allows(u) {
		return nil
	}
	switch u {
	case UseNewDraft:
		return Errorf(ECONFLICT, "%s已停用，不能再登记新的公开事项。", s.Name)
	case UseFeedback:
		return Errorf(ECONFLICT, "%s已停用，不再受理新的意见、申请和举报；如有需要，请向%s反映。", s.Name, s.BureauName)
	case UseNewOrder:
		return Errorf(ECONFLICT, "%s已停用，不能再下发督办通知。", s.Name)
	case UseNewMembers:
		return Errorf(ECONFLICT, "%s已停用，不能再添加或导入人员。现有人员的角色仍可修改或取消。", s.Name)
	case UseInvitations:
		return Errorf(ECONFLICT, "%s已停用，不再接收新的人员，邀请链接和邀请码都不能再生成或使用。如有疑问，请联系%s。", s.Name, s.BureauName)
	}
	return Errorf(ECONFLICT, "%s已停用。", s.Name)
}

// CheckDeactivate says whether the school may be deactivated now.
func (s *School) CheckDeactivate() error {
	if !s.Active() {
		return Errorf(ECONFLICT, "%s已经停用。", s.Name)
	}
	return nil
}

// CheckReactivate says whether the school may be reactivated now.
func (s *School) CheckReactivate() error {
	if s.Active() {
		return Errorf(ECONFLICT, "%s没有停用，无需恢复。", s.Name)
	}
	return nil
}

// DropOnDeactivate reports whether an obligation goes when its school is
// deactivated on day (YYYY-MM-DD): an open scheduled one due on or after
// that day was only a forecast of work the school will not do. Obligations
// already due stay as the school's record; met or waived ones are history;
// one raised by an event (a large expense) records that event. On
// reactivation the obligations of the coming months are created again from
// that day, so a period that fell due while the school was deactivated is
// never owed.
func DropOnDeactivate(due, day string, met, waived, event bool) bool {
	return !met && !waived && !event && due >= day
}

// RegistrationChanges lists the bureau's fields of a school that differ
// between old and new, for the admin log.
func RegistrationChanges(old, nw *School) []Change {
	return []Change{
		{"学校名称", old.Name, nw.Name}, {"学校全称", old.FullName, nw.FullName}, {"网址名", old.Slug, nw.Slug},
		{"学校标识码", old.Code, nw.Code}, {"统一社会信用代码", old.CreditCode, nw.CreditCode}, {"学段", old.Stage, nw.Stage},
		{"地址", old.Address, nw.Address}, {"监督电话", old.Phone, nw.Phone},
	}
}

// ProfileChanges lists the principal's fields of a school (its profile)
// that differ between old and new, for the admin log. The guide's text is
// long, so its change is named, not quoted.
func ProfileChanges(old, nw *School) []Change {
	guide := Change{Field: "便民办事指南"}
	if old.Guide != nw.Guide {
		guide.Old, guide.New = fmt.Sprintf("%d 字", utf8.RuneCountInString(old.Guide)), fmt.Sprintf("%d 字（已修改）", utf8.RuneCountInString(nw.Guide))
	}
	return []Change{
		{"学校全称", old.FullName, nw.FullName}, {"地址", old.Address, nw.Address}, {"监督电话", old.Phone, nw.Phone},
		{"招生咨询电话", old.AdmissionPhone, nw.AdmissionPhone}, {"资助热线", old.AidPhone, nw.AidPhone},
		{"办公时间", old.OfficeHours, nw.OfficeHours}, guide,
	}
}

// Title is the name shown in headers: the full name when there is one.
func (s *School) Title() string {
	if s.FullName != "" {
		return s.FullName
	}
	return s.Name
}

// phonePattern is one telephone number as schools write it: an optional
// area code in brackets or before a dash, digits with spaces or dashes, and
// an extension after 转: 0591-22345678, (0591)2234 5678, 13812345678,
// 400-123-4567, 0591-22345678转801.
var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 \-]*$|^\(?[0-9]{3,4}\)[0-9 \-]+$`)

// ValidatePhone checks a telephone field, which may hold several numbers
// separated by 、 , ; or /. It returns "" for a good or empty value and
// otherwise a message that names the field.
func ValidatePhone(label, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if utf8.RuneCountInString(v) > 60 {
		return label + "不超过 60 个字符。"
	}
	for _, n := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune("、,，;；/", r) }) {
		n = strings.TrimSpace(n)
		num, ext, hasExt := strings.Cut(n, "转")
		digits := 0
		for _, r := range num {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if !phonePattern.MatchString(strings.TrimSpace(num)) || digits < 5 || digits > 15 ||
			(hasExt && (ext == "" || strings.Trim(ext, "0123456789") != "")) {
			return label + "只能包含数字、空格、横线和括号，例如 0591-22345678 或 13812345678。"
		}
	}
	return ""
}

// creditCodeChars are the 31 characters of a 统一社会信用代码 (GB 32100-2015:
// digits and capitals without I, O, S, V, Z), in the order of their values.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights weigh the first 17 characters for the check character.
var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCheckChar returns the check character (the 18th) for the first 17
// characters of a 统一社会信用代码, and false when they are not 17 valid
// characters.
func CreditCheckChar(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeChars, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditCodeWeights[i]
	}
	return creditCodeChars[(31-sum%31)%31], true
}

// ValidateCreditCode checks a 统一社会信用代码: 18 characters whose last is
// the check character of the others. It returns "" for a good or empty code.
func ValidateCreditCode(code string) string {
	if code == "" {
		return ""
	}
	if len(code) != 18 {
		return "统一社会信用代码须为 18 位。"
	}
	want, ok := CreditCheckChar(code[:17])
	if !ok {
		return "统一社会信用代码只能包含数字和大写字母（不含 I、O、S、V、Z）。"
	}
	if code[17] != want {
		return "统一社会信用代码的校验位不对，请核对最后一位。"
	}
	return ""
}

// Normalize trims what people paste around the bureau's fields: spaces,
// a slug in capitals, a credit code in lower case.
func (s *School) Normalize() {
	for _, p := range []*string{&s.Slug, &s.Name, &s.FullName, &s.Code, &s.CreditCode, &s.Stage, &s.Address, &s.Phone,
		&s.AdmissionPhone, &s.AidPhone, &s.OfficeHours} {
		*p = strings.TrimSpace(*p)
	}
	s.Slug = strings.ToLower(s.Slug)
	s.CreditCode = strings.ToUpper(s.CreditCode)
}

// DefaultDepartments are the 处室 a newly registered school starts with;
// the principal adds or renames them on the members page.
func DefaultDepartments(stage string) []string {
	switch stage {
	case "中等职业学校":
		return []string{"校长办公室", "教务处", "学生处", "总务处", "财务室", "招生就业处", "工会"}
	case "幼儿园":
		return []string{"园长办公室", "保教处", "后勤处", "财务室", "工会"}
	}
	return []string{"办公室", "教导处", "德育处", "总务处", "财务室", "工会"}
}

// SchoolListRow is one school of the county's school list (学校名单) as
// imported: the school, and the principal to give it, if any.
type SchoolListRow struct {
	Row               int // the row of the sheet, for messages
	School            School
	PrincipalName     string // 校长姓名
	PrincipalUsername string // 校长用户名: an existing account becomes principal, a new one is created
}

// CheckSchoolList normalizes the rows of a school list a bureau uploads and
// says what is wrong with each, all rows at once, one problem per row
// (SchoolListProblem). What only the database knows, such as a code already
// taken, the store adds.
func CheckSchoolList(bureauID int64, rows []SchoolListRow) []string {
	var problems []string
	for i := range rows {
		r := &rows[i]
		r.School.BureauID = bureauID
		r.School.Normalize()
		fe := FieldErrors{}
		for k, v := range ErrorFields(r.School.ValidateRegistration()) {
			fe.Add(k, v)
		}
		if r.PrincipalUsername != "" {
			if msg := ValidateUsername(r.PrincipalUsername); msg != "" {
				fe.Add("principal_username", msg)
			}
		}
		if len(fe) > 0 {
			problems = append(problems, SchoolListProblem(r.Row, fe))
		}
	}
	return problems
}

// schoolListFields is the order in which a row's problems are told: the
// order of the sheet's columns.
var schoolListFields = []string{"name", "full_name", "code", "credit_code", "slug", "stage", "address", "phone", "principal_username"}

// SchoolListProblem is what is wrong with one row of a school list, its
// fields' messages in the order of the sheet's columns.
func SchoolListProblem(row int, fe map[string]string) string {
	var msgs []string
	for _, k := range schoolListFields {
		if m := fe[k]; m != "" {
			msgs = append(msgs, m)
		}
	}
	var rest []string
	for k := range fe {
		if !slices.Contains(schoolListFields, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		msgs = append(msgs, fe[k])
	}
	return fmt.Sprintf("第%d行：%s", row, strings.Join(msgs, " "))
}
