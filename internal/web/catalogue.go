package web

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gongkai"
	"gongkai/internal/sheet"
)

// The catalogue's administration: a school's principal (or its bureau's
// administrator) edits the school's items at /s/{slug}/manage/catalogue; a
// bureau administrator keeps the items required of every school at
// /bureau/catalogue. Both import and export the list as XLSX.

type catalogueAdminPage struct {
	base
	Bureau *gongkai.Bureau // the bureau's page; nil for a school's
	URL    string          // the page's path; forms post below it
	Items  []gongkai.CatalogueItem
	// Edit is a refused form, shown again with its messages: an item's row
	// (New false) or the "添加公开事项" form.
	Edit *catalogueForm
	// ImportProblems lists why an import was refused, by row and column.
	ImportProblems []string
	// ReadOnly: the reader is the bureau's inspector, who reads the
	// bureau's required items and changes nothing.
	ReadOnly bool
}

// catalogueForm is one item's form; P gives the partial the page's T.
type catalogueForm struct {
	P      *catalogueAdminPage
	New    bool
	ID     string // prefix of the form's element ids
	Item   gongkai.CatalogueItem
	Errors map[string]string
}

// FormFor returns the edit form of an item, with the refused input if it
// was this item's.
func (p *catalogueAdminPage) FormFor(it gongkai.CatalogueItem) *catalogueForm {
	if p.Edit != nil && !p.Edit.New && p.Edit.Item.Code == it.Code {
		return p.Edit
	}
	return &catalogueForm{P: p, ID: "item-" + it.Code, Item: it}
}

// NewForm returns the "添加公开事项" form.
func (p *catalogueAdminPage) NewForm() *catalogueForm {
	if p.Edit != nil && p.Edit.New {
		return p.Edit
	}
	return &catalogueForm{P: p, New: true, ID: "new", Item: gongkai.CatalogueItem{Category: "other", Audience: gongkai.AudiencePublic}}
}

// Roster is the item's roster rule as the form shows it: a new item's
// student or staff list starts from the default fields.
func (f *catalogueForm) Roster() gongkai.RosterRule {
	r := f.Item.Roster
	if !r.Holds() && len(r.Fields) == 0 {
		r.Fields = gongkai.StudentRoster.Fields
		r.Takedown = gongkai.TakedownPeriodEnd
		if r.Kind == "" {
			r.Kind = gongkai.RosterNone
		}
	}
	return r
}

// RosterKinds, RosterFields and Takedowns are the choices of the roster
// fieldset (roster.go in the domain).
func (p *catalogueAdminPage) RosterKinds() []gongkai.RosterKind   { return gongkai.RosterKinds }
func (p *catalogueAdminPage) RosterFields() []gongkai.RosterField { return gongkai.RosterFields }
func (p *catalogueAdminPage) Takedowns() []gongkai.Takedown       { return gongkai.Takedowns }

// Frequencies are the choices of the frequency select.
func (p *catalogueAdminPage) Frequencies() []gongkai.Frequency { return gongkai.Frequencies }

// ScheduleText is the rule in words.
func (p *catalogueAdminPage) ScheduleText(sc gongkai.Schedule) string { return sc.Text() }

// catalogueScope is the school or bureau whose catalogue a request edits.
type catalogueScope struct {
	school *gongkai.School
	bureau *gongkai.Bureau
	url    string
	name   string // for the export's file name
}

func (s *Server) catalogueScope(r *http.Request) (*catalogueScope, error) {
	if school := schoolFrom(r.Context()); school != nil {
		return &catalogueScope{school: school, url: "/s/" + school.Slug + "/manage/catalogue", name: school.Name}, nil
	}
	// The bureau's items are read by its administrator and inspectors, and
	// changed by the administrator only.
	read := s.actorBureau
	if r.Method == http.MethodGet {
		read = s.bureauOf
	}
	b, err := read(r)
	if err != nil {
		return nil, err
	}
	return &catalogueScope{bureau: b, url: "/bureau/catalogue", name: b.Name}, nil
}

func (s *Server) loadCatalogue(r *http.Request, sc *catalogueScope) ([]gongkai.CatalogueItem, error) {
	if sc.school != nil {
		return s.db.FindCatalogue(r.Context(), sc.school.ID)
	}
	return s.db.FindBureauCatalogue(r.Context(), sc.bureau.ID)
}

func (s *Server) renderCatalogueAdmin(w http.ResponseWriter, r *http.Request, status int, sc *catalogueScope, p *catalogueAdminPage) error {
	items, err := s.loadCatalogue(r, sc)
	if err != nil {
		return err
	}
	p.Items, p.URL, p.Bureau = items, sc.url, sc.bureau
	p.ReadOnly = sc.bureau != nil && !gongkai.CanAdminBureau(p.Actor, sc.bureau.ID)
	if sc.bureau != nil {
		p.Title = p.T("教育局要求公开的事项")
	} else {
		p.Title = p.T("编辑公开目录")
	}
	p.Nav = "catalogue"
	p.NoIndex = true
	if p.Edit != nil {
		p.Edit.P = p
	}
	s.renderPage(w, r, status, "catalogue-admin", p)
	return nil
}

func (s *Server) handleCatalogueAdmin(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.catalogueScope(r)
	if err != nil {
		return err
	}
	return s.renderCatalogueAdmin(w, r, http.StatusOK, sc, &catalogueAdminPage{base: s.base(r, "")})
}

// formInt reads a whole number field; blank is 0.
func formInt(r *http.Request, name string, fe gongkai.FieldErrors, msg string) int {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fe.Add(name, msg)
	}
	return n
}

func (s *Server) handleCatalogueSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	sc, err := s.catalogueScope(r)
	if err != nil {
		return err
	}
	fe := gongkai.FieldErrors{}
	it := gongkai.CatalogueItem{
		Code:          strings.TrimSpace(r.PostFormValue("code")),
		Name:          r.PostFormValue("name"),
		Category:      r.PostFormValue("category"),
		Audience:      gongkai.Audience(r.PostFormValue("audience")),
		PublicityDays: formInt(r, "publicity_days", fe, "请填写整数。"),
		Frequency:     r.PostFormValue("frequency_text"),
		Department:    r.PostFormValue("department"),
		LegalBasis:    r.PostFormValue("legal_basis"),
		Channel:       gongkai.Channel(r.PostFormValue("channel")),
		Schedule: gongkai.Schedule{
			Frequency:   gongkai.Frequency(r.PostFormValue("frequency")),
			DueDay:      formInt(r, "due_day", fe, "请填写 0–28 的整数。"),
			DueMonthDay: r.PostFormValue("due_month_day"),
			TermDue:     [2]string{r.PostFormValue("term_due_spring"), r.PostFormValue("term_due_autumn")},
			DueWorkdays: formInt(r, "due_workdays", fe, "请填写 1–60 的整数。"),
		},
		Roster: gongkai.RosterRule{Kind: gongkai.RosterKind(r.PostFormValue("roster")), Takedown: gongkai.Takedown(r.PostFormValue("takedown"))},
	}
	// A post without the roster fieldset (Kind "") keeps the item's rule.
	for _, f := range r.PostForm["roster_fields"] {
		it.Roster.Fields = append(it.Roster.Fields, gongkai.RosterField(f))
	}
	isNew := r.PostFormValue("new") == "1"
	p := &catalogueAdminPage{base: s.base(r, "")}
	form := &catalogueForm{New: isNew, ID: "new", Item: it}
	if !isNew {
		form.ID = "item-" + it.Code
	}
	fail := func(errs map[string]string) error {
		form.Errors = errs
		p.Edit = form
		return s.renderCatalogueAdmin(w, r, http.StatusUnprocessableEntity, sc, p)
	}
	if isNew {
		items, err := s.loadCatalogue(r, sc)
		if err != nil {
			return err
		}
		for _, x := range items {
			if x.Code == it.Code {
				fe.Add("code", "该编码已在目录中，请换一个，或修改原有事项。")
			}
		}
	}
	if err := gongkai.ValidateCatalogueItem(&it); err != nil {
		for k, v := range gongkai.ErrorFields(err) {
			fe.Add(k, v)
		}
	}
	if len(fe) > 0 {
		return fail(fe)
	}
	actor := gongkai.ActorFrom(r.Context())
	if sc.school != nil {
		err = s.db.SaveCatalogueItem(r.Context(), sc.school.ID, actor, &it)
	} else {
		err = s.db.SaveBureauCatalogueItem(r.Context(), sc.bureau.ID, actor, &it)
	}
	if err != nil {
		errs, ierr := formError(err, "name")
		if ierr != nil {
			return ierr
		}
		return fail(errs)
	}
	return s.redirect(w, r, sc.url+"#item-"+it.Code, fmt.Sprintf("已保存“%s”。", it.Name))
}

func (s *Server) handleCatalogueDelete(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	sc, err := s.catalogueScope(r)
	if err != nil {
		return err
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		return gongkai.Errorf(gongkai.EINVALID, "请选择要删除的公开事项。")
	}
	actor := gongkai.ActorFrom(r.Context())
	if sc.school != nil {
		err = s.db.DeleteCatalogueItem(r.Context(), sc.school.ID, actor, code)
	} else {
		err = s.db.DeleteBureauCatalogueItem(r.Context(), sc.bureau.ID, actor, code)
	}
	if gongkai.ErrorCode(err) == gongkai.ECONFLICT {
		return s.redirect(w, r, sc.url+"#item-"+code, "!"+gongkai.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	if sc.bureau != nil {
		return s.redirect(w, r, sc.url, "已不再要求该事项；各校保留原有条目，可自行决定是否删除。")
	}
	return s.redirect(w, r, sc.url, "已删除该公开事项。")
}

// xlsxType is the media type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (s *Server) handleCatalogueExport(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.catalogueScope(r)
	if err != nil {
		return err
	}
	items, err := s.loadCatalogue(r, sc)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sheet.ExportCatalogue(&buf, items); err != nil {
		return err
	}
	name := sc.name + "校务公开目录.xlsx"
	h := w.Header()
	h.Set("Content-Type", xlsxType)
	h.Set("Content-Disposition", `attachment; filename="catalogue.xlsx"; filename*=UTF-8''`+url.PathEscape(name))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	return nil
}

func (s *Server) handleCatalogueImport(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.catalogueScope(r)
	if err != nil {
		return err
	}
	p := &catalogueAdminPage{base: s.base(r, "")}
	refuse := func(problems ...string) error {
		p.ImportProblems = problems
		return s.renderCatalogueAdmin(w, r, http.StatusUnprocessableEntity, sc, p)
	}
	f, fh, done, msg := workbookUpload(w, r, "请选择要导入的 Excel 工作簿（.xlsx）。")
	if msg != "" {
		return refuse(msg)
	}
	defer done()
	items, err := sheet.ImportCatalogue(f, fh.Size)
	var ie *sheet.ImportError
	if errors.As(err, &ie) {
		return refuse(ie.Problems...)
	}
	if err != nil {
		return err
	}
	actor := gongkai.ActorFrom(r.Context())
	if sc.school != nil {
		err = s.db.ImportCatalogue(r.Context(), sc.school.ID, actor, items)
	} else {
		err = s.db.ImportBureauCatalogue(r.Context(), sc.bureau.ID, actor, items)
	}
	if gongkai.ErrorCode(err) == gongkai.EINVALID {
		return refuse(gongkai.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, sc.url, fmt.Sprintf("已导入 %d 项。", len(items)))
}

// workbookUpload opens the workbook of an import form (field "file"), its
// size bounded before it is read. msg is why there is none to read, with
// missing as the message for a form without a file; done releases the
// upload.
func workbookUpload(w http.ResponseWriter, r *http.Request, missing string) (f multipart.File, fh *multipart.FileHeader, done func(), msg string) {
	tooLarge := fmt.Sprintf("文件超过 %d MB，请删去无关内容后再导入。", sheet.MaxFileBytes>>20)
	r.Body = http.MaxBytesReader(w, r.Body, sheet.MaxFileBytes+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, nil, nil, tooLarge
		}
		return nil, nil, nil, missing
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		r.MultipartForm.RemoveAll()
		return nil, nil, nil, missing
	}
	done = func() { f.Close(); r.MultipartForm.RemoveAll() }
	if fh.Size > sheet.MaxFileBytes {
		done()
		return nil, nil, nil, tooLarge
	}
	return f, fh, done, ""
}
