package gongkai

import (
	"fmt"
	"strings"
	"time"
)

// OrderIssue is what a bureau administrator issues: one order per school.
type OrderIssue struct {
	Kind      OrderKind
	Title     string
	Body      string
	Deadline  time.Time // the last day to answer; zero for Workdays working days from today
	Workdays  int
	SchoolIDs []int64
	// What the order is about, if anything; either links the order to one
	// school, so it may then go to that school only.
	ObligationID int64 // an overdue obligation
	FeedbackID   int64 // a case with the bureau (escalated, or a report about the leadership)
}

// OrderIssueFacts are what the store looked up for an issue.
type OrderIssueFacts struct {
	BureauID   int64
	BureauName string
	Now        time.Time
	Calendar   *WorkCalendar     // of the bureau's region, for a deadline in working days
	Schools    map[int64]*School // the bureau's schools
	// The linked obligation and case, looked up in the first school chosen.
	Obligation LinkedObligation
	Case       LinkedCase
	// The numbers of the bureau's year: the last one given.
	Year, LastSeq int
}

// LinkedObligation is what an order needs to know of the obligation it is
// about.
type LinkedObligation struct{ Found, Met, Waived bool }

// LinkedCase is what an order needs to know of the feedback case it is
// about.
type LinkedCase struct{ Found, ToBureau, Escalated bool }

// OrderIssueOutcome is what issuing decided: the orders to write, each
// with its number and the first entry of its trail, and one event per
// order (Events[i] is about Orders[i]).
type OrderIssueOutcome struct {
	Orders  []*Order
	Rule    WorkdayRule // how the deadline was counted; zero for a date the bureau chose
	LastSeq int         // the bureau's last number of the year after these
	Events  []StepEvent
}

// IssueOrders decides an issue: EFORBIDDEN unless the actor administers
// the bureau; EINVALID (fields kind, title, body, deadline, workdays,
// schools, obligation, feedback) with every problem at once.
func IssueOrders(a *Actor, c OrderIssue, f OrderIssueFacts) (OrderIssueOutcome, error) {
	if !CanIssueOrder(a, f.BureauID) {
		return OrderIssueOutcome{}, Errorf(EFORBIDDEN, "只有教育局管理员可以下发督办通知。")
	}
	fe := FieldErrors{}
	deadline, rule := c.Deadline, WorkdayRule{}
	if deadline.IsZero() {
		if c.Workdays < 1 || c.Workdays > MaxOrderWorkdays || f.Calendar == nil {
			fe.Add("workdays", fmt.Sprintf("办理期限须为 1–%d 个工作日，或指定截止日期。", MaxOrderWorkdays))
		} else {
			rule = WorkdayRule{From: f.Now, Workdays: c.Workdays}
			deadline, _ = rule.Due(f.Calendar)
		}
	}
	proto := Order{Kind: c.Kind, Title: c.Title, Body: c.Body, Deadline: deadline}
	for k, v := range ErrorFields(proto.Validate(f.Now)) {
		if k != "deadline" || fe["workdays"] == "" {
			fe.Add(k, v)
		}
	}
	ids := OrderSchools(c)
	checkOrderSchools(fe, c, ids, f)
	if err := fe.Err(); err != nil {
		return OrderIssueOutcome{}, err
	}
	out := OrderIssueOutcome{Rule: rule, LastSeq: f.LastSeq + len(ids)}
	for i, schoolID := range ids {
		o := proto
		o.SchoolID, o.BureauID, o.State = schoolID, f.BureauID, OrderIssued
		o.Number = OrderNumber(f.BureauName, f.Year, f.LastSeq+1+i)
		o.ObligationID, o.FeedbackID = c.ObligationID, c.FeedbackID
		o.IssuedBy, o.IssuedByName, o.CreatedAt, o.UpdatedAt = a.ID, a.DisplayName, f.Now, f.Now
		o.Trail = []OrderStep{{Action: OActIssue, To: OrderIssued, AuthorID: a.ID, Author: a.DisplayName, Deadline: o.Deadline, At: f.Now}}
		out.Orders = append(out.Orders, &o)
		out.Events = append(out.Events, o.Event(EventOrderIssued))
	}
	return out, nil
}

// OrderSchools returns the schools an issue goes to, each once, in the
// order chosen. The store looks up the linked obligation and case in the
// first.
func OrderSchools(c OrderIssue) []int64 {
	seen := map[int64]bool{}
	var ids []int64
	for _, id := range c.SchoolIDs {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// checkOrderSchools adds what is wrong with the schools chosen and the
// obligation or case linked.
func checkOrderSchools(fe FieldErrors, c OrderIssue, ids []int64, f OrderIssueFacts) {
	if len(ids) == 0 {
		fe.Add("schools", "请选择接收通知的学校。")
		return
	}
	for _, id := range ids {
		switch s := f.Schools[id]; {
		case s == nil:
			fe.Add("schools", "请选择本局所属的学校。")
		case !s.Allows(UseNewOrder):
			fe.Add("schools", ErrorMessage(s.Refusal(UseNewOrder)))
		}
	}
	if (c.ObligationID != 0 || c.FeedbackID != 0) && len(ids) > 1 {
		fe.Add("schools", "关联了公开义务或来信的通知只能发给该校一所学校。")
	}
	if c.ObligationID != 0 {
		switch ob := f.Obligation; {
		case !ob.Found:
			fe.Add("obligation", "所关联的公开义务不属于该校。")
		case ob.Met || ob.Waived:
			fe.Add("obligation", "所关联的公开义务已完成或已免除，无需督办。")
		}
	}
	if c.FeedbackID != 0 && (!f.Case.Found || (!f.Case.ToBureau && !f.Case.Escalated)) {
		fe.Add("feedback", "所关联的来信不属于该校，或未提请教育局督办。")
	}
}

// OrderCommand is one step taken on an issued order.
type OrderCommand struct {
	Action   OrderAction
	Comment  string       // answer: the reply; return: the reason; accept: optional
	ResultID int64        // answer: a published disclosure of the school as the result
	Deadline time.Time    // return: a new deadline; zero keeps the old one
	Files    []Attachment // answer: the files the school attaches, stored already
}

// OrderStepFacts are what the store looked up for a step.
type OrderStepFacts struct {
	SchoolBureauID int64 // the bureau the school belongs to now
	Now            time.Time
	ResultState    State // of the disclosure named as the result; "" when the school has none of that id
}

// OrderOutcome is what a step decided: the order as it is after it, the
// entry for its trail and the event to send.
type OrderOutcome struct {
	Order *Order
	Entry OrderStep
	// DeadlineSet says the bureau chose a new deadline by date: from now
	// on no edit of the work calendar moves it.
	DeadlineSet bool
	Events      []StepEvent
}

// MaxOrderFiles bounds the files of one answer.
const MaxOrderFiles = 5

// Take decides a step on the order: ENOTFOUND for an unknown step or when
// the actor may not see the order, EFORBIDDEN when their role may not take
// it, ECONFLICT when the state does not allow it, EINVALID (fields
// comment, result_id, deadline, files) for bad input. The order is not
// changed; the outcome holds a copy.
func (o *Order) Take(a *Actor, c OrderCommand, f OrderStepFacts) (OrderOutcome, error) {
	if !knownOrderAction(c.Action) {
		return OrderOutcome{}, Errorf(ENOTFOUND, "没有这个操作。")
	}
	to, err := CheckOrderStep(a, f.SchoolBureauID, o, c.Action)
	if err != nil {
		return OrderOutcome{}, err
	}
	c.Comment = strings.TrimSpace(strings.ReplaceAll(c.Comment, "\r\n", "\n"))
	fe := FieldErrors{}
	checkOrderComment(fe, c)
	next := *o
	next.State, next.UpdatedAt, next.Trail = to, f.Now, nil
	entry := OrderStep{Action: c.Action, From: o.State, To: to, AuthorID: a.ID, Author: a.DisplayName, Comment: c.Comment, At: f.Now}
	out := OrderOutcome{}
	switch c.Action {
	case OActAnswer:
		checkOrderResult(fe, c.ResultID, f.ResultState)
		checkOrderFiles(fe, c.Files)
		next.Reply, next.ResultID, next.AnsweredAt = c.Comment, c.ResultID, f.Now
		entry.ResultID, entry.Files = c.ResultID, c.Files
	case OActReturn:
		out.DeadlineSet = checkOrderDeadline(fe, &next, c.Deadline, f.Now)
		entry.Deadline = next.Deadline
	case OActAccept:
		next.ClosedAt = f.Now
	}
	if c.Action != OActAnswer && len(c.Files) > 0 {
		fe.Add("files", "只有答复可以附带附件。")
	}
	if err := fe.Err(); err != nil {
		return OrderOutcome{}, err
	}
	out.Order, out.Entry = &next, entry
	out.Events = []StepEvent{next.Event(orderStepEvents[c.Action])}
	return out, nil
}

func knownOrderAction(act OrderAction) bool {
	for _, x := range OrderActions {
		if x == act {
			return true
		}
	}
	return false
}

// orderStepEvents are the events of the steps.
var orderStepEvents = map[OrderAction]EventType{
	OActAnswer: EventOrderAnswered, OActReturn: EventOrderReturned, OActAccept: EventOrderAccepted,
}

// checkOrderComment adds what is wrong with the answer or the reason.
func checkOrderComment(fe FieldErrors, c OrderCommand) {
	if c.Comment == "" && CommentRequiredOrder(c.Action) {
		if c.Action == OActReturn {
			fe.Add("comment", "请填写退回的理由，说明还需补充什么。")
		} else {
			fe.Add("comment", "请填写答复内容。")
		}
		return
	}
	for k, v := range ErrorFields(CheckOrderText("comment", c.Comment, false, MaxOrderReply)) {
		fe.Add(k, v)
	}
}

// checkOrderFiles adds what is wrong with the files of an answer: at most
// MaxOrderFiles, each stored and named.
func checkOrderFiles(fe FieldErrors, files []Attachment) {
	if len(files) > MaxOrderFiles {
		fe.Add("files", fmt.Sprintf("最多 %d 个附件。", MaxOrderFiles))
	}
	for _, a := range files {
		if a.StorageKey == "" || a.Filename == "" || a.Size < 0 || a.Size > MaxAttachmentBytes || HasNUL(a.Filename) {
			fe.Add("files", "附件无效，请重新选择文件。")
		}
	}
}

// checkOrderResult adds what is wrong with the disclosure given as the
// result of an answer: it must be the school's and published.
func checkOrderResult(fe FieldErrors, id int64, st State) {
	if id == 0 {
		return
	}
	d := Disclosure{State: st}
	switch {
	case st == "":
		fe.Add("result_id", "所选公开事项不存在，请选择本校已发布的事项。")
	case !d.Published() || st == StateWithdrawn:
		fe.Add("result_id", "所选公开事项尚未发布或已撤回，请选择本校已发布的事项。")
	}
}

// checkOrderDeadline sets the deadline of a returned order: the one chosen
// (a day from today to two years ahead), or the old one when none is
// chosen, which must not be past: the order would be overdue the moment
// the school sees it again. It reports whether a new date was set.
func checkOrderDeadline(fe FieldErrors, o *Order, want, now time.Time) bool {
	if want.IsZero() || sameDay(want, o.Deadline) {
		if PeriodOver(o.Deadline, now) {
			fe.Add("deadline", "原办理期限已过，请给出新的截止日期。")
		}
		return false
	}
	day := dateOf(want)
	switch {
	case PeriodOver(day, now):
		fe.Add("deadline", "期限不能早于今天。")
	case day.After(now.AddDate(2, 0, 0)):
		fe.Add("deadline", "期限不能超过两年。")
	}
	o.Deadline = day
	return true
}

func sameDay(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero() == b.IsZero()
	}
	return dateOf(a).Equal(dateOf(b))
}

// Event is the event of the order of type t, with what its messages need.
func (o *Order) Event(t EventType) StepEvent {
	return StepEvent{Type: t, Data: map[string]any{"number": o.Number, "title": o.Title, "kind": string(o.Kind), "deadline": isoDay(o.Deadline)}}
}
