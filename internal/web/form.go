package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"gongkai"
	"gongkai/internal/store"
)

// The registration form (校务公开登记表): new and edit, preview, save and
// submit.

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

// handleEditForm shows a draft's form. After a save it is where the post
// led: ?preview=1 shows the saved draft as the public will see it, and
// ?check=submit shows what kept a submission back, so reloading either
// saves and submits nothing again.
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
	switch {
	case r.URL.Query().Get("preview") != "":
		if p.Preview, err = s.newDocView(r.Context(), &p.base, school, d); err != nil {
			return err
		}
		p.Notice = p.T("以下是预览。草稿已保存，尚未提交审议。")
	case r.URL.Query().Get("check") == "submit":
		if err := s.showSubmitProblems(r, p, d); err != nil {
			return err
		}
	}
	s.render(w, r, "form", p)
	return nil
}

// showSubmitProblems puts on the form what a submission of the saved draft
// would refuse now, every problem at once.
func (s *Server) showSubmitProblems(r *http.Request, p *formPage, d *gongkai.Disclosure) error {
	err := s.db.SubmitProblems(r.Context(), p.School.ID, d)
	if err == nil {
		return nil
	}
	if gongkai.ErrorCode(err) != gongkai.EINVALID {
		return err
	}
	fields := gongkai.ErrorFields(err)
	if len(fields) == 0 {
		fields = map[string]string{"file": gongkai.ErrorMessage(err)}
	}
	p.Notice = p.T("草稿已保存，但还不能提交审议：请修改标红的项目后再提交。")
	p.setErrors(fields)
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

// saveForm handles a post of the registration form: save as a draft, save
// and preview, or save and submit. Each saves the draft and redirects to a
// page that shows it, so that reloading that page saves nothing again; only
// input that cannot be saved at all re-renders the form (422) and saves
// nothing. old is the stored draft when editing.
func (s *Server) saveForm(w http.ResponseWriter, r *http.Request, old *gongkai.Disclosure) error {
	if err := parseMultipart(w, r); err != nil {
		return err
	}
	defer removeMultipart(r)
	p, d, fe, err := s.readFormPage(r, old)
	if err != nil {
		return err
	}
	do := r.PostFormValue("do")
	// A post that fails before the save shows what submission would also
	// find, so every problem is shown at once.
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
	if err := s.saveDraft(r, p, d, old == nil); err != nil {
		if c := gongkai.ErrorCode(err); c == gongkai.EINVALID || c == gongkai.ETOOLARGE {
			withSubmitErrors()
		}
		return s.formError(w, r, p, err)
	}
	return s.afterSave(w, r, d, do)
}

// readFormPage reads the posted form into a draft (the stored one's
// identity kept when editing) and the form page that shows it, with the
// errors of values that cannot be read at all.
func (s *Server) readFormPage(r *http.Request, old *gongkai.Disclosure) (*formPage, *gongkai.Disclosure, gongkai.FieldErrors, error) {
	d := &gongkai.Disclosure{}
	if old != nil {
		d.ID, d.State, d.Version, d.Attachments, d.Trail = old.ID, old.State, old.Version, old.Attachments, old.Trail
		d.ClerkID, d.ClerkName, d.CreatedAt = old.ClerkID, old.ClerkName, old.CreatedAt
	}
	days, fe := readForm(r, d)
	p, cat, err := s.newFormPage(r, d)
	if err != nil {
		return nil, nil, nil, err
	}
	p.Days = days
	applyCatalogue(d, days, cat, p.Departments, fe)
	if err := s.formObligationInput(r, p, d.CatalogueCode, fe); err != nil {
		return nil, nil, nil, err
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
	return p, d, fe, nil
}

// saveDraft stores the posted files, then creates or updates the draft with
// its obligation and adds the files. Files go first: a refused file leaves
// nothing saved.
func (s *Server) saveDraft(r *http.Request, p *formPage, d *gongkai.Disclosure, isNew bool) error {
	ctx := r.Context()
	school, actor := schoolFrom(ctx), gongkai.ActorFrom(ctx)
	fhs := formFiles(r, "file")
	if len(d.Attachments)+len(fhs) > store.MaxAttachments {
		return fileError(fmt.Sprintf("每项最多 %d 个附件。", store.MaxAttachments))
	}
	atts, err := s.storeFiles(ctx, fhs)
	if err != nil {
		return err
	}
	if isNew {
		err = s.db.CreateDisclosure(ctx, school.ID, actor, d)
	} else {
		_, err = s.db.UpdateDraft(ctx, school.ID, d.ID, actor, d)
	}
	if err != nil {
		return err
	}
	if err := s.db.SetDisclosureObligation(ctx, school.ID, d.ID, p.ObligationID); err != nil {
		return err
	}
	for i := range atts {
		// The same file chosen again is not added twice (the store keeps one
		// per content and version).
		if err := s.db.AddAttachment(ctx, school.ID, d.ID, actor, &atts[i]); err != nil {
			return err
		}
	}
	return nil
}

// afterSave reads the saved draft's new files for personal data, submits it
// when asked, and redirects to the page that shows the result.
func (s *Server) afterSave(w http.ResponseWriter, r *http.Request, d *gongkai.Disclosure, do string) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	rep, err := s.CheckPrivacy(ctx, school.ID, d.ID) // reads the new files (privacy.go)
	if err != nil {
		return err
	}
	editURL := reviewURL(school, d.ID) + "/edit"
	switch do {
	case "preview":
		return s.redirect(w, r, editURL+"?preview=1#preview", "")
	case "submit":
		_, err := s.db.Act(ctx, school.ID, d.ID, gongkai.ActorFrom(ctx), gongkai.ActionSubmit, r.PostFormValue("comment"), nil)
		if err == nil {
			return s.redirect(w, r, reviewURL(school, d.ID), "已提交审议。")
		}
		if gongkai.ErrorCode(err) != gongkai.EINVALID {
			return err
		}
		// The draft is saved; its form shows every problem.
		return s.redirect(w, r, editURL+"?check=submit", "")
	}
	if len(rep.Findings) > 0 {
		return s.redirect(w, r, editURL+"#privacy", fmt.Sprintf("草稿已保存。发现 %d 处个人信息，提交审议前须处理。", len(rep.Findings)))
	}
	return s.redirect(w, r, editURL, "草稿已保存。")
}

// fileError is a refusal shown next to the form's file field.
func fileError(msg string) error {
	return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"file": msg}}
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
