package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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

// ---------------------------------------------------------------- issuing

// orderFormPage is the form on which the bureau issues an order to one
// or several schools.
type orderFormPage struct {
	base
	Bureau  *gongkai.Bureau
	Schools []*gongkai.School
	In      orderInput
	Errors  map[string]string
	About   string // what a linked obligation or case is, as the form shows it
}

type orderInput struct {
	Kind       string
	Title      string
	Body       string
	Workdays   string
	Deadline   string
	Schools    map[int64]bool
	Obligation int64
	Case       int64
}

// Kinds are the kinds of order the form offers.
func (p *orderFormPage) Kinds() []gongkai.OrderKind { return gongkai.OrderKinds }

func (s *Server) newOrderForm(r *http.Request) (*orderFormPage, error) {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	bureau, err := s.db.FindBureauByID(ctx, actor.BureauID)
	if err != nil {
		return nil, err
	}
	// A deactivated school takes no new order.
	schools, err := s.db.FindActiveSchools(ctx, bureau.ID)
	if err != nil {
		return nil, err
	}
	p := &orderFormPage{base: s.base(r, ""), Bureau: bureau, Schools: schools, Errors: map[string]string{},
		In: orderInput{Kind: string(gongkai.OrderUrge), Workdays: strconv.Itoa(gongkai.DefaultOrderWorkdays), Schools: map[int64]bool{}}}
	p.Title = p.T("下发督办通知")
	p.NoIndex = true
	return p, nil
}

// describeLink fills what the form shows about the linked obligation or
// case; it answers ENOTFOUND for one that is not of the school.
func (s *Server) describeLink(ctx context.Context, p *orderFormPage, school *gongkai.School, prefill bool) error {
	if school == nil {
		return gongkai.Errorf(gongkai.ENOTFOUND, "学校不存在或不属于本局。")
	}
	if p.In.Obligation != 0 {
		o, err := s.db.FindObligation(ctx, school.ID, p.In.Obligation)
		if err != nil {
			return err
		}
		p.About = p.Tf("公开义务：%s（%s），应于 %s前公开", o.CatalogueName, o.PeriodLabel, p.Day(o.Due))
		if prefill {
			p.In.Kind = string(gongkai.OrderUrge)
			p.In.Title = fmt.Sprintf("关于督促公开%s（%s）的通知", o.CatalogueName, o.PeriodLabel)
			y, m, d := o.Due.Date()
			p.In.Body = fmt.Sprintf("%s：\n\n经查，你校%s（%s）应于%d年%d月%d日前公开，至今尚未公开。请于办理期限内完成公开，并将办理情况答复我局。\n", school.Title(), o.CatalogueName, o.PeriodLabel, y, m, d)
		}
	}
	if p.In.Case != 0 {
		f, err := s.db.FindFeedbackByID(ctx, school.ID, p.In.Case)
		if err != nil {
			return err
		}
		if !f.ToBureau && !f.Escalated {
			return gongkai.Errorf(gongkai.ENOTFOUND, "来信不存在或未提请教育局督办。")
		}
		p.About = p.Tf("来信：%s（回执码 %s）", f.Subject, f.Receipt)
		if prefill {
			p.In.Kind = string(gongkai.OrderRectify)
			p.In.Title = fmt.Sprintf("关于办理“%s”的整改通知", f.Subject)
			p.In.Body = fmt.Sprintf("%s：\n\n群众反映的“%s”一事已提请我局督办。请你校认真核查，及时整改，并将核查和整改情况答复我局。\n", school.Title(), f.Subject)
		}
	}
	return nil
}

// handleOrderForm shows the form, filled from ?school=ID and, from the
// obligations page or a case with the bureau, &obligation=ID or &case=ID.
func (s *Server) handleOrderForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.newOrderForm(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var school *gongkai.School
	if v := q.Get("school"); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		for _, sc := range p.Schools {
			if sc.ID == id {
				school = sc
				p.In.Schools[id] = true
			}
		}
	}
	p.In.Obligation, _ = strconv.ParseInt(q.Get("obligation"), 10, 64)
	p.In.Case, _ = strconv.ParseInt(q.Get("case"), 10, 64)
	if p.In.Obligation != 0 || p.In.Case != 0 {
		if err := s.describeLink(ctx, p, school, true); err != nil {
			return err
		}
	}
	s.render(w, r, "order-new", p)
	return nil
}

// handleOrderIssue issues the order to every chosen school.
func (s *Server) handleOrderIssue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	p, err := s.newOrderForm(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	in := orderInput{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Workdays: strings.TrimSpace(r.PostFormValue("workdays")), Deadline: strings.TrimSpace(r.PostFormValue("deadline")), Schools: map[int64]bool{}}
	in.Obligation, _ = strconv.ParseInt(r.PostFormValue("obligation"), 10, 64)
	in.Case, _ = strconv.ParseInt(r.PostFormValue("case"), 10, 64)
	no := store.NewOrder{Kind: gongkai.OrderKind(in.Kind), Title: in.Title, Body: in.Body, ObligationID: in.Obligation, FeedbackID: in.Case}
	fe := gongkai.FieldErrors{}
	for _, v := range r.PostForm["school"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fe.Add("schools", "请选择本局所属的学校。")
			continue
		}
		in.Schools[id] = true
		no.SchoolIDs = append(no.SchoolIDs, id)
	}
	if in.Deadline != "" {
		d, err := time.ParseInLocation("2006-01-02", in.Deadline, gongkai.Beijing)
		if err != nil {
			fe.Add("deadline", "日期格式应为“年-月-日”，例如 2026-10-09。")
		}
		no.Deadline = d
	} else if n, err := strconv.Atoi(in.Workdays); err != nil {
		fe.Add("workdays", fmt.Sprintf("办理期限须为 1–%d 个工作日，或指定截止日期。", gongkai.MaxOrderWorkdays))
	} else {
		no.Workdays = n
	}
	p.In = in
	var orders []*gongkai.Order
	err = fe.Err()
	if err == nil {
		orders, err = s.db.IssueOrders(ctx, actor.BureauID, actor, no)
	}
	if gongkai.ErrorCode(err) == gongkai.EINVALID {
		for k, v := range gongkai.ErrorFields(err) {
			if k == "obligation" || k == "feedback" {
				k = "schools"
			}
			if p.Errors[k] == "" {
				p.Errors[k] = v
			}
		}
		if len(p.Errors) == 0 {
			p.Errors["body"] = gongkai.ErrorMessage(err)
		}
		if in.Obligation != 0 || in.Case != 0 {
			var school *gongkai.School
			for _, sc := range p.Schools {
				if in.Schools[sc.ID] {
					school = sc
					break
				}
			}
			if derr := s.describeLink(ctx, p, school, false); derr != nil {
				p.About = ""
			}
		}
		s.renderPage(w, r, http.StatusUnprocessableEntity, "order-new", p)
		return nil
	}
	if err != nil {
		return err
	}
	if len(orders) == 1 {
		sc, err := s.db.FindSchoolByID(ctx, orders[0].SchoolID)
		if err != nil {
			return err
		}
		return s.redirect(w, r, orderURL(sc, orders[0].ID), fmt.Sprintf("已下发%s %s。", orders[0].Kind.Label(), orders[0].Number))
	}
	nums := make([]string, len(orders))
	for i, o := range orders {
		nums[i] = o.Number
	}
	return s.redirect(w, r, "/bureau/orders", fmt.Sprintf("已向 %d 所学校下发通知：%s。", len(orders), strings.Join(nums, "、")))
}

// ---------------------------------------------------------------- one order

type orderPage struct {
	base
	O         *gongkai.Order
	Overdue   bool
	Remaining string
	Steps     map[gongkai.OrderAction]bool
	Oversees  bool // a bureau user: sees what the order was raised from
	Published []*gongkai.Disclosure
	In        orderStepForm
	ErrAction gongkai.OrderAction
	Errors    map[string]string
}

type orderStepForm struct {
	Comment  map[gongkai.OrderAction]string
	ResultID int64
	Deadline string // return: the new deadline
}

// Can reports whether the reader may take the step now.
func (p *orderPage) Can(a string) bool { return p.Steps[gongkai.OrderAction(a)] }

// Text is what the step's form holds.
func (p *orderPage) Text(a string) string { return p.In.Comment[gongkai.OrderAction(a)] }

// Err is the message of a field of the step's form after a failed try.
func (p *orderPage) Err(a, field string) string {
	if string(p.ErrAction) != a {
		return ""
	}
	return p.Errors[field]
}

// ReturnReason is why the bureau returned the order, while it waits for
// the school's new answer.
func (p *orderPage) ReturnReason() string {
	if p.O.State != gongkai.OrderReturned {
		return ""
	}
	for i := len(p.O.Trail) - 1; i >= 0; i-- {
		if p.O.Trail[i].Action == gongkai.OActReturn {
			return p.O.Trail[i].Comment
		}
	}
	return ""
}

// AnsweredLate reports whether the school answered after the deadline.
func (p *orderPage) AnsweredLate() bool {
	return !p.O.AnsweredAt.IsZero() && gongkai.PeriodOver(p.O.Deadline, p.O.AnsweredAt)
}

// StepLabel is a trail entry's name in the reader's language.
func (p *orderPage) StepLabel(st gongkai.OrderStep) string { return p.T(st.Action.Label()) }

func (s *Server) loadOrder(r *http.Request) (*gongkai.School, *gongkai.Order, error) {
	school := schoolFrom(r.Context())
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "通知不存在或您无权查看。")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, notFound
	}
	if !gongkai.CanReadOrders(gongkai.ActorFrom(r.Context()), school.BureauID, school.ID) {
		return nil, nil, notFound
	}
	o, err := s.db.FindOrderByID(r.Context(), school.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.CanReadOrder(gongkai.ActorFrom(r.Context()), school.BureauID, o) {
		return nil, nil, notFound
	}
	return school, o, nil
}

func (s *Server) newOrderPage(r *http.Request, school *gongkai.School, o *gongkai.Order) (*orderPage, error) {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	p := &orderPage{base: s.base(r, o.Title), O: o, Steps: map[gongkai.OrderAction]bool{}, Errors: map[string]string{},
		In: orderStepForm{Comment: map[gongkai.OrderAction]string{}, ResultID: o.ResultID}}
	p.Nav, p.NoIndex = "orders", true
	p.Oversees = actor.Oversees(school.BureauID)
	p.Overdue = o.Overdue(p.Now)
	cal, err := s.db.Calendar(ctx, school.RegionCode)
	if err != nil {
		return nil, err
	}
	p.Remaining = remaining(&p.base, cal, o, p.Now)
	for _, a := range gongkai.AvailableOrderActions(actor, school.BureauID, o) {
		p.Steps[a] = true
	}
	if p.Steps[gongkai.OActReturn] {
		// A return gives the school at least five working days more.
		due, _ := cal.AddWorkdays(p.Now, 5)
		if o.Deadline.After(due) {
			due = o.Deadline
		}
		p.In.Deadline = due.Format("2006-01-02")
	}
	if p.Steps[gongkai.OActAnswer] {
		items, _, err := s.db.FindDisclosures(ctx, school.ID, store.DisclosureFilter{Published: true, Audiences: gongkai.Audiences, PerPage: 50})
		if err != nil {
			return nil, err
		}
		for _, d := range items {
			if d.State == gongkai.StatePublished || d.State == gongkai.StateClosed || d.State == gongkai.StateArchived {
				p.Published = append(p.Published, d)
			}
		}
	}
	return p, nil
}

func (s *Server) handleOrder(w http.ResponseWriter, r *http.Request) error {
	school, o, err := s.loadOrder(r)
	if err != nil {
		return err
	}
	p, err := s.newOrderPage(r, school, o)
	if err != nil {
		return err
	}
	s.render(w, r, "order", p)
	return nil
}

func (s *Server) handleOrderAnswer(w http.ResponseWriter, r *http.Request) error {
	return s.orderStep(w, r, gongkai.OActAnswer)
}

func (s *Server) handleOrderAccept(w http.ResponseWriter, r *http.Request) error {
	return s.orderStep(w, r, gongkai.OActAccept)
}

func (s *Server) handleOrderReturn(w http.ResponseWriter, r *http.Request) error {
	return s.orderStep(w, r, gongkai.OActReturn)
}

// orderStep takes a step from the order page: on bad input the page again
// with the text typed and the message next to its field (422); on a state
// that no longer allows the step, back to the page with the reason.
func (s *Server) orderStep(w http.ResponseWriter, r *http.Request, act gongkai.OrderAction) error {
	ctx := r.Context()
	school, o, err := s.loadOrder(r)
	if err != nil {
		return err
	}
	in := store.OrderStepInput{Action: act, Comment: r.PostFormValue("comment")}
	fe := gongkai.FieldErrors{}
	result := strings.TrimSpace(r.PostFormValue("result_id"))
	if result != "" && result != "0" {
		id, err := strconv.ParseInt(result, 10, 64)
		if err != nil || id <= 0 {
			fe.Add("result_id", "请从列表中选择公开事项。")
		}
		in.ResultID = id
	}
	deadline := strings.TrimSpace(r.PostFormValue("deadline"))
	if act == gongkai.OActReturn && deadline != "" {
		d, err := time.ParseInLocation("2006-01-02", deadline, gongkai.Beijing)
		if err != nil {
			fe.Add("deadline", "日期格式应为“年-月-日”，例如 2026-10-09。")
		}
		in.Deadline = d
	}
	err = fe.Err()
	if err == nil {
		_, err = s.db.StepOrder(ctx, school.ID, o.ID, gongkai.ActorFrom(ctx), in)
	}
	switch gongkai.ErrorCode(err) {
	case "":
		flash := map[gongkai.OrderAction]string{gongkai.OActAnswer: "已答复，等待教育局验收。", gongkai.OActAccept: "已验收办结。", gongkai.OActReturn: "已退回学校补充答复。"}[act]
		return s.redirect(w, r, orderURL(school, o.ID), flash)
	case gongkai.ECONFLICT:
		return s.redirect(w, r, orderURL(school, o.ID), "!"+gongkai.ErrorMessage(err))
	case gongkai.EINVALID:
		p, perr := s.newOrderPage(r, school, o)
		if perr != nil {
			return perr
		}
		p.ErrAction = act
		p.In.Comment[act] = r.PostFormValue("comment")
		p.In.ResultID = in.ResultID
		if act == gongkai.OActReturn {
			p.In.Deadline = deadline
		}
		for k, v := range gongkai.ErrorFields(err) {
			p.Errors[k] = v
		}
		if len(p.Errors) == 0 {
			p.Errors["comment"] = gongkai.ErrorMessage(err)
		}
		s.renderPage(w, r, http.StatusUnprocessableEntity, "order", p)
		return nil
	}
	return err
}

// ---------------------------------------------------------------- links from other pages

// OrderLink is where the bureau's administrator issues an order about an
// overdue obligation, or "" for other readers and obligations.
func (p *obligationsPage) OrderLink(o *store.Obligation) string {
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

// ---------------------------------------------------------------- JSON API

// apiOrder is an order in the API.
type apiOrder struct {
	ID           int64        `json:"id"`
	Number       string       `json:"number"`
	School       string       `json:"school"`
	SchoolName   string       `json:"school_name"`
	Kind         string       `json:"kind"`
	State        string       `json:"state"`
	Title        string       `json:"title"`
	Deadline     apiDate      `json:"deadline"`
	Overdue      bool         `json:"overdue"`
	ObligationID *int64       `json:"obligation_id"`
	ResultID     *int64       `json:"result_id"`
	Reply        string       `json:"reply"`
	IssuedAt     apiTime      `json:"issued_at"`
	AnsweredAt   apiTime      `json:"answered_at"`
	ClosedAt     apiTime      `json:"closed_at"`
	Body         *string      `json:"body,omitempty"`
	Trail        []apiOrderSt `json:"trail,omitempty"`
}

type apiOrderSt struct {
	Action   string  `json:"action"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	Author   string  `json:"author"`
	Comment  string  `json:"comment"`
	ResultID *int64  `json:"result_id"`
	Deadline apiDate `json:"deadline"`
	At       apiTime `json:"at"`
}

func optionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func apiOrderOf(school *gongkai.School, o *gongkai.Order, now time.Time, detail bool) apiOrder {
	a := apiOrder{ID: o.ID, Number: o.Number, School: school.Slug, SchoolName: school.Name, Kind: string(o.Kind), State: string(o.State),
		Title: o.Title, Deadline: apiDate(o.Deadline), Overdue: o.Overdue(now), ObligationID: optionalID(o.ObligationID), ResultID: optionalID(o.ResultID),
		Reply: o.Reply, IssuedAt: apiTime(o.CreatedAt), AnsweredAt: apiTime(o.AnsweredAt), ClosedAt: apiTime(o.ClosedAt)}
	if detail {
		body := o.Body
		a.Body = &body
		a.Trail = []apiOrderSt{}
		for _, st := range o.Trail {
			a.Trail = append(a.Trail, apiOrderSt{Action: string(st.Action), From: string(st.From), To: string(st.To), Author: st.Author, Comment: st.Comment,
				ResultID: optionalID(st.ResultID), Deadline: apiDate(st.Deadline), At: apiTime(st.At)})
		}
	}
	return a
}

type apiOrderList struct {
	Items []apiOrder `json:"items"`
	Total int        `json:"total"`
	Page  int        `json:"page"`
}

// apiOrderFilter reads ?state=&overdue=&page= of the order lists; 100 a page.
func apiOrderFilter(r *http.Request) (store.OrderFilter, error) {
	q := r.URL.Query()
	fe := gongkai.FieldErrors{}
	page := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			fe.Add("page", "page 须为 1 到 100000 之间的整数。")
		}
		page = n
	}
	f := store.OrderFilter{Page: page, PerPage: 100}
	switch st := q.Get("state"); {
	case st == "":
	case st == "open":
		f.Open = true
	case gongkai.OrderState(st).Valid():
		f.States = []gongkai.OrderState{gongkai.OrderState(st)}
	default:
		fe.Add("state", "没有这个状态："+apiQuote(st)+"。可用：issued, answered, returned, accepted, open。")
	}
	switch q.Get("overdue") {
	case "", "false", "0":
	case "true", "1":
		f.Overdue = true
	default:
		fe.Add("overdue", "overdue 须为 true 或 false。")
	}
	if len(fe) > 0 {
		return f, &gongkai.Error{Code: gongkai.EMALFORMED, Message: joinFields(fe), Fields: fe}
	}
	return f, nil
}

// apiOrders lists the orders of the caller's bureau, for its users;
// ?school=slug narrows to one school.
func (s *Server) apiOrders(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	if !actor.BureauRole.ValidBureau() || actor.BureauID == 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "只有教育局人员可以查看全县督办通知。")
	}
	f, err := apiOrderFilter(r)
	if err != nil {
		return err
	}
	schools, err := s.db.FindSchools(ctx, actor.BureauID)
	if err != nil {
		return err
	}
	byID := map[int64]*gongkai.School{}
	for _, sc := range schools {
		byID[sc.ID] = sc
	}
	if slug := r.URL.Query().Get("school"); slug != "" {
		for _, sc := range schools {
			if sc.Slug == slug {
				f.SchoolID = sc.ID
			}
		}
		if f.SchoolID == 0 {
			return &gongkai.Error{Code: gongkai.EMALFORMED, Message: "本局没有这所学校：" + apiQuote(slug) + "。",
				Fields: map[string]string{"school": "本局没有这所学校：" + apiQuote(slug) + "。"}}
		}
	}
	orders, total, err := s.db.FindOrders(ctx, actor.BureauID, f)
	if err != nil {
		return err
	}
	out := apiOrderList{Items: []apiOrder{}, Total: total, Page: f.Page}
	now := s.now()
	for _, o := range orders {
		if sc := byID[o.SchoolID]; sc != nil && gongkai.CanReadOrder(actor, sc.BureauID, o) {
			out.Items = append(out.Items, apiOrderOf(sc, o, now, false))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiSchoolOrders lists one school's orders for its principal, leaders,
// supervisors and its bureau.
func (s *Server) apiSchoolOrders(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	if !gongkai.CanReadOrders(gongkai.ActorFrom(ctx), school.BureauID, school.ID) {
		return gongkai.Errorf(gongkai.ENOTFOUND, "学校不存在或您无权查看其督办通知。")
	}
	f, err := apiOrderFilter(r)
	if err != nil {
		return err
	}
	f.SchoolID = school.ID
	orders, total, err := s.db.FindOrders(ctx, school.BureauID, f)
	if err != nil {
		return err
	}
	out := apiOrderList{Items: []apiOrder{}, Total: total, Page: f.Page}
	now := s.now()
	for _, o := range orders {
		out.Items = append(out.Items, apiOrderOf(school, o, now, false))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiOrderAnswer is the principal's answer: {"reply": "...", "result_id": 12}.
func (s *Server) apiOrderAnswer(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "通知不存在或您无权查看。")
	id, ok := pathID(r)
	if !ok {
		return notFound
	}
	schoolID, err := s.db.FindOrderSchoolID(ctx, id)
	if err != nil {
		return notFound
	}
	school, err := s.db.FindSchoolByID(ctx, schoolID)
	if err != nil {
		return err
	}
	o, err := s.db.FindOrderByID(ctx, school.ID, id)
	if err != nil {
		return err
	}
	if !gongkai.CanReadOrder(actor, school.BureauID, o) {
		return notFound
	}
	var in struct {
		Reply    string `json:"reply"`
		ResultID int64  `json:"result_id"`
	}
	if ok, err := apiReadJSON(w, r, &in, true); !ok {
		return err
	}
	if in.ResultID < 0 {
		return &gongkai.Error{Code: gongkai.EMALFORMED, Message: "result_id 无效。", Fields: map[string]string{"result_id": "result_id 无效。"}}
	}
	got, err := s.db.StepOrder(ctx, school.ID, id, actor, store.OrderStepInput{Action: gongkai.OActAnswer, Comment: in.Reply, ResultID: in.ResultID})
	if err != nil {
		// The API names the field as it is sent.
		if fe := gongkai.ErrorFields(err); fe["comment"] != "" {
			fe["reply"] = fe["comment"]
			delete(fe, "comment")
		}
		return err
	}
	writeJSON(w, http.StatusOK, apiOrderOf(school, got, s.now(), true))
	return nil
}
