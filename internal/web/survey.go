package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"gongkai"
)

// One survey: its page, answering it, opening and closing it.

// ---------------------------------------------------------------- the survey

type surveyPage struct {
	base
	S           *gongkai.Survey
	Status      gongkai.SurveyStatus
	Actions     []gongkai.SurveyAction
	CanResults  bool
	Answered    bool
	Eligible    bool
	Form        bool   // the answer form shows
	Notice      string // why it does not, for the reader
	In          map[int]answerInput
	Errors      map[string]string
	Disclosure  *gongkai.Disclosure // the published results, when the reader may read them
	OpenMessage string              // why it cannot open yet (managers)
}

type answerInput struct {
	Choices []int
	Text    string
}

// Chosen reports whether option v of question n is chosen in the input.
func (p *surveyPage) Chosen(n, v int) bool { return slices.Contains(p.In[n].Choices, v) }

// TextOf is the typed text of question n.
func (p *surveyPage) TextOf(n int) string { return p.In[n].Text }

// ErrorOf is the message of question n.
func (p *surveyPage) ErrorOf(n int) string { return p.Errors[fmt.Sprintf("q%d", n)] }

// Ratings are the values of a rating question, best first.
func (p *surveyPage) Ratings() []int { return []int{5, 4, 3, 2, 1} }

// RatingLabel names a rating value.
func (p *surveyPage) RatingLabel(v int) string { return p.T(gongkai.SurveyRatingLabels[v]) }

// Has reports whether the reader may take the step now.
func (p *surveyPage) Has(a string) bool { return slices.Contains(p.Actions, gongkai.SurveyAction(a)) }

// StatusLabel, KindLabel and AudienceLabel are in the reader's language.
func (p *surveyPage) StatusLabel() string { return p.T(p.Status.Label()) }

func (p *surveyPage) KindLabel() string { return p.T(p.S.Kind.Label()) }

func (p *surveyPage) AudienceLabel() string { return p.T(p.S.Audience.Label()) }

// QKind is the name of a question's kind in the reader's language.
func (p *surveyPage) QKind(k gongkai.SurveyQuestionKind) string { return p.T(k.Label()) }

func (s *Server) handleSurvey(w http.ResponseWriter, r *http.Request) error {
	p, err := s.surveyPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, "survey", p)
	return nil
}

func (s *Server) surveyPage(r *http.Request) (*surveyPage, error) {
	ctx := r.Context()
	school, sv, err := s.loadSurvey(r)
	if err != nil {
		return nil, err
	}
	actor := gongkai.ActorFrom(ctx)
	now := s.db.Now()
	p := &surveyPage{base: s.base(r, sv.Title), S: sv, Status: sv.Status(now), In: map[int]answerInput{}, Errors: map[string]string{}}
	p.Nav, p.NoIndex = "surveys", true
	p.Actions = gongkai.AvailableSurveyActions(actor, sv, now)
	p.CanResults = gongkai.CanSeeSurveyResults(actor, school.BureauID, school.ID)
	p.Eligible = sv.Eligible(actor)
	if p.Answered, err = s.db.HasAnswered(ctx, school.ID, sv.ID, actor.ID); err != nil {
		return nil, err
	}
	switch err := sv.CanAnswer(actor, now); {
	case p.Answered:
		p.Notice = p.T("您已参加本次测评，感谢您的参与。")
	case err == nil:
		p.Form = true
	case sv.State != gongkai.SurveyDraft:
		p.Notice = p.T(gongkai.ErrorMessage(err))
	}
	if p.Has(string(gongkai.SurveyStart)) {
		if err := sv.ValidateForOpen(now); err != nil {
			p.OpenMessage = gongkai.ErrorMessage(err)
		}
	}
	if sv.DisclosureID != 0 {
		d, err := s.db.FindDisclosureByID(ctx, school.ID, sv.DisclosureID)
		if err != nil {
			return nil, err
		}
		if gongkai.CanReadDisclosure(actor, school.BureauID, d) {
			p.Disclosure = d
		}
	}
	return p, nil
}

// readAnswers reads the answer form: q<N> holds the chosen values (or the
// text of a text question).
func readAnswers(r *http.Request, sv *gongkai.Survey) ([]gongkai.SurveyAnswer, map[int]answerInput, gongkai.FieldErrors) {
	fe := gongkai.FieldErrors{}
	in := map[int]answerInput{}
	var out []gongkai.SurveyAnswer
	for _, q := range sv.Questions {
		key := fmt.Sprintf("q%d", q.Position)
		a := gongkai.SurveyAnswer{Position: q.Position}
		if q.Kind == gongkai.QuestionText {
			a.Text = r.PostFormValue(key)
		} else {
			for _, v := range r.PostForm[key] {
				c, _ := strconv.Atoi(v) // 0 when it does not parse: no option has it, and the domain says so
				a.Choices = append(a.Choices, c)
			}
		}
		in[q.Position] = answerInput{Choices: a.Choices, Text: a.Text}
		out = append(out, a)
	}
	return out, in, fe
}

func (s *Server) handleSurveyAnswer(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school, sv, err := s.loadSurvey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	answers, in, fe := readAnswers(r, sv)
	if len(fe) == 0 {
		err = s.db.AnswerSurvey(ctx, school.ID, sv.ID, gongkai.ActorFrom(ctx), answers)
	}
	switch code := gongkai.ErrorCode(err); {
	case len(fe) > 0 || code == gongkai.EINVALID:
		p, perr := s.surveyPage(r)
		if perr != nil {
			return perr
		}
		p.In = in
		for k, v := range gongkai.ErrorFields(err) {
			fe.Add(k, v)
		}
		p.Errors = fe
		s.renderPage(w, r, http.StatusUnprocessableEntity, "survey", p)
		return nil
	case code == gongkai.ECONFLICT:
		return s.redirect(w, r, surveyURL(school, sv.ID), "!"+gongkai.ErrorMessage(err))
	case err != nil:
		return err
	}
	return s.redirect(w, r, surveyURL(school, sv.ID), "答卷已提交，感谢您的参与。答卷不记名，任何人都无法查看您的作答。")
}

func (s *Server) handleSurveyOpen(w http.ResponseWriter, r *http.Request) error {
	return s.surveyStep(w, r, gongkai.SurveyStart, "测评已开始，参评人员会收到通知。")
}

func (s *Server) handleSurveyClose(w http.ResponseWriter, r *http.Request) error {
	return s.surveyStep(w, r, gongkai.SurveyFinish, "测评已结束，不再接受答卷。")
}

func (s *Server) surveyStep(w http.ResponseWriter, r *http.Request, act gongkai.SurveyAction, done string) error {
	if err := requireSurveyManager(r); err != nil {
		return err
	}
	ctx := r.Context()
	school, sv, err := s.loadSurvey(r)
	if err != nil {
		return err
	}
	_, err = s.db.SurveyAct(ctx, school.ID, sv.ID, gongkai.ActorFrom(ctx), act)
	switch gongkai.ErrorCode(err) {
	case "":
		return s.redirect(w, r, surveyURL(school, sv.ID), done)
	case gongkai.EINVALID, gongkai.ECONFLICT:
		// Nothing typed to keep: the survey's page says what is missing.
		return s.redirect(w, r, surveyURL(school, sv.ID), "!"+gongkai.ErrorMessage(err))
	}
	return err
}
