package gongkai

import (
	"fmt"
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
	FActEscalate  FeedbackAction = "escalate" // the sender takes it to the bureau
	FActMessage   FeedbackAction = "message"  // the sender adds to the case
	FActRate      FeedbackAction = "rate"
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
	case FActEscalate:
		return "提请教育局督办"
	case FActMessage:
		return "补充留言"
	case FActRate:
		return "评价"
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
	if a == FActNote || a == FActPublishQA {
		return from, nil // neither changes the state
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
	AboutUserID        int64 // a report about a person: never visible to that person
	ToBureau           bool  // handled by the bureau (reports about the leadership, escalations)
	Escalated          bool
	DepartmentID       int64
	AssigneeID         int64
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
}

// Limits of feedback text.
const (
	MaxFeedbackSubject = 100
	MaxFeedbackBody    = 20000
)

// Validate checks what a sender submits; all problems at once.
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
	if !utf8.ValidString(f.Subject+f.Body+f.SenderName+f.Contact) || HasNUL(f.Subject+f.Body+f.SenderName+f.Contact+f.Email) || hasControl(f.Subject) {
		fe.Add("body", "内容含有无法识别的字符，请检查后重新填写。")
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
	if f.Anonymous && (f.SenderName != "" || f.Contact != "" || f.Email != "") {
		// Anonymity must hold: nothing identifying is kept with the case.
		f.SenderName, f.Contact, f.Email = "", "", ""
	}
	return fe.Err()
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' {
			return true
		}
	}
	return false
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
// reports about themselves) and the bureau's inspectors.
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
	if f.ToBureau && f.Kind == KindReport {
		return false // a report about the leadership stays with the bureau
	}
	return a.HasRole(f.SchoolID, RoleSupervisor)
}

// CommentRequiredFeedback reports whether a staff step needs text.
func CommentRequiredFeedback(a FeedbackAction) bool {
	switch a {
	case FActReply, FActRectify, FActDecline, FActNote, FActMessage, FActRectified:
		return true
	}
	return false
}
