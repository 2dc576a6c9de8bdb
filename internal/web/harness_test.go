package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/calendar"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// harness is a running server on a real database with a bureau, two schools
// ("xq" and "other"), one user per role in each school, two bureau users and
// items in every audience and several states in the first school.
type harness struct {
	t      testing.TB
	db     *store.DB
	srv    *Server
	ts     *httptest.Server
	bureau *gongkai.Bureau
	school *gongkai.School // slug "xq"
	other  *gongkai.School // slug "other"
	// users by name: "xq.<role>", "other.<role>", "bureau.admin",
	// "bureau.inspector", "nobody" (signed in, no school).
	users map[string]*gongkai.User
	// published holds one published item per audience in school xq.
	published map[gongkai.Audience]*gongkai.Disclosure
	draft     *gongkai.Disclosure // a draft in xq
	submitted *gongkai.Disclosure // an item waiting for review in xq
	otherItem *gongkai.Disclosure // a published public item of the other school
	// attached is a published public item with one file; set by attachPublic.
	attached   *gongkai.Disclosure
	attachment *gongkai.Attachment
}

// testPassword is the password of every harness user.
const testPassword = "correct horse battery"

// eachHarness runs fn on a fresh harness per database.
func eachHarness(t *testing.T, fn func(t *testing.T, h *harness)) {
	testdb.Each(t, func(t *testing.T, dsn string) { fn(t, newHarness(t, dsn)) })
}

func newHarness(tb testing.TB, dsn string) *harness {
	tb.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, dsn, log)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	days, years := calendar.Seed()
	if err := db.SeedCalendar(ctx, "CN", days, years); err != nil {
		tb.Fatal(err)
	}
	blobs, err := files.NewDisk(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := New(Config{Witness: harnessWitness(tb, db)}, db, blobs, log)
	if err != nil {
		tb.Fatal(err)
	}
	h := &harness{t: tb, db: db, srv: srv, users: map[string]*gongkai.User{}, published: map[gongkai.Audience]*gongkai.Disclosure{}}
	h.bureau = &gongkai.Bureau{Name: "青禾县教育局"}
	must(tb, db.CreateBureau(ctx, h.bureau))
	h.school = &gongkai.School{BureauID: h.bureau.ID, Slug: "xq", Name: "祥谦小学", FullName: "青禾县祥谦小学", Code: "3501210001", Phone: "0591-5550023"}
	must(tb, db.CreateSchool(ctx, h.school, []string{"办公室", "财务室"}))
	h.other = &gongkai.School{BureauID: h.bureau.ID, Slug: "other", Name: "开物小学", Code: "3501210002"}
	must(tb, db.CreateSchool(ctx, h.other, []string{"办公室"}))
	hash, err := auth.HashPassword(testPassword)
	must(tb, err)
	for _, s := range []*gongkai.School{h.school, h.other} {
		for _, r := range gongkai.SchoolRoles {
			name := s.Slug + "." + string(r)
			u := &gongkai.User{Username: name, DisplayName: r.Label() + "·" + s.Name}
			must(tb, db.CreateMember(ctx, s.ID, u, hash, []gongkai.Role{r}, 0))
			h.users[name] = u
		}
	}
	for _, r := range gongkai.BureauRoles {
		name := "bureau." + map[gongkai.Role]string{gongkai.RoleBureauAdmin: "admin", gongkai.RoleInspector: "inspector"}[r]
		u := &gongkai.User{Username: name, DisplayName: r.Label(), BureauID: h.bureau.ID, BureauRole: r}
		must(tb, db.CreateUser(ctx, u, hash))
		h.users[name] = u
	}
	nobody := &gongkai.User{Username: "nobody", DisplayName: "无名"}
	must(tb, db.CreateUser(ctx, nobody, hash))
	h.users["nobody"] = nobody

	for _, aud := range gongkai.Audiences {
		h.published[aud] = h.publishItem(h.school, "公示："+aud.Label()+"事项", aud)
	}
	h.otherItem = h.publishItem(h.other, "开物小学财务公示", gongkai.AudiencePublic)
	h.draft = h.newDraft(h.school, "草稿：采购计划")
	h.submitted = h.newDraft(h.school, "待审议：收费标准")
	h.act(h.school, h.submitted.ID, "clerk", gongkai.ActionSubmit, "")

	h.ts = httptest.NewServer(srv)
	tb.Cleanup(h.ts.Close)
	return h
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// actor loads a harness user as an actor.
func (h *harness) actor(name string) *gongkai.Actor {
	h.t.Helper()
	a, err := h.db.LoadActor(context.Background(), h.users[name].ID)
	must(h.t, err)
	return a
}

func (h *harness) newDraft(s *gongkai.School, title string) *gongkai.Disclosure {
	h.t.Helper()
	d := &gongkai.Disclosure{Title: title, Body: title + "：具体内容如下。", Category: "finance", Audience: gongkai.AudiencePublic, PublicityDays: 5}
	must(h.t, h.db.CreateDisclosure(context.Background(), s.ID, h.actor(s.Slug+".clerk"), d))
	return d
}

func (h *harness) act(s *gongkai.School, id int64, role string, a gongkai.Action, comment string) *gongkai.Disclosure {
	h.t.Helper()
	d, err := h.db.Act(context.Background(), s.ID, id, h.actor(s.Slug+"."+role), a, comment, nil)
	must(h.t, err)
	return d
}

func (h *harness) publishItem(s *gongkai.School, title string, aud gongkai.Audience) *gongkai.Disclosure {
	h.t.Helper()
	d := h.newDraft(s, title)
	if aud != gongkai.AudiencePublic {
		d.Audience = aud
		_, err := h.db.UpdateDraft(context.Background(), s.ID, d.ID, h.actor(s.Slug+".clerk"), d)
		must(h.t, err)
	}
	h.act(s, d.ID, "clerk", gongkai.ActionSubmit, "")
	h.act(s, d.ID, "principal", gongkai.ActionApprove, "")
	h.act(s, d.ID, "supervisor", gongkai.ActionCheck, "")
	return h.act(s, d.ID, "clerk", gongkai.ActionPublish, "")
}

// client returns an HTTP client signed in as the named user ("" for an
// anonymous reader). It does not follow redirects, so tests see them.
func (h *harness) client(name string) *http.Client {
	h.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if name != "" {
		u := h.users[name]
		if u == nil {
			h.t.Fatalf("no harness user %q", name)
		}
		token, hash := auth.NewToken()
		must(h.t, h.db.CreateSession(context.Background(), hash, u.ID, "web", time.Hour))
		base, _ := url.Parse(h.ts.URL)
		jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
	}
	return c
}

// apiToken returns a bearer token for the named user.
func (h *harness) apiToken(name string) string {
	h.t.Helper()
	token, hash := auth.NewToken()
	must(h.t, h.db.CreateSession(context.Background(), hash, h.users[name].ID, "api", time.Hour))
	return token
}

// get fetches path and returns the response with its body read.
func (h *harness) get(c *http.Client, path string) (*http.Response, string) {
	h.t.Helper()
	resp, err := c.Get(h.ts.URL + path)
	must(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(h.t, err)
	return resp, string(b)
}

// post sends a form and returns the response with its body read.
func (h *harness) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	h.t.Helper()
	resp, err := c.PostForm(h.ts.URL+path, form)
	must(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(h.t, err)
	return resp, string(b)
}

// do sends a request with a body and content type.
func (h *harness) do(c *http.Client, method, path, ctype string, body io.Reader, header http.Header) (*http.Response, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.ts.URL+path, body)
	must(h.t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	must(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(h.t, err)
	return resp, string(b)
}

func TestHarness_loginPageAndHealth(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		resp, body := h.get(h.client(""), "/healthz")
		if resp.StatusCode != 200 || !strings.Contains(body, "ok") {
			t.Fatalf("healthz: %d %q", resp.StatusCode, body)
		}
		resp, body = h.get(h.client(""), "/login")
		if resp.StatusCode != 200 || !strings.Contains(body, `name="password"`) {
			t.Fatalf("login page: %d", resp.StatusCode)
		}
		// A wrong password keeps the name typed and says why, in Chinese.
		resp, body = h.post(h.client(""), "/login", url.Values{"username": {"xq.clerk"}, "password": {"wrong password"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码不正确") || !strings.Contains(body, `value="xq.clerk"`) {
			t.Fatalf("bad login: %d", resp.StatusCode)
		}
		c := h.client("")
		jar, _ := cookiejar.New(nil)
		c.Jar = jar
		resp, _ = h.post(c, "/login", url.Values{"username": {"xq.clerk"}, "password": {testPassword}, "next": {"/s/xq/"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/s/xq/" {
			t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		ck := resp.Cookies()
		if len(ck) == 0 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v", ck)
		}
		// A cross-site form post is refused.
		resp, _ = h.do(c, "POST", "/logout", "application/x-www-form-urlencoded", strings.NewReader(""), http.Header{"Sec-Fetch-Site": {"cross-site"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site post: %d", resp.StatusCode)
		}
		// Metrics are on their own listener (TestRun_metricsListener).
		resp, body = h.get(h.client(""), "/metrics")
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "gongkai_http_requests_total") {
			t.Fatalf("metrics on the public listener: %d, want 404", resp.StatusCode)
		}
		rec := httptest.NewRecorder()
		h.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `gongkai_http_requests_total{route="GET /login"`) {
			t.Fatalf("metrics handler: %d", rec.Code)
		}
	})
}

func TestHarness_loginRateLimited(t *testing.T) {
	h := newHarness(t, testdb.New(t, "sqlite"))
	var last int
	for i := 0; i < 8; i++ {
		resp, _ := h.post(h.client(""), "/login", url.Values{"username": {"xq.principal"}, "password": {"guess " + string(rune('a'+i))}})
		last = resp.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("8th quick wrong login: %d, want 429", last)
	}
}
