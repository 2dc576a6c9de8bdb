package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"gongkai"
	"gongkai/internal/sheet"
	"gongkai/internal/store"
)

// The bureau's schools: the list (/bureau/schools, read by the bureau's
// administrator and inspectors), one school's form, deactivation and
// reactivation, and the county's school list as XLSX (upload → preview →
// confirm, and export).

type schoolsPage struct {
	base
	Bureau     *gongkai.Bureau
	Schools    []*gongkai.School // active first, then deactivated
	Principals map[int64][2]string
	CanEdit    bool // the administrator; an inspector only reads
	Active     int
	// ImportProblems lists why an upload was refused before any preview.
	ImportProblems []string
}

// Principal is the name of a school's principal, "" for none.
func (p *schoolsPage) Principal(id int64) string { return p.Principals[id][0] }

// bureauReader returns the actor's bureau for its administrator or
// inspectors; anybody else does not see the page.
func (s *Server) bureauReader(r *http.Request) (*gongkai.Bureau, bool, error) {
	actor := gongkai.ActorFrom(r.Context())
	if !actor.BureauRole.ValidBureau() || actor.BureauID == 0 {
		return nil, false, gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	b, err := s.db.FindBureauByID(r.Context(), actor.BureauID)
	return b, gongkai.CanAdminBureau(actor, actor.BureauID), err
}

// bureauSchool returns the school of the route's {slug} when it is one of
// the acting administrator's bureau; any other answers 404.
func (s *Server) bureauSchool(r *http.Request) (*gongkai.School, error) {
	actor := gongkai.ActorFrom(r.Context())
	school := schoolFrom(r.Context())
	if school == nil || !gongkai.CanAdminBureau(actor, school.BureauID) {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	return school, nil
}

func (s *Server) renderSchools(w http.ResponseWriter, r *http.Request, status int, p *schoolsPage) error {
	b, canEdit, err := s.bureauReader(r)
	if err != nil {
		return err
	}
	all, err := s.db.FindSchools(r.Context(), b.ID)
	if err != nil {
		return err
	}
	if p.Principals, err = s.db.FindPrincipals(r.Context(), b.ID); err != nil {
		return err
	}
	for _, sc := range all {
		if sc.Active() {
			p.Schools = append(p.Schools, sc)
		}
	}
	p.Active = len(p.Schools)
	for _, sc := range all {
		if !sc.Active() {
			p.Schools = append(p.Schools, sc)
		}
	}
	p.Bureau, p.CanEdit = b, canEdit
	p.Title, p.Nav, p.NoIndex = p.T("学校管理"), "schools", true
	s.renderPage(w, r, status, "schools", p)
	return nil
}

func (s *Server) handleSchools(w http.ResponseWriter, r *http.Request) error {
	return s.renderSchools(w, r, http.StatusOK, &schoolsPage{base: s.base(r, "")})
}

func (s *Server) handleSchoolsExport(w http.ResponseWriter, r *http.Request) error {
	b, _, err := s.bureauReader(r)
	if err != nil {
		return err
	}
	schools, err := s.db.FindSchools(r.Context(), b.ID)
	if err != nil {
		return err
	}
	principals, err := s.db.FindPrincipals(r.Context(), b.ID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := sheet.ExportSchools(&buf, schools, principals); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", xlsxType)
	h.Set("Content-Disposition", `attachment; filename="schools.xlsx"; filename*=UTF-8''`+url.PathEscape(b.Name+"学校名单.xlsx"))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	return nil
}

// ---- One school -----------------------------------------------------------

type schoolFormPage struct {
	base
	Bureau *gongkai.Bureau
	New    bool
	S      gongkai.School // the input, or the school as saved
	Saved  *gongkai.School
	Errors map[string]string
	// ActiveError is a refused deactivation or reactivation.
	ActiveError string
	Reason      string
}

// Stages are the choices of 学段.
func (p *schoolFormPage) Stages() []string { return gongkai.Stages }

// Action is where the form posts.
func (p *schoolFormPage) Action() string {
	if p.New {
		return "/bureau/schools"
	}
	return "/bureau/schools/" + p.Saved.Slug
}

func (s *Server) renderSchoolForm(w http.ResponseWriter, r *http.Request, status int, p *schoolFormPage) error {
	b, err := s.db.FindBureauByID(r.Context(), gongkai.ActorFrom(r.Context()).BureauID)
	if err != nil {
		return err
	}
	p.Bureau = b
	p.School = nil // a bureau page, not the school's
	p.Nav, p.NoIndex = "schools", true
	if p.New {
		p.Title = p.T("新建学校")
	} else {
		p.Title = p.Saved.Name + " · " + p.T("学校信息")
	}
	s.renderPage(w, r, status, "school-form", p)
	return nil
}

func (s *Server) handleSchoolNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderSchoolForm(w, r, http.StatusOK, &schoolFormPage{base: s.base(r, ""), New: true})
}

func (s *Server) handleSchoolEdit(w http.ResponseWriter, r *http.Request) error {
	school, err := s.bureauSchool(r)
	if err != nil {
		return err
	}
	return s.renderSchoolForm(w, r, http.StatusOK, &schoolFormPage{base: s.base(r, ""), S: *school, Saved: school})
}

// schoolInput reads the bureau's fields of a school from a form.
func schoolInput(r *http.Request) gongkai.School {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return gongkai.School{Name: v("name"), FullName: v("full_name"), Slug: v("slug"), Code: v("code"), CreditCode: v("credit_code"),
		Stage: v("stage"), Address: v("address"), Phone: v("phone")}
}

// statusOfForm is the status of a refused form: 409 for a value another
// school has, 422 for a wrong one.
func statusOfForm(err error) int {
	if gongkai.ErrorCode(err) == gongkai.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

func (s *Server) handleSchoolCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	actor := gongkai.ActorFrom(r.Context())
	in := schoolInput(r)
	in.BureauID = actor.BureauID
	err := s.db.RegisterSchool(r.Context(), actor, &in)
	if err != nil {
		fields, ierr := formError(err, "name")
		if ierr != nil {
			return ierr
		}
		return s.renderSchoolForm(w, r, statusOfForm(err), &schoolFormPage{base: s.base(r, ""), New: true, S: in, Errors: fields})
	}
	return s.redirect(w, r, "/bureau/schools#school-"+in.Slug,
		fmt.Sprintf("已新建%s，公开目录和应公开事项已生成。请到该校“人员管理”添加校长。", in.Name))
}

func (s *Server) handleSchoolUpdate(w http.ResponseWriter, r *http.Request) error {
	school, err := s.bureauSchool(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	actor := gongkai.ActorFrom(r.Context())
	in := schoolInput(r)
	saved, err := s.db.UpdateSchool(r.Context(), actor, school.BureauID, school.ID, &in)
	if err != nil {
		fields, ierr := formError(err, "name")
		if ierr != nil {
			return ierr
		}
		return s.renderSchoolForm(w, r, statusOfForm(err), &schoolFormPage{base: s.base(r, ""), S: in, Saved: school, Errors: fields})
	}
	return s.redirect(w, r, "/bureau/schools/"+saved.Slug, fmt.Sprintf("已保存%s的信息。", saved.Name))
}

// handleSchoolActive deactivates or reactivates a school once the
// administrator has ticked the confirmation.
func (s *Server) handleSchoolActive(active bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		school, err := s.bureauSchool(r)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
		}
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		refuse := func(status int, msg string) error {
			return s.renderSchoolForm(w, r, status, &schoolFormPage{base: s.base(r, ""), S: *school, Saved: school, ActiveError: msg, Reason: reason})
		}
		if r.PostFormValue("confirm") != "yes" {
			if active {
				return refuse(http.StatusUnprocessableEntity, "请勾选确认后再恢复。")
			}
			return refuse(http.StatusUnprocessableEntity, "请勾选确认后再停用。")
		}
		saved, err := s.db.SetSchoolActive(r.Context(), gongkai.ActorFrom(r.Context()), school.BureauID, school.ID, active, reason)
		if c := gongkai.ErrorCode(err); c == gongkai.ECONFLICT || c == gongkai.EINVALID {
			return refuse(statusOfForm(err), gongkai.ErrorMessage(err))
		}
		if err != nil {
			return err
		}
		if active {
			return s.redirect(w, r, "/bureau/schools#school-"+saved.Slug, fmt.Sprintf("已恢复%s，应公开事项已重新生成。", saved.Name))
		}
		return s.redirect(w, r, "/bureau/schools#school-"+saved.Slug, fmt.Sprintf("已停用%s。其公开栏仍可查阅，不再受理新的来信。", saved.Name))
	}
}

// ---- The county's school list ------------------------------------------------

type schoolImportPage struct {
	base
	Bureau   *gongkai.Bureau
	Filename string
	SHA256   string
	Token    string
	List     *sheet.SchoolList
	Existing map[string]bool // principal usernames that have an account
}

// Cell is a problem's message for a row and header, "" for none.
func (p *schoolImportPage) Cell(row int, header string) string {
	for _, pr := range p.List.RowProblems(row) {
		if pr.Header == header {
			return pr.Message
		}
	}
	return ""
}

// RowOK reports whether the row has no problem.
func (p *schoolImportPage) RowOK(row int) bool { return len(p.List.RowProblems(row)) == 0 }

// Problems lists every problem as a line.
func (p *schoolImportPage) Problems() []string { return p.List.Messages() }

// readSchoolList reads a list and adds the database's findings.
func (s *Server) readSchoolList(r *http.Request, bureauID int64, data []byte) (*sheet.SchoolList, error) {
	list, err := sheet.ReadSchools(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	conflicts, err := s.db.CheckSchoolList(r.Context(), gongkai.ActorFrom(r.Context()), bureauID, list.Rows)
	if err != nil {
		return nil, err
	}
	for _, row := range list.Rows {
		for _, field := range []string{"slug", "code", "credit_code", "principal_username"} {
			if msg := conflicts[row.Row][field]; msg != "" && len(list.RowProblems(row.Row)) < 10 {
				list.Add(row.Row, field, msg)
			}
		}
	}
	return list, nil
}

func (s *Server) handleSchoolsImport(w http.ResponseWriter, r *http.Request) error {
	b, _, err := s.bureauReader(r)
	if err != nil {
		return err
	}
	actor := gongkai.ActorFrom(r.Context())
	refuse := func(problems ...string) error {
		return s.renderSchools(w, r, http.StatusUnprocessableEntity, &schoolsPage{base: s.base(r, ""), ImportProblems: problems})
	}
	f, fh, done, msg := workbookUpload(w, r, "请选择要导入的学校名单（Excel 工作簿 .xlsx）。")
	if msg != "" {
		return refuse(msg)
	}
	defer done()
	data, err := io.ReadAll(io.LimitReader(f, sheet.MaxFileBytes+1))
	if err != nil {
		return err
	}
	list, err := s.readSchoolList(r, b.ID, data)
	var ie *sheet.ImportError
	if errors.As(err, &ie) {
		return refuse(ie.Problems...)
	}
	if err != nil {
		return err
	}
	p := &schoolImportPage{base: s.base(r, ""), Bureau: b, Filename: fh.Filename, List: list}
	if len(list.Problems) == 0 {
		// Kept in the database until confirmed, so that the confirmation
		// may reach any node and cannot bring a different file.
		if p.Token, err = s.db.StageSchoolImport(r.Context(), b.ID, actor.ID, fh.Filename, data); err != nil {
			return err
		}
		st, err := s.db.FindSchoolImport(r.Context(), b.ID, actor.ID, p.Token)
		if err != nil {
			return err
		}
		p.SHA256 = st.SHA256
	}
	if p.Existing, err = s.existingUsers(r, list); err != nil {
		return err
	}
	status := http.StatusOK
	if len(list.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.renderSchoolImport(w, r, status, p)
}

func (s *Server) existingUsers(r *http.Request, list *sheet.SchoolList) (map[string]bool, error) {
	out := map[string]bool{}
	for _, row := range list.Rows {
		if row.PrincipalUsername == "" {
			continue
		}
		_, _, err := s.db.FindUserForLogin(r.Context(), row.PrincipalUsername)
		switch gongkai.ErrorCode(err) {
		case "":
			out[row.PrincipalUsername] = true
		case gongkai.ENOTFOUND:
		default:
			return nil, err
		}
	}
	return out, nil
}

func (s *Server) renderSchoolImport(w http.ResponseWriter, r *http.Request, status int, p *schoolImportPage) error {
	p.School = nil
	p.Title, p.Nav, p.NoIndex = p.T("导入学校名单"), "schools", true
	s.renderPage(w, r, status, "school-import", p)
	return nil
}

type schoolImportedPage struct {
	base
	Imported []store.ImportedSchool
	NewUsers int
}

func (s *Server) handleSchoolsImportConfirm(w http.ResponseWriter, r *http.Request) error {
	b, _, err := s.bureauReader(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	actor := gongkai.ActorFrom(r.Context())
	token := r.PostFormValue("token")
	gone := func(msg string) error {
		return s.renderSchools(w, r, http.StatusConflict, &schoolsPage{base: s.base(r, ""), ImportProblems: []string{msg}})
	}
	if token == "" {
		return s.renderSchools(w, r, http.StatusUnprocessableEntity, &schoolsPage{base: s.base(r, ""), ImportProblems: []string{"请先上传学校名单并查看预览。"}})
	}
	st, err := s.db.FindSchoolImport(r.Context(), b.ID, actor.ID, token)
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		return gone(gongkai.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	if want := r.PostFormValue("sha256"); want != "" && want != st.SHA256 {
		return gone("预览的文件与保存的文件不一致，请重新上传。")
	}
	// The list is read and checked again: another school may have taken a
	// code since the preview.
	list, err := s.readSchoolList(r, b.ID, st.Data)
	var ie *sheet.ImportError
	if errors.As(err, &ie) {
		return gone(strings.Join(ie.Problems, "；"))
	}
	if err != nil {
		return err
	}
	if len(list.Problems) > 0 {
		p := &schoolImportPage{base: s.base(r, ""), Bureau: b, Filename: st.Filename, List: list}
		if p.Existing, err = s.existingUsers(r, list); err != nil {
			return err
		}
		return s.renderSchoolImport(w, r, http.StatusUnprocessableEntity, p)
	}
	out, err := s.db.ImportSchools(r.Context(), actor, b.ID, list.Rows, token)
	if c := gongkai.ErrorCode(err); c == gongkai.ECONFLICT || c == gongkai.EINVALID {
		return gone(gongkai.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	p := &schoolImportedPage{base: s.base(r, ""), Imported: out}
	for _, im := range out {
		if im.NewPrincipal {
			p.NewUsers++
		}
	}
	p.School = nil
	p.Title, p.Nav, p.NoIndex = p.T("学校名单已导入"), "schools", true
	s.renderPage(w, r, http.StatusOK, "school-imported", p)
	return nil
}

// ---- API ------------------------------------------------------------------

// apiSchoolInput is the body of POST /api/v1/schools and PUT
// /api/v1/schools/{slug}; on PUT an absent field keeps its value.
type apiSchoolInput struct {
	Slug       *string `json:"slug"`
	Name       *string `json:"name"`
	FullName   *string `json:"full_name"`
	Code       *string `json:"code"`
	CreditCode *string `json:"credit_code"`
	Stage      *string `json:"stage"`
	Address    *string `json:"address"`
	Phone      *string `json:"phone"`
}

func (in *apiSchoolInput) apply(s *gongkai.School) {
	for _, f := range []struct {
		v   *string
		dst *string
	}{{in.Slug, &s.Slug}, {in.Name, &s.Name}, {in.FullName, &s.FullName}, {in.Code, &s.Code}, {in.CreditCode, &s.CreditCode},
		{in.Stage, &s.Stage}, {in.Address, &s.Address}, {in.Phone, &s.Phone}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
}

// apiSchoolDetail is a school as its bureau's administrator reads it.
type apiSchoolDetail struct {
	apiSchool
	CreditCode  string  `json:"credit_code"`
	Stage       string  `json:"stage"`
	Address     string  `json:"address"`
	Phone       string  `json:"phone"`
	Active      bool    `json:"active"`
	Deactivated apiTime `json:"deactivated_at"`
	URL         string  `json:"url"`
}

func apiSchoolOf(s *gongkai.School) apiSchoolDetail {
	return apiSchoolDetail{apiSchool: apiSchool{Slug: s.Slug, Name: s.Name, FullName: s.FullName, Code: s.Code, Bureau: s.BureauName},
		CreditCode: s.CreditCode, Stage: s.Stage, Address: s.Address, Phone: s.Phone, Active: s.Active(),
		Deactivated: apiTime(s.DeactivatedAt), URL: "/s/" + s.Slug + "/"}
}

func (s *Server) apiCreateSchool(w http.ResponseWriter, r *http.Request) error {
	actor := gongkai.ActorFrom(r.Context())
	var in apiSchoolInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	sc := &gongkai.School{BureauID: actor.BureauID}
	in.apply(sc)
	if err := s.db.RegisterSchool(r.Context(), actor, sc); err != nil {
		return err
	}
	got, err := s.db.FindSchoolByID(r.Context(), sc.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/schools/"+got.Slug)
	writeJSON(w, http.StatusCreated, apiSchoolOf(got))
	return nil
}

func (s *Server) apiUpdateSchool(w http.ResponseWriter, r *http.Request) error {
	school, err := s.bureauSchool(r)
	if err != nil {
		return err
	}
	var in apiSchoolInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	upd := *school
	in.apply(&upd)
	saved, err := s.db.UpdateSchool(r.Context(), gongkai.ActorFrom(r.Context()), school.BureauID, school.ID, &upd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiSchoolOf(saved))
	return nil
}
