package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestNotifications_pageAndHeader(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		clerk := h.users["xq.clerk"]
		for i := 1; i <= 23; i++ {
			must(t, h.db.CreateNotifications(ctx, []int64{clerk.ID}, h.school.ID, fmt.Sprintf("新的异议：第%d件", i), "答复期限：2026年3月9日\n请及时处理。", fmt.Sprintf("/s/xq/cases/%d", i)))
		}
		// A link that would leave the site is shown without it.
		must(t, h.db.CreateNotifications(ctx, []int64{clerk.ID}, h.school.ID, "外部链接", "", "//evil.example/x"))
		c := h.client("xq.clerk")

		// Every signed-in page shows the count in the header.
		_, body := h.get(c, "/work")
		if !strings.Contains(body, `<a href="/notifications" class="notif-link">通知<span class="notif-count">24</span><span class="visually-hidden">条未读</span></a>`) {
			t.Fatalf("header without the unread count:\n%s", headerOf(body))
		}

		resp, body := h.get(c, "/notifications")
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("notifications: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		newest := strings.Index(body, "外部链接")
		older := strings.Index(body, `<a class="notif-title" href="/s/xq/cases/23">新的异议：第23件</a>`)
		if newest < 0 || older < newest || strings.Contains(body, "第3件") || strings.Contains(body, "evil.example") {
			t.Fatalf("page 1 is not the newest 20, newest first, with safe links")
		}
		if !strings.Contains(body, "共 24 条") || !strings.Contains(body, "新通知 24 条") || strings.Count(body, `class="notif-item notif-new"`) != 20 {
			t.Fatalf("new ones not marked as new")
		}
		if !strings.Contains(body, "答复期限：2026年3月9日\n请及时处理。") || !strings.Contains(body, `href="/notifications?page=2"`) {
			t.Fatalf("body or pager missing")
		}
		// Seen, so read: the header of this very page no longer counts them.
		if strings.Contains(headerOf(body), "notif-count") {
			t.Fatalf("the page that marks them read still counts them:\n%s", headerOf(body))
		}
		_, body = h.get(c, "/notifications")
		if strings.Contains(body, "notif-new") || strings.Contains(body, "新通知") {
			t.Fatal("still new on the second view")
		}
		_, body = h.get(c, "/notifications?page=2")
		if !strings.Contains(body, "新的异议：第1件") || strings.Contains(body, "第23件") {
			t.Fatal("page 2")
		}

		// Another user sees only their own, in the empty state.
		_, body = h.get(h.client("xq.principal"), "/notifications")
		if !strings.Contains(body, "暂无通知") || strings.Contains(body, "新的异议") || strings.Contains(headerOf(body), "notif-count") {
			t.Fatal("the principal sees the clerk's notifications")
		}
		// Signed out: sign in first; the anonymous board has no count.
		resp, _ = h.get(h.client(""), "/notifications")
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous: %d", resp.StatusCode)
		}
		_, body = h.get(h.client(""), "/s/xq/")
		if strings.Contains(body, "/notifications") {
			t.Fatal("anonymous page links to notifications")
		}
		// English readers get the page in English.
		en := h.client("xq.clerk")
		req, _ := http.NewRequest("GET", h.ts.URL+"/notifications", nil)
		req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
		r, err := en.Do(req)
		must(t, err)
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || !strings.Contains(string(b), "<h1>Notifications</h1>") || !strings.Contains(string(b), "24 in all") {
			t.Fatalf("english: %d", r.StatusCode)
		}
	})
}

// headerOf returns the page's site header.
func headerOf(body string) string {
	i, j := strings.Index(body, `<header class="site">`), strings.Index(body, "</header>")
	if i < 0 || j < i {
		return ""
	}
	return body[i:j]
}
