package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/xuri/excelize/v2"

	"gongkai"
	"gongkai/internal/qrcode"
	"gongkai/internal/sheet"
	"gongkai/internal/store"
)

// matrixPeople holds, per harness, the values the authorisation matrix
// uses for the people routes.
var matrixPeople sync.Map

// matrixPeopleValues gives the people routes values that let an allowed
// request succeed: a member of xq of their own for the account actions (so
// that deactivating them disturbs no harness user), live one-time links,
// a class code for its QR code.
func (h *harness) matrixPeopleValues(t *testing.T, pattern string) map[string]string {
	t.Helper()
	if !strings.Contains(pattern, "/members/{user}/") && !strings.Contains(pattern, "{token}") && !strings.Contains(pattern, "/invitations/{id}/") {
		return nil
	}
	v, ok := matrixPeople.Load(h)
	if !ok {
		ctx := context.Background()
		principal := h.actor("xq.principal")
		m, err := h.db.AddMember(ctx, h.school.ID, principal, gongkai.StaffEntry{Username: "matrix.member", DisplayName: "矩阵测试", Roles: []gongkai.Role{gongkai.RoleStaff}}, 0)
		must(t, err)
		_, invite, err := h.db.CreateStaffInvitation(ctx, h.school.ID, principal, "矩阵", []gongkai.Role{gongkai.RoleStaff}, 0)
		must(t, err)
		inv, err := h.db.CreateInvitation(ctx, h.school.ID, principal, "矩阵班", 10, 24*time.Hour)
		must(t, err)
		v = map[string]string{"user": strconv.FormatInt(m.User.ID, 10), "password": m.Token, "invite": invite, "id": strconv.FormatInt(inv.ID, 10)}
		matrixPeople.Store(h, v)
	}
	vals := v.(map[string]string)
	switch {
	case strings.Contains(pattern, "/members/{user}/"):
		return map[string]string{"user": vals["user"]}
	case strings.HasPrefix(pattern, "/password/"):
		return map[string]string{"token": vals["password"]}
	case strings.HasPrefix(pattern, "/invite/"):
		return map[string]string{"token": vals["invite"]}
	}
	return map[string]string{"id": vals["id"]}
}

var (
	passwordLinkRE = regexp.MustCompile(`https?://[^\s<"]+(/password/[A-Za-z0-9_-]+)`)
	inviteLinkRE   = regexp.MustCompile(`https?://[^\s<"]+(/invite/[A-Za-z0-9_-]+)`)
)

// setPasswordLink returns the path of the only set-password link a page
// shows.
func setPasswordLink(t *testing.T, page string) string {
	t.Helper()
	links := setPasswordLinks(t, page)
	if len(links) != 1 {
		t.Fatalf("%d set-password links on the page, want 1", len(links))
	}
	return links[0]
}

func setPasswordLinks(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, m := range passwordLinkRE.FindAllStringSubmatch(page, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// wantAdminLog checks that the school's admin log has an entry of the
// action about subject whose detail contains detail.
func (h *harness) wantAdminLog(t *testing.T, schoolID int64, action gongkai.AdminAction, subject, detail string) gongkai.AdminEntry {
	t.Helper()
	entries, _, err := h.db.FindAdminLog(context.Background(), store.AdminLogFilter{SchoolID: schoolID, Action: action, Limit: 200})
	must(t, err)
	for _, e := range entries {
		if strings.Contains(e.Subject, subject) && strings.Contains(e.Detail, detail) {
			return e
		}
	}
	t.Fatalf("admin log has no %s entry about %q with %q; it has %+v", action, subject, detail, entries)
	return gongkai.AdminEntry{}
}

// signIn signs in through the page with a User-Agent and returns the client.
func (h *harness) signIn(t *testing.T, username, password, ua string) *http.Client {
	t.Helper()
	c := h.client("")
	resp, _ := h.do(c, "POST", "/login", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"username": {username}, "password": {password}}.Encode()), http.Header{"User-Agent": {ua}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", username, resp.StatusCode)
	}
	return c
}

func TestPeople_staffInvitation(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		depts, err := h.db.FindDepartments(ctx, h.school.ID)
		must(t, err)
		c := h.client("xq.principal")
		invite := func(label string) string {
			t.Helper()
			resp, page := h.post(c, "/s/xq/manage/staff-invitations", url.Values{"label": {label}, "roles": {"clerk", "leader"}, "department": {strconv.FormatInt(depts[1].ID, 10)}})
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("create invitation: %d", resp.StatusCode)
			}
			m := inviteLinkRE.FindStringSubmatch(page)
			if m == nil || !strings.Contains(page, "<svg") || !strings.Contains(page, "领导小组、经办人") {
				t.Fatalf("the invitation page lacks the link, its QR code or the roles")
			}
			return m[1]
		}
		link := invite("新任会计 王老师")
		h.wantAdminLog(t, h.school.ID, gongkai.AdminInvitation, "新任会计 王老师", "领导小组、经办人")

		// The person opens it, chooses a username and password, and is a
		// member with the roles chosen in advance.
		pc := h.client("")
		resp, body := h.get(pc, link)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "青禾县祥谦小学") || !strings.Contains(body, "财务室") {
			t.Fatalf("invitation page: %d", resp.StatusCode)
		}
		form := url.Values{"display_name": {"王秀英"}, "username": {"wang.xiuying"}, "password": {"her own password"}, "again": {"her own password"}}
		resp, _ = h.post(pc, link, form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
			t.Fatalf("accept: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		u, _, err := h.db.FindUserForLogin(ctx, "wang.xiuying")
		must(t, err)
		a, err := h.db.LoadActor(ctx, u.ID)
		must(t, err)
		if !a.HasRole(h.school.ID, gongkai.RoleClerk) || !a.HasRole(h.school.ID, gongkai.RoleLeader) || a.Memberships[0].DepartmentID != depts[1].ID {
			t.Errorf("memberships %+v", a.Memberships)
		}
		if resp, _ = h.get(pc, "/s/xq/manage/"); resp.StatusCode != http.StatusOK {
			t.Errorf("the new clerk is not signed in: %d", resp.StatusCode)
		}
		h.wantAdminLog(t, h.school.ID, gongkai.AdminMemberAdded, "王秀英（wang.xiuying）", "邀请链接")

		// A second use is refused, signed in or not, with a clear message.
		resp, body = h.post(h.client(""), link, url.Values{"display_name": {"李四"}, "username": {"li.si"}, "password": {"another password"}, "again": {"another password"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "此邀请链接已被使用") {
			t.Fatalf("second use: %d", resp.StatusCode)
		}
		if _, _, err := h.db.FindUserForLogin(ctx, "li.si"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Error("a used link created an account")
		}
		resp, body = h.get(h.client("nobody"), link)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "此邀请链接已被使用") {
			t.Fatalf("used link opened: %d", resp.StatusCode)
		}
		_, list := h.get(c, "/s/xq/manage/staff-invitations")
		if !strings.Contains(list, "已使用") || !strings.Contains(list, "王秀英") {
			t.Error("the list does not show the link as used by her")
		}

		// After seven days a link is expired.
		late := invite("迟到的邀请")
		h.db.Now = func() time.Time { return time.Now().Add(gongkai.StaffInvitationTTL + time.Minute) }
		defer func() { h.db.Now = time.Now }()
		resp, body = h.post(h.client(""), late, url.Values{"display_name": {"赵六"}, "username": {"zhao.liu"}, "password": {"another password"}, "again": {"another password"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "已过期") {
			t.Fatalf("expired link: %d", resp.StatusCode)
		}
		// A guessed link is unknown.
		resp, body = h.get(h.client(""), "/invite/not-a-real-token")
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "邀请链接无效") {
			t.Fatalf("unknown link: %d", resp.StatusCode)
		}
	})
}

// A teacher of another school joins by accepting a staff invitation while
// signed in: their consent is the press of the button, and the list of
// invitations and the admin log record who joined.
func TestPeople_staffInvitationSignedIn(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		c := h.client("xq.principal")
		resp, page := h.post(c, "/s/xq/manage/staff-invitations", url.Values{"roles": {"staff"}})
		m := inviteLinkRE.FindStringSubmatch(page)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("create invitation: %d", resp.StatusCode)
		}
		tc := h.client("other.staff")
		other := h.users["other.staff"]
		if resp, body := h.post(tc, m[1], url.Values{}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "以此账号加入") {
			t.Fatalf("accept without pressing the button: %d", resp.StatusCode)
		}
		if got := h.memberRoles(t, h.school, other.ID); got != nil {
			t.Fatalf("joined without consent: %v", got)
		}
		resp, _ = h.post(tc, m[1], url.Values{"accept": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("accept signed in: %d", resp.StatusCode)
		}
		a := h.actor("other.staff")
		if !a.HasRole(h.school.ID, gongkai.RoleStaff) || !a.HasRole(h.other.ID, gongkai.RoleStaff) {
			t.Errorf("memberships %+v", a.Memberships)
		}
		if _, list := h.get(c, "/s/xq/manage/staff-invitations"); !strings.Contains(list, "已使用") || !strings.Contains(list, other.DisplayName) {
			t.Error("the list does not show the link as used by the teacher")
		}
		h.wantAdminLog(t, h.school.ID, gongkai.AdminMemberAdded, other.DisplayName+"（other.staff）", "邀请链接")
	})
}

// staffBook writes a staff list as the export does.
func staffBook(t *testing.T, rows []sheet.StaffRow) []byte {
	t.Helper()
	var buf bytes.Buffer
	must(t, sheet.ExportStaff(&buf, rows))
	return buf.Bytes()
}

var entryRE = regexp.MustCompile(`name="entry" value="([^"]*)"`)

func TestPeople_staffImport(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		data := staffBook(t, []sheet.StaffRow{
			{DisplayName: "林晓红", Username: "lin.xiaohong", Roles: []gongkai.Role{gongkai.RoleClerk, gongkai.RoleLeader}, Department: "财务室"},
			{DisplayName: "陈志远", Username: "chen.zhiyuan", Roles: []gongkai.Role{gongkai.RoleStaff}},
			{DisplayName: "", Username: "other.staff", Roles: []gongkai.Role{gongkai.RoleRepresentative}}, // of the other school
		})
		// The principal may not take in the other school's teacher: the
		// preview says so without the teacher's name, and offers no import.
		resp, page := h.upload(h.client("xq.principal"), "/s/xq/manage/members/import", data)
		if !strings.Contains(page, "该用户名已有账号。请发送“教职工邀请链接”") || strings.Contains(page, h.users["other.staff"].DisplayName) || strings.Contains(page, "确认导入") {
			t.Fatalf("principal's preview with another school's teacher: %d", resp.StatusCode)
		}
		// The bureau administrator may, within the bureau.
		c := h.client("bureau.admin")
		resp, page = h.upload(c, "/s/xq/manage/members/import", data)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "新账号") || !strings.Contains(page, "已有账号，加入本校") || !strings.Contains(page, "确认导入") {
			t.Fatalf("preview: %d", resp.StatusCode)
		}
		if _, _, err := h.db.FindUserForLogin(ctx, "lin.xiaohong"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatal("the preview imported someone")
		}
		form := url.Values{}
		for _, m := range entryRE.FindAllStringSubmatch(page, -1) {
			form.Add("entry", htmlUnescape(m[1]))
		}
		resp, page = h.post(c, "/s/xq/manage/members/import/confirm", form)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("confirm: %d", resp.StatusCode)
		}
		links := setPasswordLinks(t, page)
		if len(links) != 2 || !strings.Contains(page, "林晓红") || !strings.Contains(page, "陈志远") {
			t.Fatalf("%d set-password links after the import, want 2 (the existing account gets none)", len(links))
		}
		lin, _, err := h.db.FindUserForLogin(ctx, "lin.xiaohong")
		must(t, err)
		if got := h.memberRoles(t, h.school, lin.ID); len(got) != 2 {
			t.Errorf("lin's roles %v", got)
		}
		if got := h.memberRoles(t, h.school, h.users["other.staff"].ID); len(got) != 1 || got[0] != gongkai.RoleRepresentative {
			t.Errorf("other.staff's roles here %v", got)
		}
		h.wantAdminLog(t, h.school.ID, gongkai.AdminMembersImported, "3 人", "林晓红（lin.xiaohong）：领导小组、经办人（新账号）")

		// The export reads back in: everyone is a member already.
		resp, exported := h.get(c, "/s/xq/manage/members.xlsx")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export: %d", resp.StatusCode)
		}
		entries, err := sheet.ImportStaff(strings.NewReader(exported), int64(len(exported)))
		must(t, err)
		var found bool
		for _, e := range entries {
			if e.Username == "lin.xiaohong" && e.Department == "财务室" && gongkai.RoleLabels(e.Roles) == "领导小组、经办人" {
				found = true
			}
			if e.Username == "xq.parent" {
				t.Error("the staff export lists a parent")
			}
		}
		if !found {
			t.Errorf("the export lacks lin with her roles and department: %+v", entries)
		}
		resp, page = h.upload(c, "/s/xq/manage/members/import", []byte(exported))
		if resp.StatusCode != http.StatusOK || strings.Contains(page, ">新账号<") || !strings.Contains(page, "已是本校人员，加上角色") {
			t.Fatalf("re-import preview: %d", resp.StatusCode)
		}
	})
}

// bookWithFormula is a staff list whose 角色 cell of row 2 is a formula.
func bookWithFormula(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, v := range []string{"姓名", "用户名", "角色", "处室", "王芳", "wang.fang"} {
		cell, _ := excelize.CoordinatesToCellName(i%4+1, i/4+1)
		must(t, f.SetCellStr("Sheet1", cell, v))
	}
	must(t, f.SetCellFormula("Sheet1", "C2", `"经办人"`))
	var buf bytes.Buffer
	must(t, f.Write(&buf))
	return buf.Bytes()
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#43;", "+", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&#9;", "\t").Replace(s)
}

func TestPeople_staffImportRefused(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.client("xq.principal")
		data := staffBook(t, []sheet.StaffRow{
			{DisplayName: "林晓红", Username: "lin.xiaohong", Roles: []gongkai.Role{gongkai.RoleClerk}, Department: "财务室"},
			{DisplayName: "陈志远", Username: "Chen Zhiyuan", Roles: []gongkai.Role{gongkai.RoleStaff}},
			{DisplayName: "周敏", Username: "zhou.min", Roles: []gongkai.Role{gongkai.RoleStaff}, Department: "后勤处"},
			{DisplayName: "", Username: "new.person", Roles: []gongkai.Role{gongkai.RoleStaff}},
			{DisplayName: "林晓红", Username: "lin.xiaohong", Roles: []gongkai.Role{gongkai.RoleStaff}},
		})
		resp, page := h.upload(c, "/s/xq/manage/members/import", data)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("preview with errors: %d", resp.StatusCode)
		}
		for _, want := range []string{
			"第3行 B列 “用户名”：用户名须为",
			"第4行 D列 “处室”：本校没有处室“后勤处”。现有处室：办公室、财务室。",
			"第5行 A列 “姓名”：新账号须填写姓名。",
			"第6行 B列 “用户名”：与第2行的用户名重复。",
			"未导入任何人员",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("preview does not say %q", want)
			}
		}
		if strings.Contains(page, "确认导入") {
			t.Error("a preview with errors offers to import")
		}
		// Even a forged confirmation imports nothing.
		form := url.Values{}
		for _, m := range entryRE.FindAllStringSubmatch(page, -1) {
			form.Add("entry", htmlUnescape(m[1]))
		}
		form.Add("entry", "2\t林晓红\tlin.xiaohong\tclerk\t财务室")
		form.Add("entry", "3\t周敏\tzhou.min\tstaff\t后勤处")
		resp, _ = h.post(c, "/s/xq/manage/members/import/confirm", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("forged confirm: %d", resp.StatusCode)
		}
		for _, name := range []string{"lin.xiaohong", "zhou.min", "new.person"} {
			if _, _, err := h.db.FindUserForLogin(ctx, name); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
				t.Errorf("%s was imported from a list with errors", name)
			}
		}

		// A formula cell, an oversized file.
		formula := bookWithFormula(t)
		resp, page = h.upload(c, "/s/xq/manage/members/import", formula)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "第2行 C列 “角色”：单元格含有公式") {
			t.Fatalf("formula: %d", resp.StatusCode)
		}
		big := append(staffBook(t, nil), make([]byte, sheet.MaxFileBytes)...)
		resp, page = h.upload(c, "/s/xq/manage/members/import", big)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "文件超过 5 MB") {
			t.Fatalf("oversized: %d", resp.StatusCode)
		}
		entries, _, err := h.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: h.school.ID, Action: gongkai.AdminMembersImported})
		must(t, err)
		if len(entries) != 0 {
			t.Errorf("refused imports are in the admin log: %+v", entries)
		}
	})
}

func TestPeople_deactivate(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		clerk := h.users["xq.clerk"]
		web := h.client("xq.clerk")
		token := h.apiToken("xq.clerk")
		api := func() (int, string) {
			resp, body := h.do(h.client(""), "GET", "/api/v1/dashboard", "", nil, http.Header{"Authorization": {"Bearer " + token}})
			return resp.StatusCode, body
		}
		if status, _ := api(); status == http.StatusUnauthorized {
			t.Fatal("the token does not work before")
		}
		c := h.client("xq.principal")
		path := fmt.Sprintf("/s/xq/manage/members/%d/", clerk.ID)
		resp, _ := h.post(c, path+"deactivate", nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(flash(resp), "已停用") {
			t.Fatalf("deactivate: %d %q", resp.StatusCode, flash(resp))
		}
		// Their session and token stop at once; they cannot act.
		if resp, _ := h.get(web, "/s/xq/manage/"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("the deactivated clerk's session still works: %d", resp.StatusCode)
		}
		if resp, _ := h.post(web, "/s/xq/manage/new", url.Values{"title": {"停用后起草"}}); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
			t.Errorf("the deactivated clerk drafted: %d", resp.StatusCode)
		}
		if status, _ := api(); status != http.StatusUnauthorized {
			t.Errorf("the deactivated clerk's API token: %d, want 401", status)
		}
		// Signing in says why, to whoever knows the password.
		resp, body := h.post(h.client(""), "/login", url.Values{"username": {"xq.clerk"}, "password": {testPassword}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "账号已停用，请联系学校管理员") {
			t.Errorf("sign in while deactivated: %d", resp.StatusCode)
		}
		_, body = h.post(h.client(""), "/login", url.Values{"username": {"xq.clerk"}, "password": {"a wrong password"}})
		if strings.Contains(body, "停用") {
			t.Error("a wrong password learns that the account is deactivated")
		}
		resp, body = h.do(h.client(""), "POST", "/api/v1/auth/token", "application/json", strings.NewReader(`{"username":"xq.clerk","password":"`+testPassword+`"}`), nil)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "账号已停用") {
			t.Errorf("API token while deactivated: %d %s", resp.StatusCode, body)
		}
		// Their past steps still show, with their name.
		_, body = h.get(h.client("xq.principal"), fmt.Sprintf("/s/xq/manage/d/%d", h.published[gongkai.AudiencePublic].ID))
		if !strings.Contains(body, clerk.DisplayName) {
			t.Error("the trail lost the deactivated clerk's name")
		}
		_, body = h.get(c, "/s/xq/manage/members")
		if !strings.Contains(body, "已停用") || !strings.Contains(body, "恢复账号") {
			t.Error("the members page does not show the account as deactivated")
		}
		h.wantAdminLog(t, h.school.ID, gongkai.AdminMemberDeactivate, clerk.DisplayName+"（xq.clerk）", "账号状态：正常 → 已停用")

		// Reactivated, they sign in again.
		resp, _ = h.post(c, path+"reactivate", nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(flash(resp), "已恢复") {
			t.Fatalf("reactivate: %d %q", resp.StatusCode, flash(resp))
		}
		h.signIn(t, "xq.clerk", testPassword, "")
		h.wantAdminLog(t, h.school.ID, gongkai.AdminMemberReactivate, "xq.clerk", "已停用 → 正常")

		// The last principal stays; nobody deactivates themselves; a
		// person of two schools is not one principal's to deactivate.
		resp, _ = h.post(h.client("bureau.admin"), fmt.Sprintf("/s/xq/manage/members/%d/deactivate", h.users["xq.principal"].ID), nil)
		if !strings.Contains(flash(resp), "学校至少要保留一位校长") {
			t.Errorf("last principal: %q", flash(resp))
		}
		resp, _ = h.post(c, fmt.Sprintf("/s/xq/manage/members/%d/deactivate", h.users["xq.principal"].ID), nil)
		if !strings.Contains(flash(resp), "不能停用您自己的账号") {
			t.Errorf("self: %q", flash(resp))
		}
		_, err := h.db.AddMember(ctx, h.school.ID, h.actor("bureau.admin"), gongkai.StaffEntry{Username: "other.staff", Roles: []gongkai.Role{gongkai.RoleStaff}}, 0)
		must(t, err)
		resp, _ = h.post(c, fmt.Sprintf("/s/xq/manage/members/%d/deactivate", h.users["other.staff"].ID), nil)
		if !strings.Contains(flash(resp), "还在其他学校任职") {
			t.Errorf("two schools: %q", flash(resp))
		}
		if h.actor("other.staff").Disabled {
			t.Error("other.staff was deactivated")
		}
		// Only the principal or the bureau administrator.
		resp, _ = h.post(h.client("xq.leader"), path+"deactivate", nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("a leader deactivates: %d", resp.StatusCode)
		}
	})
}

func TestPeople_resetPassword(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		staff := h.users["xq.staff"]
		phone := h.signIn(t, "xq.staff", testPassword, "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36")
		laptop := h.signIn(t, "xq.staff", testPassword, "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0 Safari/537.36")
		resp, page := h.post(h.client("xq.principal"), fmt.Sprintf("/s/xq/manage/members/%d/reset", staff.ID), nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("reset: %d", resp.StatusCode)
		}
		link := setPasswordLink(t, page)
		if strings.Contains(page, testPassword) {
			t.Fatal("a password shown to the admin")
		}
		token := strings.TrimPrefix(link, "/password/")
		e := h.wantAdminLog(t, h.school.ID, gongkai.AdminPasswordReset, "xq.staff", "一次性设置密码链接")
		if strings.Contains(e.Detail, token) || strings.Contains(e.Subject, token) {
			t.Error("the admin log holds the token")
		}
		// Until the link is used the old password works.
		h.signIn(t, "xq.staff", testPassword, "")

		pc := h.client("")
		resp, _ = h.post(pc, link, url.Values{"password": {"new secret phrase"}, "again": {"different phrase"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("mismatched passwords: %d", resp.StatusCode)
		}
		resp, _ = h.post(pc, link, url.Values{"password": {"new secret phrase"}, "again": {"new secret phrase"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("use reset link: %d", resp.StatusCode)
		}
		// Every other session ended; the new password works, the old not.
		for name, c := range map[string]*http.Client{"phone": phone, "laptop": laptop} {
			if resp, _ := h.get(c, "/account"); resp.StatusCode == http.StatusOK {
				t.Errorf("the %s session survived the reset", name)
			}
		}
		if resp, _ := h.get(pc, "/account"); resp.StatusCode != http.StatusOK {
			t.Errorf("not signed in after the reset: %d", resp.StatusCode)
		}
		resp, _ = h.post(h.client(""), "/login", url.Values{"username": {"xq.staff"}, "password": {testPassword}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the old password still works: %d", resp.StatusCode)
		}
		h.signIn(t, "xq.staff", "new secret phrase", "")
		// The link works once.
		resp, body := h.post(h.client(""), link, url.Values{"password": {"third secret phrase"}, "again": {"third secret phrase"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "此链接已使用过") {
			t.Fatalf("second use: %d", resp.StatusCode)
		}
		// A newer link voids an older one; an expired link says so.
		_, page1 := h.post(h.client("xq.principal"), fmt.Sprintf("/s/xq/manage/members/%d/reset", staff.ID), nil)
		_, page2 := h.post(h.client("xq.principal"), fmt.Sprintf("/s/xq/manage/members/%d/reset", staff.ID), nil)
		if resp, body := h.get(h.client(""), setPasswordLink(t, page1)); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "已过期或已被更新的链接取代") {
			t.Errorf("replaced link: %d", resp.StatusCode)
		}
		h.db.Now = func() time.Time { return time.Now().Add(gongkai.ResetLinkTTL + time.Minute) }
		defer func() { h.db.Now = time.Now }()
		if resp, _ := h.get(h.client(""), setPasswordLink(t, page2)); resp.StatusCode != http.StatusConflict {
			t.Errorf("expired link: %d", resp.StatusCode)
		}
	})
}

var sessionRE = regexp.MustCompile(`name="session" value="([0-9a-f]{16})"><button type="submit" class="secondary">[^<]*<span class="visually-hidden">：([^<]*)</span>`)

func TestPeople_sessions(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		phone := h.signIn(t, "xq.staff", testPassword, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36")
		laptop := h.signIn(t, "xq.staff", testPassword, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0")
		tablet := h.signIn(t, "xq.staff", testPassword, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49")
		_, page := h.get(phone, "/account")
		for _, want := range []string{"Chrome · Android", "本机", "Edge · Windows", "微信 · iPhone", "退出其他所有设备", "登录于"} {
			if !strings.Contains(page, want) {
				t.Errorf("the account page lacks %q", want)
			}
		}
		if strings.Contains(page, "127.0.0.1") {
			t.Error("the account page shows an address")
		}
		if i, j := strings.Index(page, "Chrome · Android"), strings.Index(page, "本机"); i < 0 || j < i || j-i > 200 {
			t.Error("the current session is not the one marked 本机")
		}
		handles := map[string]string{}
		for _, m := range sessionRE.FindAllStringSubmatch(page, -1) {
			handles[m[2]] = m[1]
		}
		if len(handles) != 2 {
			t.Fatalf("sign-out buttons for %v, want the two other sessions", handles)
		}
		resp, _ := h.post(phone, "/account/sessions", url.Values{"session": {handles["Edge · Windows"]}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(flash(resp), "Edge · Windows") {
			t.Fatalf("end one: %d %q", resp.StatusCode, flash(resp))
		}
		if resp, _ := h.get(laptop, "/account"); resp.StatusCode == http.StatusOK {
			t.Error("the laptop is still signed in")
		}
		if resp, _ := h.get(tablet, "/account"); resp.StatusCode != http.StatusOK {
			t.Error("the tablet was signed out too")
		}
		// Another user's session cannot be ended by its handle.
		_, other := h.get(h.client("xq.clerk"), "/account")
		_ = other
		resp, _ = h.post(h.client("xq.clerk"), "/account/sessions", url.Values{"session": {handles["微信 · iPhone"]}})
		if !strings.HasPrefix(flash(resp), "!") {
			t.Errorf("a clerk ended xq.staff's session: %q", flash(resp))
		}
		if resp, _ := h.get(tablet, "/account"); resp.StatusCode != http.StatusOK {
			t.Error("the tablet was signed out by another user")
		}
		resp, _ = h.post(phone, "/account/sessions", url.Values{"session": {"others"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(flash(resp), "已退出其他 1 处登录") {
			t.Fatalf("end others: %d %q", resp.StatusCode, flash(resp))
		}
		if resp, _ := h.get(tablet, "/account"); resp.StatusCode == http.StatusOK {
			t.Error("the tablet is still signed in")
		}
		if resp, _ := h.get(phone, "/account"); resp.StatusCode != http.StatusOK {
			t.Error("the phone signed itself out")
		}
		// Changing one's own password asks for the current one and ends the
		// other sessions (another user: sign-ins per name are rate limited).
		phone = h.signIn(t, "xq.leader", testPassword, "")
		laptop = h.signIn(t, "xq.leader", testPassword, "")
		resp, _ = h.post(phone, "/account/password", url.Values{"old": {"not it at all"}, "new": {"brand new phrase"}, "again": {"brand new phrase"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password: %d", resp.StatusCode)
		}
		resp, _ = h.post(phone, "/account/password", url.Values{"old": {testPassword}, "new": {"brand new phrase"}, "again": {"brand new phrase"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("change password: %d", resp.StatusCode)
		}
		if resp, _ := h.get(laptop, "/account"); resp.StatusCode == http.StatusOK {
			t.Error("another session survived the password change")
		}
		if resp, _ := h.get(phone, "/account"); resp.StatusCode != http.StatusOK {
			t.Error("the session that changed the password was ended")
		}
	})
}

func TestPeople_apiAddMember(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		post := func(user, body string) (int, string) {
			resp, b := h.do(h.client(""), "POST", "/api/v1/schools/xq/members", "application/json", strings.NewReader(body),
				http.Header{"Authorization": {"Bearer " + h.apiToken(user)}})
			return resp.StatusCode, b
		}
		status, body := post("xq.principal", `{"username":"Sun.Li","display_name":"孙丽","roles":["clerk","经办人","staff"],"department":"财务室"}`)
		if status != http.StatusCreated {
			t.Fatalf("add: %d %s", status, body)
		}
		var out struct {
			Member struct {
				ID         int64    `json:"id"`
				Username   string   `json:"username"`
				Roles      []string `json:"roles"`
				Department string   `json:"department"`
			} `json:"member"`
			Created        bool   `json:"created"`
			SetPasswordURL string `json:"set_password_url"`
		}
		must(t, json.Unmarshal([]byte(body), &out))
		if !out.Created || out.Member.Username != "sun.li" || strings.Join(out.Member.Roles, ",") != "clerk,staff" || out.Member.Department != "财务室" {
			t.Errorf("answer %s", body)
		}
		m := passwordLinkRE.FindStringSubmatch(out.SetPasswordURL)
		if m == nil {
			t.Fatalf("no set-password link in %s", body)
		}
		if resp, _ := h.get(h.client(""), m[1]); resp.StatusCode != http.StatusOK {
			t.Errorf("the link of the answer does not open: %d", resp.StatusCode)
		}
		h.wantAdminLog(t, h.school.ID, gongkai.AdminMemberAdded, "孙丽（sun.li）", "处室：财务室")
		// A principal may not name an existing account of another school.
		status, body = post("xq.principal", `{"username":"other.clerk","roles":["parent"]}`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"username"`) || !strings.Contains(body, "教职工邀请链接") || strings.Contains(body, h.users["other.clerk"].DisplayName) {
			t.Errorf("principal names another school's clerk: %d %s", status, body)
		}
		if got := h.memberRoles(t, h.school, h.users["other.clerk"].ID); got != nil {
			t.Fatalf("the refused request made other.clerk a member: %v", got)
		}
		// The bureau administrator may: 200, no link.
		status, body = post("bureau.admin", `{"username":"other.clerk","roles":["staff"]}`)
		if status != http.StatusOK || strings.Contains(body, "set_password_url") {
			t.Errorf("existing: %d %s", status, body)
		}
		// Field errors, and a clerk may not.
		status, body = post("xq.principal", `{"username":"x","roles":["janitor"],"department":"后勤处"}`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "roles") || !strings.Contains(body, "department") {
			t.Errorf("bad input: %d %s", status, body)
		}
		if status, _ = post("xq.clerk", `{"username":"zz.top","display_name":"甲","roles":["staff"]}`); status != http.StatusForbidden {
			t.Errorf("clerk: %d", status)
		}
		if _, _, err := h.db.FindUserForLogin(ctx, "zz.top"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Error("the clerk's request created an account")
		}
	})
}

// decodeQR reads a QR code image with gozxing, as a phone's scanner would.
func decodeQR(t *testing.T, data []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	must(t, err)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	must(t, err)
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	must(t, err)
	return res.GetText()
}

func TestPeople_slipQRCode(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		inv, err := h.db.CreateInvitation(context.Background(), h.school.ID, h.actor("xq.principal"), "三年级二班家长", 60, 30*24*time.Hour)
		must(t, err)
		c := h.client("xq.principal")
		join := h.ts.URL + "/join?code=" + url.QueryEscape(inv.Code)
		resp, page := h.get(c, fmt.Sprintf("/s/xq/manage/invitations?print=%d", inv.ID))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("slips: %d", resp.StatusCode)
		}
		// Eight slips, each with the QR code of the join link (qrcode's own
		// tests decode that SVG to the link).
		svg, err := qrcode.SVG(join, "加入链接二维码")
		must(t, err)
		if n := strings.Count(page, svg); n != 8 {
			t.Errorf("%d slips carry the QR code of %s, want 8", n, join)
		}
		resp, b := h.get(c, fmt.Sprintf("/s/xq/manage/invitations/%d/qr.png", inv.ID))
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("qr.png: %d", resp.StatusCode)
		}
		if got := decodeQR(t, []byte(b)); got != join {
			t.Errorf("the PNG decodes to %q, want %q", got, join)
		}
		if resp, _ := h.get(h.client("xq.clerk"), fmt.Sprintf("/s/xq/manage/invitations/%d/qr.png", inv.ID)); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a clerk reads the QR code: %d", resp.StatusCode)
		}
	})
}

// The members pages of a deactivated school say that nobody joins it.
func TestPeople_deactivatedSchool(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		_, err := h.db.SetSchoolActive(context.Background(), nil, h.bureau.ID, h.school.ID, false, "撤并")
		must(t, err)
		c := h.client("xq.principal")
		// The pages offer no form that would only be refused.
		for _, page := range []struct{ path, form string }{
			{"/s/xq/manage/members", `action="/s/xq/manage/members"`},
			{"/s/xq/manage/members", `action="/s/xq/manage/members/import"`},
			{"/s/xq/manage/staff-invitations", `action="/s/xq/manage/staff-invitations"`},
			{"/s/xq/manage/invitations", `action="/s/xq/manage/invitations"`},
		} {
			resp, body := h.get(c, page.path)
			if resp.StatusCode != http.StatusOK || strings.Contains(body, page.form) || !strings.Contains(body, "本校已停用") {
				t.Errorf("%s of a deactivated school: %d, offers %s: %v", page.path, resp.StatusCode, page.form, strings.Contains(body, page.form))
			}
		}
		resp, body := h.post(c, "/s/xq/manage/members", url.Values{"display_name": {"新教师"}, "username": {"new.teacher"}, "roles": {"staff"}})
		// A form posted from a page opened before the deactivation is
		// refused, and the page says why.
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "本校已停用") || strings.Contains(body, "已添加") {
			t.Errorf("add a member: %d", resp.StatusCode)
		}
		resp, body = h.upload(c, "/s/xq/manage/members/import", staffBook(t, []sheet.StaffRow{{DisplayName: "新教师", Username: "new.teacher", Roles: []gongkai.Role{gongkai.RoleStaff}}}))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "已停用，不能再添加或导入人员") {
			t.Errorf("import preview: %d", resp.StatusCode)
		}
		resp, body = h.post(c, "/s/xq/manage/staff-invitations", url.Values{"roles": {"staff"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "本校已停用") || inviteLinkRE.MatchString(body) {
			t.Errorf("create a staff invitation: %d", resp.StatusCode)
		}
	})
}
