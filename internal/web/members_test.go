package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai"
)

// memberRoles returns the user's roles in the school, sorted; nil when they
// are not a member.
func (h *harness) memberRoles(t *testing.T, school *gongkai.School, userID int64) []gongkai.Role {
	t.Helper()
	members, err := h.db.FindMembers(context.Background(), school.ID)
	must(t, err)
	for _, m := range members {
		if m.User.ID == userID {
			roles := slices.Clone(m.Roles)
			slices.Sort(roles)
			return roles
		}
	}
	return nil
}

// flash returns the flash message a redirect carries.
func flash(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "flash" {
			v, _ := url.QueryUnescape(c.Value)
			return v
		}
	}
	return ""
}

func TestMembers_access(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		pages := []string{"/s/xq/manage/members", "/s/xq/manage/invitations"}
		tests := []struct {
			user string
			want int
		}{
			{"xq.principal", http.StatusOK},
			{"bureau.admin", http.StatusOK},
			{"xq.clerk", http.StatusForbidden},
			{"xq.leader", http.StatusForbidden},
			{"xq.parent", http.StatusForbidden},
			{"other.principal", http.StatusForbidden},
			{"bureau.inspector", http.StatusForbidden},
			{"nobody", http.StatusForbidden},
			{"", http.StatusSeeOther},
		}
		for _, tt := range tests {
			t.Run(label(tt.user), func(t *testing.T) {
				c := h.client(tt.user)
				for _, p := range pages {
					resp, body := h.get(c, p)
					if resp.StatusCode != tt.want {
						t.Errorf("GET %s: %d, want %d", p, resp.StatusCode, tt.want)
					}
					if tt.want == http.StatusForbidden && !strings.Contains(body, "您没有访问此页面的权限") {
						t.Errorf("GET %s: 403 page does not say why", p)
					}
				}
				if tt.want == http.StatusOK {
					return
				}
				// Writes are refused alike, and change nothing.
				posts := map[string]url.Values{
					"/s/xq/manage/members/" + strconv.FormatInt(h.users["xq.staff"].ID, 10): {"roles": {"principal"}},
					"/s/xq/manage/members":     {"display_name": {"外人"}, "username": {"intruder"}, "password": {"intruder-password"}, "roles": {"principal"}},
					"/s/xq/manage/departments": {"name": {"外人处"}},
					"/s/xq/manage/invitations": {"label": {"外人"}, "max_uses": {"60"}, "days": {"30"}},
				}
				for p, form := range posts {
					resp, _ := h.post(c, p, form)
					if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized {
						t.Errorf("POST %s: %d, want refused", p, resp.StatusCode)
					}
				}
				if got := h.memberRoles(t, h.school, h.users["xq.staff"].ID); !slices.Equal(got, []gongkai.Role{gongkai.RoleStaff}) {
					t.Fatalf("refused POST changed roles to %v", got)
				}
				if _, _, err := h.db.FindUserForLogin(context.Background(), "intruder"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
					t.Fatalf("refused POST created a user: %v", err)
				}
			})
		}
		// The bureau administrator manages every school of the bureau.
		resp, body := h.get(h.client("bureau.admin"), "/s/other/manage/members")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "other.principal") || strings.Contains(body, "xq.principal") {
			t.Errorf("bureau admin on the other school's members: %d", resp.StatusCode)
		}
	})
}

func TestMembers_page(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		resp, body := h.get(h.client("xq.principal"), "/s/xq/manage/members")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("members page: %d", resp.StatusCode)
		}
		for _, want := range []string{"xq.clerk", "经办人·祥谦小学", "教代会代表", "取消全部角色即移出本校", "添加人员", "批量导入", "重置密码", "停用账号", "添加处室", "财务室",
			`action="/s/xq/manage/members/` + strconv.FormatInt(h.users["xq.clerk"].ID, 10) + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("members page lacks %q", want)
			}
		}
		if strings.Contains(body, "other.clerk") {
			t.Error("members page lists another school's member")
		}
	})
}

func TestMembers_add(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		depts, err := h.db.FindDepartments(ctx, h.school.ID)
		must(t, err)
		c := h.client("xq.principal")
		form := url.Values{"display_name": {"张老师"}, "username": {"Zhang.Wei"},
			"roles": {"clerk", "staff"}, "department": {strconv.FormatInt(depts[1].ID, 10)}}
		resp, page := h.post(c, "/s/xq/manage/members", form)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("add member: %d %s, want the links page, not stored", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		// No password to read out: a one-time link, with its QR code.
		link := setPasswordLink(t, page)
		if !strings.Contains(page, "张老师") || !strings.Contains(page, "zhang.wei") || !strings.Contains(page, `<svg`) {
			t.Errorf("links page lacks the person or the QR code")
		}
		// The new member sets a password with the link, is signed in, and
		// holds the roles.
		pc := h.client("")
		resp, body := h.get(pc, link)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "张老师") || !strings.Contains(body, "zhang.wei") {
			t.Fatalf("set-password page: %d", resp.StatusCode)
		}
		resp, _ = h.post(pc, link, url.Values{"password": {"first-password-1"}, "again": {"first-password-1"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
			t.Fatalf("set password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ = h.get(pc, "/account"); resp.StatusCode != http.StatusOK {
			t.Fatalf("not signed in after setting the password: %d", resp.StatusCode)
		}
		resp, _ = h.post(h.client(""), "/login", url.Values{"username": {"zhang.wei"}, "password": {"first-password-1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("new member cannot sign in: %d", resp.StatusCode)
		}
		u, _, err := h.db.FindUserForLogin(ctx, "zhang.wei")
		must(t, err)
		a, err := h.db.LoadActor(ctx, u.ID)
		must(t, err)
		if !a.HasRole(h.school.ID, gongkai.RoleClerk) || !a.HasRole(h.school.ID, gongkai.RoleStaff) || a.Memberships[0].DepartmentID != depts[1].ID {
			t.Errorf("new member's memberships %+v", a.Memberships)
		}
		h.wantAdminLog(t, h.school.ID, gongkai.AdminMemberAdded, "张老师（zhang.wei）", "经办人、教职工")
		_, body = h.get(c, "/s/xq/manage/members")
		if !strings.Contains(body, "zhang.wei") || !strings.Contains(body, "财务室") {
			t.Error("the new member is not listed with their department")
		}

		// Field errors re-render at 422 with what was typed.
		bad := []struct {
			name  string
			form  url.Values
			field string // a message that must show
		}{
			{"no role", url.Values{"display_name": {"李老师"}, "username": {"li.na"}, "password": {"long enough pw"}}, "请至少选择一个角色"},
			{"bad username", url.Values{"display_name": {"李老师"}, "username": {"李"}, "password": {"long enough pw"}, "roles": {"staff"}}, "用户名须为"},
			{"no name", url.Values{"display_name": {" "}, "username": {"li.na"}, "password": {"long enough pw"}, "roles": {"staff"}}, "新账号须填写姓名"},
			{"unknown role", url.Values{"display_name": {"李老师"}, "username": {"li.na"}, "password": {"long enough pw"}, "roles": {"janitor"}}, "角色无效"},
			{"department of another school", url.Values{"display_name": {"李老师"}, "username": {"li.na"}, "password": {"long enough pw"}, "roles": {"staff"},
				"department": {"999999"}}, "处室无效"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.post(c, "/s/xq/manage/members", tt.form)
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", resp.StatusCode)
				}
				if !strings.Contains(body, tt.field) {
					t.Errorf("page does not say %q", tt.field)
				}
				if name := tt.form.Get("display_name"); strings.TrimSpace(name) != "" && !strings.Contains(body, `value="`+name+`"`) {
					t.Errorf("typed name %q not kept", name)
				}
				if strings.Contains(body, "long enough pw") {
					t.Error("the password is echoed back")
				}
			})
		}
		if _, _, err := h.db.FindUserForLogin(ctx, "li.na"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("a refused form created the user: %v", err)
		}
	})
}

func TestMembers_addExistingUser(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		c := h.client("xq.principal")
		// A principal cannot take in another school's teacher by typing the
		// username, even as a parent: the teacher is sent an invitation. The
		// page does not say whose account it is.
		other := h.users["other.staff"]
		for _, role := range []string{"staff", "parent"} {
			resp, body := h.post(c, "/s/xq/manage/members", url.Values{"username": {"other.staff"}, "roles": {role}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "该用户名已有账号。请发送“教职工邀请链接”") {
				t.Fatalf("principal names another school's teacher as %s: %d, want 422 with the invitation advice", role, resp.StatusCode)
			}
			if strings.Contains(body, other.DisplayName) {
				t.Errorf("the refusal shows the name behind the username")
			}
		}
		if got := h.memberRoles(t, h.school, other.ID); got != nil {
			t.Fatalf("the refused form made other.staff a member: %v", got)
		}
		// The bureau administrator may move a teacher between the bureau's
		// schools; the name and password typed are ignored, the person's
		// own stay.
		admin := h.client("bureau.admin")
		resp, _ := h.post(admin, "/s/xq/manage/members", url.Values{"display_name": {"冒名"}, "username": {"other.staff"}, "password": {"not-their-password"}, "roles": {"staff", "representative"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add existing user: %d", resp.StatusCode)
		}
		if f := flash(resp); !strings.Contains(f, "已存在") || !strings.Contains(f, h.users["other.staff"].DisplayName) {
			t.Errorf("flash does not say the user existed: %q", f)
		}
		a := h.actor("other.staff")
		if !a.HasRole(h.school.ID, gongkai.RoleStaff) || !a.HasRole(h.school.ID, gongkai.RoleRepresentative) || !a.HasRole(h.other.ID, gongkai.RoleStaff) {
			t.Errorf("memberships %+v", a.Memberships)
		}
		if a.DisplayName != h.users["other.staff"].DisplayName {
			t.Errorf("display name changed to %q", a.DisplayName)
		}
		resp, _ = h.post(h.client(""), "/login", url.Values{"username": {"other.staff"}, "password": {"not-their-password"}})
		if resp.StatusCode == http.StatusSeeOther {
			t.Error("the typed password replaced the existing user's password")
		}
		// A new username needs a name.
		resp, body := h.post(c, "/s/xq/manage/members", url.Values{"username": {"xq.teacher"}, "roles": {"representative"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "新账号须填写姓名") {
			t.Fatalf("new username without a name: %d, want 422 saying so", resp.StatusCode)
		}
		// An existing user with a department of another school is refused.
		resp, body = h.post(admin, "/s/xq/manage/members", url.Values{"username": {"other.clerk"}, "roles": {"staff"}, "department": {"999999"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "处室无效") || !strings.Contains(body, `value="other.clerk"`) {
			t.Fatalf("existing user, bad department: %d", resp.StatusCode)
		}
		if got := h.memberRoles(t, h.school, h.users["other.clerk"].ID); got != nil {
			t.Fatalf("refused add made other.clerk a member: %v", got)
		}
		// A member of this school gets the new role added to those held.
		resp, _ = h.post(c, "/s/xq/manage/members", url.Values{"username": {"xq.staff"}, "roles": {"representative"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(flash(resp), "已是本校人员") {
			t.Fatalf("merge roles: %d %q", resp.StatusCode, flash(resp))
		}
		if got := h.memberRoles(t, h.school, h.users["xq.staff"].ID); !slices.Equal(got, []gongkai.Role{gongkai.RoleRepresentative, gongkai.RoleStaff}) {
			t.Errorf("merged roles %v", got)
		}
	})
}

func TestMembers_setRoles(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		depts, err := h.db.FindDepartments(ctx, h.school.ID)
		must(t, err)
		path := func(user string) string { return "/s/xq/manage/members/" + strconv.FormatInt(h.users[user].ID, 10) }
		tests := []struct {
			name      string
			as        string
			user      string
			form      url.Values
			want      int
			say       string // in the flash (303) or the page (4xx)
			wantRoles []gongkai.Role
		}{
			{"add a role and a department", "xq.principal", "xq.clerk", url.Values{"roles": {"clerk", "leader"}, "department": {strconv.FormatInt(depts[0].ID, 10)}},
				http.StatusSeeOther, "已更新", []gongkai.Role{gongkai.RoleClerk, gongkai.RoleLeader}},
			{"own principal role kept", "xq.principal", "xq.principal", url.Values{"roles": {"leader"}},
				http.StatusConflict, "不能取消您自己的校长角色", []gongkai.Role{gongkai.RolePrincipal}},
			{"own other roles may change", "xq.principal", "xq.principal", url.Values{"roles": {"principal", "staff"}},
				http.StatusSeeOther, "已更新", []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleStaff}},
			{"last principal kept", "bureau.admin", "xq.principal", url.Values{"roles": {"staff"}},
				http.StatusConflict, "至少要保留一位校长", []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleStaff}},
			{"unknown role", "xq.principal", "xq.clerk", url.Values{"roles": {"janitor"}},
				http.StatusUnprocessableEntity, "角色无效", []gongkai.Role{gongkai.RoleClerk, gongkai.RoleLeader}},
			{"not a member here", "xq.principal", "other.clerk", url.Values{"roles": {"staff"}},
				http.StatusNotFound, "", nil},
			{"bureau admin hands over", "bureau.admin", "xq.leader", url.Values{"roles": {"leader", "principal"}},
				http.StatusSeeOther, "已更新", []gongkai.Role{gongkai.RoleLeader, gongkai.RolePrincipal}},
			{"then the old principal may be removed", "xq.leader", "xq.principal", url.Values{},
				http.StatusSeeOther, "移出本校", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.post(h.client(tt.as), path(tt.user), tt.form)
				if resp.StatusCode != tt.want {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
				}
				if tt.want == http.StatusSeeOther && !strings.Contains(flash(resp), tt.say) {
					t.Errorf("flash %q lacks %q", flash(resp), tt.say)
				}
				if tt.want >= 400 && !strings.Contains(body, tt.say) {
					t.Errorf("page lacks %q", tt.say)
				}
				if tt.want == http.StatusConflict && !strings.Contains(body, `value="`+string(tt.form["roles"][0])+`" checked`) {
					t.Error("the refused choice is not shown again")
				}
				if tt.want == http.StatusNotFound {
					return
				}
				if got := h.memberRoles(t, h.school, h.users[tt.user].ID); !slices.Equal(got, tt.wantRoles) {
					t.Errorf("roles %v, want %v", got, tt.wantRoles)
				}
			})
		}
		// The removed principal no longer reaches the page.
		resp, _ := h.get(h.client("xq.principal"), "/s/xq/manage/members")
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("removed principal: %d, want 403", resp.StatusCode)
		}
		// The other school's members are untouched.
		if got := h.memberRoles(t, h.other, h.users["other.clerk"].ID); !slices.Equal(got, []gongkai.Role{gongkai.RoleClerk}) {
			t.Errorf("other school's clerk: %v", got)
		}
	})
}

func TestMembers_departments(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		c := h.client("xq.principal")
		resp, _ := h.post(c, "/s/xq/manage/departments", url.Values{"name": {" 教导处 "}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(flash(resp), "教导处") {
			t.Fatalf("add department: %d %q", resp.StatusCode, flash(resp))
		}
		_, body := h.get(c, "/s/xq/manage/members")
		if !strings.Contains(body, "<li>教导处</li>") || !strings.Contains(body, ">教导处</option>") {
			t.Error("new department is not listed nor selectable")
		}
		long := strings.Repeat("处", 41)
		resp, body = h.post(c, "/s/xq/manage/departments", url.Values{"name": {long}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写处室名称") || !strings.Contains(body, `value="`+long+`"`) {
			t.Errorf("too long a name: %d", resp.StatusCode)
		}
		depts, err := h.db.FindDepartments(context.Background(), h.other.ID)
		must(t, err)
		if len(depts) != 1 {
			t.Errorf("other school's departments changed: %v", depts)
		}
	})
}

func TestInvitations_createAndJoin(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.client("xq.principal")
		resp, body := h.get(c, "/s/xq/manage/invitations")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="60"`) || !strings.Contains(body, `value="30"`) {
			t.Fatalf("invitations page: %d, or defaults missing", resp.StatusCode)
		}
		resp, _ = h.post(c, "/s/xq/manage/invitations", url.Values{"label": {"三年级二班家长"}, "max_uses": {"2"}, "days": {"30"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create invitation: %d", resp.StatusCode)
		}
		invs, err := h.db.FindInvitations(ctx, h.school.ID)
		must(t, err)
		if len(invs) != 1 || invs[0].Label != "三年级二班家长" || invs[0].MaxUses != 2 || invs[0].Role != gongkai.RoleParent {
			t.Fatalf("invitations %+v", invs)
		}
		inv := invs[0]
		if !strings.Contains(flash(resp), inv.Code) {
			t.Errorf("flash %q lacks the code", flash(resp))
		}
		// The admin log says who invited the class's parents.
		if e := h.wantAdminLog(t, h.school.ID, gongkai.AdminInvitation, "三年级二班家长", "角色：家长"); e.ActorID != h.users["xq.principal"].ID {
			t.Errorf("the invitation is logged as %q's", e.ActorName)
		}
		if _, log := h.get(c, "/s/xq/manage/log"); !strings.Contains(log, "发出邀请") || !strings.Contains(log, "三年级二班家长") {
			t.Error("the school's admin log page does not show the parents' invitation")
		}
		_, body = h.get(c, "/s/xq/manage/invitations")
		for _, want := range []string{inv.Code, "三年级二班家长", "0 / 2", "/join?code=" + inv.Code, "?print=" + strconv.FormatInt(inv.ID, 10)} {
			if !strings.Contains(body, want) {
				t.Errorf("list lacks %q", want)
			}
		}
		// The printable slip: school, class, code and the absolute address.
		resp, body = h.get(c, "/s/xq/manage/invitations?print="+strconv.FormatInt(inv.ID, 10))
		host := strings.TrimPrefix(h.ts.URL, "http://")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("slip: %d", resp.StatusCode)
		}
		for _, want := range []string{"青禾县祥谦小学", "三年级二班家长", `class="slip-code">` + inv.Code, "http://" + host + "/join?code=" + inv.Code} {
			if !strings.Contains(body, want) {
				t.Errorf("slip lacks %q", want)
			}
		}
		// Another school's code is not found through this school.
		other, err := h.db.CreateInvitation(ctx, h.other.ID, h.actor("other.principal"), "外校", 10, 24*time.Hour)
		must(t, err)
		if resp, _ := h.get(c, "/s/xq/manage/invitations?print="+strconv.FormatInt(other.ID, 10)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("other school's slip: %d, want 404", resp.StatusCode)
		}

		// A parent joins with the code and then reads the community items.
		community := h.published[gongkai.AudienceCommunity]
		item := "/s/xq/d/" + strconv.FormatInt(community.ID, 10)
		parent := h.client("")
		if resp, _ := h.get(parent, item); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("community item before joining: %d, want 404", resp.StatusCode)
		}
		resp, _ = h.post(parent, "/join", url.Values{"code": {strings.ToLower(inv.Code)}, "display_name": {"王小明家长"}, "username": {"wang.parent"},
			"password": {"parent-password"}, "again": {"parent-password"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("join: %d", resp.StatusCode)
		}
		resp, body = h.get(parent, item)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, community.Title) {
			t.Errorf("community item after joining: %d", resp.StatusCode)
		}
		if resp, _ := h.get(parent, "/s/xq/d/"+strconv.FormatInt(h.published[gongkai.AudienceStaff].ID, 10)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a parent reads a staff item: %d", resp.StatusCode)
		}
		_, body = h.get(c, "/s/xq/manage/invitations")
		if !strings.Contains(body, "1 / 2") {
			t.Error("the use is not counted on the list")
		}
	})
}

func TestInvitations_badCodes(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		actor := h.actor("xq.principal")
		usedUp, err := h.db.CreateInvitation(ctx, h.school.ID, actor, "用完", 1, 30*24*time.Hour)
		must(t, err)
		_, err = h.db.Join(ctx, usedUp.Code, h.users["nobody"].ID, nil, "")
		must(t, err)
		expiring, err := h.db.CreateInvitation(ctx, h.school.ID, actor, "过期", 50, 24*time.Hour)
		must(t, err)
		realNow := h.db.Now
		h.db.Now = func() time.Time { return realNow().Add(48 * time.Hour) }
		h.srv.now = h.db.Now
		t.Cleanup(func() { h.db.Now, h.srv.now = realNow, time.Now })

		for _, tt := range []struct{ name, code string }{{"used up", usedUp.Code}, {"expired", expiring.Code}, {"wrong", "ZZZZZ-ZZZZZ"}} {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.post(h.client(""), "/join", url.Values{"code": {tt.code}, "display_name": {"赵家长"}, "username": {"zhao.parent"},
					"password": {"parent-password"}, "again": {"parent-password"}})
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", resp.StatusCode)
				}
				for _, want := range []string{"邀请码无效或已过期", `value="` + tt.code + `"`, `value="赵家长"`, `value="zhao.parent"`} {
					if !strings.Contains(body, want) {
						t.Errorf("page lacks %q", want)
					}
				}
			})
		}
		if _, _, err := h.db.FindUserForLogin(ctx, "zhao.parent"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("a refused join created the account: %v", err)
		}
		// The list says which codes no longer work.
		_, body := h.get(h.client("xq.principal"), "/s/xq/manage/invitations")
		if !strings.Contains(body, "已用完") || !strings.Contains(body, "已过期") {
			t.Error("list does not mark used-up and expired codes")
		}
	})
}

func TestInvitations_formErrors(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		c := h.client("xq.principal")
		tests := []struct {
			name string
			form url.Values
			say  string
		}{
			{"no label", url.Values{"label": {""}, "max_uses": {"60"}, "days": {"30"}}, "请填写班级或用途"},
			{"zero uses", url.Values{"label": {"一年级一班"}, "max_uses": {"0"}, "days": {"30"}}, "可用次数须在 1–2000 之间"},
			{"not a number", url.Values{"label": {"一年级一班"}, "max_uses": {"六十"}, "days": {"30"}}, "请填写 1–2000 之间的整数"},
			{"too long", url.Values{"label": {"一年级一班"}, "max_uses": {"60"}, "days": {"400"}}, "有效期须在 1–366 天之间"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.post(c, "/s/xq/manage/invitations", tt.form)
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tt.say) {
					t.Fatalf("status %d, or %q missing", resp.StatusCode, tt.say)
				}
				for _, f := range []string{"label", "max_uses", "days"} {
					if v := tt.form.Get(f); v != "" && !strings.Contains(body, `value="`+v+`"`) {
						t.Errorf("typed %s %q not kept", f, v)
					}
				}
			})
		}
		invs, err := h.db.FindInvitations(context.Background(), h.school.ID)
		must(t, err)
		if len(invs) != 0 {
			t.Errorf("refused forms created %d codes", len(invs))
		}
	})
}

// TestMembers_noPasswordYet: an account added without a password is marked
// 待设置密码 in the members list, so that the principal sees whose one-time
// link is still unused, until the person sets a password with it.
func TestMembers_noPasswordYet(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		c := h.client("xq.principal")
		resp, page := h.post(c, "/s/xq/manage/members", url.Values{"display_name": {"张老师"}, "username": {"zhang.wei"}, "roles": {"staff"}})
		wantStatus(t, "add member", resp, page, http.StatusOK)
		link := setPasswordLink(t, page)
		row := func(username string) string {
			_, body := h.get(c, "/s/xq/manage/members")
			i := strings.Index(body, "<code>"+username+"</code>")
			if i < 0 {
				t.Fatalf("the members page does not list %s", username)
			}
			start := strings.LastIndex(body[:i], "<tr ")
			return body[start:i]
		}
		if !strings.Contains(row("zhang.wei"), "待设置密码") {
			t.Error("the new account without a password is not marked 待设置密码")
		}
		if strings.Contains(row("xq.clerk"), "待设置密码") {
			t.Error("an account with a password is marked 待设置密码")
		}
		resp, _ = h.post(h.client(""), link, url.Values{"password": {"first-password-1"}, "again": {"first-password-1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("set password: %d", resp.StatusCode)
		}
		if strings.Contains(row("zhang.wei"), "待设置密码") {
			t.Error("still marked 待设置密码 after the password was set")
		}
	})
}
