package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"gongkai"
)

// The review page of an item and its steps.

type reviewPage struct {
	base
	D            *gongkai.Disclosure
	Doc          *docView
	Actions      []gongkai.Action
	ActionURL    string // prefix of the decision forms: …/act/
	CanEdit      bool
	CanRevise    bool
	Comment      string
	Error        string
	CommentError string
	Return       *gongkai.Event
	// Revision is the item's pending revision, for those who may see it;
	// RevisionState names its step.
	Revision      *gongkai.Version
	RevisionState string
	Assessment    *rosterAssessment // of a roster's catalogue item (roster.go)
	Redact        *redactPanel      // redaction.go
	Privacy       *privacyView      // personal data found, and the principal's overrides (privacy.go)
	Posting       *postingForm      // recording a posting of a published item (posting.go)
}

// ButtonClass is the look of a decision button: the step forward is the
// main button, a return or withdrawal is marked as such.
func (p *reviewPage) ButtonClass(a gongkai.Action) string {
	switch a {
	case gongkai.ActionReturn, gongkai.ActionWithdraw:
		return "danger"
	case gongkai.ActionComment, gongkai.ActionArchive, gongkai.ActionRecall:
		return "secondary"
	}
	return ""
}

// NeedsComment reports whether some button on the page requires the comment.
func (p *reviewPage) NeedsComment() bool {
	for _, a := range p.Actions {
		if gongkai.CommentRequired(a) {
			return true
		}
	}
	return false
}

func (s *Server) handleReview(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	return s.renderReview(w, r, http.StatusOK, school, d, "", nil)
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, school *gongkai.School, d *gongkai.Disclosure, comment string, actErr error) error {
	p, err := s.reviewPageOf(r, school, d, comment, actErr)
	if err != nil {
		return err
	}
	s.renderPage(w, r, status, "review", p)
	return nil
}

func (s *Server) reviewPageOf(r *http.Request, school *gongkai.School, d *gongkai.Disclosure, comment string, actErr error) (*reviewPage, error) {
	actor := gongkai.ActorFrom(r.Context())
	p := &reviewPage{base: s.base(r, d.Title), D: d, Comment: comment}
	p.Nav, p.NoIndex = "manage", true
	if p.Title == "" {
		p.Title = p.T("（无标题）")
	}
	p.ActionURL = reviewURL(school, d.ID) + "/act/"
	if gongkai.CanSeeRevision(actor, school.BureauID, school.ID) {
		p.Revision, p.RevisionState = d.PendingRevision(), gongkai.RevisionLabel(d.RevisionState)
	}
	for _, a := range d.ItemSteps(actor) {
		switch a {
		case gongkai.ActionEdit:
			p.CanEdit = true
		case gongkai.ActionRevise:
			p.CanRevise = true
		default:
			p.Actions = append(p.Actions, a)
		}
	}
	// The step forward first, then the review comment, then return and
	// withdrawal.
	rank := map[string]int{"": 0, "secondary": 1, "danger": 2}
	slices.SortStableFunc(p.Actions, func(a, b gongkai.Action) int { return rank[p.ButtonClass(a)] - rank[p.ButtonClass(b)] })
	p.Return = lastReturn(d)
	p.Redact = newRedactPanel(actor, school, d)
	p.Posting = newPostingForm(actor, school, d, p.Now)
	if actErr != nil {
		p.Error = gongkai.ErrorMessage(actErr)
		p.CommentError = gongkai.ErrorFields(actErr)["comment"]
	}
	var err error
	if p.Doc, err = s.newDocView(r.Context(), &p.base, school, d); err != nil {
		return nil, err
	}
	if p.Assessment, err = s.itemAssessment(r.Context(), &p.base, school, d, p.Doc.Rule); err != nil {
		return nil, err
	}
	if p.Doc.TakenDown {
		p.Title, p.D = p.Doc.Title, p.Doc.masked() // the names masked (roster.go)
	}
	if !d.Published() {
		if p.Privacy, err = s.privacyPanel(r, &p.base, school, d, false); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// actionDone is the flash after each step.
var actionDone = map[gongkai.Action]string{
	gongkai.ActionSubmit:   "已提交审议。",
	gongkai.ActionComment:  "审议意见已记录。",
	gongkai.ActionApprove:  "已签发。",
	gongkai.ActionReturn:   "已退回修改。",
	gongkai.ActionRecall:   "已撤回提交，可以修改后重新提交。",
	gongkai.ActionCheck:    "审核通过。",
	gongkai.ActionPublish:  "已发布。",
	gongkai.ActionWithdraw: "已撤回。",
	gongkai.ActionArchive:  "已归档。",
}

func (s *Server) handleAct(w http.ResponseWriter, r *http.Request) error {
	action := gongkai.Action(r.PathValue("action"))
	done, ok := actionDone[action]
	if !ok {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。")
	}
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	comment := r.PostFormValue("comment")
	if action == gongkai.ActionSubmit {
		if _, err := s.CheckPrivacy(r.Context(), school.ID, d.ID); err != nil { // reads files not read yet (privacy.go)
			return err
		}
	}
	if _, err := s.db.Act(r.Context(), school.ID, d.ID, gongkai.ActorFrom(r.Context()), action, comment, nil); err != nil {
		switch gongkai.ErrorCode(err) {
		case gongkai.EINVALID, gongkai.EFORBIDDEN, gongkai.ECONFLICT:
			return s.renderReview(w, r, statusOf(gongkai.ErrorCode(err)), school, d, comment, err)
		}
		return err
	}
	return s.redirect(w, r, reviewURL(school, d.ID), done)
}

// loadItem returns the school and the item named by {id}, answering 404
// when the reader may not see it.
func (s *Server) loadItem(r *http.Request) (*gongkai.School, *gongkai.Disclosure, error) {
	school := schoolFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 || school == nil {
		return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "公开事项不存在或您无权查看。")
	}
	d, err := s.db.FindDisclosureByID(r.Context(), school.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.CanReadDisclosure(gongkai.ActorFrom(r.Context()), school.BureauID, d) {
		return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "公开事项不存在或您无权查看。")
	}
	return school, d, nil
}

// reviewURL is the staff page of an item.
func reviewURL(school *gongkai.School, id int64) string {
	return "/s/" + school.Slug + "/manage/d/" + strconv.FormatInt(id, 10)
}

// beijingDay is midnight of t's date in Beijing.
func beijingDay(t time.Time) time.Time {
	y, m, d := t.In(gongkai.Beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, gongkai.Beijing)
}
