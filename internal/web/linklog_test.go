package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/testdb"
)

// The tokens of set-password and staff invitation links never reach the
// log, whatever the answer: a refused password (422) and a used link (409)
// are logged, and the log names the kind of link only.
func TestOneTimeLinks_notLogged(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		e := newEmptyServer(t, dsn)
		ctx := context.Background()
		b := &gongkai.Bureau{Name: "青禾县教育局"}
		must(t, e.db.CreateBureau(ctx, b))
		sc := &gongkai.School{BureauID: b.ID, Slug: "xq", Name: "祥谦小学", Code: "3501210001"}
		must(t, e.db.CreateSchool(ctx, sc, []string{"办公室"}))
		m, err := e.db.AddMember(ctx, sc.ID, nil, gongkai.StaffEntry{Username: "wang.fang", DisplayName: "王芳", Roles: []gongkai.Role{gongkai.RoleStaff}}, 0)
		must(t, err)
		_, invite, err := e.db.CreateStaffInvitation(ctx, sc.ID, nil, "新任会计", []gongkai.Role{gongkai.RoleClerk}, 0)
		must(t, err)

		c := e.client()
		if resp, _ := e.post(c, "/password/"+m.Token, url.Values{"password": {"short"}, "again": {"short"}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("short password: %d, want 422", resp.StatusCode)
		}
		if resp, _ := e.post(e.client(), "/invite/"+invite, url.Values{"display_name": {"李梅"}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("incomplete invitation form: %d, want 422", resp.StatusCode)
		}
		pw := "correct horse battery"
		if resp, _ := e.post(e.client(), "/password/"+m.Token, url.Values{"password": {pw}, "again": {pw}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("set password: %d", resp.StatusCode)
		}
		if status, _ := e.get(e.client(), "/password/"+m.Token); status != http.StatusConflict {
			t.Fatalf("used link: %d, want 409", status)
		}

		logged := e.logged.String()
		for _, tok := range []string{m.Token, invite} {
			if strings.Contains(logged, tok) {
				t.Errorf("a one-time link's token was logged:\n%s", logged)
			}
		}
		for _, want := range []string{`"/password/…"`, `"/invite/…"`} {
			if !strings.Contains(logged, want) {
				t.Errorf("the log lacks %s:\n%s", want, logged)
			}
		}
	})
}

// The setup wizard holds its link's token in its address and its form: the
// page is never stored, neither when first shown nor when shown again with
// the mistakes of a post.
func TestSetup_pageNotStored(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		e := newEmptyServer(t, dsn)
		token := e.setupLink()
		resp, err := e.client().Get(e.ts.URL + "/setup/" + token)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("setup form: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		form := setupForm()
		form.Set("password2", "something else entirely")
		resp, body := e.post(e.client(), "/setup/"+token, form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "两次输入的密码不一致") || !strings.Contains(body, token) {
			t.Fatalf("refused setup: %d", resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("refused setup's page: Cache-Control %q, want no-store", cc)
		}
	})
}

// A reset link lasts 24 hours from the minute it was made, not to the end
// of a day: the page that shows it gives the time, as does the staff
// invitation's page.
func TestOneTimeLinks_expiryToTheMinute(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		resp, page := h.post(h.client("xq.principal"), "/s/xq/manage/members/"+strconv.FormatInt(h.users["xq.staff"].ID, 10)+"/reset", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("reset: %d", resp.StatusCode)
		}
		link, err := h.db.FindPasswordLink(ctx, strings.TrimPrefix(setPasswordLink(t, page), "/password/"))
		must(t, err)
		if want := "有效期至 " + prose(link.Expires) + "，限用一次。"; !strings.Contains(page, want) {
			t.Errorf("the reset page lacks %q", want)
		}
		inv, token, err := h.db.CreateStaffInvitation(ctx, h.school.ID, h.actor("xq.principal"), "新任会计", []gongkai.Role{gongkai.RoleClerk}, 0)
		must(t, err)
		_, page = h.get(h.client(""), "/invite/"+token)
		if want := "<dd>" + prose(inv.ExpiresAt) + "</dd>"; !strings.Contains(page, want) {
			t.Errorf("the invitation page lacks %q", want)
		}
	})
}

// prose writes a moment as the pages do in prose: 2026年3月4日 15:04.
func prose(t time.Time) string {
	t = t.In(gongkai.Beijing)
	return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), t.Month(), t.Day(), t.Format("15:04"))
}
