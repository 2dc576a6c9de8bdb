package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// The staff case page, its steps and its files.

type casePage struct {
	base
	F           *gongkai.Feedback
	Thread      []gongkai.FeedbackMessage
	StepURL     string // prefix of the step forms: …/cases/{id}/
	Overdue     bool
	Age         int
	Item        *gongkai.Disclosure // the item objected to
	Result      *gongkai.Disclosure // the published rectification result
	Department  string
	Assignee    string
	CanHandle   bool
	Steps       map[gongkai.FeedbackAction]bool
	Departments []gongkai.Department
	Staff       []*gongkai.Member // whom the case may be assigned to
	People      []*gongkai.Member // whom a report may be recorded to be about
	AboutPerson string            // whom the report was recorded to be about
	Templates   []store.ReplyTemplate
	Template    int64 // the chosen reply template
	Published   []*gongkai.Disclosure
	In          caseInput
	ErrAction   gongkai.FeedbackAction
	Errors      map[string]string
	Error       string
}

// caseInput is what the step forms show: the stored values, or what was
// typed into the form that failed.
type caseInput struct {
	Comment    map[gongkai.FeedbackAction]string
	Department int64
	Assignee   int64
	Due        string
	RectifyDue string
	ResultID   int64
	QAQuestion string
	QAAnswer   string
	AboutUser  int64
}

// Can reports whether the reader may take the step now.
func (p *casePage) Can(a string) bool { return p.Steps[gongkai.FeedbackAction(a)] }

// Text is the text of a step's form.
func (p *casePage) Text(a string) string { return p.In.Comment[gongkai.FeedbackAction(a)] }

// Err is the message of a field of the step's form after a failed try.
func (p *casePage) Err(a, field string) string {
	if string(p.ErrAction) != a {
		return ""
	}
	return p.Errors[field]
}

// Sender is how the case names its sender to staff.
func (p *casePage) Sender() string {
	if p.F.Anonymous || (p.F.SenderName == "" && p.F.SenderID == 0) {
		return p.T("匿名")
	}
	if p.F.SenderName != "" {
		return p.F.SenderName
	}
	return p.T("署名（未留姓名）")
}

func (s *Server) loadCase(r *http.Request) (*gongkai.School, *gongkai.Feedback, error) {
	school := schoolFrom(r.Context())
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "来信不存在或您无权查看。")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, notFound
	}
	f, err := s.db.FindFeedbackByID(r.Context(), school.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.CanSeeFeedback(gongkai.ActorFrom(r.Context()), school.BureauID, f) {
		return nil, nil, notFound
	}
	return school, f, nil
}

func (s *Server) newCasePage(r *http.Request, school *gongkai.School, f *gongkai.Feedback) (*casePage, error) {
	actor := gongkai.ActorFrom(r.Context())
	p := &casePage{base: s.base(r, f.Subject), F: f, Thread: f.Messages, StepURL: caseURL(school, f.ID) + "/",
		Steps: map[gongkai.FeedbackAction]bool{}}
	p.Nav, p.NoIndex, p.Path = "cases", true, caseURL(school, f.ID)
	p.Overdue = f.Overdue(p.Now)
	p.Age = newCaseRow(school, f, p.Now).Age
	for _, a := range gongkai.AvailableFeedbackActions(actor, school.BureauID, f) {
		p.Steps[a] = true
	}
	p.CanHandle = len(p.Steps) > 0
	p.In = caseInput{Comment: map[gongkai.FeedbackAction]string{}, Department: f.DepartmentID, Assignee: f.AssigneeID, ResultID: f.ResultID,
		QAQuestion: f.QAQuestion, QAAnswer: f.QAAnswer, AboutUser: f.AboutUserID, Due: isoDay(f.Due), RectifyDue: isoDay(f.RectifyDue)}
	if p.In.QAQuestion == "" {
		p.In.QAQuestion = f.Subject
	}
	if p.In.QAAnswer == "" {
		for _, m := range f.Messages {
			if (m.Action == gongkai.FActReply || m.Action == gongkai.FActDecline) && !m.Internal {
				p.In.QAAnswer = m.Body
			}
		}
	}
	if err := s.casePeople(r.Context(), p, school); err != nil {
		return nil, err
	}
	if err := s.caseItems(r.Context(), p, school); err != nil {
		return nil, err
	}
	return p, nil
}

// isoDay is a date for a date field, or "".
func isoDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(gongkai.Beijing).Format("2006-01-02")
}

// casePeople fills the case page's departments and people: who handles
// it, whom it may be assigned to, and whom a report may be about.
func (s *Server) casePeople(ctx context.Context, p *casePage, school *gongkai.School) error {
	f := p.F
	var err error
	if p.Departments, err = s.db.FindDepartments(ctx, school.ID); err != nil {
		return err
	}
	for _, d := range p.Departments {
		if d.ID == f.DepartmentID {
			p.Department = d.Name
		}
	}
	members, err := s.db.FindMembers(ctx, school.ID)
	if err != nil {
		return err
	}
	for _, m := range members {
		if p.Steps[gongkai.FActAssign] && gongkai.CanBeAssigned(m.ActorIn(school), school.BureauID, f) {
			p.Staff = append(p.Staff, m)
		}
		if p.Steps[gongkai.FActAbout] && m.User.ID != p.Actor.ID && gongkai.StaffOf(m.ActorIn(school), school.ID) {
			p.People = append(p.People, m)
		}
		if m.User.ID == f.AssigneeID {
			p.Assignee = m.User.DisplayName
		}
		if m.User.ID == f.AboutUserID {
			p.AboutPerson = m.User.DisplayName
		}
	}
	return nil
}

// caseItems fills the items the case is linked to, the reply templates and
// the published items a step may link.
func (s *Server) caseItems(ctx context.Context, p *casePage, school *gongkai.School) error {
	f := p.F
	var err error
	if f.DisclosureID != 0 {
		if p.Item, err = s.findItem(ctx, school, f.DisclosureID); err != nil {
			return err
		}
	}
	if f.ResultID != 0 {
		if p.Result, err = s.findItem(ctx, school, f.ResultID); err != nil {
			return err
		}
	}
	if p.Steps[gongkai.FActReply] {
		all, err := s.db.FindReplyTemplates(ctx, school.ID)
		if err != nil {
			return err
		}
		for _, t := range all {
			if t.Kind == "" || t.Kind == f.Kind {
				p.Templates = append(p.Templates, t)
			}
		}
	}
	// A rectification's result, or the item that answers a request, is a
	// published item of the school.
	if p.Steps[gongkai.FActRectified] || (p.Steps[gongkai.FActReply] && f.Kind == gongkai.KindRequest) {
		items, _, err := s.db.FindDisclosures(ctx, school.ID, store.DisclosureFilter{Published: true,
			Audiences: []gongkai.Audience{gongkai.AudiencePublic, gongkai.AudienceCommunity}, PerPage: 30})
		if err != nil {
			return err
		}
		for _, d := range items {
			if d.State == gongkai.StatePublished || d.State == gongkai.StateClosed {
				p.Published = append(p.Published, d)
			}
		}
	}
	return nil
}

// findItem returns an item of the school linked to a case, or nil when it
// is gone.
func (s *Server) findItem(ctx context.Context, school *gongkai.School, id int64) (*gongkai.Disclosure, error) {
	d, err := s.db.FindDisclosureByID(ctx, school.ID, id)
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		return nil, nil
	}
	return d, err
}

func (s *Server) handleCase(w http.ResponseWriter, r *http.Request) error {
	school, f, err := s.loadCase(r)
	if err != nil {
		return err
	}
	p, err := s.newCasePage(r, school, f)
	if err != nil {
		return err
	}
	// A reply template fills the reply form without JavaScript: the select
	// submits ?template=ID and the page comes back with its text.
	if id, err := strconv.ParseInt(r.URL.Query().Get("template"), 10, 64); err == nil {
		for _, t := range p.Templates {
			if t.ID == id {
				p.Template, p.In.Comment[gongkai.FActReply] = t.ID, t.Body
			}
		}
	}
	s.render(w, r, "feedback-case", p)
	return nil
}

// caseDone is the flash after each staff step.
var caseDone = map[gongkai.FeedbackAction]string{
	gongkai.FActAssign:    "已交办。",
	gongkai.FActReply:     "已答复，来信人可凭回执查看。",
	gongkai.FActRectify:   "整改方案已记录。",
	gongkai.FActRectified: "已记录整改完成，整改结果已关联。",
	gongkai.FActClose:     "已办结。",
	gongkai.FActDecline:   "已决定不予受理，理由已告知来信人。",
	gongkai.FActNote:      "备注已保存，仅工作人员可见。",
	gongkai.FActPublishQA: "已公开到问答栏目。",
	gongkai.FActAbout:     "已记录被举报人；被举报人不能查看或办理本件。",
}

// handleCaseStep takes a staff step: the form is parsed here, and every
// rule of the step (what it needs, who may take it, when) is the domain's.
func (s *Server) handleCaseStep(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	action := gongkai.FeedbackAction(r.PathValue("action"))
	done, ok := caseDone[action]
	if !ok {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。")
	}
	school, f, err := s.loadCase(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	step, err := parseCaseStep(action, r.PostFormValue)
	if err == nil {
		if _, err = s.db.HandleFeedback(ctx, school.ID, f.ID, gongkai.ActorFrom(ctx), step); err == nil {
			return s.redirect(w, r, caseURL(school, f.ID), done)
		}
	}
	switch gongkai.ErrorCode(err) {
	case gongkai.EINVALID, gongkai.ECONFLICT, gongkai.EFORBIDDEN:
	default:
		return err
	}
	p, perr := s.newCasePage(r, school, f)
	if perr != nil {
		return perr
	}
	p.ErrAction, p.Errors, p.Error = action, gongkai.ErrorFields(err), gongkai.ErrorMessage(err)
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	p.In.keep(action, step, r.PostFormValue)
	s.renderPage(w, r, statusOf(gongkai.ErrorCode(err)), "feedback-case", p)
	return nil
}

// parseCaseStep reads a step's form; EINVALID for a date or a choice that
// cannot be read. Whether the step's input is complete is the domain's to
// say.
func parseCaseStep(action gongkai.FeedbackAction, v func(string) string) (gongkai.FeedbackStep, error) {
	step := gongkai.FeedbackStep{Action: action, Comment: v("comment"), QAQuestion: v("qa_question"), QAAnswer: v("qa_answer")}
	fe := gongkai.FieldErrors{}
	id := func(field, msg string) int64 {
		s := strings.TrimSpace(v(field))
		if s == "" || s == "0" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			fe.Add(field, msg)
		}
		return n
	}
	step.DepartmentID = id("department", "请从列表中选择处室。")
	step.AssigneeID = id("assignee", "请从列表中选择承办人。")
	step.ResultID = id("result_id", "请从列表中选择公开事项。")
	step.AboutUserID = id("about_user", "请从列表中选择被举报人。")
	if d := strings.TrimSpace(v("due")); d != "" {
		t, err := time.ParseInLocation("2006-01-02", d, gongkai.Beijing)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			fe.Add("due", "日期格式应为 2025-03-07。")
		}
		step.Due = t
	}
	return step, fe.Err()
}

// keep puts what was typed into a failed step's form back into it.
func (in *caseInput) keep(action gongkai.FeedbackAction, step gongkai.FeedbackStep, v func(string) string) {
	in.Comment[action] = v("comment")
	switch action {
	case gongkai.FActAssign:
		in.Department, in.Assignee, in.Due = step.DepartmentID, step.AssigneeID, v("due")
	case gongkai.FActRectify:
		in.RectifyDue = v("due")
	case gongkai.FActRectified, gongkai.FActReply:
		in.ResultID = step.ResultID
	case gongkai.FActPublishQA:
		in.QAQuestion, in.QAAnswer = v("qa_question"), v("qa_answer")
	case gongkai.FActAbout:
		in.AboutUser = step.AboutUserID
	}
}

// handleCaseFile serves a file of a case to those who may see the case as
// staff. Files come from the public, so they always download.
func (s *Server) handleCaseFile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school, f, err := s.loadCase(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("att"), 10, 64)
	if err != nil || id <= 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "附件不存在。")
	}
	a, err := s.db.FindFeedbackAttachment(ctx, school.ID, f.ID, id)
	if err != nil {
		return err
	}
	return s.servePrivateFile(w, r, a, true)
}

// Open reports whether a step's form starts unfolded: the one that failed,
// or the step the case waits for.
func (p *casePage) Open(a string) bool {
	if p.ErrAction != "" {
		return string(p.ErrAction) == a
	}
	st := p.F.State
	switch gongkai.FeedbackAction(a) {
	case gongkai.FActAssign:
		return st == gongkai.FeedbackReceived
	case gongkai.FActReply:
		return st == gongkai.FeedbackReceived || st == gongkai.FeedbackAssigned
	case gongkai.FActRectified:
		return st == gongkai.FeedbackRectifying
	case gongkai.FActClose:
		return st == gongkai.FeedbackReplied || st == gongkai.FeedbackRectified
	}
	return false
}
