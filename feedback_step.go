package gongkai

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The steps of a feedback case as pure functions: what opening a case, a
// staff step, a sender's step and a supporter do, given the case, the
// actor, the step and the facts the store looked up. The store locks,
// loads the facts, calls one of them, saves the outcome and writes its
// events; handlers parse and render. Every prompt and refusal is here.

// Limits of what the steps add to a case.
const (
	MaxFeedbackFiles = 5    // files of one submission or message
	MaxQAQuestion    = 2000 // the anonymised question of a public answer
	MaxSenderNote    = 2000 // what a sender writes with a rating or an escalation
	MaxAboutName     = 40   // the name of the person a report is about
)

// NewFeedback is what a sender submits from a public form or the API.
type NewFeedback struct {
	Kind         FeedbackKind
	DisclosureID int64 // objection: the item objected to
	Subject      string
	Body         string
	Anonymous    bool
	SenderID     int64 // the signed-in sender; ignored (not kept) when Anonymous
	SenderName   string
	Contact      string
	Email        string
	About        Subject // reports: whom it is about
	AboutName    string  // reports: the person's name as the sender wrote it
	Attachments  []Attachment
}

// FeedbackStep is one handling step by staff.
type FeedbackStep struct {
	Action       FeedbackAction
	Comment      string // the reply, plan, reason or note
	DepartmentID int64  // assign
	AssigneeID   int64  // assign
	Due          time.Time
	ResultID     int64  // rectified, reply: the published disclosure with the result or answer
	QAQuestion   string // publish_qa, decline of a request: the anonymised question
	QAAnswer     string // publish_qa: the answer as published
	AboutUserID  int64  // the supervision group records whom a report is about
}

// SenderStep is what the sender may do later with the receipt: add a
// message, rate the answer, escalate to the bureau.
type SenderStep struct {
	Action      FeedbackAction // message, rate or escalate
	Body        string
	Rating      Rating
	Attachments []Attachment
}

// FeedbackOutcome is what a step does to a case.
type FeedbackOutcome struct {
	Case    Feedback        // the case after the step, every field to save
	From    FeedbackState   // the state before the step
	Changed bool            // false when the step changes nothing (a second support)
	Message FeedbackMessage // the thread's new entry, without its time
	// DueRule, when set, is how the reply deadline was now set: counted in
	// working days, or (a zero rule) a date chosen by staff.
	DueRule *WorkdayRule
	Touch   bool // what the public board shows changed: drop its cache
	Events  []StepEvent
}

// FeedbackFacts are what the store looked up for a staff step.
type FeedbackFacts struct {
	Now        time.Time
	BureauID   int64         // the bureau of the case's school
	Calendar   *WorkCalendar // the school's working days, when the step sets a date
	Department *Department   // the department the step names; nil when none or not of the school
	Assignee   *Actor        // the person the step assigns; nil when none or unknown
	About      *Actor        // the person a report is about; nil when none or unknown
	Result     *Disclosure   // the item the step names as result; nil when none or not of the school
}

// SenderFacts are what the store looked up for a sender's step.
type SenderFacts struct {
	Now       time.Time
	Calendar  *WorkCalendar // the school's working days, for the bureau's deadline
	ReplyDays int           // the school's reply deadline for the case's kind
}

// NewFeedbackFacts are what the store looked up to open a case.
type NewFeedbackFacts struct {
	Now       time.Time
	BureauID  int64         // the bureau of the school
	Item      *Disclosure   // the item named; nil when none or not of the school
	Duplicate bool          // the same text reached the school minutes ago
	ReplyDays int           // the school's reply deadline for the kind
	Calendar  *WorkCalendar // the school's working days
}

// commentPrompts are what each staff step that needs text asks for.
var commentPrompts = map[FeedbackAction]string{
	FActReply:     "请填写答复内容。",
	FActRectify:   "请填写整改方案。",
	FActRectified: "请填写整改完成情况。",
	FActDecline:   "请写明不予受理的理由。",
	FActNote:      "请填写备注内容。",
}

// stepEvents are the events of the staff steps that have one.
var stepEvents = map[FeedbackAction]EventType{
	FActAssign: EventFeedbackAssigned, FActReply: EventFeedbackReplied, FActRectify: EventFeedbackRectifying,
	FActRectified: EventFeedbackRectified, FActClose: EventFeedbackClosed, FActDecline: EventFeedbackDeclined,
}

// fieldsErr is EINVALID with the messages by field; with one field, its
// message is the error's.
func fieldsErr(fe FieldErrors) error {
	if len(fe) == 1 {
		for _, msg := range fe {
			return &Error{Code: EINVALID, Message: msg, Fields: fe}
		}
	}
	return fe.Err()
}

// cleanText trims a text and makes its line breaks "\n".
func cleanText(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }

// checkText adds to fe what is wrong with a text added to a case: missing
// (with prompt), too long, or not plain text.
func checkText(fe FieldErrors, field, s, prompt string, max int) {
	switch {
	case s == "" && prompt != "":
		fe.Add(field, prompt)
	case utf8.RuneCountInString(s) > max:
		fe.Add(field, fmt.Sprintf("内容不能超过 %d 字。", max))
	default:
		if msg := checkFeedbackText(s, true); msg != "" {
			fe.Add(field, msg)
		}
	}
}

// CheckFeedbackFiles checks the files of one submission or message, by
// count first, so that a form can refuse too many before it keeps any.
func CheckFeedbackFiles(atts []Attachment, n int) error {
	fe := FieldErrors{}
	checkFiles(fe, atts, n)
	return fieldsErr(fe)
}

func checkFiles(fe FieldErrors, atts []Attachment, n int) {
	if n > MaxFeedbackFiles {
		fe.Add("attachments", fmt.Sprintf("每次最多上传 %d 个附件。", MaxFeedbackFiles))
		return
	}
	for _, a := range atts {
		if a.StorageKey == "" || a.Filename == "" || a.Size < 0 || a.Size > MaxAttachmentBytes {
			fe.Add("attachments", "附件无效。")
			return
		}
		if !utf8.ValidString(a.Filename) || HasNUL(a.Filename) {
			fe.Add("attachments", "附件名含有无法识别的字符。")
			return
		}
	}
}

// deadline checks a date chosen by staff: not before today, at most two
// years ahead; provisional when the calendar lacks its year or this one.
func deadline(fe FieldErrors, field string, want time.Time, facts FeedbackFacts) (time.Time, bool) {
	day := dateOf(want)
	switch {
	case PeriodOver(day, facts.Now):
		fe.Add(field, "期限不能早于今天。")
	case day.After(facts.Now.AddDate(2, 0, 0)):
		fe.Add(field, "期限不能超过两年。")
	default:
		cal := facts.Calendar
		return day, cal == nil || !cal.HasYear(day.Year()) || !cal.HasYear(dateOf(facts.Now).Year())
	}
	return time.Time{}, false
}

// checkResult adds to fe whether the item may stand as a case's result or
// answer: an item of the school, published and not withdrawn.
func checkResult(fe FieldErrors, d *Disclosure) {
	switch {
	case d == nil:
		fe.Add("result_id", "所选公开事项不存在，请选择本校已发布的事项。")
	case !d.Published() || d.State == StateWithdrawn:
		fe.Add("result_id", "所选公开事项尚未发布或已撤回，请选择本校已发布的事项。")
	}
}

// Take is a staff step on the case: the actor must see the case and handle
// it (a note also the supervision group), the state must allow the step,
// and its input must hold; every problem of the input at once. Errors:
// ENOTFOUND for an unknown step or a case the actor may not see,
// EFORBIDDEN for one they may see but not handle, ECONFLICT when the
// state does not allow the step, EINVALID (fields comment, assignee,
// department, due, result_id, qa_question, qa_answer, about_user).
func (f *Feedback) Take(a *Actor, s FeedbackStep, facts FeedbackFacts) (FeedbackOutcome, error) {
	if _, ok := staffStep(s.Action); !ok {
		return FeedbackOutcome{}, Errorf(ENOTFOUND, "没有这个操作。")
	}
	if err := f.mayTake(a, s.Action, facts.BureauID); err != nil {
		return FeedbackOutcome{}, err
	}
	to, err := NextFeedback(f.State, s.Action)
	if err != nil {
		return FeedbackOutcome{}, err
	}
	if s.Action == FActPublishQA && !f.Answered() {
		return FeedbackOutcome{}, Errorf(ECONFLICT, "答复之后才能发布公开问答。")
	}
	if s.Action == FActAbout && f.Kind != KindReport {
		return FeedbackOutcome{}, Errorf(ECONFLICT, "只有举报件可以记录被举报人。")
	}
	g := *f
	g.Messages = nil
	out := FeedbackOutcome{From: f.State, Changed: true, Touch: f.Kind == KindObjection && f.State != to}
	s.Comment = cleanText(s.Comment)
	fe := FieldErrors{}
	checkText(fe, "comment", s.Comment, commentPrompts[s.Action], MaxFeedbackBody)
	internal := g.applyStep(fe, &out, s, facts)
	routed := g.recordAbout(fe, s.AboutUserID, facts)
	if len(fe) > 0 {
		return FeedbackOutcome{}, fieldsErr(fe)
	}
	g.State, g.UpdatedAt = to, facts.Now
	out.Case = g
	out.Message = FeedbackMessage{Action: s.Action, FromStaff: true, AuthorID: a.ID, Author: a.DisplayName, Body: s.Comment, Internal: internal}
	if s.Action == FActAbout {
		out.Message.Body = strings.TrimSpace("被举报人：" + facts.About.DisplayName + "\n" + s.Comment)
	}
	if typ := stepEvents[s.Action]; typ != "" {
		out.Events = append(out.Events, g.Event(typ, nil))
	}
	if routed {
		out.Events = append(out.Events, g.Event(EventFeedbackEscalated, map[string]any{"reason": "about_leadership"}))
	}
	return out, nil
}

func staffStep(act FeedbackAction) (FeedbackAction, bool) {
	for _, x := range StaffFeedbackActions {
		if x == act {
			return x, true
		}
	}
	return "", false
}

// mayTake says why the actor may not take a staff step on the case, or nil.
func (f *Feedback) mayTake(a *Actor, act FeedbackAction, bureau int64) error {
	if !CanSeeFeedback(a, bureau, f) {
		return Errorf(ENOTFOUND, "该件不存在或您无权查看。")
	}
	may := CanHandleFeedback(a, bureau, f)
	if act == FActNote {
		may = CanNoteFeedback(a, bureau, f)
	}
	switch {
	case may:
		return nil
	case f.ToBureau || f.Escalated:
		return Errorf(EFORBIDDEN, "该件由教育局办理，学校只能查看。")
	}
	return Errorf(EFORBIDDEN, "您不是该件的办理人，不能%s。", act.Label())
}

// applyStep makes the step's own changes on g (a copy of the case), adding
// to fe what is wrong with the input; it reports whether the thread entry
// is for staff only.
func (g *Feedback) applyStep(fe FieldErrors, out *FeedbackOutcome, s FeedbackStep, facts FeedbackFacts) (internal bool) {
	switch s.Action {
	case FActAssign:
		g.assign(fe, out, s, facts)
		return true
	case FActReply:
		if s.ResultID != 0 {
			checkResult(fe, facts.Result)
			g.ResultID, out.Touch = s.ResultID, true
		}
		if g.RepliedAt.IsZero() {
			g.RepliedAt = facts.Now
		}
	case FActRectify:
		if s.Due.IsZero() {
			fe.Add("due", "请填写整改期限。")
		} else {
			g.RectifyDue, _ = deadline(fe, "due", s.Due, facts)
		}
	case FActRectified:
		if s.ResultID == 0 {
			fe.Add("result_id", "请选择公开整改结果的事项；如尚未公开，请先登记并发布整改结果。")
		} else {
			checkResult(fe, facts.Result)
		}
		g.ResultID, out.Touch = s.ResultID, true
	case FActClose:
		if g.Kind == KindRequest && g.ResultID == 0 && !g.QAPublished {
			fe.Add("result_id", "点题公开须以发布的公开事项或公开答复办结：请先在答复中关联公开事项，或发布公开问答。")
		}
		g.ClosedAt = facts.Now
	case FActDecline:
		g.decline(fe, out, s, facts.Now)
	case FActNote:
		return true
	case FActAbout:
		if s.AboutUserID == 0 {
			fe.Add("about_user", "请选择被举报人。")
		}
		return true
	case FActPublishQA:
		q, a := cleanText(s.QAQuestion), cleanText(s.QAAnswer)
		checkText(fe, "qa_question", q, "请填写公开的问题（去掉可识别来信人的内容）。", MaxQAQuestion)
		checkText(fe, "qa_answer", a, "请填写公开的答复。", MaxFeedbackBody)
		g.QAPublished, g.QAQuestion, g.QAAnswer, g.QAPublishedAt = true, q, a, facts.Now
		out.Touch = true
		return true
	}
	return false
}

// assign gives the case to a department or a person, with a due date.
func (g *Feedback) assign(fe FieldErrors, out *FeedbackOutcome, s FeedbackStep, facts FeedbackFacts) {
	if s.DepartmentID == 0 && s.AssigneeID == 0 {
		fe.Add("assignee", "请选择承办处室或承办人。")
	}
	if s.DepartmentID != 0 && (facts.Department == nil || facts.Department.SchoolID != g.SchoolID) {
		fe.Add("department", "处室无效，请从列表中选择。")
	}
	switch {
	case s.AssigneeID == 0:
	case facts.Assignee == nil || facts.Assignee.Disabled:
		fe.Add("assignee", "承办人不存在或已停用。")
	case !CanBeAssigned(facts.Assignee, facts.BureauID, g):
		fe.Add("assignee", "该人员不能办理此件：举报只能交监督小组办理，教育局办理的件只能交教育局人员，被反映人不能办理。")
	}
	g.DepartmentID, g.AssigneeID = s.DepartmentID, s.AssigneeID
	if !s.Due.IsZero() {
		g.Due, g.DueProvisional = deadline(fe, "due", s.Due, facts)
		out.DueRule = &WorkdayRule{} // chosen by staff: no calendar edit moves it
	}
}

// decline refuses to take the case up, with a reason; a request ends in a
// refusal made public with its reason.
func (g *Feedback) decline(fe FieldErrors, out *FeedbackOutcome, s FeedbackStep, now time.Time) {
	g.ClosedAt = now
	if g.RepliedAt.IsZero() {
		g.RepliedAt = now
	}
	if g.Kind != KindRequest {
		return
	}
	q := cleanText(s.QAQuestion)
	if q == "" {
		q = g.Subject
	}
	checkText(fe, "qa_question", q, "请填写公开的问题（去掉可识别来信人的内容）。", MaxQAQuestion)
	g.QAPublished, g.QAQuestion, g.QAAnswer, g.QAPublishedAt = true, q, cleanText(s.Comment), now
	out.Touch = true
}

// recordAbout records whom a report is about: a person of the school, who
// from then on neither handles nor sees it; a report about the principal
// or a leader goes to the bureau (routed).
func (g *Feedback) recordAbout(fe FieldErrors, id int64, facts FeedbackFacts) (routed bool) {
	if id == 0 {
		return false
	}
	about := facts.About
	switch {
	case g.Kind != KindReport:
		fe.Add("about_user", "只有举报件可以记录被举报人。")
		return false
	case about == nil || about.ID != id || !StaffOf(about, g.SchoolID):
		fe.Add("about_user", "被举报人须为本校教职工。")
		return false
	}
	g.AboutUserID, g.About = about.ID, SubjectStaff
	if about.HasRole(g.SchoolID, RolePrincipal) || about.HasRole(g.SchoolID, RoleLeader) {
		g.About = SubjectLeadership
		routed = !g.ToBureau
		g.ToBureau = true
	}
	if g.AssigneeID == about.ID {
		g.AssigneeID = 0
	}
	return routed
}

// StaffOf reports whether the person works at the school: a role there
// other than parent or student.
func StaffOf(a *Actor, schoolID int64) bool {
	return slices.ContainsFunc(a.Roles(schoolID), Role.isStaffSide)
}

// SenderTake is a step of the case's sender, who has shown the receipt and
// secret (or is the signed-in named sender): a message, a rating of the
// answer, or an escalation to the bureau. Errors: EINVALID (fields action,
// body, rating, attachments), ECONFLICT when the case does not allow the
// step yet (rating before an answer, escalating within the deadline and
// without an unsatisfied rating, escalating twice).
func (f *Feedback) SenderTake(s SenderStep, facts SenderFacts) (FeedbackOutcome, error) {
	if err := s.check(); err != nil {
		return FeedbackOutcome{}, err
	}
	g := *f
	g.Messages = nil
	out := FeedbackOutcome{From: f.State, Changed: true}
	author, authorID := f.SenderAuthor(nil)
	m := FeedbackMessage{Action: s.Action, Author: author, AuthorID: authorID, Body: s.Body, Attachments: s.Attachments}
	var ev StepEvent
	switch s.Action {
	case FActMessage:
		ev.Type = EventFeedbackMessage
	case FActRate:
		if !f.CanRate() {
			return FeedbackOutcome{}, Errorf(ECONFLICT, "学校答复之后才能评价。")
		}
		g.Rating, m.Body = s.Rating, s.Rating.Label()
		if s.Body != "" {
			m.Body += "：" + s.Body
		}
		ev = StepEvent{Type: EventFeedbackRated, Data: map[string]any{"rating": string(s.Rating)}}
	case FActEscalate:
		if err := f.CanEscalate(facts.Now); err != nil {
			return FeedbackOutcome{}, err
		}
		g.Escalated, g.ToBureau = true, true
		g.State = EscalatedState(f.State)
		if g.State != f.State {
			g.ClosedAt = time.Time{} // reopened for the bureau
		}
		// The bureau gets a deadline of its own, counted from today.
		rule := WorkdayRule{From: facts.Now, Workdays: facts.ReplyDays}
		g.Due, g.DueProvisional = rule.Due(facts.Calendar)
		out.DueRule = &rule
		out.Touch = f.Kind == KindObjection && g.State != f.State
		ev = StepEvent{Type: EventFeedbackEscalated, Data: map[string]any{"reason": "sender"}}
	}
	g.UpdatedAt = facts.Now
	out.Case, out.Message = g, m
	out.Events = []StepEvent{g.Event(ev.Type, ev.Data)}
	return out, nil
}

// check checks a sender's step by itself, every problem at once; it trims
// the text.
func (s *SenderStep) check() error {
	fe := FieldErrors{}
	s.Body = cleanText(s.Body)
	switch s.Action {
	case FActMessage:
		checkText(fe, "body", s.Body, "请填写留言内容。", MaxFeedbackBody)
	case FActRate, FActEscalate:
		checkText(fe, "body", s.Body, "", MaxSenderNote)
	default:
		fe.Add("action", "操作只能是补充留言（message）、评价（rate）或提请教育局督办（escalate）。")
	}
	if s.Action == FActRate && !s.Rating.Valid() {
		fe.Add("rating", "请选择满意、基本满意或不满意。")
	}
	if s.Action != FActMessage && len(s.Attachments) > 0 {
		fe.Add("attachments", "附件请随补充留言上传。")
	}
	checkFiles(fe, s.Attachments, len(s.Attachments))
	return fieldsErr(fe)
}

// Support records that a signed-in person supports a disclosure request;
// already says they did before, which changes nothing. At the school's
// threshold the request must be answered in public. Errors:
// EUNAUTHENTICATED without a person, ENOTFOUND for what is not a request,
// ECONFLICT for a request closed or declined.
func (f *Feedback) Support(userID int64, already bool, threshold int) (FeedbackOutcome, error) {
	switch {
	case userID == 0:
		return FeedbackOutcome{}, Errorf(EUNAUTHENTICATED, "请先登录，再支持该点题。")
	case f.Kind != KindRequest:
		return FeedbackOutcome{}, Errorf(ENOTFOUND, "点题不存在或您无权查看。")
	case f.State == FeedbackClosed || f.State == FeedbackDeclined:
		return FeedbackOutcome{}, Errorf(ECONFLICT, "该点题已办结，不再征集支持。")
	}
	g := *f
	g.Messages = nil
	out := FeedbackOutcome{Case: g, From: f.State}
	if already {
		return out, nil
	}
	g.Supporters++
	reached := !g.MustAnswerPublicly && g.Supporters >= threshold
	g.MustAnswerPublicly = g.MustAnswerPublicly || reached
	out.Case, out.Changed, out.Touch = g, true, true
	out.Events = []StepEvent{g.Event(EventFeedbackSupported, map[string]any{
		"supporters": g.Supporters, "threshold": threshold, "must_answer_publicly": g.MustAnswerPublicly, "threshold_reached": reached})}
	return out, nil
}

// Check checks what a sender submits by itself, every problem at once;
// forms call it to show its messages beside their own.
func (nf *NewFeedback) Check() error {
	f := nf.feedback()
	fe := FieldErrors{}
	for k, v := range ErrorFields(f.Validate()) {
		fe.Add(k, v)
	}
	if f.Kind == KindReport && f.About == SubjectStaff && f.AboutName == "" {
		fe.Add("about_name", "请填写被举报教职工的姓名。")
	}
	checkFiles(fe, nf.Attachments, len(nf.Attachments))
	if len(fe) > 0 {
		return &Error{Code: EINVALID, Message: "请检查填写的内容。", Fields: fe}
	}
	return nil
}

// feedback is the case as submitted; an anonymous sender's name and
// contact are dropped unread, as the case will not keep them.
func (nf *NewFeedback) feedback() Feedback {
	f := Feedback{Kind: nf.Kind, DisclosureID: nf.DisclosureID, Subject: nf.Subject, Body: nf.Body,
		Anonymous: nf.Anonymous, SenderID: nf.SenderID, SenderName: nf.SenderName, Contact: nf.Contact, Email: nf.Email,
		About: nf.About, AboutName: nf.AboutName}
	if f.Anonymous {
		f.SenderID, f.SenderName, f.Contact, f.Email = 0, "", "", ""
	}
	return f
}

// Open opens a case of the school from what a sender submitted: checked
// (an objection only on an item of the school published to an audience
// the sender reads and still in its publicity period), routed (reports
// about the leadership to the bureau), with its reply deadline in working
// days. Nothing identifying an anonymous sender is kept: sender is used
// to check the item and to name the sender in the thread, never stored
// with an anonymous case. The store gives it its id and receipt. Errors:
// EINVALID (fields kind, subject, body, disclosure, name, contact, email,
// about, about_name, attachments), ECONFLICT for the same text sent twice
// within minutes.
func (nf *NewFeedback) Open(schoolID int64, sender *Actor, facts NewFeedbackFacts) (FeedbackOutcome, error) {
	if err := nf.Check(); err != nil {
		return FeedbackOutcome{}, err
	}
	f := nf.feedback()
	// Check has found nothing wrong; Validate trims, and clears every trace
	// of an anonymous sender.
	_ = f.Validate()
	f.SchoolID = schoolID
	if f.DisclosureID != 0 {
		if err := f.checkItem(facts.Item, sender, facts); err != nil {
			return FeedbackOutcome{}, err
		}
	}
	if facts.Duplicate {
		return FeedbackOutcome{}, Errorf(ECONFLICT, "相同的内容刚刚已经提交过，请勿重复提交；可凭回执码查询办理进度。")
	}
	rule := WorkdayRule{From: facts.Now, Workdays: facts.ReplyDays}
	f.Due, f.DueProvisional = rule.Due(facts.Calendar)
	f.State, f.ToBureau = FeedbackReceived, f.RoutesToBureau()
	f.CreatedAt, f.UpdatedAt = facts.Now, facts.Now
	author, authorID := f.SenderAuthor(sender)
	out := FeedbackOutcome{Case: f, Changed: true, DueRule: &rule, Touch: f.Kind == KindObjection,
		Message: FeedbackMessage{Author: author, AuthorID: authorID, Body: f.Body, Attachments: nf.Attachments}}
	out.Events = []StepEvent{f.Event(EventFeedbackReceived, nil)}
	return out, nil
}

// checkItem checks the item a case is about: an item of the school that
// was published to an audience the sender reads; for an objection, still
// in its publicity period.
func (f *Feedback) checkItem(d *Disclosure, sender *Actor, facts NewFeedbackFacts) error {
	invalid := func(msg string) error {
		return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"disclosure": msg}}
	}
	if sender == nil {
		sender = &Actor{}
	}
	if d == nil || d.SchoolID != f.SchoolID || !d.Published() || !CanReadAudience(sender, facts.BureauID, f.SchoolID, d.Audience) {
		return invalid("所选公开事项不存在或尚未发布。")
	}
	if f.Kind != KindObjection {
		return nil
	}
	switch {
	case d.State == StateWithdrawn:
		return invalid("该事项已撤回，不能再提出异议；如有意见请通过意见箱反映。")
	case d.PublicityDays == 0:
		return invalid("该事项没有设置公示期，不能提出异议；如有意见请通过意见箱反映。")
	case !d.InPublicity(facts.Now):
		return invalid("该事项公示期已结束，不能再提出异议；如有意见请通过意见箱反映。")
	}
	return nil
}

// SenderAuthor is how the sender appears in the thread: an anonymous
// sender as "来信人" with no user id; a named one by the name they gave or
// their account's name.
func (f *Feedback) SenderAuthor(sender *Actor) (string, int64) {
	if f.Anonymous {
		return SenderLabel, 0
	}
	name := f.SenderName
	if name == "" && sender != nil && !sender.Anonymous() && sender.ID == f.SenderID {
		name = sender.DisplayName
	}
	if name == "" {
		name = SenderLabel
	}
	return name, f.SenderID
}

// Event is an event about the case with what a notification needs (kind,
// subject, state, deadline, who handles it), and for a named sender how to
// reach them; never anything identifying an anonymous sender. extra adds
// what is particular to the step.
func (f *Feedback) Event(typ EventType, extra map[string]any) StepEvent {
	d := map[string]any{
		"school_id": f.SchoolID, "kind": string(f.Kind), "kind_name": f.Kind.Label(), "subject": f.Subject,
		"state": string(f.State), "to_bureau": f.ToBureau, "escalated": f.Escalated, "anonymous": f.Anonymous,
	}
	day := func(t time.Time) string { return t.In(Beijing).Format("2006-01-02") }
	if !f.Due.IsZero() {
		d["due"] = day(f.Due)
	}
	if !f.RectifyDue.IsZero() {
		d["rectify_due"] = day(f.RectifyDue)
	}
	for k, v := range map[string]int64{"assignee_id": f.AssigneeID, "department_id": f.DepartmentID, "disclosure_id": f.DisclosureID,
		"result_id": f.ResultID, "about_user_id": f.AboutUserID} {
		// about_user_id: so that nobody tells the person a report is about.
		if v != 0 {
			d[k] = v
		}
	}
	if !f.Anonymous {
		if f.SenderID != 0 {
			d["sender_id"] = f.SenderID
		}
		if f.Email != "" {
			d["email"] = f.Email
		}
	}
	for k, v := range extra {
		d[k] = v
	}
	return StepEvent{Type: typ, Data: d}
}
