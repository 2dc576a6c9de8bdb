package gongkai

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// OrderKind is what a supervision order (督办通知 / 整改通知) asks of a
// school.
type OrderKind string

// Order kinds.
const (
	OrderUrge    OrderKind = "urge"    // 督办通知: do something, e.g. publish an overdue statement
	OrderRectify OrderKind = "rectify" // 整改通知: rectify a problem found in an inspection
)

// OrderKinds lists the kinds in the order forms show them.
var OrderKinds = []OrderKind{OrderUrge, OrderRectify}

// Valid reports whether k is a known kind.
func (k OrderKind) Valid() bool { return k == OrderUrge || k == OrderRectify }

// Label is the Chinese name of the kind.
func (k OrderKind) Label() string {
	switch k {
	case OrderUrge:
		return "督办通知"
	case OrderRectify:
		return "整改通知"
	}
	return string(k)
}

// OrderState is where an order stands.
type OrderState string

// Order states: issued → answered → accepted, or answered → returned →
// answered again.
const (
	OrderIssued   OrderState = "issued"   // waits for the school's answer
	OrderAnswered OrderState = "answered" // waits for the bureau to accept or return it
	OrderReturned OrderState = "returned" // the bureau asks for more; waits for the school again
	OrderAccepted OrderState = "accepted" // closed by the bureau
)

// OrderStates lists every state in order.
var OrderStates = []OrderState{OrderIssued, OrderAnswered, OrderReturned, OrderAccepted}

// Valid reports whether s is a known state.
func (s OrderState) Valid() bool {
	for _, x := range OrderStates {
		if s == x {
			return true
		}
	}
	return false
}

// Label is the Chinese name of the state.
func (s OrderState) Label() string {
	switch s {
	case OrderIssued:
		return "待答复"
	case OrderAnswered:
		return "待验收"
	case OrderReturned:
		return "退回补充"
	case OrderAccepted:
		return "已办结"
	}
	return string(s)
}

// Open reports whether the order is not closed yet.
func (s OrderState) Open() bool { return s != OrderAccepted }

// AwaitsSchool reports whether the school owes an answer: the deadline
// runs in these states only.
func (s OrderState) AwaitsSchool() bool { return s == OrderIssued || s == OrderReturned }

// OrderAction is a step of an order.
type OrderAction string

// Order steps.
const (
	OActIssue  OrderAction = "issue"  // the bureau issues it (the first entry of the trail)
	OActAnswer OrderAction = "answer" // the principal answers, optionally with a published result
	OActReturn OrderAction = "return" // the bureau asks for more, with a reason
	OActAccept OrderAction = "accept" // the bureau accepts the answer and closes the order
	// OActRecount is recorded by the system when an edit of the work
	// calendar moves the deadline.
	OActRecount OrderAction = "recount"
)

// OrderActions are the steps taken on an issued order, in the order pages
// offer them.
var OrderActions = []OrderAction{OActAnswer, OActAccept, OActReturn}

// Label is the Chinese name of the step.
func (a OrderAction) Label() string {
	switch a {
	case OActIssue:
		return "下发"
	case OActAnswer:
		return "答复"
	case OActReturn:
		return "退回补充"
	case OActAccept:
		return "验收办结"
	case OActRecount:
		return "期限调整"
	}
	return string(a)
}

var orderSteps = map[OrderState]map[OrderAction]OrderState{
	OrderIssued:   {OActAnswer: OrderAnswered},
	OrderReturned: {OActAnswer: OrderAnswered},
	OrderAnswered: {OActAccept: OrderAccepted, OActReturn: OrderReturned},
	OrderAccepted: {},
}

// NextOrder returns the state a step leads to, or ECONFLICT.
func NextOrder(from OrderState, a OrderAction) (OrderState, error) {
	to, ok := orderSteps[from][a]
	if !ok {
		return "", Errorf(ECONFLICT, "当前状态（%s）不能“%s”。", from.Label(), a.Label())
	}
	return to, nil
}

// Order is a supervision order from a bureau to one school, with its
// deadline and trail.
type Order struct {
	ID       int64
	BureauID int64
	SchoolID int64
	Number   string // 发文字号, e.g. 青禾教督〔2026〕3号
	Kind     OrderKind
	State    OrderState
	Title    string
	Body     string    // Markdown
	Deadline time.Time // the last day to answer (a date, Beijing)
	Reply    string    // the school's latest answer

	ObligationID     int64 // the overdue obligation it is about, if any
	ObligationName   string
	ObligationPeriod string
	ObligationDue    time.Time
	FeedbackID       int64 // the case escalated to the bureau it is about, if any
	FeedbackSubject  string
	ResultID         int64 // the published disclosure the school gives as its result
	ResultTitle      string

	IssuedBy     int64
	IssuedByName string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	AnsweredAt   time.Time // of the latest answer
	ClosedAt     time.Time

	Trail []OrderStep
}

// OrderStep is one entry of an order's trail: who did what, when, with
// which comment.
type OrderStep struct {
	ID       int64
	Action   OrderAction
	From, To OrderState
	AuthorID int64
	Author   string
	Comment  string
	ResultID int64        // answer: the disclosure linked as the result
	Deadline time.Time    // issue and return: the deadline set
	Files    []Attachment // answer: the files the school attached
	At       time.Time
}

// Overdue reports whether the school let the deadline pass without an
// answer: the order waits for the school and the deadline day is over.
func (o *Order) Overdue(now time.Time) bool {
	return o.State.AwaitsSchool() && !o.Deadline.IsZero() && PeriodOver(o.Deadline, now)
}

// Limits of an order's texts.
const (
	MaxOrderTitle = 100
	MaxOrderBody  = 20000
	MaxOrderReply = 20000
	// DefaultOrderWorkdays is the deadline the form proposes, in working days.
	DefaultOrderWorkdays = 10
	// MaxOrderWorkdays bounds a deadline given in working days.
	MaxOrderWorkdays = 60
)

// Validate checks what the bureau writes, all problems at once; deadline
// is the day chosen, checked against now (it may be today, not earlier,
// and at most a year ahead).
func (o *Order) Validate(now time.Time) error {
	fe := FieldErrors{}
	o.Title = strings.TrimSpace(o.Title)
	o.Body = strings.TrimSpace(strings.ReplaceAll(o.Body, "\r\n", "\n"))
	if !o.Kind.Valid() {
		fe.Add("kind", "请选择通知类型：督办通知或整改通知。")
	}
	switch {
	case o.Title == "":
		fe.Add("title", "请填写标题。")
	case utf8.RuneCountInString(o.Title) > MaxOrderTitle:
		fe.Add("title", fmt.Sprintf("标题不能超过 %d 字。", MaxOrderTitle))
	default:
		if msg := checkFeedbackText(o.Title, false); msg != "" {
			fe.Add("title", msg)
		}
	}
	switch {
	case o.Body == "":
		fe.Add("body", "请填写通知正文。")
	case utf8.RuneCountInString(o.Body) > MaxOrderBody:
		fe.Add("body", fmt.Sprintf("正文不能超过 %d 字。", MaxOrderBody))
	case !utf8.ValidString(o.Body) || HasNUL(o.Body):
		fe.Add("body", "正文含有无法识别的字符，请检查后重新填写。")
	}
	switch {
	case o.Deadline.IsZero():
		fe.Add("deadline", "请填写办理期限。")
	case PeriodOver(o.Deadline, now):
		fe.Add("deadline", "期限不能早于今天。")
	case dateOf(o.Deadline).After(dateOf(now).AddDate(1, 0, 0)):
		fe.Add("deadline", "期限不能超过一年。")
	}
	return fe.Err()
}

// CheckOrderText checks an answer or a reason: required, at most max
// characters, plain text.
func CheckOrderText(field, s string, required bool, max int) error {
	return CheckFeedbackText(field, s, required, max)
}

// CanIssueOrder reports whether the actor may issue orders to the schools
// of the bureau: its administrator.
func CanIssueOrder(a *Actor, bureauID int64) bool { return CanAdminBureau(a, bureauID) }

// CanReadOrders reports whether the actor may list the orders of the
// school: the bureau's users, and the school's principal, leadership group
// and supervision group.
func CanReadOrders(a *Actor, schoolBureauID, schoolID int64) bool {
	if a.Anonymous() {
		return false
	}
	if a.Oversees(schoolBureauID) {
		return true
	}
	return a.HasRole(schoolID, RolePrincipal) || a.HasRole(schoolID, RoleLeader) || a.HasRole(schoolID, RoleSupervisor)
}

// CanReadOrder reports whether the actor may read the order. Callers
// answer ENOTFOUND when it is false.
func CanReadOrder(a *Actor, schoolBureauID int64, o *Order) bool {
	if o.BureauID != schoolBureauID {
		return false // an order of another bureau, whatever the school is now
	}
	return CanReadOrders(a, schoolBureauID, o.SchoolID)
}

// CanActOnOrder reports whether the actor's role may take the step on the
// order, whatever its state: the principal answers; the bureau's
// administrator accepts or returns. Inspectors read only.
func CanActOnOrder(a *Actor, schoolBureauID int64, o *Order, act OrderAction) bool {
	if !CanReadOrder(a, schoolBureauID, o) {
		return false
	}
	switch act {
	case OActAnswer:
		return a.HasRole(o.SchoolID, RolePrincipal)
	case OActAccept, OActReturn:
		return a.Oversees(schoolBureauID) && a.BureauRole == RoleBureauAdmin
	}
	return false
}

// CheckOrderStep decides whether the actor may take the step now and
// returns the state it leads to: ENOTFOUND when they may not see the
// order, EFORBIDDEN when their role may not take the step, ECONFLICT when
// the state does not allow it.
func CheckOrderStep(a *Actor, schoolBureauID int64, o *Order, act OrderAction) (OrderState, error) {
	if !CanReadOrder(a, schoolBureauID, o) {
		return "", Errorf(ENOTFOUND, "通知不存在或您无权查看。")
	}
	if !CanActOnOrder(a, schoolBureauID, o, act) {
		switch act {
		case OActAnswer:
			return "", Errorf(EFORBIDDEN, "督办通知由校长答复。")
		case OActAccept, OActReturn:
			return "", Errorf(EFORBIDDEN, "只有教育局管理员可以验收或退回。")
		}
		return "", Errorf(ENOTFOUND, "没有这个操作。")
	}
	return NextOrder(o.State, act)
}

// AvailableOrderActions lists the steps the actor may take on the order
// now.
func AvailableOrderActions(a *Actor, schoolBureauID int64, o *Order) []OrderAction {
	var out []OrderAction
	for _, act := range OrderActions {
		if _, err := CheckOrderStep(a, schoolBureauID, o, act); err == nil {
			out = append(out, act)
		}
	}
	return out
}

// CommentRequiredOrder reports whether a step needs text: the answer, and
// the reason for returning it.
func CommentRequiredOrder(a OrderAction) bool { return a == OActAnswer || a == OActReturn }

// OrderNumber is the 发文字号 of the seq-th order of the bureau in the year:
// the bureau's place name, 教督, the year in 〔〕 and the number, e.g.
// 青禾教督〔2026〕3号 for 青禾县教育局.
func OrderNumber(bureauName string, year, seq int) string {
	return fmt.Sprintf("%s教督〔%d〕%d号", bureauShortName(bureauName), year, seq)
}

// bureauShortName strips 教育局 and the level of the division (县, 市, 区,
// 旗) from a bureau's name: 青禾县教育局 → 青禾.
func bureauShortName(name string) string {
	s := strings.TrimSpace(name)
	for _, suffix := range []string{"教育和体育局", "教育体育局", "教育局", "教体局"} {
		s = strings.TrimSuffix(s, suffix)
	}
	if r := []rune(s); len(r) > 2 {
		switch r[len(r)-1] {
		case '县', '市', '区', '旗':
			s = string(r[:len(r)-1])
		}
	}
	if s == "" {
		return "教育局"
	}
	return s
}
