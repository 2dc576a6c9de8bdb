package gongkai_test

import (
	"strings"
	"testing"
	"time"

	"gongkai"
)

// surveyCase is a survey in one status at one moment.
type surveyCase struct {
	name      string
	state     gongkai.SurveyState
	responses int
	published bool // its results have a disclosure
	now       time.Time
	status    gongkai.SurveyStatus
}

func surveyCases() []surveyCase {
	at := func(s string, h int) time.Time { return day(s).Add(time.Duration(h) * time.Hour) }
	return []surveyCase{
		{"draft", gongkai.SurveyDraft, 0, false, at("2026-03-01", 10), gongkai.SurveyStatusDraft},
		{"scheduled", gongkai.SurveyOpen, 0, false, at("2026-03-01", 10), gongkai.SurveyStatusScheduled},
		{"open", gongkai.SurveyOpen, 3, false, at("2026-03-05", 10), gongkai.SurveyStatusOpen},
		{"closed", gongkai.SurveyOpen, gongkai.MinSurveyResponses, false, at("2026-03-20", 10), gongkai.SurveyStatusClosed},
		{"closed, too few", gongkai.SurveyClosed, gongkai.MinSurveyResponses - 1, false, at("2026-03-20", 10), gongkai.SurveyStatusClosed},
		{"published", gongkai.SurveyClosed, 10, true, at("2026-03-20", 10), gongkai.SurveyStatusClosed},
	}
}

func (c surveyCase) survey() *gongkai.Survey {
	s := surveyFixture()
	s.State, s.Responses = c.state, c.responses
	if c.published {
		s.DisclosureID = 9
	}
	return s
}

// TestSurvey_Steps walks every (status, step, person) through Take and
// PublishResults: who may, what it changes, what it sends; the others get
// the error of their case and the survey stays as it was.
func TestSurvey_Steps(t *testing.T) {
	managers := map[string]bool{"own.principal": true, "own.supervisor": true}
	legal := map[gongkai.SurveyAction]map[gongkai.SurveyStatus]bool{
		gongkai.SurveyStart:   {gongkai.SurveyStatusDraft: true},
		gongkai.SurveyFinish:  {gongkai.SurveyStatusScheduled: true, gongkai.SurveyStatusOpen: true},
		gongkai.SurveyPublish: {gongkai.SurveyStatusClosed: true},
	}
	for _, c := range surveyCases() {
		for _, act := range []gongkai.SurveyAction{gongkai.SurveyEdit, gongkai.SurveyStart, gongkai.SurveyFinish, gongkai.SurveyPublish, "delete"} {
			for who, a := range orderPeople() {
				s := c.survey()
				if s.Status(c.now) != c.status {
					t.Fatalf("%s: status %s", c.name, s.Status(c.now))
				}
				var out gongkai.SurveyOutcome
				var err error
				if act == gongkai.SurveyPublish {
					out, err = s.PublishResults(a, gongkai.SurveyFacts{Now: c.now, ClerkID: 13, ClerkOK: true, Results: s.Tally(c.responses, 20, nil, nil, nil)})
				} else {
					out, err = s.Take(a, act, gongkai.SurveyFacts{Now: c.now})
				}
				var want string
				switch {
				case act != gongkai.SurveyStart && act != gongkai.SurveyFinish && act != gongkai.SurveyPublish:
					want = gongkai.EINVALID // not a step of Take
				case who == "anonymous":
					want = gongkai.EUNAUTHENTICATED
				case !managers[who]:
					want = gongkai.EFORBIDDEN
				case !legal[act][c.status], act == gongkai.SurveyPublish && (c.published || c.responses < gongkai.MinSurveyResponses):
					want = gongkai.ECONFLICT
				}
				if got := gongkai.ErrorCode(err); got != want {
					t.Errorf("%s: %s by %s: error %q (%v), want %q", c.name, act, who, got, err, want)
					continue
				}
				if s.State != c.state {
					t.Fatalf("%s: %s by %s changed the survey it was given", c.name, act, who)
				}
				if want != "" {
					continue
				}
				checkSurveyOutcome(t, c, act, out)
			}
		}
	}
}

func checkSurveyOutcome(t *testing.T, c surveyCase, act gongkai.SurveyAction, out gongkai.SurveyOutcome) {
	t.Helper()
	switch act {
	case gongkai.SurveyStart:
		if out.Survey.State != gongkai.SurveyOpen || !out.Survey.OpenedAt.Equal(c.now) || len(out.Events) != 1 || out.Events[0].Type != gongkai.EventSurveyOpened ||
			out.Events[0].Data["closes_on"] != "2026-03-13" {
			t.Errorf("%s: opened %+v, events %+v", c.name, out.Survey, out.Events)
		}
	case gongkai.SurveyFinish:
		if out.Survey.State != gongkai.SurveyClosed || !out.Survey.EndsAt().Equal(c.now) || len(out.Events) != 0 {
			t.Errorf("%s: closed %+v, events %+v", c.name, out.Survey, out.Events)
		}
	case gongkai.SurveyPublish:
		d := out.Disclosure
		if d == nil || d.State != gongkai.StateDraft || d.ClerkID != 13 || d.Title != "关于满意度测评结果的公示" || !strings.Contains(d.Body, "及时性") ||
			len(out.Events) != 1 || out.Events[0].Type != gongkai.EventSurveyResultsDrafted {
			t.Errorf("%s: draft %+v, events %+v", c.name, d, out.Events)
		}
	}
}

// TestSurvey_PublishClerk: the results go to a clerk of the school.
func TestSurvey_PublishClerk(t *testing.T) {
	c := surveyCases()[3]
	s := c.survey()
	_, err := s.PublishResults(orderPeople()["own.supervisor"], gongkai.SurveyFacts{Now: c.now, ClerkID: 30, Results: s.Tally(c.responses, 20, nil, nil, nil)})
	if gongkai.ErrorFields(err)["clerk"] == "" {
		t.Errorf("a clerk of another school: %v", err)
	}
}

// TestSurvey_TakeAnswer walks every (status, person, answered before):
// who may answer and what the others are told.
func TestSurvey_TakeAnswer(t *testing.T) {
	seeAlways := map[string]bool{"own.principal": true, "own.leader": true, "own.supervisor": true, "bureau.admin": true, "bureau.inspector": true}
	answers := []gongkai.SurveyAnswer{{Position: 1, Choices: []int{5}}, {Position: 2, Choices: []int{1}}}
	for _, c := range surveyCases() {
		for who, a := range orderPeople() {
			for _, answered := range []bool{false, true} {
				s := c.survey()
				if err := s.Validate(); err != nil {
					t.Fatal(err)
				}
				out, err := s.TakeAnswer(a, answers, gongkai.SurveyFacts{SchoolBureauID: 7, Now: c.now, Answered: answered})
				var want string
				switch {
				case !seeAlways[who] && !(strings.HasPrefix(who, "own.") && c.state != gongkai.SurveyDraft):
					want = gongkai.ENOTFOUND
				case !s.Eligible(a):
					want = gongkai.EFORBIDDEN
				case c.status != gongkai.SurveyStatusOpen, answered:
					want = gongkai.ECONFLICT
				}
				if got := gongkai.ErrorCode(err); got != want {
					t.Errorf("%s by %s (answered %v): error %q (%v), want %q", c.name, who, answered, got, err, want)
				}
				if want == "" && len(out.Answers) != 2 {
					t.Errorf("%s by %s: answers %+v", c.name, who, out.Answers)
				}
			}
		}
	}
	c := surveyCases()[2]
	s := c.survey()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeAnswer(orderPeople()["own.parent"], answers[:1], gongkai.SurveyFacts{SchoolBureauID: 7, Now: c.now}); gongkai.ErrorFields(err)["q2"] == "" {
		t.Errorf("a required question left out: %v", err)
	}
}
