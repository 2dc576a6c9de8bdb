package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"gongkai"
)

// A survey's results and making them a draft disclosure.

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
