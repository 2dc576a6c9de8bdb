package web

import (
	"net/http"
	"strconv"

	"gongkai"
	"gongkai/internal/store"
)

// The self-inspections (自查) and annual reports of a school, read-only,
// for those who read them on the pages: the principal, the leadership and
// supervision groups and the bureau (404 for everyone else).

type apiInspectionSummary struct {
	Term         string  `json:"term"`
	Label        string  `json:"label"`
	State        string  `json:"state"`
	NotMet       int     `json:"not_met"`
	Partly       int     `json:"partly"`
	OpenMeasures int     `json:"open_measures"`
	SubmittedAt  apiTime `json:"submitted_at"`
	SubmittedBy  string  `json:"submitted_by"`
	UpdatedAt    apiTime `json:"updated_at"`
	URL          string  `json:"url"`
}

type apiInspectionItem struct {
	Code     string  `json:"code"`
	Title    string  `json:"title"`
	Verdict  *string `json:"verdict"`
	Note     string  `json:"note"`
	Measure  string  `json:"measure"`
	Due      apiDate `json:"due"`
	Done     bool    `json:"done"`
	DoneNote string  `json:"done_note"`
	DoneAt   apiTime `json:"done_at"`
	DoneBy   string  `json:"done_by"`
}

type apiInspection struct {
	apiInspectionSummary
	Summary string              `json:"summary"`
	Items   []apiInspectionItem `json:"items"`
}

// apiInspections lists the school's self-inspections, newest term first.
func (s *Server) apiInspections(w http.ResponseWriter, r *http.Request) error {
	school, _, err := inspectionReader(r)
	if err != nil {
		return err
	}
	list, err := s.db.FindInspections(r.Context(), school.ID)
	if err != nil {
		return err
	}
	out := struct {
		Items []apiInspectionSummary `json:"items"`
	}{Items: []apiInspectionSummary{}}
	for _, in := range list {
		out.Items = append(out.Items, apiInspectionSummaryOf(school, in))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func apiInspectionSummaryOf(school *gongkai.School, in store.InspectionSummary) apiInspectionSummary {
	return apiInspectionSummary{Term: in.Term.Key(), Label: in.Term.Label(), State: string(in.State), NotMet: in.NotMet, Partly: in.Partly,
		OpenMeasures: in.OpenMeasures, SubmittedAt: apiTime(in.SubmittedAt), SubmittedBy: in.SubmittedByName, UpdatedAt: apiTime(in.UpdatedAt),
		URL: inspectionURL(school, in.Term)}
}

// apiInspection returns the school's checklist of a term with every item;
// 404 for a term not begun or without a checklist.
func (s *Server) apiInspection(w http.ResponseWriter, r *http.Request) error {
	school, _, err := inspectionReader(r)
	if err != nil {
		return err
	}
	term, err := s.termOf(r)
	if err != nil {
		return err
	}
	in, err := s.db.FindInspection(r.Context(), school.ID, term)
	if err != nil {
		return err
	}
	out := apiInspection{apiInspectionSummary: apiInspectionSummaryOf(school, store.InspectionSummary{Term: term, State: in.State,
		NotMet: in.Count(gongkai.VerdictNotMet), Partly: in.Count(gongkai.VerdictPartly), OpenMeasures: in.OpenMeasures(),
		SubmittedAt: in.SubmittedAt, SubmittedByName: in.SubmittedByName, UpdatedAt: in.UpdatedAt}), Summary: in.Summary, Items: []apiInspectionItem{}}
	for _, a := range in.Answers {
		it := apiInspectionItem{Code: a.Code, Title: a.Title, Note: a.Note, Measure: a.Measure, Due: apiDate(a.Due), Done: a.Done,
			DoneNote: a.DoneNote, DoneAt: apiTime(a.DoneAt), DoneBy: a.DoneByName}
		if a.Verdict != "" {
			v := string(a.Verdict)
			it.Verdict = &v
		}
		out.Items = append(out.Items, it)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type apiReportFeedback struct {
	Received  int `json:"received"`
	Answered  int `json:"answered"`
	OnTime    int `json:"on_time"`
	Open      int `json:"open"`
	Escalated int `json:"escalated"`
}

type apiReportDisclosure struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	State string `json:"state"`
}

type apiReport struct {
	Year        int                  `json:"year"`
	Title       string               `json:"title"`
	Summary     string               `json:"summary"`
	Problems    string               `json:"problems"`
	Other       string               `json:"other"`
	Disclosure  *apiReportDisclosure `json:"disclosure"`
	Published   int                  `json:"published"`
	ByCategory  map[string]int       `json:"by_category"`
	Withdrawn   int                  `json:"withdrawn"`
	Revised     int                  `json:"revised"`
	Obligations struct {
		OnTime  int `json:"on_time"`
		Late    int `json:"late"`
		Overdue int `json:"overdue"`
		Waived  int `json:"waived"`
		Pending int `json:"pending"`
	} `json:"obligations"`
	Feedback        map[string]apiReportFeedback `json:"feedback"`
	MedianReplyDays *float64                     `json:"median_reply_days"`
	Ratings         struct {
		Satisfied   int `json:"satisfied"`
		Basic       int `json:"basic"`
		Unsatisfied int `json:"unsatisfied"`
	} `json:"ratings"`
	SurveyScore *float64 `json:"survey_score"`
	Inspections []string `json:"inspections"`
	URL         string   `json:"url"`
}

// apiReport returns the school's annual report of a year: the figures
// from the data, the paragraphs the principal wrote and the disclosure it
// was published as, if any.
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) error {
	school, _, err := inspectionReader(r)
	if err != nil {
		return err
	}
	year, xlsx, err := s.reportYear(r)
	if err != nil || xlsx {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有该年度的报告。")
	}
	in, rep, err := s.schoolReport(r, school, year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiReportOf(school, in, rep))
	return nil
}

func apiReportOf(school *gongkai.School, in reportInput, rep *store.AnnualReport) apiReport {
	f := in.F
	out := apiReport{Year: in.Year, Title: gongkai.ReportTitle(school.Name, in.Year), Summary: rep.Summary, Problems: rep.Problems, Other: rep.Other,
		Published: f.Published, ByCategory: map[string]int{}, Withdrawn: f.Withdrawn, Revised: f.Revised,
		Feedback: map[string]apiReportFeedback{}, Inspections: []string{}, URL: "/s/" + school.Slug + "/report/" + strconv.Itoa(in.Year)}
	if rep.DisclosureID != 0 {
		out.Disclosure = &apiReportDisclosure{rep.DisclosureID, rep.DisclosureTitle, string(rep.DisclosureState)}
	}
	for k, v := range f.ByCategory {
		out.ByCategory[k] = v
	}
	o := f.Obligations
	out.Obligations.OnTime, out.Obligations.Late, out.Obligations.Overdue, out.Obligations.Waived, out.Obligations.Pending = o.OnTime, o.Late, o.Overdue, o.Waived, o.Pending
	for k, v := range f.Feedback {
		out.Feedback[string(k)] = apiReportFeedback{v.Received, v.Answered, v.OnTime, v.Open, v.Escalated}
	}
	if f.MedianReplyDays >= 0 {
		m := f.MedianReplyDays
		out.MedianReplyDays = &m
	}
	out.Ratings.Satisfied, out.Ratings.Basic, out.Ratings.Unsatisfied = f.Satisfied, f.Basic, f.Unsatisfied
	if in.Survey.Score >= 0 && in.Survey.Surveys > 0 {
		sc := in.Survey.Score
		out.SurveyScore = &sc
	}
	for _, i := range in.Inspections {
		out.Inspections = append(out.Inspections, i.Term.Key())
	}
	return out
}
