package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// Revisions of published items (revision.go in the domain): the form that
// starts a revision or edits the draft, the revision's own review page with
// its steps, and what the public pages show of it (docView: the mark while
// one is pending, who signed and checked each version).

// ---------------------------------------------------------------- the form

type revisePage struct {
	base
	D         *gongkai.Disclosure
	Action    string
	Editing   bool // the pending draft revision, not a new one
	Version   int  // the revision's version number
	TitleIn   string
	DocNumber string
	Body      string
	Comment   string
	Remove    map[int64]bool
	Files     []fileView
	Errors    map[string]string
	Summary   []fieldError
	MaxFileMB int
}

var reviseFields = [][2]string{{"title", "标题"}, {"doc_number", "文号"}, {"body", "公开内容"}, {"file", "附件"}, {"attachments", "附件"}, {"comment", "修订理由"}}

// newRevisePage is the form of a new revision of d, prefilled with the
// current version, or of its pending draft revision when editing.
func (s *Server) newRevisePage(r *http.Request, school *gongkai.School, d *gongkai.Disclosure, editing bool) *revisePage {
	p := &revisePage{base: s.base(r, "修订"), D: d, Editing: editing, Version: d.Version + 1, Remove: map[int64]bool{}, MaxFileMB: gongkai.MaxAttachmentBytes >> 20}
	p.Title = p.T("修订") + p.Colon() + d.Title
	p.Nav, p.NoIndex = "manage", true
	if pending := d.PendingRevision(); editing && pending != nil {
		p.Action = revisionURL(school, d.ID) + "/edit"
		p.TitleIn, p.DocNumber, p.Body, p.Comment = pending.Title, pending.DocNumber, pending.Body, pending.Reason
		p.Files = fileViews(school, pending.Attachments)
		return p
	}
	p.Action = reviewURL(school, d.ID) + "/revise"
	p.TitleIn, p.DocNumber, p.Body = d.Title, d.DocNumber, d.Body
	p.Files = fileViews(school, d.Attachments)
	return p
}

func (p *revisePage) setErrors(fields map[string]string) {
	p.Errors, p.Summary = mergeFieldErrors(p.T, reviseFields, p.Errors, fields)
}

func (s *Server) handleReviseForm(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	actor := gongkai.ActorFrom(r.Context())
	if d.RevisionState != "" && gongkai.CanSeeRevision(actor, school.BureauID, school.ID) {
		// One revision at a time: the pending one is where to go on.
		http.Redirect(w, r, revisionURL(school, d.ID), http.StatusSeeOther)
		return nil
	}
	if err := gongkai.AuthorizeStep(actor, school.ID, d.State, d.RevisionState, gongkai.ActionRevise); err != nil {
		return err
	}
	s.render(w, r, "revise", s.newRevisePage(r, school, d, false))
	return nil
}

func (s *Server) handleRevise(w http.ResponseWriter, r *http.Request) error {
	return s.saveRevision(w, r, false)
}

func (s *Server) handleRevisionEditForm(w http.ResponseWriter, r *http.Request) error {
	school, d, _, err := s.loadRevision(r)
	if err != nil {
		return err
	}
	if err := gongkai.AuthorizeRevision(gongkai.ActorFrom(r.Context()), school.ID, d.State, d.RevisionState, gongkai.ActionEdit); err != nil {
		return err
	}
	s.render(w, r, "revise", s.newRevisePage(r, school, d, true))
	return nil
}

func (s *Server) handleRevisionEdit(w http.ResponseWriter, r *http.Request) error {
	return s.saveRevision(w, r, true)
}

// saveRevision starts a revision from the form, or saves the pending draft
// revision when editing. The form is checked as submission will check it,
// so the clerk learns of every problem while writing.
func (s *Server) saveRevision(w http.ResponseWriter, r *http.Request, editing bool) error {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	var school *gongkai.School
	var d *gongkai.Disclosure
	var err error
	if editing {
		if school, d, _, err = s.loadRevision(r); err != nil {
			return err
		}
		err = gongkai.AuthorizeRevision(actor, school.ID, d.State, d.RevisionState, gongkai.ActionEdit)
	} else {
		if school, d, err = s.loadItem(r); err != nil {
			return err
		}
		err = gongkai.AuthorizeStep(actor, school.ID, d.State, d.RevisionState, gongkai.ActionRevise)
	}
	if err != nil {
		return err
	}
	if err := parseMultipart(w, r); err != nil {
		return err
	}
	defer removeMultipart(r)
	p := s.newRevisePage(r, school, d, editing)
	kept := len(p.Files)
	p.TitleIn, p.DocNumber, p.Body, p.Comment = r.PostFormValue("title"), r.PostFormValue("doc_number"), r.PostFormValue("body"), r.PostFormValue("comment")
	rev := &store.Revision{Title: p.TitleIn, Body: p.Body, DocNumber: p.DocNumber}
	for _, v := range r.PostForm["remove"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		p.Remove[id] = true
		rev.Remove = append(rev.Remove, id)
	}
	next := *d
	next.Title, next.Body, next.DocNumber = strings.TrimSpace(p.TitleIn), strings.TrimSpace(p.Body), strings.TrimSpace(p.DocNumber)
	fhs := formFiles(r, "file")
	fe := gongkai.ErrorFields(gongkai.CheckRevisionForm(&next, p.Comment, kept-len(rev.Remove)+len(fhs)))
	if len(fe) > 0 {
		p.setErrors(fe)
		s.renderPage(w, r, http.StatusUnprocessableEntity, "revise", p)
		return nil
	}
	if rev.Add, err = s.storeFiles(ctx, fhs); err == nil {
		// Read now, so the revision's submission can check them (privacy.go).
		err = s.scanAttachments(ctx, school.ID, rev.Add)
	}
	if err == nil {
		if editing {
			_, err = s.db.UpdateRevision(ctx, school.ID, d.ID, actor, p.Comment, rev)
		} else {
			_, err = s.db.StartRevision(ctx, school.ID, d.ID, actor, p.Comment, rev)
		}
	}
	if err != nil {
		code := gongkai.ErrorCode(err)
		if code != gongkai.EINVALID && code != gongkai.ETOOLARGE {
			return err
		}
		fields := gongkai.ErrorFields(err)
		if len(fields) == 0 {
			fields = map[string]string{"body": gongkai.ErrorMessage(err)}
		}
		p.setErrors(fields)
		s.renderPage(w, r, statusOf(code), "revise", p)
		return nil
	}
	if editing {
		return s.redirect(w, r, revisionURL(school, d.ID), "修订稿已保存。")
	}
	return s.redirect(w, r, revisionURL(school, d.ID), fmt.Sprintf("已生成修订稿（第 %d 版）。提交审议、经校长签发和监督小组审核后方可发布，在此之前公开栏仍显示现行版本。", d.Version+1))
}

// ---------------------------------------------------------------- the revision's page

type revisionPage struct {
	base
	D            *gongkai.Disclosure
	Rev          *gongkai.Version
	State        string // where the revision stands, for staff
	Doc          *docView
	Actions      []gongkai.Action
	ActionURL    string
	CanEdit      bool
	Comment      string
	Error        string
	CommentError string
	Return       *gongkai.Event
	Steps        []gongkai.Event // of this revision, oldest first
}

// ButtonClass is the look of a decision button, as on the review page.
func (p *revisionPage) ButtonClass(a gongkai.Action) string {
	switch a {
	case gongkai.ActionReturn, gongkai.ActionAbandon:
		return "danger"
	case gongkai.ActionComment:
		return "secondary"
	}
	return ""
}

// NeedsComment reports whether some button on the page requires the comment.
func (p *revisionPage) NeedsComment() bool {
	for _, a := range p.Actions {
		if gongkai.CommentRequired(a) {
			return true
		}
	}
	return false
}

// loadRevision returns the item named by {id} with its pending revision,
// answering 404 to whoever may not see the revision or when there is none.
func (s *Server) loadRevision(r *http.Request) (*gongkai.School, *gongkai.Disclosure, *gongkai.Version, error) {
	school, d, err := s.loadItem(r)
	if err != nil {
		return nil, nil, nil, err
	}
	pending := d.PendingRevision()
	if pending == nil || !gongkai.CanSeeRevision(gongkai.ActorFrom(r.Context()), school.BureauID, school.ID) {
		return nil, nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "本事项没有待审核的修订。")
	}
	return school, d, pending, nil
}

func (s *Server) handleRevision(w http.ResponseWriter, r *http.Request) error {
	school, d, pending, err := s.loadRevision(r)
	if err != nil {
		return err
	}
	return s.renderRevision(w, r, http.StatusOK, school, d, pending, "", nil)
}

func (s *Server) renderRevision(w http.ResponseWriter, r *http.Request, status int, school *gongkai.School, d *gongkai.Disclosure, pending *gongkai.Version, comment string, actErr error) error {
	actor := gongkai.ActorFrom(r.Context())
	p := &revisionPage{base: s.base(r, d.Title), D: d, Rev: pending, Comment: comment}
	p.Title = p.Tf("第 %d 版修订", pending.Version) + " - " + d.Title
	p.Nav, p.NoIndex = "manage", true
	p.State = gongkai.RevisionLabel(d.RevisionState)
	p.ActionURL = revisionURL(school, d.ID) + "/act/"
	for _, a := range gongkai.AvailableRevisionActions(actor, school.ID, d.State, d.RevisionState) {
		if a == gongkai.ActionEdit {
			p.CanEdit = true
			continue
		}
		p.Actions = append(p.Actions, a)
	}
	rank := map[string]int{"": 0, "secondary": 1, "danger": 2}
	slices.SortStableFunc(p.Actions, func(a, b gongkai.Action) int { return rank[p.ButtonClass(a)] - rank[p.ButtonClass(b)] })
	p.Steps = revisionSteps(d, pending.Version)
	if d.RevisionState == gongkai.StateDraft {
		for i := len(p.Steps) - 1; i >= 0; i-- {
			if e := p.Steps[i]; e.To == gongkai.StateDraft && e.From != gongkai.StateDraft {
				if e.Action == gongkai.ActionReturn {
					p.Return = &e
				}
				break
			}
		}
	}
	if actErr != nil {
		p.Error = gongkai.ErrorMessage(actErr)
		p.CommentError = gongkai.ErrorFields(actErr)["comment"]
	}
	doc, err := s.newDocView(r.Context(), &p.base, school, d)
	if err != nil {
		return err
	}
	// The revision as readers will see it once published: its text and
	// files, a period that starts again at publication.
	doc.Version, doc.Title, doc.Body, doc.DocNumber = pending.Version, pending.Title, pending.Body, pending.DocNumber
	doc.Files = fileViews(school, pending.Attachments)
	doc.PeriodStart, doc.PeriodEnd, doc.Provisional = time.Time{}, time.Time{}, false
	doc.InPeriod, doc.PeriodLeft = false, gongkai.Countdown{}
	doc.Revisions, doc.RevisionPending, doc.Withdrawn = pending.Version-1, false, false
	// The steps so far, as they will count once the revision is published.
	preview := *d
	preview.Trail, preview.PublishedAt = make([]gongkai.Event, len(p.Steps)), time.Time{}
	for i, e := range p.Steps {
		e.Revision = false
		preview.Trail[i] = e
	}
	doc.Trail = trailLine(&p.base, &preview, doc.Revisions)
	p.Doc = doc
	s.renderPage(w, r, status, "revision", p)
	return nil
}

// revisionSteps are the trail's steps of the revision now pending as
// version v: those since it was started.
func revisionSteps(d *gongkai.Disclosure, v int) []gongkai.Event {
	var out []gongkai.Event
	for _, e := range d.Trail {
		if !e.Revision || e.Version != v {
			continue
		}
		if e.Action == gongkai.ActionRevise {
			out = out[:0] // an earlier attempt at the same version was abandoned
		}
		out = append(out, e)
	}
	return out
}

// revisionDone is the flash after each step of a revision.
var revisionDone = map[gongkai.Action]string{
	gongkai.ActionSubmit:  "修订已提交审议。",
	gongkai.ActionComment: "审议意见已记录。",
	gongkai.ActionApprove: "修订已签发。",
	gongkai.ActionReturn:  "修订已退回修改。",
	gongkai.ActionCheck:   "修订审核通过。",
	gongkai.ActionPublish: "修订版本已发布，公示期重新计算。",
	gongkai.ActionAbandon: "已放弃修订，公开栏继续显示现行版本。",
}

func (s *Server) handleRevisionAct(w http.ResponseWriter, r *http.Request) error {
	action := gongkai.Action(r.PathValue("action"))
	done, ok := revisionDone[action]
	if !ok {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。")
	}
	school, d, pending, err := s.loadRevision(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	comment := r.PostFormValue("comment")
	if _, err := s.db.ActRevision(r.Context(), school.ID, d.ID, gongkai.ActorFrom(r.Context()), action, comment); err != nil {
		switch gongkai.ErrorCode(err) {
		case gongkai.EINVALID, gongkai.EFORBIDDEN, gongkai.ECONFLICT:
			return s.renderRevision(w, r, statusOf(gongkai.ErrorCode(err)), school, d, pending, comment, err)
		}
		return err
	}
	if action == gongkai.ActionPublish || action == gongkai.ActionAbandon {
		return s.redirect(w, r, reviewURL(school, d.ID), done)
	}
	return s.redirect(w, r, revisionURL(school, d.ID), done)
}

// revisionURL is the staff page of an item's pending revision.
func revisionURL(school *gongkai.School, id int64) string {
	return reviewURL(school, id) + "/revision"
}

// ---------------------------------------------------------------- public pages

// Signed is the version shown with who signed (签发) and checked (审核)
// it; nil when neither is recorded.
func (v *docView) Signed() *gongkai.Version {
	for i := range v.D.Versions {
		if ver := &v.D.Versions[i]; ver.Version == v.Version {
			if ver.SignedByName == "" && ver.CheckedByName == "" {
				return nil
			}
			return ver
		}
	}
	return nil
}

// Signers says who signed and checked the version, with the dates:
// 签发人：张三（2026-03-02） · 审核人：李四（2026-03-03）.
// It takes a gongkai.Version or a pointer to one, as templates hold both.
func (v *docView) Signers(x any) string {
	var ver gongkai.Version
	switch t := x.(type) {
	case gongkai.Version:
		ver = t
	case *gongkai.Version:
		ver = *t
	}
	var parts []string
	day := func(t time.Time) string { return t.In(gongkai.Beijing).Format("2006-01-02") }
	if ver.SignedByName != "" {
		parts = append(parts, v.T("签发人")+v.b.Colon()+ver.SignedByName+"（"+day(ver.SignedAt)+"）")
	}
	if ver.CheckedByName != "" {
		parts = append(parts, v.T("审核人")+v.b.Colon()+ver.CheckedByName+"（"+day(ver.CheckedAt)+"）")
	}
	return strings.Join(parts, " · ")
}
