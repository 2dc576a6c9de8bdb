package gongkai

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// stepNow is the clock of the step tests: a Wednesday in term.
var stepNow = time.Date(2026, 3, 11, 10, 0, 0, 0, Beijing)

// handledBy is who handles a case of the kind, written out from DESIGN.md
// independently of CanHandleFeedback: reports the supervision group,
// other kinds the leadership group and the principal; the bureau's
// administrator every case.
var handledBy = map[FeedbackKind][]Role{
	KindOpinion: {RolePrincipal, RoleLeader, RoleBureauAdmin},
	KindReport:  {RoleSupervisor, RoleBureauAdmin},
}

// seenBy is who may read a case as staff without handling it.
var seenBy = map[FeedbackKind][]Role{
	KindOpinion: {RoleSupervisor, RoleInspector},
	KindReport:  {RoleInspector},
}

// staffLegal is the handling procedure written out: from a state, the
// steps that change it and where they lead. Notes, public answers and
// recording whom a report is about leave the state as it is.
var staffLegal = map[FeedbackState]map[FeedbackAction]FeedbackState{
	FeedbackReceived:   {FActAssign: FeedbackAssigned, FActReply: FeedbackReplied, FActDecline: FeedbackDeclined},
	FeedbackAssigned:   {FActAssign: FeedbackAssigned, FActReply: FeedbackReplied, FActDecline: FeedbackDeclined},
	FeedbackReplied:    {FActReply: FeedbackReplied, FActRectify: FeedbackRectifying, FActClose: FeedbackClosed},
	FeedbackRectifying: {FActReply: FeedbackRectifying, FActRectified: FeedbackRectified},
	FeedbackRectified:  {FActReply: FeedbackRectified, FActClose: FeedbackClosed},
}

// staffEvent is the event each step emits, if any.
var staffEvent = map[FeedbackAction]EventType{
	FActAssign: EventFeedbackAssigned, FActReply: EventFeedbackReplied, FActRectify: EventFeedbackRectifying,
	FActRectified: EventFeedbackRectified, FActClose: EventFeedbackClosed, FActDecline: EventFeedbackDeclined,
}

// stepActor is an actor with one role at school 1 (or of bureau 1).
func stepActor(r Role) *Actor {
	if r.ValidBureau() {
		return &Actor{User: User{ID: 9, DisplayName: "局管理员", BureauID: 1, BureauRole: r}}
	}
	a := actorWith(1, r)
	a.DisplayName = "王老师"
	return a
}

// fullStep is a step with every input it needs, and the facts that make
// that input good.
func fullStep(act FeedbackAction) (FeedbackStep, FeedbackFacts) {
	facts := FeedbackFacts{Now: stepNow, BureauID: 1}
	s := FeedbackStep{Action: act, Comment: "已核实，情况如下。"}
	switch act {
	case FActAssign:
		s.DepartmentID = 3
		facts.Department = &Department{ID: 3, SchoolID: 1, Name: "总务处"}
	case FActRectify:
		s.Due = stepNow.AddDate(0, 0, 10)
	case FActRectified:
		s.ResultID = 40
		facts.Result = &Disclosure{ID: 40, SchoolID: 1, State: StatePublished}
	case FActPublishQA:
		s.QAQuestion, s.QAAnswer = "食堂价格为何上涨？", "因米价上涨，已公示。"
	case FActAbout:
		s.AboutUserID = 30
		facts.About = &Actor{User: User{ID: 30, DisplayName: "赵老师"}, Memberships: []Membership{{SchoolID: 1, UserID: 30, Role: RoleStaff}}}
	}
	return s, facts
}

// TestTake_everyStep takes every staff step in every state by every role on
// an opinion and a report, with complete input, and checks the outcome
// against the procedure written out above: who may not see the case gets
// 404, who sees but does not handle it 403 (a note: the supervision group
// may), a state that does not allow the step 409; an allowed step leads to
// the documented state, writes its thread entry and emits its event.
func TestTake_everyStep(t *testing.T) {
	answered := []FeedbackState{FeedbackReplied, FeedbackRectifying, FeedbackRectified, FeedbackClosed, FeedbackDeclined}
	roles := append(append([]Role{}, SchoolRoles...), BureauRoles...)
	for _, kind := range []FeedbackKind{KindOpinion, KindReport} {
		for _, from := range FeedbackStates {
			for _, act := range StaffFeedbackActions {
				for _, role := range roles {
					t.Run(fmt.Sprintf("%s/%s/%s/%s", kind, from, act, role), func(t *testing.T) {
						f := &Feedback{ID: 5, SchoolID: 1, Kind: kind, State: from, Subject: "食堂价格", Due: stepNow.AddDate(0, 0, 5)}
						s, facts := fullStep(act)
						out, err := f.Take(stepActor(role), s, facts)
						handles := slices.Contains(handledBy[kind], role)
						sees := handles || slices.Contains(seenBy[kind], role)
						may := handles || (act == FActNote && role == RoleSupervisor && sees)
						to, legal := staffLegal[from][act]
						switch act {
						case FActNote:
							to, legal = from, true
						case FActPublishQA:
							to, legal = from, slices.Contains(answered, from)
						case FActAbout:
							to, legal = from, kind == KindReport
						}
						want := ""
						switch {
						case !sees:
							want = ENOTFOUND
						case !may:
							want = EFORBIDDEN
						case !legal:
							want = ECONFLICT
						}
						if got := ErrorCode(err); got != want {
							t.Fatalf("error %q (%v), want %q", got, err, want)
						}
						if err != nil {
							return
						}
						if out.Case.State != to || out.From != from {
							t.Errorf("state %s → %s, want %s → %s", out.From, out.Case.State, from, to)
						}
						if f.State != from {
							t.Error("the step changed the case it was given")
						}
						m := out.Message
						internal := act == FActAssign || act == FActNote || act == FActPublishQA || act == FActAbout
						if m.Action != act || !m.FromStaff || m.Author != stepActor(role).DisplayName || m.Internal != internal || m.Body == "" {
							t.Errorf("thread entry %+v", m)
						}
						var types []EventType
						for _, e := range out.Events {
							types = append(types, e.Type)
						}
						var wantTypes []EventType
						if typ, ok := staffEvent[act]; ok {
							wantTypes = append(wantTypes, typ)
						}
						if !slices.Equal(types, wantTypes) {
							t.Errorf("events %v, want %v", types, wantTypes)
						}
						for _, e := range out.Events {
							if e.Data["state"] != string(to) || e.Data["school_id"] != int64(1) {
								t.Errorf("event data %v", e.Data)
							}
						}
					})
				}
			}
		}
	}
}

// TestTake_unknownStep: a step that is not a staff step does not exist.
func TestTake_unknownStep(t *testing.T) {
	f := &Feedback{SchoolID: 1, Kind: KindOpinion, State: FeedbackReceived}
	for _, act := range []FeedbackAction{FActMessage, FActRate, FActEscalate, FActRecount, "", "delete"} {
		if _, err := f.Take(stepActor(RolePrincipal), FeedbackStep{Action: act, Comment: "x"}, FeedbackFacts{Now: stepNow, BureauID: 1}); ErrorCode(err) != ENOTFOUND {
			t.Errorf("%q: %v, want ENOTFOUND", act, err)
		}
	}
}

// TestTake_input checks each step's input with every problem at once, and
// the one message for each (the page and the API show these).
func TestTake_input(t *testing.T) {
	leader := &Actor{User: User{ID: 21}, Memberships: []Membership{{SchoolID: 1, UserID: 21, Role: RoleLeader}}}
	clerk := &Actor{User: User{ID: 22}, Memberships: []Membership{{SchoolID: 1, UserID: 22, Role: RoleClerk}}}
	withdrawn := &Disclosure{ID: 40, SchoolID: 1, State: StateWithdrawn}
	tests := []struct {
		name  string
		kind  FeedbackKind
		state FeedbackState
		step  func(*FeedbackStep, *FeedbackFacts)
		want  map[string]string
	}{
		{"reply without text", KindOpinion, FeedbackReceived, func(s *FeedbackStep, _ *FeedbackFacts) { s.Comment = " \r\n " },
			map[string]string{"comment": "请填写答复内容。"}},
		{"reply with script", KindOpinion, FeedbackReceived, func(s *FeedbackStep, _ *FeedbackFacts) { s.Comment = "<script>alert(1)</script>" },
			map[string]string{"comment": "内容不能包含网页代码或脚本，请只填写文字。"}},
		{"reply too long", KindOpinion, FeedbackReceived, func(s *FeedbackStep, _ *FeedbackFacts) { s.Comment = strings.Repeat("字", MaxFeedbackBody+1) },
			map[string]string{"comment": fmt.Sprintf("内容不能超过 %d 字。", MaxFeedbackBody)}},
		{"reply with a withdrawn item", KindRequest, FeedbackReceived, func(s *FeedbackStep, f *FeedbackFacts) { s.ResultID, f.Result = 40, withdrawn },
			map[string]string{"result_id": "所选公开事项尚未发布或已撤回，请选择本校已发布的事项。"}},
		{"rectify without plan or date", KindOpinion, FeedbackReplied, func(s *FeedbackStep, _ *FeedbackFacts) { s.Comment, s.Due = "", time.Time{} },
			map[string]string{"comment": "请填写整改方案。", "due": "请填写整改期限。"}},
		{"rectify by yesterday", KindOpinion, FeedbackReplied, func(s *FeedbackStep, _ *FeedbackFacts) { s.Due = stepNow.AddDate(0, 0, -1) },
			map[string]string{"due": "期限不能早于今天。"}},
		{"rectify in three years", KindOpinion, FeedbackReplied, func(s *FeedbackStep, _ *FeedbackFacts) { s.Due = stepNow.AddDate(3, 0, 0) },
			map[string]string{"due": "期限不能超过两年。"}},
		{"rectified without anything", KindOpinion, FeedbackRectifying, func(s *FeedbackStep, _ *FeedbackFacts) { s.Comment, s.ResultID = "", 0 },
			map[string]string{"comment": "请填写整改完成情况。", "result_id": "请选择公开整改结果的事项；如尚未公开，请先登记并发布整改结果。"}},
		{"rectified with an unknown item", KindOpinion, FeedbackRectifying, func(_ *FeedbackStep, f *FeedbackFacts) { f.Result = nil },
			map[string]string{"result_id": "所选公开事项不存在，请选择本校已发布的事项。"}},
		{"assign to nobody", KindOpinion, FeedbackReceived, func(s *FeedbackStep, _ *FeedbackFacts) { s.DepartmentID = 0 },
			map[string]string{"assignee": "请选择承办处室或承办人。"}},
		{"assign to another school's department", KindOpinion, FeedbackReceived, func(_ *FeedbackStep, f *FeedbackFacts) { f.Department = &Department{ID: 3, SchoolID: 2} },
			map[string]string{"department": "处室无效，请从列表中选择。"}},
		{"assign to an unknown person", KindOpinion, FeedbackReceived, func(s *FeedbackStep, _ *FeedbackFacts) { s.AssigneeID = 99 },
			map[string]string{"assignee": "承办人不存在或已停用。"}},
		{"assign a report to a clerk, by yesterday", KindReport, FeedbackReceived, func(s *FeedbackStep, f *FeedbackFacts) {
			s.AssigneeID, f.Assignee, s.Due = 22, clerk, stepNow.AddDate(0, 0, -1)
		}, map[string]string{"assignee": "该人员不能办理此件：举报只能交监督小组办理，教育局办理的件只能交教育局人员，被反映人不能办理。", "due": "期限不能早于今天。"}},
		{"close a request without an answer in public", KindRequest, FeedbackReplied, func(*FeedbackStep, *FeedbackFacts) {},
			map[string]string{"result_id": "点题公开须以发布的公开事项或公开答复办结：请先在答复中关联公开事项，或发布公开问答。"}},
		{"decline without reason", KindOpinion, FeedbackReceived, func(s *FeedbackStep, _ *FeedbackFacts) { s.Comment = "" },
			map[string]string{"comment": "请写明不予受理的理由。"}},
		{"note without text", KindOpinion, FeedbackReceived, func(s *FeedbackStep, _ *FeedbackFacts) { s.Comment = "" },
			map[string]string{"comment": "请填写备注内容。"}},
		{"public answer without question or answer", KindOpinion, FeedbackReplied, func(s *FeedbackStep, _ *FeedbackFacts) { s.QAQuestion, s.QAAnswer = " ", "" },
			map[string]string{"qa_question": "请填写公开的问题（去掉可识别来信人的内容）。", "qa_answer": "请填写公开的答复。"}},
		{"about nobody", KindReport, FeedbackReceived, func(s *FeedbackStep, _ *FeedbackFacts) { s.AboutUserID = 0 },
			map[string]string{"about_user": "请选择被举报人。"}},
		{"about someone of another school", KindReport, FeedbackReceived, func(_ *FeedbackStep, f *FeedbackFacts) {
			f.About = &Actor{User: User{ID: 30}, Memberships: []Membership{{SchoolID: 2, UserID: 30, Role: RoleStaff}}}
		}, map[string]string{"about_user": "被举报人须为本校教职工。"}},
		{"about a parent", KindReport, FeedbackReceived, func(_ *FeedbackStep, f *FeedbackFacts) {
			f.About = &Actor{User: User{ID: 30}, Memberships: []Membership{{SchoolID: 1, UserID: 30, Role: RoleParent}}}
		}, map[string]string{"about_user": "被举报人须为本校教职工。"}},
		{"about an unknown person", KindReport, FeedbackReceived, func(_ *FeedbackStep, f *FeedbackFacts) { f.About = nil },
			map[string]string{"about_user": "被举报人须为本校教职工。"}},
		{"a reply naming whom an opinion is about", KindOpinion, FeedbackReceived, func(s *FeedbackStep, f *FeedbackFacts) { s.AboutUserID, f.About = 21, leader },
			map[string]string{"about_user": "只有举报件可以记录被举报人。"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			act := map[string]FeedbackAction{"reply": FActReply, "rectify": FActRectify, "rectified": FActRectified, "assign": FActAssign,
				"close": FActClose, "decline": FActDecline, "note": FActNote, "public": FActPublishQA, "about": FActAbout, "a": FActReply}[strings.Fields(tt.name)[0]]
			s, facts := fullStep(act)
			tt.step(&s, &facts)
			who := RolePrincipal
			if tt.kind == KindReport {
				who = RoleSupervisor
			}
			f := &Feedback{ID: 5, SchoolID: 1, Kind: tt.kind, State: tt.state, Subject: "食堂价格"}
			_, err := f.Take(stepActor(who), s, facts)
			if ErrorCode(err) != EINVALID || !maps.Equal(ErrorFields(err), tt.want) {
				t.Errorf("got %v, want EINVALID %v", err, tt.want)
			}
		})
	}
}

// TestTake_effects checks what steps change beyond the state.
func TestTake_effects(t *testing.T) {
	principal, supervisor := stepActor(RolePrincipal), stepActor(RoleSupervisor)
	leader := &Actor{User: User{ID: 21, DisplayName: "李副校长"}, Memberships: []Membership{{SchoolID: 1, UserID: 21, Role: RoleLeader}}}
	staff := &Actor{User: User{ID: 30, DisplayName: "赵老师"}, Memberships: []Membership{{SchoolID: 1, UserID: 30, Role: RoleStaff}}}
	t.Run("reply sets the reply time once and links an answering item", func(t *testing.T) {
		f := &Feedback{SchoolID: 1, Kind: KindRequest, State: FeedbackReceived}
		s, facts := fullStep(FActReply)
		s.ResultID, facts.Result = 40, &Disclosure{ID: 40, SchoolID: 1, State: StateClosed}
		out, err := f.Take(principal, s, facts)
		if err != nil || !out.Case.RepliedAt.Equal(stepNow) || out.Case.ResultID != 40 || !out.Touch {
			t.Fatalf("%v %+v", err, out)
		}
		earlier := stepNow.AddDate(0, 0, -2)
		f.State, f.RepliedAt = FeedbackReplied, earlier
		if out, _ := f.Take(principal, s, facts); !out.Case.RepliedAt.Equal(earlier) {
			t.Error("a second reply moved the first reply's time")
		}
	})
	t.Run("assign with a date sets a deadline no calendar edit moves", func(t *testing.T) {
		f := &Feedback{SchoolID: 1, Kind: KindOpinion, State: FeedbackReceived}
		s, facts := fullStep(FActAssign)
		s.Due = stepNow.AddDate(0, 0, 7)
		facts.Calendar = NewWorkCalendar(nil, []int{2026})
		out, err := f.Take(principal, s, facts)
		if err != nil || !out.Case.Due.Equal(dateOf(s.Due)) || out.Case.DueProvisional || out.DueRule == nil || out.DueRule.Counted() || out.Case.DepartmentID != 3 {
			t.Fatalf("%v %+v", err, out)
		}
	})
	t.Run("declining a request answers it in public", func(t *testing.T) {
		f := &Feedback{SchoolID: 1, Kind: KindRequest, State: FeedbackReceived, Subject: "公开食堂账目"}
		s, facts := fullStep(FActDecline)
		out, err := f.Take(principal, s, facts)
		if err != nil || !out.Case.QAPublished || out.Case.QAQuestion != "公开食堂账目" || out.Case.QAAnswer != s.Comment || !out.Touch || !out.Case.ClosedAt.Equal(stepNow) {
			t.Fatalf("%v %+v", err, out)
		}
	})
	t.Run("an objection's new state shows on the board", func(t *testing.T) {
		f := &Feedback{SchoolID: 1, Kind: KindObjection, State: FeedbackReceived}
		s, facts := fullStep(FActReply)
		if out, _ := f.Take(principal, s, facts); !out.Touch {
			t.Error("an answered objection does not drop the board's cache")
		}
		s, facts = fullStep(FActNote)
		if out, _ := f.Take(principal, s, facts); out.Touch {
			t.Error("a note drops the board's cache")
		}
	})
	t.Run("about a member of staff: they lose the case", func(t *testing.T) {
		f := &Feedback{SchoolID: 1, Kind: KindReport, State: FeedbackAssigned, AssigneeID: 30}
		s, facts := fullStep(FActAbout)
		s.Comment = "经核实"
		out, err := f.Take(supervisor, s, facts)
		if err != nil || out.Case.AboutUserID != 30 || out.Case.About != SubjectStaff || out.Case.AssigneeID != 0 || out.Case.ToBureau || len(out.Events) != 0 {
			t.Fatalf("%v %+v", err, out)
		}
		if out.Message.Body != "被举报人：赵老师\n经核实" || !out.Message.Internal {
			t.Errorf("thread entry %+v", out.Message)
		}
		if CanSeeFeedback(staff, 1, &out.Case) {
			t.Error("the person reported can see the case")
		}
	})
	t.Run("about a leader: the case goes to the bureau", func(t *testing.T) {
		f := &Feedback{SchoolID: 1, Kind: KindReport, State: FeedbackReceived}
		s, facts := fullStep(FActAbout)
		s.AboutUserID, facts.About = 21, leader
		out, err := f.Take(supervisor, s, facts)
		if err != nil || out.Case.About != SubjectLeadership || !out.Case.ToBureau {
			t.Fatalf("%v %+v", err, out)
		}
		if len(out.Events) != 1 || out.Events[0].Type != EventFeedbackEscalated || out.Events[0].Data["reason"] != "about_leadership" {
			t.Errorf("events %+v", out.Events)
		}
	})
}

// TestFeedbackEvent_anonymous: an event about an anonymous case carries
// nothing that reaches or names its sender.
func TestFeedbackEvent_anonymous(t *testing.T) {
	f := &Feedback{SchoolID: 1, Kind: KindReport, Anonymous: true, SenderID: 8, Email: "a@example.cn", AboutUserID: 30, Due: stepNow}
	d := f.Event(EventFeedbackReplied, map[string]any{"x": 1}).Data
	if _, ok := d["sender_id"]; ok {
		t.Error("sender_id")
	}
	if _, ok := d["email"]; ok {
		t.Error("email")
	}
	if d["about_user_id"] != int64(30) || d["due"] != "2026-03-11" || d["x"] != 1 {
		t.Errorf("%v", d)
	}
	f.Anonymous = false
	if d := f.Event(EventFeedbackReplied, nil).Data; d["sender_id"] != int64(8) || d["email"] != "a@example.cn" {
		t.Errorf("a named sender is not reachable: %v", d)
	}
}

// TestSenderTake_everyStep takes each sender's step in every state, with
// and without an unsatisfied rating, past the deadline or not, escalated
// or not, and checks it against the rules: rating once answered;
// escalating when unsatisfied or overdue, once, and never a case the
// bureau handles from the start; a message always.
func TestSenderTake_everyStep(t *testing.T) {
	answered := []FeedbackState{FeedbackReplied, FeedbackRectifying, FeedbackRectified, FeedbackClosed, FeedbackDeclined}
	cal := NewWorkCalendar(nil, []int{2026})
	for _, from := range FeedbackStates {
		for _, act := range []FeedbackAction{FActMessage, FActRate, FActEscalate} {
			for _, c := range []struct {
				name                            string
				unsatisfied, overdue, escalated bool
				leadership                      bool
			}{{name: "plain"}, {name: "unsatisfied", unsatisfied: true}, {name: "overdue", overdue: true}, {name: "escalated", escalated: true, unsatisfied: true},
				{name: "about the leadership", leadership: true, overdue: true}} {
				t.Run(fmt.Sprintf("%s/%s/%s", from, act, c.name), func(t *testing.T) {
					f := &Feedback{ID: 5, SchoolID: 1, Kind: KindObjection, State: from, Subject: "异议", Due: stepNow.AddDate(0, 0, 3),
						SenderName: "张家长", SenderID: 8, ClosedAt: stepNow.AddDate(0, 0, -1)}
					if c.unsatisfied {
						f.Rating = RatingUnsatisfied
					}
					if c.overdue {
						f.Due = stepNow.AddDate(0, 0, -3)
					}
					if c.escalated {
						f.Escalated, f.ToBureau = true, true
					}
					if c.leadership {
						f.Kind, f.About, f.ToBureau = KindReport, SubjectLeadership, true
					}
					s := SenderStep{Action: act, Body: "补充说明", Rating: RatingBasic}
					out, err := f.SenderTake(s, SenderFacts{Now: stepNow, Calendar: cal, ReplyDays: 5})
					isAnswered := slices.Contains(answered, from)
					overdue := c.overdue && (from == FeedbackReceived || from == FeedbackAssigned)
					want := ""
					switch act {
					case FActRate:
						if !isAnswered {
							want = ECONFLICT
						}
					case FActEscalate:
						if c.escalated || c.leadership || !(c.unsatisfied || overdue) {
							want = ECONFLICT
						}
					}
					if got := ErrorCode(err); got != want {
						t.Fatalf("error %q (%v), want %q", got, err, want)
					}
					if err != nil {
						return
					}
					if out.Message.Author != "张家长" || out.Message.AuthorID != 8 || out.Message.FromStaff || out.Message.Action != act {
						t.Errorf("thread entry %+v", out.Message)
					}
					wantType := map[FeedbackAction]EventType{FActMessage: EventFeedbackMessage, FActRate: EventFeedbackRated, FActEscalate: EventFeedbackEscalated}[act]
					if len(out.Events) != 1 || out.Events[0].Type != wantType {
						t.Fatalf("events %+v", out.Events)
					}
					switch act {
					case FActMessage:
						if out.Case.State != from || out.Touch {
							t.Errorf("a message changed the case: %+v", out)
						}
					case FActRate:
						if out.Case.Rating != RatingBasic || out.Message.Body != "基本满意：补充说明" || out.Events[0].Data["rating"] != "basic" {
							t.Errorf("rating %+v", out)
						}
					case FActEscalate:
						reopened := isAnswered && from != FeedbackRectifying
						wantState := from
						if reopened {
							wantState = FeedbackReceived
						}
						if out.Case.State != wantState || !out.Case.Escalated || !out.Case.ToBureau || out.Touch != reopened {
							t.Errorf("escalated to %s (touch %v), want %s", out.Case.State, out.Touch, wantState)
						}
						if reopened != out.Case.ClosedAt.IsZero() {
							t.Errorf("closed at %v after reopening %v", out.Case.ClosedAt, reopened)
						}
						if out.DueRule == nil || out.DueRule.Workdays != 5 || !out.Case.Due.Equal(time.Date(2026, 3, 18, 0, 0, 0, 0, Beijing)) {
							t.Errorf("the bureau's deadline %v by %+v, want 2026-03-18", out.Case.Due, out.DueRule)
						}
					}
				})
			}
		}
	}
}

// TestSenderTake_input checks a sender's input, every problem at once.
func TestSenderTake_input(t *testing.T) {
	f := &Feedback{SchoolID: 1, Kind: KindOpinion, State: FeedbackReplied}
	file := Attachment{Filename: "a.pdf", StorageKey: "k", Size: 10}
	tests := []struct {
		name string
		step SenderStep
		want map[string]string
	}{
		{"empty message", SenderStep{Action: FActMessage, Body: "  "}, map[string]string{"body": "请填写留言内容。"}},
		{"too long a message", SenderStep{Action: FActMessage, Body: strings.Repeat("字", MaxFeedbackBody+1)}, map[string]string{"body": fmt.Sprintf("内容不能超过 %d 字。", MaxFeedbackBody)}},
		{"a rating without choice and with a file", SenderStep{Action: FActRate, Rating: "great", Attachments: []Attachment{file}},
			map[string]string{"rating": "请选择满意、基本满意或不满意。", "attachments": "附件请随补充留言上传。"}},
		{"a long note to an escalation", SenderStep{Action: FActEscalate, Body: strings.Repeat("字", MaxSenderNote+1)}, map[string]string{"body": fmt.Sprintf("内容不能超过 %d 字。", MaxSenderNote)}},
		{"too many files", SenderStep{Action: FActMessage, Body: "见附件", Attachments: slices.Repeat([]Attachment{file}, MaxFeedbackFiles+1)},
			map[string]string{"attachments": fmt.Sprintf("每次最多上传 %d 个附件。", MaxFeedbackFiles)}},
		{"a file without its key", SenderStep{Action: FActMessage, Body: "见附件", Attachments: []Attachment{{Filename: "a.pdf"}}}, map[string]string{"attachments": "附件无效。"}},
		{"an unknown step", SenderStep{Action: FActReply, Body: "x"}, map[string]string{"action": "操作只能是补充留言（message）、评价（rate）或提请教育局督办（escalate）。"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.SenderTake(tt.step, SenderFacts{Now: stepNow})
			if ErrorCode(err) != EINVALID || !maps.Equal(ErrorFields(err), tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	anon := &Feedback{SchoolID: 1, Kind: KindReport, State: FeedbackReceived, Anonymous: true}
	out, err := anon.SenderTake(SenderStep{Action: FActMessage, Body: "补充", Attachments: []Attachment{file}}, SenderFacts{Now: stepNow})
	if err != nil || out.Message.Author != SenderLabel || out.Message.AuthorID != 0 || len(out.Message.Attachments) != 1 {
		t.Errorf("an anonymous sender's message: %v %+v", err, out.Message)
	}
}

// TestSupport checks every state and kind, a second support and the
// threshold.
func TestSupport(t *testing.T) {
	for _, kind := range FeedbackKinds {
		for _, from := range FeedbackStates {
			t.Run(fmt.Sprintf("%s/%s", kind, from), func(t *testing.T) {
				f := &Feedback{SchoolID: 1, Kind: kind, State: from, Supporters: 9}
				out, err := f.Support(8, false, 10)
				want := ""
				switch {
				case kind != KindRequest:
					want = ENOTFOUND
				case from == FeedbackClosed || from == FeedbackDeclined:
					want = ECONFLICT
				}
				if ErrorCode(err) != want {
					t.Fatalf("%v, want %q", err, want)
				}
				if err != nil {
					return
				}
				if !out.Changed || out.Case.Supporters != 10 || !out.Case.MustAnswerPublicly || !out.Touch || len(out.Events) != 1 ||
					out.Events[0].Type != EventFeedbackSupported || out.Events[0].Data["threshold_reached"] != true {
					t.Errorf("%+v", out)
				}
			})
		}
	}
	f := &Feedback{SchoolID: 1, Kind: KindRequest, State: FeedbackReceived, Supporters: 3}
	if out, err := f.Support(8, true, 10); err != nil || out.Changed || out.Case.Supporters != 3 || len(out.Events) != 0 {
		t.Errorf("a second support: %v %+v", err, out)
	}
	if _, err := f.Support(0, false, 10); ErrorCode(err) != EUNAUTHENTICATED {
		t.Errorf("support without a person: %v", err)
	}
	f.MustAnswerPublicly, f.Supporters = true, 12
	if out, _ := f.Support(8, false, 10); out.Events[0].Data["threshold_reached"] != false {
		t.Error("the threshold is reached a second time")
	}
}

// TestOpen checks opening a case: the item rules of objections, routing,
// the deadline, the thread's first entry and anonymity.
func TestOpen(t *testing.T) {
	cal := NewWorkCalendar(nil, []int{2026})
	inPublicity := &Disclosure{ID: 40, SchoolID: 1, State: StatePublished, Audience: AudiencePublic, PublicityDays: 5, PublicityEnd: stepNow.AddDate(0, 0, 2)}
	facts := func(d *Disclosure) NewFeedbackFacts {
		return NewFeedbackFacts{Now: stepNow, BureauID: 1, Item: d, ReplyDays: 5, Calendar: cal}
	}
	objection := func() *NewFeedback {
		return &NewFeedback{Kind: KindObjection, DisclosureID: 40, Subject: "异议", Body: "名单有误。"}
	}
	withItem := func(change func(*Disclosure)) *Disclosure {
		d := *inPublicity
		change(&d)
		return &d
	}
	tests := []struct {
		name  string
		nf    *NewFeedback
		facts NewFeedbackFacts
		code  string
		field string
		msg   string
	}{
		{"objection in the publicity period", objection(), facts(inPublicity), "", "", ""},
		{"objection to an unknown item", objection(), facts(nil), EINVALID, "disclosure", "所选公开事项不存在或尚未发布。"},
		{"objection to another school's item", objection(), facts(withItem(func(d *Disclosure) { d.SchoolID = 2 })), EINVALID, "disclosure", "所选公开事项不存在或尚未发布。"},
		{"objection to a draft", objection(), facts(withItem(func(d *Disclosure) { d.State = StateApproved })), EINVALID, "disclosure", "所选公开事项不存在或尚未发布。"},
		{"objection to a staff item by the public", objection(), facts(withItem(func(d *Disclosure) { d.Audience = AudienceStaff })), EINVALID, "disclosure", "所选公开事项不存在或尚未发布。"},
		{"objection to a withdrawn item", objection(), facts(withItem(func(d *Disclosure) { d.State = StateWithdrawn })), EINVALID, "disclosure", "该事项已撤回，不能再提出异议；如有意见请通过意见箱反映。"},
		{"objection without a period", objection(), facts(withItem(func(d *Disclosure) { d.PublicityDays = 0 })), EINVALID, "disclosure", "该事项没有设置公示期，不能提出异议；如有意见请通过意见箱反映。"},
		{"objection after the period", objection(), facts(withItem(func(d *Disclosure) { d.PublicityEnd = stepNow.AddDate(0, 0, -1) })), EINVALID, "disclosure", "该事项公示期已结束，不能再提出异议；如有意见请通过意见箱反映。"},
		{"an opinion about a closed item", &NewFeedback{Kind: KindOpinion, DisclosureID: 40, Subject: "意见", Body: "建议"},
			facts(withItem(func(d *Disclosure) { d.State, d.PublicityEnd = StateClosed, stepNow.AddDate(0, 0, -9) })), "", "", ""},
		{"the same text twice", &NewFeedback{Kind: KindOpinion, Subject: "意见", Body: "建议"}, NewFeedbackFacts{Now: stepNow, Duplicate: true, Calendar: cal}, ECONFLICT, "", ""},
		{"a report about staff without a name", &NewFeedback{Kind: KindReport, Subject: "举报", Body: "乱收费", About: SubjectStaff}, facts(nil), EINVALID, "about_name", "请填写被举报教职工的姓名。"},
		{"a report about nobody chosen", &NewFeedback{Kind: KindReport, Subject: "举报", Body: "乱收费", About: "-"}, facts(nil), EINVALID, "about", "请选择举报对象。"},
		{"too many files", &NewFeedback{Kind: KindOpinion, Subject: "意见", Body: "建议", Attachments: slices.Repeat([]Attachment{{Filename: "a.pdf", StorageKey: "k"}}, MaxFeedbackFiles+1)},
			facts(nil), EINVALID, "attachments", fmt.Sprintf("每次最多上传 %d 个附件。", MaxFeedbackFiles)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.nf.Open(1, &Actor{}, tt.facts)
			if ErrorCode(err) != tt.code || (tt.field != "" && ErrorFields(err)[tt.field] != tt.msg) {
				t.Fatalf("%v, want %s %s %s", err, tt.code, tt.field, tt.msg)
			}
			if err != nil {
				return
			}
			c := out.Case
			if c.State != FeedbackReceived || c.SchoolID != 1 || !c.Due.Equal(time.Date(2026, 3, 18, 0, 0, 0, 0, Beijing)) || out.DueRule.Workdays != 5 {
				t.Errorf("case %+v", c)
			}
			if out.Touch != (tt.nf.Kind == KindObjection) || len(out.Events) != 1 || out.Events[0].Type != EventFeedbackReceived {
				t.Errorf("touch %v events %+v", out.Touch, out.Events)
			}
		})
	}
	t.Run("anonymous: nothing of the sender is kept", func(t *testing.T) {
		sender := &Actor{User: User{ID: 8, DisplayName: "张家长"}, Memberships: []Membership{{SchoolID: 1, UserID: 8, Role: RoleParent}}}
		nf := &NewFeedback{Kind: KindReport, About: SubjectLeadership, Subject: "举报", Body: "乱收费", Anonymous: true, SenderID: 8,
			SenderName: "<b>张</b>\x00", Contact: "138", Email: "not an address"}
		out, err := nf.Open(1, sender, facts(nil))
		if err != nil {
			t.Fatal(err)
		}
		c := out.Case
		if c.SenderID != 0 || c.SenderName != "" || c.Contact != "" || c.Email != "" || out.Message.Author != SenderLabel || out.Message.AuthorID != 0 {
			t.Errorf("anonymous case keeps %+v / %+v", c, out.Message)
		}
		if !c.ToBureau || out.Events[0].Data["to_bureau"] != true {
			t.Error("a report about the leadership is not with the bureau")
		}
	})
	t.Run("named: the account's name in the thread", func(t *testing.T) {
		sender := &Actor{User: User{ID: 8, DisplayName: "张家长"}, Memberships: []Membership{{SchoolID: 1, UserID: 8, Role: RoleParent}}}
		nf := &NewFeedback{Kind: KindOpinion, Subject: "意见", Body: "建议", SenderID: 8}
		out, err := nf.Open(1, sender, facts(nil))
		if err != nil || out.Message.Author != "张家长" || out.Message.AuthorID != 8 || out.Events[0].Data["sender_id"] != int64(8) {
			t.Errorf("%v %+v", err, out.Message)
		}
	})
}
