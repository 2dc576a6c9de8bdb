package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

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
