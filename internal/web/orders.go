package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// Supervision orders (督办通知 / 整改通知): the bureau's administrator
// issues them to schools with a deadline; the principal answers, the
// bureau accepts or returns. Whoever may not read an order gets 404.

const ordersPerPage = 20

// orderRow is an order in a list, with its school and how far its
// deadline is.
type orderRow struct {
	O         *gongkai.Order
	School    *gongkai.School
	URL       string
	Overdue   bool
	Remaining string // 剩余 N 个工作日, 今日到期, 逾期 N 个工作日; "" once answered
}

func orderURL(school *gongkai.School, id int64) string {
	return "/s/" + school.Slug + "/orders/" + strconv.FormatInt(id, 10)
}

// remaining says how far the deadline of an order waiting for the school
// is, in working days of the bureau's calendar.
func remaining(b *base, cal *gongkai.WorkCalendar, o *gongkai.Order, now time.Time) string {
	if !o.State.AwaitsSchool() || o.Deadline.IsZero() || cal == nil {
		return ""
	}
	return b.Countdown(gongkai.CountdownAt(cal, o.Deadline, now))
}

func newOrderRow(b *base, cal *gongkai.WorkCalendar, school *gongkai.School, o *gongkai.Order, now time.Time) orderRow {
	return orderRow{O: o, School: school, URL: orderURL(school, o.ID), Overdue: o.Overdue(now), Remaining: remaining(b, cal, o, now)}
}

// CanReadOrders reports whether the reader may open the school's orders
// (school navigation).
func (b *base) CanReadOrders() bool {
	return b.School != nil && gongkai.CanReadOrders(b.Actor, b.School.BureauID, b.School.ID)
}

// ---------------------------------------------------------------- lists

// ordersPage lists orders: the bureau's (all its schools) or one school's.
type ordersPage struct {
	base
	Heading  string
	Path     string
	Bureau   bool // the bureau's list, with the school column and filter
	CanIssue bool
	Schools  []*gongkai.School // the filter's choices (bureau)
	State    string            // "", "open" or a state
	SchoolID int64
	Overdue  bool
	States   []gongkai.OrderState
	Rows     []orderRow
	Total    int
	Pager    []pageLink
}

// filter reads the list's query: ?state=&school=&overdue=1&page=.
func (p *ordersPage) filter(r *http.Request) store.OrderFilter {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := store.OrderFilter{Page: min(max(page, 1), 100000), PerPage: ordersPerPage}
	switch st := q.Get("state"); {
	case st == "open":
		p.State, f.Open = st, true
	case gongkai.OrderState(st).Valid():
		p.State, f.States = st, []gongkai.OrderState{gongkai.OrderState(st)}
	}
	if q.Get("overdue") != "" {
		p.Overdue, f.Overdue = true, true
	}
	p.States = gongkai.OrderStates
	return f
}

func (s *Server) handleBureauOrders(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	bureau, schools, byID, err := s.bureauSchools(r)
	if err != nil {
		return err
	}
	p := &ordersPage{base: s.base(r, ""), Path: "/bureau/orders", Bureau: true, Schools: schools, CanIssue: gongkai.CanIssueOrder(actor, bureau.ID)}
	p.Title = p.T("督办通知")
	p.Heading = bureau.Name + " · " + p.Title
	p.NoIndex = true
	f := p.filter(r)
	if v, err := strconv.ParseInt(r.URL.Query().Get("school"), 10, 64); err == nil && byID[v] != nil {
		p.SchoolID, f.SchoolID = v, v
	}
	orders, total, err := s.db.FindOrders(ctx, bureau.ID, f)
	if err != nil {
		return err
	}
	cal, err := s.db.Calendar(ctx, bureau.RegionCode)
	if err != nil {
		return err
	}
	p.Total = total
	for _, o := range orders {
		if sc := byID[o.SchoolID]; sc != nil && gongkai.CanReadOrder(actor, sc.BureauID, o) {
			p.Rows = append(p.Rows, newOrderRow(&p.base, cal, sc, o, p.Now))
		}
	}
	p.Pager = pager(r.URL, f.Page, p.Total, ordersPerPage)
	s.render(w, r, "orders", p)
	return nil
}

func (s *Server) handleSchoolOrders(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	if !gongkai.CanReadOrders(actor, school.BureauID, school.ID) {
		return gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	p := &ordersPage{base: s.base(r, ""), Path: "/s/" + school.Slug + "/orders", CanIssue: gongkai.CanIssueOrder(actor, school.BureauID)}
	p.Title = p.T("督办通知")
	p.Heading = p.Title
	p.Nav, p.NoIndex = "orders", true
	f := p.filter(r)
	f.SchoolID = school.ID
	orders, total, err := s.db.FindOrders(ctx, school.BureauID, f)
	if err != nil {
		return err
	}
	cal, err := s.db.Calendar(ctx, school.RegionCode)
	if err != nil {
		return err
	}
	p.Total = total
	for _, o := range orders {
		p.Rows = append(p.Rows, newOrderRow(&p.base, cal, school, o, p.Now))
	}
	p.Pager = pager(r.URL, f.Page, p.Total, ordersPerPage)
	s.render(w, r, "orders", p)
	return nil
}

// ---------------------------------------------------------------- links from other pages

// OrderLink is where the bureau's administrator issues an order about an
// overdue obligation, or "" for other readers and obligations.
func (p *obligationsPage) OrderLink(o *gongkai.Obligation) string {
	if p.School == nil || o.State != gongkai.ObOverdue || !gongkai.CanIssueOrder(p.Actor, p.School.BureauID) {
		return ""
	}
	return fmt.Sprintf("/bureau/orders/new?school=%d&obligation=%d", p.School.ID, o.ID)
}

// OrderLink is where the bureau's administrator issues an order about a
// case with the bureau, or "".
func (p *casePage) OrderLink() string {
	if p.School == nil || (!p.F.ToBureau && !p.F.Escalated) || !gongkai.CanIssueOrder(p.Actor, p.School.BureauID) {
		return ""
	}
	return fmt.Sprintf("/bureau/orders/new?school=%d&case=%d", p.School.ID, p.F.ID)
}

// ---------------------------------------------------------------- 工作台

// orderWork is what orders wait for on the work page: for the principal
// and the leadership group, orders their school owes an answer; for the
// bureau's administrator, answers to accept.
type orderWork struct {
	Todo   []orderRow
	Review []orderRow
	Bureau bool // the reader is a bureau user: link to the bureau's list
}

// Waiting reports whether any order waits for the reader.
func (ow *orderWork) Waiting() bool { return ow != nil && len(ow.Todo)+len(ow.Review) > 0 }

// orderWorkFor fills the work page's orders: one query per school where
// the reader is principal or leader, one for a bureau administrator.
func (s *Server) orderWorkFor(ctx context.Context, b *base) (*orderWork, error) {
	actor := b.Actor
	ow := &orderWork{Bureau: actor.BureauRole.ValidBureau() && actor.BureauID != 0}
	for _, id := range memberSchools(actor) {
		if !actor.HasRole(id, gongkai.RolePrincipal) && !actor.HasRole(id, gongkai.RoleLeader) {
			continue
		}
		school, err := s.db.FindSchoolByID(ctx, id)
		if err != nil {
			return nil, err
		}
		orders, _, err := s.db.FindOrders(ctx, school.BureauID, store.OrderFilter{SchoolID: id, States: []gongkai.OrderState{gongkai.OrderIssued, gongkai.OrderReturned}, PerPage: 50})
		if err != nil {
			return nil, err
		}
		if len(orders) == 0 {
			continue
		}
		cal, err := s.db.Calendar(ctx, school.RegionCode)
		if err != nil {
			return nil, err
		}
		for _, o := range orders {
			ow.Todo = append(ow.Todo, newOrderRow(b, cal, school, o, b.Now))
		}
	}
	if actor.BureauRole == gongkai.RoleBureauAdmin && actor.BureauID != 0 {
		orders, _, err := s.db.FindOrders(ctx, actor.BureauID, store.OrderFilter{States: []gongkai.OrderState{gongkai.OrderAnswered}, PerPage: 50})
		if err != nil {
			return nil, err
		}
		if len(orders) > 0 {
			schools, err := s.db.FindSchools(ctx, actor.BureauID)
			if err != nil {
				return nil, err
			}
			byID := map[int64]*gongkai.School{}
			for _, sc := range schools {
				byID[sc.ID] = sc
			}
			for _, o := range orders {
				if sc := byID[o.SchoolID]; sc != nil {
					ow.Review = append(ow.Review, newOrderRow(b, nil, sc, o, b.Now))
				}
			}
		}
	}
	return ow, nil
}

// ordersQuery is a list link with a filter, for templates.
func ordersQuery(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return path + "?" + v.Encode()
}

// OverdueURL is the list of overdue orders.
func (p *ordersPage) OverdueURL() string { return ordersQuery(p.Path, "overdue", "1") }
