package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/store"
)

// The staff queue of a school, and the bureau's.

type casesPage struct {
	base
	Heading   string
	Path      string // the queue's own path
	Bureau    bool   // the bureau's queue of all its schools
	Tab       string
	Tabs      []linkItem
	Kind      string
	Query     string
	Kinds     []gongkai.FeedbackKind
	Rows      []caseRow
	Total     int
	Pager     []pageLink
	CanManage bool
	Handles   bool // the reader handles cases of some kind here
}

type caseRow struct {
	F       *gongkai.Feedback
	URL     string
	School  *gongkai.School
	Overdue bool
	Age     int // days since received
	Due     time.Time
}

// newCaseRow describes a case in a list.
func newCaseRow(school *gongkai.School, f *gongkai.Feedback, now time.Time) caseRow {
	row := caseRow{F: f, URL: caseURL(school, f.ID), School: school, Overdue: f.Overdue(now), Due: f.Due}
	if f.State == gongkai.FeedbackRectifying && !f.RectifyDue.IsZero() {
		row.Due = f.RectifyDue
	}
	if !f.CreatedAt.IsZero() {
		row.Age = int(beijingDay(now).Sub(beijingDay(f.CreatedAt)).Hours() / 24)
	}
	return row
}

// kindsFor lists the kinds of the school's cases the actor handles (handle)
// or may read, asking the domain about a case of each kind.
func kindsFor(a *gongkai.Actor, school *gongkai.School, handle bool) []gongkai.FeedbackKind {
	var out []gongkai.FeedbackKind
	for _, k := range gongkai.FeedbackKinds {
		f := &gongkai.Feedback{Kind: k, SchoolID: school.ID}
		if handle && gongkai.CanHandleFeedback(a, school.BureauID, f) || !handle && gongkai.CanSeeFeedback(a, school.BureauID, f) {
			out = append(out, k)
		}
	}
	return out
}

var caseTabs = [][2]string{{"todo", "待办"}, {"overdue", "已逾期"}, {"all", "全部"}}

// queueFilter reads the tab, kind, words and page of a queue.
func (p *casesPage) queueFilter(r *http.Request, defaultTab string) store.FeedbackFilter {
	q := r.URL.Query()
	p.Tab = q.Get("tab")
	if !slices.ContainsFunc(caseTabs, func(t [2]string) bool { return t[0] == p.Tab }) {
		p.Tab = defaultTab
	}
	if k := gongkai.FeedbackKind(q.Get("kind")); k.Valid() {
		p.Kind = string(k)
	}
	p.Query = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(p.Query) > 50 {
		p.Query = string([]rune(p.Query)[:50])
	}
	page, _ := strconv.Atoi(q.Get("page"))
	f := store.FeedbackFilter{Query: p.Query, Page: min(max(page, 1), 100000), PerPage: casesPerPage}
	switch p.Tab {
	case "todo":
		f.Open = true
	case "overdue":
		f.Overdue = true
	}
	link := func(tab string) string {
		v := url.Values{}
		v.Set("tab", tab)
		if p.Kind != "" {
			v.Set("kind", p.Kind)
		}
		if p.Query != "" {
			v.Set("q", p.Query)
		}
		return p.Path + "?" + v.Encode()
	}
	for _, t := range caseTabs {
		p.Tabs = append(p.Tabs, linkItem{Label: p.T(t[1]), URL: link(t[0]), Current: t[0] == p.Tab})
	}
	return f
}

func (s *Server) handleCases(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	p := &casesPage{base: s.base(r, ""), Path: casesURL(school)}
	p.Title = p.T("来信办理")
	p.Heading = p.Title
	p.Nav, p.NoIndex = "cases", true
	p.CanManage = p.base.CanManage()
	handles, sees := kindsFor(actor, school, true), kindsFor(actor, school, false)
	p.Handles = len(handles) > 0
	p.Kinds = sees
	if len(p.Kinds) == 0 {
		p.Kinds = gongkai.FeedbackKinds
	}
	defaultTab := "todo"
	if len(handles) == 0 && len(sees) > 0 {
		defaultTab = "all" // inspectors read; they handle nothing
	}
	f := p.queueFilter(r, defaultTab)
	// The store keeps what the reader may see, so pages and totals agree;
	// the to-do tab narrows that to the kinds the reader handles, or to
	// what was assigned to them.
	f.Viewer = actor
	query := true
	if p.Kind != "" {
		f.Kinds = []gongkai.FeedbackKind{gongkai.FeedbackKind(p.Kind)}
	}
	if p.Tab == "todo" {
		switch {
		case len(handles) == 0:
			f.AssigneeID = actor.ID
		case p.Kind == "":
			f.Kinds = handles
		default:
			query = slices.Contains(handles, gongkai.FeedbackKind(p.Kind))
		}
	}
	var cases []*gongkai.Feedback
	if query {
		var err error
		if cases, p.Total, err = s.db.FindFeedback(ctx, school.BureauID, school.ID, f); err != nil {
			return err
		}
	}
	for _, c := range cases {
		ok := gongkai.CanSeeFeedback(actor, school.BureauID, c)
		if p.Tab == "todo" {
			ok = gongkai.CanHandleFeedback(actor, school.BureauID, c)
		}
		if ok {
			p.Rows = append(p.Rows, newCaseRow(school, c, p.Now))
		}
	}
	p.Pager = pager(r.URL, f.Page, p.Total, casesPerPage)
	s.render(w, r, "feedback-cases", p)
	return nil
}

// bureauSchools returns the bureau of a bureau user with its schools, also
// by id; ENOTFOUND for anyone else.
func (s *Server) bureauSchools(r *http.Request) (*gongkai.Bureau, []*gongkai.School, map[int64]*gongkai.School, error) {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	if !actor.BureauRole.ValidBureau() || actor.BureauID == 0 {
		return nil, nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	bureau, err := s.db.FindBureauByID(ctx, actor.BureauID)
	if err != nil {
		return nil, nil, nil, err
	}
	schools, err := s.db.FindSchools(ctx, bureau.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	byID := make(map[int64]*gongkai.School, len(schools))
	for _, sc := range schools {
		byID[sc.ID] = sc
	}
	return bureau, schools, byID, nil
}

// handleBureauCases lists the cases with the bureau — reports about a
// school's leadership and escalations — of every school of the bureau.
func (s *Server) handleBureauCases(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	bureau, _, byID, err := s.bureauSchools(r)
	if err != nil {
		return err
	}
	p := &casesPage{base: s.base(r, ""), Path: "/bureau/cases", Bureau: true}
	p.Title = p.T("教育局督办")
	p.Heading = bureau.Name + " · " + p.Title
	p.NoIndex = true
	p.Kinds = gongkai.FeedbackKinds
	p.Handles = actor.BureauRole == gongkai.RoleBureauAdmin
	defaultTab := "todo"
	if !p.Handles {
		defaultTab = "all"
	}
	f := p.queueFilter(r, defaultTab)
	f.ToBureau, f.Viewer = true, actor
	if p.Kind != "" {
		f.Kinds = []gongkai.FeedbackKind{gongkai.FeedbackKind(p.Kind)}
	}
	cases, total, err := s.db.FindFeedback(ctx, bureau.ID, 0, f)
	if err != nil {
		return err
	}
	p.Total = total
	for _, c := range cases {
		sc := byID[c.SchoolID]
		if sc == nil || !gongkai.CanSeeFeedback(actor, sc.BureauID, c) {
			continue
		}
		p.Rows = append(p.Rows, newCaseRow(sc, c, p.Now))
	}
	p.Pager = pager(r.URL, f.Page, p.Total, casesPerPage)
	s.render(w, r, "feedback-cases", p)
	return nil
}
