package gongkai_test

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gongkai"
)

// feedbackProcedure is the handling procedure of DESIGN.md ("received →
// assigned → replied → (rectification planned → done) → closed, or
// declined with a reason") written out by hand as the legal staff steps,
// independent of the table in feedback.go.
var feedbackProcedure = map[gongkai.FeedbackState]map[gongkai.FeedbackAction]gongkai.FeedbackState{
	gongkai.FeedbackReceived: {
		gongkai.FActAssign: gongkai.FeedbackAssigned, gongkai.FActReply: gongkai.FeedbackReplied, gongkai.FActDecline: gongkai.FeedbackDeclined,
	},
	gongkai.FeedbackAssigned: {
		gongkai.FActAssign: gongkai.FeedbackAssigned, gongkai.FActReply: gongkai.FeedbackReplied, gongkai.FActDecline: gongkai.FeedbackDeclined,
	},
	gongkai.FeedbackReplied: {
		gongkai.FActReply: gongkai.FeedbackReplied, gongkai.FActRectify: gongkai.FeedbackRectifying, gongkai.FActClose: gongkai.FeedbackClosed,
	},
	gongkai.FeedbackRectifying: {
		gongkai.FActReply: gongkai.FeedbackRectifying, gongkai.FActRectified: gongkai.FeedbackRectified,
	},
	gongkai.FeedbackRectified: {
		gongkai.FActReply: gongkai.FeedbackRectified, gongkai.FActClose: gongkai.FeedbackClosed,
	},
	gongkai.FeedbackClosed:   {},
	gongkai.FeedbackDeclined: {},
}

var allFeedbackActions = []gongkai.FeedbackAction{gongkai.FActAssign, gongkai.FActReply, gongkai.FActRectify, gongkai.FActRectified,
	gongkai.FActClose, gongkai.FActDecline, gongkai.FActNote, gongkai.FActPublishQA, gongkai.FActEscalate, gongkai.FActMessage, gongkai.FActRate}

func TestNextFeedback_everyStateAndAction(t *testing.T) {
	if len(feedbackProcedure) != len(gongkai.FeedbackStates) {
		t.Fatalf("the test knows %d states, the domain %d", len(feedbackProcedure), len(gongkai.FeedbackStates))
	}
	for _, from := range gongkai.FeedbackStates {
		for _, a := range allFeedbackActions {
			t.Run(string(from)+"/"+string(a), func(t *testing.T) {
				to, err := gongkai.NextFeedback(from, a)
				want, legal := feedbackProcedure[from][a]
				if a == gongkai.FActNote || a == gongkai.FActPublishQA {
					// Notes and the public Q&A never change the state.
					want, legal = from, true
				}
				if legal {
					if err != nil || to != want {
						t.Fatalf("got %q, %v; want %q", to, err, want)
					}
					return
				}
				if gongkai.ErrorCode(err) != gongkai.ECONFLICT {
					t.Fatalf("got %q, %v; want a conflict", to, err)
				}
				if msg := gongkai.ErrorMessage(err); !strings.Contains(msg, from.Label()) {
					t.Errorf("message %q does not name the state %s", msg, from.Label())
				}
			})
		}
	}
}

func TestFeedbackState_openAndAnswered(t *testing.T) {
	open := map[gongkai.FeedbackState]bool{gongkai.FeedbackReceived: true, gongkai.FeedbackAssigned: true, gongkai.FeedbackRectifying: true}
	answered := map[gongkai.FeedbackState]bool{gongkai.FeedbackReplied: true, gongkai.FeedbackRectifying: true, gongkai.FeedbackRectified: true,
		gongkai.FeedbackClosed: true, gongkai.FeedbackDeclined: true}
	for _, s := range gongkai.FeedbackStates {
		if s.Open() != open[s] {
			t.Errorf("%s: Open() = %v", s, s.Open())
		}
		f := &gongkai.Feedback{State: s}
		if f.Answered() != answered[s] || f.CanRate() != answered[s] {
			t.Errorf("%s: Answered() = %v, CanRate() = %v", s, f.Answered(), f.CanRate())
		}
		if s.Label() == string(s) {
			t.Errorf("%s has no Chinese label", s)
		}
	}
	for _, k := range gongkai.FeedbackKinds {
		if gongkai.DefaultReplyDays[k] == 0 || k.Label() == string(k) {
			t.Errorf("kind %s: %d days, label %q", k, gongkai.DefaultReplyDays[k], k.Label())
		}
	}
	want := map[gongkai.FeedbackKind]int{"objection": 5, "opinion": 5, "mailbox": 5, "report": 15, "request": 15}
	for k, d := range want {
		if gongkai.DefaultReplyDays[k] != d {
			t.Errorf("default deadline of %s: %d, want %d", k, gongkai.DefaultReplyDays[k], d)
		}
	}
}

// people of the permission matrix. School 1 and 2 belong to bureau 10;
// bureau 20 is another county.
const (
	fbSchool      = 1
	fbOtherSchool = 2
	fbBureau      = 10
)

func fbPeople() map[string]*gongkai.Actor {
	member := func(id int64, school int64, roles ...gongkai.Role) *gongkai.Actor {
		a := &gongkai.Actor{User: gongkai.User{ID: id, DisplayName: "x"}}
		for _, r := range roles {
			a.Memberships = append(a.Memberships, gongkai.Membership{SchoolID: school, UserID: id, Role: r})
		}
		return a
	}
	bureau := func(id, bureau int64, r gongkai.Role) *gongkai.Actor {
		return &gongkai.Actor{User: gongkai.User{ID: id, BureauID: bureau, BureauRole: r}}
	}
	return map[string]*gongkai.Actor{
		"principal":       member(1, fbSchool, gongkai.RolePrincipal),
		"leader":          member(2, fbSchool, gongkai.RoleLeader),
		"supervisor":      member(3, fbSchool, gongkai.RoleSupervisor),
		"supervisor2":     member(4, fbSchool, gongkai.RoleSupervisor, gongkai.RoleStaff),
		"clerk":           member(5, fbSchool, gongkai.RoleClerk),
		"clerkAssigned":   member(6, fbSchool, gongkai.RoleClerk),
		"staff":           member(7, fbSchool, gongkai.RoleStaff),
		"representative":  member(8, fbSchool, gongkai.RoleRepresentative),
		"parent":          member(9, fbSchool, gongkai.RoleParent),
		"otherPrincipal":  member(11, fbOtherSchool, gongkai.RolePrincipal),
		"otherSupervisor": member(12, fbOtherSchool, gongkai.RoleSupervisor),
		"bureauAdmin":     bureau(21, fbBureau, gongkai.RoleBureauAdmin),
		"inspector":       bureau(22, fbBureau, gongkai.RoleInspector),
		"foreignAdmin":    bureau(23, 20, gongkai.RoleBureauAdmin),
		"anonymous":       {},
	}
}

func TestFeedback_handleAndSeeMatrix(t *testing.T) {
	people := fbPeople()
	sups := []string{"supervisor", "supervisor2"}
	join := func(lists ...[]string) []string {
		var out []string
		for _, l := range lists {
			out = append(out, l...)
		}
		return out
	}
	tests := []struct {
		name   string
		f      gongkai.Feedback
		handle []string
		see    []string
	}{
		{"opinion, not assigned", gongkai.Feedback{Kind: gongkai.KindOpinion},
			[]string{"principal", "leader", "bureauAdmin"},
			join([]string{"principal", "leader", "bureauAdmin", "inspector"}, sups)},
		{"mailbox assigned to a clerk", gongkai.Feedback{Kind: gongkai.KindMailbox, AssigneeID: 6},
			[]string{"principal", "leader", "clerkAssigned", "bureauAdmin"},
			join([]string{"principal", "leader", "clerkAssigned", "bureauAdmin", "inspector"}, sups)},
		{"report on the school's affairs", gongkai.Feedback{Kind: gongkai.KindReport},
			join([]string{"bureauAdmin"}, sups),
			join([]string{"bureauAdmin", "inspector"}, sups)},
		{"report assigned to a clerk gives the clerk nothing", gongkai.Feedback{Kind: gongkai.KindReport, AssigneeID: 6},
			join([]string{"bureauAdmin"}, sups),
			join([]string{"bureauAdmin", "inspector"}, sups)},
		{"report about a supervisor", gongkai.Feedback{Kind: gongkai.KindReport, About: gongkai.SubjectStaff, AboutUserID: 4},
			[]string{"supervisor", "bureauAdmin"},
			[]string{"supervisor", "bureauAdmin", "inspector"}},
		{"report about a clerk who was assigned it", gongkai.Feedback{Kind: gongkai.KindReport, About: gongkai.SubjectStaff, AboutUserID: 6, AssigneeID: 6},
			join([]string{"bureauAdmin"}, sups),
			join([]string{"bureauAdmin", "inspector"}, sups)},
		{"report about the leadership", gongkai.Feedback{Kind: gongkai.KindReport, About: gongkai.SubjectLeadership, ToBureau: true},
			[]string{"bureauAdmin"},
			[]string{"bureauAdmin", "inspector"}},
		{"report about the principal by name", gongkai.Feedback{Kind: gongkai.KindReport, About: gongkai.SubjectLeadership, ToBureau: true, AboutUserID: 1},
			[]string{"bureauAdmin"},
			[]string{"bureauAdmin", "inspector"}},
		{"escalated opinion that a clerk handled", gongkai.Feedback{Kind: gongkai.KindOpinion, Escalated: true, ToBureau: true, AssigneeID: 6},
			[]string{"bureauAdmin"},
			join([]string{"bureauAdmin", "inspector", "principal", "leader", "clerkAssigned"}, sups)},
		{"escalated report", gongkai.Feedback{Kind: gongkai.KindReport, Escalated: true, ToBureau: true},
			[]string{"bureauAdmin"},
			join([]string{"bureauAdmin", "inspector"}, sups)},
		{"escalated report about a supervisor", gongkai.Feedback{Kind: gongkai.KindReport, Escalated: true, ToBureau: true, AboutUserID: 3},
			[]string{"bureauAdmin"},
			[]string{"supervisor2", "bureauAdmin", "inspector"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.SchoolID = fbSchool
			var handle, see []string
			for name, a := range people {
				if gongkai.CanHandleFeedback(a, fbBureau, &f) {
					handle = append(handle, name)
				}
				if gongkai.CanSeeFeedback(a, fbBureau, &f) {
					see = append(see, name)
				}
			}
			sort.Strings(handle)
			sort.Strings(see)
			want := slices.Clone(tt.handle)
			sort.Strings(want)
			if !slices.Equal(handle, want) {
				t.Errorf("handle: %v, want %v", handle, want)
			}
			want = slices.Clone(tt.see)
			sort.Strings(want)
			if !slices.Equal(see, want) {
				t.Errorf("see: %v, want %v", see, want)
			}
			for _, name := range handle {
				if !slices.Contains(see, name) {
					t.Errorf("%s handles a case they cannot see", name)
				}
			}
		})
	}
}

func TestFeedback_canBeAssigned(t *testing.T) {
	p := fbPeople()
	tests := []struct {
		name string
		f    gongkai.Feedback
		to   string
		want bool
	}{
		{"opinion to a clerk", gongkai.Feedback{Kind: gongkai.KindOpinion}, "clerk", true},
		{"opinion to a teacher", gongkai.Feedback{Kind: gongkai.KindOpinion}, "staff", true},
		{"opinion to a parent", gongkai.Feedback{Kind: gongkai.KindOpinion}, "parent", false},
		{"opinion to another school's principal", gongkai.Feedback{Kind: gongkai.KindOpinion}, "otherPrincipal", false},
		{"report to a clerk", gongkai.Feedback{Kind: gongkai.KindReport}, "clerk", false},
		{"report to a supervisor", gongkai.Feedback{Kind: gongkai.KindReport}, "supervisor", true},
		{"report to the supervisor it is about", gongkai.Feedback{Kind: gongkai.KindReport, AboutUserID: 3}, "supervisor", false},
		{"escalated case to a clerk", gongkai.Feedback{Kind: gongkai.KindOpinion, Escalated: true, ToBureau: true}, "clerk", false},
		{"escalated case to the principal", gongkai.Feedback{Kind: gongkai.KindOpinion, Escalated: true, ToBureau: true}, "principal", false},
		{"escalated case to the bureau admin", gongkai.Feedback{Kind: gongkai.KindOpinion, Escalated: true, ToBureau: true}, "bureauAdmin", true},
		{"leadership report to an inspector", gongkai.Feedback{Kind: gongkai.KindReport, About: gongkai.SubjectLeadership, ToBureau: true}, "inspector", false},
		{"anyone to nobody", gongkai.Feedback{Kind: gongkai.KindOpinion}, "anonymous", false},
	}
	for _, tt := range tests {
		f := tt.f
		f.SchoolID = fbSchool
		if got := gongkai.CanBeAssigned(p[tt.to], fbBureau, &f); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFeedback_availableActions(t *testing.T) {
	p := fbPeople()
	f := &gongkai.Feedback{SchoolID: fbSchool, Kind: gongkai.KindOpinion, State: gongkai.FeedbackReplied}
	got := gongkai.AvailableFeedbackActions(p["principal"], fbBureau, f)
	want := []gongkai.FeedbackAction{gongkai.FActReply, gongkai.FActRectify, gongkai.FActClose, gongkai.FActNote, gongkai.FActPublishQA}
	if !slices.Equal(got, want) {
		t.Errorf("principal on a replied opinion: %v, want %v", got, want)
	}
	if got := gongkai.AvailableFeedbackActions(p["supervisor"], fbBureau, f); !slices.Equal(got, []gongkai.FeedbackAction{gongkai.FActNote}) {
		t.Errorf("supervisor watching an opinion: %v, want only a note", got)
	}
	if got := gongkai.AvailableFeedbackActions(p["inspector"], fbBureau, f); len(got) != 0 {
		t.Errorf("inspector: %v, want nothing", got)
	}
	f.State = gongkai.FeedbackReceived
	got = gongkai.AvailableFeedbackActions(p["leader"], fbBureau, f)
	want = []gongkai.FeedbackAction{gongkai.FActAssign, gongkai.FActReply, gongkai.FActDecline, gongkai.FActNote}
	if !slices.Equal(got, want) {
		t.Errorf("leader on a new opinion: %v, want %v", got, want)
	}
}

func TestFeedback_validate(t *testing.T) {
	ok := func() gongkai.Feedback {
		return gongkai.Feedback{Kind: gongkai.KindOpinion, Subject: "食堂饭菜偏咸", Body: "近两周午餐的菜普遍偏咸，孩子回家说吃不下。"}
	}
	tests := []struct {
		name   string
		edit   func(f *gongkai.Feedback)
		fields []string // expected fields with errors; none for valid input
	}{
		{"valid", func(f *gongkai.Feedback) {}, nil},
		{"valid with line breaks and tabs", func(f *gongkai.Feedback) { f.Body = "第一条：\r\n\t菜偏咸。\n第二条：分量少。" }, nil},
		{"empty", func(f *gongkai.Feedback) { f.Subject, f.Body = "  ", "\n\n" }, []string{"body", "subject"}},
		{"unknown kind", func(f *gongkai.Feedback) { f.Kind = "complaint" }, []string{"kind"}},
		{"body of 20,000 characters", func(f *gongkai.Feedback) { f.Body = strings.Repeat("饭", gongkai.MaxFeedbackBody) }, nil},
		{"body over 20,000 characters", func(f *gongkai.Feedback) { f.Body = strings.Repeat("饭", gongkai.MaxFeedbackBody+1) }, []string{"body"}},
		{"subject over 100 characters", func(f *gongkai.Feedback) { f.Subject = strings.Repeat("题", 101) }, []string{"subject"}},
		{"NUL in the body", func(f *gongkai.Feedback) { f.Body = "正文\x00后半" }, []string{"body"}},
		{"binary in the body", func(f *gongkai.Feedback) { f.Body = "PK\x03\x04\x14\x00\x06\x00" }, []string{"body"}},
		{"control character in the subject", func(f *gongkai.Feedback) { f.Subject = "主题\x1b[31m" }, []string{"subject"}},
		{"line break in the subject", func(f *gongkai.Feedback) { f.Subject = "主题\n第二行" }, []string{"subject"}},
		{"broken UTF-8", func(f *gongkai.Feedback) { f.Body = "正文\xff\xfe" }, []string{"body"}},
		{"script in the body", func(f *gongkai.Feedback) { f.Body = "意见<script>alert(1)</script>" }, []string{"body"}},
		{"event handler in the subject", func(f *gongkai.Feedback) { f.Subject = `<img src=x onerror="alert(1)">` }, []string{"subject"}},
		{"javascript link", func(f *gongkai.Feedback) { f.Body = "请看 JavaScript:alert(1)" }, []string{"body"}},
		{"angle brackets in plain text are fine", func(f *gongkai.Feedback) { f.Body = "分数 <60 的同学补考，>90 的评优。" }, nil},
		{"objection without an item", func(f *gongkai.Feedback) { f.Kind = gongkai.KindObjection }, []string{"disclosure"}},
		{"objection with an item", func(f *gongkai.Feedback) { f.Kind, f.DisclosureID = gongkai.KindObjection, 3 }, nil},
		{"bad e-mail", func(f *gongkai.Feedback) { f.Email = "not an address" }, []string{"email"}},
		{"long name", func(f *gongkai.Feedback) { f.SenderName = strings.Repeat("名", 41) }, []string{"name"}},
		{"unknown report subject", func(f *gongkai.Feedback) { f.Kind, f.About = gongkai.KindReport, "janitor" }, []string{"about"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ok()
			tt.edit(&f)
			err := f.Validate()
			var got []string
			for k := range gongkai.ErrorFields(err) {
				got = append(got, k)
			}
			sort.Strings(got)
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("valid input refused: %v", err)
				}
				return
			}
			if gongkai.ErrorCode(err) != gongkai.EINVALID || !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v (%v), want %v", got, err, tt.fields)
			}
		})
	}

	t.Run("trims and normalises line ends", func(t *testing.T) {
		f := ok()
		f.Subject, f.Body = "  食堂  ", "\r\n第一行\r\n第二行  "
		if err := f.Validate(); err != nil || f.Subject != "食堂" || f.Body != "第一行\n第二行" {
			t.Fatalf("%q %q %v", f.Subject, f.Body, err)
		}
	})
	t.Run("anonymous clears identity", func(t *testing.T) {
		f := ok()
		f.Anonymous, f.SenderID, f.SenderName, f.Contact, f.Email = true, 42, "王某", "13800000000", "wang@example.com"
		if err := f.Validate(); err != nil {
			t.Fatal(err)
		}
		if f.SenderID != 0 || f.SenderName != "" || f.Contact != "" || f.Email != "" {
			t.Fatalf("identity kept: %d %q %q %q", f.SenderID, f.SenderName, f.Contact, f.Email)
		}
	})
	t.Run("whom a report is about only on reports", func(t *testing.T) {
		f := ok()
		f.About, f.AboutName = gongkai.SubjectLeadership, "某校长"
		if err := f.Validate(); err != nil || f.About != gongkai.SubjectGeneral || f.AboutName != "" || f.RoutesToBureau() {
			t.Fatalf("opinion kept about=%q %q (%v)", f.About, f.AboutName, err)
		}
		f.Kind, f.About = gongkai.KindReport, gongkai.SubjectLeadership
		if err := f.Validate(); err != nil || !f.RoutesToBureau() {
			t.Fatalf("report about the leadership does not go to the bureau (%v)", err)
		}
	})
}

func TestCheckFeedbackText(t *testing.T) {
	if err := gongkai.CheckFeedbackText("comment", "", true, 10); gongkai.ErrorFields(err)["comment"] == "" {
		t.Errorf("required empty: %v", err)
	}
	if err := gongkai.CheckFeedbackText("comment", "", false, 10); err != nil {
		t.Errorf("optional empty: %v", err)
	}
	if err := gongkai.CheckFeedbackText("comment", strings.Repeat("字", 11), true, 10); gongkai.ErrorCode(err) != gongkai.EINVALID {
		t.Errorf("too long: %v", err)
	}
	if err := gongkai.CheckFeedbackText("comment", "经核查，\n情况属实。", true, 10); err != nil {
		t.Errorf("plain reply refused: %v", err)
	}
	if err := gongkai.CheckFeedbackText("comment", "a\x00b", true, 10); gongkai.ErrorCode(err) != gongkai.EINVALID {
		t.Errorf("NUL: %v", err)
	}
}

// TestFeedback_deadlines computes reply deadlines the way the store does —
// n working days after the day of receipt, which does not count — across
// the 2026 holidays and their 调休 working weekends.
func TestFeedback_deadlines(t *testing.T) {
	cal := testCalendar(t)
	tests := []struct {
		name        string
		received    string
		days        int
		due         string
		provisional bool
	}{
		// 国庆节: 10-01..07 off; Saturday 10-10 is worked.
		{"objection before National Day", "2026-09-30 16:20", 5, "2026-10-13", false},
		// 春节: 02-15..23 off; Saturdays 02-14 and 02-28 are worked.
		{"report before the Spring Festival", "2026-02-13 09:00", 15, "2026-03-12", false},
		{"the 调休 Saturday after a Friday counts", "2026-02-13 17:59", 1, "2026-02-14", false},
		{"received on a 调休 Saturday", "2026-02-14 10:00", 1, "2026-02-24", false},
		{"received on a holiday", "2026-10-03 11:00", 5, "2026-10-13", false},
		{"received late at night counts by Beijing date", "2026-03-02 23:59", 5, "2026-03-09", false},
		{"mailbox letter on a Friday", "2026-03-06 12:00", 5, "2026-03-13", false},
		{"due in 2027, whose schedule is not loaded", "2026-12-30 10:00", 5, "2027-01-07", true},
		{"request of 15 days into 2027", "2026-12-20 10:00", 15, "2027-01-11", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, prov := cal.AddWorkdays(mustDate(t, tt.received), tt.days)
			if got := due.Format("2006-01-02"); got != tt.due || prov != tt.provisional {
				t.Fatalf("due %s provisional %v, want %s %v", got, prov, tt.due, tt.provisional)
			}
		})
	}
	// A received time given in UTC is counted by its Beijing date.
	utc := time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC) // 2026-10-01 01:00 in Beijing
	if due, _ := cal.AddWorkdays(utc, 1); due.Format("2006-01-02") != "2026-10-08" {
		t.Errorf("UTC evening of 09-30 is 10-01 in Beijing: due %s, want 2026-10-08", due.Format("2006-01-02"))
	}
}

func TestFeedback_overdue(t *testing.T) {
	due := mustDate(t, "2026-10-13")
	tests := []struct {
		state gongkai.FeedbackState
		now   string
		want  bool
	}{
		{gongkai.FeedbackReceived, "2026-10-13 23:59", false},
		{gongkai.FeedbackReceived, "2026-10-14 00:00", true},
		{gongkai.FeedbackAssigned, "2026-10-20 09:00", true},
		{gongkai.FeedbackReplied, "2026-10-20 09:00", false},
		{gongkai.FeedbackClosed, "2026-10-20 09:00", false},
		{gongkai.FeedbackDeclined, "2026-10-20 09:00", false},
	}
	for _, tt := range tests {
		f := &gongkai.Feedback{State: tt.state, Due: due}
		if got := f.Overdue(mustDate(t, tt.now)); got != tt.want {
			t.Errorf("%s at %s: overdue %v, want %v", tt.state, tt.now, got, tt.want)
		}
	}
	r := &gongkai.Feedback{State: gongkai.FeedbackRectifying, Due: due, RectifyDue: mustDate(t, "2026-11-30")}
	if r.Overdue(mustDate(t, "2026-11-30 18:00")) || !r.Overdue(mustDate(t, "2026-12-01 08:00")) {
		t.Errorf("a rectification is overdue after its own deadline")
	}
	if (&gongkai.Feedback{State: gongkai.FeedbackReceived}).Overdue(mustDate(t, "2030-01-01")) {
		t.Errorf("a case without a deadline is never overdue")
	}
}

func TestFeedback_escalation(t *testing.T) {
	now := mustDate(t, "2026-10-20 09:00")
	past, future := mustDate(t, "2026-10-13"), mustDate(t, "2026-10-27")
	tests := []struct {
		name string
		f    gongkai.Feedback
		ok   bool
	}{
		{"overdue without a reply", gongkai.Feedback{Kind: gongkai.KindOpinion, State: gongkai.FeedbackAssigned, Due: past}, true},
		{"within the deadline", gongkai.Feedback{Kind: gongkai.KindOpinion, State: gongkai.FeedbackAssigned, Due: future}, false},
		{"replied, satisfied", gongkai.Feedback{Kind: gongkai.KindOpinion, State: gongkai.FeedbackReplied, Due: past, Rating: gongkai.RatingSatisfied}, false},
		{"replied, not rated", gongkai.Feedback{Kind: gongkai.KindOpinion, State: gongkai.FeedbackReplied, Due: past}, false},
		{"replied, unsatisfied", gongkai.Feedback{Kind: gongkai.KindOpinion, State: gongkai.FeedbackReplied, Due: future, Rating: gongkai.RatingUnsatisfied}, true},
		{"closed, unsatisfied", gongkai.Feedback{Kind: gongkai.KindMailbox, State: gongkai.FeedbackClosed, Rating: gongkai.RatingUnsatisfied}, true},
		{"declined, unsatisfied", gongkai.Feedback{Kind: gongkai.KindRequest, State: gongkai.FeedbackDeclined, Rating: gongkai.RatingUnsatisfied}, true},
		{"rectification overdue", gongkai.Feedback{Kind: gongkai.KindOpinion, State: gongkai.FeedbackRectifying, Due: past, RectifyDue: past}, true},
		{"already escalated", gongkai.Feedback{Kind: gongkai.KindOpinion, State: gongkai.FeedbackAssigned, Due: past, Escalated: true, ToBureau: true}, false},
		{"report about the leadership is with the bureau already", gongkai.Feedback{Kind: gongkai.KindReport, About: gongkai.SubjectLeadership, ToBureau: true, State: gongkai.FeedbackAssigned, Due: past}, false},
	}
	for _, tt := range tests {
		err := tt.f.CanEscalate(now)
		if tt.ok && err != nil {
			t.Errorf("%s: %v, want allowed", tt.name, err)
		}
		if !tt.ok && gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("%s: %v, want a conflict with the reason", tt.name, err)
		}
	}
	reopen := map[gongkai.FeedbackState]gongkai.FeedbackState{
		gongkai.FeedbackReceived: gongkai.FeedbackReceived, gongkai.FeedbackAssigned: gongkai.FeedbackAssigned,
		gongkai.FeedbackReplied: gongkai.FeedbackReceived, gongkai.FeedbackRectifying: gongkai.FeedbackRectifying,
		gongkai.FeedbackRectified: gongkai.FeedbackReceived, gongkai.FeedbackClosed: gongkai.FeedbackReceived, gongkai.FeedbackDeclined: gongkai.FeedbackReceived,
	}
	for from, want := range reopen {
		if got := gongkai.EscalatedState(from); got != want {
			t.Errorf("escalated from %s: %s, want %s", from, got, want)
		}
	}
}

func TestFeedback_senderView(t *testing.T) {
	f := &gongkai.Feedback{Kind: gongkai.KindReport, AboutUserID: 5, AssigneeID: 3, AssigneeName: "监督员", Messages: []gongkai.FeedbackMessage{
		{Body: "原文"}, {Action: gongkai.FActNote, FromStaff: true, Body: "内部：已约谈", Internal: true}, {Action: gongkai.FActReply, FromStaff: true, Body: "答复"},
	}}
	v := f.SenderView()
	if len(v.Messages) != 2 || v.Messages[1].Body != "答复" || v.AboutUserID != 0 || v.AssigneeID != 0 || v.AssigneeName != "" {
		t.Fatalf("sender view: %+v", v)
	}
	if len(f.Messages) != 3 || f.AboutUserID != 5 {
		t.Fatalf("the case itself changed")
	}
}
