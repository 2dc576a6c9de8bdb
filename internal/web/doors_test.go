package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongkai"
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

// rawPost sends the head of a POST that announces length bytes, and only
// sent of them, from the loopback address ip, and returns the answer read
// within a few seconds: a server that waited for the whole body would
// give none.
func (h *harness) rawPost(t *testing.T, ip, path, ctype string, length, sent int64) (status int, body string) {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	conn, err := d.Dial("tcp", strings.TrimPrefix(h.ts.URL, "http://"))
	must(t, err)
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", path, strings.TrimPrefix(h.ts.URL, "http://"), ctype, length)
	if sent > 0 {
		conn.Write([]byte(strings.Repeat("a", int(sent))))
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("POST %s announcing %d bytes, %d sent: no answer before the body was complete: %v", path, length, sent, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestBodyLimits: a body over its route's limit is refused with a 413 page
// in Chinese before it is read, on the public's feedback form as on any
// other; and the limit per address comes before the form is read.
func TestBodyLimits(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		multi := "multipart/form-data; boundary=x"
		for _, tc := range []struct {
			path, ctype string
			length      int64
		}{
			{"/s/xq/feedback", multi, 105 << 20},           // the anonymous form with files
			{"/s/xq/feedback", multi, maxFeedbackBody + 1}, // just over
			{"/lookup/act", multi, 50 << 20},
			{"/login", "application/x-www-form-urlencoded", 2 << 20},
			{"/api/v1/schools/xq/feedback", "application/json", 2 << 20},
		} {
			status, body := h.rawPost(t, "127.0.0.1", tc.path, tc.ctype, tc.length, 64<<10)
			if status != http.StatusRequestEntityTooLarge {
				t.Errorf("POST %s of %d bytes: %d, want 413", tc.path, tc.length, status)
			}
			if !strings.Contains(body, "上限，未被接收") {
				t.Errorf("POST %s of %d bytes: the answer does not say why in Chinese:\n%.300s", tc.path, tc.length, body)
			}
		}
		// A chunked body, whose length is not announced, is cut at the limit.
		c := h.client("")
		resp, body := h.do(c, "POST", "/login", "application/x-www-form-urlencoded",
			io.MultiReader(strings.NewReader("username=xq.clerk&password="), strings.NewReader(strings.Repeat("a", 2<<20))), nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "上限，未被接收") {
			t.Errorf("a chunked 2 MB sign-in form: %d, want 413 with the reason", resp.StatusCode)
		}
		// Within the limit the form is taken as before.
		if resp, _ := h.post(h.clientFrom("127.0.0.3"), "/login", url.Values{"username": {"xq.clerk"}, "password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("an ordinary sign-in: %d", resp.StatusCode)
		}

		// The sender's limit per address is counted before the form is
		// read: once it is spent, a large form gets 429 without sending it.
		anon := h.clientFrom("127.0.0.5")
		form := url.Values{"kind": {"opinion"}, "subject": {"建议"}, "body": {"建议增加阅读时间。"}}
		var last int
		for range 12 {
			resp, _ := h.post(anon, "/s/xq/feedback", form)
			last = resp.StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("12 quick cases from one address: the last got %d, want 429", last)
		}
		if status, body := h.rawPost(t, "127.0.0.5", "/s/xq/feedback", multi, 15<<20, 1); status != http.StatusTooManyRequests || !strings.Contains(body, "过于频繁") {
			t.Errorf("a 15 MB case from the limited address, unsent: %d, want 429 before the body is read", status)
		}
	})
}

// TestInvalidUTF8_refused: text that is not UTF-8 — a form sent in GBK, a
// broken script — is refused with a message in Chinese on both databases
// (PostgreSQL would fail on it, SQLite would keep garbage), and nothing of
// it is kept; the same on the API.
func TestInvalidUTF8_refused(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		gbk := "\xbd\xa8\xd2\xe9" // 建议 in GBK
		count := func() int {
			var n int
			must(t, h.db.Pool().QueryRow(`SELECT COUNT(*) FROM feedback_cases WHERE school_id = $1`, h.school.ID).Scan(&n))
			return n
		}
		before := count()
		// The public's form, plain and with files.
		resp, body := h.post(h.clientFrom("127.0.0.7"), "/s/xq/feedback", url.Values{"kind": {"opinion"}, "subject": {gbk}, "body": {"希望增加阅读时间。"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "无法识别的字符") {
			t.Errorf("a GBK subject: %d, want 422 saying why:\n%.300s", resp.StatusCode, body)
		}
		if !strings.Contains(body, "希望增加阅读时间。") || !strings.Contains(body, "�") {
			t.Errorf("the refusal does not hand back what was typed (with the unreadable part marked):\n%s", body)
		}
		var buf strings.Builder
		mw := multipart.NewWriter(&buf)
		mw.WriteField("kind", "opinion")
		mw.WriteField("subject", "建议")
		mw.WriteField("body", "正文"+gbk)
		mw.Close()
		resp, body = h.do(h.clientFrom("127.0.0.7"), "POST", "/s/xq/feedback", mw.FormDataContentType(), strings.NewReader(buf.String()), nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "无法识别的字符") {
			t.Errorf("a GBK body in a form with files: %d, want 422 saying why", resp.StatusCode)
		}
		// The API.
		resp, body = h.do(h.clientFrom("127.0.0.7"), "POST", "/api/v1/schools/xq/feedback", "application/json",
			strings.NewReader(`{"kind":"opinion","subject":"`+gbk+`","body":"希望增加阅读时间。","anonymous":true}`), nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "无法识别的字符") {
			t.Errorf("GBK in JSON: %d, want 422 saying why: %s", resp.StatusCode, body)
		}
		if n := count(); n != before {
			t.Errorf("%d cases were kept from text that is not UTF-8", n-before)
		}
		// A staff form: the catalogue item's name.
		resp, _ = h.post(h.client("xq.principal"), "/s/xq/manage/catalogue", url.Values{"code": {"gbk"}, "name": {gbk}, "category": {"other"}, "audience": {"public"}, "frequency": {"once"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a GBK catalogue item: %d, want 422", resp.StatusCode)
		}
		var items int
		must(t, h.db.Pool().QueryRow(`SELECT COUNT(*) FROM catalogue_items WHERE school_id = $1 AND code = 'gbk'`, h.school.ID).Scan(&items))
		if items != 0 {
			t.Error("the GBK catalogue item was kept")
		}
		// Sign-in.
		resp, _ = h.post(h.clientFrom("127.0.0.8"), "/login", url.Values{"username": {"xq." + gbk}, "password": {testPassword}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a GBK username: %d, want 422", resp.StatusCode)
		}
	})
}

// TestAPIReceiptLimit: guesses of one receipt's secret through the API are
// limited per receipt, from however many addresses, as on the lookup page,
// for the lookup and the follow-up alike.
func TestAPIReceiptLimit(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		f, _, err := h.db.CreateFeedback(context.Background(), h.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindRequest, Anonymous: true,
			Subject: "公开食堂采购价格", Body: "想了解食堂采购价格。"})
		must(t, err)
		guess := func(i int, path string) int {
			body := fmt.Sprintf(`{"receipt":%q,"secret":"wrong-%d","action":"message","body":"补充"}`, f.Receipt, i)
			resp, _ := h.do(h.clientFrom(fmt.Sprintf("127.0.1.%d", i+1)), "POST", path, "application/json", strings.NewReader(body), nil)
			return resp.StatusCode
		}
		var codes []int
		for i := range 12 {
			path := "/api/v1/feedback/lookup"
			if i%2 == 1 {
				path = "/api/v1/feedback/follow-up"
			}
			codes = append(codes, guess(i, path))
		}
		if codes[0] == http.StatusTooManyRequests || codes[11] != http.StatusTooManyRequests {
			t.Fatalf("12 wrong secrets for one receipt from 12 addresses got %v, want the last ones 429", codes)
		}
		// Another receipt is not held up.
		other, _, err := h.db.CreateFeedback(context.Background(), h.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindRequest, Anonymous: true,
			Subject: "公开校服价格", Body: "想了解校服价格。"})
		must(t, err)
		resp, _ := h.do(h.clientFrom("127.0.2.1"), "POST", "/api/v1/feedback/lookup", "application/json",
			strings.NewReader(fmt.Sprintf(`{"receipt":%q,"secret":"wrong"}`, other.Receipt)), nil)
		if resp.StatusCode == http.StatusTooManyRequests {
			t.Error("another receipt is limited too")
		}
	})
}
