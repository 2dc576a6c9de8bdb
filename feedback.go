package gongkai

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// FeedbackKind is a way in for the public: "有公示、有回音、有结果".
type FeedbackKind string

// Feedback kinds (DESIGN.md section 3, "Feedback").
const (
	KindObjection FeedbackKind = "objection" // 异议: on a published item, during its publicity period
	KindOpinion   FeedbackKind = "opinion"   // 意见箱
	KindMailbox   FeedbackKind = "mailbox"   // 校长信箱
	KindReport    FeedbackKind = "report"    // 举报: may be fully anonymous
	KindRequest   FeedbackKind = "request"   // 点题公开 / 依申请公开
)

// FeedbackKinds lists the kinds in the order the school's navigation shows them.
var FeedbackKinds = []FeedbackKind{KindObjection, KindOpinion, KindMailbox, KindReport, KindRequest}

// Valid reports whether k is a known kind.
func (k FeedbackKind) Valid() bool {
	for _, x := range FeedbackKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Label is the Chinese name of the kind.
func (k FeedbackKind) Label() string {
	switch k {
	case KindObjection:
		return "异议"
	case KindOpinion:
		return "意见建议"
	case KindMailbox:
		return "校长信箱"
	case KindReport:
		return "举报"
	case KindRequest:
		return "点题公开"
	}
	return string(k)
}

// DefaultReplyDays is the reply deadline of each kind in working days; a
// school may change them. The national rule for information requests is 20.
var DefaultReplyDays = map[FeedbackKind]int{
	KindObjection: 5, KindOpinion: 5, KindMailbox: 5, KindReport: 15, KindRequest: 15,
}

// DefaultSupportThreshold is how many supporters make a disclosure request
// one the school must answer in public.
const DefaultSupportThreshold = 10

// FeedbackState is where a case stands.
type FeedbackState string

// Feedback states.
const (
	FeedbackReceived   FeedbackState = "received"
	FeedbackAssigned   FeedbackState = "assigned"
	FeedbackReplied    FeedbackState = "replied"
	FeedbackRectifying FeedbackState = "rectifying" // a rectification plan is under way
	FeedbackRectified  FeedbackState = "rectified"  // its result is published
	FeedbackClosed     FeedbackState = "closed"
	FeedbackDeclined   FeedbackState = "declined" // with a reason; for a request, the public refusal
)

// FeedbackStates lists every state in order.
var FeedbackStates = []FeedbackState{FeedbackReceived, FeedbackAssigned, FeedbackReplied, FeedbackRectifying, FeedbackRectified, FeedbackClosed, FeedbackDeclined}

// Label is the Chinese name of the state.
func (s FeedbackState) Label() string {
	switch s {
	case FeedbackReceived:
		return "已受理"
	case FeedbackAssigned:
		return "办理中"
	case FeedbackReplied:
		return "已答复"
	case FeedbackRectifying:
		return "整改中"
	case FeedbackRectified:
		return "已整改"
	case FeedbackClosed:
		return "已办结"
	case FeedbackDeclined:
		return "不予受理"
	}
	return string(s)
}

// Open reports whether the case still waits for the school.
func (s FeedbackState) Open() bool {
	switch s {
	case FeedbackReceived, FeedbackAssigned, FeedbackRectifying:
		return true
	}
	return false
}

// FeedbackAction is a step of handling.
type FeedbackAction string

// Handling steps. Escalate, rate, support and message are the sender's or
// the public's; the rest are staff's.
const (
	FActAssign    FeedbackAction = "assign"    // to a department or person, with a due date
	FActReply     FeedbackAction = "reply"     // 答复
	FActRectify   FeedbackAction = "rectify"   // plan a rectification with a due date
	FActRectified FeedbackAction = "rectified" // rectification done; its result is a published disclosure
	FActClose     FeedbackAction = "close"
	FActDecline   FeedbackAction = "decline" // with a reason
	FActNote      FeedbackAction = "note"    // an internal note, not shown to the sender
	FActPublishQA FeedbackAction = "publish_qa"
	FActAbout     FeedbackAction = "about"    // the supervision group records whom a report is about
	FActEscalate  FeedbackAction = "escalate" // the sender takes it to the bureau
	FActMessage   FeedbackAction = "message"  // the sender adds to the case
	FActRate      FeedbackAction = "rate"
	// FActRecount is recorded by the system when an edit of the work
	// calendar moves the reply deadline.
	FActRecount FeedbackAction = "recount"
)

// Label is the Chinese name of the step.
func (a FeedbackAction) Label() string {
	switch a {
	case FActAssign:
		return "交办"
	case FActReply:
		return "答复"
	case FActRectify:
		return "制定整改方案"
	case FActRectified:
		return "整改完成"
	case FActClose:
		return "办结"
	case FActDecline:
		return "不予受理"
	case FActNote:
		return "内部备注"
	case FActPublishQA:
		return "公开问答"
	case FActAbout:
		return "记录被举报人"
	case FActEscalate:
		return "提请教育局督办"
	case FActMessage:
		return "补充留言"
	case FActRate:
		return "评价"
	case FActRecount:
		return "期限调整"
	}
	return string(a)
}

// feedbackSteps is the handling procedure: from a state, a staff step leads
// to a state.
var feedbackSteps = map[FeedbackState]map[FeedbackAction]FeedbackState{
	FeedbackReceived:   {FActAssign: FeedbackAssigned, FActReply: FeedbackReplied, FActDecline: FeedbackDeclined},
	FeedbackAssigned:   {FActAssign: FeedbackAssigned, FActReply: FeedbackReplied, FActDecline: FeedbackDeclined},
	FeedbackReplied:    {FActReply: FeedbackReplied, FActRectify: FeedbackRectifying, FActClose: FeedbackClosed},
	FeedbackRectifying: {FActReply: FeedbackRectifying, FActRectified: FeedbackRectified},
	FeedbackRectified:  {FActReply: FeedbackRectified, FActClose: FeedbackClosed},
	FeedbackClosed:     {},
	FeedbackDeclined:   {},
}

// NextFeedback returns the state a staff step leads to, or ECONFLICT.
func NextFeedback(from FeedbackState, a FeedbackAction) (FeedbackState, error) {
	if a == FActNote || a == FActPublishQA || a == FActAbout {
		return from, nil // none of them changes the state
	}
	to, ok := feedbackSteps[from][a]
	if !ok {
		return "", Errorf(ECONFLICT, "当前状态（%s）不能“%s”。", from.Label(), a.Label())
	}
	return to, nil
}

// Rating is the sender's judgement of the answer.
type Rating string

// Ratings.
const (
	RatingSatisfied   Rating = "satisfied"   // 满意
	RatingBasic       Rating = "basic"       // 基本满意
	RatingUnsatisfied Rating = "unsatisfied" // 不满意
)

// Label is the Chinese name of the rating.
func (r Rating) Label() string {
	switch r {
	case RatingSatisfied:
		return "满意"
	case RatingBasic:
		return "基本满意"
	case RatingUnsatisfied:
		return "不满意"
	}
	return ""
}

// Valid reports whether r is a known rating.
func (r Rating) Valid() bool {
	return r == RatingSatisfied || r == RatingBasic || r == RatingUnsatisfied
}

// Subject says whom a report is about; reports about the leadership bypass
// the school.
type Subject string

// Report subjects.
const (
	SubjectGeneral    Subject = ""           // the school's affairs in general
	SubjectStaff      Subject = "staff"      // a member of staff
	SubjectLeadership Subject = "leadership" // the principal or the leadership group
)

// Feedback is one case: what came in, who handles it and where it stands.
type Feedback struct {
	ID                 int64
	SchoolID           int64
	Kind               FeedbackKind
	State              FeedbackState
	Receipt            string // 回执码, shown to the sender; unguessable
	DisclosureID       int64  // the item objected to (objection) or that answers a request
	Subject            string // 主题
	Body               string
	Anonymous          bool
	SenderID           int64  // a signed-in sender who did not ask for anonymity
	SenderName         string // as the sender gave it, or empty
	Contact            string // phone or e-mail as the sender gave it, or empty
	Email              string // where to notify the sender, if given
	About              Subject
	AboutName          string // reports: the person's name as the sender wrote it
	AboutUserID        int64  // a report about a person: never visible to that person
	ToBureau           bool   // handled by the bureau (reports about the leadership, escalations)
	Escalated          bool
	DepartmentID       int64
	DepartmentName     string
	AssigneeID         int64
	AssigneeName       string
	Due                time.Time // reply deadline (a date, Beijing)
	DueProvisional     bool
	RectifyDue         time.Time
	ResultID           int64 // the disclosure publishing the rectification result
	Rating             Rating
	Supporters         int // people who support a request
	MustAnswerPublicly bool
	QAPublished        bool
	QAQuestion         string // anonymised question for the public Q&A
	QAAnswer           string
	QAPublishedAt      time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	RepliedAt          time.Time
	ClosedAt           time.Time

	Messages []FeedbackMessage
}

// FeedbackMessage is one entry of a case's thread: the sender's words, a
// staff reply, a step with its comment, or an internal note.
type FeedbackMessage struct {
	ID        int64
	Action    FeedbackAction // "" for the original text
	FromStaff bool
	AuthorID  int64
	Author    string // shown name; "来信人" for the sender
	Body      string
	Internal  bool // staff only
	At        time.Time

	Attachments []Attachment // files the sender added with this message (DisclosureID and Version are 0)
}

// SenderLabel is how the thread names the sender when they gave no name,
// and always when they asked for anonymity.
const SenderLabel = "来信人"

// Limits of feedback text.
const (
	MaxFeedbackSubject = 100
	MaxFeedbackBody    = 20000
)

// Validate checks what a sender submits; all problems at once. It trims
// the text, drops whom a report is about from other kinds, and clears
// every trace of identity from an anonymous case.
func (f *Feedback) Validate() error {
	fe := FieldErrors{}
	if !f.Kind.Valid() {
		fe.Add("kind", "请选择反映类型。")
	}
	f.Subject = strings.TrimSpace(f.Subject)
	f.Body = strings.TrimSpace(strings.ReplaceAll(f.Body, "\r\n", "\n"))
	f.SenderName = strings.TrimSpace(f.SenderName)
	f.Contact = strings.TrimSpace(f.Contact)
	f.Email = strings.TrimSpace(f.Email)
	f.AboutName = strings.TrimSpace(f.AboutName)
	if f.Kind != KindReport {
		f.About, f.AboutName = SubjectGeneral, ""
	}
	if f.Subject == "" {
		fe.Add("subject", "请填写主题。")
	} else if utf8.RuneCountInString(f.Subject) > MaxFeedbackSubject {
		fe.Add("subject", fmt.Sprintf("主题不能超过 %d 字。", MaxFeedbackSubject))
	}
	if f.Body == "" {
		fe.Add("body", "请填写内容。")
	} else if utf8.RuneCountInString(f.Body) > MaxFeedbackBody {
		fe.Add("body", fmt.Sprintf("内容不能超过 %d 字，较长的材料请作为附件上传。", MaxFeedbackBody))
	}
	for name, v := range map[string]string{"subject": f.Subject, "body": f.Body, "name": f.SenderName, "contact": f.Contact, "email": f.Email, "about_name": f.AboutName} {
		if msg := checkFeedbackText(v, name == "body"); msg != "" {
			fe.Add(name, msg)
		}
	}
	if f.Kind == KindObjection && f.DisclosureID == 0 {
		fe.Add("disclosure", "异议须针对一项公示中的公开事项。")
	}
	if utf8.RuneCountInString(f.SenderName) > 40 {
		fe.Add("name", "姓名不能超过 40 字。")
	}
	if utf8.RuneCountInString(f.Contact) > 100 {
		fe.Add("contact", "联系方式不能超过 100 字。")
	}
	if f.Email != "" && (len(f.Email) > 200 || !strings.Contains(f.Email, "@") || strings.ContainsAny(f.Email, " \t\r\n<>,;")) {
		fe.Add("email", "电子邮箱格式不正确。")
	}
	if f.About != SubjectGeneral && f.About != SubjectStaff && f.About != SubjectLeadership {
		fe.Add("about", "请选择举报对象。")
	}
	if utf8.RuneCountInString(f.AboutName) > 40 {
		fe.Add("about_name", "被举报人姓名不能超过 40 字。")
	}
	if f.Anonymous {
		// Anonymity must hold: nothing identifying is kept with the case.
		f.SenderID, f.SenderName, f.Contact, f.Email = 0, "", "", ""
	}
	return fe.Err()
}

// scriptPattern finds markup that could run in a browser: script-like
// elements, javascript: links and inline event handlers. Feedback is plain
// text, so a sender never needs them; refusing them keeps pasted attack
// strings out of every page, mail and export the text later reaches.
var scriptPattern = regexp.MustCompile(`(?i)<\s*/?\s*(script|iframe|object|embed|style|svg|form|meta|link|base)\b|javascript\s*:|vbscript\s*:|<[^>]*\son[a-z]+\s*=`)

// checkFeedbackText returns what is wrong with a text of a case, or "":
// broken UTF-8, NUL or other control characters (line breaks and tabs only
// where multiline is allowed) and script markup.
func checkFeedbackText(s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return "内容含有无法识别的字符，请检查后重新填写。"
	}
	for _, r := range s {
		if r == '\t' || (multiline && r == '\n') {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return "内容含有无法识别的控制字符，请只填写文字。"
		}
	}
	if scriptPattern.MatchString(s) {
		return "内容不能包含网页代码或脚本，请只填写文字。"
	}
	return ""
}

// CheckFeedbackText checks a text added to a case later (a reply, a note,
// a sender's message): required, at most max characters, plain text.
func CheckFeedbackText(field, s string, required bool, max int) error {
	s = strings.TrimSpace(s)
	msg := ""
	switch {
	case s == "" && required:
		msg = "请填写内容。"
	case utf8.RuneCountInString(s) > max:
		msg = fmt.Sprintf("不能超过 %d 字。", max)
	default:
		msg = checkFeedbackText(s, true)
	}
	if msg == "" {
		return nil
	}
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// RoutesToBureau reports whether a case goes straight to the bureau: a
// report about the principal or the leadership group.
func (f *Feedback) RoutesToBureau() bool {
	return f.Kind == KindReport && f.About == SubjectLeadership
}

// Overdue reports whether an open case is past its deadline at now.
func (f *Feedback) Overdue(now time.Time) bool {
	if f.Due.IsZero() {
		return false
	}
	switch f.State {
	case FeedbackReceived, FeedbackAssigned:
		return PeriodOver(f.Due, now)
	case FeedbackRectifying:
		return !f.RectifyDue.IsZero() && PeriodOver(f.RectifyDue, now)
	}
	return false
}

// CanHandleFeedback decides whether the actor handles the case: reports go
// to the supervision group (or, about the leadership or escalated, to the
// bureau); other kinds to the leadership group, the principal and the
// clerks they assign. Nobody may handle, or even see, a report about
// themselves.
func CanHandleFeedback(a *Actor, schoolBureauID int64, f *Feedback) bool {
	if a.Anonymous() || (f.AboutUserID != 0 && f.AboutUserID == a.ID) {
		return false
	}
	if a.Oversees(schoolBureauID) && a.BureauRole == RoleBureauAdmin {
		return true
	}
	if f.ToBureau || f.Escalated {
		return false
	}
	if f.Kind == KindReport {
		return a.HasRole(f.SchoolID, RoleSupervisor)
	}
	if f.AssigneeID != 0 && f.AssigneeID == a.ID {
		return true
	}
	return a.HasRole(f.SchoolID, RolePrincipal) || a.HasRole(f.SchoolID, RoleLeader)
}

// CanSeeFeedback decides whether the actor may read the case as staff: its
// handlers, the supervision group (which watches every case, except
// reports about the leadership and reports about themselves), the bureau's
// users, and, once a case was escalated, the school people who handled it
// before. A report about the leadership stays with the bureau.
func CanSeeFeedback(a *Actor, schoolBureauID int64, f *Feedback) bool {
	if a.Anonymous() || (f.AboutUserID != 0 && f.AboutUserID == a.ID) {
		return false
	}
	if a.Oversees(schoolBureauID) {
		return true
	}
	if CanHandleFeedback(a, schoolBureauID, f) {
		return true
	}
	if f.RoutesToBureau() {
		return false
	}
	if f.Escalated {
		before := *f
		before.Escalated, before.ToBureau = false, false
		if CanHandleFeedback(a, schoolBureauID, &before) {
			return true
		}
	}
	return a.HasRole(f.SchoolID, RoleSupervisor)
}

// CanBeAssigned reports whether a case may be assigned to the person: only
// to someone who will then be able to handle it, so that a report never
// reaches a clerk (or the person it is about) and a case with the bureau
// never goes back to the school by assignment.
func CanBeAssigned(assignee *Actor, schoolBureauID int64, f *Feedback) bool {
	if assignee.Anonymous() || assignee.Disabled {
		return false
	}
	g := *f
	g.AssigneeID = assignee.ID
	if !CanHandleFeedback(assignee, schoolBureauID, &g) {
		return false
	}
	if g.ToBureau || g.Escalated {
		return assignee.Oversees(schoolBureauID)
	}
	for _, r := range assignee.Roles(f.SchoolID) {
		if r.isStaffSide() {
			return true
		}
	}
	return assignee.Oversees(schoolBureauID)
}

// StaffFeedbackActions are the handling steps staff take, in the order
// pages offer them.
var StaffFeedbackActions = []FeedbackAction{FActAssign, FActReply, FActRectify, FActRectified, FActClose, FActDecline, FActNote, FActPublishQA, FActAbout}

// CanNoteFeedback reports whether the actor may add an internal note: the
// handlers, and the supervision group, which watches every case it sees.
func CanNoteFeedback(a *Actor, schoolBureauID int64, f *Feedback) bool {
	if CanHandleFeedback(a, schoolBureauID, f) {
		return true
	}
	return CanSeeFeedback(a, schoolBureauID, f) && a.HasRole(f.SchoolID, RoleSupervisor)
}

// AvailableFeedbackActions lists the staff steps the actor may take on the
// case now.
func AvailableFeedbackActions(a *Actor, schoolBureauID int64, f *Feedback) []FeedbackAction {
	var out []FeedbackAction
	handles := CanHandleFeedback(a, schoolBureauID, f)
	for _, act := range StaffFeedbackActions {
		switch act {
		case FActNote:
			if CanNoteFeedback(a, schoolBureauID, f) {
				out = append(out, act)
			}
			continue
		case FActPublishQA:
			if handles && f.Answered() {
				out = append(out, act)
			}
			continue
		case FActAbout:
			if handles && f.Kind == KindReport {
				out = append(out, act)
			}
			continue
		}
		if _, err := NextFeedback(f.State, act); err == nil && handles {
			out = append(out, act)
		}
	}
	return out
}

// Answered reports whether the school has given its answer: a reply, or a
// reasoned refusal.
func (f *Feedback) Answered() bool {
	switch f.State {
	case FeedbackReplied, FeedbackRectifying, FeedbackRectified, FeedbackClosed, FeedbackDeclined:
		return true
	}
	return false
}

// CanRate reports whether the sender may rate the answer: once there is one.
func (f *Feedback) CanRate() bool { return f.Answered() }

// CanEscalate says whether the sender may take the case to the bureau at
// now: when they are not satisfied with the answer, or the school let a
// deadline pass. Nil when they may; otherwise ECONFLICT with the reason.
func (f *Feedback) CanEscalate(now time.Time) error {
	switch {
	case f.Escalated:
		return Errorf(ECONFLICT, "该件已提请教育局督办，请等待教育局答复。")
	case f.RoutesToBureau():
		return Errorf(ECONFLICT, "该件已由教育局直接办理。")
	case f.Rating == RatingUnsatisfied || f.Overdue(now):
		return nil
	case f.Answered():
		return Errorf(ECONFLICT, "对答复不满意时，请先评价为“不满意”，再提请教育局督办。")
	}
	return Errorf(ECONFLICT, "学校尚在办理期限内，逾期未办结或对答复不满意时可提请教育局督办。")
}

// EscalatedState is where an escalated case stands: an answered case opens
// again for the bureau; one still in hand keeps its state.
func EscalatedState(from FeedbackState) FeedbackState {
	switch from {
	case FeedbackReplied, FeedbackRectified, FeedbackClosed, FeedbackDeclined:
		return FeedbackReceived
	}
	return from
}

// SenderView is the case as its sender may read it: without internal
// notes and without whom a report was found to be about.
func (f *Feedback) SenderView() *Feedback {
	g := *f
	g.AboutUserID, g.AssigneeID, g.AssigneeName = 0, 0, ""
	g.Messages = nil
	for _, m := range f.Messages {
		if !m.Internal {
			g.Messages = append(g.Messages, m)
		}
	}
	return &g
}

// CommentRequiredFeedback reports whether a staff step needs text.
func CommentRequiredFeedback(a FeedbackAction) bool {
	switch a {
	case FActReply, FActRectify, FActDecline, FActNote, FActMessage, FActRectified:
		return true
	}
	return false
}
