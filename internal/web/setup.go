package web

import (
	"net/http"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/auth"
)

// setupPage is the first start's setup (设置向导), and the page any setup
// link shows once the county is set up.
type setupPage struct {
	base
	Done   bool // the county is set up already
	Action string
	Form   bureauForm
	Admin  struct{ Username, DisplayName string }
	Errors map[string]string
}

// bureauForm is the bureau's particulars as the setup page and the
// bureau's settings show them.
type bureauForm struct {
	Name, DivisionCode, Address, Phone, Sponsor, ICP, PSB string
}

func bureauFormOf(b *gongkai.Bureau) bureauForm {
	return bureauForm{b.Name, b.DivisionCode, b.Address, b.Phone, b.Sponsor, b.ICP, b.PSB}
}

// readBureauForm reads the bureau's fields of a posted form.
func readBureauForm(r *http.Request) bureauForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return bureauForm{v("name"), v("division_code"), v("address"), v("phone"), v("sponsor"), v("icp"), v("psb")}
}

func (f bureauForm) apply(b *gongkai.Bureau) {
	b.Name, b.DivisionCode, b.Address, b.Phone, b.Sponsor, b.ICP, b.PSB = f.Name, f.DivisionCode, f.Address, f.Phone, f.Sponsor, f.ICP, f.PSB
}

// setupTokenLen is the length of a setup link's token: 32 random bytes in
// base64url (auth.NewToken).
const setupTokenLen = 43

// setupState answers what a setup link may do now: done when the county is
// set up, whatever the link; before that, ETOOMANY after too many tries
// from one address and ENOTFOUND for a link that is not kept. A guessed
// link and a used one look alike.
func (s *Server) setupState(r *http.Request) (done bool, err error) {
	if has, err := s.db.HasBureau(r.Context()); err != nil || has {
		return has, err // every link alike, none kept: nothing to guess
	}
	if !s.limiter.allow("setup:"+clientKey(r), 3*time.Second, 20) {
		return false, gongkai.Errorf(gongkai.ETOOMANY, "操作过于频繁，请稍后再试。")
	}
	token := r.PathValue("token")
	if len(token) != setupTokenLen {
		return false, gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	ok, err := s.db.SetupTokenValid(r.Context(), auth.HashToken(token))
	if err != nil {
		return false, err
	}
	if !ok {
		return false, gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	return false, nil
}

func (s *Server) newSetupPage(r *http.Request) *setupPage {
	p := &setupPage{base: s.base(r, "设置向导"), Action: "/setup/" + r.PathValue("token")}
	p.Title = p.T("设置向导")
	p.NoIndex = true
	return p
}

// renderSetupDone says the county is set up, with the status of a link
// that no longer works: the same for a used link and a guessed one.
func (s *Server) renderSetupDone(w http.ResponseWriter, r *http.Request, status int) error {
	p := s.newSetupPage(r)
	p.Done, p.Action = true, ""
	p.Title = p.T("已完成初始设置")
	s.renderPage(w, r, status, "setup", p)
	return nil
}

func (s *Server) handleSetupForm(w http.ResponseWriter, r *http.Request) error {
	done, err := s.setupState(r)
	if err != nil {
		return err
	}
	if done {
		return s.renderSetupDone(w, r, http.StatusNotFound)
	}
	return s.renderSetupForm(w, r, http.StatusOK, s.newSetupPage(r))
}

// renderSetupForm shows the wizard, whose address and form hold the setup
// link's token: not stored by the browser or any cache, whether first shown
// or shown again with the mistakes of a post.
func (s *Server) renderSetupForm(w http.ResponseWriter, r *http.Request, status int, p *setupPage) error {
	return s.renderSecret(w, r, status, "setup", p)
}

// handleSetup creates the bureau and its first administrator, signs the
// administrator in and sends them to the bureau's pages.
func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) error {
	done, err := s.setupState(r)
	if err != nil {
		return err
	}
	if done {
		return s.renderSetupDone(w, r, http.StatusNotFound)
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	p := s.newSetupPage(r)
	p.Form = readBureauForm(r)
	p.Admin.Username = strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	p.Admin.DisplayName = strings.TrimSpace(r.PostFormValue("display_name"))
	password := r.PostFormValue("password")
	bureau := &gongkai.Bureau{}
	p.Form.apply(bureau)
	admin := &gongkai.User{Username: p.Admin.Username, DisplayName: p.Admin.DisplayName}
	// Every mistake at once: the domain's rules for the bureau and the
	// account (the store checks them again), and the password's here,
	// before it is hashed.
	fe := gongkai.FieldErrors{}
	if err := bureau.Validate(); err != nil {
		for k, v := range gongkai.ErrorFields(err) {
			fe.Add(k, v)
		}
	}
	if msg := gongkai.ValidateUsername(admin.Username); msg != "" {
		fe.Add("username", msg)
	}
	if msg := gongkai.ValidateDisplayName(admin.DisplayName); msg != "" {
		fe.Add("display_name", msg)
	}
	if msg := gongkai.ValidatePassword(password); msg != "" {
		fe.Add("password", msg)
	} else if password != r.PostFormValue("password2") {
		fe.Add("password2", "两次输入的密码不一致。")
	}
	if len(fe) > 0 {
		p.Errors = fe
		return s.renderSetupForm(w, r, http.StatusUnprocessableEntity, p)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	err = s.db.Setup(r.Context(), auth.HashToken(r.PathValue("token")), bureau, admin, hash)
	switch gongkai.ErrorCode(err) {
	case "":
	case gongkai.ECONFLICT: // another link was used a moment before
		return s.renderSetupDone(w, r, http.StatusConflict)
	case gongkai.EINVALID:
		p.Errors = gongkai.ErrorFields(err)
		return s.renderSetupForm(w, r, http.StatusUnprocessableEntity, p)
	default:
		return err
	}
	token, tokenHash := auth.NewToken()
	if err := s.db.CreateSession(r.Context(), tokenHash, admin.ID, "web", sessionTTL); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return s.redirect(w, r, "/bureau/", "初始设置已完成。下一步：新建本县的学校，再由各校校长添加教职工。")
}

// bureauSettingsPage shows and edits the bureau's particulars.
type bureauSettingsPage struct {
	base
	Form   bureauForm
	Errors map[string]string
}

func (s *Server) handleBureauSettings(w http.ResponseWriter, r *http.Request) error {
	b, err := s.bureauOf(r)
	if err != nil {
		return err
	}
	p := &bureauSettingsPage{base: s.base(r, "教育局信息"), Form: bureauFormOf(b)}
	p.Title = p.T("教育局信息")
	s.render(w, r, "bureau-settings", p)
	return nil
}

func (s *Server) handleBureauSettingsSave(w http.ResponseWriter, r *http.Request) error {
	b, err := s.bureauOf(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	p := &bureauSettingsPage{base: s.base(r, "教育局信息"), Form: readBureauForm(r)}
	p.Title = p.T("教育局信息")
	p.Form.apply(b)
	err = s.db.UpdateBureau(r.Context(), p.Actor, b)
	if gongkai.ErrorCode(err) == gongkai.EINVALID {
		p.Errors = gongkai.ErrorFields(err)
		s.renderPage(w, r, http.StatusUnprocessableEntity, "bureau-settings", p)
		return nil
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/bureau/settings", "教育局信息已保存。")
}

// bureauField is one input of the "bureau-fields" partial.
type bureauField struct {
	b                              *base
	Name, Label, Value, Kind, Hint string
	Required                       bool
	Error                          string
}

// T translates for the partial.
func (f bureauField) T(zh string) string { return f.b.T(zh) }

func newBureauField(b *base, errs map[string]string, name, label, value, kind, hint string, required bool) bureauField {
	return bureauField{b: b, Name: name, Label: label, Value: value, Kind: kind, Hint: hint, Required: required, Error: errs[name]}
}

// BField is an input of the bureau's particulars on the setup page.
func (p *setupPage) BField(name, label, value, kind, hint string, required bool) bureauField {
	return newBureauField(&p.base, p.Errors, name, label, value, kind, hint, required)
}

// BField is an input of the bureau's particulars on its settings page.
func (p *bureauSettingsPage) BField(name, label, value, kind, hint string, required bool) bureauField {
	return newBureauField(&p.base, p.Errors, name, label, value, kind, hint, required)
}

// logPath is a request's path as the log keeps it: the token of a one-time
// link (setup, set a password, join as staff) is shown once, to the person
// it is for, and never written anywhere else.
func logPath(path string) string {
	for _, prefix := range []string{"/setup/", "/password/", "/invite/"} {
		if strings.HasPrefix(path, prefix) {
			return prefix + "…"
		}
	}
	return path
}
