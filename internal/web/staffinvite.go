package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/qrcode"
	"gongkai/internal/store"
)

// Staff invitations: the principal chooses the roles (and department) in
// advance; the link works once, for seven days; the person chooses their
// own username and password. Parents keep their class codes
// (invitations, members.go).

type staffInvitationRow struct {
	*store.StaffInvitation
	Status string // 有效 / 已使用 / 已过期
}

type staffInvitationsPage struct {
	base
	Invitations  []staffInvitationRow
	Departments  []gongkai.Department
	Label        string
	Roles        []gongkai.Role
	DepartmentID int64
	Errors       map[string]string
}

// StaffRoles are the roles a staff invitation may give: all but 家长.
func (p *staffInvitationsPage) StaffRoles() []gongkai.Role {
	return gongkai.SchoolRoles[:len(gongkai.SchoolRoles)-1]
}

func (s *Server) newStaffInvitationsPage(r *http.Request) *staffInvitationsPage {
	p := &staffInvitationsPage{base: s.base(r, "教职工邀请链接"), Roles: []gongkai.Role{gongkai.RoleStaff}}
	p.Title = p.T("教职工邀请链接")
	p.Nav = "members"
	p.NoIndex = true
	return p
}

func (s *Server) renderStaffInvitations(w http.ResponseWriter, r *http.Request, status int, p *staffInvitationsPage) error {
	school := schoolFrom(r.Context())
	invs, err := s.db.FindStaffInvitations(r.Context(), school.ID)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		row := staffInvitationRow{StaffInvitation: inv, Status: "有效"}
		switch {
		case inv.Used():
			row.Status = "已使用"
		case !inv.ExpiresAt.After(s.now()):
			row.Status = "已过期"
		}
		p.Invitations = append(p.Invitations, row)
	}
	if p.Departments, err = s.db.FindDepartments(r.Context(), school.ID); err != nil {
		return err
	}
	s.renderPage(w, r, status, "staff-invitations", p)
	return nil
}

func (s *Server) handleStaffInvitations(w http.ResponseWriter, r *http.Request) error {
	return s.renderStaffInvitations(w, r, http.StatusOK, s.newStaffInvitationsPage(r))
}

func (s *Server) handleCreateStaffInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	school := schoolFrom(r.Context())
	p := s.newStaffInvitationsPage(r)
	fe := gongkai.FieldErrors{}
	p.Label = strings.TrimSpace(r.PostFormValue("label"))
	p.Roles = parseRoles(r.PostForm["roles"], fe)
	p.DepartmentID = parseDepartment(r.PostFormValue("department"), fe)
	if len(fe) == 0 {
		inv, token, err := s.db.CreateStaffInvitation(r.Context(), school.ID, gongkai.ActorFrom(r.Context()), p.Label, p.Roles, p.DepartmentID)
		if err == nil {
			link := s.siteBase(r) + "/invite/" + token
			lp := &linksPage{base: s.base(r, "教职工邀请链接"), Heading: "已生成教职工邀请链接", Back: "/s/" + school.Slug + "/manage/staff-invitations"}
			lp.Title = lp.T("教职工邀请链接")
			lp.Nav = "members"
			lp.NoIndex = true
			lp.Intro = "请把下面的链接（或二维码）发给受邀人。受邀人打开后填写姓名、自选用户名和密码，即成为本校人员，角色已按下面所列设好。链接限用一次，7 天内有效；链接只在此页显示这一次，离开后无法再查看，如有遗失，请重新生成。"
			lp.Links = []oneTimeLink{{Name: inv.Label, Roles: inv.Roles, Department: inv.Department, URL: link,
				QR: s.qrSVG(link, "教职工邀请链接二维码"), Expires: inv.ExpiresAt}}
			return s.renderLinks(w, r, lp)
		}
		fields, ierr := formError(err, "label")
		if ierr != nil {
			return ierr
		}
		for k, v := range fields {
			fe.Add(k, v)
		}
	}
	p.Errors = fe
	return s.renderStaffInvitations(w, r, http.StatusUnprocessableEntity, p)
}

// The page an invitation link opens.

type invitePage struct {
	base
	Token      string
	Invitation *store.StaffInvitation
	SchoolName string
	Refused    string
	// The form, filled again after an error.
	DisplayName, Username string
	Errors                map[string]string
}

func (s *Server) newInvitePage(r *http.Request) *invitePage {
	p := &invitePage{base: s.base(r, "接受邀请"), Token: r.PathValue("token")}
	p.Title = p.T("接受邀请")
	p.NoIndex = true
	return p
}

func (s *Server) renderInvite(w http.ResponseWriter, r *http.Request, status int, p *invitePage) error {
	return s.renderSecret(w, r, status, "invite", p)
}

// loadInvite finds the live invitation of the page, or renders why not.
func (s *Server) loadInvite(w http.ResponseWriter, r *http.Request, p *invitePage) (bool, error) {
	inv, err := s.db.FindStaffInvitation(r.Context(), p.Token)
	if err != nil {
		code := gongkai.ErrorCode(err)
		if code != gongkai.ENOTFOUND && code != gongkai.ECONFLICT {
			return false, err
		}
		p.Refused = gongkai.ErrorMessage(err)
		return false, s.renderInvite(w, r, statusOf(code), p)
	}
	school, err := s.db.FindSchoolByID(r.Context(), inv.SchoolID)
	if err != nil {
		return false, err
	}
	p.Invitation, p.SchoolName = inv, school.Title()
	return true, nil
}

func (s *Server) handleInviteForm(w http.ResponseWriter, r *http.Request) error {
	p := s.newInvitePage(r)
	if ok, err := s.loadInvite(w, r, p); !ok {
		return err
	}
	return s.renderInvite(w, r, http.StatusOK, p)
}

func (s *Server) handleInviteAccept(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	if !s.limiter.allow("invite:"+clientKey(r), 10*time.Second, 10) {
		return gongkai.Errorf(gongkai.ETOOMANY, "操作过于频繁，请稍后再试。")
	}
	p := s.newInvitePage(r)
	if ok, err := s.loadInvite(w, r, p); !ok {
		return err
	}
	actor := gongkai.ActorFrom(r.Context())
	p.DisplayName = strings.TrimSpace(r.PostFormValue("display_name"))
	p.Username = strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	fe := gongkai.FieldErrors{}
	var hash string
	u := &gongkai.User{Username: p.Username, DisplayName: p.DisplayName}
	if actor.Anonymous() {
		if msg := gongkai.ValidateDisplayName(p.DisplayName); msg != "" {
			fe.Add("display_name", msg)
		}
		if msg := gongkai.ValidateUsername(p.Username); msg != "" {
			fe.Add("username", msg)
		}
		pw := r.PostFormValue("password")
		if msg := gongkai.ValidatePassword(pw); msg != "" {
			fe.Add("password", msg)
		} else if pw != r.PostFormValue("again") {
			fe.Add("again", "两次输入的密码不一致。")
		}
		if len(fe) == 0 {
			var err error
			if hash, err = auth.HashPassword(pw); err != nil {
				return err
			}
		}
	} else if r.PostFormValue("accept") != "1" {
		// A signed-in person joins with their own account, by a deliberate
		// press of the button.
		fe.Add("accept", "请点击“以此账号加入”确认。")
	}
	if len(fe) > 0 {
		p.Errors = fe
		return s.renderInvite(w, r, http.StatusUnprocessableEntity, p)
	}
	token, th := auth.NewToken()
	inv, err := s.db.AcceptStaffInvitation(r.Context(), p.Token, actor.ID, u, hash, th, gongkai.DescribeDevice(r.UserAgent()), sessionTTL)
	if err != nil {
		code := gongkai.ErrorCode(err)
		switch code {
		case gongkai.ENOTFOUND, gongkai.ECONFLICT, gongkai.EINVALID:
		default:
			return err
		}
		if fields := gongkai.ErrorFields(err); len(fields) > 0 {
			p.Errors = fields
			return s.renderInvite(w, r, statusOf(code), p)
		}
		p.Invitation, p.Refused = nil, gongkai.ErrorMessage(err)
		return s.renderInvite(w, r, statusOf(code), p)
	}
	if actor.Anonymous() {
		s.setSessionCookie(w, token)
	}
	school, err := s.db.FindSchoolByID(r.Context(), inv.SchoolID)
	if err != nil {
		return err
	}
	return s.redirect(w, r, "/work", fmt.Sprintf("已加入%s，角色：%s。", school.Name, roleList(inv.Roles)))
}

// handleInvitationQR serves the QR code of a class code's join link as a
// PNG, for printing elsewhere or pasting into a class group chat.
func (s *Server) handleInvitationQR(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return gongkai.Errorf(gongkai.ENOTFOUND, "邀请码不存在。")
	}
	invs, err := s.db.FindInvitations(r.Context(), school.ID)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if inv.ID != id {
			continue
		}
		b, err := qrcode.PNG(s.invitationRow(r, inv).JoinURL, 10)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "private, no-cache")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="join-%d.png"`, inv.ID))
		w.Write(b)
		return nil
	}
	return gongkai.Errorf(gongkai.ENOTFOUND, "邀请码不存在。")
}
