package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/store"
)

// Rate limits of the feedback API, per client address and in memory only:
// the address is never stored or logged, so anonymous senders stay
// untraceable. Creating is 5 per 10 minutes; looking up (which checks a
// secret) 20 a minute.
const (
	feedbackCreateEvery = 2 * time.Minute
	feedbackCreateBurst = 5
	feedbackLookupEvery = 3 * time.Second
	feedbackLookupBurst = 20
)

// ---- JSON shapes ---------------------------------------------------------

type apiFeedbackInput struct {
	Kind         string `json:"kind"`
	Subject      string `json:"subject"`
	Body         string `json:"body"`
	DisclosureID int64  `json:"disclosure_id"`
	Anonymous    bool   `json:"anonymous"`
	Name         string `json:"name"`
	Contact      string `json:"contact"`
	Email        string `json:"email"`
	About        string `json:"about"`
	AboutName    string `json:"about_name"`
}

type apiFeedbackReceipt struct {
	Receipt        string  `json:"receipt"`
	Secret         string  `json:"secret"`
	Kind           string  `json:"kind"`
	KindName       string  `json:"kind_name"`
	State          string  `json:"state"`
	StateName      string  `json:"state_name"`
	Due            apiDate `json:"due"`
	DueProvisional bool    `json:"due_provisional"`
	ToBureau       bool    `json:"to_bureau"`
	Notice         string  `json:"notice"`
}

type apiFeedbackFile struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

type apiFeedbackMessage struct {
	Action      string            `json:"action"`
	ActionName  string            `json:"action_name"`
	FromStaff   bool              `json:"from_staff"`
	Author      string            `json:"author"`
	Body        string            `json:"body"`
	Internal    bool              `json:"internal"`
	At          apiTime           `json:"at"`
	Attachments []apiFeedbackFile `json:"attachments"`
}

// apiFeedbackSender is a case as its sender reads it.
type apiFeedbackSender struct {
	Receipt        string               `json:"receipt"`
	Kind           string               `json:"kind"`
	KindName       string               `json:"kind_name"`
	Subject        string               `json:"subject"`
	Body           string               `json:"body"`
	State          string               `json:"state"`
	StateName      string               `json:"state_name"`
	Anonymous      bool                 `json:"anonymous"`
	DisclosureID   int64                `json:"disclosure_id"`
	ResultID       int64                `json:"result_id"`
	ResultURL      string               `json:"result_url"`
	Department     string               `json:"department"`
	Due            apiDate              `json:"due"`
	DueProvisional bool                 `json:"due_provisional"`
	RectifyDue     apiDate              `json:"rectify_due"`
	Rating         string               `json:"rating"`
	RatingName     string               `json:"rating_name"`
	Escalated      bool                 `json:"escalated"`
	ToBureau       bool                 `json:"to_bureau"`
	CreatedAt      apiTime              `json:"created_at"`
	RepliedAt      apiTime              `json:"replied_at"`
	ClosedAt       apiTime              `json:"closed_at"`
	CanRate        bool                 `json:"can_rate"`
	CanEscalate    bool                 `json:"can_escalate"`
	EscalateNote   string               `json:"escalate_note"`
	Messages       []apiFeedbackMessage `json:"messages"`
}

// apiFeedbackSummary is a case as staff queues list it.
type apiFeedbackSummary struct {
	ID                 int64   `json:"id"`
	School             string  `json:"school"`
	Kind               string  `json:"kind"`
	KindName           string  `json:"kind_name"`
	State              string  `json:"state"`
	StateName          string  `json:"state_name"`
	Subject            string  `json:"subject"`
	Anonymous          bool    `json:"anonymous"`
	About              string  `json:"about"`
	ToBureau           bool    `json:"to_bureau"`
	Escalated          bool    `json:"escalated"`
	DepartmentID       int64   `json:"department_id"`
	Department         string  `json:"department"`
	AssigneeID         int64   `json:"assignee_id"`
	Assignee           string  `json:"assignee"`
	Due                apiDate `json:"due"`
	DueProvisional     bool    `json:"due_provisional"`
	Overdue            bool    `json:"overdue"`
	Rating             string  `json:"rating"`
	Supporters         int     `json:"supporters"`
	MustAnswerPublicly bool    `json:"must_answer_publicly"`
	CreatedAt          apiTime `json:"created_at"`
	URL                string  `json:"url"`
}

// apiFeedbackDetail is a case as its handlers and watchers read it.
type apiFeedbackDetail struct {
	apiFeedbackSummary
	Receipt       string               `json:"receipt"`
	Body          string               `json:"body"`
	DisclosureID  int64                `json:"disclosure_id"`
	SenderName    string               `json:"sender_name"`
	Contact       string               `json:"contact"`
	Email         string               `json:"email"`
	AboutName     string               `json:"about_name"`
	RectifyDue    apiDate              `json:"rectify_due"`
	ResultID      int64                `json:"result_id"`
	QAPublished   bool                 `json:"qa_published"`
	QAQuestion    string               `json:"qa_question"`
	QAAnswer      string               `json:"qa_answer"`
	QAPublishedAt apiTime              `json:"qa_published_at"`
	UpdatedAt     apiTime              `json:"updated_at"`
	RepliedAt     apiTime              `json:"replied_at"`
	ClosedAt      apiTime              `json:"closed_at"`
	Messages      []apiFeedbackMessage `json:"messages"`
	Actions       []string             `json:"actions"`
}

type apiFeedbackList struct {
	Items   []apiFeedbackSummary `json:"items"`
	Total   int                  `json:"total"`
	Page    int                  `json:"page"`
	PerPage int                  `json:"per_page"`
	Next    *int                 `json:"next"`
}

func apiFeedbackMessages(ms []gongkai.FeedbackMessage) []apiFeedbackMessage {
	out := make([]apiFeedbackMessage, 0, len(ms))
	for _, m := range ms {
		am := apiFeedbackMessage{Action: string(m.Action), FromStaff: m.FromStaff, Author: m.Author, Body: m.Body, Internal: m.Internal,
			At: apiTime(m.At), Attachments: []apiFeedbackFile{}}
		if m.Action != "" {
			am.ActionName = m.Action.Label()
		}
		for _, a := range m.Attachments {
			am.Attachments = append(am.Attachments, apiFeedbackFile{Filename: a.Filename, ContentType: a.ContentType, Size: a.Size})
		}
		out = append(out, am)
	}
	return out
}

func (s *Server) apiFeedbackSenderOf(f *gongkai.Feedback) apiFeedbackSender {
	out := apiFeedbackSender{
		Receipt: f.Receipt, Kind: string(f.Kind), KindName: f.Kind.Label(), Subject: f.Subject, Body: f.Body,
		State: string(f.State), StateName: f.State.Label(), Anonymous: f.Anonymous, DisclosureID: f.DisclosureID, ResultID: f.ResultID,
		Department: f.DepartmentName, Due: apiDate(f.Due), DueProvisional: f.DueProvisional, RectifyDue: apiDate(f.RectifyDue),
		Rating: string(f.Rating), RatingName: f.Rating.Label(), Escalated: f.Escalated, ToBureau: f.ToBureau,
		CreatedAt: apiTime(f.CreatedAt), RepliedAt: apiTime(f.RepliedAt), ClosedAt: apiTime(f.ClosedAt),
		CanRate: f.CanRate(), Messages: apiFeedbackMessages(f.Messages),
	}
	if f.ResultID != 0 {
		out.ResultURL = "/api/v1/disclosures/" + strconv.FormatInt(f.ResultID, 10)
	}
	if err := f.CanEscalate(s.now()); err != nil {
		out.EscalateNote = gongkai.ErrorMessage(err)
	} else {
		out.CanEscalate = true
	}
	return out
}

func (s *Server) apiFeedbackSummaryOf(school *gongkai.School, f *gongkai.Feedback) apiFeedbackSummary {
	return apiFeedbackSummary{
		ID: f.ID, School: school.Slug, Kind: string(f.Kind), KindName: f.Kind.Label(), State: string(f.State), StateName: f.State.Label(),
		Subject: f.Subject, Anonymous: f.Anonymous, About: string(f.About), ToBureau: f.ToBureau, Escalated: f.Escalated,
		DepartmentID: f.DepartmentID, Department: f.DepartmentName, AssigneeID: f.AssigneeID, Assignee: f.AssigneeName,
		Due: apiDate(f.Due), DueProvisional: f.DueProvisional, Overdue: f.Overdue(s.now()), Rating: string(f.Rating),
		Supporters: f.Supporters, MustAnswerPublicly: f.MustAnswerPublicly, CreatedAt: apiTime(f.CreatedAt),
		URL: "/api/v1/feedback/" + strconv.FormatInt(f.ID, 10),
	}
}

func (s *Server) apiFeedbackDetailOf(actor *gongkai.Actor, school *gongkai.School, f *gongkai.Feedback) apiFeedbackDetail {
	out := apiFeedbackDetail{
		apiFeedbackSummary: s.apiFeedbackSummaryOf(school, f),
		Receipt:            f.Receipt, Body: f.Body, DisclosureID: f.DisclosureID,
		SenderName: f.SenderName, Contact: f.Contact, Email: f.Email, AboutName: f.AboutName,
		RectifyDue: apiDate(f.RectifyDue), ResultID: f.ResultID,
		QAPublished: f.QAPublished, QAQuestion: f.QAQuestion, QAAnswer: f.QAAnswer, QAPublishedAt: apiTime(f.QAPublishedAt),
		UpdatedAt: apiTime(f.UpdatedAt), RepliedAt: apiTime(f.RepliedAt), ClosedAt: apiTime(f.ClosedAt),
		Messages: apiFeedbackMessages(f.Messages), Actions: []string{},
	}
	for _, a := range gongkai.AvailableFeedbackActions(actor, school.BureauID, f) {
		out.Actions = append(out.Actions, string(a))
	}
	return out
}

// ---- The sender's side ---------------------------------------------------

// apiCreateFeedback takes a case from anyone, signed in or not. The
// response carries the secret, shown this once; only its hash is kept.
func (s *Server) apiCreateFeedback(w http.ResponseWriter, r *http.Request) error {
	if !s.limiter.allow("feedback-create:"+clientKey(r), feedbackCreateEvery, feedbackCreateBurst) {
		return gongkai.Errorf(gongkai.ETOOMANY, "提交过于频繁，请 10 分钟后再试。")
	}
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	var in apiFeedbackInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	nf := &gongkai.NewFeedback{
		Kind: gongkai.FeedbackKind(strings.TrimSpace(in.Kind)), DisclosureID: in.DisclosureID, Subject: in.Subject, Body: in.Body,
		Anonymous: in.Anonymous, SenderName: in.Name, Contact: in.Contact, Email: in.Email,
		About: gongkai.Subject(strings.TrimSpace(in.About)), AboutName: in.AboutName,
	}
	if !actor.Anonymous() {
		// Also when anonymity is asked for: the store needs the account to
		// check which items the sender may object to, and keeps nothing.
		nf.SenderID = actor.ID
	}
	if in.DisclosureID < 0 {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: "所选公开事项不存在。", Fields: map[string]string{"disclosure_id": "所选公开事项不存在。"}}
	}
	f, secret, err := s.db.CreateFeedback(r.Context(), school.ID, nf)
	if err != nil {
		return apiFeedbackFields(err)
	}
	writeJSON(w, http.StatusCreated, apiFeedbackReceipt{
		Receipt: f.Receipt, Secret: secret, Kind: string(f.Kind), KindName: f.Kind.Label(), State: string(f.State), StateName: f.State.Label(),
		Due: apiDate(f.Due), DueProvisional: f.DueProvisional, ToBureau: f.ToBureau,
		Notice: "请妥善保存回执码和查询密码：凭二者可查询办理进度、阅读答复、补充留言。查询密码只显示这一次，遗失后无法找回。",
	})
	return nil
}

// apiFeedbackFields renames the store's field names to the API's.
func apiFeedbackFields(err error) error {
	fields := gongkai.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	renamed := map[string]string{}
	for k, v := range fields {
		switch k {
		case "disclosure":
			k = "disclosure_id"
		case "department":
			k = "department_id"
		case "assignee":
			k = "assignee_id"
		case "about_user":
			k = "about_user_id"
		}
		renamed[k] = v
	}
	return &gongkai.Error{Code: gongkai.ErrorCode(err), Message: gongkai.ErrorMessage(err), Fields: renamed}
}

type apiLookupInput struct {
	Receipt string `json:"receipt"`
	Secret  string `json:"secret"`
}

func (in *apiLookupInput) check(needSecret bool) error {
	fe := gongkai.FieldErrors{}
	if strings.TrimSpace(in.Receipt) == "" {
		fe.Add("receipt", "请填写回执码。")
	} else if utf8.RuneCountInString(in.Receipt) > 64 {
		fe.Add("receipt", "回执码格式不正确。")
	}
	if needSecret && strings.TrimSpace(in.Secret) == "" {
		fe.Add("secret", "请填写查询密码。")
	} else if utf8.RuneCountInString(in.Secret) > 128 {
		fe.Add("secret", "查询密码格式不正确。")
	}
	return fe.Err()
}

// apiFeedbackLookup shows a case to whoever holds its receipt and secret,
// sent in the body so that neither ends up in a URL or a log.
func (s *Server) apiFeedbackLookup(w http.ResponseWriter, r *http.Request) error {
	if !s.limiter.allow("feedback-lookup:"+clientKey(r), feedbackLookupEvery, feedbackLookupBurst) {
		return gongkai.Errorf(gongkai.ETOOMANY, "查询过于频繁，请稍后再试。")
	}
	var in apiLookupInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	if err := in.check(true); err != nil {
		return err
	}
	if err := s.receiptAllowed(r, in.Receipt, gongkai.Errorf(gongkai.ETOOMANY, "查询过于频繁，请稍后再试。")); err != nil {
		return err
	}
	f, err := s.db.LookupFeedback(r.Context(), in.Receipt, in.Secret)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.apiFeedbackSenderOf(f))
	return nil
}

type apiFollowUpInput struct {
	apiLookupInput
	Action string `json:"action"`
	Body   string `json:"body"`
	Rating string `json:"rating"`
}

// apiFeedbackFollowUp lets the sender add a message, rate the answer or
// take the case to the bureau. A signed-in sender of a named case needs no
// secret.
func (s *Server) apiFeedbackFollowUp(w http.ResponseWriter, r *http.Request) error {
	if !s.limiter.allow("feedback-lookup:"+clientKey(r), feedbackLookupEvery, feedbackLookupBurst) {
		return gongkai.Errorf(gongkai.ETOOMANY, "操作过于频繁，请稍后再试。")
	}
	actor := gongkai.ActorFrom(r.Context())
	var in apiFollowUpInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	fe := gongkai.FieldErrors{}
	if err := in.check(actor.Anonymous()); err != nil {
		for k, v := range gongkai.ErrorFields(err) {
			fe.Add(k, v)
		}
	}
	// Which steps a sender may take, and what each needs, is the domain's
	// to say (gongkai.Feedback.SenderTake).
	action := gongkai.FeedbackAction(in.Action)
	if err := fe.Err(); err != nil {
		return err
	}
	if in.Secret != "" { // a guess at the secret; a signed-in sender of a named case needs none
		if err := s.receiptAllowed(r, in.Receipt, gongkai.Errorf(gongkai.ETOOMANY, "操作过于频繁，请稍后再试。")); err != nil {
			return err
		}
	}
	var senderID int64
	if !actor.Anonymous() {
		senderID = actor.ID
	}
	f, err := s.db.SenderAct(r.Context(), in.Receipt, in.Secret, senderID, gongkai.SenderStep{Action: action, Body: in.Body, Rating: gongkai.Rating(in.Rating)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.apiFeedbackSenderOf(f))
	return nil
}

// ---- The staff side ------------------------------------------------------

// apiFeedbackQueue lists the school's cases that the caller may see as
// staff, newest first.
func (s *Server) apiFeedbackQueue(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	q := r.URL.Query()
	fe := gongkai.FieldErrors{}
	f := store.FeedbackFilter{Viewer: actor, Page: 1, PerPage: 20, Query: q.Get("q")}
	intParam := func(name string, lo, hi int) int {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			fe.Add(name, fmt.Sprintf("%s 须为 %d–%d 之间的整数。", name, lo, hi))
			return 0
		}
		return n
	}
	boolParam := func(name string) bool {
		switch strings.ToLower(q.Get(name)) {
		case "", "0", "false", "no":
			return false
		case "1", "true", "yes":
			return true
		}
		fe.Add(name, name+" 只能是 true 或 false。")
		return false
	}
	if n := intParam("page", 1, apiMaxPage); n > 0 {
		f.Page = n
	}
	if n := intParam("per_page", 1, 100); n > 0 {
		f.PerPage = n
	}
	for _, v := range splitParam(q["state"]) {
		st := gongkai.FeedbackState(v)
		if !slices.Contains(gongkai.FeedbackStates, st) {
			fe.Add("state", "没有这个状态："+apiQuote(v)+"。")
		}
		f.States = append(f.States, st)
	}
	for _, v := range splitParam(q["kind"]) {
		k := gongkai.FeedbackKind(v)
		if !k.Valid() {
			fe.Add("kind", "没有这个类型："+apiQuote(v)+"。可用：objection、opinion、mailbox、report、request。")
		}
		f.Kinds = append(f.Kinds, k)
	}
	f.Open, f.Overdue = boolParam("open"), boolParam("overdue")
	if q.Get("assignee") == "me" {
		f.AssigneeID = actor.ID
	} else if q.Get("assignee") != "" {
		fe.Add("assignee", "assignee 只能是 me。")
	}
	if utf8.RuneCountInString(f.Query) > 200 {
		fe.Add("q", "搜索词不能超过 200 字。")
	}
	if len(fe) > 0 {
		return &gongkai.Error{Code: gongkai.EMALFORMED, Message: joinFields(fe), Fields: fe}
	}
	items, total, err := s.db.FindFeedback(r.Context(), school.BureauID, school.ID, f)
	if err != nil {
		return err
	}
	out := apiFeedbackList{Items: make([]apiFeedbackSummary, len(items)), Total: total, Page: f.Page, PerPage: f.PerPage}
	for i, c := range items {
		out.Items[i] = s.apiFeedbackSummaryOf(school, c)
	}
	if f.Page*f.PerPage < total && f.Page < apiMaxPage {
		next := f.Page + 1
		out.Next = &next
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func splitParam(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// apiFeedbackLoad finds the case of the {id} path value with its school,
// and answers ENOTFOUND, never EFORBIDDEN, when the caller may not see it.
func (s *Server) apiFeedbackLoad(r *http.Request) (*gongkai.School, *gongkai.Feedback, error) {
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "该件不存在或您无权查看。")
	id, ok := pathID(r)
	if !ok {
		return nil, nil, notFound
	}
	schoolID, err := s.db.FindFeedbackSchoolID(r.Context(), id)
	if err != nil {
		return nil, nil, notFound
	}
	school, err := s.db.FindSchoolByID(r.Context(), schoolID)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.db.FindFeedbackByID(r.Context(), schoolID, id)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.CanSeeFeedback(gongkai.ActorFrom(r.Context()), school.BureauID, f) {
		return nil, nil, notFound
	}
	return school, f, nil
}

func (s *Server) apiFeedbackCase(w http.ResponseWriter, r *http.Request) error {
	school, f, err := s.apiFeedbackLoad(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.apiFeedbackDetailOf(gongkai.ActorFrom(r.Context()), school, f))
	return nil
}

type apiFeedbackStepInput struct {
	Comment      string `json:"comment"`
	DepartmentID int64  `json:"department_id"`
	AssigneeID   int64  `json:"assignee_id"`
	Due          string `json:"due"`
	ResultID     int64  `json:"result_id"`
	QAQuestion   string `json:"qa_question"`
	QAAnswer     string `json:"qa_answer"`
	AboutUserID  int64  `json:"about_user_id"`
}

// apiFeedbackSteps are the staff steps by the name in the path.
var apiFeedbackSteps = map[string]gongkai.FeedbackAction{
	"assign": gongkai.FActAssign, "reply": gongkai.FActReply, "rectify": gongkai.FActRectify, "rectified": gongkai.FActRectified,
	"close": gongkai.FActClose, "decline": gongkai.FActDecline, "note": gongkai.FActNote, "publish_qa": gongkai.FActPublishQA,
}

func (s *Server) apiFeedbackAct(w http.ResponseWriter, r *http.Request) error {
	actor := gongkai.ActorFrom(r.Context())
	school, f, err := s.apiFeedbackLoad(r)
	if err != nil {
		return err
	}
	action, ok := apiFeedbackSteps[r.PathValue("action")]
	if !ok {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。可用的操作：assign、reply、rectify、rectified、close、decline、note、publish_qa。")
	}
	var in apiFeedbackStepInput
	if ok, err := apiReadJSON(w, r, &in, true); !ok {
		return err
	}
	step := gongkai.FeedbackStep{Action: action, Comment: in.Comment, DepartmentID: in.DepartmentID, AssigneeID: in.AssigneeID,
		ResultID: in.ResultID, QAQuestion: in.QAQuestion, QAAnswer: in.QAAnswer, AboutUserID: in.AboutUserID}
	fe := gongkai.FieldErrors{}
	if in.Due != "" {
		d, err := time.ParseInLocation("2006-01-02", in.Due, gongkai.Beijing)
		if err != nil {
			fe.Add("due", "日期格式应为 2026-03-13。")
		}
		step.Due = d
	}
	for name, v := range map[string]int64{"department_id": in.DepartmentID, "assignee_id": in.AssigneeID, "result_id": in.ResultID, "about_user_id": in.AboutUserID} {
		if v < 0 {
			fe.Add(name, name+" 无效。")
		}
	}
	if len(fe) > 0 {
		return &gongkai.Error{Code: gongkai.EMALFORMED, Message: joinFields(fe), Fields: fe}
	}
	got, err := s.db.HandleFeedback(r.Context(), school.ID, f.ID, actor, step)
	if err != nil {
		return apiFeedbackFields(err)
	}
	writeJSON(w, http.StatusOK, s.apiFeedbackDetailOf(actor, school, got))
	return nil
}
