package web

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/calendar"
	"gongkai/internal/files"
	"gongkai/internal/sheet"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// lockedBuffer collects the server's log for a test to read.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// emptyServer is a running server on a database with nothing in it, its
// log (every level) kept in logged.
type emptyServer struct {
	t      *testing.T
	db     *store.DB
	ts     *httptest.Server
	logged *lockedBuffer
}

func newEmptyServer(t *testing.T, dsn string) *emptyServer {
	t.Helper()
	ctx := context.Background()
	logged := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db, err := store.Open(ctx, dsn, log)
	must(t, err)
	t.Cleanup(func() { db.Close() })
	days, years := calendar.Seed()
	must(t, db.SeedCalendar(ctx, "CN", days, years))
	blobs, err := files.NewDisk(t.TempDir())
	must(t, err)
	srv, err := New(Config{}, db, blobs, log)
	must(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &emptyServer{t: t, db: db, ts: ts, logged: logged}
}

// client is a cookie-keeping client that does not follow redirects.
func (e *emptyServer) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *emptyServer) get(c *http.Client, path string) (int, string) {
	e.t.Helper()
	resp, err := c.Get(e.ts.URL + path)
	must(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *emptyServer) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	resp, err := c.PostForm(e.ts.URL+path, form)
	must(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// setupLink keeps a new setup link, as a start of gongkai serve does, and
// returns its token.
func (e *emptyServer) setupLink() string {
	e.t.Helper()
	token, hash := auth.NewToken()
	ok, err := e.db.CreateSetupToken(context.Background(), hash)
	must(e.t, err)
	if !ok {
		e.t.Fatal("no setup link was kept")
	}
	return token
}

func setupForm() url.Values {
	return url.Values{
		"name": {"青禾县教育局"}, "division_code": {"350121"}, "address": {"青禾县城关镇解放路 1 号"}, "phone": {"0591-22345678"},
		"sponsor": {"青禾县人民政府"}, "icp": {"闽ICP备12345678号-1"}, "psb": {"闽公网安备 35012102000123号"},
		"username": {"qh.admin"}, "display_name": {"林晓"}, "password": {"a long enough password"}, "password2": {"a long enough password"},
	}
}

// A county is set up from an empty database through the setup page: the
// home page says how, the link shows the wizard, mistakes are named, the
// setup signs the administrator in, and afterwards no link works and the
// footer shows the bureau.
func TestSetup_page(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		e := newEmptyServer(t, dsn)
		anon := e.client()
		if status, body := e.get(anon, "/"); status != 200 || !strings.Contains(body, "本平台尚未完成初始设置") || !strings.Contains(body, "gongkai setup --bureau") {
			t.Fatalf("home page of an empty database: %d\n%s", status, body)
		}
		first, second := e.setupLink(), e.setupLink()
		guess, _ := auth.NewToken()
		for _, p := range []string{"/setup/" + guess, "/setup/short", "/setup/" + strings.Repeat("A", 43)} {
			if status, body := e.get(anon, p); status != 404 || !strings.Contains(body, "页面不存在或您无权查看") || strings.Contains(body, "设置向导") {
				t.Errorf("GET %s: %d, want the calm 404", p, status)
			}
		}
		status, body := e.get(anon, "/setup/"+second)
		if status != 200 || !strings.Contains(body, "设置向导") || !strings.Contains(body, `name="division_code"`) || !strings.Contains(body, `name="password2"`) {
			t.Fatalf("setup page: %d\n%s", status, body)
		}
		// The username hint names what the rule accepts: a dot too, as in
		// the README's qh.admin.
		if !strings.Contains(body, "小写字母、数字、点或横线") {
			t.Error("the setup page's username hint does not say that dots and dashes are allowed")
		}

		// Mistakes are named in Chinese, every one at once, and what was
		// typed stays.
		bad := setupForm()
		bad.Set("division_code", "35012")
		bad.Set("phone", "0591-ABCDEFG")
		bad.Set("password2", "another long password")
		resp, body := e.post(anon, "/setup/"+second, bad)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "行政区划代码须为 6 位数字") ||
			!strings.Contains(body, "监督举报电话只能包含数字") || !strings.Contains(body, "两次输入的密码不一致") || !strings.Contains(body, `value="青禾县人民政府"`) {
			t.Fatalf("bad setup: %d\n%s", resp.StatusCode, body)
		}
		if has, _ := e.db.HasBureau(context.Background()); has {
			t.Fatal("a bad setup made a bureau")
		}

		c := e.client()
		resp, _ = e.post(c, "/setup/"+second, setupForm())
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/bureau/" {
			t.Fatalf("setup: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		status, body = e.get(c, "/bureau/")
		if status != 200 || !strings.Contains(body, "初始设置已完成") || !strings.Contains(body, "新建本县的学校") || !strings.Contains(body, "林晓") {
			t.Fatalf("the bureau's page after setup: %d\n%s", status, body)
		}
		// Signed in as the new administrator, who may edit the bureau.
		if status, _ := e.get(c, "/bureau/settings"); status != 200 {
			t.Fatalf("settings after setup: %d", status)
		}

		// Once set up, every link, used or never kept, gets the same 404,
		// which says so and offers the sign-in.
		var pages []string
		for _, tok := range []string{first, second, guess} {
			status, body := e.get(anon, "/setup/"+tok)
			if status != 404 || !strings.Contains(body, "已完成初始设置") || !strings.Contains(body, `href="/login"`) {
				t.Errorf("link after setup: %d\n%s", status, body)
			}
			pages = append(pages, strings.ReplaceAll(body, tok, ""))
		}
		if pages[0] != pages[1] || pages[1] != pages[2] {
			t.Error("a used link and a guessed one answer differently")
		}
		resp, _ = e.post(e.client(), "/setup/"+first, setupForm())
		if resp.StatusCode != 404 {
			t.Errorf("second setup: %d, want 404", resp.StatusCode)
		}
		if bs, _ := e.db.FindBureaus(context.Background()); len(bs) != 1 {
			t.Errorf("%d bureaus after a second setup", len(bs))
		}

		// The home page's footer shows the only bureau's particulars.
		status, body = e.get(anon, "/")
		if status != 200 || strings.Contains(body, "尚未完成初始设置") {
			t.Fatalf("home after setup: %d", status)
		}
		footer := body[strings.Index(body, `<footer`):]
		for _, want := range []string{"青禾县教育局", "青禾县城关镇解放路 1 号", "0591-22345678", "主办单位：<span lang=\"zh-CN\">青禾县人民政府", `href="https://beian.miit.gov.cn/"`, "闽ICP备12345678号-1", "闽公网安备 35012102000123号"} {
			if !strings.Contains(footer, want) {
				t.Errorf("home footer lacks %q:\n%s", want, footer)
			}
		}
		// The setup is in the admin log.
		status, body = e.get(c, "/bureau/log")
		if status != 200 || !strings.Contains(body, "初始化设置") || !strings.Contains(body, "行政区划代码：350121") {
			t.Errorf("admin log after setup: %d\n%s", status, body)
		}
		// No token went to the log, whatever the answer was.
		for _, tok := range []string{first, second, guess} {
			if strings.Contains(e.logged.String(), tok) {
				t.Errorf("a setup token was logged:\n%s", e.logged.String())
			}
		}
		if !strings.Contains(e.logged.String(), `/setup/…`) {
			t.Errorf("the setup requests were not logged at all:\n%s", e.logged.String())
		}
	})
}

// Guessing setup links is slowed down like guessing passwords.
func TestSetup_guessesLimited(t *testing.T) {
	e := newEmptyServer(t, testdb.New(t, "sqlite"))
	var last int
	for range 25 {
		guess, _ := auth.NewToken()
		last, _ = e.get(e.client(), "/setup/"+guess)
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("25th quick guess: %d, want 429", last)
	}
}

// The bureau's administrator edits its particulars; the change shows at
// once in the footer of the schools' cached public pages and in the admin
// log; inspectors may not edit them.
func TestBureauSettings(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		anon := h.client("")
		// The board is cached for anonymous readers before the change.
		if resp, body := h.get(anon, "/s/xq/"); resp.StatusCode != 200 || strings.Contains(body, "0591-87654321") || !strings.Contains(body, "主管单位") {
			t.Fatalf("board before: %d", resp.StatusCode)
		}
		if resp, _ := h.get(h.client("bureau.inspector"), "/bureau/settings"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("inspector opened the settings: %d", resp.StatusCode)
		}
		admin := h.client("bureau.admin")
		resp, body := h.get(admin, "/bureau/settings")
		if resp.StatusCode != 200 || !strings.Contains(body, `value="青禾县教育局"`) {
			t.Fatalf("settings page: %d", resp.StatusCode)
		}
		form := url.Values{"name": {"青禾县教育局"}, "division_code": {"350121"}, "phone": {"0591-8765432X"}, "address": {"青禾县解放路 1 号"}, "sponsor": {""}, "icp": {"闽ICP备12345678号"}, "psb": {""}}
		resp, body = h.post(admin, "/bureau/settings", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "监督举报电话只能包含数字") || !strings.Contains(body, `value="青禾县解放路 1 号"`) {
			t.Fatalf("bad phone: %d\n%s", resp.StatusCode, body)
		}
		form.Set("phone", "0591-87654321")
		resp, _ = h.post(admin, "/bureau/settings", form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/bureau/settings" {
			t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = h.get(anon, "/s/xq/")
		footer := body[strings.Index(body, "<footer"):]
		for _, want := range []string{"青禾县祥谦小学", "0591-5550023", "主管单位", "监督举报电话：0591-87654321", "主办单位：<span lang=\"zh-CN\">青禾县教育局", "闽ICP备12345678号"} {
			if !strings.Contains(footer, want) {
				t.Errorf("school footer after the change lacks %q:\n%s", want, footer)
			}
		}
		if strings.Contains(footer, "公安备案号") || strings.Contains(footer, "公网安备") {
			t.Errorf("an unset 公安备案号 shows:\n%s", footer)
		}
		_, body = h.get(admin, "/bureau/log")
		if !strings.Contains(body, "修改教育局信息") || !strings.Contains(body, "监督举报电话：（空） → 0591-87654321") {
			t.Errorf("admin log lacks the change:\n%s", body)
		}
	})
}

// insertAdminEntry writes an entry straight into the database, as the
// school pages' changes do in their own transactions.
func insertAdminEntry(t *testing.T, dsn string, bureauID, schoolID int64, action gongkai.AdminAction, subject string) {
	insertAdminEntries(t, dsn, bureauID, schoolID, action, subject, 1)
}

func insertAdminEntries(t *testing.T, dsn string, bureauID, schoolID int64, action gongkai.AdminAction, subject string, n int) {
	t.Helper()
	driver, src := "pgx", dsn
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, src = "sqlite", "file:"+p+"?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, src)
	must(t, err)
	defer db.Close()
	for range n {
		_, err = db.Exec(`INSERT INTO admin_log (bureau_id, school_id, actor_name, action, subject, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			bureauID, schoolID, "校长甲", string(action), subject, "角色：教职工 → 经办人", time.Now().UnixMilli())
		must(t, err)
	}
}

// The bureau reads every entry, filters and exports them; a principal reads
// only their own school's; nothing in the log is a form.
func TestAdminLog_pages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		h := newHarness(t, dsn)
		ctx := context.Background()
		hash, _ := auth.HashPassword(testPassword)
		must(t, h.db.CreateBureauUser(ctx, h.actor("bureau.admin"), &gongkai.User{Username: "new.inspector", DisplayName: "新督查员", BureauID: h.bureau.ID, BureauRole: gongkai.RoleInspector}, hash))
		insertAdminEntry(t, dsn, h.bureau.ID, h.school.ID, gongkai.AdminRolesChanged, "祥谦经办人")
		insertAdminEntry(t, dsn, h.bureau.ID, h.other.ID, gongkai.AdminRolesChanged, "开物经办人")
		insertAdminEntry(t, dsn, h.bureau.ID, h.other.ID, gongkai.AdminAction("future.kind"), "=HYPERLINK(\"x\")")

		for _, who := range []string{"bureau.admin", "bureau.inspector"} {
			resp, body := h.get(h.client(who), "/bureau/log")
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", who, resp.StatusCode)
			}
			for _, want := range []string{"新建账号", "新督查员（new.inspector）", "祥谦经办人", "开物经办人", "future.kind", "修改角色"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s's log lacks %q", who, want)
				}
			}
			if strings.Contains(body, `method="post" action="/bureau/log`) || strings.Contains(body, "<textarea") {
				t.Errorf("the admin log has a form to change it")
			}
		}
		_, body := h.get(h.client("bureau.admin"), "/bureau/log?school="+itoa64(h.school.ID))
		if !strings.Contains(body, "祥谦经办人") || strings.Contains(body, "开物经办人") || strings.Contains(body, "新督查员") {
			t.Errorf("school filter:\n%s", body)
		}
		_, body = h.get(h.client("bureau.admin"), "/bureau/log?action=user.created")
		if !strings.Contains(body, "新督查员") || strings.Contains(body, "祥谦经办人") {
			t.Errorf("kind filter:\n%s", body)
		}
		if resp, _ := h.get(h.client("bureau.admin"), "/bureau/log?school=999999"); resp.StatusCode != 404 {
			t.Errorf("another bureau's school: %d", resp.StatusCode)
		}
		for _, who := range []string{"xq.clerk", "nobody", "xq.principal"} {
			if resp, _ := h.get(h.client(who), "/bureau/log"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s opened the bureau's log: %d", who, resp.StatusCode)
			}
		}

		// The principal sees their school's entries only.
		resp, body := h.get(h.client("xq.principal"), "/s/xq/manage/log")
		if resp.StatusCode != 200 || !strings.Contains(body, "祥谦经办人") || strings.Contains(body, "开物经办人") || strings.Contains(body, "新督查员") {
			t.Errorf("principal's log: %d\n%s", resp.StatusCode, body)
		}
		if resp, _ := h.get(h.client("xq.principal"), "/s/other/manage/log"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("principal opened another school's log: %d", resp.StatusCode)
		}

		// The export holds the same entries, newest first, all as text.
		resp, body = h.get(h.client("bureau.inspector"), "/bureau/log.xlsx")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(strings.NewReader(body))
		must(t, err)
		rows, err := x.GetRows(sheet.AdminLogSheet)
		must(t, err)
		if len(rows) != 5 || strings.Join(rows[0], ",") != "时间,操作人,学校,操作,对象,详情" || rows[1][2] != "开物小学" || rows[1][4] != `=HYPERLINK("x")` || rows[4][3] != "新建账号" {
			t.Fatalf("export rows: %q", rows)
		}
		if f, _ := x.GetCellFormula(sheet.AdminLogSheet, "E2"); f != "" {
			t.Errorf("a subject became a formula: %q", f)
		}

		// 50 entries a page, newest first, with page numbers.
		insertAdminEntries(t, dsn, h.bureau.ID, h.school.ID, gongkai.AdminPasswordReset, "第二页之后", 50)
		_, body = h.get(h.client("xq.principal"), "/s/xq/manage/log")
		if n := strings.Count(body, "第二页之后"); n != 50 || strings.Contains(body, "祥谦经办人") || !strings.Contains(body, `href="/s/xq/manage/log?page=2"`) {
			t.Errorf("first page: %d of the newest, pager %v", n, strings.Contains(body, "page=2"))
		}
		_, body = h.get(h.client("xq.principal"), "/s/xq/manage/log?page=2")
		if strings.Count(body, "第二页之后") != 0 || !strings.Contains(body, "祥谦经办人") {
			t.Errorf("second page:\n%s", body)
		}
	})
}
