package gongkai

import (
	"regexp"
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

// Validate checks a school's fields.
func (s *School) Validate() error {
	fe := FieldErrors{}
	if !slugPattern.MatchString(s.Slug) {
		fe.Add("slug", "网址名须为 2–40 位小写字母、数字或横线，以字母开头。")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(s.Name)); n == 0 || n > 60 {
		fe.Add("name", "请填写学校简称（不超过 60 字）。")
	}
	if utf8.RuneCountInString(s.FullName) > 120 {
		fe.Add("full_name", "学校全称不超过 120 字。")
	}
	if s.Code != "" && !regexp.MustCompile(`^[0-9A-Za-z]{4,20}$`).MatchString(s.Code) {
		fe.Add("code", "学校标识码须为 4–20 位数字或字母。")
	}
	return fe.Err()
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
