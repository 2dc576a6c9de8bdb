package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai"
)

// Surveys (测评 / 民主评议): the supervision group (or the principal) builds
// a survey, opens it to an audience of the school, members answer once on
// their phones without JavaScript, and the results, shown from
// gongkai.MinSurveyResponses responses, become a draft disclosure.

// surveyBlankSlots is how many empty questions the form offers after the
// existing ones: without JavaScript, more appear each time it is saved.
const surveyBlankSlots = 3

// CanSeeSurveys reports whether the school's surveys link shows in its
// navigation: for its members and its bureau.
func (b *base) CanSeeSurveys() bool {
	return b.School != nil && (b.Actor.IsMember(b.School.ID) || b.Actor.Oversees(b.School.BureauID))
}

func surveysURL(school *gongkai.School) string { return "/s/" + school.Slug + "/surveys" }

func surveyURL(school *gongkai.School, id int64) string {
	return fmt.Sprintf("/s/%s/surveys/%d", school.Slug, id)
}

// loadSurvey finds the survey of the {id} path value in the route's school,
// answering ENOTFOUND to whoever may not see it.
func (s *Server) loadSurvey(r *http.Request) (*gongkai.School, *gongkai.Survey, error) {
	school := schoolFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "测评不存在或您无权查看。")
	}
	sv, err := s.db.FindSurveyByID(r.Context(), school.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.CanSeeSurvey(gongkai.ActorFrom(r.Context()), school.BureauID, sv) {
		return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "测评不存在或您无权查看。")
	}
	return school, sv, nil
}

// ---------------------------------------------------------------- the list

type surveyListPage struct {
	base
	Rows      []surveyRow
	CanCreate bool
}

type surveyRow struct {
	S          *gongkai.Survey
	URL        string
	Status     gongkai.SurveyStatus
	Answered   bool
	CanAnswer  bool
	CanResults bool
}

// StatusLabel is a status in the reader's language.
func (p *surveyListPage) StatusLabel(st gongkai.SurveyStatus) string { return p.T(st.Label()) }

func (s *Server) handleSurveys(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	p := &surveyListPage{base: s.base(r, "")}
	if !p.CanSeeSurveys() {
		return gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	p.Title, p.Nav, p.NoIndex = p.T("测评"), "surveys", true
	p.CanCreate = gongkai.CanManageSurveys(actor, school.ID)
	all, err := s.db.FindSurveys(ctx, school.ID)
	if err != nil {
		return err
	}
	answered, err := s.db.AnsweredSurveys(ctx, school.ID, actor.ID)
	if err != nil {
		return err
	}
	now := s.db.Now()
	results := gongkai.CanSeeSurveyResults(actor, school.BureauID, school.ID)
	for _, sv := range all {
		if !gongkai.CanSeeSurvey(actor, school.BureauID, sv) {
			continue
		}
		row := surveyRow{S: sv, URL: surveyURL(school, sv.ID), Status: sv.Status(now), Answered: answered[sv.ID], CanResults: results}
		row.CanAnswer = !row.Answered && sv.CanAnswer(actor, now) == nil
		// Members see what they may answer and what has ended; the rest
		// (another audience's surveys, drafts) is for those who run them.
		if !results && !sv.Eligible(actor) && sv.DisclosureID == 0 {
			continue
		}
		p.Rows = append(p.Rows, row)
	}
	s.render(w, r, "survey-list", p)
	return nil
}

// ---------------------------------------------------------------- the form

type surveyFormPage struct {
	base
	New     bool
	Action  string
	In      surveyInput
	Errors  map[string]string
	Summary []string
}

type surveyInput struct {
	Title, Intro, Kind, Audience, OpensOn, ClosesOn string
	Questions                                       []questionInput
}

type questionInput struct {
	N                         int
	Text, Kind, Options, Max  string
	Required                  bool
	TextErr, KindErr, OptsErr string
	MaxErr                    string
}

// Kinds, Audiences and QuestionKinds are the form's choices.
func (p *surveyFormPage) Kinds() []gongkai.SurveyKind { return gongkai.SurveyKinds }

func (p *surveyFormPage) Audiences() []gongkai.SurveyAudience { return gongkai.SurveyAudiences }

func (p *surveyFormPage) QuestionKinds() []gongkai.SurveyQuestionKind {
	return gongkai.SurveyQuestionKinds
}

func inputOf(sv *gongkai.Survey) surveyInput {
	in := surveyInput{Title: sv.Title, Intro: sv.Intro, Kind: string(sv.Kind), Audience: string(sv.Audience),
		OpensOn: beijingISO(sv.OpensOn), ClosesOn: beijingISO(sv.ClosesOn)}
	for _, q := range sv.Questions {
		qi := questionInput{Text: q.Text, Kind: string(q.Kind), Options: strings.Join(q.Options, "\n"), Required: q.Required}
		if q.Kind == gongkai.QuestionMultiple {
			qi.Max = strconv.Itoa(q.MaxChoices)
		}
		in.Questions = append(in.Questions, qi)
	}
	return in
}

func beijingISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(gongkai.Beijing).Format("2006-01-02")
}

// withBlanks numbers the questions and adds the empty slots.
func (in *surveyInput) withBlanks() {
	for range surveyBlankSlots {
		in.Questions = append(in.Questions, questionInput{Kind: string(gongkai.QuestionRating), Required: true})
	}
	for i := range in.Questions {
		in.Questions[i].N = i + 1
	}
}

// readSurveyForm reads the form into the input (as typed) and a survey;
// slots left empty are dropped. Dates that do not parse are field errors.
func readSurveyForm(r *http.Request) (surveyInput, *gongkai.Survey, gongkai.FieldErrors) {
	fe := gongkai.FieldErrors{}
	in := surveyInput{Title: r.PostFormValue("title"), Intro: r.PostFormValue("intro"), Kind: r.PostFormValue("kind"),
		Audience: r.PostFormValue("audience"), OpensOn: strings.TrimSpace(r.PostFormValue("opens_on")), ClosesOn: strings.TrimSpace(r.PostFormValue("closes_on"))}
	sv := &gongkai.Survey{Title: in.Title, Intro: in.Intro, Kind: gongkai.SurveyKind(in.Kind), Audience: gongkai.SurveyAudience(in.Audience)}
	for _, d := range []struct {
		field, v string
		into     *time.Time
	}{{"opens_on", in.OpensOn, &sv.OpensOn}, {"closes_on", in.ClosesOn, &sv.ClosesOn}} {
		if d.v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.v, gongkai.Beijing)
		if err != nil {
			fe.Add(d.field, "日期格式应为“年-月-日”，例如 2026-03-02。")
			continue
		}
		*d.into = t
	}
	n, _ := strconv.Atoi(r.PostFormValue("q_count"))
	n = min(max(n, 0), gongkai.MaxSurveyQuestions+surveyBlankSlots)
	for i := 1; i <= n; i++ {
		k := "q" + strconv.Itoa(i) + "_"
		qi := questionInput{Text: r.PostFormValue(k + "text"), Kind: r.PostFormValue(k + "kind"), Options: r.PostFormValue(k + "options"),
			Max: strings.TrimSpace(r.PostFormValue(k + "max")), Required: r.PostFormValue(k+"required") != ""}
		if strings.TrimSpace(qi.Text) == "" && strings.TrimSpace(qi.Options) == "" {
			continue // an empty slot
		}
		pos := len(in.Questions) + 1
		q := gongkai.SurveyQuestion{Position: pos, Kind: gongkai.SurveyQuestionKind(qi.Kind), Text: qi.Text, Required: qi.Required,
			Options: strings.Split(strings.ReplaceAll(qi.Options, "\r\n", "\n"), "\n")}
		if qi.Max != "" {
			m, err := strconv.Atoi(qi.Max)
			if err != nil {
				fe.Add(fmt.Sprintf("q%d_max", pos), "请填写数字，0 表示不限。")
			}
			q.MaxChoices = m
		}
		in.Questions = append(in.Questions, qi)
		sv.Questions = append(sv.Questions, q)
	}
	return in, sv, fe
}

// formErrors merges the domain's messages into the form's and hangs the
// question ones on their questions.
func (p *surveyFormPage) formErrors(fe gongkai.FieldErrors, err error) {
	for k, v := range gongkai.ErrorFields(err) {
		fe.Add(k, v)
	}
	p.Errors = map[string]string{}
	for k, v := range fe {
		var n int
		var f string
		if _, serr := fmt.Sscanf(k, "q%d_%s", &n, &f); serr == nil && n >= 1 && n <= len(p.In.Questions) {
			q := &p.In.Questions[n-1]
			switch f {
			case "text":
				q.TextErr = v
			case "kind":
				q.KindErr = v
			case "options":
				q.OptsErr = v
			case "max":
				q.MaxErr = v
			}
			p.Summary = append(p.Summary, p.Tf("第 %d 题：", n)+p.T(v))
			continue
		}
		p.Errors[k] = v
		p.Summary = append(p.Summary, p.T(v))
	}
	slices.Sort(p.Summary)
}

func (s *Server) surveyForm(r *http.Request, isNew bool, action string, in surveyInput) *surveyFormPage {
	p := &surveyFormPage{base: s.base(r, ""), New: isNew, Action: action, In: in, Errors: map[string]string{}}
	p.Title, p.Nav, p.NoIndex = p.T("新建测评"), "surveys", true
	if !isNew {
		p.Title = p.T("修改测评")
	}
	p.In.withBlanks()
	return p
}

// requireSurveyManager answers 404 to anyone who does not run the school's
// surveys, so that the forms do not show.
func requireSurveyManager(r *http.Request) error {
	school := schoolFrom(r.Context())
	if !gongkai.CanManageSurveys(gongkai.ActorFrom(r.Context()), school.ID) {
		return gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	return nil
}

func (s *Server) handleSurveyNew(w http.ResponseWriter, r *http.Request) error {
	if err := requireSurveyManager(r); err != nil {
		return err
	}
	school := schoolFrom(r.Context())
	today := beijingDay(s.db.Now())
	in := surveyInput{Kind: string(gongkai.SurveySatisfaction), Audience: string(gongkai.SurveyForStaffParents),
		OpensOn: beijingISO(today), ClosesOn: beijingISO(today.AddDate(0, 0, 14))}
	s.render(w, r, "survey-form", s.surveyForm(r, true, surveysURL(school)+"/new", in))
	return nil
}

func (s *Server) handleSurveyCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireSurveyManager(r); err != nil {
		return err
	}
	ctx := r.Context()
	school := schoolFrom(ctx)
	in, sv, fe := readSurveyForm(r)
	var err error
	if len(fe) == 0 {
		err = s.db.CreateSurvey(ctx, school.ID, gongkai.ActorFrom(ctx), sv)
	} else {
		err = sv.Validate() // every message at once, though it is not saved
	}
	if len(fe) > 0 || gongkai.ErrorCode(err) == gongkai.EINVALID {
		p := s.surveyForm(r, true, surveysURL(school)+"/new", in)
		p.formErrors(fe, err)
		s.renderPage(w, r, http.StatusUnprocessableEntity, "survey-form", p)
		return nil
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, surveyURL(school, sv.ID), "测评草稿已保存。请检查题目后开始测评。")
}

// handleSurveyFromTemplate creates the shipped 校务公开工作满意度测评 as a
// draft with one click.
func (s *Server) handleSurveyFromTemplate(w http.ResponseWriter, r *http.Request) error {
	if err := requireSurveyManager(r); err != nil {
		return err
	}
	ctx := r.Context()
	school := schoolFrom(ctx)
	sv := gongkai.DefaultSurvey(school.ID, s.db.Now())
	if err := s.db.CreateSurvey(ctx, school.ID, gongkai.ActorFrom(ctx), sv); err != nil {
		return err
	}
	return s.redirect(w, r, surveyURL(school, sv.ID), "已按默认模板生成测评草稿，可修改后开始测评。")
}

func (s *Server) handleSurveyEditForm(w http.ResponseWriter, r *http.Request) error {
	if err := requireSurveyManager(r); err != nil {
		return err
	}
	school, sv, err := s.loadSurvey(r)
	if err != nil {
		return err
	}
	if err := gongkai.AuthorizeSurvey(gongkai.ActorFrom(r.Context()), sv, gongkai.SurveyEdit, s.db.Now()); err != nil {
		return s.redirect(w, r, surveyURL(school, sv.ID), "!"+gongkai.ErrorMessage(err))
	}
	s.render(w, r, "survey-form", s.surveyForm(r, false, surveyURL(school, sv.ID)+"/edit", inputOf(sv)))
	return nil
}

func (s *Server) handleSurveyEdit(w http.ResponseWriter, r *http.Request) error {
	if err := requireSurveyManager(r); err != nil {
		return err
	}
	ctx := r.Context()
	school, sv, err := s.loadSurvey(r)
	if err != nil {
		return err
	}
	if err := gongkai.AuthorizeSurvey(gongkai.ActorFrom(ctx), sv, gongkai.SurveyEdit, s.db.Now()); err != nil {
		return err
	}
	in, upd, fe := readSurveyForm(r)
	if len(fe) == 0 {
		_, err = s.db.UpdateSurvey(ctx, school.ID, sv.ID, gongkai.ActorFrom(ctx), upd)
	} else {
		err = upd.Validate() // every message at once, though it is not saved
	}
	if len(fe) > 0 || gongkai.ErrorCode(err) == gongkai.EINVALID {
		p := s.surveyForm(r, false, surveyURL(school, sv.ID)+"/edit", in)
		p.formErrors(fe, err)
		s.renderPage(w, r, http.StatusUnprocessableEntity, "survey-form", p)
		return nil
	}
	if err != nil {
		return err
	}
	if r.PostFormValue("more") != "" {
		return s.redirect(w, r, surveyURL(school, sv.ID)+"/edit#q-new", "已保存，请继续添加题目。")
	}
	return s.redirect(w, r, surveyURL(school, sv.ID), "测评已保存。")
}

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
				c, err := strconv.Atoi(v)
				if err != nil {
					fe.Add(key, "所选的选项不存在。")
					continue
				}
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

// ---------------------------------------------------------------- results

type surveyResultsPage struct {
	base
	S          *gongkai.Survey
	Status     gongkai.SurveyStatus
	R          *gongkai.SurveyResults
	Disclosure *gongkai.Disclosure
	CanPublish bool
	Clerks     []*gongkai.Member
	Clerk      int64
	Errors     map[string]string
}

// Min is the number of responses from which results show.
func (p *surveyResultsPage) Min() int { return gongkai.MinSurveyResponses }

// Pct formats a percentage.
func (p *surveyResultsPage) Pct(v float64) string { return fmt.Sprintf("%.1f%%", v) }

// Score formats a score, or a dash without one.
func (p *surveyResultsPage) Score(v float64) string {
	if v < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f", v)
}

// Mean formats a mean rating.
func (p *surveyResultsPage) Mean(v float64) string { return fmt.Sprintf("%.2f", v) }

// StatusLabel and AudienceLabel are in the reader's language.
func (p *surveyResultsPage) StatusLabel() string { return p.T(p.Status.Label()) }

func (p *surveyResultsPage) AudienceLabel() string { return p.T(p.S.Audience.Label()) }

// OptLabel translates rating labels; options are the school's own words.
func (p *surveyResultsPage) OptLabel(q gongkai.SurveyQuestionResult, o gongkai.SurveyOptionResult) string {
	if q.Kind == gongkai.QuestionRating {
		return p.T(o.Label)
	}
	return o.Label
}

func (s *Server) handleSurveyResults(w http.ResponseWriter, r *http.Request) error {
	p, err := s.surveyResults(r)
	if err != nil {
		return err
	}
	s.render(w, r, "survey-results", p)
	return nil
}

func (s *Server) surveyResults(r *http.Request) (*surveyResultsPage, error) {
	ctx := r.Context()
	school, sv, err := s.loadSurvey(r)
	if err != nil {
		return nil, err
	}
	actor := gongkai.ActorFrom(ctx)
	if !gongkai.CanSeeSurveyResults(actor, school.BureauID, school.ID) {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	sv, res, err := s.db.SurveyResults(ctx, school.ID, sv.ID)
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	p := &surveyResultsPage{base: s.base(r, ""), S: sv, Status: sv.Status(now), R: res, Errors: map[string]string{}}
	p.Title, p.Nav, p.NoIndex = p.T("测评结果")+p.Colon()+sv.Title, "surveys", true
	p.CanPublish = gongkai.AuthorizeSurvey(actor, sv, gongkai.SurveyPublish, now) == nil
	if sv.DisclosureID != 0 {
		if p.Disclosure, err = s.db.FindDisclosureByID(ctx, school.ID, sv.DisclosureID); err != nil {
			return nil, err
		}
	}
	if p.CanPublish {
		members, err := s.db.FindMembers(ctx, school.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			if !m.User.Disabled && (slices.Contains(m.Roles, gongkai.RoleClerk) || slices.Contains(m.Roles, gongkai.RolePrincipal)) {
				p.Clerks = append(p.Clerks, m)
			}
		}
	}
	return p, nil
}

func (s *Server) handleSurveyPublish(w http.ResponseWriter, r *http.Request) error {
	if err := requireSurveyManager(r); err != nil {
		return err
	}
	ctx := r.Context()
	school, sv, err := s.loadSurvey(r)
	if err != nil {
		return err
	}
	clerk, _ := strconv.ParseInt(r.PostFormValue("clerk"), 10, 64)
	d, err := s.db.PublishSurveyResults(ctx, school.ID, sv.ID, gongkai.ActorFrom(ctx), clerk)
	switch gongkai.ErrorCode(err) {
	case "":
		return s.redirect(w, r, reviewURL(school, d.ID), "已生成测评结果公开事项草稿，经办人已收到通知；请按程序提交审议、签发、审核后发布。")
	case gongkai.EINVALID:
		p, perr := s.surveyResults(r)
		if perr != nil {
			return perr
		}
		p.Clerk = clerk
		p.Errors = gongkai.ErrorFields(err)
		s.renderPage(w, r, http.StatusUnprocessableEntity, "survey-results", p)
		return nil
	case gongkai.ECONFLICT:
		return s.redirect(w, r, surveyURL(school, sv.ID)+"/results", "!"+gongkai.ErrorMessage(err))
	}
	return err
}

// ---------------------------------------------------------------- 工作台

// surveyWorkRow is an open survey waiting for the reader on the work page.
type surveyWorkRow struct {
	School *gongkai.School
	S      *gongkai.Survey
	URL    string
}

// surveyWorkFor lists the open surveys the actor has yet to answer.
func (s *Server) surveyWorkFor(ctx context.Context, actor *gongkai.Actor) ([]surveyWorkRow, error) {
	if actor.Anonymous() || len(actor.Memberships) == 0 {
		return nil, nil
	}
	list, err := s.db.FindOpenSurveysFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	schools := map[int64]*gongkai.School{}
	var out []surveyWorkRow
	for _, sv := range list {
		sc := schools[sv.SchoolID]
		if sc == nil {
			if sc, err = s.db.FindSchoolByID(ctx, sv.SchoolID); err != nil {
				return nil, err
			}
			schools[sv.SchoolID] = sc
		}
		out = append(out, surveyWorkRow{School: sc, S: sv, URL: surveyURL(sc, sv.ID)})
	}
	return out, nil
}

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
