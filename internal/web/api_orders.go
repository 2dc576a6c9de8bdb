package web

import (
	"net/http"
	"strconv"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// The supervision orders in the JSON API.

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
	got, err := s.db.StepOrder(ctx, school.ID, id, actor, gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: in.Reply, ResultID: in.ResultID})
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
