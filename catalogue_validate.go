package gongkai

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CatalogueCodeValid reports whether code may name a catalogue item: 1–40
// lower-case letters, digits, dashes, dots or underscores, starting with a
// letter or digit (codes appear in URLs, the API and spreadsheets).
func CatalogueCodeValid(code string) bool {
	if code == "" || len(code) > 40 {
		return false
	}
	for i, r := range code {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case (r == '-' || r == '.' || r == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// ValidateCatalogueItem checks an item before it is saved: its code, name,
// category, audience, a publicity period no shorter than the category's legal
// minimum, text lengths, and a due-date rule that can produce a date. Field
// keys are code, name, category, audience, publicity_days, frequency_text,
// department, legal_basis, those of ValidateRosterRule and those of
// Schedule.Validate.
func ValidateCatalogueItem(c *CatalogueItem) error {
	c.Code = strings.TrimSpace(c.Code)
	c.Name = strings.TrimSpace(c.Name)
	c.Frequency = strings.TrimSpace(c.Frequency)
	c.Department = strings.TrimSpace(c.Department)
	c.LegalBasis = strings.TrimSpace(c.LegalBasis)
	fe := FieldErrors{}
	if c.Channel != "" && !c.Channel.Physical() {
		fe.Add("channel", "请从列表中选择张贴或通报的渠道。")
	}
	if !CatalogueCodeValid(c.Code) {
		fe.Add("code", "编码须为 1–40 位小写字母、数字、横线、点或下划线，例如 monthly-finance。")
	}
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 100 {
		fe.Add("name", "请填写公开事项名称（不超过 100 字）。")
	}
	cat, ok := CategoryByCode(c.Category)
	if !ok {
		fe.Add("category", "请选择类别。")
	}
	if !c.Audience.Valid() {
		fe.Add("audience", "请选择公开范围。")
	}
	switch {
	case c.PublicityDays < 0 || c.PublicityDays > 60:
		fe.Add("publicity_days", "公示期须在 0–60 个工作日之间。")
	case ok && c.PublicityDays < cat.MinPublicityDays:
		fe.Add("publicity_days", fmt.Sprintf("“%s”类事项的公示期不得少于 %d 个工作日。", cat.Name, cat.MinPublicityDays))
	}
	if utf8.RuneCountInString(c.Frequency) > 100 {
		fe.Add("frequency_text", "频次说明不超过 100 字。")
	}
	if utf8.RuneCountInString(c.Department) > 40 {
		fe.Add("department", "责任处室不超过 40 字。")
	}
	if utf8.RuneCountInString(c.LegalBasis) > 200 {
		fe.Add("legal_basis", "法律依据不超过 200 字。")
	}
	c.Schedule.DueMonthDay = strings.TrimSpace(c.Schedule.DueMonthDay)
	c.Schedule.TermDue[0], c.Schedule.TermDue[1] = strings.TrimSpace(c.Schedule.TermDue[0]), strings.TrimSpace(c.Schedule.TermDue[1])
	// Keep only the fields of the chosen frequency.
	sc := c.Schedule
	c.Schedule = Schedule{Frequency: sc.Frequency}
	switch sc.Frequency {
	case FreqMonthly, FreqQuarterly:
		c.Schedule.DueDay = sc.DueDay
	case FreqYearly:
		c.Schedule.DueMonthDay = sc.DueMonthDay
	case FreqTerm:
		c.Schedule.TermDue = sc.TermDue
	case FreqEvent:
		c.Schedule.DueWorkdays = sc.DueWorkdays
	}
	// An item that says nothing of rosters (an import without these
	// columns) keeps the rule it has.
	if c.Roster.Kind != "" {
		ValidateRosterRule(&c.Roster, fe)
		if c.Roster.Holds() && c.PublicityDays < 5 && fe["publicity_days"] == "" {
			fe.Add("publicity_days", "列有名单的事项公示期不得少于 5 个工作日。")
		}
	}
	for k, v := range ErrorFields(c.Schedule.Validate()) {
		fe.Add(k, v)
	}
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "公开事项有误，请检查标红的项目。", Fields: fe}
}
