package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"gongkai"
	"gongkai/internal/sheet"
	"gongkai/internal/store"
)

// adminLogPerPage is how many entries a page of the admin log shows.
const adminLogPerPage = 50

// adminLogPage is the admin log (管理日志) of a bureau or of one school:
// read only, newest first, filtered by school and kind of change.
type adminLogPage struct {
	base
	Heading   string
	Whole     bool   // the whole bureau's log, with its schools
	LogPath   string // the page's own path, for the filter
	Schools   []*gongkai.School
	SchoolID  int64
	Actions   []gongkai.AdminAction
	Action    gongkai.AdminAction
	Rows      []adminLogRow
	Total     int
	Pager     []pageLink
	ExportURL string
}

type adminLogRow struct {
	gongkai.AdminEntry
	School string
}

// ActionLabel is the name of a kind of change in the reader's language.
func (p *adminLogPage) ActionLabel(a gongkai.AdminAction) string {
	if en, ok := adminActionEnglish[a]; ok && p.Lang == "en" {
		return en
	}
	return a.Label()
}

// adminLogQuery reads ?school=, ?action= and ?page=.
func adminLogQuery(r *http.Request) (school int64, action gongkai.AdminAction, page int) {
	q := r.URL.Query()
	school, _ = strconv.ParseInt(q.Get("school"), 10, 64)
	action = gongkai.AdminAction(q.Get("action"))
	page, _ = strconv.Atoi(q.Get("page"))
	return school, action, min(max(page, 1), 100_000)
}

// bureauLogFilter is the filter of the bureau's log with the bureau's
// schools; a school of another bureau is not found.
func (s *Server) bureauLogFilter(r *http.Request) (*gongkai.Bureau, []*gongkai.School, store.AdminLogFilter, int, error) {
	b, err := s.bureauOf(r)
	if err != nil {
		return nil, nil, store.AdminLogFilter{}, 0, err
	}
	schools, err := s.db.FindSchools(r.Context(), b.ID)
	if err != nil {
		return nil, nil, store.AdminLogFilter{}, 0, err
	}
	school, action, page := adminLogQuery(r)
	f := store.AdminLogFilter{BureauID: b.ID, Action: action}
	if school != 0 {
		found := false
		for _, sc := range schools {
			found = found || sc.ID == school
		}
		if !found {
			return nil, nil, f, 0, gongkai.Errorf(gongkai.ENOTFOUND, "学校不存在或您无权查看。")
		}
		f.SchoolID = school
	}
	return b, schools, f, page, nil
}

// handleBureauAdminLog shows the bureau's admin log to its administrators
// and inspectors.
func (s *Server) handleBureauAdminLog(w http.ResponseWriter, r *http.Request) error {
	b, schools, f, page, err := s.bureauLogFilter(r)
	if err != nil {
		return err
	}
	p := &adminLogPage{base: s.base(r, "管理日志"), Whole: true, LogPath: "/bureau/log", Schools: schools, SchoolID: f.SchoolID, Action: f.Action}
	p.Title = p.T("管理日志")
	p.Heading = b.Name + " · " + p.T("管理日志")
	export := url.Values{}
	if f.SchoolID != 0 {
		export.Set("school", strconv.FormatInt(f.SchoolID, 10))
	}
	if f.Action != "" {
		export.Set("action", string(f.Action))
	}
	p.ExportURL = "/bureau/log.xlsx"
	if len(export) > 0 {
		p.ExportURL += "?" + export.Encode()
	}
	return s.renderAdminLog(w, r, p, f, page)
}

// handleSchoolAdminLog shows one school's admin log to its principal (and
// the bureau's administrator).
func (s *Server) handleSchoolAdminLog(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	_, action, page := adminLogQuery(r)
	p := &adminLogPage{base: s.base(r, "管理日志"), LogPath: "/s/" + school.Slug + "/manage/log", Action: action}
	p.Title = p.T("管理日志")
	p.Heading = p.T("管理日志")
	p.Nav = "members" // under 人员管理, beside the other management pages
	return s.renderAdminLog(w, r, p, store.AdminLogFilter{BureauID: school.BureauID, SchoolID: school.ID, Action: action}, page)
}

func (s *Server) renderAdminLog(w http.ResponseWriter, r *http.Request, p *adminLogPage, f store.AdminLogFilter, page int) error {
	f.Limit, f.Offset = adminLogPerPage, (page-1)*adminLogPerPage
	entries, total, err := s.db.FindAdminLog(r.Context(), f)
	if err != nil {
		return err
	}
	kinds := f
	kinds.Action = ""
	if p.Actions, err = s.db.AdminLogActions(r.Context(), kinds); err != nil {
		return err
	}
	names := map[int64]string{}
	for _, sc := range p.Schools {
		names[sc.ID] = sc.Name
	}
	if p.School != nil {
		names[p.School.ID] = p.School.Name
	}
	for _, e := range entries {
		p.Rows = append(p.Rows, adminLogRow{AdminEntry: e, School: names[e.SchoolID]})
	}
	p.Total = total
	p.Pager = pager(r.URL, page, total, adminLogPerPage)
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, r, "adminlog", p)
	return nil
}

// adminLogExportMax bounds the rows of one export; a county's log of many
// years stays far below it.
const adminLogExportMax = 200_000

// handleBureauAdminLogExport writes the bureau's admin log, as filtered,
// as an XLSX workbook.
func (s *Server) handleBureauAdminLogExport(w http.ResponseWriter, r *http.Request) error {
	b, schools, f, _, err := s.bureauLogFilter(r)
	if err != nil {
		return err
	}
	var all []gongkai.AdminEntry
	f.Limit = 5000
	for f.Offset = 0; f.Offset < adminLogExportMax; f.Offset += f.Limit {
		entries, _, err := s.db.FindAdminLog(r.Context(), f)
		if err != nil {
			return err
		}
		all = append(all, entries...)
		if len(entries) < f.Limit {
			break
		}
	}
	names := map[int64]string{}
	for _, sc := range schools {
		names[sc.ID] = sc.Name
	}
	var buf bytes.Buffer
	if err := sheet.ExportAdminLog(&buf, all, func(id int64) string { return names[id] }); err != nil {
		return err
	}
	name := b.Name + "管理日志" + s.db.Now().In(gongkai.Beijing).Format("20060102") + ".xlsx"
	h := w.Header()
	h.Set("Content-Type", xlsxType)
	h.Set("Content-Disposition", `attachment; filename="admin-log.xlsx"; filename*=UTF-8''`+url.PathEscape(name))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	return nil
}

// Tab marks the admin log tab.
func (p *adminLogPage) Tab() string { return "log" }
