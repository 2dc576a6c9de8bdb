package store_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// surveyParents adds n parents to the fixture's school and returns them.
func surveyParents(t *testing.T, f *fixture, n int) []*gongkai.Actor {
	t.Helper()
	var out []*gongkai.Actor
	for i := range n {
		u := &gongkai.User{Username: fmt.Sprintf("sp-%d", i), DisplayName: fmt.Sprintf("家长%d", i)}
		if err := f.db.CreateMember(context.Background(), f.school.ID, u, "x", []gongkai.Role{gongkai.RoleParent}, 0); err != nil {
			t.Fatal(err)
		}
		a, err := f.db.LoadActor(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// openSurvey creates the fixture's survey (one rating, one single, one
// multiple, one text question) and opens it at f.now.
func openSurvey(t *testing.T, f *fixture, kind gongkai.SurveyKind) *gongkai.Survey {
	t.Helper()
	ctx := context.Background()
	s := &gongkai.Survey{Kind: kind, Title: "食堂满意度", Audience: gongkai.SurveyForStaffParents, OpensOn: f.now, ClosesOn: f.now.AddDate(0, 0, 7),
		Questions: []gongkai.SurveyQuestion{
			{Kind: gongkai.QuestionRating, Text: "饭菜质量", Required: true},
			{Kind: gongkai.QuestionSingle, Text: "是否按时开饭", Options: []string{"是", "否"}, Required: true},
			{Kind: gongkai.QuestionMultiple, Text: "希望增加", Options: []string{"水果", "汤", "面食"}},
			{Kind: gongkai.QuestionText, Text: "建议"},
		}}
	if err := f.db.CreateSurvey(ctx, f.school.ID, f.actors[gongkai.RoleSupervisor], s); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SurveyAct(ctx, f.school.ID, s.ID, f.actors[gongkai.RoleSupervisor], gongkai.SurveyStart); err != nil {
		t.Fatal(err)
	}
	return s
}

func rate(r, single int, multi []int, text string) []gongkai.SurveyAnswer {
	return []gongkai.SurveyAnswer{{Position: 1, Choices: []int{r}}, {Position: 2, Choices: []int{single}}, {Position: 3, Choices: multi}, {Position: 4, Text: text}}
}

func TestSurveys_lifecycle(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		sup := f.actors[gongkai.RoleSupervisor]
		for _, tc := range []struct {
			name  string
			actor *gongkai.Actor
			code  string
		}{
			{"a clerk may not create", f.actors[gongkai.RoleClerk], gongkai.EFORBIDDEN},
			{"a leader may not create", f.actors[gongkai.RoleLeader], gongkai.EFORBIDDEN},
			{"another school's principal may not create", f.outsider, gongkai.EFORBIDDEN},
			{"the principal may", f.actors[gongkai.RolePrincipal], ""},
			{"the supervisor may", sup, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s := gongkai.DefaultSurvey(0, f.now)
				if code := gongkai.ErrorCode(f.db.CreateSurvey(ctx, f.school.ID, tc.actor, s)); code != tc.code {
					t.Errorf("create: %q, want %q", code, tc.code)
				}
			})
		}
		draft := gongkai.DefaultSurvey(0, f.now)
		if err := f.db.CreateSurvey(ctx, f.school.ID, sup, draft); err != nil {
			t.Fatal(err)
		}
		got, err := f.db.FindSurveyByID(ctx, f.school.ID, draft.ID)
		if err != nil || len(got.Questions) != 8 || got.Questions[5].Options[1] != "校务公开栏（实体）" || got.State != gongkai.SurveyDraft || got.CreatedByName == "" {
			t.Fatalf("stored default survey %+v, %v", got, err)
		}
		if _, err := f.db.FindSurveyByID(ctx, f.other.ID, draft.ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("another school finds the survey: %v", err)
		}
		// Edit while a draft: questions replaced.
		upd := *got
		upd.Questions = upd.Questions[:2]
		upd.Title = "改过的测评"
		if got, err = f.db.UpdateSurvey(ctx, f.school.ID, draft.ID, sup, &upd); err != nil || len(got.Questions) != 2 || got.Title != "改过的测评" {
			t.Fatalf("update: %+v, %v", got, err)
		}
		bad := *got
		bad.Questions = append([]gongkai.SurveyQuestion(nil), got.Questions...)
		bad.Questions[1].Kind, bad.Questions[1].Options = gongkai.QuestionSingle, []string{"只有一个"}
		if _, err := f.db.UpdateSurvey(ctx, f.school.ID, draft.ID, sup, &bad); gongkai.ErrorFields(err)["q2_options"] == "" {
			t.Errorf("bad update: %v", err)
		}
		// Open, then questions are frozen.
		if _, err := f.db.SurveyAct(ctx, f.school.ID, draft.ID, f.actors[gongkai.RoleLeader], gongkai.SurveyStart); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("leader opens: %v", err)
		}
		if s, err := f.db.SurveyAct(ctx, f.school.ID, draft.ID, sup, gongkai.SurveyStart); err != nil || s.Status(f.now) != gongkai.SurveyStatusOpen {
			t.Fatalf("open: %v", err)
		}
		if _, err := f.db.UpdateSurvey(ctx, f.school.ID, draft.ID, sup, &upd); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("edit after opening: %v", err)
		}
		if _, err := f.db.SurveyAct(ctx, f.school.ID, draft.ID, sup, gongkai.SurveyStart); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("open twice: %v", err)
		}
		evs, err := f.db.FindEvents(ctx, f.school.ID, f.now.Add(-time.Hour), gongkai.EventSurveyOpened)
		if err != nil || len(evs) != 1 || evs[0].Subject != draft.ID {
			t.Errorf("survey.opened events %v, %v", evs, err)
		}
		// Close by hand.
		f.now = f.now.Add(time.Hour)
		s, err := f.db.SurveyAct(ctx, f.school.ID, draft.ID, sup, gongkai.SurveyFinish)
		if err != nil || s.Status(f.now) != gongkai.SurveyStatusClosed {
			t.Fatalf("close: %v", err)
		}
		if err := f.db.AnswerSurvey(ctx, f.school.ID, draft.ID, f.actors[gongkai.RoleParent], []gongkai.SurveyAnswer{{Position: 1, Choices: []int{5}}}); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("answer after closing: %v", err)
		}
	})
}

func TestSurveys_answerOncePerPerson(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		s := openSurvey(t, f, gongkai.SurveySatisfaction)
		parent := f.actors[gongkai.RoleParent]
		// Eight tries at once by the same person: exactly one counts.
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = f.db.AnswerSurvey(ctx, f.school.ID, s.ID, parent, rate(4, 1, nil, ""))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch gongkai.ErrorCode(err) {
			case "":
				ok++
			case gongkai.ECONFLICT:
				if !strings.Contains(gongkai.ErrorMessage(err), "您已参加本次测评") {
					t.Errorf("second answer says %q", gongkai.ErrorMessage(err))
				}
			default:
				t.Errorf("concurrent answer: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d answers of one person counted, want 1", ok)
		}
		_, r, err := f.db.SurveyResults(ctx, f.school.ID, s.ID)
		if err != nil || r.Responses != 1 {
			t.Fatalf("responses %v, %v", r, err)
		}
		if done, _ := f.db.HasAnswered(ctx, f.school.ID, s.ID, parent.ID); !done {
			t.Errorf("participation not recorded")
		}
		// Outsiders and bad answers.
		for _, tc := range []struct {
			name  string
			actor *gongkai.Actor
			in    []gongkai.SurveyAnswer
			code  string
		}{
			{"another school's member", f.outsider, rate(3, 1, nil, ""), gongkai.ENOTFOUND},
			{"nobody signed in", &gongkai.Actor{}, rate(3, 1, nil, ""), gongkai.ENOTFOUND},
			{"a required question left out", f.actors[gongkai.RoleStaff], []gongkai.SurveyAnswer{{Position: 1, Choices: []int{3}}}, gongkai.EINVALID},
		} {
			if code := gongkai.ErrorCode(f.db.AnswerSurvey(ctx, f.school.ID, s.ID, tc.actor, tc.in)); code != tc.code {
				t.Errorf("%s: %q, want %q", tc.name, code, tc.code)
			}
		}
		// A refused answer leaves no trace of participation.
		if done, _ := f.db.HasAnswered(ctx, f.school.ID, s.ID, f.actors[gongkai.RoleStaff].ID); done {
			t.Errorf("a refused answer counts as participation")
		}
		// Audience: a parents-only survey refuses staff.
		ps := &gongkai.Survey{Kind: gongkai.SurveyOther, Title: "家长问卷", Audience: gongkai.SurveyForParents, OpensOn: f.now, ClosesOn: f.now,
			Questions: []gongkai.SurveyQuestion{{Kind: gongkai.QuestionText, Text: "意见"}}}
		if err := f.db.CreateSurvey(ctx, f.school.ID, f.actors[gongkai.RolePrincipal], ps); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SurveyAct(ctx, f.school.ID, ps.ID, f.actors[gongkai.RolePrincipal], gongkai.SurveyStart); err != nil {
			t.Fatal(err)
		}
		if code := gongkai.ErrorCode(f.db.AnswerSurvey(ctx, f.school.ID, ps.ID, f.actors[gongkai.RoleStaff], nil)); code != gongkai.EFORBIDDEN {
			t.Errorf("staff answering a parents' survey: %q", code)
		}
		open, err := f.db.FindOpenSurveysFor(ctx, f.actors[gongkai.RoleStaff])
		if err != nil || len(open) != 1 || open[0].ID != s.ID {
			t.Errorf("open surveys for staff: %v, %v", open, err)
		}
		if open, _ := f.db.FindOpenSurveysFor(ctx, parent); len(open) != 1 || open[0].ID != ps.ID {
			t.Errorf("open surveys for the parent who answered the first: %v", open)
		}
	})
}

func TestSurveys_resultsAndScores(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		parents := surveyParents(t, f, 6)
		s := openSurvey(t, f, gongkai.SurveySatisfaction)
		// Six responses; by hand: ratings 5,5,4,3,2,1 → mean 20/6 = 3.333…,
		// score (20/6-1)/4·100 = 58.33…; q2 是 ×4 否 ×2; q3 水果 ×3, 面食 ×2
		// from 4 people; 2 texts.
		in := [][]gongkai.SurveyAnswer{rate(5, 1, []int{1, 3}, "多一些青菜"), rate(5, 1, []int{1}, ""), rate(4, 1, []int{1, 3}, "汤太咸"),
			rate(3, 2, []int{}, ""), rate(2, 2, nil, ""), rate(1, 1, []int{}, "")}
		for i, p := range parents {
			if err := f.db.AnswerSurvey(ctx, f.school.ID, s.ID, p, in[i]); err != nil {
				t.Fatalf("answer %d: %v", i, err)
			}
		}
		// While it is open, only the count: nothing that changes with one
		// more answer.
		_, r, err := f.db.SurveyResults(ctx, f.school.ID, s.ID)
		if err != nil || !r.Running || r.Shown() || r.Responses != 6 || len(r.Questions) != 0 || r.Score != -1 {
			t.Fatalf("results while open: %+v, %v", r, err)
		}
		// Scores: not until the survey has closed.
		from, to := f.now.AddDate(0, -1, 0), f.now.AddDate(0, 1, 0)
		sc, err := f.db.SurveyScores(ctx, f.bureau.ID, from, to)
		if err != nil || sc[f.school.ID].Score != -1 || sc[f.other.ID].Score != -1 || len(sc) != 2 {
			t.Fatalf("scores while open: %v, %v", sc, err)
		}
		f.now = f.now.AddDate(0, 0, 8) // past its last day
		_, r, err = f.db.SurveyResults(ctx, f.school.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Eligible: the fixture's seven members and six parents.
		if r.Responses != 6 || r.Eligible != 13 || !r.Shown() {
			t.Errorf("responses %d, eligible %d", r.Responses, r.Eligible)
		}
		if want := (20.0/6 - 1) / 4 * 100; math.Abs(r.Score-want) > 1e-9 {
			t.Errorf("score %v, want %v", r.Score, want)
		}
		q2, q3, q4 := r.Questions[1], r.Questions[2], r.Questions[3]
		if q2.Options[0].N != 4 || q2.Options[1].N != 2 || q2.Answered != 6 {
			t.Errorf("q2 %+v", q2)
		}
		if q3.Answered != 3 || q3.Options[0].N != 3 || q3.Options[1].N != 0 || q3.Options[2].N != 2 || q3.Options[0].Percent != 100 {
			t.Errorf("q3 %+v", q3)
		}
		if len(q4.Texts) != 2 || q4.Answered != 2 {
			t.Errorf("q4 texts %v", q4.Texts)
		}
		sc, _ = f.db.SurveyScores(ctx, f.bureau.ID, from, to)
		if got := sc[f.school.ID]; got.Surveys != 1 || got.Responses != 6 || math.Abs(got.Score-r.Score) > 1e-9 {
			t.Errorf("score after closing %+v, want %v", got, r.Score)
		}
		// A second satisfaction survey, all 满意 from five: the school's
		// score is weighted by responses: (58.33·6 + 100·5) / 11.
		s2 := openSurvey(t, f, gongkai.SurveySatisfaction)
		for _, p := range parents[:5] {
			if err := f.db.AnswerSurvey(ctx, f.school.ID, s2.ID, p, rate(5, 1, nil, "")); err != nil {
				t.Fatal(err)
			}
		}
		// And a democratic evaluation, which is not a satisfaction score.
		s3 := openSurvey(t, f, gongkai.SurveyEvaluation)
		for _, p := range parents {
			if err := f.db.AnswerSurvey(ctx, f.school.ID, s3.ID, p, rate(1, 1, nil, "")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.db.SurveyAct(ctx, f.school.ID, s2.ID, f.actors[gongkai.RoleSupervisor], gongkai.SurveyFinish); err != nil {
			t.Fatal(err)
		}
		f.now = f.now.AddDate(0, 0, 8)
		got, err := f.db.SchoolSurveyScore(ctx, f.school.ID, from, f.now.AddDate(0, 1, 0))
		if want := (r.Score*6 + 100*5) / 11; err != nil || got.Surveys != 2 || got.Responses != 11 || math.Abs(got.Score-want) > 1e-9 {
			t.Errorf("school score %+v, %v; want %v over 2 surveys", got, err, want)
		}
		// The range is [from, to): a range ending before the first closed gives none.
		if got, _ := f.db.SchoolSurveyScore(ctx, f.school.ID, from, s.EndsAt()); got.Surveys != 0 || got.Score != -1 {
			t.Errorf("score before any closed: %+v", got)
		}
		// Publish as a disclosure: a draft for the clerk, linked.
		sup := f.actors[gongkai.RoleSupervisor]
		if _, err := f.db.PublishSurveyResults(ctx, f.school.ID, s.ID, sup, f.actors[gongkai.RoleStaff].ID); gongkai.ErrorFields(err)["clerk"] == "" {
			t.Errorf("publish with a non-clerk: %v", err)
		}
		if _, err := f.db.PublishSurveyResults(ctx, f.school.ID, s.ID, f.actors[gongkai.RoleClerk], f.actors[gongkai.RoleClerk].ID); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("a clerk publishes results: %v", err)
		}
		d, err := f.db.PublishSurveyResults(ctx, f.school.ID, s.ID, sup, f.actors[gongkai.RoleClerk].ID)
		if err != nil {
			t.Fatal(err)
		}
		d, err = f.db.FindDisclosureByID(ctx, f.school.ID, d.ID)
		if err != nil || d.State != gongkai.StateDraft || d.Category != "evaluation" || d.Audience != gongkai.AudienceCommunity || d.ClerkID != f.actors[gongkai.RoleClerk].ID ||
			!strings.Contains(d.Body, "| 实收答卷 | 6 |") || !strings.Contains(d.Body, "| 是 | 4 | 66.7% |") || strings.Contains(d.Body, "汤太咸") {
			t.Fatalf("draft %+v, %v", d, err)
		}
		if got, _ := f.db.FindSurveyByID(ctx, f.school.ID, s.ID); got.DisclosureID != d.ID {
			t.Errorf("survey links %d, want %d", got.DisclosureID, d.ID)
		}
		if _, err := f.db.PublishSurveyResults(ctx, f.school.ID, s.ID, sup, f.actors[gongkai.RoleClerk].ID); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("publish twice: %v", err)
		}
		// The clerk takes it through the procedure.
		f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		f.act(t, d.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
		if d = f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionPublish, ""); d.State != gongkai.StatePublished {
			t.Errorf("state %s", d.State)
		}
	})
}

func TestSurveys_fewResponsesAreNotScored(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		parents := surveyParents(t, f, 4)
		s := openSurvey(t, f, gongkai.SurveySatisfaction)
		for _, p := range parents {
			if err := f.db.AnswerSurvey(ctx, f.school.ID, s.ID, p, rate(5, 1, nil, "")); err != nil {
				t.Fatal(err)
			}
		}
		f.now = f.now.AddDate(0, 0, 8)
		if got, _ := f.db.SchoolSurveyScore(ctx, f.school.ID, f.now.AddDate(0, -1, 0), f.now); got.Surveys != 0 || got.Score != -1 {
			t.Errorf("4 responses scored: %+v", got)
		}
		if _, err := f.db.PublishSurveyResults(ctx, f.school.ID, s.ID, f.actors[gongkai.RoleSupervisor], f.actors[gongkai.RoleClerk].ID); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("4 responses published: %v", err)
		}
	})
}

// TestSurveys_answersCarryNoIdentity looks at the rows themselves: the
// answer tables have only the columns of what was answered, no row holding
// an answer's text holds the user's id, and the participant rows are in
// user-id order whatever the order of answering.
func TestSurveys_answersCarryNoIdentity(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		parents := surveyParents(t, f, 5)
		s := openSurvey(t, f, gongkai.SurveySatisfaction)
		for i := len(parents) - 1; i >= 0; i-- { // answer in reverse order of id
			p := parents[i]
			if err := f.db.AnswerSurvey(ctx, f.school.ID, s.ID, p, rate(3, 1, nil, fmt.Sprintf("匿名标记%d", p.ID))); err != nil {
				t.Fatal(err)
			}
		}
		raw := store.RawForTest(f.db)
		allowed := map[string]map[string]bool{
			"survey_responses": {"school_id": true, "survey_id": true, "id": true},
			"survey_answers":   {"school_id": true, "survey_id": true, "response_id": true, "position": true, "choice": true, "text": true},
		}
		for table, cols := range allowed {
			rows, err := raw.QueryContext(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
			if err != nil {
				t.Fatal(err)
			}
			names, _ := rows.Columns()
			rows.Close()
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			for _, c := range names {
				if !cols[c] {
					t.Errorf("LEAK: %s has a column %s that could hold who or when", table, c)
				}
			}
		}
		rows, err := raw.QueryContext(ctx, `SELECT response_id, text FROM survey_answers WHERE text <> ''`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var rid int64
			var text string
			if err := rows.Scan(&rid, &text); err != nil {
				t.Fatal(err)
			}
			n++
			for _, p := range parents {
				if rid == p.ID {
					t.Errorf("LEAK: the response id of %q is a user's id", text)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != 5 {
			t.Errorf("%d texts stored, want 5", n)
		}
		rows, err = raw.QueryContext(ctx, `SELECT user_id FROM survey_participants WHERE survey_id = $1`, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var order []int64
		for rows.Next() {
			var u int64
			if err := rows.Scan(&u); err != nil {
				t.Fatal(err)
			}
			order = append(order, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(order); i++ {
			if order[i] < order[i-1] {
				t.Errorf("participants are stored in order of answering: %v", order)
			}
		}
	})
}
