package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gongkai"
)

//go:embed templates
var templateFS embed.FS

// templates holds one parsed template set per page: the layout and the
// partials plus that page's "content".
type templates struct {
	pages map[string]*template.Template
}

func loadTemplates(st *staticFiles) (*templates, error) {
	funcs := templateFuncs(st)
	base := template.New("").Funcs(funcs)
	partials, err := fs.Glob(templateFS, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	base, err = base.ParseFS(templateFS, append([]string{"templates/layout.html"}, partials...)...)
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		c, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := c.ParseFS(templateFS, f); err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", f, err)
		}
		t.pages[name] = c
	}
	for _, required := range []string{"error"} {
		if t.pages[required] == nil {
			return nil, fmt.Errorf("web: template %q is missing", required)
		}
	}
	return t, nil
}

// base is what every page shows around its content.
type base struct {
	Title     string
	Lang      string // "zh" or "en"
	LargeText bool
	Actor     *gongkai.Actor
	School    *gongkai.School
	Flash     string
	FlashErr  bool
	Path      string // the request URI, to come back to after a preference change
	Nav       string // the active navigation item
	CSS       string // hashed URL of the stylesheet
	Now       time.Time
	Demo      bool
	NoIndex   bool
	Unread    int // the signed-in reader's unread notifications, for the header

	// FooterBureau is the bureau the footer shows: the school's, or see
	// footerBureau; nil shows none.
	FooterBureau *gongkai.Bureau
	Favicon      string // hashed URL of the icon
}

// T translates a Chinese UI text for English readers; Chinese is the source.
func (b *base) T(zh string) string {
	if b.Lang == "en" {
		if en, ok := english[zh]; ok {
			return en
		}
	}
	return zh
}

// Tf translates and formats.
func (b *base) Tf(zh string, args ...any) string { return fmt.Sprintf(b.T(zh), args...) }

// Colon ends a label before its value in the reader's language.
func (b *base) Colon() string { return colon(b.Lang == "en") }

// colon is the full-width colon of Chinese, or ": " in English.
func colon(en bool) string {
	if en {
		return ": "
	}
	return "："
}

// Day is a date in prose, in the reader's language: 2025年3月3日, or
// 2025-03-03 in English, which reads the same everywhere.
func (b *base) Day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(gongkai.Beijing)
	if b.Lang == "en" {
		return t.Format("2006-01-02")
	}
	y, m, d := t.Date()
	return fmt.Sprintf("%d年%d月%d日", y, m, d)
}

// DayTime is a moment in prose, to the minute: 2025年3月3日 15:04, or
// 2025-03-03 15:04 in English. A link that expires at a time of day, not
// at its end, is given so.
func (b *base) DayTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return b.Day(t) + " " + t.In(gongkai.Beijing).Format("15:04")
}

// Device names a session's device in the reader's language, part by part:
// gongkai.DescribeDevice writes "微信 · iPhone".
func (b *base) Device(d string) string {
	if d == "" {
		return b.T("未知设备")
	}
	parts := strings.Split(d, " · ")
	for i, p := range parts {
		parts[i] = b.T(p)
	}
	return strings.Join(parts, " · ")
}

// SignedIn reports whether someone is signed in.
func (b *base) SignedIn() bool { return !b.Actor.Anonymous() }

// IsStaff reports whether the reader may open the school's internal board.
func (b *base) IsStaff() bool {
	return b.School != nil && gongkai.CanReadInternalBoard(b.Actor, b.School.BureauID, b.School.ID)
}

// IsWorkflow reports whether the reader takes part in the school's procedure.
func (b *base) IsWorkflow() bool {
	return b.School != nil && gongkai.CanSeeUnpublished(b.Actor, b.School.BureauID, b.School.ID)
}

// CanManage reports whether the reader manages the school's members.
func (b *base) CanManage() bool {
	return b.School != nil && gongkai.CanManageSchool(b.Actor, b.School.BureauID, b.School.ID)
}

// CanCreate reports whether the reader may open a registration form.
func (b *base) CanCreate() bool {
	return b.School != nil && gongkai.CanCreateDisclosure(b.Actor, b.School.ID)
}

// base returns the common page fields for the request.
func (s *Server) base(r *http.Request, title string) base {
	b := base{
		Title:  title,
		Lang:   "zh",
		Actor:  gongkai.ActorFrom(r.Context()),
		School: schoolFrom(r.Context()),
		Path:   r.URL.RequestURI(),
		CSS:    s.static.url("app.css"),
		Now:    s.now(),
		Demo:   s.cfg.Demo,
	}
	b.Favicon = s.static.url("favicon.svg")
	if b.School != nil {
		b.FooterBureau = &b.School.Bureau
	} else {
		b.FooterBureau = s.footerBureau(r.Context(), b.Actor)
	}
	if !b.Actor.Anonymous() {
		// One query on a partial index; anonymous (cached) pages never ask.
		if n, err := s.db.CountUnreadNotifications(r.Context(), b.Actor.ID); err == nil {
			b.Unread = n
		}
	}
	if c, err := r.Cookie("lang"); err == nil && c.Value == "en" {
		b.Lang = "en"
	}
	if c, err := r.Cookie("size"); err == nil && c.Value == "large" {
		b.LargeText = true
	}
	if c, err := r.Cookie("flash"); err == nil {
		if v, err := url.QueryUnescape(c.Value); err == nil {
			b.Flash, b.FlashErr = strings.CutPrefix(v, "!")
			b.FlashErr = strings.HasPrefix(v, "!")
		}
	}
	return b
}

// basePage lets renderPage reach the base of any typed page struct.
type basePage interface{ pageBase() *base }

func (b *base) pageBase() *base { return b }

// renderPage renders the named page into a buffer, then writes it, so a
// template error never leaves half a page.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, data basePage) {
	t := s.pages.pages[name]
	if t == nil {
		s.log.Error("missing template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		s.log.Error("render", "page", name, "err", err)
		if name != "error" {
			p := &errorPage{Status: 500, Message: gongkai.ErrorMessage(err)}
			p.base = s.base(r, "服务器出错了")
			s.renderPage(w, r, http.StatusInternalServerError, "error", p)
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if data.pageBase().Flash != "" {
		http.SetCookie(w, &http.Cookie{Name: "flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	if _, caching := w.(*recorder); caching {
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		w.Write(buf.Bytes())
		return
	}
	body := buf.Bytes()
	serveBytes(w, r, status, "text/html; charset=utf-8", body, gzipBytes(body), etagOf(body))
}

// contentSecurityPolicy allows only this site's own files: no inline script
// or style, no framing.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"

// render is renderPage with status 200.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data basePage) {
	s.renderPage(w, r, http.StatusOK, name, data)
}

// redirect answers a POST with 303 to a GET, carrying a flash message; an
// error flash starts with "!".
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: "flash", Value: url.QueryEscape(flash), Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
