package gongkai_test

import (
	"testing"
	"time"

	"gongkai"
)

// orderNow is the clock of the step tests: Monday 2 March 2026, 10:00.
var orderNow = time.Date(2026, 3, 2, 10, 0, 0, 0, gongkai.Beijing)

// TestOrder_Take walks every (state, step, person), with an unknown step
// among them: who may take it, where it leads, what it writes to the trail
// and which event it sends; the others get the error of their case and
// nothing changes.
func TestOrder_Take(t *testing.T) {
	readers := map[string]bool{"own.principal": true, "own.leader": true, "own.supervisor": true, "bureau.admin": true, "bureau.inspector": true}
	takers := map[gongkai.OrderAction]string{gongkai.OActAnswer: "own.principal", gongkai.OActAccept: "bureau.admin", gongkai.OActReturn: "bureau.admin"}
	next := map[gongkai.OrderState]map[gongkai.OrderAction]gongkai.OrderState{
		gongkai.OrderIssued:   {gongkai.OActAnswer: gongkai.OrderAnswered},
		gongkai.OrderReturned: {gongkai.OActAnswer: gongkai.OrderAnswered},
		gongkai.OrderAnswered: {gongkai.OActAccept: gongkai.OrderAccepted, gongkai.OActReturn: gongkai.OrderReturned},
	}
	events := map[gongkai.OrderAction]gongkai.EventType{
		gongkai.OActAnswer: gongkai.EventOrderAnswered, gongkai.OActAccept: gongkai.EventOrderAccepted, gongkai.OActReturn: gongkai.EventOrderReturned,
	}
	steps := append([]gongkai.OrderAction{gongkai.OActIssue, gongkai.OActRecount, "delete"}, gongkai.OrderActions...)
	for _, st := range gongkai.OrderStates {
		for _, act := range steps {
			for who, a := range orderPeople() {
				o := &gongkai.Order{ID: 5, BureauID: 7, SchoolID: 1, State: st, Number: "青禾教督〔2026〕3号", Title: "关于督促公开的通知",
					Kind: gongkai.OrderUrge, Deadline: day("2026-03-16")}
				out, err := o.Take(a, gongkai.OrderCommand{Action: act, Comment: "已公开。"}, gongkai.OrderStepFacts{SchoolBureauID: 7, Now: orderNow})
				want, legal := next[st][act]
				var wantCode string
				switch {
				case events[act] == "":
					wantCode = gongkai.ENOTFOUND // not a step anyone takes
				case !readers[who]:
					wantCode = gongkai.ENOTFOUND
				case takers[act] != who:
					wantCode = gongkai.EFORBIDDEN
				case !legal:
					wantCode = gongkai.ECONFLICT
				}
				if got := gongkai.ErrorCode(err); got != wantCode {
					t.Errorf("%s %s by %s: error %q (%v), want %q", st, act, who, got, err, wantCode)
					continue
				}
				if o.State != st {
					t.Fatalf("%s %s by %s: Take changed the order it was given", st, act, who)
				}
				if wantCode != "" {
					continue
				}
				if out.Order.State != want || out.Entry.From != st || out.Entry.To != want || out.Entry.Action != act || out.Entry.AuthorID != a.ID {
					t.Errorf("%s %s by %s: state %s, entry %+v; want %s", st, act, who, out.Order.State, out.Entry, want)
				}
				if len(out.Events) != 1 || out.Events[0].Type != events[act] || out.Events[0].Data["number"] != o.Number || out.Events[0].Data["deadline"] != "2026-03-16" {
					t.Errorf("%s %s by %s: events %+v, want one %s", st, act, who, out.Events, events[act])
				}
			}
		}
	}
}

// TestOrder_TakeInput checks what each step asks of its input and writes.
func TestOrder_TakeInput(t *testing.T) {
	p := orderPeople()
	principal, admin := p["own.principal"], p["bureau.admin"]
	for _, tc := range []struct {
		name   string
		who    *gongkai.Actor
		state  gongkai.OrderState
		due    string // the order's deadline
		cmd    gongkai.OrderCommand
		result gongkai.State
		field  string // the field in error, "" when it succeeds
		check  func(t *testing.T, out gongkai.OrderOutcome)
	}{
		{"answer", principal, gongkai.OrderIssued, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: " 已于3月3日公开。\r\n详见公告栏。 "}, "", "", func(t *testing.T, out gongkai.OrderOutcome) {
			if out.Order.Reply != "已于3月3日公开。\n详见公告栏。" || !out.Order.AnsweredAt.Equal(orderNow) || out.Entry.Comment != out.Order.Reply {
				t.Errorf("reply %q at %v", out.Order.Reply, out.Order.AnsweredAt)
			}
		}},
		{"answer without text", principal, gongkai.OrderIssued, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "  "}, "", "comment", nil},
		{"answer too long", principal, gongkai.OrderIssued, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: string(make([]rune, gongkai.MaxOrderReply+1))}, "", "comment", nil},
		{"answer with a published result", principal, gongkai.OrderReturned, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已公开。", ResultID: 9}, gongkai.StatePublished, "", func(t *testing.T, out gongkai.OrderOutcome) {
			if out.Order.ResultID != 9 || out.Entry.ResultID != 9 {
				t.Errorf("result %d, entry %d", out.Order.ResultID, out.Entry.ResultID)
			}
		}},
		{"answer with a draft as result", principal, gongkai.OrderIssued, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已公开。", ResultID: 9}, gongkai.StateDraft, "result_id", nil},
		{"answer with a withdrawn result", principal, gongkai.OrderIssued, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已公开。", ResultID: 9}, gongkai.StateWithdrawn, "result_id", nil},
		{"answer with another school's item", principal, gongkai.OrderIssued, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已公开。", ResultID: 9}, "", "result_id", nil},
		{"answer with files", principal, gongkai.OrderIssued, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "见附件。", Files: orderFiles(gongkai.MaxOrderFiles)}, "", "", nil},
		{"answer with too many files", principal, gongkai.OrderIssued, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "见附件。", Files: orderFiles(gongkai.MaxOrderFiles + 1)}, "", "files", nil},
		{"return with files", admin, gongkai.OrderAnswered, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充。", Files: orderFiles(1)}, "", "files", nil},
		{"answer with a file not stored", principal, gongkai.OrderIssued, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "见附件。", Files: []gongkai.Attachment{{Filename: "会议记录.pdf"}}}, "", "files", nil},
		{"return without reason", admin, gongkai.OrderAnswered, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActReturn}, "", "comment", nil},
		{"return keeps the deadline", admin, gongkai.OrderAnswered, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充明细。"}, "", "", func(t *testing.T, out gongkai.OrderOutcome) {
			if out.DeadlineSet || !out.Order.Deadline.Equal(day("2026-03-16")) || !out.Entry.Deadline.Equal(day("2026-03-16")) {
				t.Errorf("deadline %v set %v", out.Order.Deadline, out.DeadlineSet)
			}
		}},
		{"return past the deadline", admin, gongkai.OrderAnswered, "2026-02-27", gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充。"}, "", "deadline", nil},
		{"return past it, the same day again", admin, gongkai.OrderAnswered, "2026-02-27", gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充。", Deadline: day("2026-02-27")}, "", "deadline", nil},
		{"return with a new deadline", admin, gongkai.OrderAnswered, "2026-02-27", gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充。", Deadline: time.Date(2026, 3, 9, 23, 0, 0, 0, time.UTC)}, "", "", func(t *testing.T, out gongkai.OrderOutcome) {
			if !out.DeadlineSet || !out.Order.Deadline.Equal(day("2026-03-10")) || out.Events[0].Data["deadline"] != "2026-03-10" {
				t.Errorf("deadline %v set %v, event %v", out.Order.Deadline, out.DeadlineSet, out.Events[0].Data)
			}
		}},
		{"return with a deadline yesterday", admin, gongkai.OrderAnswered, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充。", Deadline: day("2026-03-01")}, "", "deadline", nil},
		{"return with a deadline beyond two years", admin, gongkai.OrderAnswered, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActReturn, Comment: "请补充。", Deadline: day("2028-03-03")}, "", "deadline", nil},
		{"accept without comment", admin, gongkai.OrderAnswered, "2026-03-16", gongkai.OrderCommand{Action: gongkai.OActAccept}, "", "", func(t *testing.T, out gongkai.OrderOutcome) {
			if !out.Order.ClosedAt.Equal(orderNow) || out.Order.State.Open() {
				t.Errorf("closed %v, state %s", out.Order.ClosedAt, out.Order.State)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &gongkai.Order{ID: 5, BureauID: 7, SchoolID: 1, State: tc.state, Deadline: day(tc.due)}
			out, err := o.Take(tc.who, tc.cmd, gongkai.OrderStepFacts{SchoolBureauID: 7, Now: orderNow, ResultState: tc.result})
			fields := gongkai.ErrorFields(err)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.field != "" && (gongkai.ErrorCode(err) != gongkai.EINVALID || fields[tc.field] == ""):
				t.Fatalf("error %v (fields %v), want one for %s", err, fields, tc.field)
			case tc.check != nil:
				tc.check(t, out)
			}
		})
	}
}

// TestIssueOrders checks every person and what an issue asks of its
// input: all problems at once, numbers in sequence, one event per order.
func TestIssueOrders(t *testing.T) {
	cal := gongkai.NewWorkCalendar(nil, []int{2026})
	facts := func() gongkai.OrderIssueFacts {
		return gongkai.OrderIssueFacts{BureauID: 7, BureauName: "青禾县教育局", Now: orderNow, Calendar: cal, Year: 2026, LastSeq: 2,
			Schools:    map[int64]*gongkai.School{1: {ID: 1, BureauID: 7}, 2: {ID: 2, BureauID: 7}, 3: {ID: 3, BureauID: 7, DeactivatedAt: orderNow.AddDate(0, -1, 0)}},
			Obligation: gongkai.LinkedObligation{Found: true}, Case: gongkai.LinkedCase{Found: true, Escalated: true}}
	}
	ok := gongkai.OrderIssue{Kind: gongkai.OrderUrge, Title: "关于督促公开的通知", Body: "请公开。", Workdays: 10, SchoolIDs: []int64{1, 2, 1}}
	for who, a := range orderPeople() {
		_, err := gongkai.IssueOrders(a, ok, facts())
		if want := map[bool]string{true: "", false: gongkai.EFORBIDDEN}[who == "bureau.admin"]; gongkai.ErrorCode(err) != want {
			t.Errorf("%s: error %v, want %q", who, err, want)
		}
	}
	admin := orderPeople()["bureau.admin"]
	out, err := gongkai.IssueOrders(admin, ok, facts())
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Orders) != 2 || out.Orders[0].Number != "青禾教督〔2026〕3号" || out.Orders[1].Number != "青禾教督〔2026〕4号" || out.LastSeq != 4 {
		t.Fatalf("orders %+v, last %d", out.Orders, out.LastSeq)
	}
	if o := out.Orders[1]; o.SchoolID != 2 || o.State != gongkai.OrderIssued || !o.Deadline.Equal(day("2026-03-16")) || len(o.Trail) != 1 || o.Trail[0].Action != gongkai.OActIssue {
		t.Errorf("second order %+v", o)
	}
	if out.Rule.Workdays != 10 || len(out.Events) != 2 || out.Events[1].Type != gongkai.EventOrderIssued || out.Events[1].Data["number"] != "青禾教督〔2026〕4号" {
		t.Errorf("rule %+v, events %+v", out.Rule, out.Events)
	}
	for _, tc := range []struct {
		name   string
		edit   func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts)
		fields []string
	}{
		{"a date instead of working days", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) { c.Deadline, c.Workdays = day("2026-03-20"), 0 }, nil},
		{"no title, no body", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) { c.Title, c.Body = "", "" }, []string{"title", "body"}},
		{"unknown kind", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) { c.Kind = "warning" }, []string{"kind"}},
		{"past date", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) { c.Deadline = day("2026-03-01") }, []string{"deadline"}},
		{"working days out of range, no deadline message", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) { c.Workdays = gongkai.MaxOrderWorkdays + 1 }, []string{"workdays"}},
		{"no school", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) { c.SchoolIDs = nil }, []string{"schools"}},
		{"another bureau's school", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) { c.SchoolIDs = []int64{9} }, []string{"schools"}},
		{"a deactivated school", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) { c.SchoolIDs = []int64{3} }, []string{"schools"}},
		{"a linked case to two schools", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) { c.FeedbackID = 4 }, []string{"schools"}},
		{"a linked case with the school", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) {
			c.FeedbackID, c.SchoolIDs, f.Case = 4, []int64{1}, gongkai.LinkedCase{Found: true}
		}, []string{"feedback"}},
		{"a linked case not found", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) {
			c.FeedbackID, c.SchoolIDs, f.Case = 4, []int64{1}, gongkai.LinkedCase{}
		}, []string{"feedback"}},
		{"a linked case for the bureau", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) { c.FeedbackID, c.SchoolIDs = 4, []int64{1} }, nil},
		{"a linked obligation met", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) {
			c.ObligationID, c.SchoolIDs, f.Obligation = 4, []int64{1}, gongkai.LinkedObligation{Found: true, Met: true}
		}, []string{"obligation"}},
		{"a linked obligation waived", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) {
			c.ObligationID, c.SchoolIDs, f.Obligation = 4, []int64{1}, gongkai.LinkedObligation{Found: true, Waived: true}
		}, []string{"obligation"}},
		{"a linked obligation of another school", func(c *gongkai.OrderIssue, f *gongkai.OrderIssueFacts) {
			c.ObligationID, c.SchoolIDs, f.Obligation = 4, []int64{1}, gongkai.LinkedObligation{}
		}, []string{"obligation"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, f := ok, facts()
			tc.edit(&c, &f)
			out, err := gongkai.IssueOrders(admin, c, f)
			fields := gongkai.ErrorFields(err)
			if len(tc.fields) == 0 {
				if err != nil || len(out.Orders) == 0 {
					t.Fatalf("error %v", err)
				}
				return
			}
			if len(fields) != len(tc.fields) {
				t.Errorf("fields %v, want %v", fields, tc.fields)
			}
			for _, k := range tc.fields {
				if fields[k] == "" {
					t.Errorf("fields %v, want one for %s", fields, k)
				}
			}
		})
	}
}

// orderFiles are n stored files.
func orderFiles(n int) []gongkai.Attachment {
	out := make([]gongkai.Attachment, n)
	for i := range out {
		out[i] = gongkai.Attachment{Filename: "会议记录.pdf", ContentType: "application/pdf", Size: 1000, StorageKey: "k"}
	}
	return out
}
