package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai"
)

// The form that makes or edits a survey.

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
