package gongkai

import "fmt"

// CatalogueItem is one line of a school's 校务公开目录: what must be
// disclosed, to whom, how often and on what legal basis.
type CatalogueItem struct {
	ID            int64
	SchoolID      int64
	Code          string
	Name          string
	Category      string
	Audience      Audience
	PublicityDays int
	Frequency     string // e.g. 每月5日前, 每学期开学前, 事项发生后20个工作日内
	Department    string
	LegalBasis    string
	Position      int
	Schedule      Schedule // the due-date rule that produces obligations
	Required      bool     // required by the bureau: the school cannot drop it
	Roster        RosterRule
	// Channel is where the item must also be made public besides the
	// online board ("须在公开栏张贴"), or "" when publication suffices: its
	// obligations are met only once a posting on it is recorded.
	Channel Channel
}

// DefaultCatalogue is the catalogue a new school starts with, from the seed
// plans and the national rules they follow.
var DefaultCatalogue = []CatalogueItem{
	{Code: "plan", Name: "学校工作计划与发展规划", Category: "decisions", Audience: AudiencePublic, Frequency: "每学年", Department: "办公室", LegalBasis: "《中华人民共和国教育法》", Schedule: Schedule{Frequency: FreqYearly, DueMonthDay: "09-30"}},
	{Code: "rules", Name: "学校章程与重要规章制度", Category: "decisions", Audience: AudiencePublic, Frequency: "制定或修改后20个工作日内", Department: "办公室", Schedule: Schedule{}},
	{Code: "major-decision", Name: "重大决策事项", Category: "decisions", Audience: AudienceStaff, Frequency: "决策后20个工作日内", Department: "办公室", Schedule: Schedule{Frequency: FreqEvent, DueWorkdays: 20}},
	{Code: "monthly-finance", Name: "月度财务收支报表", Category: "finance", Audience: AudiencePublic, Frequency: "每月5日前公布上月报表", Department: "财务室", LegalBasis: "《中小学校财务制度》", Schedule: Schedule{Frequency: FreqMonthly, DueDay: 5}},
	{Code: "budget", Name: "学校预算、决算", Category: "finance", Audience: AudiencePublic, Frequency: "每年", Department: "财务室", LegalBasis: "《中华人民共和国预算法》", Schedule: Schedule{Frequency: FreqYearly, DueMonthDay: "03-31"}},
	{Code: "large-expense", Name: "大额资金使用（3000元以上）", Category: "finance", Audience: AudienceStaff, PublicityDays: 0, Frequency: "支出后20个工作日内", Department: "财务室", Schedule: Schedule{Frequency: FreqEvent, DueWorkdays: 20}},
	{Code: "fees", Name: "收费项目、标准及依据", Category: "fees", Audience: AudiencePublic, PublicityDays: 5, Frequency: "每学期开学前", Department: "财务室", LegalBasis: "《教育收费公示制度》", Schedule: Schedule{Frequency: FreqTerm, TermDue: [2]string{"02-25", "08-25"}}},
	{Code: "procurement", Name: "大宗物资采购", Category: "procurement", Audience: AudiencePublic, PublicityDays: 5, Frequency: "采购结果确定后20个工作日内", Department: "总务处", LegalBasis: "《中华人民共和国政府采购法》", Schedule: Schedule{Frequency: FreqEvent, DueWorkdays: 20}},
	{Code: "works", Name: "基建工程（设计、招投标、合同）", Category: "procurement", Audience: AudiencePublic, PublicityDays: 5, Frequency: "各阶段完成后20个工作日内", Department: "总务处", LegalBasis: "《中华人民共和国招标投标法》", Schedule: Schedule{Frequency: FreqEvent, DueWorkdays: 20}},
	{Code: "aid-roster", Name: "学生资助名单", Category: "aid", Audience: AudienceCommunity, PublicityDays: 5, Frequency: "每学期评定后", Department: "德育处", LegalBasis: "教财厅函〔2017〕28号", Schedule: Schedule{Frequency: FreqTerm, TermDue: [2]string{"04-30", "10-31"}}, Roster: StudentRoster},
	{Code: "student-awards", Name: "学生评优评先与奖惩", Category: "awards", Audience: AudiencePublic, PublicityDays: 5, Frequency: "评定后", Department: "德育处", Schedule: Schedule{Frequency: FreqEvent, DueWorkdays: 20}, Roster: StudentRoster},
	{Code: "staff-awards", Name: "教职工评优评先与奖惩", Category: "awards", Audience: AudienceStaff, PublicityDays: 5, Frequency: "评定后", Department: "办公室", Schedule: Schedule{Frequency: FreqEvent, DueWorkdays: 20}, Roster: StaffRoster},
	{Code: "staff-evaluation", Name: "教职工考核与绩效工资分配", Category: "evaluation", Audience: AudienceStaff, PublicityDays: 5, Frequency: "每学年", Department: "办公室", Schedule: Schedule{Frequency: FreqYearly, DueMonthDay: "07-15"}, Roster: StaffRoster},
	{Code: "title-review", Name: "专业技术职务评聘", Category: "titles", Audience: AudienceStaff, PublicityDays: 5, Frequency: "每年评审时", Department: "办公室", Schedule: Schedule{Frequency: FreqEvent, DueWorkdays: 20}, Roster: StaffRoster},
	{Code: "enrolment", Name: "招生政策、程序与录取结果", Category: "enrolment", Audience: AudiencePublic, PublicityDays: 5, Frequency: "每年招生时", Department: "教导处", LegalBasis: "《中华人民共和国义务教育法》", Schedule: Schedule{Frequency: FreqYearly, DueMonthDay: "08-20"}},
	{Code: "enrolment-results", Name: "新生录取（分班）名单", Category: "enrolment", Audience: AudienceCommunity, PublicityDays: 5, Frequency: "录取结果确定后", Department: "教导处", LegalBasis: "《中华人民共和国义务教育法》", Schedule: Schedule{Frequency: FreqEvent, DueWorkdays: 20}, Roster: StudentRoster},
	{Code: "duties", Name: "校长及中层干部分工与岗位职责", Category: "personnel", Audience: AudiencePublic, Frequency: "每学年或调整后", Department: "办公室", Schedule: Schedule{Frequency: FreqYearly, DueMonthDay: "09-30"}},
	{Code: "congress", Name: "教职工代表大会决议", Category: "congress", Audience: AudienceStaff, Frequency: "每年至少一次", Department: "工会", LegalBasis: "《学校教职工代表大会规定》", Schedule: Schedule{Frequency: FreqYearly, DueMonthDay: "12-31"}},
	{Code: "integrity", Name: "领导班子廉洁自律情况", Category: "integrity", Audience: AudienceStaff, Frequency: "每年", Department: "办公室", Schedule: Schedule{Frequency: FreqYearly, DueMonthDay: "12-31"}},
	{Code: "disclosure-meeting", Name: "校务公开工作情况通报", Category: "other", Audience: AudienceStaff, Frequency: "每季度", Department: "办公室", Schedule: Schedule{Frequency: FreqQuarterly, DueDay: 10}},
}

// ScheduleText describes a due-date rule in Chinese for people.
func (s Schedule) Text() string {
	switch s.Frequency {
	case FreqMonthly:
		if s.DueDay == 0 {
			return "每月：次月月底前公开上月情况"
		}
		return fmt.Sprintf("每月：次月%d日前公开上月情况", s.DueDay)
	case FreqQuarterly:
		if s.DueDay == 0 {
			return "每季度：季后次月月底前"
		}
		return fmt.Sprintf("每季度：季后次月%d日前", s.DueDay)
	case FreqTerm:
		return fmt.Sprintf("每学期：春季学期 %s前，秋季学期 %s前", s.TermDue[0], s.TermDue[1])
	case FreqYearly:
		return fmt.Sprintf("每年：%s前", s.DueMonthDay)
	case FreqEvent:
		return fmt.Sprintf("按事项：事项发生后 %d 个工作日内", s.DueWorkdays)
	}
	return "长期公开，变更时更新"
}
