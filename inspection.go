package gongkai

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Self-inspection (自查): "认真进行自查自纠，特别是社会关注的'热点'问题，要作为
// 重点作自我审视，对自查的情况进行理性分析……善于发现问题，认真及时整改"
// (seed 4, section 七.5). Each term the supervision group goes through a
// checklist, answers every item, and for what falls short writes a
// rectification measure with a deadline; the principal marks each measure
// done.

// Term is a school term: the spring term runs February to July, the autumn
// term August to January, as the bureau's dashboard counts them.
type Term struct {
	Year   int  // the calendar year the term starts in
	Autumn bool // false for the spring term
}

// TermOf returns the term that contains t (in Beijing time).
func TermOf(t time.Time) Term {
	t = t.In(Beijing)
	switch m := t.Month(); {
	case m == time.January:
		return Term{Year: t.Year() - 1, Autumn: true}
	case m >= time.August:
		return Term{Year: t.Year(), Autumn: true}
	}
	return Term{Year: t.Year()}
}

// ParseTerm reads a term key such as "2026-spring" or "2025-autumn".
func ParseTerm(key string) (Term, bool) {
	y, half, ok := strings.Cut(key, "-")
	year, err := strconv.Atoi(y)
	if !ok || err != nil || year < 2000 || year > 2100 || len(y) != 4 {
		return Term{}, false
	}
	switch half {
	case "spring":
		return Term{Year: year}, true
	case "autumn":
		return Term{Year: year, Autumn: true}, true
	}
	return Term{}, false
}

// Key is the term's stable name in URLs and rows: "2026-spring".
func (t Term) Key() string {
	if t.Autumn {
		return fmt.Sprintf("%d-autumn", t.Year)
	}
	return fmt.Sprintf("%d-spring", t.Year)
}

// Label is the Chinese name: 2026年春季学期.
func (t Term) Label() string {
	if t.Autumn {
		return fmt.Sprintf("%d年秋季学期", t.Year)
	}
	return fmt.Sprintf("%d年春季学期", t.Year)
}

// Bounds returns the first and the last day of the term (Beijing dates).
func (t Term) Bounds() (from, to time.Time) {
	if t.Autumn {
		return time.Date(t.Year, time.August, 1, 0, 0, 0, 0, Beijing), time.Date(t.Year+1, time.January, 31, 0, 0, 0, 0, Beijing)
	}
	return time.Date(t.Year, time.February, 1, 0, 0, 0, 0, Beijing), time.Date(t.Year, time.July, 31, 0, 0, 0, 0, Beijing)
}

// Prev is the term before.
func (t Term) Prev() Term {
	if t.Autumn {
		return Term{Year: t.Year}
	}
	return Term{Year: t.Year - 1, Autumn: true}
}

// After reports whether t comes after u.
func (t Term) After(u Term) bool {
	return t.Year > u.Year || (t.Year == u.Year && t.Autumn && !u.Autumn)
}

// TermsOfYear are the two terms that start in the calendar year: the ones
// an annual report looks back on.
func TermsOfYear(year int) []Term { return []Term{{Year: year}, {Year: year, Autumn: true}} }

// Verdict is the answer to one item of the checklist.
type Verdict string

// Verdicts.
const (
	VerdictMet    Verdict = "met"     // 符合
	VerdictPartly Verdict = "partly"  // 基本符合
	VerdictNotMet Verdict = "not_met" // 不符合
	VerdictNA     Verdict = "na"      // 不适用: nothing of the kind happened this term
)

// Verdicts lists the answers in the order forms show them.
var Verdicts = []Verdict{VerdictMet, VerdictPartly, VerdictNotMet, VerdictNA}

// Valid reports whether v is a known answer.
func (v Verdict) Valid() bool {
	for _, x := range Verdicts {
		if v == x {
			return true
		}
	}
	return false
}

// Label is the Chinese name of the answer.
func (v Verdict) Label() string {
	switch v {
	case VerdictMet:
		return "符合"
	case VerdictPartly:
		return "基本符合"
	case VerdictNotMet:
		return "不符合"
	case VerdictNA:
		return "不适用"
	}
	return "未填写"
}

// Shortfall reports whether the answer finds a problem, which needs a note
// and a rectification measure with a deadline.
func (v Verdict) Shortfall() bool { return v == VerdictPartly || v == VerdictNotMet }

// CheckItem is one point of the self-inspection checklist.
type CheckItem struct {
	Code  string
	Area  string // 组织领导, 公开内容, 公开程序, 监督与反馈, 制度与档案
	Title string // what must hold
	Guide string // what to look at
	// Evidence names what the data can tell about the item: "obligations"
	// (every item due), "obligations:<code>,<code>" (those of the catalogue
	// items), "published", "feedback", "hot" (requests and reports), or
	// "rectify"; empty when the data cannot tell.
	Evidence string
}

// DefaultChecklist is the checklist a school's supervision group answers
// each term, from the seeds' sections on organisation, content, procedure
// and supervision and the national rules they follow.
var DefaultChecklist = []CheckItem{
	{Code: "organisation", Area: "组织领导", Title: "校务公开领导小组、监督小组已建立，分工明确，本学期召开过领导小组会议",
		Guide: "查看领导小组、监督小组名单和会议记录。"},
	{Code: "catalogue", Area: "公开内容", Title: "公开目录完整并及时更新，应公开事项均按时限公开",
		Guide: "对照公开目录，检查本学期到期的应公开事项是否都已公开。", Evidence: "obligations"},
	{Code: "procedure", Area: "公开程序", Title: "公开事项均填写登记表，经领导小组审议、校长签发、监督小组审核后公开",
		Guide: "抽查登记表和审批记录。", Evidence: "published"},
	{Code: "monthly-finance", Area: "公开内容", Title: "月度财务收支报表于次月5日前公布",
		Guide: "逐月核对财务报表的公开日期。", Evidence: "obligations:monthly-finance"},
	{Code: "fees", Area: "公开内容", Title: "收费项目、标准及依据于开学前公示，没有未经公示的收费",
		Guide: "核对收费公示与实际收费。", Evidence: "obligations:fees"},
	{Code: "large-expense", Area: "公开内容", Title: "3000元以上大额资金使用逐笔公开",
		Guide: "对照财务账目，检查每笔 3000 元以上支出是否公开。", Evidence: "obligations:large-expense"},
	{Code: "procurement", Area: "公开内容", Title: "大宗物资采购、基建工程的招标、结果与合同按时公开",
		Guide: "检查采购和工程各阶段的公开情况。", Evidence: "obligations:procurement,works"},
	{Code: "aid", Area: "公开内容", Title: "学生资助名单公示不少于5个工作日，不含身份证号、银行卡号、电话、住址等个人信息",
		Guide: "查看资助名单公示的期限和内容。", Evidence: "obligations:aid-roster"},
	{Code: "evaluation", Area: "公开内容", Title: "教职工考核、评优评先、职称评聘的过程与结果公示不少于5个工作日",
		Guide: "查看考核、评优、评聘的公示。", Evidence: "obligations:staff-evaluation,staff-awards,student-awards,title-review"},
	{Code: "feedback", Area: "监督与反馈", Title: "异议、意见和来信均在期限内答复，做到件件有回音",
		Guide: "查看意见办理记录和答复时间。", Evidence: "feedback"},
	{Code: "hot-issues", Area: "监督与反馈", Title: "社会关注的热点问题（收费、招生、资助、食堂、采购等）已作为重点进行自我审视",
		Guide: "梳理本学期的点题公开申请、举报和集中反映的问题，逐一分析。", Evidence: "hot"},
	{Code: "rectification", Area: "监督与反馈", Title: "发现的问题已制定整改措施并按期整改，整改结果已公开",
		Guide: "查看整改方案、整改期限和整改结果的公开。", Evidence: "rectify"},
	{Code: "congress", Area: "制度与档案", Title: "教职工代表大会每年至少召开一次，重大事项提交教代会审议",
		Guide: "查看教代会会议记录和决议公开情况。", Evidence: "obligations:congress"},
	{Code: "channels", Area: "制度与档案", Title: "公开形式多样（公开栏、校园网、教职工大会、家长会等），师生家长知晓公开渠道",
		Guide: "查看公开栏、校园网，抽样询问师生家长。"},
	{Code: "archive", Area: "制度与档案", Title: "校务公开资料（登记表、审批记录、公开材料、意见办理）及时整理归档",
		Guide: "查看校务公开档案。"},
}

// InspectionState is where a self-inspection stands.
type InspectionState string

// Self-inspection states: the supervision group saves drafts, then submits;
// a submitted checklist is read-only.
const (
	InspectionDraft     InspectionState = "draft"
	InspectionSubmitted InspectionState = "submitted"
)

// Label is the Chinese name of the state.
func (s InspectionState) Label() string {
	switch s {
	case InspectionDraft:
		return "填写中"
	case InspectionSubmitted:
		return "已提交"
	}
	return "未开始"
}

// Inspection is one term's self-inspection of one school.
type Inspection struct {
	ID              int64
	SchoolID        int64
	Term            Term
	State           InspectionState
	Summary         string // 自查情况分析: the group's reasoned analysis
	Answers         []InspectionAnswer
	CreatedBy       int64
	UpdatedByName   string
	SubmittedBy     int64
	SubmittedByName string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	SubmittedAt     time.Time
}

// InspectionAnswer is the answer to one item, with its rectification
// measure when the item falls short.
type InspectionAnswer struct {
	Code       string
	Title      string
	Verdict    Verdict // "" while not answered
	Note       string  // what was found
	Measure    string  // 整改措施
	Due        time.Time
	Done       bool
	DoneNote   string
	DoneAt     time.Time
	DoneBy     int64
	DoneByName string
}

// Limits of the checklist's text.
const (
	MaxInspectionNote    = 1000
	MaxInspectionSummary = 5000
)

// NewInspection returns an empty checklist of the default items for a term.
func NewInspection(schoolID int64, t Term) *Inspection {
	in := &Inspection{SchoolID: schoolID, Term: t, State: InspectionDraft}
	for _, c := range DefaultChecklist {
		in.Answers = append(in.Answers, InspectionAnswer{Code: c.Code, Title: c.Title})
	}
	return in
}

// Answer returns the answer of the item with the code, or nil.
func (in *Inspection) Answer(code string) *InspectionAnswer {
	for i := range in.Answers {
		if in.Answers[i].Code == code {
			return &in.Answers[i]
		}
	}
	return nil
}

// Count returns how many items have the answer.
func (in *Inspection) Count(v Verdict) int {
	n := 0
	for _, a := range in.Answers {
		if a.Verdict == v {
			n++
		}
	}
	return n
}

// Measures returns the answers that carry a rectification measure.
func (in *Inspection) Measures() []InspectionAnswer {
	var out []InspectionAnswer
	for _, a := range in.Answers {
		if a.Verdict.Shortfall() {
			out = append(out, a)
		}
	}
	return out
}

// OpenMeasures counts the measures not yet marked done.
func (in *Inspection) OpenMeasures() int {
	n := 0
	for _, a := range in.Measures() {
		if !a.Done {
			n++
		}
	}
	return n
}

// Editable reports whether the checklist may still change: until submitted.
func (in *Inspection) Editable() bool { return in.State != InspectionSubmitted }

// Validate checks the checklist as the supervision group saves it (submit
// false: limits and known values only, so a draft can stop half-way) or
// submits it (every item answered; a shortfall needs what was found, a
// measure and a deadline not before today). Field names are
// "verdict-<code>", "note-<code>", "measure-<code>", "due-<code>" and
// "summary"; all problems are reported at once. It trims the text.
func (in *Inspection) Validate(submit bool, now time.Time) error {
	fe := FieldErrors{}
	in.Summary = strings.TrimSpace(strings.ReplaceAll(in.Summary, "\r\n", "\n"))
	if msg := checkPlain(in.Summary, MaxInspectionSummary); msg != "" {
		fe.Add("summary", msg)
	}
	for i := range in.Answers {
		a := &in.Answers[i]
		a.Note = strings.TrimSpace(strings.ReplaceAll(a.Note, "\r\n", "\n"))
		a.Measure = strings.TrimSpace(strings.ReplaceAll(a.Measure, "\r\n", "\n"))
		if a.Verdict != "" && !a.Verdict.Valid() {
			fe.Add("verdict-"+a.Code, "请选择符合、基本符合、不符合或不适用。")
		}
		if msg := checkPlain(a.Note, MaxInspectionNote); msg != "" {
			fe.Add("note-"+a.Code, msg)
		}
		if msg := checkPlain(a.Measure, MaxInspectionNote); msg != "" {
			fe.Add("measure-"+a.Code, msg)
		}
		if !submit {
			continue
		}
		if a.Verdict == "" {
			fe.Add("verdict-"+a.Code, "请选择自查结论。")
			continue
		}
		if !a.Verdict.Shortfall() {
			continue
		}
		if a.Note == "" {
			fe.Add("note-"+a.Code, fmt.Sprintf("结论为“%s”时，请写明发现的问题。", a.Verdict.Label()))
		}
		if a.Measure == "" {
			fe.Add("measure-"+a.Code, "请填写整改措施。")
		}
		switch {
		case a.Due.IsZero():
			fe.Add("due-"+a.Code, "请填写整改期限。")
		case PeriodOver(a.Due, now):
			fe.Add("due-"+a.Code, "整改期限不能早于今天。")
		case a.Due.After(now.AddDate(1, 0, 0)):
			fe.Add("due-"+a.Code, "整改期限不能超过一年。")
		}
	}
	if submit {
		if len(fe) > 0 {
			return &Error{Code: EINVALID, Message: "提交前请完成标红的项目：每项都要有结论，“基本符合”“不符合”的项目须写明问题、整改措施和整改期限。", Fields: fe}
		}
		return nil
	}
	return fe.Err()
}

// checkPlain returns what is wrong with a plain text of at most max
// characters, or "".
func checkPlain(s string, max int) string {
	if utf8.RuneCountInString(s) > max {
		return fmt.Sprintf("不能超过 %d 字。", max)
	}
	return checkFeedbackText(s, true)
}

// CanReadInspection decides whether the actor may read the school's
// self-inspections: the leadership group, the principal, the supervision
// group and the bureau. Others are answered 404.
func CanReadInspection(a *Actor, schoolBureauID, schoolID int64) bool {
	if a.Oversees(schoolBureauID) {
		return true
	}
	return a.HasRole(schoolID, RolePrincipal) || a.HasRole(schoolID, RoleLeader) || a.HasRole(schoolID, RoleSupervisor)
}

// CanFillInspection reports whether the actor fills in the checklist: the
// supervision group.
func CanFillInspection(a *Actor, schoolID int64) bool { return a.HasRole(schoolID, RoleSupervisor) }

// CanCompleteMeasure reports whether the actor marks rectification measures
// done: the principal, who answers for the school's rectification.
func CanCompleteMeasure(a *Actor, schoolID int64) bool { return a.HasRole(schoolID, RolePrincipal) }

// CompleteMeasure marks the measure of the item done with a note, at now.
// ECONFLICT while the checklist is a draft, or when the item has no
// measure or is done already; EINVALID (field "done_note") without a note.
func (in *Inspection) CompleteMeasure(code, note string, now time.Time) (*InspectionAnswer, error) {
	if in.State != InspectionSubmitted {
		return nil, Errorf(ECONFLICT, "自查表提交后才能登记整改完成。")
	}
	a := in.Answer(code)
	if a == nil {
		return nil, Errorf(ENOTFOUND, "没有这个自查项目。")
	}
	if !a.Verdict.Shortfall() {
		return nil, Errorf(ECONFLICT, "该项目没有整改措施。")
	}
	if a.Done {
		return nil, Errorf(ECONFLICT, "该项整改已登记完成。")
	}
	note = strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n"))
	msg := checkPlain(note, MaxInspectionNote)
	if note == "" {
		msg = "请填写整改完成情况。"
	}
	if msg != "" {
		return nil, &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"done_note": msg}}
	}
	a.Done, a.DoneNote, a.DoneAt = true, note, now
	return a, nil
}

// InspectionReminderDays is how long before the end of a term the work
// page reminds the supervision group of a checklist not yet begun; a saved
// draft shows all term long.
const InspectionReminderDays = 42

// InspectionToFill reports whether the work page lists the term's
// checklist for the supervision group at now, given its state ("" when it
// is not begun): not when submitted; a draft all term; one not begun in
// the term's last six weeks.
func InspectionToFill(t Term, state InspectionState, now time.Time) bool {
	switch state {
	case InspectionSubmitted:
		return false
	case InspectionDraft:
		return true
	}
	_, last := t.Bounds()
	return !now.Before(last.AddDate(0, 0, -InspectionReminderDays))
}
