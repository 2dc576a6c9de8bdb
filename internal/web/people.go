package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/qrcode"
	"gongkai/internal/sheet"
	"gongkai/internal/store"
)

// People administration beyond the members table: one-time set-password
// links (new accounts, resets), deactivation, the staff list import and
// export. Staff invitations are in staffinvite.go.

// PasswordMailer e-mails a set-password link at once (notify.Dispatcher);
// it returns an error wrapping notify.ErrNoMail when mail is off or the
// person has no address.
type PasswordMailer interface {
	SendPasswordLink(ctx context.Context, u *gongkai.User, link string, expires time.Time, newAccount bool) error
}

// siteBase is the absolute address of this site: --base-url when set, else
// as the reader reached it.
func (s *Server) siteBase(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || s.cfg.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// passwordURL is the address of a set-password link.
func (s *Server) passwordURL(r *http.Request, token string) string {
	return s.siteBase(r) + "/password/" + token
}

// qrSVG is the inline QR code of a link, or nothing when it cannot be
// drawn (the link is printed beside it in any case).
func (s *Server) qrSVG(link, label string) template.HTML {
	svg, err := qrcode.SVG(link, label)
	if err != nil {
		s.log.Error("qr code", "err", err)
		return ""
	}
	return template.HTML(svg) // drawn by qrcode from the module matrix; label escaped there
}

// oneTimeLink is a link shown once: to set a password, or to join.
type oneTimeLink struct {
	Name, Username string
	Roles          []gongkai.Role
	Department     string
	URL            string
	QR             template.HTML
	Expires        time.Time
	Mailed         bool   // also sent by e-mail
	MailError      string // why the e-mail could not be sent
}

type linksPage struct {
	base
	Heading string
	Intro   string
	Links   []oneTimeLink
	Back    string
}

func (s *Server) newLinksPage(r *http.Request, heading string, added []*store.AddedMember) *linksPage {
	school := schoolFrom(r.Context())
	p := &linksPage{base: s.base(r, heading), Heading: heading, Back: "/s/" + school.Slug + "/manage/members"}
	p.Title = p.T(heading)
	p.Nav = "members"
	p.NoIndex = true
	p.Intro = "新账号还没有密码。请把下面的链接交给本人（可打印后剪开分发），本人打开链接后自行设置密码。每个链接只能使用一次，7 天内有效；链接只在此页显示这一次，离开后无法再查看，如有遗失，可在人员列表中为此人重新生成。"
	for _, m := range added {
		if !m.Created {
			continue
		}
		link := s.passwordURL(r, m.Token)
		l := oneTimeLink{Name: m.User.DisplayName, Username: m.User.Username, Roles: m.Roles, URL: link,
			QR: s.qrSVG(link, "设置密码链接二维码"), Expires: m.Expires}
		p.Links = append(p.Links, l)
	}
	return p
}

// renderLinks shows one-time links in the answer to the POST that made
// them: they exist nowhere else (only their hashes are stored), so they
// are not put behind a GET that a browser's history or cache could
// replay, and the answer is not stored.
func (s *Server) renderLinks(w http.ResponseWriter, r *http.Request, p *linksPage) error {
	return s.renderSecret(w, r, http.StatusOK, "people-links", p)
}

// renderSecret renders a page whose address or content holds a one-time
// token (a setup, password or invitation link): no browser or cache keeps
// it, and no link on it passes the address on as a referrer.
func (s *Server) renderSecret(w http.ResponseWriter, r *http.Request, status int, name string, p basePage) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.renderPage(w, r, status, name, p)
	return nil
}

// memberFromPath reads the {user} of a member route.
func memberFromPath(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil || id <= 0 {
		return 0, gongkai.Errorf(gongkai.ENOTFOUND, "人员不存在。")
	}
	return id, nil
}

// accountRefused answers a refused account action on the members page.
func (s *Server) accountRefused(w http.ResponseWriter, r *http.Request, err error) error {
	switch gongkai.ErrorCode(err) {
	case gongkai.ECONFLICT, gongkai.EFORBIDDEN, gongkai.EINVALID:
		return s.redirect(w, r, "/s/"+schoolFrom(r.Context()).Slug+"/manage/members", "!"+gongkai.ErrorMessage(err))
	}
	return err
}

func (s *Server) handleDeactivate(w http.ResponseWriter, r *http.Request) error {
	return s.setActive(w, r, false)
}

func (s *Server) handleReactivate(w http.ResponseWriter, r *http.Request) error {
	return s.setActive(w, r, true)
}

func (s *Server) setActive(w http.ResponseWriter, r *http.Request, active bool) error {
	userID, err := memberFromPath(r)
	if err != nil {
		return err
	}
	school := schoolFrom(r.Context())
	u, err := s.db.SetAccountActive(r.Context(), school.ID, userID, gongkai.ActorFrom(r.Context()), active)
	if err != nil {
		return s.accountRefused(w, r, err)
	}
	back := "/s/" + school.Slug + "/manage/members"
	if active {
		return s.redirect(w, r, back, fmt.Sprintf("已恢复“%s”的账号。此人可以重新登录。", u.DisplayName))
	}
	return s.redirect(w, r, back, fmt.Sprintf("已停用“%s”的账号：此人已退出所有设备，不能再登录；其经办过的事项和记录保持不变。", u.DisplayName))
}

func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request) error {
	userID, err := memberFromPath(r)
	if err != nil {
		return err
	}
	school := schoolFrom(r.Context())
	reset, err := s.db.ResetPassword(r.Context(), school.ID, userID, gongkai.ActorFrom(r.Context()))
	if err != nil {
		return s.accountRefused(w, r, err)
	}
	link := s.passwordURL(r, reset.Token)
	l := oneTimeLink{Name: reset.User.DisplayName, Username: reset.User.Username, URL: link,
		QR: s.qrSVG(link, "设置密码链接二维码"), Expires: reset.Expires}
	l.Mailed, l.MailError = s.mailPasswordLink(r.Context(), reset.User, link, reset.Expires, false)
	p := &linksPage{base: s.base(r, "重置密码"), Heading: "重置密码", Back: "/s/" + school.Slug + "/manage/members", Links: []oneTimeLink{l}}
	p.Title = p.T("重置密码")
	p.Nav = "members"
	p.NoIndex = true
	p.Intro = "请把下面的链接交给本人，本人打开后设置新密码。链接只能使用一次，24 小时内有效；使用后，此人在其他设备上的登录会全部退出。在此之前，原密码仍然有效。链接只在此页显示这一次。"
	return s.renderLinks(w, r, p)
}

// mailPasswordLink sends the link when e-mail is on and the person has an
// address; a failure is shown to the administrator, who has the link on
// screen anyway.
func (s *Server) mailPasswordLink(ctx context.Context, u *gongkai.User, link string, expires time.Time, newAccount bool) (bool, string) {
	if s.cfg.Mail == nil || u.Email == "" {
		return false, ""
	}
	err := s.cfg.Mail.SendPasswordLink(ctx, u, link, expires, newAccount)
	if err == nil {
		return true, ""
	}
	if strings.Contains(err.Error(), "no e-mail") {
		return false, ""
	}
	s.log.Warn("password link e-mail", "user", u.ID, "err", err)
	return false, "邮件未能发出，请直接把链接交给本人。"
}

// The set-password page a link opens.

type passwordLinkPage struct {
	base
	Token string
	Link  *store.PasswordLink
	// Refused is why the link does not work (used, expired, unknown).
	Refused string
	Errors  map[string]string
}

func (s *Server) newPasswordLinkPage(r *http.Request) *passwordLinkPage {
	p := &passwordLinkPage{base: s.base(r, "设置密码"), Token: r.PathValue("token")}
	p.Title = p.T("设置密码")
	p.NoIndex = true
	return p
}

func (s *Server) renderPasswordLink(w http.ResponseWriter, r *http.Request, status int, p *passwordLinkPage) error {
	return s.renderSecret(w, r, status, "password-link", p)
}

func (s *Server) handlePasswordLinkForm(w http.ResponseWriter, r *http.Request) error {
	p := s.newPasswordLinkPage(r)
	link, err := s.db.FindPasswordLink(r.Context(), p.Token)
	if err != nil {
		return s.linkRefused(w, r, p, err)
	}
	p.Link = link
	return s.renderPasswordLink(w, r, http.StatusOK, p)
}

func (s *Server) linkRefused(w http.ResponseWriter, r *http.Request, p *passwordLinkPage, err error) error {
	code := gongkai.ErrorCode(err)
	if code != gongkai.ENOTFOUND && code != gongkai.ECONFLICT {
		return err
	}
	p.Refused = gongkai.ErrorMessage(err)
	return s.renderPasswordLink(w, r, statusOf(code), p)
}

func (s *Server) handlePasswordLinkSet(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	if !s.limiter.allow("password-link:"+clientKey(r), 10*time.Second, 10) {
		return gongkai.Errorf(gongkai.ETOOMANY, "操作过于频繁，请稍后再试。")
	}
	p := s.newPasswordLinkPage(r)
	link, err := s.db.FindPasswordLink(r.Context(), p.Token)
	if err != nil {
		return s.linkRefused(w, r, p, err)
	}
	p.Link = link
	pw, again := r.PostFormValue("password"), r.PostFormValue("again")
	p.Errors = map[string]string{}
	if msg := gongkai.ValidatePassword(pw); msg != "" {
		p.Errors["password"] = msg
	} else if pw != again {
		p.Errors["again"] = "两次输入的密码不一致。"
	}
	if len(p.Errors) > 0 {
		return s.renderPasswordLink(w, r, http.StatusUnprocessableEntity, p)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	token, th := auth.NewToken()
	u, err := s.db.UsePasswordLink(r.Context(), p.Token, hash, th, gongkai.DescribeDevice(r.UserAgent()), sessionTTL)
	if err != nil {
		return s.linkRefused(w, r, p, err)
	}
	s.setSessionCookie(w, token)
	return s.redirect(w, r, "/work", fmt.Sprintf("%s，您的密码已设置，您已登录。以后请用用户名 %s 和这个密码登录。", u.DisplayName, u.Username))
}

// setSessionCookie signs the browser in with a new session token.
func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// The staff list: import with a preview, export.

type importRow struct {
	store.StaffPlan
	Status  string // 新账号 / 已有账号，加入本校 / 已是本校人员，加上角色 / 有问题
	Encoded string // the entry for the confirm form
}

type importPage struct {
	base
	FileName string
	Rows     []importRow
	Problems []string // every problem, named by row and column
	New      int      // accounts to create
}

// encodeEntry writes an entry for a hidden field of the confirm form; the
// confirm step validates it again as if it came from the sheet.
func encodeEntry(e gongkai.StaffEntry) string {
	roles := make([]string, len(e.Roles))
	for i, r := range e.Roles {
		roles[i] = string(r)
	}
	return strings.Join([]string{strconv.Itoa(e.Line), e.DisplayName, e.Username, strings.Join(roles, ","), e.Department}, "\t")
}

func decodeEntry(v string) (gongkai.StaffEntry, bool) {
	parts := strings.Split(v, "\t")
	if len(parts) != 5 {
		return gongkai.StaffEntry{}, false
	}
	line, err := strconv.Atoi(parts[0])
	if err != nil {
		return gongkai.StaffEntry{}, false
	}
	e := gongkai.StaffEntry{Line: line, DisplayName: parts[1], Username: parts[2], Department: parts[4]}
	for _, r := range strings.Split(parts[3], ",") {
		if r != "" {
			e.Roles = append(e.Roles, gongkai.Role(r))
		}
	}
	return e, true
}

func (s *Server) newImportPage(r *http.Request) *importPage {
	p := &importPage{base: s.base(r, "导入教职工名单")}
	p.Title = p.T("导入教职工名单")
	p.Nav = "members"
	p.NoIndex = true
	return p
}

// fillImport sorts the plans into rows and problems for the preview.
func fillImport(p *importPage, plans []store.StaffPlan) {
	for _, pl := range plans {
		row := importRow{StaffPlan: pl, Encoded: encodeEntry(pl.StaffEntry)}
		switch {
		case len(pl.Problems) > 0:
			row.Status = "有问题"
			for _, f := range []string{"display_name", "username", "roles", "department", "extra"} {
				if msg, ok := pl.Problems[f]; ok {
					p.Problems = append(p.Problems, sheet.StaffProblem(pl.Line, f, msg))
				}
			}
		case pl.Existing == nil:
			row.Status = "新账号"
			p.New++
		case pl.WasMember:
			row.Status = "已是本校人员，加上角色"
		default:
			row.Status = "已有账号，加入本校"
		}
		p.Rows = append(p.Rows, row)
	}
}

// handleImportPreview reads an uploaded staff list and shows what the
// import will do, every problem named by row and column; nothing changes.
func (s *Server) handleImportPreview(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	p := s.newImportPage(r)
	refuse := func(problems ...string) error {
		p.Problems = problems
		s.renderPage(w, r, http.StatusUnprocessableEntity, "members-import", p)
		return nil
	}
	if err := school.Refusal(gongkai.UseNewMembers); err != nil {
		return refuse(gongkai.ErrorMessage(err))
	}
	f, fh, done, msg := workbookUpload(w, r, "请选择要导入的 Excel 工作簿（.xlsx）。")
	if msg != "" {
		return refuse(msg)
	}
	defer done()
	p.FileName = fh.Filename
	entries, err := sheet.ImportStaff(f, fh.Size)
	var ie *sheet.ImportError
	if errors.As(err, &ie) {
		return refuse(ie.Problems...)
	}
	if err != nil {
		return err
	}
	plans, err := s.db.PlanStaffImport(r.Context(), school.ID, gongkai.ActorFrom(r.Context()), entries)
	if err != nil {
		return err
	}
	fillImport(p, plans)
	status := http.StatusOK
	if len(p.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.renderPage(w, r, status, "members-import", p)
	return nil
}

// handleImportConfirm imports the previewed list, all or nothing, and
// shows the set-password links of the new accounts.
func (s *Server) handleImportConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	school := schoolFrom(r.Context())
	p := s.newImportPage(r)
	var entries []gongkai.StaffEntry
	for _, v := range r.PostForm["entry"] {
		e, ok := decodeEntry(v)
		if !ok {
			return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。请重新上传名单。")
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 || len(entries) > sheet.MaxRows {
		p.Problems = []string{"没有要导入的人员。请重新上传名单。"}
		s.renderPage(w, r, http.StatusUnprocessableEntity, "members-import", p)
		return nil
	}
	added, plans, err := s.db.ImportStaff(r.Context(), school.ID, gongkai.ActorFrom(r.Context()), entries)
	if code := gongkai.ErrorCode(err); code == gongkai.EINVALID || code == gongkai.ECONFLICT {
		// Someone changed the school (or the bureau deactivated it)
		// between preview and confirm.
		fillImport(p, plans)
		if len(p.Problems) == 0 {
			p.Problems = []string{gongkai.ErrorMessage(err)}
		}
		s.renderPage(w, r, http.StatusUnprocessableEntity, "members-import", p)
		return nil
	}
	if err != nil {
		return err
	}
	lp := s.newLinksPage(r, "已导入教职工名单", added)
	lp.Intro = fmt.Sprintf("已导入 %d 人，其中新账号 %d 个。", len(added), len(lp.Links)) + lp.Intro
	if len(lp.Links) == 0 {
		return s.redirect(w, r, lp.Back, fmt.Sprintf("已导入 %d 人；他们都已有账号，姓名和密码保持不变。", len(added)))
	}
	return s.renderLinks(w, r, lp)
}

// handleMembersExport writes the school's staff (not parents, not
// deactivated accounts) in the columns the import reads.
func (s *Server) handleMembersExport(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	members, err := s.db.FindMembers(r.Context(), school.ID)
	if err != nil {
		return err
	}
	var rows []sheet.StaffRow
	for _, m := range members {
		roles := make([]gongkai.Role, 0, len(m.Roles))
		for _, rl := range m.Roles {
			if rl != gongkai.RoleParent {
				roles = append(roles, rl)
			}
		}
		if len(roles) == 0 || m.User.Disabled {
			continue
		}
		rows = append(rows, sheet.StaffRow{DisplayName: m.User.DisplayName, Username: m.User.Username, Roles: sortedRoles(roles), Department: m.Department})
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="staff.xlsx"; filename*=UTF-8''`+url.PathEscape(school.Name+"教职工名单.xlsx"))
	w.Header().Set("Cache-Control", "no-store")
	return sheet.ExportStaff(w, rows)
}

// sortedRoles orders roles as the forms list them.
func sortedRoles(roles []gongkai.Role) []gongkai.Role {
	var out []gongkai.Role
	for _, r := range gongkai.SchoolRoles {
		for _, x := range roles {
			if x == r {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// Tab marks the members tab of the school administration pages.
func (p *membersPage) Tab() string { return "members" }

// Tab marks the parents' codes tab.
func (p *invitationsPage) Tab() string { return "parents" }

// Tab marks the staff invitations tab.
func (p *staffInvitationsPage) Tab() string { return "staff" }

// Tab marks the members tab.
func (p *importPage) Tab() string { return "members" }
