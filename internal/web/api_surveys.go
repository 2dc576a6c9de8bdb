package web

import (
	"fmt"
	"net/http"

	"gongkai"
)

// The surveys in the JSON API.

// ---------------------------------------------------------------- API

type apiSurvey struct {
	ID        int64               `json:"id"`
	Title     string              `json:"title"`
	Intro     string              `json:"intro"`
	Kind      string              `json:"kind"`
	Audience  string              `json:"audience"`
	Status    string              `json:"status"`
	OpensOn   apiDate             `json:"opens_on"`
	ClosesOn  apiDate             `json:"closes_on"`
	Answered  bool                `json:"answered"`
	CanAnswer bool                `json:"can_answer"`
	Responses *int                `json:"responses,omitempty"`
	Questions []apiSurveyQuestion `json:"questions"`
	URL       string              `json:"url"`
}

type apiSurveyQuestion struct {
	Position   int      `json:"position"`
	Kind       string   `json:"kind"`
	Text       string   `json:"text"`
	Options    []string `json:"options"`
	MaxChoices int      `json:"max_choices"`
	Required   bool     `json:"required"`
}

func apiQuestionsOf(sv *gongkai.Survey) []apiSurveyQuestion {
	out := make([]apiSurveyQuestion, 0, len(sv.Questions))
	for _, q := range sv.Questions {
		opts := q.Options
		if q.Kind == gongkai.QuestionRating {
			opts = gongkai.SurveyRatingLabels[1:]
		}
		if opts == nil {
			opts = []string{}
		}
		out = append(out, apiSurveyQuestion{Position: q.Position, Kind: string(q.Kind), Text: q.Text, Options: opts, MaxChoices: q.MaxChoices, Required: q.Required})
	}
	return out
}

// apiSurveys lists the school's surveys the caller may see: those open to
// them (answered or not) and, for those who run or read the results, all.
func (s *Server) apiSurveys(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	if !actor.IsMember(school.ID) && !actor.Oversees(school.BureauID) {
		return gongkai.Errorf(gongkai.ENOTFOUND, "学校不存在或您无权查看其测评。")
	}
	all, err := s.db.FindSurveysWithQuestions(ctx, school.ID)
	if err != nil {
		return err
	}
	answered, err := s.db.AnsweredSurveys(ctx, school.ID, actor.ID)
	if err != nil {
		return err
	}
	results := gongkai.CanSeeSurveyResults(actor, school.BureauID, school.ID)
	now := s.db.Now()
	out := struct {
		Items []apiSurvey `json:"items"`
	}{Items: []apiSurvey{}}
	for _, sv := range all {
		st := sv.Status(now)
		if !results && !(st == gongkai.SurveyStatusOpen && sv.Eligible(actor)) {
			continue
		}
		a := apiSurvey{ID: sv.ID, Title: sv.Title, Intro: sv.Intro, Kind: string(sv.Kind), Audience: string(sv.Audience), Status: string(st),
			OpensOn: apiDate(sv.OpensOn), ClosesOn: apiDate(sv.ClosesOn), Answered: answered[sv.ID], Questions: apiQuestionsOf(sv),
			URL: surveyURL(school, sv.ID)}
		a.CanAnswer = !a.Answered && sv.CanAnswer(actor, now) == nil
		if results {
			n := sv.Responses
			a.Responses = &n
		}
		out.Items = append(out.Items, a)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiLoadSurvey finds the survey of {id} with its school; ENOTFOUND when
// the caller may not see it.
func (s *Server) apiLoadSurvey(r *http.Request) (*gongkai.School, *gongkai.Survey, error) {
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "测评不存在或您无权查看。")
	id, ok := pathID(r)
	if !ok {
		return nil, nil, notFound
	}
	schoolID, err := s.db.FindSurveySchoolID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	school, err := s.db.FindSchoolByID(r.Context(), schoolID)
	if err != nil {
		return nil, nil, err
	}
	sv, err := s.db.FindSurveyByID(r.Context(), schoolID, id)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.CanSeeSurvey(gongkai.ActorFrom(r.Context()), school.BureauID, sv) {
		return nil, nil, notFound
	}
	return school, sv, nil
}

type apiSurveyResults struct {
	ID        int64                     `json:"id"`
	Title     string                    `json:"title"`
	Status    string                    `json:"status"`
	Responses int                       `json:"responses"`
	Eligible  int                       `json:"eligible"`
	Rate      float64                   `json:"response_rate"`
	Shown     bool                      `json:"shown"`
	Message   string                    `json:"message,omitempty"`
	Score     *float64                  `json:"score"`
	Questions []apiSurveyQuestionResult `json:"questions"`
}

type apiSurveyQuestionResult struct {
	Position int               `json:"position"`
	Kind     string            `json:"kind"`
	Text     string            `json:"text"`
	Answered int               `json:"answered"`
	Options  []apiSurveyOption `json:"options,omitempty"`
	Mean     *float64          `json:"mean,omitempty"`
	Score    *float64          `json:"score,omitempty"`
	Texts    []string          `json:"texts,omitempty"`
}

type apiSurveyOption struct {
	Value   int     `json:"value"`
	Label   string  `json:"label"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

// apiSurveyResults gives the aggregated results to those who read them
// (404 for everyone else); under the threshold only the counts.
func (s *Server) apiSurveyResults(w http.ResponseWriter, r *http.Request) error {
	school, sv, err := s.apiLoadSurvey(r)
	if err != nil {
		return err
	}
	if !gongkai.CanSeeSurveyResults(gongkai.ActorFrom(r.Context()), school.BureauID, school.ID) {
		return gongkai.Errorf(gongkai.ENOTFOUND, "测评不存在或您无权查看。")
	}
	sv, res, err := s.db.SurveyResults(r.Context(), school.ID, sv.ID)
	if err != nil {
		return err
	}
	out := apiSurveyResults{ID: sv.ID, Title: sv.Title, Status: string(sv.Status(s.db.Now())), Responses: res.Responses, Eligible: res.Eligible,
		Rate: res.Rate(), Shown: res.Shown(), Questions: []apiSurveyQuestionResult{}}
	if res.Running {
		out.Message = "测评尚未结束。为保护参评人，结果在测评结束后公布，此前只显示答卷数。"
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	if !res.Shown() {
		out.Message = fmt.Sprintf("答卷少于 %d 份，为保护参评人，暂不显示结果。", gongkai.MinSurveyResponses)
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	if res.Score >= 0 {
		out.Score = &res.Score
	}
	for _, q := range res.Questions {
		aq := apiSurveyQuestionResult{Position: q.Position, Kind: string(q.Kind), Text: q.Text, Answered: q.Answered, Texts: q.Texts}
		for _, o := range q.Options {
			aq.Options = append(aq.Options, apiSurveyOption{Value: o.Value, Label: o.Label, Count: o.N, Percent: o.Percent})
		}
		if q.Kind == gongkai.QuestionRating && q.Score >= 0 {
			mean, score := q.Mean, q.Score
			aq.Mean, aq.Score = &mean, &score
		}
		out.Questions = append(out.Questions, aq)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type apiSurveyAnswerInput struct {
	Answers []struct {
		Question int    `json:"question"`
		Choices  []int  `json:"choices"`
		Text     string `json:"text"`
	} `json:"answers"`
}

// apiSurveyAnswer records the caller's response: 201 once, 409 after.
func (s *Server) apiSurveyAnswer(w http.ResponseWriter, r *http.Request) error {
	school, sv, err := s.apiLoadSurvey(r)
	if err != nil {
		return err
	}
	var in apiSurveyAnswerInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	answers := make([]gongkai.SurveyAnswer, 0, len(in.Answers))
	for _, a := range in.Answers {
		answers = append(answers, gongkai.SurveyAnswer{Position: a.Question, Choices: a.Choices, Text: a.Text})
	}
	if err := s.db.AnswerSurvey(r.Context(), school.ID, sv.ID, gongkai.ActorFrom(r.Context()), answers); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"answered": true, "message": "答卷已提交，感谢您的参与。"})
	return nil
}
