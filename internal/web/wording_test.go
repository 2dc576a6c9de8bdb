package web

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gongkai/internal/auth"
	"gongkai/internal/calendar"
	"gongkai/internal/demo"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// demoSite is the demo county loaded into a fresh database and served as
// `gongkai serve --demo` serves it.
type demoSite struct {
	db    *store.DB
	blobs files.Store
	log   *slog.Logger
	ts    *httptest.Server
}

func newDemoSite(t *testing.T, dsn string) *demoSite {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, dsn, log)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	days, years := calendar.Seed()
	must(t, db.SeedCalendar(ctx, "CN", days, years))
	blobs, err := files.NewDisk(t.TempDir())
	must(t, err)
	must(t, demo.Load(ctx, db, blobs, time.Now()))
	d := &demoSite{db: db, blobs: blobs, log: log}
	d.ts = d.serve(t, demoConfig())
	return d
}

// demoConfig is the configuration `gongkai serve --demo` gives the server.
func demoConfig() Config {
	cfg := Config{Demo: true}
	for _, a := range demo.Accounts() {
		cfg.DemoAccounts = append(cfg.DemoAccounts, DemoAccount{Group: a.Group, Username: a.Username, Roles: a.Roles, Department: a.Department})
	}
	return cfg
}

// serve starts another server on the site's database.
func (d *demoSite) serve(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	srv, err := New(cfg, d.db, d.blobs, d.log)
	must(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// client is signed in as the demo user ("" for an anonymous reader); it
// does not follow redirects.
func (d *demoSite) client(t *testing.T, username string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if username != "" {
		u, _, err := d.db.FindUserForLogin(context.Background(), username)
		must(t, err)
		token, hash := auth.NewToken()
		must(t, d.db.CreateSession(context.Background(), hash, u.ID, "web", time.Hour))
		base, _ := url.Parse(d.ts.URL)
		jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
	}
	return c
}

// oldWording is what the pages must no longer say (UI.md, "One wording"),
// each with what they say instead. A finding is a match that the allowed
// form, when there is one, does not match whole.
var oldWording = []struct {
	old     *regexp.Regexp
	allowed *regexp.Regexp
	say     string
}{
	{regexp.MustCompile(`(剩余|还剩|剩下|尚余|还有)[ \t]*\d+[ \t]*个?(工作日|天|日)`), regexp.MustCompile(`^剩余 \d+ 个工作日$`), "剩余 N 个工作日"},
	{regexp.MustCompile(`(已逾期|逾期|超期|已超期)[ \t]*\d+[ \t]*个?(工作日|天|日)`), regexp.MustCompile(`^逾期 \d+ 个工作日$`), "逾期 N 个工作日"},
	{regexp.MustCompile(`\d+[ \t]*个?(工作日|天)后?到期`), nil, "剩余 N 个工作日"},
	{regexp.MustCompile(`\d{4}年0\d月|月0\d日|\d{4}/\d{1,2}/\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2}`), nil, "2026年3月3日 in prose, 2026-03-03 in lists"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d[ \t]*(前|后|以前|之前|以后|之后)|(应于|请于|须于|将于)[ \t]*\d{4}-\d\d-\d\d`), nil, "2026年3月3日 in prose"},
	{regexp.MustCompile(`\S[ \t\x{3000}\x{a0}]+[，。；：！？、）》」』”]`), nil, "no space before Chinese punctuation"},
	{regexp.MustCompile(`[\d日月] +(前|后)`), nil, "no space before 前 and 后"},
	{regexp.MustCompile(`不予以公开|不宜公开|拒绝公开|不同意公开|(决定|依法|一律)不公开`), nil, "不予公开"},
	{regexp.MustCompile(`全局|本局所有学校|本局各校|全区|全市`), nil, "全县"},
}

// oneCountdown is the one wording of a deadline, which the demo's pages
// must show somewhere for the test to mean anything.
var oneCountdown = []*regexp.Regexp{regexp.MustCompile(`剩余 \d+ 个工作日`), regexp.MustCompile(`逾期 \d+ 个工作日`)}

// isoDateCell is a table cell that holds a date in the prose form: lists and
// tables write 2026-03-03.
var isoDateCell = regexp.MustCompile(`<td[^>]*>\s*(<time[^>]*>)?\s*\d{4}年\d{1,2}月\d{1,2}日\s*(</time>)?\s*</td>`)

var (
	scriptOrStyle = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>`)
	blockTag      = regexp.MustCompile(`(?i)</?(p|div|li|ul|ol|td|th|tr|table|h[1-6]|br|dt|dd|dl|option|section|header|footer|nav|main|form|label|summary|details|article|aside|caption|figcaption|button|textarea|select)\b[^>]*>`)
	anyTag        = regexp.MustCompile(`<[^>]*>`)
	hrefPath      = regexp.MustCompile(`href="(/[^"#]*)`)
)

// pageText is what a reader sees of the page: its text, block by block.
func pageText(page string) string {
	s := scriptOrStyle.ReplaceAllString(page, "")
	s = blockTag.ReplaceAllString(s, "\n")
	s = anyTag.ReplaceAllString(s, "")
	return html.UnescapeString(s)
}

// wordingFindings lists the old forms on a page.
func wordingFindings(page string) []string {
	var out []string
	text := pageText(page)
	for _, w := range oldWording {
		for _, loc := range w.old.FindAllStringIndex(text, -1) {
			if m := text[loc[0]:loc[1]]; w.allowed == nil || !w.allowed.MatchString(m) {
				out = append(out, fmt.Sprintf("%q in “%s” (say %s)", m, around(text, loc), w.say))
			}
		}
	}
	for _, m := range isoDateCell.FindAllString(page, -1) {
		out = append(out, fmt.Sprintf("%q (a table says 2026-03-03)", m))
	}
	return out
}

// around is the text of a finding with a few words either side, on one line.
func around(text string, loc []int) string {
	from, to := max(0, loc[0]-24), min(len(text), loc[1]+24)
	for from > 0 && !utf8.RuneStart(text[from]) {
		from--
	}
	for to < len(text) && !utf8.RuneStart(text[to]) {
		to++
	}
	return strings.Join(strings.Fields(text[from:to]), " ")
}

func TestWordingFindings(t *testing.T) {
	for _, tc := range []struct {
		page string
		bad  bool
	}{
		{`<p>剩余 3 个工作日</p>`, false},
		{`<p>逾期 2 个工作日</p>`, false},
		{`<p>今日到期</p>`, false},
		{`<p>还剩3天</p>`, true},
		{`<p>剩余3个工作日</p>`, true},
		{`<p>已逾期 2 天</p>`, true},
		{`<p>逾期 2 天</p>`, true},
		{`<p>3 天后到期</p>`, true},
		{`<p>请于 2026-03-07 前反映</p>`, true},
		{`<p>请于 2026年3月7日前反映</p>`, false},
		{`<p>请于 2026年3月7日 前反映</p>`, true},
		{`<p>2026年03月07日</p>`, true},
		{`<p>2026/3/7</p>`, true},
		{`<p>公示期 5 个工作日（<span>3</span> ）</p>`, true},
		{`<p>经办人 ，请</p>`, true},
		{`<p>经办人，请</p>`, false},
		{`<td>2026-03-07</td>`, false},
		{`<td><time datetime="2026-03-07">2026年3月7日</time></td>`, true},
		{`<p>依法不公开</p>`, true},
		{`<p>学校决定不予公开</p>`, false},
		{`<h1>全局督办通知</h1>`, true},
		{`<h1>全县督办通知</h1>`, false},
		{`<p>2026-03-07 <a href="/x">查看</a></p>`, false},
	} {
		if got := wordingFindings(tc.page); (len(got) > 0) != tc.bad {
			t.Errorf("%s: findings %q, want some: %v", tc.page, got, tc.bad)
		}
	}
}

// demoReaders are the demo's readers whose pages the wording test opens:
// an anonymous parent, a school's people in every role and the bureau.
var demoReaders = []string{"", "xiangqian.parent", "xiangqian.teacher", "xiangqian.rep", "xiangqian.clerk", "xiangqian.leader",
	"xiangqian.supervisor", "xiangqian.principal", "bureau.admin", "bureau.inspector"}

// pageShape is a path with the school and the numbers taken out, so that
// the crawl opens one page of each kind per reader, not every item of the
// demo: it runs under -race in make test.
var (
	schoolPart = regexp.MustCompile(`^/s/[a-z0-9-]+/`)
	numberPart = regexp.MustCompile(`\d+`)
)

func pageShape(path string) string {
	return numberPart.ReplaceAllString(schoolPart.ReplaceAllString(path, "/s/S/"), "N")
}

// crawlRoots are where the crawl starts: the home pages and every page of
// the menus, so that a page several links deep is still reached.
var crawlRoots = []string{"/", "/work", "/login", "/lookup", "/join", "/notifications", "/account",
	"/s/xiangqian/", "/s/xiangqian/catalogue", "/s/xiangqian/qa", "/s/xiangqian/feedback/new", "/s/xiangqian/internal/",
	"/s/xiangqian/manage/", "/s/xiangqian/manage/new", "/s/xiangqian/obligations", "/s/xiangqian/orders", "/s/xiangqian/surveys",
	"/s/xiangqian/inspection", "/s/xiangqian/report", "/s/xiangqian/cases", "/s/xiangqian/manage/members",
	"/s/xiangqian/manage/invitations", "/s/xiangqian/manage/staff-invitations", "/s/xiangqian/manage/catalogue",
	"/s/xiangqian/manage/feedback", "/s/xiangqian/manage/log", "/s/xiangqian/manage/profile",
	"/bureau/", "/bureau/catalogue", "/bureau/schools", "/bureau/settings", "/bureau/log", "/bureau/orders", "/bureau/orders/new",
	"/bureau/inspections", "/bureau/cases", "/admin/calendar"}

// crawlSkips are the links the crawl does not follow: files, the API, and
// what is not a page.
var crawlSkips = regexp.MustCompile(`^/(static|api|logout|prefs|favicon)|\.(xlsx|csv|pdf|png|svg|zip|json|txt|ics)(\?|$)|/files?/|/download|/qr|/export`)

// TestWording_demoPages opens the demo's pages as each kind of reader,
// following their links from the home pages, and finds none of the old
// forms of the one wording (UI.md).
func TestWording_demoPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		d := newDemoSite(t, dsn)
		found := map[string][]string{} // finding → pages
		said := map[string]bool{}      // the countdowns met, in their one wording
		opened := 0
		for _, reader := range demoReaders {
			c := d.client(t, reader)
			queue := append([]string{}, crawlRoots...)
			seen, shapes := map[string]bool{}, map[string]int{}
			for len(queue) > 0 && len(seen) < 300 {
				path := queue[0]
				queue = queue[1:]
				if seen[path] || crawlSkips.MatchString(path) || shapes[pageShape(path)] >= 1 {
					continue
				}
				seen[path] = true
				shapes[pageShape(path)]++
				resp, err := c.Get(d.ts.URL + path)
				must(t, err)
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				must(t, err)
				if resp.StatusCode == http.StatusInternalServerError {
					t.Errorf("%s as %q: 500", path, reader)
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					continue
				}
				opened++
				page := string(b)
				for _, f := range oneCountdown {
					if f.MatchString(pageText(page)) {
						said[f.String()] = true
					}
				}
				for _, f := range wordingFindings(page) {
					found[f] = append(found[f], path)
				}
				for _, m := range hrefPath.FindAllStringSubmatch(page, -1) {
					queue = append(queue, html.UnescapeString(m[1]))
				}
			}
		}
		if opened < 300 {
			t.Fatalf("opened only %d pages of the demo", opened)
		}
		for _, f := range oneCountdown {
			if !said[f.String()] {
				t.Errorf("no page of the demo says %s: the crawl misses the pages with deadlines", f)
			}
		}
		var keys []string
		for f := range found {
			keys = append(keys, f)
		}
		sort.Strings(keys)
		for _, f := range keys {
			pages := found[f]
			if len(pages) > 3 {
				pages = append(pages[:3], fmt.Sprintf("and %d more", len(found[f])-3))
			}
			t.Errorf("%s on %s", f, strings.Join(pages, ", "))
		}
		t.Logf("opened %d pages", opened)
	})
}

// TestLogin_demoAccounts: the login page of a demo lists every demo account
// under its bureau or school; the same database served without the demo
// lists none.
func TestLogin_demoAccounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		d := newDemoSite(t, dsn)
		get := func(ts *httptest.Server) string {
			resp, err := http.Get(ts.URL + "/login")
			must(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("login page: %d", resp.StatusCode)
			}
			return string(b)
		}
		page := get(d.ts)
		accounts := demo.Accounts()
		if len(accounts) < 40 {
			t.Fatalf("demo.Accounts has %d accounts", len(accounts))
		}
		for _, a := range accounts {
			if _, _, err := d.db.FindUserForLogin(context.Background(), a.Username); err != nil {
				t.Errorf("the demo has no user %s: %v", a.Username, err)
			}
			if !strings.Contains(page, "<code>"+a.Username+"</code>") {
				t.Errorf("the demo's login page does not list %s", a.Username)
			}
		}
		for _, s := range append([]string{demo.Bureau().Name}, schoolNames()...) {
			if !strings.Contains(page, `<summary><span lang="zh-CN">`+s+`</span></summary>`) {
				t.Errorf("the demo's login page has no list for %s", s)
			}
		}
		plain := get(d.serve(t, Config{}))
		if strings.Contains(plain, "演示账号") || strings.Contains(plain, "<code>xiangqian.") || strings.Contains(plain, "bureau.admin") {
			t.Error("a server without the demo lists demo accounts on its login page")
		}
	})
}

func schoolNames() []string {
	var out []string
	for _, s := range demo.Schools() {
		out = append(out, s.Name)
	}
	return out
}
