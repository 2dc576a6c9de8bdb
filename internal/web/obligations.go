package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// obligationsPage is a school's compliance calendar: what is overdue, what
// falls due this month and next, and what was done this year.
type obligationsPage struct {
	base
	Overdue, ThisMonth, NextMonth, Done []*gongkai.Obligation
	ThisLabel, NextLabel                string
	EventItems                          []gongkai.CatalogueItem // for 记录事项
	Event                               eventForm
	Errors                              map[string]string
	WaiveID                             int64 // the row whose waive form has the error
	WaiveReason                         string
}

type eventForm struct {
	Catalogue, Title, Date, Amount string
}

// obSection is one section of the calendar as its template needs it.
type obSection struct {
	Page         *obligationsPage
	ID           string
	Title, Empty string // translated
	Items        []*gongkai.Obligation
}

// Section returns the named section: overdue, this, next or done.
func (p *obligationsPage) Section(name string) obSection {
	sec := obSection{Page: p, ID: "ob-" + name}
	switch name {
	case "overdue":
		sec.Title, sec.Empty, sec.Items = p.T("已逾期"), p.T("暂无逾期事项。"), p.Overdue
	case "this":
		sec.Title, sec.Empty, sec.Items = p.ThisLabel, p.T("本月没有待公开的事项。"), p.ThisMonth
	case "next":
		sec.Title, sec.Empty, sec.Items = p.NextLabel, p.T("下月没有待公开的事项。"), p.NextMonth
	case "done":
		sec.Title, sec.Empty, sec.Items = p.T("已完成（本年度）"), p.T("本年度暂无已完成的事项。"), p.Done
	}
	return sec
}

// CanWaive reports whether the reader may waive obligations (the principal).
func (p *obligationsPage) CanWaive() bool {
	return p.School != nil && p.Actor.HasRole(p.School.ID, gongkai.RolePrincipal)
}

// ObState is the state's label in the reader's language.
func (p *obligationsPage) ObState(o *gongkai.Obligation) string { return p.T(o.State.Label()) }

// Remaining says how far the due date of an open obligation is: 剩余 N 个
// 工作日, 今日到期, 逾期 N 个工作日.
func (p *obligationsPage) Remaining(o *gongkai.Obligation) string {
	if !o.Open() {
		return ""
	}
	return p.Countdown(o.Countdown)
}

// obligationWindow is how far ahead the calendar makes obligations.
const obligationWindow = 3 // months

func (s *Server) handleObligations(w http.ResponseWriter, r *http.Request) error {
	p, err := s.obligationsPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, "obligations", p)
	return nil
}

func (s *Server) obligationsPage(r *http.Request) (*obligationsPage, error) {
	ctx := r.Context()
	school := schoolFrom(ctx)
	now := s.db.Now().In(gongkai.Beijing)
	if _, err := s.db.EnsureObligations(ctx, school.ID, now, now.AddDate(0, obligationWindow, 0)); err != nil {
		return nil, err
	}
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, gongkai.Beijing)
	nextMonth := thisMonth.AddDate(0, 1, 0)
	obs, err := s.db.FindObligations(ctx, school.ID, store.ObligationFilter{To: nextMonth.AddDate(0, 1, -1)})
	if err != nil {
		return nil, err
	}
	p := &obligationsPage{base: s.base(r, ""), Errors: map[string]string{}}
	p.Title = p.T("公开日历")
	p.Nav, p.NoIndex = "obligations", true
	p.ThisLabel = p.Tf("本月（%d年%d月）", thisMonth.Year(), int(thisMonth.Month()))
	p.NextLabel = p.Tf("下月（%d年%d月）", nextMonth.Year(), int(nextMonth.Month()))
	for _, o := range obs {
		switch {
		case o.State == gongkai.ObOverdue:
			p.Overdue = append(p.Overdue, o)
		case o.Open() && o.Due.Before(nextMonth):
			p.ThisMonth = append(p.ThisMonth, o)
		case o.Open():
			p.NextMonth = append(p.NextMonth, o)
		case o.Due.Year() == now.Year():
			p.Done = append(p.Done, o)
		}
	}
	cat, err := s.db.FindCatalogue(ctx, school.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range cat {
		if c.Schedule.Frequency == gongkai.FreqEvent {
			p.EventItems = append(p.EventItems, c)
		}
	}
	p.Event.Date = now.Format("2006-01-02")
	return p, nil
}

func obligationsURL(school *gongkai.School) string { return "/s/" + school.Slug + "/obligations" }

// handleWaive lets the principal waive an obligation with a reason.
func (s *Server) handleWaive(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这项公开义务。")
	}
	reason := r.PostFormValue("reason")
	err = s.db.WaiveObligation(ctx, school.ID, id, gongkai.ActorFrom(ctx), reason)
	if gongkai.ErrorCode(err) == gongkai.EINVALID {
		p, perr := s.obligationsPage(r)
		if perr != nil {
			return perr
		}
		p.WaiveID, p.WaiveReason = id, reason
		p.Errors["reason"] = gongkai.ErrorFields(err)["reason"]
		s.renderPage(w, r, http.StatusUnprocessableEntity, "obligations", p)
		return nil
	}
	if gongkai.ErrorCode(err) == gongkai.ECONFLICT {
		return s.redirect(w, r, obligationsURL(school), "!"+gongkai.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, obligationsURL(school), "已免除该项公开义务，理由已记录。")
}

// handleRecordEvent records an event that raises an obligation.
func (s *Server) handleRecordEvent(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	in := eventForm{
		Catalogue: strings.TrimSpace(r.PostFormValue("catalogue")),
		Title:     r.PostFormValue("title"),
		Date:      strings.TrimSpace(r.PostFormValue("date")),
		Amount:    strings.TrimSpace(r.PostFormValue("amount")),
	}
	fe := gongkai.FieldErrors{}
	date, derr := time.ParseInLocation("2006-01-02", in.Date, gongkai.Beijing)
	if in.Date != "" && derr != nil {
		fe.Add("date", "日期格式应为“年-月-日”，例如 2026-10-09。")
	}
	var fen int64
	if in.Amount != "" {
		yuan, err := strconv.ParseFloat(strings.ReplaceAll(in.Amount, ",", ""), 64)
		if err != nil || yuan < 0 || yuan > 1e12 || math.IsNaN(yuan) {
			fe.Add("amount", "金额请填写数字（元），例如 3500.00。")
		} else {
			fen = int64(math.Round(yuan * 100))
		}
	}
	var o *gongkai.Obligation
	err := fe.Err()
	if err == nil {
		o, err = s.db.RecordEvent(ctx, school.ID, gongkai.ActorFrom(ctx), in.Catalogue, in.Title, date, fen)
	}
	if gongkai.ErrorCode(err) == gongkai.EINVALID {
		p, perr := s.obligationsPage(r)
		if perr != nil {
			return perr
		}
		p.Event = in
		for k, v := range gongkai.ErrorFields(err) {
			p.Errors["event_"+k] = v
		}
		s.renderPage(w, r, http.StatusUnprocessableEntity, "obligations", p)
		return nil
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, obligationsURL(school), fmt.Sprintf("已记录事项，应于 %s前公开。", o.Due.In(gongkai.Beijing).Format("2006年1月2日")))
}

// obligationDefaults reads ?obligation=ID of the registration form: the
// calendar's link to fill the form for one obligation. It sets the item
// and a title such as 关于2026年10月份财务收支情况的公示, and returns the id.
func (s *Server) obligationDefaults(r *http.Request, d *gongkai.Disclosure) (int64, error) {
	v := r.URL.Query().Get("obligation")
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, gongkai.Errorf(gongkai.ENOTFOUND, "没有这项公开义务。")
	}
	o, err := s.db.FindObligation(r.Context(), schoolFrom(r.Context()).ID, id)
	if err != nil {
		return 0, err
	}
	d.CatalogueCode = o.CatalogueCode
	d.Title = obligationTitle(o)
	return o.ID, nil
}

// obligationTitle proposes the title of the item that meets o.
func obligationTitle(o *gongkai.Obligation) string {
	switch {
	case o.EventTitle != "":
		return "关于" + o.EventTitle + "的公示"
	case o.CatalogueCode == "monthly-finance":
		return "关于" + o.PeriodLabel + "份财务收支情况的公示"
	}
	return "关于" + o.PeriodLabel + o.CatalogueName + "的公示"
}

// formObligations offers on the registration form the open obligations of
// the chosen catalogue item, with chosen selected, or else the oldest.
func (s *Server) formObligations(r *http.Request, p *formPage, code string, chosen int64) error {
	p.Obligations, p.ObligationID = nil, 0
	if code == "" {
		return nil
	}
	obs, err := s.db.FindObligations(r.Context(), schoolFrom(r.Context()).ID, store.ObligationFilter{CatalogueCode: code,
		States: []gongkai.ObligationState{gongkai.ObOverdue, gongkai.ObDueSoon, gongkai.ObUpcoming}})
	if err != nil {
		return err
	}
	p.Obligations = obs
	for _, o := range obs {
		if o.ID == chosen {
			p.ObligationID = chosen
		}
	}
	if p.ObligationID == 0 && len(obs) > 0 {
		p.ObligationID = obs[0].ID
	}
	return nil
}

// formObligationInput reads the form's choice of obligation; one that is
// not an open obligation of the chosen item is an error of the field.
func (s *Server) formObligationInput(r *http.Request, p *formPage, code string, fe gongkai.FieldErrors) error {
	v := strings.TrimSpace(r.PostFormValue("obligation"))
	chosen, _ := strconv.ParseInt(v, 10, 64)
	if err := s.formObligations(r, p, code, chosen); err != nil {
		return err
	}
	if v != "" && v != "0" && chosen != p.ObligationID && len(p.Obligations) > 0 {
		fe.Add("obligation", "所选的公开义务不属于该公开事项或已完成，请重新选择。")
	}
	return nil
}
