package web

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/files"
	"gongkai/internal/store"
)

// The staff side of the procedure: the work queue, the school's list of
// items, the registration form, the review page and revisions.

// maxFormBody bounds a registration form with its files: a few attachments
// at their limit plus the text fields. More files go through the separate
// upload form, a few at a time.
const maxFormBody = 5 * (gongkai.MaxAttachmentBytes + 1<<20)

// ---------------------------------------------------------------- 工作台

type workPage struct {
	base
	Groups   []*workGroup
	Schools  []workSchool // schools where the reader takes part in the procedure
	Boards   []workSchool // schools where the reader only reads
	Bureau   *bureauWork
	Workflow bool            // the reader holds a workflow role somewhere
	Feedback *feedbackWork   // cases waiting for the reader, and those they sent
	Orders   *orderWork      // supervision orders waiting for the reader (orders.go)
	Surveys  []surveyWorkRow // open surveys the reader has yet to answer (surveys.go)
	// Inspections are this term's self-inspections the reader's
	// supervision group has yet to submit (inspection.go).
	Inspections []inspectionWorkRow
}

// Cat is a category's name in the reader's language.
func (p *workPage) Cat(code string) string { return categoryName(&p.base, code) }

// Empty reports whether nothing waits for the reader.
func (p *workPage) Empty() bool {
	if p.Feedback.Waiting() || p.Orders.Waiting() || len(p.Surveys) > 0 || len(p.Inspections) > 0 {
		return false
	}
	for _, g := range p.Groups {
		if len(g.Rows) > 0 {
			return false
		}
	}
	return true
}

type workSchool struct {
	School    *gongkai.School
	CanCreate bool
	CanManage bool // the principal: the school's profile and its people
	IsStaff   bool
}

// workGroup is one heading of the work queue.
type workGroup struct {
	Key   string
	Title string
	Hint  string
	Rows  []workRow
}

type workRow struct {
	School    *gongkai.School
	Item      *store.WorkItem
	URL       string
	DateLabel string // what Date is: 提交于, 签发于, …
	Date      time.Time
	PeriodEnd time.Time
	Countdown gongkai.Countdown // of the publicity period
	Reason    string            // the return reason of a returned draft
	ReturnBy  string
}

type bureauWork struct {
	Name    string
	Columns []string // what waits in each counted state
	Rows    []bureauRow
}

type bureauRow struct {
	School *gongkai.School
	Counts []bureauCount
	Total  int
}

type bureauCount struct {
	Label string
	N     int
	URL   string
}

// workGroups are the headings of the work queue in the order of the
// procedure; the reader sees only those with rows.
var workGroups = []workGroup{
	{Key: "returned", Title: "退回待修改", Hint: "领导小组或监督小组退回的登记表，请按意见修改后重新提交。"},
	{Key: "sign", Title: "待签发", Hint: "已提交审议，等待校长签发。"},
	{Key: "review", Title: "待审议", Hint: "已提交审议，领导小组可提出审议意见或退回修改。"},
	{Key: "check", Title: "待审核", Hint: "校长已签发，等待监督小组审核。"},
	{Key: "publish", Title: "待发布", Hint: "监督小组已审核，可以发布。"},
	{Key: "period", Title: "公示中", Hint: "3 个工作日内公示期满的事项，请留意异议。"},
	{Key: "drafts", Title: "我的草稿", Hint: "尚未提交审议的登记表。"},
}

func (s *Server) handleWork(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := &workPage{base: s.base(r, "工作台")}
	p.Title = p.T("工作台")
	p.NoIndex = true
	actor := p.Actor

	groups := map[string]*workGroup{}
	for _, g := range workGroups {
		g.Title, g.Hint = p.T(g.Title), p.T(g.Hint)
		p.Groups = append(p.Groups, &g)
		groups[g.Key] = &g
	}
	calendars := map[int64]*gongkai.WorkCalendar{} // by bureau
	var schoolIDs []int64
	for _, m := range actor.Memberships {
		if !slices.Contains(schoolIDs, m.SchoolID) {
			schoolIDs = append(schoolIDs, m.SchoolID)
		}
	}
	for _, id := range schoolIDs {
		school, err := s.db.FindSchoolByID(ctx, id)
		if err != nil {
			return err
		}
		ws := workSchool{School: school, CanCreate: gongkai.CanCreateDisclosure(actor, id), CanManage: gongkai.CanManageSchool(actor, school.BureauID, id), IsStaff: gongkai.CanReadInternalBoard(actor, school.BureauID, id)}
		if !gongkai.CanSeeUnpublished(actor, school.BureauID, id) {
			p.Boards = append(p.Boards, ws)
			continue
		}
		p.Workflow = true
		p.Schools = append(p.Schools, ws)

		q := store.WorkQuery{}
		for _, st := range []gongkai.State{gongkai.StateSubmitted, gongkai.StateApproved, gongkai.StateChecked} {
			if len(gongkai.AvailableActions(actor, id, st)) > 0 {
				q.States = append(q.States, st)
			}
		}
		// A pending revision waits for the same steps as an item.
		revStep := map[gongkai.State][]gongkai.Action{
			gongkai.StateSubmitted: {gongkai.ActionApprove, gongkai.ActionComment, gongkai.ActionReturn},
			gongkai.StateApproved:  {gongkai.ActionCheck},
			gongkai.StateChecked:   {gongkai.ActionPublish},
		}
		for _, st := range []gongkai.State{gongkai.StateSubmitted, gongkai.StateApproved, gongkai.StateChecked} {
			for _, a := range revStep[st] {
				if gongkai.AuthorizeRevision(actor, id, gongkai.StatePublished, st, a) == nil {
					q.RevisionStates = append(q.RevisionStates, st)
					break
				}
			}
		}
		if ws.CanCreate {
			q.DraftsBy = actor.ID
			q.RevisionDraftsBy = actor.ID
		}
		var cal *gongkai.WorkCalendar
		if actor.HasRole(id, gongkai.RoleClerk) || actor.HasRole(id, gongkai.RolePrincipal) {
			if cal = calendars[school.BureauID]; cal == nil {
				var err error
				if cal, err = s.db.Calendar(ctx, school.RegionCode); err != nil {
					return err
				}
				calendars[school.BureauID] = cal
			}
			// The period ends "within 3 working days": on one of the next
			// three working days, today included when it is one.
			today := beijingDay(p.Now)
			q.PeriodFrom = today
			q.PeriodTo, _ = cal.AddWorkdays(today.AddDate(0, 0, -1), 3)
		}
		items, err := s.db.FindWork(ctx, id, q)
		if err != nil {
			return err
		}
		for _, it := range items {
			row := workRow{School: school, Item: it, URL: reviewURL(school, it.ID), Date: it.Since}
			key := ""
			acts := gongkai.AvailableActions(actor, id, it.State)
			state := it.State
			if it.Revision {
				// The revision's own step decides its heading.
				row.URL, state = revisionURL(school, it.ID), it.RevisionState
				acts = gongkai.AvailableRevisionActions(actor, id, it.State, it.RevisionState)
			}
			switch state {
			case gongkai.StateSubmitted:
				row.DateLabel = "提交于"
				if slices.Contains(acts, gongkai.ActionApprove) {
					key = "sign"
				} else if slices.Contains(acts, gongkai.ActionComment) || slices.Contains(acts, gongkai.ActionReturn) {
					key = "review"
				}
			case gongkai.StateApproved:
				row.DateLabel = "签发于"
				if slices.Contains(acts, gongkai.ActionCheck) {
					key = "check"
				}
			case gongkai.StateChecked:
				row.DateLabel = "审核于"
				if slices.Contains(acts, gongkai.ActionPublish) {
					key = "publish"
				}
			case gongkai.StateDraft:
				if it.Step == gongkai.ActionReturn {
					key, row.DateLabel, row.Reason, row.ReturnBy = "returned", "退回于", it.StepComment, it.StepActor
				} else if it.Revision {
					key, row.DateLabel = "drafts", "修订于"
				} else {
					key, row.DateLabel, row.Date = "drafts", "更新于", it.UpdatedAt
				}
			case gongkai.StatePublished:
				key, row.DateLabel, row.Date, row.PeriodEnd = "period", "发布于", it.PublishedAt, it.PublicityEnd
				row.Countdown = countdown(cal, it.PublicityEnd, p.Now)
			}
			if g := groups[key]; g != nil {
				row.DateLabel = p.T(row.DateLabel)
				g.Rows = append(g.Rows, row)
			}
		}
	}
	if actor.BureauRole.ValidBureau() && actor.BureauID != 0 {
		if err := s.fillBureauWork(ctx, p); err != nil {
			return err
		}
	}
	var err error
	if p.Feedback, err = s.feedbackWorkFor(ctx, actor, p.Now); err != nil {
		return err
	}
	if p.Orders, err = s.orderWorkFor(ctx, &p.base); err != nil {
		return err
	}
	if p.Surveys, err = s.surveyWorkFor(ctx, actor); err != nil {
		return err
	}
	if p.Inspections, err = s.inspectionWorkFor(ctx, actor, p.Now); err != nil {
		return err
	}
	s.render(w, r, "work", p)
	return nil
}

// fillBureauWork lists the bureau's schools with how many items wait in each
// step, in two queries.
func (s *Server) fillBureauWork(ctx context.Context, p *workPage) error {
	bureau, err := s.db.FindBureauByID(ctx, p.Actor.BureauID)
	if err != nil {
		return err
	}
	schools, err := s.db.FindSchools(ctx, bureau.ID)
	if err != nil {
		return err
	}
	// Each state is named by the step it waits for.
	states := []gongkai.State{gongkai.StateSubmitted, gongkai.StateApproved, gongkai.StateChecked, gongkai.StatePublished}
	labels := []string{"待审议", "待审核", "待发布", "已发布"}
	counts, err := s.db.CountByState(ctx, bureau.ID, states)
	if err != nil {
		return err
	}
	bw := &bureauWork{Name: bureau.Name}
	for _, l := range labels {
		bw.Columns = append(bw.Columns, p.T(l))
	}
	for _, sc := range schools {
		row := bureauRow{School: sc}
		for i, st := range states {
			n := counts[sc.ID][st]
			row.Counts = append(row.Counts, bureauCount{Label: bw.Columns[i], N: n, URL: "/s/" + sc.Slug + "/manage/?state=" + string(st)})
			if st != gongkai.StatePublished {
				row.Total += n
			}
		}
		// A deactivated school takes nothing new; it stays on the list only
		// while items of it wait to be finished.
		if !sc.Active() && row.Total == 0 {
			continue
		}
		bw.Rows = append(bw.Rows, row)
	}
	p.Bureau = bw
	return nil
}

// ---------------------------------------------------------------- the school's items

type manageListPage struct {
	base
	State     string
	Query     string
	Items     []*gongkai.Disclosure
	Total     int
	Page      int
	Pages     int
	Tabs      []linkItem
	PageLinks []linkItem
	Prev      string
	Next      string
}

// Cat is a category's name in the reader's language.
func (p *manageListPage) Cat(code string) string { return categoryName(&p.base, code) }

type linkItem struct {
	Label   string
	URL     string
	Current bool
}

const managePerPage = 20

// revisingTab is the list's filter of items with a pending revision.
const revisingTab = "revising"

func (s *Server) handleManageList(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	p := &manageListPage{base: s.base(r, "登记与审核")}
	p.Title = p.T("登记与审核")
	p.Nav, p.NoIndex = "manage", true
	q := r.URL.Query()
	p.Query = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(p.Query) > 100 {
		p.Query = string([]rune(p.Query)[:100])
	}
	f := store.DisclosureFilter{Query: p.Query, PerPage: managePerPage, WithRevisions: true}
	if st := gongkai.State(q.Get("state")); slices.Contains(gongkai.States, st) {
		p.State = string(st)
		f.States = []gongkai.State{st}
	} else if st == revisingTab {
		p.State, f.Revising = revisingTab, true
	}
	p.Page, _ = strconv.Atoi(q.Get("page"))
	p.Page = max(p.Page, 1)
	f.Page = p.Page
	items, total, err := s.db.FindDisclosures(r.Context(), school.ID, f)
	if err != nil {
		return err
	}
	p.Items, p.Total = items, total
	p.Pages = max((total+managePerPage-1)/managePerPage, 1)

	base := "/s/" + school.Slug + "/manage/"
	link := func(state string, page int) string {
		v := url.Values{}
		if state != "" {
			v.Set("state", state)
		}
		if p.Query != "" {
			v.Set("q", p.Query)
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	}
	p.Tabs = append(p.Tabs, linkItem{Label: p.T("全部"), URL: link("", 1), Current: p.State == ""})
	for _, st := range gongkai.States {
		p.Tabs = append(p.Tabs, linkItem{Label: p.T(st.Label()), URL: link(string(st), 1), Current: p.State == string(st)})
	}
	p.Tabs = append(p.Tabs, linkItem{Label: p.T(gongkai.RevisionPendingLabel), URL: link(revisingTab, 1), Current: p.State == revisingTab})
	from, to := max(p.Page-4, 1), min(p.Page+4, p.Pages)
	for n := from; n <= to && p.Pages > 1; n++ {
		p.PageLinks = append(p.PageLinks, linkItem{Label: strconv.Itoa(n), URL: link(p.State, n), Current: n == p.Page})
	}
	if p.Page > 1 {
		p.Prev = link(p.State, p.Page-1)
	}
	if p.Page < p.Pages {
		p.Next = link(p.State, p.Page+1)
	}
	s.render(w, r, "manage-list", p)
	return nil
}

// ---------------------------------------------------------------- the registration form

type formPage struct {
	base
	D             *gongkai.Disclosure // what the form shows
	Action        string              // where the form posts
	Editing       bool
	Days          string // the publicity period as typed
	Catalogue     []catalogueGroup
	Departments   []gongkai.Department
	Files         []fileView // the draft's files (edit form)
	Errors        map[string]string
	Summary       []fieldError
	Notice        string // a message above the form
	Preview       *docView
	ReturnReason  *gongkai.Event
	MaxFileMB     int
	MaxAttachment int
	Obligations   []*gongkai.Obligation // open obligations of the chosen item (obligations.go)
	ObligationID  int64                 // the one publication meets
	Privacy       *privacyView          // personal data found in the saved draft (privacy.go)
}

// Cat is a category's name in the reader's language.
func (p *formPage) Cat(code string) string { return categoryName(&p.base, code) }

type catalogueGroup struct {
	Category string
	Items    []gongkai.CatalogueItem
}

type fieldError struct {
	Field, Label, Message string
}

// formFields are the fields of the registration form in the order of the
// paper form, with their labels for the error summary.
var formFields = [][2]string{
	{"catalogue", "公开事项"}, {"category", "公开类别"}, {"title", "标题"}, {"department", "处室"}, {"doc_number", "文号"},
	{"body", "公开内容"}, {"file", "附件"}, {"audience", "公开范围"}, {"channels", "公开渠道"},
	{"publicity_days", "公示期"}, {"legal_basis", "法律依据"}, {"contact", "异议联系方式"}, {"obligation", "对应的公开义务"},
}

// newFormPage returns the registration form page for d with its choices.
func (s *Server) newFormPage(r *http.Request, d *gongkai.Disclosure) (*formPage, []gongkai.CatalogueItem, error) {
	school := schoolFrom(r.Context())
	p := &formPage{base: s.base(r, "校务公开登记表"), D: d, MaxFileMB: gongkai.MaxAttachmentBytes >> 20, MaxAttachment: store.MaxAttachments}
	p.Title = p.T("校务公开登记表")
	p.Nav, p.NoIndex = "manage", true
	p.Action = "/s/" + school.Slug + "/manage/new"
	if d.ID != 0 {
		p.Editing = true
		p.Action = "/s/" + school.Slug + "/manage/d/" + strconv.FormatInt(d.ID, 10) + "/edit"
		p.Files = fileViews(school, d.Attachments)
		p.ReturnReason = lastReturn(d)
		var err error
		if p.Privacy, err = s.privacyPanel(r, &p.base, school, d, true); err != nil {
			return nil, nil, err
		}
	}
	if d.PublicityDays > 0 {
		p.Days = strconv.Itoa(d.PublicityDays)
	}
	cat, err := s.db.FindCatalogue(r.Context(), school.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range gongkai.Categories {
		g := catalogueGroup{Category: c.Code}
		for _, it := range cat {
			if it.Category == c.Code {
				g.Items = append(g.Items, it)
			}
		}
		if len(g.Items) > 0 {
			p.Catalogue = append(p.Catalogue, g)
		}
	}
	if p.Departments, err = s.db.FindDepartments(r.Context(), school.ID); err != nil {
		return nil, nil, err
	}
	return p, cat, nil
}

// setErrors puts the error's field messages next to their fields and in
// the summary, in the order of the form.
func (p *formPage) setErrors(fields map[string]string) {
	if len(fields) == 0 {
		return
	}
	p.Errors, p.Summary = mergeFieldErrors(p.T, formFields, p.Errors, fields)
}

// mergeFieldErrors adds to errs (made when nil) the field messages it does
// not have yet, and returns it with the summary of its messages in the
// order of the form's fields, labels and messages translated by t.
func mergeFieldErrors(t func(string) string, order [][2]string, errs, fields map[string]string) (map[string]string, []fieldError) {
	if errs == nil {
		errs = map[string]string{}
	}
	for k, v := range fields {
		if _, ok := errs[k]; !ok {
			errs[k] = v
		}
	}
	var summary []fieldError
	for _, f := range order {
		if msg, ok := errs[f[0]]; ok {
			summary = append(summary, fieldError{Field: f[0], Label: t(f[1]), Message: t(msg)})
		}
	}
	return errs, summary
}

func (s *Server) handleNewForm(w http.ResponseWriter, r *http.Request) error {
	if err := schoolFrom(r.Context()).Refusal(gongkai.UseNewDraft); err != nil {
		return err
	}
	d := &gongkai.Disclosure{Channels: []gongkai.Channel{"online"}}
	if code := r.URL.Query().Get("catalogue"); code != "" {
		d.CatalogueCode = code
	}
	obligation, err := s.obligationDefaults(r, d) // ?obligation=ID from the calendar
	if err != nil {
		return err
	}
	p, cat, err := s.newFormPage(r, d)
	if err != nil {
		return err
	}
	if d.CatalogueCode != "" {
		fe := gongkai.FieldErrors{}
		applyCatalogue(d, "", cat, p.Departments, fe)
		p.Days = strconv.Itoa(d.PublicityDays)
	}
	if err := s.formObligations(r, p, d.CatalogueCode, obligation); err != nil {
		return err
	}
	s.render(w, r, "form", p)
	return nil
}

func (s *Server) handleEditForm(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	if err := gongkai.Authorize(gongkai.ActorFrom(r.Context()), school.ID, d.State, gongkai.ActionEdit); err != nil {
		return err
	}
	p, _, err := s.newFormPage(r, d)
	if err != nil {
		return err
	}
	p.Days = strconv.Itoa(d.PublicityDays)
	chosen, err := s.db.DisclosureObligation(r.Context(), school.ID, d.ID)
	if err != nil {
		return err
	}
	if err := s.formObligations(r, p, d.CatalogueCode, chosen); err != nil {
		return err
	}
	s.render(w, r, "form", p)
	return nil
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) error {
	return s.saveForm(w, r, nil)
}

func (s *Server) handleEdit(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	if err := gongkai.Authorize(gongkai.ActorFrom(r.Context()), school.ID, d.State, gongkai.ActionEdit); err != nil {
		return err
	}
	return s.saveForm(w, r, d)
}

// saveForm handles a post of the registration form: preview, save as a
// draft, or save and submit. old is the stored draft when editing.
func (s *Server) saveForm(w http.ResponseWriter, r *http.Request, old *gongkai.Disclosure) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	if err := parseMultipart(w, r); err != nil {
		return err
	}
	defer removeMultipart(r)

	d := &gongkai.Disclosure{}
	if old != nil {
		d.ID, d.State, d.Version, d.Attachments, d.Trail = old.ID, old.State, old.Version, old.Attachments, old.Trail
		d.ClerkID, d.ClerkName, d.CreatedAt = old.ClerkID, old.ClerkName, old.CreatedAt
	}
	days, fe := readForm(r, d)
	p, cat, err := s.newFormPage(r, d)
	if err != nil {
		return err
	}
	p.Days = days
	applyCatalogue(d, days, cat, p.Departments, fe)
	if err := s.formObligationInput(r, p, d.CatalogueCode, fe); err != nil {
		return err
	}
	if d.Audience == "" {
		d.Audience = gongkai.AudiencePublic // as the store would save it
	}
	if d.PublicityDays > 0 && strings.TrimSpace(days) == "" {
		p.Days = strconv.Itoa(d.PublicityDays)
	}
	for _, dep := range p.Departments {
		if dep.ID == d.DepartmentID {
			d.DepartmentName = dep.Name
		}
	}
	do := r.PostFormValue("do")

	if do == "preview" {
		p.setErrors(fe)
		if d.CreatedAt.IsZero() {
			d.CreatedAt = p.Now
		}
		if p.Preview, err = s.newDocView(ctx, &p.base, school, d); err != nil {
			return err
		}
		p.Notice = p.T("以下是预览，尚未保存。")
		s.render(w, r, "form", p)
		return nil
	}
	// A submission that fails before the save shows what submission would
	// also find, so every problem is shown at once.
	withSubmitErrors := func() {
		if do == "submit" {
			p.setErrors(gongkai.ErrorFields(d.ValidateForSubmit()))
		}
	}
	if len(fe) > 0 {
		p.setErrors(fe)
		withSubmitErrors()
		s.renderPage(w, r, http.StatusUnprocessableEntity, "form", p)
		return nil
	}
	// Files first: a refused file leaves nothing saved.
	fhs := formFiles(r, "file")
	if len(d.Attachments)+len(fhs) > store.MaxAttachments {
		p.setErrors(map[string]string{"file": fmt.Sprintf("每项最多 %d 个附件。", store.MaxAttachments)})
		withSubmitErrors()
		s.renderPage(w, r, http.StatusUnprocessableEntity, "form", p)
		return nil
	}
	atts, err := s.storeFiles(ctx, fhs)
	if err == nil {
		if old == nil {
			err = s.db.CreateDisclosure(ctx, school.ID, actor, d)
		} else {
			_, err = s.db.UpdateDraft(ctx, school.ID, d.ID, actor, d)
		}
	}
	if err != nil {
		if c := gongkai.ErrorCode(err); c == gongkai.EINVALID || c == gongkai.ETOOLARGE {
			withSubmitErrors()
		}
		return s.formError(w, r, p, err)
	}
	if err := s.db.SetDisclosureObligation(ctx, school.ID, d.ID, p.ObligationID); err != nil {
		return s.formError(w, r, p, err)
	}
	for i := range atts {
		if err := s.db.AddAttachment(ctx, school.ID, d.ID, actor, &atts[i]); err != nil {
			return err
		}
	}
	rep, err := s.CheckPrivacy(ctx, school.ID, d.ID) // reads the new files (privacy.go)
	if err != nil {
		return err
	}
	editURL := reviewURL(school, d.ID) + "/edit"
	if do != "submit" {
		if len(rep.Findings) > 0 {
			return s.redirect(w, r, editURL+"#privacy", fmt.Sprintf("草稿已保存。发现 %d 处个人信息，提交审议前须处理。", len(rep.Findings)))
		}
		return s.redirect(w, r, editURL, "草稿已保存。")
	}
	if _, err := s.db.Act(ctx, school.ID, d.ID, actor, gongkai.ActionSubmit, r.PostFormValue("comment"), nil); err != nil {
		if gongkai.ErrorCode(err) != gongkai.EINVALID {
			return err
		}
		// The draft is saved; show it as the edit form with every problem.
		saved, ferr := s.db.FindDisclosureByID(ctx, school.ID, d.ID)
		if ferr != nil {
			return ferr
		}
		d.ID, d.State, d.Version, d.Attachments, d.Trail = saved.ID, saved.State, saved.Version, saved.Attachments, saved.Trail
		ep, _, ferr := s.newFormPage(r, d)
		if ferr != nil {
			return ferr
		}
		ep.Days = p.Days
		ep.Notice = ep.T("草稿已保存，但还不能提交审议：请修改标红的项目后再提交。")
		return s.formError(w, r, ep, err)
	}
	return s.redirect(w, r, reviewURL(school, d.ID), "已提交审议。")
}

// formError re-renders the form with the error next to its field, or
// returns errors that are not about the input.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, p *formPage, err error) error {
	code := gongkai.ErrorCode(err)
	if code != gongkai.EINVALID && code != gongkai.ETOOLARGE {
		return err
	}
	fields := gongkai.ErrorFields(err)
	if len(fields) == 0 {
		fields = map[string]string{"file": gongkai.ErrorMessage(err)}
	}
	p.setErrors(fields)
	s.renderPage(w, r, statusOf(code), "form", p)
	return nil
}

// readForm reads the registration form into d and returns the publicity
// period as typed, with the errors of values that cannot be read at all.
func readForm(r *http.Request, d *gongkai.Disclosure) (string, gongkai.FieldErrors) {
	fe := gongkai.FieldErrors{}
	v := r.PostFormValue
	d.CatalogueCode = strings.TrimSpace(v("catalogue"))
	d.Category = strings.TrimSpace(v("category"))
	d.Title = v("title")
	d.DocNumber = v("doc_number")
	d.Body = v("body")
	d.Audience = gongkai.Audience(v("audience"))
	d.LegalBasis = v("legal_basis")
	d.Contact = v("contact")
	d.Channels = nil
	for _, c := range r.PostForm["channels"] {
		d.Channels = append(d.Channels, gongkai.Channel(c))
	}
	d.DepartmentID = 0
	if dep := strings.TrimSpace(v("department")); dep != "" && dep != "0" {
		id, err := strconv.ParseInt(dep, 10, 64)
		if err != nil || id <= 0 {
			fe.Add("department", "处室无效，请从列表中选择。")
		}
		d.DepartmentID = id
	}
	days := strings.TrimSpace(v("publicity_days"))
	d.PublicityDays = 0
	if days != "" {
		n, err := strconv.Atoi(days)
		if err != nil {
			fe.Add("publicity_days", "公示期请填写工作日天数（整数）。")
		}
		d.PublicityDays = n
	}
	if d.Audience != "" && !d.Audience.Valid() {
		fe.Add("audience", "请选择公开范围。")
	}
	return days, fe
}

// applyCatalogue fills what the chosen catalogue item decides: its category,
// and the defaults for fields left empty (audience, publicity period,
// department, legal basis).
func applyCatalogue(d *gongkai.Disclosure, days string, cat []gongkai.CatalogueItem, deps []gongkai.Department, fe gongkai.FieldErrors) {
	if d.CatalogueCode == "" {
		return
	}
	i := slices.IndexFunc(cat, func(c gongkai.CatalogueItem) bool { return c.Code == d.CatalogueCode })
	if i < 0 {
		fe.Add("catalogue", "公开事项无效，请从目录中选择。")
		return
	}
	item := cat[i]
	d.Category = item.Category
	if d.Audience == "" {
		d.Audience = item.Audience
	}
	if d.PublicityDays == 0 && (days == "" || days == "0") {
		d.PublicityDays = item.PublicityDays
	}
	if d.DepartmentID == 0 && item.Department != "" {
		for _, dep := range deps {
			if dep.Name == item.Department {
				d.DepartmentID = dep.ID
			}
		}
	}
	if strings.TrimSpace(d.LegalBasis) == "" {
		d.LegalBasis = item.LegalBasis
	}
}

// lastReturn returns the return that brought a draft back, if that is how
// it became a draft again.
func lastReturn(d *gongkai.Disclosure) *gongkai.Event {
	if d.State != gongkai.StateDraft {
		return nil
	}
	for i := len(d.Trail) - 1; i >= 0; i-- {
		e := d.Trail[i]
		if e.To == gongkai.StateDraft && e.From != gongkai.StateDraft {
			if e.Action == gongkai.ActionReturn {
				return &e
			}
			return nil
		}
	}
	return nil
}

// parseMultipart reads a form with files under the body limit; a plain
// form is read too.
func parseMultipart(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	// Files stay in memory, never in a temporary file: an upload is written
	// only after its hidden metadata is gone (internal/scrub).
	err := r.ParseMultipartForm(maxFormBody)
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil && r.MultipartForm != nil:
		if err := checkValues(r.MultipartForm.Value); err != nil {
			removeMultipart(r)
			return err
		}
		return nil
	case err == nil, errors.Is(err, http.ErrNotMultipart):
		return checkValues(r.PostForm)
	case errors.As(err, &tooLarge):
		return gongkai.Errorf(gongkai.ETOOLARGE, "上传内容超过 %d MB，请分几次上传附件（每个文件不超过 %d MB）。", maxFormBody>>20, gongkai.MaxAttachmentBytes>>20)
	}
	return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
}

// removeMultipart deletes the temporary files of a parsed form; the server
// would only do it for the request it created, not for our copy.
func removeMultipart(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

func formFiles(r *http.Request, name string) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	return r.MultipartForm.File[name]
}

// storeFiles stores the uploaded files, checking each one's size and type
// by its content, and returns them ready to record. The first refused file
// stops it with an error that names the file.
func (s *Server) storeFiles(ctx context.Context, fhs []*multipart.FileHeader) ([]gongkai.Attachment, error) {
	var out []gongkai.Attachment
	for _, fh := range fhs {
		name := gongkai.CleanFilename(fh.Filename, "")
		if fh.Size > gongkai.MaxAttachmentBytes {
			msg := fmt.Sprintf("%s：文件超过 %d MB 上限。", name, gongkai.MaxAttachmentBytes>>20)
			return nil, &gongkai.Error{Code: gongkai.ETOOLARGE, Message: msg, Fields: map[string]string{"file": msg}}
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("web: open upload: %w", err)
		}
		st, err := s.blobs.Put(ctx, f, name, gongkai.MaxAttachmentBytes)
		f.Close()
		if err != nil {
			var e *gongkai.Error
			if errors.As(err, &e) {
				msg := name + "：" + e.Message
				return nil, &gongkai.Error{Code: e.Code, Message: msg, Fields: map[string]string{"file": msg}}
			}
			return nil, err
		}
		out = append(out, attachmentOf(name, st))
	}
	return out, nil
}

// attachmentOf is the record of a stored upload, named with the extension
// of the type its content showed.
func attachmentOf(name string, st *files.Stored) gongkai.Attachment {
	return gongkai.Attachment{Filename: gongkai.CleanFilename(name, st.ContentType), ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}
}

func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	actor := gongkai.ActorFrom(ctx)
	if err := gongkai.Authorize(actor, school.ID, d.State, gongkai.ActionEdit); err != nil {
		return err
	}
	if err := parseMultipart(w, r); err != nil {
		return err
	}
	defer removeMultipart(r)
	p, _, err := s.newFormPage(r, d)
	if err != nil {
		return err
	}
	p.Days = strconv.Itoa(d.PublicityDays)
	fhs := formFiles(r, "file")
	switch {
	case len(fhs) == 0:
		p.setErrors(map[string]string{"file": "请选择要上传的文件。"})
		s.renderPage(w, r, http.StatusUnprocessableEntity, "form", p)
		return nil
	case len(d.Attachments)+len(fhs) > store.MaxAttachments:
		p.setErrors(map[string]string{"file": fmt.Sprintf("每项最多 %d 个附件。", store.MaxAttachments)})
		s.renderPage(w, r, http.StatusUnprocessableEntity, "form", p)
		return nil
	}
	atts, err := s.storeFiles(ctx, fhs)
	if err != nil {
		return s.formError(w, r, p, err)
	}
	for i := range atts {
		if err := s.db.AddAttachment(ctx, school.ID, d.ID, actor, &atts[i]); err != nil {
			return s.formError(w, r, p, err)
		}
	}
	if _, err := s.CheckPrivacy(ctx, school.ID, d.ID); err != nil { // reads the new files (privacy.go)
		return err
	}
	return s.redirect(w, r, reviewURL(school, d.ID)+"/edit#f-file", fmt.Sprintf("已上传 %d 个附件。", len(atts)))
}

func (s *Server) handleRemoveFile(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	att, err := strconv.ParseInt(r.PathValue("att"), 10, 64)
	if err != nil {
		return gongkai.Errorf(gongkai.ENOTFOUND, "附件不存在。")
	}
	if err := s.db.RemoveAttachment(r.Context(), school.ID, d.ID, att, gongkai.ActorFrom(r.Context())); err != nil {
		return err
	}
	return s.redirect(w, r, reviewURL(school, d.ID)+"/edit#f-file", "附件已删除。")
}

// ---------------------------------------------------------------- review

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
}

// ButtonClass is the look of a decision button: the step forward is the
// main button, a return or withdrawal is marked as such.
func (p *reviewPage) ButtonClass(a gongkai.Action) string {
	switch a {
	case gongkai.ActionReturn, gongkai.ActionWithdraw:
		return "danger"
	case gongkai.ActionComment, gongkai.ActionArchive:
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
	for _, a := range gongkai.AvailableSteps(actor, school.ID, d.State, d.RevisionState) {
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

// ---------------------------------------------------------------- helpers

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
