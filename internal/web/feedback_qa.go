package web

import (
	"fmt"
	"net/http"
	"strconv"

	"gongkai"
)

// The public questions and answers, and support for requests (联名).

type qaPage struct {
	base
	Items     []*gongkai.Feedback
	Total     int
	Pager     []pageLink
	Requests  []requestRow
	Threshold int
	Page      int
}

type requestRow struct {
	F          *gongkai.Feedback
	CanSupport bool
	SupportURL string
	Answer     string // the public answer, or the reason of a refusal
	Refused    bool
}

func (s *Server) handleQA(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	p := &qaPage{base: s.base(r, "")}
	p.Title = p.T("问答")
	p.Nav = "qa"
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	p.Page = min(max(page, 1), 100000)
	items, total, err := s.db.FindQA(ctx, school.ID, p.Page)
	if err != nil {
		return err
	}
	p.Items, p.Total = items, total
	p.Pager = pager(r.URL, p.Page, total, perPage)
	settings, err := s.db.FindFeedbackSettings(ctx, school.ID)
	if err != nil {
		return err
	}
	p.Threshold = settings.SupportThreshold
	if p.Page == 1 {
		reqs, _, err := s.db.FindRequests(ctx, school.ID, 1)
		if err != nil {
			return err
		}
		for _, f := range reqs {
			row := requestRow{F: f, SupportURL: fmt.Sprintf("/s/%s/feedback/%d/support", school.Slug, f.ID)}
			row.CanSupport = !p.Actor.Anonymous() && f.State.Open()
			row.Refused = f.State == gongkai.FeedbackDeclined
			if f.QAPublished {
				row.Answer = f.QAAnswer
			}
			p.Requests = append(p.Requests, row)
		}
	}
	if p.Page > 1 {
		p.Title += " - " + p.Tf("第 %d 页", p.Page)
	}
	cachePrivate(w, &p.base, false)
	s.render(w, r, "feedback-qa", p)
	return nil
}

func (s *Server) handleSupport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "申请不存在。")
	}
	n, err := s.db.SupportRequest(ctx, school.ID, id, actor.ID)
	back := fmt.Sprintf("/s/%s/qa#r-%d", school.Slug, id)
	switch gongkai.ErrorCode(err) {
	case "":
		return s.redirect(w, r, back, fmt.Sprintf("已支持该申请，目前共 %d 人支持。", n))
	case gongkai.ECONFLICT, gongkai.EINVALID:
		return s.redirect(w, r, back, "!"+gongkai.ErrorMessage(err))
	}
	return err
}
