package web

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSafeNext: after sign-in only a path of this site is followed; every
// way of naming another host, however encoded, falls back to the home page.
func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/s/xq/", "/s/xq/"},
		{"/s/xq/d/12?from=board#top", "/s/xq/d/12?from=board#top"},
		{"/s/xq/search?q=%E8%B4%A2%E5%8A%A1", "/s/xq/search?q=%E8%B4%A2%E5%8A%A1"},
		{"/s/xq/search?q=财务 采购", "/s/xq/search?q=财务 采购"},
		{"/work", "/work"},
		{"", "/"},
		{"work", "/"},
		{"//other.host", "/"},
		{"//other.host/path", "/"},
		{"/\\other.host", "/"},
		{"\\\\other.host", "/"},
		{"/\t/other.host", "/"},
		{"/\n/other.host", "/"},
		{"/%09/other.host", "/"},
		{"/%0a/other.host", "/"},
		{"/%0D%0A/other.host", "/"},
		{"/%2F%2Fother.host", "/"},
		{"/%2F/other.host", "/"},
		{"%2F%2Fother.host", "/"},
		{"/%5Cother.host", "/"},
		{"/%252F%252Fother.host", "/"},
		{"/%25252F%25252Fother.host", "/"},
		{"https://other.host/", "/"},
		{"http:other.host", "/"},
		{"javascript:alert(1)", "/"},
		{"/\x00/other.host", "/"},
		{"/\x7f", "/"},
		{"/a\u202egpj.exe", "/"},
		{"/%E2%80%AEx", "/"},
		{"/%zz", "/"},
		{"/\xff", "/"},
		{" //other.host", "/"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// clientFrom is an anonymous client whose requests come from the loopback
// address ip (any 127.x.y.z reaches the test server on Linux).
func (h *harness) clientFrom(ip string) *http.Client {
	c := h.client("")
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

// TestLogin_attackerCannotLockOwnerOut: failing passwords for an account
// from other addresses stops those addresses, and only slows the account
// down: its owner still signs in from theirs, with the right password.
func TestLogin_attackerCannotLockOwnerOut(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.srv.loginDelay = 20 * time.Millisecond
		try := func(c *http.Client, password string) int {
			resp, _ := h.post(c, "/login", url.Values{"username": {"xq.principal"}, "password": {password}})
			return resp.StatusCode
		}
		// One attacker at one address is stopped after five tries.
		attacker := h.clientFrom("127.0.0.2")
		var codes []int
		for i := range 8 {
			codes = append(codes, try(attacker, fmt.Sprintf("guess-%d", i)))
		}
		if codes[0] != http.StatusUnauthorized || codes[7] != http.StatusTooManyRequests {
			t.Fatalf("one address failing 8 times got %v, want 401 first and 429 at the end", codes)
		}
		// Even the right password is refused to that address for now.
		if got := try(attacker, testPassword); got != http.StatusTooManyRequests {
			t.Fatalf("the stopped address with the right password: %d, want 429", got)
		}
		// Guessing from many addresses exhausts the account's quick tries.
		for a := 3; a <= 8; a++ {
			c := h.clientFrom(fmt.Sprintf("127.0.0.%d", a))
			for i := range 5 {
				if got := try(c, fmt.Sprintf("guess-%d-%d", a, i)); got != http.StatusUnauthorized {
					t.Fatalf("address 127.0.0.%d try %d: %d, want 401 (slowed down, not refused)", a, i+1, got)
				}
			}
		}
		// The owner signs in from their own address, a little later.
		owner := h.clientFrom("127.0.0.1")
		start := time.Now()
		resp, _ := h.post(owner, "/login", url.Values{"username": {"xq.principal"}, "password": {testPassword}, "next": {"/s/xq/"}})
		took := time.Since(start)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/s/xq/" {
			t.Fatalf("the owner after 35 failures from other addresses: %d %s, want signed in", resp.StatusCode, resp.Header.Get("Location"))
		}
		if took < 16*h.srv.loginDelay {
			t.Errorf("sign-in of an account under attack took %v, want it slowed down to at least %v", took, 16*h.srv.loginDelay)
		}
		// The API's token is guarded alike.
		resp, body := h.do(owner, "POST", "/api/v1/auth/token", "application/json",
			strings.NewReader(`{"username":"xq.principal","password":"`+testPassword+`"}`), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the owner's API token: %d %s", resp.StatusCode, body)
		}
		// An unsafe next= after sign-in goes home instead.
		resp, _ = h.post(h.clientFrom("127.0.0.9"), "/login", url.Values{"username": {"xq.clerk"}, "password": {testPassword}, "next": {"/\t/other.host"}})
		if loc := resp.Header.Get("Location"); loc != "/work" {
			t.Fatalf("sign-in with next=/\\t/other.host went to %q, want /work", loc)
		}
	})
}

func TestLoginSlowdown(t *testing.T) {
	base := 250 * time.Millisecond
	for _, tc := range []struct {
		level float64
		want  time.Duration
	}{{10, 0}, {1, 0}, {0.5, base}, {0, base}, {-1, 2 * base}, {-2, 4 * base}, {-3, 8 * base}, {-4, 16 * base}, {-40, 16 * base}} {
		if got := loginSlowdown(base, tc.level); got != tc.want {
			t.Errorf("loginSlowdown(%v) = %v, want %v", tc.level, got, tc.want)
		}
	}
}

// TestInspector_readsBureauPages: the bureau's inspector reads its required
// items, their export and the working-day calendar, without a form to
// change them, and is refused the changes.
func TestInspector_readsBureauPages(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		insp, admin := h.client("bureau.inspector"), h.client("bureau.admin")
		for _, path := range []string{"/bureau/catalogue", "/admin/calendar"} {
			resp, body := h.get(insp, path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("inspector GET %s: %d, want 200", path, resp.StatusCode)
			}
			if strings.Contains(body, `method="post" action="`+path) {
				t.Errorf("inspector's %s offers a form to change it", path)
			}
			if _, body := h.get(admin, path); !strings.Contains(body, `method="post" action="`+path) {
				t.Errorf("administrator's %s offers no form", path)
			}
		}
		if resp, _ := h.get(insp, "/bureau/catalogue.xlsx"); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != xlsxType {
			t.Fatalf("inspector's export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for path, form := range map[string]url.Values{
			"/bureau/catalogue": {"code": {"insp"}, "name": {"督查员添加"}, "category": {"other"}, "audience": {"public"}, "frequency": {"once"}},
			"/admin/calendar":   {"action": {"set"}, "date": {"2027-05-06"}, "kind": {"holiday"}, "name": {"督查员"}},
		} {
			if resp, _ := h.post(insp, path, form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("inspector POST %s: %d, want 403", path, resp.StatusCode)
			}
		}
		if _, body := h.get(admin, "/bureau/catalogue"); strings.Contains(body, "督查员添加") {
			t.Error("the inspector's item was saved")
		}
	})
}
