package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// One order: its page, the steps taken on it and the files of its answers.

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
	MaxFiles  int // of an answer
	MaxFileMB int
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
		In: orderStepForm{Comment: map[gongkai.OrderAction]string{}, ResultID: o.ResultID}, MaxFiles: gongkai.MaxOrderFiles, MaxFileMB: gongkai.MaxAttachmentBytes >> 20}
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
	if err := parseMultipart(w, r); err != nil {
		return err
	}
	defer removeMultipart(r)
	in, deadline, fe := readOrderStep(r, act)
	if len(fe) == 0 && act == gongkai.OActAnswer {
		// Stored before the step is taken: the domain checks them with it.
		in.Files, err = s.storeFiles(ctx, formFiles(r, "file"))
		if f := gongkai.ErrorFields(err)["file"]; f != "" {
			fe.Add("files", f)
		} else if err != nil {
			return err
		}
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

// readOrderStep reads the form of a step, with the deadline as typed (to
// show it again) and what does not parse.
func readOrderStep(r *http.Request, act gongkai.OrderAction) (gongkai.OrderCommand, string, gongkai.FieldErrors) {
	in := gongkai.OrderCommand{Action: act, Comment: r.PostFormValue("comment")}
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
	return in, deadline, fe
}

// handleOrderFile serves a file of an answer to those who read the order:
// the bureau and the school's principal, leadership and supervision group.
func (s *Server) handleOrderFile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school, o, err := s.loadOrder(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil || id <= 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "附件不存在。")
	}
	a, err := s.db.FindOrderFile(ctx, school.ID, o.ID, id)
	if err != nil {
		return err
	}
	return s.servePrivateFile(w, r, a, r.URL.Query().Has("download"))
}
