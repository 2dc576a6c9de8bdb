package web

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/store"
)

type loginPage struct {
	base
	Username string
	Next     string
	Error    string
	Demo     []demoGroup
}

// DemoAccount is a demo user the login page lists, under its bureau or
// school (Group).
type DemoAccount struct {
	Group, Username string
	Roles           []gongkai.Role
	Department      string
}

// Roles names roles in the reader's language: 校长、领导小组.
func (p *loginPage) Roles(rs []gongkai.Role) string {
	sep := "、"
	if p.Lang == "en" {
		sep = ", "
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = p.T(r.Label())
	}
	return strings.Join(names, sep)
}

// demoGroup is the demo accounts of one bureau or school.
type demoGroup struct {
	Name     string
	Accounts []DemoAccount
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) error {
	p := &loginPage{base: s.base(r, "登录"), Next: safeNext(r.URL.Query().Get("next"))}
	p.Title = p.T("登录")
	p.NoIndex = true
	s.fillDemo(p)
	s.render(w, r, "login", p)
	return nil
}

func (s *Server) fillDemo(p *loginPage) {
	if !s.cfg.Demo {
		return
	}
	for _, a := range s.cfg.DemoAccounts {
		if n := len(p.Demo); n == 0 || p.Demo[n-1].Name != a.Group {
			p.Demo = append(p.Demo, demoGroup{Name: a.Group})
		}
		g := &p.Demo[len(p.Demo)-1]
		g.Accounts = append(g.Accounts, a)
	}
}

// clientKey is the client's address for in-memory rate limits only; it is
// never logged or stored.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// login checks a username and password under rate limits shared by the
// page and the API. Nobody can lock an account out from another address:
//   - per client address: thirty quick tries, then one every 2 seconds;
//   - per username and address: five quick tries, then one every 20
//     seconds — a guesser at one address is stopped, the owner at theirs
//     is not;
//   - per username alone, failures only: past ten quick ones each try is
//     slowed down (loginSlowdown), more the more failures, never refused,
//     so guessing from many addresses gets slow while the owner still
//     signs in, at most a few seconds later.
//
// The count per username is kept in the database, so that several nodes
// behind a load balancer give no more guesses than one; the limits per
// address stay in this node's memory, because addresses are never stored.
func (s *Server) login(r *http.Request, username, password string) (*gongkai.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	tooMany := gongkai.Errorf(gongkai.ETOOMANY, "登录尝试过于频繁，请稍后再试。")
	if !s.limiter.allow("login-ip:"+clientKey(r), 2*time.Second, 30) {
		return nil, tooMany
	}
	if !s.limiter.allow("login-pair:"+clientKey(r)+"\x00"+username, 20*time.Second, 5) {
		return nil, tooMany
	}
	userKey := "login-user:" + username
	level, err := s.db.Level(r.Context(), userKey, loginFailEvery, loginFailBurst)
	if err != nil {
		return nil, err
	}
	if wait := loginSlowdown(s.loginDelay, level); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return nil, tooMany
		}
	}
	u, err := s.checkPassword(r, username, password)
	if gongkai.ErrorCode(err) == gongkai.EUNAUTHENTICATED {
		if _, serr := s.db.Spend(r.Context(), userKey, loginFailEvery, loginFailBurst, loginFailFloor); serr != nil {
			return nil, serr
		}
	}
	return u, err
}

// The failures per username before sign-in slows down, how fast they are
// forgiven, and how deep the debt that sets the slowdown may grow.
const (
	loginFailBurst = 10
	loginFailEvery = 20 * time.Second
	loginFailFloor = -4
)

// loginSlowdown is how long a sign-in waits when its username's failure
// bucket holds level tokens: nothing while one is left, then base, doubling
// with each failure of debt up to 16 × base (4 s with the default base).
func loginSlowdown(base time.Duration, level float64) time.Duration {
	if level >= 1 {
		return 0
	}
	debt := max(1, min(int(math.Ceil(1-level)), 5)) // 1..5
	return base << (debt - 1)
}

// checkPassword finds the user whose password this is.
func (s *Server) checkPassword(r *http.Request, username, password string) (*gongkai.User, error) {
	if username == "" || password == "" {
		return nil, &gongkai.Error{Code: gongkai.EINVALID, Message: "请输入用户名和密码。"}
	}
	u, hash, err := s.db.FindUserForLogin(r.Context(), username)
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		auth.CheckDummy(password)
		return nil, gongkai.Errorf(gongkai.EUNAUTHENTICATED, "用户名或密码不正确。")
	}
	if err != nil {
		return nil, err
	}
	if !auth.CheckPassword(hash, password) {
		return nil, gongkai.Errorf(gongkai.EUNAUTHENTICATED, "用户名或密码不正确。")
	}
	// Said only to whoever knows the password: a stranger learns nothing.
	if u.Disabled {
		return nil, gongkai.Errorf(gongkai.EFORBIDDEN, accountDisabled)
	}
	return u, nil
}

// accountDisabled is what a deactivated person is told when they sign in.
const accountDisabled = "账号已停用，请联系学校管理员。"

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	p := &loginPage{base: s.base(r, "登录"), Username: r.PostFormValue("username"), Next: safeNext(r.PostFormValue("next"))}
	p.Title = p.T("登录")
	u, err := s.login(r, p.Username, r.PostFormValue("password"))
	if err != nil {
		code := gongkai.ErrorCode(err)
		if code == gongkai.EINTERNAL {
			return err
		}
		p.Error = gongkai.ErrorMessage(err)
		s.fillDemo(p)
		s.renderPage(w, r, statusOf(code), "login", p)
		return nil
	}
	token, hash := auth.NewToken()
	if err := s.db.StartSession(r.Context(), hash, u.ID, "web", gongkai.DescribeDevice(r.UserAgent()), sessionTTL); err != nil {
		return err
	}
	s.setSessionCookie(w, token)
	next := p.Next
	if next == "/" || next == "" {
		next = "/work"
	}
	return s.redirect(w, r, next, "")
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if token, _ := r.Context().Value(tokenKey{}).(string); token != "" {
		if err := s.db.DeleteSession(r.Context(), auth.HashToken(token)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return s.redirect(w, r, "/", "您已退出登录。")
}

type accountPage struct {
	base
	Schools  []schoolRoles
	Errors   map[string]string
	Sessions []sessionRow
}

// sessionRow is one place where the reader is signed in.
type sessionRow struct {
	store.Session
	Handle  string // names the session in the form; a prefix of its hash
	Current bool
}

type schoolRoles struct {
	School *gongkai.School
	Roles  []gongkai.Role
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, nil)
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) error {
	p := &accountPage{base: s.base(r, "我的账号"), Errors: errs}
	p.Title = p.T("我的账号")
	p.NoIndex = true
	seen := map[int64]int{}
	for _, m := range p.Actor.Memberships {
		if i, ok := seen[m.SchoolID]; ok {
			p.Schools[i].Roles = append(p.Schools[i].Roles, m.Role)
			continue
		}
		school, err := s.db.FindSchoolByID(r.Context(), m.SchoolID)
		if err != nil {
			return err
		}
		seen[m.SchoolID] = len(p.Schools)
		p.Schools = append(p.Schools, schoolRoles{School: school, Roles: []gongkai.Role{m.Role}})
	}
	sessions, err := s.db.FindSessions(r.Context(), p.Actor.ID)
	if err != nil {
		return err
	}
	token, _ := r.Context().Value(tokenKey{}).(string)
	current := auth.HashToken(token)
	for _, se := range sessions {
		row := sessionRow{Session: se, Handle: se.TokenHash[:16], Current: se.TokenHash == current}
		if row.Current {
			p.Sessions = append([]sessionRow{row}, p.Sessions...)
			continue
		}
		p.Sessions = append(p.Sessions, row)
	}
	s.renderPage(w, r, status, "account", p)
	return nil
}

// handleEndSessions signs the reader out elsewhere: one other session
// (session=HANDLE) or every other one (session=others).
func (s *Server) handleEndSessions(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	actor := gongkai.ActorFrom(r.Context())
	token, _ := r.Context().Value(tokenKey{}).(string)
	current := auth.HashToken(token)
	which := r.PostFormValue("session")
	if which == "others" {
		n, err := s.db.EndSessions(r.Context(), actor.ID, "", current)
		if err != nil {
			return err
		}
		return s.redirect(w, r, "/account#sessions", fmt.Sprintf("已退出其他 %d 处登录。", n))
	}
	sessions, err := s.db.FindSessions(r.Context(), actor.ID)
	if err != nil {
		return err
	}
	for _, se := range sessions {
		if which == "" || !strings.HasPrefix(se.TokenHash, which) || len(which) < 16 {
			continue
		}
		if se.TokenHash == current {
			return s.redirect(w, r, "/account#sessions", "!这是您正在使用的登录。要退出本机，请点页面上方的“退出”。")
		}
		if _, err := s.db.EndSessions(r.Context(), actor.ID, se.TokenHash, ""); err != nil {
			return err
		}
		return s.redirect(w, r, "/account#sessions", "已退出该设备上的登录："+se.Device+"。")
	}
	return s.redirect(w, r, "/account#sessions", "!该登录已结束或不存在。")
}

func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	actor := gongkai.ActorFrom(r.Context())
	errs := map[string]string{}
	old, next, again := r.PostFormValue("old"), r.PostFormValue("new"), r.PostFormValue("again")
	if _, err := s.login(r, actor.Username, old); err != nil {
		if gongkai.ErrorCode(err) == gongkai.EINTERNAL {
			return err
		}
		errs["old"] = "当前密码不正确。"
		if gongkai.ErrorCode(err) == gongkai.ETOOMANY {
			errs["old"] = gongkai.ErrorMessage(err)
		}
	}
	if msg := gongkai.ValidatePassword(next); msg != "" {
		errs["new"] = msg
	} else if next != again {
		errs["again"] = "两次输入的新密码不一致。"
	}
	if len(errs) > 0 {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, errs)
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	token, _ := r.Context().Value(tokenKey{}).(string)
	if err := s.db.UpdatePassword(r.Context(), actor.ID, hash, auth.HashToken(token)); err != nil {
		return err
	}
	return s.redirect(w, r, "/account", "密码已修改，其他设备上的登录已退出。")
}

type joinPage struct {
	base
	Code, Username, DisplayName string
	Errors                      map[string]string
}

func (s *Server) handleJoinForm(w http.ResponseWriter, r *http.Request) error {
	p := &joinPage{base: s.base(r, "家长加入"), Code: r.URL.Query().Get("code")}
	p.Title = p.T("家长加入")
	p.NoIndex = true
	s.render(w, r, "join", p)
	return nil
}

func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	p := &joinPage{base: s.base(r, "家长加入"), Code: r.PostFormValue("code"), Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name")}
	p.Title = p.T("家长加入")
	if !s.limiter.allow("join:"+clientKey(r), 10*time.Second, 10) {
		return gongkai.Errorf(gongkai.ETOOMANY, "操作过于频繁，请稍后再试。")
	}
	actor := gongkai.ActorFrom(r.Context())
	var hash string
	errs := gongkai.FieldErrors{}
	if actor.Anonymous() {
		pw := r.PostFormValue("password")
		if msg := gongkai.ValidatePassword(pw); msg != "" {
			errs.Add("password", msg)
		} else if pw != r.PostFormValue("again") {
			errs.Add("again", "两次输入的密码不一致。")
		}
		if msg := gongkai.ValidateUsername(strings.ToLower(strings.TrimSpace(p.Username))); msg != "" {
			errs.Add("username", msg)
		}
		if msg := gongkai.ValidateDisplayName(p.DisplayName); msg != "" {
			errs.Add("display_name", msg)
		}
		if len(errs) == 0 {
			var err error
			if hash, err = auth.HashPassword(pw); err != nil {
				return err
			}
		}
	}
	if strings.TrimSpace(p.Code) == "" {
		errs.Add("code", "请输入邀请码。")
	}
	var schoolID int64
	err := errs.Err()
	if err == nil {
		u := &gongkai.User{Username: p.Username, DisplayName: p.DisplayName}
		schoolID, err = s.db.Join(r.Context(), p.Code, actor.ID, u, hash)
		if err == nil && actor.Anonymous() {
			token, th := auth.NewToken()
			if err := s.db.StartSession(r.Context(), th, u.ID, "web", gongkai.DescribeDevice(r.UserAgent()), sessionTTL); err != nil {
				return err
			}
			s.setSessionCookie(w, token)
		}
	}
	if err != nil {
		if gongkai.ErrorCode(err) == gongkai.EINTERNAL {
			return err
		}
		p.Errors = gongkai.ErrorFields(err)
		if p.Errors == nil {
			p.Errors = map[string]string{"code": gongkai.ErrorMessage(err)}
		}
		s.renderPage(w, r, statusOf(gongkai.ErrorCode(err)), "join", p)
		return nil
	}
	school, err := s.db.FindSchoolByID(r.Context(), schoolID)
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/s/"+school.Slug+"/", "已加入"+school.Name+"，现在可以查看校内公开内容。")
}

// handlePrefs sets the language and text size cookies and goes back.
func (s *Server) handlePrefs(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	year := 365 * 24 * 3600
	if v := r.PostFormValue("lang"); v == "en" || v == "zh" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: v, Path: "/", MaxAge: year, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	}
	if v := r.PostFormValue("size"); v == "large" || v == "normal" {
		http.SetCookie(w, &http.Cookie{Name: "size", Value: v, Path: "/", MaxAge: year, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	}
	return s.redirect(w, r, safeNext(r.PostFormValue("next")), "")
}
