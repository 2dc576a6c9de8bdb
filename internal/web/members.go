package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// School administration: members and their roles, departments, parents'
// invitation codes.

type membersPage struct {
	base
	Members     []*gongkai.Member
	Departments []gongkai.Department
	// Add is the "添加人员" form, filled again after an error.
	Add       memberForm
	AddErrors map[string]string
	// DeptName is the "添加处室" form.
	DeptName   string
	DeptErrors map[string]string
	// Edit is a refused change of one member's roles, shown again in that
	// member's row with its reason.
	Edit *memberEdit
}

type memberForm struct {
	DisplayName, Username string
	Roles                 []gongkai.Role
	DepartmentID          int64
}

type memberEdit struct {
	UserID       int64
	Roles        []gongkai.Role
	DepartmentID int64
	Error        string
}

// RolesOf returns the roles to tick in the member's form: those submitted
// when a change was refused, else those held.
func (p *membersPage) RolesOf(m *gongkai.Member) []gongkai.Role {
	if p.Edit != nil && p.Edit.UserID == m.User.ID {
		return p.Edit.Roles
	}
	return m.Roles
}

// DeptOf returns the department to select in the member's form.
func (p *membersPage) DeptOf(m *gongkai.Member) int64 {
	if p.Edit != nil && p.Edit.UserID == m.User.ID {
		return p.Edit.DepartmentID
	}
	return m.DepartmentID
}

// EditErrorOf returns why a change of the member's roles was refused.
func (p *membersPage) EditErrorOf(m *gongkai.Member) string {
	if p.Edit != nil && p.Edit.UserID == m.User.ID {
		return p.Edit.Error
	}
	return ""
}

// IsSelf reports whether the member is the reader.
func (p *membersPage) IsSelf(m *gongkai.Member) bool { return p.Actor.ID == m.User.ID }

func (s *Server) newMembersPage(r *http.Request) *membersPage {
	p := &membersPage{base: s.base(r, "人员管理")}
	p.Title = p.T("人员管理")
	p.Nav = "members"
	p.NoIndex = true
	return p
}

// renderMembers loads the members and departments and renders the page.
func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, status int, p *membersPage) error {
	school := schoolFrom(r.Context())
	var err error
	if p.Members, err = s.db.FindMembers(r.Context(), school.ID); err != nil {
		return err
	}
	for _, m := range p.Members {
		// In the order the forms list them: 校长 first, 家长 last.
		slices.SortFunc(m.Roles, func(a, b gongkai.Role) int {
			return slices.Index(gongkai.SchoolRoles, a) - slices.Index(gongkai.SchoolRoles, b)
		})
	}
	if p.Departments, err = s.db.FindDepartments(r.Context(), school.ID); err != nil {
		return err
	}
	s.renderPage(w, r, status, "members", p)
	return nil
}

func (s *Server) handleMembers(w http.ResponseWriter, r *http.Request) error {
	return s.renderMembers(w, r, http.StatusOK, s.newMembersPage(r))
}

// parseRoles reads the ticked role boxes.
func parseRoles(values []string, fe gongkai.FieldErrors) []gongkai.Role {
	var roles []gongkai.Role
	for _, v := range values {
		r := gongkai.Role(v)
		if !r.Valid() {
			fe.Add("roles", "角色无效。")
			continue
		}
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	return roles
}

// parseDepartment reads the department select; "" and "0" mean none.
func parseDepartment(v string, fe gongkai.FieldErrors) int64 {
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		fe.Add("department", "处室无效。")
		return 0
	}
	return id
}

// roleList is the roles in Chinese for messages: 校长、教职工.
func roleList(roles []gongkai.Role) string {
	labels := make([]string, len(roles))
	for i, r := range roles {
		labels[i] = r.Label()
	}
	return strings.Join(labels, "、")
}

// formError turns a domain error into per-field messages for a form, or
// returns it when it is not the user's to fix.
func formError(err error, field string) (map[string]string, error) {
	code := gongkai.ErrorCode(err)
	if code == gongkai.EINTERNAL {
		return nil, err
	}
	if fields := gongkai.ErrorFields(err); len(fields) > 0 {
		return fields, nil
	}
	return map[string]string{field: gongkai.ErrorMessage(err)}, nil
}

func (s *Server) handleAddMember(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	p := s.newMembersPage(r)
	fe := gongkai.FieldErrors{}
	p.Add = memberForm{
		DisplayName:  strings.TrimSpace(r.PostFormValue("display_name")),
		Username:     strings.ToLower(strings.TrimSpace(r.PostFormValue("username"))),
		Roles:        parseRoles(r.PostForm["roles"], fe),
		DepartmentID: parseDepartment(r.PostFormValue("department"), fe),
	}
	if len(p.Add.Roles) == 0 {
		fe.Add("roles", "请至少选择一个角色。")
	}
	fail := func(status int, errs map[string]string) error {
		p.AddErrors = errs
		return s.renderMembers(w, r, status, p)
	}
	if len(fe) > 0 {
		return fail(http.StatusUnprocessableEntity, fe)
	}
	// A member's username adds the roles to those held here. Another
	// existing account joins only by its owner accepting an invitation
	// (the bureau administrator may move people within the bureau); the
	// refusal names nobody. A new username gets an account without a
	// password, and a one-time link to set it, shown once.
	m, err := s.db.AddMember(r.Context(), school.ID, actor, gongkai.StaffEntry{DisplayName: p.Add.DisplayName, Username: p.Add.Username, Roles: p.Add.Roles}, p.Add.DepartmentID)
	if err != nil {
		errs, ierr := formError(err, "username")
		if ierr != nil {
			return ierr
		}
		return fail(statusOf(gongkai.ErrorCode(err)), errs)
	}
	switch {
	case m.Created:
		return s.renderLinks(w, r, s.newLinksPage(r, "已添加人员", []*store.AddedMember{m}))
	case m.WasMember:
		return s.redirect(w, r, r.URL.Path, fmt.Sprintf("“%s”（%s）已是本校人员，已加上所选角色：%s。", m.User.DisplayName, m.User.Username, roleList(p.Add.Roles)))
	}
	return s.redirect(w, r, r.URL.Path, fmt.Sprintf("用户名 %s 已存在，已将“%s”加入本校，角色：%s。此人的姓名和密码保持不变。", m.User.Username, m.User.DisplayName, roleList(p.Add.Roles)))
}

// selfDemotion is why a principal may not drop their own principal role
// here: they would lock themselves out of this page mid-change, and a
// handover is safer done by the successor or the bureau.
const selfDemotion = "不能取消您自己的校长角色，以免本校无人管理。如需交接，请先为接任者设置校长角色，再由接任者或教育局管理员修改您的角色。"

func (s *Server) handleSetRoles(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	userID, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		return gongkai.Errorf(gongkai.ENOTFOUND, "人员不存在。")
	}
	fe := gongkai.FieldErrors{}
	edit := &memberEdit{UserID: userID, Roles: parseRoles(r.PostForm["roles"], fe), DepartmentID: parseDepartment(r.PostFormValue("department"), fe)}
	back := "/s/" + school.Slug + "/manage/members"
	refuse := func(status int, msg string) error {
		p := s.newMembersPage(r)
		edit.Error = msg
		p.Edit = edit
		return s.renderMembers(w, r, status, p)
	}
	if err := fe.Err(); err != nil {
		return refuse(http.StatusUnprocessableEntity, errorText(err))
	}
	if userID == actor.ID && actor.HasRole(school.ID, gongkai.RolePrincipal) && !slices.Contains(edit.Roles, gongkai.RolePrincipal) {
		return refuse(http.StatusConflict, selfDemotion)
	}
	u, err := s.db.ChangeMemberRoles(r.Context(), school.ID, userID, actor, edit.Roles, edit.DepartmentID)
	switch code := gongkai.ErrorCode(err); code {
	case "":
	case gongkai.EINVALID, gongkai.ECONFLICT:
		return refuse(statusOf(code), errorText(err))
	default:
		return err
	}
	if len(edit.Roles) == 0 {
		return s.redirect(w, r, back, fmt.Sprintf("已将“%s”移出本校。", u.DisplayName))
	}
	return s.redirect(w, r, back, fmt.Sprintf("已更新“%s”的角色：%s。", u.DisplayName, roleList(edit.Roles)))
}

// errorText is an error's field messages in a stable order, or its message
// when it has none, for a form too small to mark each field.
func errorText(err error) string {
	fields := gongkai.ErrorFields(err)
	if len(fields) == 0 {
		return gongkai.ErrorMessage(err)
	}
	return joinFields(fields)
}

func (s *Server) handleAddDepartment(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	school := schoolFrom(r.Context())
	name := strings.TrimSpace(r.PostFormValue("name"))
	d, err := s.db.CreateDepartment(r.Context(), school.ID, name)
	if err != nil {
		errs, ierr := formError(err, "department")
		if ierr != nil {
			return ierr
		}
		p := s.newMembersPage(r)
		p.DeptName, p.DeptErrors = name, errs
		return s.renderMembers(w, r, statusOf(gongkai.ErrorCode(err)), p)
	}
	return s.redirect(w, r, "/s/"+school.Slug+"/manage/members", fmt.Sprintf("处室“%s”可以选用了。", d.Name))
}

// Invitations.

type invitationRow struct {
	*gongkai.Invitation
	Status  string // 有效 / 已用完 / 已过期
	Active  bool
	JoinURL string
}

type invitationsPage struct {
	base
	Invitations          []invitationRow
	Label, MaxUses, Days string
	Errors               map[string]string
}

type invitationSlipPage struct {
	base
	Invitation invitationRow
	QR         template.HTML // the join link's QR code, inline SVG
	Copies     []int         // one slip per element: a printed A4 sheet holds eight
}

// joinBase is the absolute address of the join page as the reader reached
// this site, so the printed slip works from a parent's phone.
func (s *Server) joinBase(r *http.Request) string {
	return s.siteBase(r) + "/join"
}

func (s *Server) invitationRow(r *http.Request, inv *gongkai.Invitation) invitationRow {
	row := invitationRow{Invitation: inv, JoinURL: s.joinBase(r) + "?code=" + url.QueryEscape(inv.Code)}
	switch {
	case inv.Uses >= inv.MaxUses:
		row.Status = "已用完"
	case !inv.ExpiresAt.After(s.now()):
		row.Status = "已过期"
	default:
		row.Status, row.Active = "有效", true
	}
	return row
}

func (s *Server) renderInvitations(w http.ResponseWriter, r *http.Request, status int, p *invitationsPage) error {
	school := schoolFrom(r.Context())
	invs, err := s.db.FindInvitations(r.Context(), school.ID)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		p.Invitations = append(p.Invitations, s.invitationRow(r, inv))
	}
	s.renderPage(w, r, status, "invitations", p)
	return nil
}

func (s *Server) newInvitationsPage(r *http.Request) *invitationsPage {
	p := &invitationsPage{base: s.base(r, "家长邀请码"), MaxUses: "60", Days: "30"}
	p.Title = p.T("家长邀请码")
	p.Nav = "members"
	p.NoIndex = true
	return p
}

// handleInvitations lists the codes, or with ?print=ID shows one code's
// printable slip.
func (s *Server) handleInvitations(w http.ResponseWriter, r *http.Request) error {
	if id := r.URL.Query().Get("print"); id != "" {
		return s.invitationSlip(w, r, id)
	}
	return s.renderInvitations(w, r, http.StatusOK, s.newInvitationsPage(r))
}

func (s *Server) handleCreateInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	p := s.newInvitationsPage(r)
	p.Label = strings.TrimSpace(r.PostFormValue("label"))
	p.MaxUses = strings.TrimSpace(r.PostFormValue("max_uses"))
	p.Days = strings.TrimSpace(r.PostFormValue("days"))
	fe := gongkai.FieldErrors{}
	maxUses, err := strconv.Atoi(p.MaxUses)
	if err != nil {
		fe.Add("max_uses", "请填写 1–2000 之间的整数。")
	}
	days, err := strconv.Atoi(p.Days)
	if err != nil {
		fe.Add("days", "请填写 1–366 之间的整数。")
	}
	if len(fe) == 0 {
		var inv *gongkai.Invitation
		inv, err = s.db.CreateInvitation(r.Context(), school.ID, actor, p.Label, maxUses, time.Duration(days)*24*time.Hour)
		if err == nil {
			return s.redirect(w, r, r.URL.Path, fmt.Sprintf("已为“%s”生成邀请码 %s，可打印通知单发给家长。", inv.Label, inv.Code))
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
	return s.renderInvitations(w, r, http.StatusUnprocessableEntity, p)
}

func (s *Server) invitationSlip(w http.ResponseWriter, r *http.Request, idText string) error {
	school := schoolFrom(r.Context())
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return gongkai.Errorf(gongkai.ENOTFOUND, "邀请码不存在。")
	}
	invs, err := s.db.FindInvitations(r.Context(), school.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(invs, func(inv *gongkai.Invitation) bool { return inv.ID == id })
	if i < 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "邀请码不存在。")
	}
	row := s.invitationRow(r, invs[i])
	p := &invitationSlipPage{base: s.base(r, "邀请码通知单"), Invitation: row, Copies: []int{1, 2, 3, 4, 5, 6, 7, 8},
		QR: s.qrSVG(row.JoinURL, "加入链接二维码")}
	p.Title = p.T("邀请码通知单") + " " + invs[i].Label
	p.Nav = "members"
	p.NoIndex = true
	s.render(w, r, "invitation-slip", p)
	return nil
}

// actorBureau returns the bureau of the acting bureau administrator,
// whose region's calendar they edit.
func (s *Server) actorBureau(r *http.Request) (*gongkai.Bureau, error) {
	actor := gongkai.ActorFrom(r.Context())
	if !gongkai.CanAdminBureau(actor, actor.BureauID) {
		return nil, gongkai.Errorf(gongkai.EFORBIDDEN, "只有教育局管理员可以维护工作日历。")
	}
	return s.db.FindBureauByID(r.Context(), actor.BureauID)
}
