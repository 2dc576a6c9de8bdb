package web

import (
	"context"
	"net/http"
	"slices"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// The work queue (工作台): what waits for the reader's action, by step.

type workPage struct {
	base
	Groups   []*workGroup
	Schools  []workSchool // schools where the reader takes part in the procedure
	Boards   []workSchool // schools where the reader only reads
	Bureau   *bureauWork
	Workflow bool            // the reader holds a workflow role somewhere
	Feedback *feedbackWork   // cases waiting for the reader, and those they sent
	Orders   *orderWork      // supervision orders waiting for the reader (orders.go)
	Surveys  []surveyWorkRow // open surveys the reader has yet to answer (surveys.go)
	// Inspections are this term's self-inspections the reader's
	// supervision group has yet to submit (inspection.go).
	Inspections []inspectionWorkRow
}

// Cat is a category's name in the reader's language.
func (p *workPage) Cat(code string) string { return categoryName(&p.base, code) }

// Empty reports whether nothing waits for the reader.
func (p *workPage) Empty() bool {
	if p.Feedback.Waiting() || p.Orders.Waiting() || len(p.Surveys) > 0 || len(p.Inspections) > 0 {
		return false
	}
	for _, g := range p.Groups {
		if len(g.Rows) > 0 {
			return false
		}
	}
	return true
}

type workSchool struct {
	School    *gongkai.School
	CanCreate bool
	CanManage bool // the principal: the school's profile and its people
	IsStaff   bool
}

// workGroup is one heading of the work queue.
type workGroup struct {
	Key   string
	Title string
	Hint  string
	Rows  []workRow
}

type workRow struct {
	School    *gongkai.School
	Item      *store.WorkItem
	URL       string
	DateLabel string // what Date is: 提交于, 签发于, …
	Date      time.Time
	PeriodEnd time.Time
	Countdown gongkai.Countdown // of the publicity period
	Reason    string            // the return reason of a returned draft
	ReturnBy  string
}

type bureauWork struct {
	Name    string
	Columns []string // what waits in each counted state
	Rows    []bureauRow
}

type bureauRow struct {
	School *gongkai.School
	Counts []bureauCount
	Total  int
}

type bureauCount struct {
	Label string
	N     int
	URL   string
}

// workGroups are the headings of the work queue in the order of the
// procedure; the reader sees only those with rows.
var workGroups = []workGroup{
	{Key: "returned", Title: "退回待修改", Hint: "领导小组或监督小组退回的登记表，请按意见修改后重新提交。"},
	{Key: "sign", Title: "待签发", Hint: "已提交审议，等待校长签发。"},
	{Key: "review", Title: "待审议", Hint: "已提交审议，领导小组可提出审议意见或退回修改。"},
	{Key: "check", Title: "待审核", Hint: "校长已签发，等待监督小组审核。"},
	{Key: "publish", Title: "待发布", Hint: "监督小组已审核，可以发布。"},
	{Key: "period", Title: "公示中", Hint: "3 个工作日内公示期满的事项，请留意异议。"},
	{Key: "drafts", Title: "我的草稿", Hint: "尚未提交审议的登记表。"},
}

func (s *Server) handleWork(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := &workPage{base: s.base(r, "工作台")}
	p.Title = p.T("工作台")
	p.NoIndex = true
	actor := p.Actor

	groups := map[string]*workGroup{}
	for _, g := range workGroups {
		g.Title, g.Hint = p.T(g.Title), p.T(g.Hint)
		p.Groups = append(p.Groups, &g)
		groups[g.Key] = &g
	}
	calendars := map[int64]*gongkai.WorkCalendar{} // by bureau
	var schoolIDs []int64
	for _, m := range actor.Memberships {
		if !slices.Contains(schoolIDs, m.SchoolID) {
			schoolIDs = append(schoolIDs, m.SchoolID)
		}
	}
	for _, id := range schoolIDs {
		if err := s.fillSchoolWork(ctx, p, id, groups, calendars); err != nil {
			return err
		}
	}
	if actor.BureauRole.ValidBureau() && actor.BureauID != 0 {
		if err := s.fillBureauWork(ctx, p); err != nil {
			return err
		}
	}
	if err := s.fillOtherWork(ctx, p); err != nil {
		return err
	}
	s.render(w, r, "work", p)
	return nil
}

// fillSchoolWork adds one school of the reader: to the boards they only
// read, or to the schools where they take part, with the items waiting
// for them under their headings.
func (s *Server) fillSchoolWork(ctx context.Context, p *workPage, id int64, groups map[string]*workGroup, calendars map[int64]*gongkai.WorkCalendar) error {
	actor := p.Actor
	school, err := s.db.FindSchoolByID(ctx, id)
	if err != nil {
		return err
	}
	ws := workSchool{School: school, CanCreate: gongkai.CanCreateDisclosure(actor, id), CanManage: gongkai.CanManageSchool(actor, school.BureauID, id), IsStaff: gongkai.CanReadInternalBoard(actor, school.BureauID, id)}
	if !gongkai.CanSeeUnpublished(actor, school.BureauID, id) {
		p.Boards = append(p.Boards, ws)
		return nil
	}
	p.Workflow = true
	p.Schools = append(p.Schools, ws)
	q := workQueryFor(actor, id, ws.CanCreate)
	var cal *gongkai.WorkCalendar
	if actor.HasRole(id, gongkai.RoleClerk) || actor.HasRole(id, gongkai.RolePrincipal) {
		if cal = calendars[school.BureauID]; cal == nil {
			if cal, err = s.db.Calendar(ctx, school.RegionCode); err != nil {
				return err
			}
			calendars[school.BureauID] = cal
		}
		// The period ends "within 3 working days": on one of the next
		// three working days, today included when it is one.
		today := beijingDay(p.Now)
		q.PeriodFrom = today
		q.PeriodTo, _ = cal.AddWorkdays(today.AddDate(0, 0, -1), 3)
	}
	items, err := s.db.FindWork(ctx, id, q)
	if err != nil {
		return err
	}
	for _, it := range items {
		key, row := workRowOf(actor, school, it, cal, p.Now)
		if g := groups[key]; g != nil {
			row.DateLabel = p.T(row.DateLabel)
			g.Rows = append(g.Rows, row)
		}
	}
	return nil
}

// workQueryFor asks for the states in which the actor has a step to take,
// on items and on pending revisions, and for their own drafts.
func workQueryFor(actor *gongkai.Actor, id int64, canCreate bool) store.WorkQuery {
	q := store.WorkQuery{}
	waiting := []gongkai.State{gongkai.StateSubmitted, gongkai.StateApproved, gongkai.StateChecked}
	for _, st := range waiting {
		// Recalling one's own submission is no work waiting.
		if slices.ContainsFunc(gongkai.AvailableActions(actor, id, st), func(a gongkai.Action) bool { return a != gongkai.ActionRecall }) {
			q.States = append(q.States, st)
		}
	}
	// A pending revision waits for the same steps as an item.
	revStep := map[gongkai.State][]gongkai.Action{
		gongkai.StateSubmitted: {gongkai.ActionApprove, gongkai.ActionComment, gongkai.ActionReturn},
		gongkai.StateApproved:  {gongkai.ActionCheck},
		gongkai.StateChecked:   {gongkai.ActionPublish},
	}
	for _, st := range waiting {
		for _, a := range revStep[st] {
			if gongkai.AuthorizeRevision(actor, id, gongkai.StatePublished, st, a) == nil {
				q.RevisionStates = append(q.RevisionStates, st)
				break
			}
		}
	}
	if canCreate {
		q.DraftsBy = actor.ID
		q.RevisionDraftsBy = actor.ID
	}
	return q
}

// workRowOf is the row of an item waiting for the actor and the key of its
// heading ("" when none applies).
func workRowOf(actor *gongkai.Actor, school *gongkai.School, it *store.WorkItem, cal *gongkai.WorkCalendar, now time.Time) (string, workRow) {
	row := workRow{School: school, Item: it, URL: reviewURL(school, it.ID), Date: it.Since}
	acts := gongkai.AvailableActions(actor, school.ID, it.State)
	state := it.State
	if it.Revision {
		// The revision's own step decides its heading.
		row.URL, state = revisionURL(school, it.ID), it.RevisionState
		acts = gongkai.AvailableRevisionActions(actor, school.ID, it.State, it.RevisionState)
	}
	key := ""
	switch state {
	case gongkai.StateSubmitted:
		row.DateLabel = "提交于"
		if slices.Contains(acts, gongkai.ActionApprove) {
			key = "sign"
		} else if slices.Contains(acts, gongkai.ActionComment) || slices.Contains(acts, gongkai.ActionReturn) {
			key = "review"
		}
	case gongkai.StateApproved:
		row.DateLabel = "签发于"
		if slices.Contains(acts, gongkai.ActionCheck) {
			key = "check"
		}
	case gongkai.StateChecked:
		row.DateLabel = "审核于"
		if slices.Contains(acts, gongkai.ActionPublish) {
			key = "publish"
		}
	case gongkai.StateDraft:
		switch {
		case it.Step == gongkai.ActionReturn:
			key, row.DateLabel, row.Reason, row.ReturnBy = "returned", "退回于", it.StepComment, it.StepActor
		case it.Revision:
			key, row.DateLabel = "drafts", "修订于"
		default:
			key, row.DateLabel, row.Date = "drafts", "更新于", it.UpdatedAt
		}
	case gongkai.StatePublished:
		key, row.DateLabel, row.Date, row.PeriodEnd = "period", "发布于", it.PublishedAt, it.PublicityEnd
		row.Countdown = countdown(cal, it.PublicityEnd, now)
	}
	return key, row
}

// fillOtherWork adds what waits for the reader beyond the procedure:
// feedback, supervision orders, surveys and self-inspections.
func (s *Server) fillOtherWork(ctx context.Context, p *workPage) error {
	var err error
	if p.Feedback, err = s.feedbackWorkFor(ctx, p.Actor, p.Now); err != nil {
		return err
	}
	if p.Orders, err = s.orderWorkFor(ctx, &p.base); err != nil {
		return err
	}
	if p.Surveys, err = s.surveyWorkFor(ctx, p.Actor); err != nil {
		return err
	}
	p.Inspections, err = s.inspectionWorkFor(ctx, p.Actor, p.Now)
	return err
}

// fillBureauWork lists the bureau's schools with how many items wait in each
// step, in two queries.
func (s *Server) fillBureauWork(ctx context.Context, p *workPage) error {
	bureau, err := s.db.FindBureauByID(ctx, p.Actor.BureauID)
	if err != nil {
		return err
	}
	schools, err := s.db.FindSchools(ctx, bureau.ID)
	if err != nil {
		return err
	}
	// Each state is named by the step it waits for.
	states := []gongkai.State{gongkai.StateSubmitted, gongkai.StateApproved, gongkai.StateChecked, gongkai.StatePublished}
	labels := []string{"待审议", "待审核", "待发布", "已发布"}
	counts, err := s.db.CountByState(ctx, bureau.ID, states)
	if err != nil {
		return err
	}
	bw := &bureauWork{Name: bureau.Name}
	for _, l := range labels {
		bw.Columns = append(bw.Columns, p.T(l))
	}
	for _, sc := range schools {
		row := bureauRow{School: sc}
		for i, st := range states {
			n := counts[sc.ID][st]
			row.Counts = append(row.Counts, bureauCount{Label: bw.Columns[i], N: n, URL: "/s/" + sc.Slug + "/manage/?state=" + string(st)})
			if st != gongkai.StatePublished {
				row.Total += n
			}
		}
		// A deactivated school takes nothing new; it stays on the list only
		// while items of it wait to be finished.
		if !sc.Active() && row.Total == 0 {
			continue
		}
		bw.Rows = append(bw.Rows, row)
	}
	p.Bureau = bw
	return nil
}
