package web

import (
	"net/http"

	"gongkai"
	"gongkai/internal/store"
)

// apiDashboardSchool is one school's line of the bureau's dashboard, for
// the period asked for.
type apiDashboardSchool struct {
	Slug               string              `json:"slug"`
	Name               string              `json:"name"`
	OnTime             int                 `json:"on_time"`
	Late               int                 `json:"late"`
	Overdue            int                 `json:"overdue"`
	Waived             int                 `json:"waived"`
	Pending            int                 `json:"pending"`
	Cases              int                 `json:"cases"`
	OnTimeRate         *float64            `json:"on_time_rate"`
	Rank               *int                `json:"rank"`
	OpenFeedback       int                 `json:"open_feedback"`
	Replied            int                 `json:"replied"`
	MedianReplyDays    *float64            `json:"median_reply_days"`
	OpenRectifications int                 `json:"open_rectifications"`
	OpenOrders         int                 `json:"open_orders"`
	OverdueOrders      int                 `json:"overdue_orders"`
	Satisfaction       *float64            `json:"satisfaction"` // 0–100 over the last 12 months; null without a survey
	SurveyResponses    int                 `json:"survey_responses"`
	Monthly            []apiDashboardMonth `json:"monthly"`
}

type apiDashboardMonth struct {
	Month   string `json:"month"` // 2026-11
	OnTime  int    `json:"on_time"`
	Late    int    `json:"late"`
	Overdue int    `json:"overdue"`
	Cases   int    `json:"cases"`
}

// apiDashboard returns every school of the reader's bureau with its figures
// of this month, term or year (?period=, default month).
func (s *Server) apiDashboard(w http.ResponseWriter, r *http.Request) error {
	bureau, err := s.bureauOf(r)
	if err != nil {
		return err
	}
	period := store.PeriodMonth
	if v := r.URL.Query().Get("period"); v != "" {
		period = store.DashPeriod(v)
		if period != store.PeriodMonth && period != store.PeriodTerm && period != store.PeriodYear {
			msg := "没有这个统计期间：" + apiQuote(v) + "。可用：month, term, year。"
			return &gongkai.Error{Code: gongkai.EMALFORMED, Message: msg, Fields: map[string]string{"period": msg}}
		}
	}
	now := s.db.Now()
	figs, err := s.db.Dashboard(r.Context(), bureau.ID, now)
	if err != nil {
		return err
	}
	from, to, _ := period.Bounds(now)
	out := struct {
		Period       string               `json:"period"`
		From         apiDate              `json:"from"`
		To           apiDate              `json:"to"`
		MinRankCases int                  `json:"min_rank_cases"`
		Schools      []apiDashboardSchool `json:"schools"`
	}{Period: string(period), From: apiDate(from), To: apiDate(to), MinRankCases: store.MinRankCases, Schools: make([]apiDashboardSchool, 0, len(figs))}
	for i := range figs {
		f := &figs[i]
		pf := f.Period(period)
		a := apiDashboardSchool{Slug: f.Slug, Name: f.Name, OnTime: pf.OnTime, Late: pf.Late, Overdue: pf.Overdue, Waived: pf.Waived,
			Pending: pf.Pending, Cases: pf.Cases(), OpenFeedback: f.OpenFeedback, Replied: f.Replied, OpenRectifications: f.OpenRectifications,
			OpenOrders: f.Orders.Open, OverdueOrders: f.Orders.Overdue, SurveyResponses: f.Survey.Responses,
			Monthly: make([]apiDashboardMonth, len(f.Series))}
		if pf.Cases() > 0 {
			rate := pf.Rate()
			a.OnTimeRate = &rate
		}
		if pf.Rank > 0 {
			rank := pf.Rank
			a.Rank = &rank
		}
		if f.Survey.Responses > 0 {
			score := f.Survey.Score
			a.Satisfaction = &score
		}
		if f.Replied > 0 {
			med := f.MedianReplyDays
			a.MedianReplyDays = &med
		}
		for k, m := range f.Series {
			a.Monthly[k] = apiDashboardMonth{Month: m.Month.Format("2006-01"), OnTime: m.OnTime, Late: m.Late, Overdue: m.Overdue, Cases: m.Cases()}
		}
		out.Schools = append(out.Schools, a)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
