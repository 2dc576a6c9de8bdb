package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongkai"
)

// Issuing orders: the bureau administrator's form and its handler.

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

// readOrderIssue reads the issue form: what was typed (to show it again),
// the command, and the dates that do not parse.
func readOrderIssue(r *http.Request) (orderInput, gongkai.OrderIssue, gongkai.FieldErrors) {
	in := orderInput{Kind: r.PostFormValue("kind"), Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Workdays: strings.TrimSpace(r.PostFormValue("workdays")), Deadline: strings.TrimSpace(r.PostFormValue("deadline")), Schools: map[int64]bool{}}
	in.Obligation, _ = strconv.ParseInt(r.PostFormValue("obligation"), 10, 64)
	in.Case, _ = strconv.ParseInt(r.PostFormValue("case"), 10, 64)
	no := gongkai.OrderIssue{Kind: gongkai.OrderKind(in.Kind), Title: in.Title, Body: in.Body, ObligationID: in.Obligation, FeedbackID: in.Case}
	fe := gongkai.FieldErrors{}
	for _, v := range r.PostForm["school"] {
		// An id that does not parse is no school of the bureau: 0 says so.
		id, _ := strconv.ParseInt(v, 10, 64)
		in.Schools[id] = true
		no.SchoolIDs = append(no.SchoolIDs, id)
	}
	if in.Deadline != "" {
		d, err := time.ParseInLocation("2006-01-02", in.Deadline, gongkai.Beijing)
		if err != nil {
			fe.Add("deadline", "日期格式应为“年-月-日”，例如 2026-10-09。")
		}
		no.Deadline = d
	} else {
		no.Workdays, _ = strconv.Atoi(in.Workdays) // 0 when it does not parse: the domain says what is allowed
	}
	return in, no, fe
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
	in, no, fe := readOrderIssue(r)
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
