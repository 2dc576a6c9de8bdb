package gongkai_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"gongkai"
)

func surveyFixture() *gongkai.Survey {
	return &gongkai.Survey{ID: 1, SchoolID: 1, Kind: gongkai.SurveySatisfaction, Title: "满意度测评", Audience: gongkai.SurveyForStaffParents,
		State: gongkai.SurveyDraft, OpensOn: day("2026-03-02"), ClosesOn: day("2026-03-13"),
		Questions: []gongkai.SurveyQuestion{
			{Kind: gongkai.QuestionRating, Text: "及时性", Required: true},
			{Kind: gongkai.QuestionSingle, Text: "是否答复", Options: []string{"是", "否"}, Required: true},
			{Kind: gongkai.QuestionMultiple, Text: "渠道", Options: []string{"网上", "公开栏", "家长会"}, MaxChoices: 2},
			{Kind: gongkai.QuestionText, Text: "建议"},
		}}
}

func TestSurvey_Validate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(s *gongkai.Survey)
		fields []string // the fields that must have a message; none for valid
	}{
		{"the fixture is valid", func(s *gongkai.Survey) {}, nil},
		{"the shipped default is valid", func(s *gongkai.Survey) { *s = *gongkai.DefaultSurvey(1, day("2026-03-02")) }, nil},
		{"title required, kind and audience known", func(s *gongkai.Survey) { s.Title, s.Kind, s.Audience = "  ", "x", "everyone" },
			[]string{"title", "kind", "audience"}},
		{"closing before opening", func(s *gongkai.Survey) { s.ClosesOn = day("2026-03-01") }, []string{"closes_on"}},
		{"no closing day", func(s *gongkai.Survey) { s.ClosesOn = time.Time{} }, []string{"closes_on"}},
		{"script in the title", func(s *gongkai.Survey) { s.Title = "<script>alert(1)</script>" }, []string{"title"}},
		{"a question without text", func(s *gongkai.Survey) { s.Questions[0].Text = "" }, []string{"q1_text"}},
		{"a choice with one option", func(s *gongkai.Survey) { s.Questions[1].Options = []string{"是", " "} }, []string{"q2_options"}},
		{"a repeated option", func(s *gongkai.Survey) { s.Questions[1].Options = []string{"是", "是"} }, []string{"q2_options"}},
		{"max choices over the options", func(s *gongkai.Survey) { s.Questions[2].MaxChoices = 4 }, []string{"q3_max"}},
		{"negative max choices", func(s *gongkai.Survey) { s.Questions[2].MaxChoices = -1 }, []string{"q3_max"}},
		{"a rating with options", func(s *gongkai.Survey) { s.Questions[0].Options = []string{"好"} }, []string{"q1_options"}},
		{"an unknown question kind", func(s *gongkai.Survey) { s.Questions[3].Kind = "essay" }, []string{"q4_kind"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := surveyFixture()
			tc.change(s)
			fields := gongkai.ErrorFields(s.Validate())
			for _, f := range tc.fields {
				if fields[f] == "" {
					t.Errorf("no message for %s (got %v)", f, fields)
				}
			}
			if len(fields) != len(tc.fields) {
				t.Errorf("messages %v, want only %v", fields, tc.fields)
			}
		})
	}
}

func TestSurvey_ValidateForOpen(t *testing.T) {
	s := surveyFixture()
	if err := s.ValidateForOpen(day("2026-03-02")); err != nil {
		t.Fatalf("complete survey: %v", err)
	}
	s.Questions = nil
	if f := gongkai.ErrorFields(s.ValidateForOpen(day("2026-03-02"))); f["questions"] == "" {
		t.Errorf("opening without questions: %v", f)
	}
	s = surveyFixture()
	if f := gongkai.ErrorFields(s.ValidateForOpen(day("2026-03-14"))); f["closes_on"] == "" {
		t.Errorf("opening after the last day: %v", f)
	}
}

func TestSurvey_Eligible(t *testing.T) {
	actor := func(roles ...gongkai.Role) *gongkai.Actor {
		a := &gongkai.Actor{User: gongkai.User{ID: 9}}
		for _, r := range roles {
			a.Memberships = append(a.Memberships, gongkai.Membership{SchoolID: 1, UserID: 9, Role: r})
		}
		return a
	}
	bureau := &gongkai.Actor{User: gongkai.User{ID: 8, BureauID: 5, BureauRole: gongkai.RoleBureauAdmin}}
	otherSchool := &gongkai.Actor{User: gongkai.User{ID: 7}, Memberships: []gongkai.Membership{{SchoolID: 2, UserID: 7, Role: gongkai.RoleParent}}}
	for _, tc := range []struct {
		aud  gongkai.SurveyAudience
		who  *gongkai.Actor
		want bool
	}{
		{gongkai.SurveyForStaff, actor(gongkai.RoleStaff), true},
		{gongkai.SurveyForStaff, actor(gongkai.RoleClerk), true},
		{gongkai.SurveyForStaff, actor(gongkai.RolePrincipal), true},
		{gongkai.SurveyForStaff, actor(gongkai.RoleParent), false},
		{gongkai.SurveyForRepresentatives, actor(gongkai.RoleStaff), false},
		{gongkai.SurveyForRepresentatives, actor(gongkai.RoleStaff, gongkai.RoleRepresentative), true},
		{gongkai.SurveyForParents, actor(gongkai.RoleParent), true},
		{gongkai.SurveyForParents, actor(gongkai.RoleSupervisor), false},
		{gongkai.SurveyForStaffParents, actor(gongkai.RoleParent), true},
		{gongkai.SurveyForStaffParents, actor(gongkai.RoleLeader), true},
		{gongkai.SurveyForStaffParents, bureau, false},
		{gongkai.SurveyForStaffParents, otherSchool, false},
		{gongkai.SurveyForStaffParents, &gongkai.Actor{}, false},
	} {
		s := surveyFixture()
		s.Audience = tc.aud
		if got := s.Eligible(tc.who); got != tc.want {
			t.Errorf("%s, roles %v: eligible %v, want %v", tc.aud, tc.who.Roles(1), got, tc.want)
		}
	}
}

func TestSurvey_StatusAndActions(t *testing.T) {
	supervisor := &gongkai.Actor{User: gongkai.User{ID: 3}, Memberships: []gongkai.Membership{{SchoolID: 1, UserID: 3, Role: gongkai.RoleSupervisor}}}
	leader := &gongkai.Actor{User: gongkai.User{ID: 4}, Memberships: []gongkai.Membership{{SchoolID: 1, UserID: 4, Role: gongkai.RoleLeader}}}
	parent := &gongkai.Actor{User: gongkai.User{ID: 5}, Memberships: []gongkai.Membership{{SchoolID: 1, UserID: 5, Role: gongkai.RoleParent}}}
	at := func(s string, h int) time.Time { return day(s).Add(time.Duration(h) * time.Hour) }
	for _, tc := range []struct {
		name       string
		state      gongkai.SurveyState
		closedAt   time.Time
		responses  int
		now        time.Time
		status     gongkai.SurveyStatus
		supervisor []gongkai.SurveyAction
		answer     string // error code of CanAnswer for the parent
	}{
		{"draft", gongkai.SurveyDraft, time.Time{}, 0, at("2026-03-02", 9), gongkai.SurveyStatusDraft,
			[]gongkai.SurveyAction{gongkai.SurveyEdit, gongkai.SurveyStart}, gongkai.ECONFLICT},
		{"opened before its first day", gongkai.SurveyOpen, time.Time{}, 0, at("2026-03-01", 20), gongkai.SurveyStatusScheduled,
			[]gongkai.SurveyAction{gongkai.SurveyFinish}, gongkai.ECONFLICT},
		{"open on its first day", gongkai.SurveyOpen, time.Time{}, 0, at("2026-03-02", 0), gongkai.SurveyStatusOpen,
			[]gongkai.SurveyAction{gongkai.SurveyFinish}, ""},
		{"open to the end of its last day", gongkai.SurveyOpen, time.Time{}, 0, at("2026-03-13", 23), gongkai.SurveyStatusOpen,
			[]gongkai.SurveyAction{gongkai.SurveyFinish}, ""},
		{"closed by its last day passing, enough responses", gongkai.SurveyOpen, time.Time{}, 5, at("2026-03-14", 0), gongkai.SurveyStatusClosed,
			[]gongkai.SurveyAction{gongkai.SurveyPublish}, gongkai.ECONFLICT},
		{"closed by hand, too few responses to publish", gongkai.SurveyClosed, at("2026-03-05", 10), 4, at("2026-03-05", 11), gongkai.SurveyStatusClosed,
			nil, gongkai.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := surveyFixture()
			s.State, s.ClosedAt, s.Responses = tc.state, tc.closedAt, tc.responses
			if got := s.Status(tc.now); got != tc.status {
				t.Errorf("status %s, want %s", got, tc.status)
			}
			if got := gongkai.AvailableSurveyActions(supervisor, s, tc.now); strings.Join(surveyActs(got), ",") != strings.Join(surveyActs(tc.supervisor), ",") {
				t.Errorf("supervisor may %v, want %v", got, tc.supervisor)
			}
			if got := gongkai.AvailableSurveyActions(leader, s, tc.now); len(got) != 0 {
				t.Errorf("a leader may %v, want nothing", got)
			}
			if code := gongkai.ErrorCode(s.CanAnswer(parent, tc.now)); code != tc.answer {
				t.Errorf("parent answering: %q, want %q", code, tc.answer)
			}
			if code := gongkai.ErrorCode(gongkai.AuthorizeSurvey(parent, s, gongkai.SurveyStart, tc.now)); code != gongkai.EFORBIDDEN {
				t.Errorf("parent opening: %q, want forbidden", code)
			}
		})
	}
	s := surveyFixture()
	s.DisclosureID, s.State, s.Responses = 9, gongkai.SurveyClosed, 10
	if code := gongkai.ErrorCode(gongkai.AuthorizeSurvey(supervisor, s, gongkai.SurveyPublish, at("2026-03-20", 0))); code != gongkai.ECONFLICT {
		t.Errorf("publishing twice: %q", code)
	}
	s.Audience = gongkai.SurveyForStaff
	s.State = gongkai.SurveyOpen
	if code := gongkai.ErrorCode(s.CanAnswer(parent, at("2026-03-03", 0))); code != gongkai.EFORBIDDEN {
		t.Errorf("a parent answering a staff survey: %q, want forbidden", code)
	}
}

func surveyActs(as []gongkai.SurveyAction) []string {
	var out []string
	for _, a := range as {
		out = append(out, string(a))
	}
	return out
}

func TestSurvey_ValidateAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     []gongkai.SurveyAnswer
		fields []string
		kept   int
	}{
		{"all answered", []gongkai.SurveyAnswer{{Position: 1, Choices: []int{5}}, {Position: 2, Choices: []int{1}}, {Position: 3, Choices: []int{1, 3}}, {Position: 4, Text: " 很好 "}}, nil, 4},
		{"optional ones left out", []gongkai.SurveyAnswer{{Position: 1, Choices: []int{3}}, {Position: 2, Choices: []int{2}}}, nil, 2},
		{"required missing", []gongkai.SurveyAnswer{{Position: 3, Choices: []int{1}}}, []string{"q1", "q2"}, 0},
		{"rating out of range", []gongkai.SurveyAnswer{{Position: 1, Choices: []int{6}}, {Position: 2, Choices: []int{1}}}, []string{"q1"}, 0},
		{"two choices on a single", []gongkai.SurveyAnswer{{Position: 1, Choices: []int{1}}, {Position: 2, Choices: []int{1, 2}}}, []string{"q2"}, 0},
		{"over the max of a multiple", []gongkai.SurveyAnswer{{Position: 1, Choices: []int{1}}, {Position: 2, Choices: []int{1}}, {Position: 3, Choices: []int{1, 2, 3}}}, []string{"q3"}, 0},
		{"a repeated choice", []gongkai.SurveyAnswer{{Position: 1, Choices: []int{1}}, {Position: 2, Choices: []int{1}}, {Position: 3, Choices: []int{2, 2}}}, []string{"q3"}, 0},
		{"no such question", []gongkai.SurveyAnswer{{Position: 1, Choices: []int{1}}, {Position: 2, Choices: []int{1}}, {Position: 9, Choices: []int{1}}}, []string{"answers"}, 0},
		{"script in the text", []gongkai.SurveyAnswer{{Position: 1, Choices: []int{1}}, {Position: 2, Choices: []int{1}}, {Position: 4, Text: "<script>x</script>"}}, []string{"q4"}, 0},
		{"too long a text", []gongkai.SurveyAnswer{{Position: 1, Choices: []int{1}}, {Position: 2, Choices: []int{1}}, {Position: 4, Text: strings.Repeat("长", gongkai.MaxSurveyTextAnswer+1)}}, []string{"q4"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := surveyFixture()
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			out, err := s.ValidateAnswers(tc.in)
			fields := gongkai.ErrorFields(err)
			for _, f := range tc.fields {
				if fields[f] == "" {
					t.Errorf("no message for %s (got %v)", f, fields)
				}
			}
			if len(fields) != len(tc.fields) {
				t.Errorf("messages %v, want %v", fields, tc.fields)
			}
			if len(out) != tc.kept {
				t.Errorf("kept %d answers, want %d", len(out), tc.kept)
			}
			for _, a := range out {
				if a.Text != strings.TrimSpace(a.Text) {
					t.Errorf("text %q not trimmed", a.Text)
				}
			}
		})
	}
}

func TestSurvey_TallyAndMarkdown(t *testing.T) {
	s := surveyFixture()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	// Six responses: ratings 5,5,4,3,2,(none); q2 yes ×4, no ×2; q3 网上 ×3,
	// 家长会 ×2 from four people.
	tallies := []gongkai.SurveyTally{
		{Position: 1, Choice: 5, N: 2}, {Position: 1, Choice: 4, N: 1}, {Position: 1, Choice: 3, N: 1}, {Position: 1, Choice: 2, N: 1},
		{Position: 2, Choice: 1, N: 4}, {Position: 2, Choice: 2, N: 2},
		{Position: 3, Choice: 1, N: 3}, {Position: 3, Choice: 3, N: 2},
	}
	r := s.Tally(6, 12, tallies, map[int]int{1: 5, 2: 6, 3: 4, 4: 2}, map[int][]string{4: {"甲", "乙"}})
	if !r.Shown() || r.Rate() != 50 {
		t.Errorf("shown %v, rate %v", r.Shown(), r.Rate())
	}
	// Mean rating (5+5+4+3+2)/5 = 3.8 → (3.8-1)/4·100 = 70.
	if math.Abs(r.Score-70) > 1e-9 || math.Abs(r.Questions[0].Mean-3.8) > 1e-9 {
		t.Errorf("score %v, mean %v; want 70 and 3.8", r.Score, r.Questions[0].Mean)
	}
	q1 := r.Questions[0]
	if len(q1.Options) != 5 || q1.Options[0].Label != "满意" || q1.Options[0].N != 2 || q1.Options[0].Percent != 40 || q1.Options[4].N != 0 {
		t.Errorf("rating options %+v", q1.Options)
	}
	if o := r.Questions[1].Options; math.Abs(o[0].Percent-400.0/6) > 1e-9 || o[1].N != 2 {
		t.Errorf("single options %+v", o)
	}
	if o := r.Questions[2].Options; o[0].Percent != 75 || o[1].N != 0 || o[2].Percent != 50 {
		t.Errorf("multiple options %+v (shares of the 4 who answered)", o)
	}
	md := s.ResultsMarkdown(r)
	for _, want := range []string{"| 实收答卷 | 6 |", "| 参评率 | 50.0% |", "| 综合满意度得分（满分100） | 70.0 |", "| 满意 | 2 | 40.0% |", "| 网上 | 3 | 75.0% |", "共收到文字意见 2 条"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "甲") {
		t.Errorf("the markdown publishes a free text word for word")
	}
	if few := s.Tally(4, 12, nil, nil, nil); few.Shown() || few.Score != -1 {
		t.Errorf("4 responses shown %v, score %v", few.Shown(), few.Score)
	}
}
