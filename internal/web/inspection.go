package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// The self-inspection (自查): the supervision group fills in the term's
// checklist; the principal, the leadership group and the bureau read it;
// the principal marks rectification measures done. Readers are decided by
// gongkai.CanReadInspection; everyone else is answered 404.

// CanReadInspection reports whether the reader may open the school's
// self-inspections and annual report, for the navigation.
func (b *base) CanReadInspection() bool {
	return b.School != nil && gongkai.CanReadInspection(b.Actor, b.School.BureauID, b.School.ID)
}

// ReadsInspection is CanReadInspection for another school, for the work page.
func (b *base) ReadsInspection(s *gongkai.School) bool {
	return s != nil && gongkai.CanReadInspection(b.Actor, s.BureauID, s.ID)
}

// inspectionReader checks that the reader may see the school's
// self-inspections; ENOTFOUND otherwise, so that nothing leaks.
func inspectionReader(r *http.Request) (*gongkai.School, *gongkai.Actor, error) {
	school, actor := schoolFrom(r.Context()), gongkai.ActorFrom(r.Context())
	if school == nil || !gongkai.CanReadInspection(actor, school.BureauID, school.ID) {
		return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	return school, actor, nil
}

// termOf reads the {term} of the path: a term that has begun.
func (s *Server) termOf(r *http.Request) (gongkai.Term, error) {
	t, ok := gongkai.ParseTerm(r.PathValue("term"))
	if !ok || t.After(gongkai.TermOf(s.db.Now())) {
		return gongkai.Term{}, gongkai.Errorf(gongkai.ENOTFOUND, "没有这个学期的自查表。")
	}
	return t, nil
}

func inspectionURL(school *gongkai.School, t gongkai.Term) string {
	return "/s/" + school.Slug + "/inspection/" + t.Key()
}

// inspectionsPage lists a school's self-inspections.
type inspectionsPage struct {
	base
	Current  gongkai.Term
	Previous gongkai.Term
	CurState gongkai.InspectionState
	PrevHas  bool
	CanFill  bool
	History  []store.InspectionSummary
}

func (s *Server) handleInspections(w http.ResponseWriter, r *http.Request) error {
	school, actor, err := inspectionReader(r)
	if err != nil {
		return err
	}
	hist, err := s.db.FindInspections(r.Context(), school.ID)
	if err != nil {
		return err
	}
	p := &inspectionsPage{base: s.base(r, ""), History: hist, CanFill: gongkai.CanFillInspection(actor, school.ID)}
	p.Title, p.Nav, p.NoIndex = p.T("校务公开自查"), "inspection", true
	p.Current = gongkai.TermOf(s.db.Now())
	p.Previous = p.Current.Prev()
	for _, h := range hist {
		switch h.Term {
		case p.Current:
			p.CurState = h.State
		case p.Previous:
			p.PrevHas = true
		}
	}
	s.render(w, r, "inspections", p)
	return nil
}

// inspectionPage is one term's checklist: a form for the supervision group
// while it is a draft, the answers with their measures otherwise.
type inspectionPage struct {
	base
	Term        gongkai.Term
	In          *gongkai.Inspection
	Exists      bool
	Editing     bool // the form is shown
	CanComplete bool // the principal may mark measures done
	Rows        []inspectionRow
	Verdicts    []gongkai.Verdict
	Errors      map[string]string
	Invalid     bool   // the form came back with errors
	DoneCode    string // the measure form that came back with an error
	DoneNote    string
}

// inspectionRow is one item with its answer and what the data tell.
type inspectionRow struct {
	N        int
	Item     gongkai.CheckItem
	A        gongkai.InspectionAnswer
	DueInput string
	Evidence string
}

// Err returns the message of the item's field ("note", "measure", ...).
func (p *inspectionPage) Err(field, code string) string { return p.Errors[field+"-"+code] }

func (s *Server) handleInspection(w http.ResponseWriter, r *http.Request) error {
	school, actor, err := inspectionReader(r)
	if err != nil {
		return err
	}
	term, err := s.termOf(r)
	if err != nil {
		return err
	}
	in, err := s.db.FindInspection(r.Context(), school.ID, term)
	exists := err == nil
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		in, err = gongkai.NewInspection(school.ID, term), nil
	}
	if err != nil {
		return err
	}
	p, err := s.inspectionPage(r, school, actor, in, exists, nil)
	if err != nil {
		return err
	}
	s.render(w, r, "inspection", p)
	return nil
}

// inspectionPage builds the page of the checklist in, with the evidence of
// the term computed from the data; due holds the dates as typed when the
// form comes back.
func (s *Server) inspectionPage(r *http.Request, school *gongkai.School, actor *gongkai.Actor, in *gongkai.Inspection, exists bool, due map[string]string) (*inspectionPage, error) {
	from, to := in.Term.Bounds()
	figs, err := s.db.SchoolReportFigures(r.Context(), school.ID, from, to)
	if err != nil {
		return nil, err
	}
	p := &inspectionPage{base: s.base(r, ""), Term: in.Term, In: in, Exists: exists, Verdicts: gongkai.Verdicts, Errors: map[string]string{}}
	p.Title, p.Nav, p.NoIndex = p.Tf("%s自查表", in.Term.Label()), "inspection", true
	if p.Lang == "en" {
		p.Title = p.T("自查表") + " · " + in.Term.Key()
	}
	p.Editing = in.Editable() && gongkai.CanFillInspection(actor, school.ID)
	p.CanComplete = in.State == gongkai.InspectionSubmitted && gongkai.CanCompleteMeasure(actor, school.ID)
	items := map[string]gongkai.CheckItem{}
	for _, c := range gongkai.DefaultChecklist {
		items[c.Code] = c
	}
	for i, a := range in.Answers {
		item, ok := items[a.Code]
		if !ok {
			item = gongkai.CheckItem{Code: a.Code, Title: a.Title}
		}
		item.Title = a.Title // the wording it was answered under
		row := inspectionRow{N: i + 1, Item: item, A: a, DueInput: formatDate(a.Due), Evidence: evidenceText(&p.base, item.Evidence, &figs)}
		if v, ok := due[a.Code]; ok {
			row.DueInput = v
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(gongkai.Beijing).Format("2006-01-02")
}

// evidenceText says what the term's data tell about an item, for the
// supervision group to weigh; "" when the data cannot tell.
func evidenceText(b *base, kind string, f *store.ReportFigures) string {
	obligations := func(p store.PeriodFigures) string {
		if p.Cases()+p.Waived+p.Pending == 0 {
			return b.T("本学期没有到期的此类事项。")
		}
		s := b.Tf("本学期到期 %d 件：按时公开 %d 件，逾期公开 %d 件，已逾期 %d 件", p.Cases()+p.Waived+p.Pending, p.OnTime, p.Late, p.Overdue)
		if p.Waived > 0 {
			s += b.Tf("，已免除 %d 件", p.Waived)
		}
		if p.Pending > 0 {
			s += b.Tf("，未到期 %d 件", p.Pending)
		}
		return s + b.T("。")
	}
	switch {
	case kind == "obligations":
		return b.T("公开日历：") + obligations(f.Obligations)
	case strings.HasPrefix(kind, "obligations:"):
		return b.T("公开日历：") + obligations(f.Item(strings.Split(strings.TrimPrefix(kind, "obligations:"), ",")...))
	case kind == "published":
		return b.Tf("本学期经登记、审议、签发、审核程序发布公开事项 %d 项，其中撤回 %d 项。", f.Published, f.Withdrawn)
	case kind == "feedback":
		t := f.FeedbackTotal()
		return b.Tf("异议、意见、来信和举报：收到 %d 件，已答复 %d 件，按期答复 %d 件，办理中 %d 件。", t.Received, t.Answered, t.OnTime, t.Open)
	case kind == "hot":
		return b.Tf("点题公开申请 %d 件（予以公开 %d 件、不予公开 %d 件），举报 %d 件，提请教育局督办 %d 件。",
			f.Requests.Received, f.Requests.Granted, f.Requests.Refused, f.Feedback[gongkai.KindReport].Received, f.FeedbackTotal().Escalated)
	case kind == "rectify":
		return b.Tf("来信整改：制定整改方案 %d 件，已完成 %d 件。", f.RectifyPlanned, f.RectifyDone)
	}
	return ""
}

// handleInspectionSave saves the supervision group's answers as a draft,
// or submits them (op=submit).
func (s *Server) handleInspectionSave(w http.ResponseWriter, r *http.Request) error {
	school, actor, err := inspectionReader(r)
	if err != nil {
		return err
	}
	term, err := s.termOf(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	if !gongkai.CanFillInspection(actor, school.ID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "自查表由监督小组填写。")
	}
	submit := r.PostFormValue("op") == "submit"
	cur, err := s.db.FindInspection(r.Context(), school.ID, term)
	exists := err == nil
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		cur, err = gongkai.NewInspection(school.ID, term), nil
	}
	if err != nil {
		return err
	}
	in, due, fe := readInspectionForm(r, cur)
	// The domain checks the rest; both sets of messages show at once.
	for k, v := range gongkai.ErrorFields(in.Validate(submit, s.db.Now())) {
		fe.Add(k, v)
	}
	if len(fe) == 0 {
		_, err = s.db.SaveInspection(r.Context(), school.ID, actor, in.SaveCommand(submit))
		switch gongkai.ErrorCode(err) {
		case "":
			msg := "自查表草稿已保存。"
			if submit {
				msg = "自查表已提交，校长、领导小组和教育局可以查阅。"
			}
			return s.redirect(w, r, inspectionURL(school, term), msg)
		case gongkai.ECONFLICT:
			return s.redirect(w, r, inspectionURL(school, term), "!"+gongkai.ErrorMessage(err))
		case gongkai.EINVALID:
			for k, v := range gongkai.ErrorFields(err) {
				fe.Add(k, v)
			}
			if len(fe) == 0 {
				fe.Add("form", gongkai.ErrorMessage(err))
			}
		default:
			return err
		}
	}
	p, err := s.inspectionPage(r, school, actor, in, exists, due)
	if err != nil {
		return err
	}
	p.Errors, p.Invalid = fe, true
	s.renderPage(w, r, http.StatusUnprocessableEntity, "inspection", p)
	return nil
}

// readInspectionForm reads the answers to the checklist's items from the
// form, with the deadlines as typed (to show them again) and the dates
// that do not parse.
func readInspectionForm(r *http.Request, cur *gongkai.Inspection) (*gongkai.Inspection, map[string]string, gongkai.FieldErrors) {
	in := *cur
	in.Answers = append([]gongkai.InspectionAnswer(nil), cur.Answers...)
	in.Summary = r.PostFormValue("summary")
	fe := gongkai.FieldErrors{}
	due := map[string]string{}
	for i := range in.Answers {
		a := &in.Answers[i]
		a.Verdict = gongkai.Verdict(r.PostFormValue("verdict-" + a.Code))
		a.Note, a.Measure = r.PostFormValue("note-"+a.Code), r.PostFormValue("measure-"+a.Code)
		v := strings.TrimSpace(r.PostFormValue("due-" + a.Code))
		due[a.Code] = v
		a.Due = time.Time{}
		if v != "" {
			d, err := time.ParseInLocation("2006-01-02", v, gongkai.Beijing)
			if err != nil {
				fe.Add("due-"+a.Code, "日期格式应为“年-月-日”，例如 2026-07-10。")
				continue
			}
			a.Due = d
		}
	}
	return &in, due, fe
}

// handleMeasureDone lets the principal mark an item's measure done.
func (s *Server) handleMeasureDone(w http.ResponseWriter, r *http.Request) error {
	school, actor, err := inspectionReader(r)
	if err != nil {
		return err
	}
	term, err := s.termOf(r)
	if err != nil {
		return err
	}
	code, note := r.PathValue("item"), r.PostFormValue("done_note")
	in, err := s.db.CompleteMeasure(r.Context(), school.ID, actor, term, code, note)
	switch gongkai.ErrorCode(err) {
	case "":
		title := ""
		if a := in.Answer(code); a != nil {
			title = a.Title
		}
		return s.redirect(w, r, inspectionURL(school, term)+"#item-"+url.PathEscape(code), "已登记整改完成："+clipRunes(title, 40))
	case gongkai.EINVALID:
		cur, ferr := s.db.FindInspection(r.Context(), school.ID, term)
		if ferr != nil {
			return ferr
		}
		p, perr := s.inspectionPage(r, school, actor, cur, true, nil)
		if perr != nil {
			return perr
		}
		p.DoneCode, p.DoneNote = code, note
		p.Errors["done-"+code] = gongkai.ErrorMessage(err)
		s.renderPage(w, r, http.StatusUnprocessableEntity, "inspection", p)
		return nil
	case gongkai.ECONFLICT:
		return s.redirect(w, r, inspectionURL(school, term), "!"+gongkai.ErrorMessage(err))
	}
	return err
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// bureauInspectionsPage shows which schools have submitted a term's
// self-inspection.
type bureauInspectionsPage struct {
	base
	BureauName string
	Term       gongkai.Term
	Terms      []dashLink
	Rows       []store.InspectionSummary
	Submitted  int
}

func (s *Server) handleBureauInspections(w http.ResponseWriter, r *http.Request) error {
	bureau, err := s.bureauOf(r)
	if err != nil {
		return err
	}
	cur := gongkai.TermOf(s.db.Now())
	term := cur
	if t, ok := gongkai.ParseTerm(r.URL.Query().Get("term")); ok && !t.After(cur) {
		term = t
	}
	rows, err := s.db.BureauInspections(r.Context(), bureau.ID, term)
	if err != nil {
		return err
	}
	p := &bureauInspectionsPage{base: s.base(r, ""), BureauName: bureau.Name, Term: term, Rows: rows}
	p.Title, p.NoIndex = p.T("各校自查情况"), true
	for t, i := cur, 0; i < 4; t, i = t.Prev(), i+1 {
		p.Terms = append(p.Terms, dashLink{Label: termLabel(&p.base, t), URL: "/bureau/inspections?term=" + t.Key(), Active: t == term})
	}
	for _, row := range rows {
		if row.State == gongkai.InspectionSubmitted {
			p.Submitted++
		}
	}
	s.render(w, r, "inspection-bureau", p)
	return nil
}

// termLabel is the term's name in the reader's language.
func termLabel(b *base, t gongkai.Term) string {
	if b.Lang != "en" {
		return t.Label()
	}
	if t.Autumn {
		return fmt.Sprintf("Autumn term %d", t.Year)
	}
	return fmt.Sprintf("Spring term %d", t.Year)
}

// TermName is termLabel for templates.
func (b *base) TermName(t gongkai.Term) string { return termLabel(b, t) }

// ErrFields lists the item's fields with a message, in form order.
func (p *inspectionPage) ErrFields(code string) []string {
	var out []string
	for _, f := range []string{"verdict", "note", "measure", "due"} {
		if p.Errors[f+"-"+code] != "" {
			out = append(out, f)
		}
	}
	return out
}

// RowHasError reports whether any field of the item has a message.
func (p *inspectionPage) RowHasError(code string) bool { return len(p.ErrFields(code)) > 0 }

// ---------------------------------------------------------------- 工作台

// inspectionWorkRow is a term's self-inspection waiting for the
// supervision group, on the work page.
type inspectionWorkRow struct {
	School *gongkai.School
	Term   gongkai.Term
	Draft  bool      // saved but not submitted
	Due    time.Time // the term's last day
	URL    string
}

// inspectionWorkFor lists, for each school where the reader fills the
// self-inspection, this term's checklist when the work page reminds of it
// (gongkai.InspectionToFill).
func (s *Server) inspectionWorkFor(ctx context.Context, actor *gongkai.Actor, now time.Time) ([]inspectionWorkRow, error) {
	term := gongkai.TermOf(now)
	_, last := term.Bounds()
	var ids []int64
	for _, id := range memberSchools(actor) {
		if gongkai.CanFillInspection(actor, id) {
			ids = append(ids, id)
		}
	}
	work, err := s.db.FindInspectionWork(ctx, ids, term)
	if err != nil {
		return nil, err
	}
	var out []inspectionWorkRow
	for _, w := range work {
		if gongkai.InspectionToFill(term, w.State, now) {
			out = append(out, inspectionWorkRow{School: w.School, Term: term, Draft: w.State == gongkai.InspectionDraft, Due: last,
				URL: inspectionURL(w.School, term)})
		}
	}
	return out, nil
}
