package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/testdb"
)

// TestAnonymity_nothingIdentifiesTheSender checks the promise of the
// feedback forms ("匿名提交时，我们不记录您的姓名、联系方式、IP 地址或设备信息")
// the only way it can be checked: by looking at everything gongkai wrote.
//
// It runs the real binary with --log-level debug, e-mail to a recording SMTP
// server and the school's webhook to a recording HTTP server, and sends
// anonymous feedback of every kind through the HTML form (multipart, with an
// attachment) and the JSON API from clients that make themselves known in
// every way a browser can: their own loopback addresses (127.0.0.77, and
// 127.0.0.78 for a signed-in parent), X-Forwarded-For, X-Real-IP and
// Forwarded naming 203.0.113.77, a User-Agent, an Accept-Language, a
// Referer and a cookie of their own, and name, phone and e-mail typed into
// the form although anonymity was chosen. One of them is signed in as
// xiangqian.parent and chooses anonymity. The senders look their cases up
// with receipt and secret and add messages (with a file), staff reply, the
// senders rate the answers; notifications, e-mail and webhooks go out.
// Then gongkai is stopped and the test greps everything it wrote — the
// SQLite files (database, -wal, -shm, before and after shutdown), every
// row of every table (SQLite or PostgreSQL), every file of the data
// directory, stdout
// and stderr, /metrics, every webhook call and every e-mail (decoded) — for
// every marker, and reads the rows of the cases: no sender id, no author id
// on the sender's messages, no name, contact or e-mail, no outbox event or
// notification that names or reaches the parent. Secrets must not be kept
// in clear either. It also checks that receipts carry at least 80 bits and
// that guessing receipt and secret is rate limited, per address and per
// receipt across addresses.
//
// It catches, as tried in throwaway copies: the User-Agent or the client
// address in the request log; the address as a label of /metrics;
// X-Forwarded-For kept with the case; an anonymous case that keeps the
// signed-in sender's id; the sender's id as author of an anonymous
// message. It cannot see an address stored only as a hash.
func TestAnonymity_nothingIdentifiesTheSender(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			start := time.Now()
			runAnonymity(t, dialect)
			t.Logf("%s: %v", dialect, time.Since(start).Round(100*time.Millisecond))
		})
	}
}

// The distinctive client. 127/8 is loopback here, so a client may bind any
// of its addresses and the server sees that address as the peer.
const (
	anonIP       = "127.0.0.77"   // the anonymous sender's address
	anonSignedIP = "127.0.0.78"   // the signed-in parent who chooses anonymity
	anonProbeIP  = "127.0.0.79"   // guesses of receipts
	anonXFF      = "203.0.113.77" // what proxies would say the client is
	anonParent   = "xiangqian.parent"
)

// anonMarkers is every value that would identify a sender.
type anonMarkers struct {
	ua, lang, referer, cookie   string
	name, contact, email        string
	rotating                    []string // addresses of the per-receipt guesses
	parentToken, parentTokenHex string   // the parent's session cookie and its stored hash
	parentName                  string   // the parent's display name, as the form pre-fills it
	secrets                     []string
}

type anonMarker struct{ name, value string }

// global are the markers that may appear nowhere gongkai writes.
func (m *anonMarkers) global() []anonMarker {
	out := []anonMarker{
		{"client address", anonIP}, {"signed-in client address", anonSignedIP}, {"probing client address", anonProbeIP},
		{"X-Forwarded-For", anonXFF}, {"User-Agent", m.ua}, {"Accept-Language", m.lang}, {"Referer", m.referer},
		{"client cookie", m.cookie}, {"typed name", m.name}, {"typed contact", m.contact}, {"typed e-mail", m.email},
		{"parent's session token", m.parentToken},
	}
	for _, ip := range m.rotating {
		out = append(out, anonMarker{"guessing client address", ip})
	}
	for _, s := range m.secrets {
		out = append(out, anonMarker{"secret in clear", s}, anonMarker{"secret in clear", strings.ReplaceAll(s, "-", "")})
	}
	return out
}

// identity are the markers of the signed-in parent: they are legitimately
// in the users and sessions tables (and in the demo's named cases), so in
// the database they are looked for in the rows of the test's cases; in
// logs, metrics, webhooks and e-mail nowhere.
func (m *anonMarkers) identity() []anonMarker {
	out := []anonMarker{{"parent's username", anonParent}, {"parent's session hash", m.parentTokenHex}}
	if m.parentName != "" {
		out = append(out, anonMarker{"parent's display name", m.parentName})
	}
	return out
}

// anonCase is one case the test sent.
type anonCase struct {
	label           string // e.g. "HTML objection"
	kind            string
	html            bool // sent through the form (else the API)
	signedIn        bool
	receipt, secret string
	id              int64
	rated           bool
}

func runAnonymity(t *testing.T, dialect string) {
	ctx := context.Background()
	tag := anonRandom(6)
	mk := &anonMarkers{
		ua:      "Mozilla/5.0 (Linux; Android 14) GK-UA-MARKER-" + tag + " MicroMessenger/8.0",
		lang:    "zh-CN,zh;q=0.9,x-gklang" + tag + ";q=0.1",
		referer: "https://gk-referer-marker-" + tag + ".example/wechat-group",
		cookie:  "GK-COOKIE-MARKER-" + tag,
		name:    "GKNAME" + tag,
		contact: "GK-CONTACT-" + tag,
		email:   "gk-email-" + tag + "@example.org",
	}
	for i := range 12 {
		mk.rotating = append(mk.rotating, fmt.Sprintf("127.0.0.%d", 201+i))
	}

	hooks := startWebhookRecorder(t)
	smtp := startSMTPRecorder(t)
	dsn := testdb.New(t, dialect)
	data := t.TempDir()
	logs := t.TempDir()
	srv := anonLaunch(t, dsn, data, logs, "--smtp", "smtp://"+smtp.addr+"?starttls=none", "--mail-from", "noreply@xiangqian.example.org",
		"--base-url", "http://gongkai.example.org")
	testStart := time.Now().Add(-time.Second).UnixMilli()

	// The client address really is what the server sees: the webhook
	// recorder answers with the peer it saw.
	if got := newAnonClient(t, srv.URL, anonIP, mk).peerSeenBy(hooks.URL); got != anonIP {
		t.Fatalf("a client bound to %s is seen as %q; the marker address would prove nothing", anonIP, got)
	}

	// The school sends its cases to a webhook and announces new ones by
	// e-mail: set through the principal's settings page.
	staff := newStaffClient(t, srv.URL)
	principalWeb := staff.login("xiangqian.principal")
	notifyAddr := "feedback-inbox@xiangqian.example.org"
	res := staff.post(principalWeb, "/s/xiangqian/manage/feedback", url.Values{
		"days_objection": {"5"}, "days_opinion": {"5"}, "days_mailbox": {"5"}, "days_report": {"15"}, "days_request": {"15"},
		"support_threshold": {"5"}, "notify_email": {notifyAddr}, "webhook_url": {hooks.URL + "/hook"}, "webhook_secret": {"hook-secret-" + tag},
	})
	if res.status != http.StatusSeeOther {
		t.Fatalf("saving the feedback settings: %d %s", res.status, anonSnippet(res.body, "error", 300))
	}
	principal, supervisor := staff.token("xiangqian.principal"), staff.token("xiangqian.supervisor")

	// The sender finds an item in its publicity period through the API.
	anon := newAnonClient(t, srv.URL, anonIP, mk)
	item := anon.itemInPeriod()
	anon.get("/s/xiangqian/")
	anon.get(fmt.Sprintf("/s/xiangqian/d/%d", item))

	var cases []*anonCase
	kinds := []string{"objection", "opinion", "mailbox", "report", "request"}
	// Through the form, with a file, and with name, phone and e-mail typed
	// in although anonymity is chosen.
	for _, kind := range kinds {
		c := &anonCase{label: "HTML " + kind, kind: kind, html: true}
		c.receipt, c.secret = anon.sendForm(kind, item, "网页"+tag, mk.name, mk.contact, mk.email)
		cases = append(cases, c)
	}
	// Through the API, the same.
	for _, kind := range kinds {
		c := &anonCase{label: "API " + kind, kind: kind}
		c.receipt, c.secret = anon.sendAPI(kind, item, "接口"+tag, mk.name, mk.contact, mk.email)
		cases = append(cases, c)
	}

	// Signed in as a parent, choosing anonymity: through the form (which
	// comes pre-filled with the account's name, as a browser would post it)
	// and through the API with the same session cookie.
	parent := newAnonClient(t, srv.URL, anonSignedIP, mk)
	mk.parentToken = parent.login(anonParent)
	mk.parentTokenHex = auth.HashToken(mk.parentToken)
	form := parent.get(fmt.Sprintf("/s/xiangqian/feedback/new?kind=objection&d=%d", item))
	if m := regexp.MustCompile(`id="fb-name"[^>]*value="([^"]*)"`).FindStringSubmatch(form.body); m != nil {
		mk.parentName = m[1]
	}
	if mk.parentName == "" {
		t.Fatalf("the objection form does not pre-fill the signed-in parent's name; the test needs it as a marker")
	}
	{
		c := &anonCase{label: "HTML objection, signed in", kind: "objection", html: true, signedIn: true}
		c.receipt, c.secret = parent.sendForm("objection", item, "登录"+tag, mk.parentName, mk.contact, "")
		cases = append(cases, c)
		c = &anonCase{label: "API opinion, signed in", kind: "opinion", signedIn: true}
		c.receipt, c.secret = parent.sendAPI("opinion", item, "登录接口"+tag, mk.parentName, "", "")
		cases = append(cases, c)
	}
	// Requests that go wrong on the way are handled without the address
	// either: a form cut off mid-upload and a broken JSON body.
	parent.truncatedUpload("/s/xiangqian/feedback")
	if r := parent.do("POST", "/api/v1/feedback/lookup", strings.NewReader(`{"receipt": "AAAA`), "application/json"); r.status != http.StatusBadRequest {
		t.Errorf("broken JSON to the lookup: %d, want 400", r.status)
	}

	for _, c := range cases {
		mk.secrets = append(mk.secrets, c.secret)
	}

	// The senders follow their cases: look up and add a message (with a
	// file through the form).
	for _, c := range cases {
		cl := anon
		if c.signedIn {
			cl = parent
		}
		cl.lookup(c)
		cl.message(c, "补充说明："+c.label)
	}

	// Staff find each case by its receipt and reply.
	for _, c := range cases {
		tok := principal
		if c.kind == "report" {
			tok = supervisor
		}
		c.id = staff.caseID(tok, c.receipt)
		r := staff.api(tok, "POST", fmt.Sprintf("/api/v1/feedback/%d/reply", c.id), map[string]string{"comment": "已核实，答复如下：" + c.label})
		if r.status != http.StatusOK {
			t.Fatalf("reply to %s: %d %s", c.label, r.status, r.body)
		}
	}
	// The senders read the answer and rate some.
	for _, c := range cases {
		cl := anon
		if c.signedIn {
			cl = parent
		}
		switch c.label {
		case "HTML objection", "API objection", "HTML objection, signed in", "API opinion, signed in":
			cl.rate(c)
			c.rated = true
		case "API mailbox":
			if got := cl.lookup(c); !strings.Contains(got, "已核实，答复如下") {
				t.Errorf("%s: the sender does not read the reply: %s", c.label, anonSnippet(got, "messages", 300))
			}
		}
	}

	// Notifications, e-mail and webhooks go out.
	hooks.waitFor(t, cases)
	smtp.waitFor(t, notifyAddr, len(cases)-1) // every new case is announced; a report only as "a new report"
	// The parent's own pages know nothing of the cases they sent anonymously.
	for _, path := range []string{"/work", "/notifications"} {
		page := parent.get(path).body
		for _, c := range cases {
			if c.signedIn && (strings.Contains(page, c.receipt) || strings.Contains(page, "登录"+tag)) {
				t.Errorf("LEAK: the parent's %s shows %s", path, c.label)
			}
		}
	}
	if public := anon.do("GET", "/metrics", nil, ""); public.status != http.StatusNotFound {
		t.Fatalf("/metrics on the site: %d, want 404 (metrics have their own listener)", public.status)
	}
	metrics := call(t, "GET", srv.Metrics, nil)
	if metrics.status != http.StatusOK {
		t.Fatalf("/metrics: %d", metrics.status)
	}

	// Guessing is rate limited: per address...
	probe := newAnonClient(t, srv.URL, anonProbeIP, mk)
	// The API allows 20 at once and then one every 3 seconds.
	var statuses []int
	guessing := time.Now()
	for i := 0; i < 60 && !slices.Contains(statuses, http.StatusTooManyRequests); i++ {
		r := probe.do("POST", "/api/v1/feedback/lookup", anonJSON(map[string]string{"receipt": "0000-0000-0000-000" + strconv.Itoa(i%10), "secret": "wrong-" + strconv.Itoa(i)}), "application/json")
		statuses = append(statuses, r.status)
	}
	allowed := 20 + int(time.Since(guessing)/(3*time.Second)) + 1
	if n := slices.Index(statuses, http.StatusTooManyRequests); n < 0 || n > allowed || statuses[0] != http.StatusNotFound {
		t.Errorf("wrong receipts and secrets from one address: statuses %v; want 404 and then 429 within %d tries", statuses, allowed)
	} else {
		t.Logf("wrong guesses from one address: 429 from try %d on", n+1)
	}
	// ...and per receipt, whatever address the guesses come from.
	target := cases[2] // HTML mailbox: its sender is done with it
	statuses = statuses[:0]
	for i, ip := range mk.rotating {
		r := newAnonClient(t, srv.URL, ip, mk).do("POST", "/lookup", strings.NewReader(url.Values{"receipt": {target.receipt}, "secret": {"wrong-" + strconv.Itoa(i)}}.Encode()),
			"application/x-www-form-urlencoded")
		statuses = append(statuses, r.status)
		if r.status == http.StatusTooManyRequests {
			break
		}
	}
	if n := slices.Index(statuses, http.StatusTooManyRequests); n < 1 || statuses[0] != http.StatusNotFound {
		t.Errorf("wrong secrets for one receipt from %d addresses: statuses %v; want 404 and then 429 within about 10 tries", len(statuses), statuses)
	} else {
		t.Logf("wrong secrets for one receipt from a new address each time: 429 from try %d on", n+1)
	}

	// Everything gongkai wrote, before it stops (the -wal and -shm of a
	// running SQLite), then after.
	var dbFiles []anonDoc
	sqlitePath, isSQLite := strings.CutPrefix(dsn, "sqlite:")
	if isSQLite {
		dbFiles = append(dbFiles, anonFiles(t, "running", sqlitePath, sqlitePath+"-wal", sqlitePath+"-shm")...)
	}
	srv.stop(t)
	if isSQLite {
		dbFiles = append(dbFiles, anonFiles(t, "stopped", sqlitePath, sqlitePath+"-wal", sqlitePath+"-shm")...)
	}
	dataFiles := anonTree(t, data)
	logDocs := anonTree(t, logs)
	if len(logDocs) != 2 {
		t.Fatalf("stdout and stderr of gongkai were not captured: %d files", len(logDocs))
	}
	metricsDoc := anonDoc{"/metrics", []byte(metrics.body)}
	hookDocs, mailDocs := hooks.docs(), smtp.docs(t)
	db := anonOpen(t, dsn)
	defer db.Close()
	rows := anonDump(t, ctx, db, dialect)

	// Each place holds what it should, so finding no marker there means
	// something: the cases are in the database files and rows, their files
	// in the data directory, the requests in the log and the metrics, the
	// subjects in webhook calls and e-mail.
	subject := "匿名objection测试网页" + tag
	contains := func(what string, docs []anonDoc, ok func([]byte) bool) {
		t.Helper()
		for _, d := range docs {
			if ok(d.data) {
				return
			}
		}
		t.Errorf("%s (%d documents) do not hold what they should; grepping them proves nothing", what, len(docs))
	}
	has := func(s string) func([]byte) bool { return func(b []byte) bool { return bytes.Contains(b, []byte(s)) } }
	if isSQLite {
		contains("the SQLite files", dbFiles, has(subject))
	}
	contains("the database rows", rows, has(subject))
	contains("the data directory", dataFiles, func(b []byte) bool { return bytes.Equal(b, anonPDF) })
	contains("the log", logDocs[1:], has(`"path":"/s/xiangqian/feedback","status":201`))
	contains("the metrics", []anonDoc{metricsDoc}, has(`route="POST /s/{slug}/feedback"`))
	contains("the webhook calls", hookDocs, has(subject))
	contains("the e-mails", mailDocs, has(subject))

	outside := append(append(append(logDocs, metricsDoc), hookDocs...), mailDocs...)
	corpus := append(append(append(dbFiles, dataFiles...), rows...), outside...)
	for _, d := range corpus {
		for _, m := range mk.global() {
			anonGrep(t, d, m)
		}
	}
	for _, d := range outside {
		if d.where == "1-stdout.log" {
			// The demo's banner lists its accounts, the parent's among them.
			d.data = regexp.MustCompile(`(?s)Demo accounts.*?\n\n`).ReplaceAll(d.data, nil)
		}
		for _, m := range mk.identity() {
			anonGrep(t, d, m)
		}
	}
	anonCheckRows(t, ctx, db, cases, mk, testStart)
	anonCheckReceipts(t, ctx, db, cases)
	t.Logf("grepped %d database files, %d rows, %d files of the data directory, the log, /metrics, %d webhook calls and %d e-mails for %d markers",
		len(dbFiles), len(rows), len(dataFiles), len(hookDocs), len(mailDocs), len(mk.global())+len(mk.identity()))
}

// ---- the sender's side -----------------------------------------------------

type anonResponse struct {
	status int
	header http.Header
	body   string
}

// anonClient is a browser that makes itself known in every way it can.
type anonClient struct {
	t    *testing.T
	base string
	ip   string
	mk   *anonMarkers
	jar  *cookiejar.Jar
	hc   *http.Client
}

func newAnonClient(t *testing.T, base, ip string, mk *anonMarkers) *anonClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	jar.SetCookies(u, []*http.Cookie{{Name: "gk_track", Value: mk.cookie, Path: "/"}})
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &anonClient{t: t, base: base, ip: ip, mk: mk, jar: jar, hc: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c *anonClient) do(method, path string, body io.Reader, contentType string) anonResponse {
	c.t.Helper()
	target := path
	if strings.HasPrefix(path, "/") {
		target = c.base + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("User-Agent", c.mk.ua)
	req.Header.Set("Accept-Language", c.mk.lang)
	req.Header.Set("Referer", c.mk.referer)
	req.Header.Set("X-Forwarded-For", anonXFF)
	req.Header.Set("X-Real-IP", anonXFF)
	req.Header.Set("Forwarded", "for="+anonXFF+";proto=https")
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s from %s: %v", method, path, c.ip, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return anonResponse{res.StatusCode, res.Header, string(b)}
}

func (c *anonClient) get(path string) anonResponse {
	c.t.Helper()
	r := c.do("GET", path, nil, "")
	if r.status != http.StatusOK && !strings.HasPrefix(path, "http") {
		c.t.Fatalf("GET %s: %d", path, r.status)
	}
	return r
}

// peerSeenBy asks the recorder which address it saw.
func (c *anonClient) peerSeenBy(recorder string) string {
	c.t.Helper()
	return strings.TrimSpace(c.do("GET", recorder+"/whoami", nil, "").body)
}

// itemInPeriod finds a public item of xiangqian in its publicity period.
func (c *anonClient) itemInPeriod() int64 {
	c.t.Helper()
	r := c.get("/api/v1/schools/xiangqian/disclosures?per_page=100&state=published")
	var out struct {
		Items []struct {
			ID           int64  `json:"id"`
			Audience     string `json:"audience"`
			State        string `json:"state"`
			PublicityEnd string `json:"publicity_end"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		c.t.Fatalf("list items: %v", err)
	}
	today := time.Now().In(gongkai.Beijing).Format("2006-01-02")
	for _, it := range out.Items {
		if it.Audience == "public" && it.State == "published" && it.PublicityEnd >= today {
			return it.ID
		}
	}
	c.t.Fatalf("the demo has no public item of xiangqian in its publicity period")
	return 0
}

// anonPDF is a small attachment.
var anonPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

func anonMultipart(fields [][2]string, file string) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if file != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, file))
		h.Set("Content-Type", "application/pdf")
		p, _ := w.CreatePart(h)
		p.Write(anonPDF)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

var anonCodes = regexp.MustCompile(`class="fb-code-value">([^<]+)<`)

// sendForm sends a case through the form, anonymously, and returns the
// receipt and the secret from the page.
func (c *anonClient) sendForm(kind string, item int64, tag, name, contact, email string) (receipt, secret string) {
	c.t.Helper()
	formPath := "/s/xiangqian/feedback/new?kind=" + kind
	if kind == "objection" {
		formPath += "&d=" + strconv.FormatInt(item, 10)
	}
	c.get(formPath)
	fields := [][2]string{{"kind", kind}, {"subject", "匿名" + kind + "测试" + tag}, {"body", "这是一件匿名的" + kind + "，用于检查匿名是否可靠。" + tag},
		{"anonymous", "1"}, {"name", name}, {"contact", contact}, {"email", email}}
	if kind == "objection" {
		fields = append(fields, [2]string{"d", strconv.FormatInt(item, 10)})
	}
	if kind == "report" {
		fields = append(fields, [2]string{"about", "general"})
	}
	body, ct := anonMultipart(fields, "证据材料.pdf")
	r := c.do("POST", "/s/xiangqian/feedback", body, ct)
	m := anonCodes.FindAllStringSubmatch(r.body, -1)
	if r.status != http.StatusCreated || len(m) != 2 {
		c.t.Fatalf("form %s from %s: %d %s", kind, c.ip, r.status, anonSnippet(r.body, `class="error`, 400))
	}
	return strings.TrimSpace(m[0][1]), strings.TrimSpace(m[1][1])
}

// sendAPI sends a case through the API, anonymously.
func (c *anonClient) sendAPI(kind string, item int64, tag, name, contact, email string) (receipt, secret string) {
	c.t.Helper()
	in := map[string]any{"kind": kind, "subject": "匿名" + kind + "测试" + tag, "body": "这是一件匿名的" + kind + "，用于检查匿名是否可靠。" + tag,
		"anonymous": true, "name": name, "contact": contact, "email": email}
	if kind == "objection" {
		in["disclosure_id"] = item
	}
	r := c.do("POST", "/api/v1/schools/xiangqian/feedback", anonJSON(in), "application/json")
	var out struct{ Receipt, Secret string }
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &out) != nil || out.Receipt == "" || out.Secret == "" {
		c.t.Fatalf("API %s from %s: %d %s", kind, c.ip, r.status, r.body)
	}
	return out.Receipt, out.Secret
}

// login signs in through the form and returns the session cookie.
func (c *anonClient) login(username string) string {
	c.t.Helper()
	c.get("/login")
	r := c.do("POST", "/login", strings.NewReader(url.Values{"username": {username}, "password": {"gongkai-demo"}}.Encode()), "application/x-www-form-urlencoded")
	if r.status != http.StatusSeeOther {
		c.t.Fatalf("login as %s: %d", username, r.status)
	}
	u, _ := url.Parse(c.base)
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == "gk_session" {
			return ck.Value
		}
	}
	c.t.Fatalf("login as %s set no session cookie", username)
	return ""
}

// truncatedUpload starts a multipart upload and hangs up half way.
func (c *anonClient) truncatedUpload(path string) {
	c.t.Helper()
	body, ct := anonMultipart([][2]string{{"kind", "opinion"}, {"subject", "中断"}, {"body", strings.Repeat("中断的上传。", 2000)}}, "中断.pdf")
	b, _ := io.ReadAll(body)
	u, _ := url.Parse(c.base)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(c.ip)}}
	conn, err := d.Dial("tcp", u.Host)
	if err != nil {
		c.t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nX-Forwarded-For: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		path, u.Host, c.mk.ua, anonXFF, ct, len(b))
	conn.Write(b[:len(b)/2])
	time.Sleep(200 * time.Millisecond)
	conn.Close()
}

// lookup reads a case with its receipt and secret, as the sender does.
func (c *anonClient) lookup(k *anonCase) string {
	c.t.Helper()
	var r anonResponse
	if k.html {
		r = c.do("POST", "/lookup", strings.NewReader(url.Values{"receipt": {k.receipt}, "secret": {k.secret}}.Encode()), "application/x-www-form-urlencoded")
	} else {
		r = c.do("POST", "/api/v1/feedback/lookup", anonJSON(map[string]string{"receipt": k.receipt, "secret": k.secret}), "application/json")
	}
	if r.status != http.StatusOK || !strings.Contains(r.body, k.receipt) {
		c.t.Fatalf("lookup of %s: %d %s", k.label, r.status, anonSnippet(r.body, "error", 300))
	}
	return r.body
}

// message adds to the case: through the form with a file, or the API.
func (c *anonClient) message(k *anonCase, text string) {
	c.t.Helper()
	var r anonResponse
	if k.html {
		body, ct := anonMultipart([][2]string{{"receipt", k.receipt}, {"secret", k.secret}, {"action", "message"}, {"body", text}}, "补充材料.pdf")
		r = c.do("POST", "/lookup/act", body, ct)
	} else {
		r = c.do("POST", "/api/v1/feedback/follow-up", anonJSON(map[string]string{"receipt": k.receipt, "secret": k.secret, "action": "message", "body": text}), "application/json")
	}
	if r.status != http.StatusOK || !strings.Contains(r.body, text) {
		c.t.Fatalf("message to %s: %d %s", k.label, r.status, anonSnippet(r.body, "error", 300))
	}
}

func (c *anonClient) rate(k *anonCase) {
	c.t.Helper()
	var r anonResponse
	if k.html {
		r = c.do("POST", "/lookup/act", strings.NewReader(url.Values{"receipt": {k.receipt}, "secret": {k.secret}, "action": {"rate"}, "rating": {"satisfied"}}.Encode()),
			"application/x-www-form-urlencoded")
	} else {
		r = c.do("POST", "/api/v1/feedback/follow-up", anonJSON(map[string]string{"receipt": k.receipt, "secret": k.secret, "action": "rate", "rating": "satisfied"}), "application/json")
	}
	if r.status != http.StatusOK {
		c.t.Fatalf("rating %s: %d %s", k.label, r.status, anonSnippet(r.body, "error", 300))
	}
}

// ---- staff -----------------------------------------------------------------

// staffClient is staff at the school's own computers (127.0.0.1, no markers).
type staffClient struct {
	t    *testing.T
	base string
}

func newStaffClient(t *testing.T, base string) *staffClient { return &staffClient{t, base} }

func (s *staffClient) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (s *staffClient) login(user string) *http.Client {
	s.t.Helper()
	hc := s.client()
	res, err := hc.PostForm(s.base+"/login", url.Values{"username": {user}, "password": {"gongkai-demo"}})
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("login as %s: %d", user, res.StatusCode)
	}
	return hc
}

func (s *staffClient) post(hc *http.Client, path string, form url.Values) anonResponse {
	s.t.Helper()
	res, err := hc.PostForm(s.base+path, form)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return anonResponse{res.StatusCode, res.Header, string(b)}
}

func (s *staffClient) token(user string) string {
	s.t.Helper()
	r := s.api("", "POST", "/api/v1/auth/token", map[string]string{"username": user, "password": "gongkai-demo"})
	var out struct{ Token string }
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &out) != nil || out.Token == "" {
		s.t.Fatalf("token for %s: %d %s", user, r.status, r.body)
	}
	return out.Token
}

func (s *staffClient) api(token, method, path string, in any) anonResponse {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		body = anonJSON(in)
	}
	req, _ := http.NewRequest(method, s.base+path, body)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return anonResponse{res.StatusCode, res.Header, string(b)}
}

// caseID finds a case in the handler's queue by its receipt.
func (s *staffClient) caseID(token, receipt string) int64 {
	s.t.Helper()
	r := s.api(token, "GET", "/api/v1/schools/xiangqian/feedback?q="+url.QueryEscape(receipt), nil)
	var out struct {
		Items []struct {
			ID        int64 `json:"id"`
			Anonymous bool  `json:"anonymous"`
		} `json:"items"`
	}
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &out) != nil || len(out.Items) != 1 {
		s.t.Fatalf("the queue does not find receipt %s: %d %s", receipt, r.status, r.body)
	}
	if !out.Items[0].Anonymous {
		s.t.Errorf("case %s is not anonymous in the staff queue", receipt)
	}
	return out.Items[0].ID
}

// ---- the world outside: webhook and SMTP recorders --------------------------

type webhookCall struct {
	header http.Header
	body   []byte
}

type webhookRecorder struct {
	*httptest.Server
	mu    sync.Mutex
	calls []webhookCall
}

func startWebhookRecorder(t *testing.T) *webhookRecorder {
	w := &webhookRecorder{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/whoami" {
			host, _, _ := net.SplitHostPort(r.RemoteAddr)
			fmt.Fprintln(rw, host)
			return
		}
		b, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.calls = append(w.calls, webhookCall{r.Header.Clone(), b})
		w.mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(w.Close)
	return w
}

// waitFor waits until the webhook has heard of every case's receipt,
// message and reply (and rating), which means the dispatcher has handled
// their events.
func (w *webhookRecorder) waitFor(t *testing.T, cases []*anonCase) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		seen := map[string]bool{}
		w.mu.Lock()
		for _, c := range w.calls {
			var p struct {
				Type     string `json:"type"`
				Feedback struct {
					ID int64 `json:"id"`
				} `json:"feedback"`
			}
			if json.Unmarshal(c.body, &p) == nil {
				seen[fmt.Sprintf("%d %s", p.Feedback.ID, p.Type)] = true
			}
		}
		w.mu.Unlock()
		var missing []string
		for _, c := range cases {
			want := []string{"feedback.received", "feedback.message", "feedback.replied"}
			if c.rated {
				want = append(want, "feedback.rated")
			}
			for _, typ := range want {
				if !seen[fmt.Sprintf("%d %s", c.id, typ)] {
					missing = append(missing, fmt.Sprintf("%s %s", c.label, typ))
				}
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook never heard of: %s", strings.Join(missing, "; "))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (w *webhookRecorder) docs() []anonDoc {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []anonDoc
	for i, c := range w.calls {
		var h bytes.Buffer
		c.header.Write(&h)
		out = append(out, anonDoc{fmt.Sprintf("webhook call %d", i+1), append(h.Bytes(), c.body...)})
	}
	return out
}

type recordedMail struct {
	from string
	to   []string
	data []byte
}

// smtpRecorder is just enough of an SMTP server to take gongkai's mail.
type smtpRecorder struct {
	addr  string
	mu    sync.Mutex
	mails []recordedMail
}

func startSMTPRecorder(t *testing.T) *smtpRecorder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpRecorder{addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(conn)
		}
	}()
	return s
}

func (s *smtpRecorder) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	r := textproto.NewReader(bufio.NewReader(conn))
	say := func(line string) { io.WriteString(conn, line+"\r\n") }
	say("220 smtp.test ESMTP")
	var m recordedMail
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := strings.TrimSpace(strings.TrimPrefix(line, strings.SplitN(line, " ", 2)[0]))
		switch verb {
		case "EHLO":
			say("250-smtp.test")
			say("250-8BITMIME")
			say("250 SIZE 52428800")
		case "HELO":
			say("250 smtp.test")
		case "MAIL":
			m = recordedMail{from: arg}
			say("250 OK")
		case "RCPT":
			m.to = append(m.to, arg)
			say("250 OK")
		case "DATA":
			say("354 go on")
			b, err := r.ReadDotBytes()
			if err != nil {
				return
			}
			m.data = b
			s.mu.Lock()
			s.mails = append(s.mails, m)
			s.mu.Unlock()
			m = recordedMail{}
			say("250 OK queued")
		case "RSET":
			m = recordedMail{}
			say("250 OK")
		case "NOOP":
			say("250 OK")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

// waitFor waits until n e-mails to addr arrived.
func (s *smtpRecorder) waitFor(t *testing.T, addr string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := 0
		s.mu.Lock()
		for _, m := range s.mails {
			for _, to := range m.to {
				if strings.Contains(to, addr) {
					got++
				}
			}
		}
		s.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d e-mails to %s arrived, want at least %d", got, addr, n)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// docs are the e-mails as sent and decoded: envelope, headers with their
// words decoded, and the body decoded from its transfer encoding.
func (s *smtpRecorder) docs(t *testing.T) []anonDoc {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []anonDoc
	dec := new(mime.WordDecoder)
	for i, m := range s.mails {
		var b bytes.Buffer
		fmt.Fprintf(&b, "MAIL FROM %s\nRCPT TO %s\n", m.from, strings.Join(m.to, ", "))
		b.Write(m.data)
		msg, err := mail.ReadMessage(bytes.NewReader(m.data))
		if err != nil {
			t.Errorf("e-mail %d does not parse: %v", i+1, err)
		} else {
			for k, vs := range msg.Header {
				for _, v := range vs {
					if d, err := dec.DecodeHeader(v); err == nil {
						fmt.Fprintf(&b, "\n%s: %s", k, d)
					}
				}
			}
			var body io.Reader = msg.Body
			switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
			case "quoted-printable":
				body = quotedprintable.NewReader(body)
			case "base64":
				body = base64Reader(body)
			}
			decoded, err := io.ReadAll(body)
			if err != nil {
				t.Errorf("e-mail %d: decode body: %v", i+1, err)
			}
			b.WriteString("\n")
			b.Write(decoded)
		}
		out = append(out, anonDoc{fmt.Sprintf("e-mail %d to %s", i+1, strings.Join(m.to, ",")), b.Bytes()})
	}
	return out
}

// ---- the gongkai process ------------------------------------------------------

type anonServer struct {
	URL     string
	Metrics string // the metrics listener's /metrics
	cmd     *exec.Cmd
	exited  chan struct{}
	closed  bool
}

// anonLaunch runs `gongkai serve --demo --log-level debug` with stdout and
// stderr in files under logs (named so that stdout sorts first).
func anonLaunch(t *testing.T, dsn, data, logs string, extra ...string) *anonServer {
	t.Helper()
	metrics := freeAddr(t)
	args := append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--metrics-addr", metrics, "--db", dsn, "--data", data, "--log-level", "debug"}, extra...)
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "GONGKAI_DB=", "GONGKAI_ADDR=", "GONGKAI_SMTP=", "GONGKAI_FILES=", "GONGKAI_DB_REPLICA=")
	stdout, err := os.Create(filepath.Join(logs, "1-stdout.log"))
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := os.Create(filepath.Join(logs, "2-stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &anonServer{cmd: cmd, exited: make(chan struct{}), Metrics: "http://" + metrics + "/metrics"}
	go func() { cmd.Wait(); stdout.Close(); stderr.Close(); close(s.exited) }()
	t.Cleanup(func() {
		if !s.closed {
			s.stop(t)
		}
		if t.Failed() {
			b, _ := os.ReadFile(stderr.Name())
			if len(b) > 20000 {
				b = b[len(b)-20000:]
			}
			t.Logf("server log (end):\n%s", b)
		}
	})
	deadline := time.Now().Add(2 * time.Minute)
	for s.URL == "" {
		b, _ := os.ReadFile(stdout.Name())
		if _, rest, ok := strings.Cut(string(b), "running at "); ok {
			if line, _, ok := strings.Cut(rest, "\n"); ok {
				s.URL = strings.TrimSpace(line)
				break
			}
		}
		select {
		case <-s.exited:
			b, _ := os.ReadFile(stderr.Name())
			t.Fatalf("gongkai exited before it listened: %v\n%s", cmd.ProcessState, b)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("gongkai did not start within 2 minutes")
		}
	}
	return s
}

// stop ends gongkai as an operator would (SIGINT) and waits for it.
func (s *anonServer) stop(t *testing.T) {
	s.closed = true
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		t.Errorf("gongkai did not stop within 20 s of SIGINT")
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// ---- grepping ------------------------------------------------------------------

// anonDoc is one thing gongkai wrote.
type anonDoc struct {
	where string
	data  []byte
}

func anonFiles(t *testing.T, when string, paths ...string) []anonDoc {
	t.Helper()
	var out []anonDoc
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, anonDoc{fmt.Sprintf("%s (%s, %d bytes)", filepath.Base(p), when, len(b)), b})
	}
	return out
}

func anonTree(t *testing.T, dir string) []anonDoc {
	t.Helper()
	var out []anonDoc
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, anonDoc{rel, b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// anonGrep fails the test when the marker is in the document, in any case.
func anonGrep(t *testing.T, d anonDoc, m anonMarker) {
	t.Helper()
	if m.value == "" {
		return
	}
	hay, needle := anonLower(d.data), anonLower([]byte(m.value))
	i := bytes.Index(hay, needle)
	if i < 0 {
		return
	}
	lo, hi := max(i-80, 0), min(i+len(needle)+80, len(d.data))
	t.Errorf("LEAK: %s (%q) is in %s: …%s…", m.name, m.value, d.where, strings.ToValidUTF8(string(d.data[lo:hi]), "?"))
}

// anonLower maps ASCII letters to lower case byte by byte, so offsets in
// binary files stay what they were.
func anonLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func anonOpen(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err = sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	} else {
		db, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// anonDump reads every row of every table as text, one document a row.
func anonDump(t *testing.T, ctx context.Context, db *sql.DB, dialect string) []anonDoc {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if dialect == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	tables := anonStrings(t, ctx, db, q)
	if len(tables) < 10 {
		t.Fatalf("found only %d tables: %v", len(tables), tables)
	}
	var out []anonDoc
	for _, table := range tables {
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("dump %s: %v", table, err)
			}
			var b bytes.Buffer
			for i, v := range vals {
				if raw, ok := v.([]byte); ok {
					v = string(raw)
				}
				fmt.Fprintf(&b, "%s=%v\t", cols[i], v)
			}
			n++
			out = append(out, anonDoc{fmt.Sprintf("table %s, row %d", table, n), b.Bytes()})
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		rows.Close()
	}
	return out
}

func anonStrings(t *testing.T, ctx context.Context, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// anonCheckRows reads the rows of the test's cases and of everything that
// refers to them.
func anonCheckRows(t *testing.T, ctx context.Context, db *sql.DB, cases []*anonCase, mk *anonMarkers, since int64) {
	t.Helper()
	var parentID int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, anonParent).Scan(&parentID); err != nil {
		t.Fatalf("the parent's user id: %v", err)
	}
	identity := append(mk.identity(), mk.global()...)
	scan := func(where, text string) {
		for _, m := range identity {
			anonGrep(t, anonDoc{where, []byte(text)}, m)
		}
	}
	for _, c := range cases {
		var id int64
		var anonymous bool
		var senderID sql.NullInt64
		var name, contact, email, row string
		err := db.QueryRowContext(ctx, `SELECT id, anonymous, sender_id, sender_name, contact, email,
			kind || '|' || subject || '|' || body || '|' || about_name FROM feedback_cases WHERE receipt = $1`, c.receipt).
			Scan(&id, &anonymous, &senderID, &name, &contact, &email, &row)
		if err != nil {
			t.Fatalf("%s: read its row: %v", c.label, err)
		}
		if id != c.id || !anonymous || senderID.Valid || name != "" || contact != "" || email != "" {
			t.Errorf("LEAK: %s is stored with id %d (want %d), anonymous %v, sender_id %v, name %q, contact %q, e-mail %q",
				c.label, id, c.id, anonymous, senderID, name, contact, email)
		}
		scan(c.label+" row", row)
		rows, err := db.QueryContext(ctx, `SELECT from_staff, author_id, author_name, body FROM feedback_messages WHERE feedback_id = $1 ORDER BY id`, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var staff bool
			var author sql.NullInt64
			var authorName, body string
			if err := rows.Scan(&staff, &author, &authorName, &body); err != nil {
				t.Fatal(err)
			}
			n++
			if !staff && (author.Valid || authorName != gongkai.SenderLabel) {
				t.Errorf("LEAK: a message of %s from its sender has author id %v and author %q, want none and %q", c.label, author, authorName, gongkai.SenderLabel)
			}
			if author.Valid && author.Int64 == parentID {
				t.Errorf("LEAK: a message of %s names the parent (user %d) as author", c.label, parentID)
			}
			scan(fmt.Sprintf("%s message %d", c.label, n), authorName+"|"+body)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if n < 3 {
			t.Errorf("%s has %d messages, want the text, the sender's message and the reply", c.label, n)
		}
		var supporters int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM feedback_supporters WHERE feedback_id = $1`, id).Scan(&supporters); err != nil {
			t.Fatal(err)
		}
		if supporters > 0 {
			t.Errorf("LEAK: %s has %d supporters recorded", c.label, supporters)
		}
		// Its events: nothing that reaches or names a sender.
		rows, err = db.QueryContext(ctx, `SELECT id, type, CAST(data AS TEXT) FROM outbox WHERE subject = $1 AND type LIKE 'feedback.%'`, id)
		if err != nil {
			t.Fatal(err)
		}
		var events []int64
		for rows.Next() {
			var evID int64
			var typ, data string
			if err := rows.Scan(&evID, &typ, &data); err != nil {
				t.Fatal(err)
			}
			var d map[string]any
			if err := json.Unmarshal([]byte(data), &d); err != nil {
				t.Errorf("outbox event %d of %s: %v", evID, c.label, err)
			}
			for _, k := range []string{"sender_id", "email", "contact", "sender_name", "name"} {
				if _, ok := d[k]; ok {
					t.Errorf("LEAK: outbox event %d (%s) of %s carries %s: %s", evID, typ, c.label, k, data)
				}
			}
			if d["anonymous"] != true {
				t.Errorf("outbox event %d (%s) of %s does not say it is anonymous: %s", evID, typ, c.label, data)
			}
			scan(fmt.Sprintf("outbox event %d (%s) of %s", evID, typ, c.label), data)
			events = append(events, evID)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if len(events) < 3 {
			t.Errorf("%s has %d outbox events, want at least received, message and replied", c.label, len(events))
		}
		// The deliveries made of them: e-mail and webhook calls.
		for _, ev := range events {
			for _, data := range anonStrings(t, ctx, db, `SELECT CAST(data AS TEXT) FROM outbox WHERE subject = $1 AND type IN ('mail.send', 'webhook.post')`, ev) {
				scan(fmt.Sprintf("delivery of event %d of %s", ev, c.label), data)
			}
		}
		// Who was told: staff, never the parent.
		for _, link := range []string{fmt.Sprintf("/s/xiangqian/cases/%d", id), fmt.Sprintf("/s/xiangqian/feedback/%d", id)} {
			var toParent int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE link = $1 AND user_id = $2`, link, parentID).Scan(&toParent); err != nil {
				t.Fatal(err)
			}
			if toParent > 0 {
				t.Errorf("LEAK: the parent (user %d) was notified of %s (%s)", parentID, c.label, link)
			}
		}
	}
	// The parent hears only of the cases they sent with their name (the
	// demo's), never of the test's, which were all anonymous.
	for _, n := range anonStrings(t, ctx, db, `SELECT title || ' -> ' || link FROM notifications WHERE user_id = $1 AND created_at >= $2
		AND link NOT IN (SELECT '/s/xiangqian/feedback/' || CAST(id AS TEXT) FROM feedback_cases WHERE sender_id = $1 AND NOT anonymous)`, parentID, since) {
		t.Errorf("LEAK: the parent (user %d) was notified during the test of what is not a case they sent with their name: %s", parentID, n)
	}
	var all int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND created_at >= $2`, parentID, since).Scan(&all); err != nil {
		t.Fatal(err)
	}
	t.Logf("the parent got %d notifications while the test ran, of the demo's cases sent with their name", all)
	// No case of this school at all names the parent since the test began.
	var named int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM feedback_cases WHERE sender_id = $1 AND created_at >= $2`, parentID, since).Scan(&named); err != nil {
		t.Fatal(err)
	}
	if named > 0 {
		t.Errorf("LEAK: %d cases created during the test carry the parent's user id", named)
	}
	var msgs int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM feedback_messages WHERE author_id = $1 AND created_at >= $2`, parentID, since).Scan(&msgs); err != nil {
		t.Fatal(err)
	}
	if msgs > 0 {
		t.Errorf("LEAK: %d messages written during the test carry the parent's user id", msgs)
	}
}

// anonCheckReceipts checks that receipts cannot be guessed: every receipt
// in the database (the demo's and the test's) has the same length L in
// symbols of an alphabet of at least D symbols (D those seen), so a
// receipt carries at least L·log2(D) bits; at least 80 are wanted.
func anonCheckReceipts(t *testing.T, ctx context.Context, db *sql.DB, cases []*anonCase) {
	t.Helper()
	receipts := anonStrings(t, ctx, db, `SELECT receipt FROM feedback_cases`)
	symbols := map[rune]bool{}
	lengths := map[int]bool{}
	for _, r := range receipts {
		bare := strings.ReplaceAll(r, "-", "")
		lengths[len([]rune(bare))] = true
		for _, c := range bare {
			symbols[c] = true
		}
	}
	if len(lengths) != 1 {
		t.Errorf("receipts come in %d lengths", len(lengths))
	}
	minLen := math.MaxInt
	for l := range lengths {
		minLen = min(minLen, l)
	}
	bits := float64(minLen) * math.Log2(float64(len(symbols)))
	if bits < 80 {
		t.Errorf("receipts carry %.1f bits (%d symbols of an alphabet of at least %d, from %d receipts); want at least 80", bits, minLen, len(symbols), len(receipts))
	} else {
		t.Logf("receipts: %d symbols of an alphabet of at least %d seen in %d receipts: at least %.1f bits", minLen, len(symbols), len(receipts), bits)
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.receipt] || !slices.Contains(receipts, c.receipt) {
			t.Errorf("receipt %s of %s is repeated or not the stored one", c.receipt, c.label)
		}
		seen[c.receipt] = true
	}
}

// ---- small things ----------------------------------------------------------------

func anonRandom(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// anonSnippet returns up to n bytes of s from the first occurrence of near.
func anonSnippet(s, near string, n int) string {
	i := max(strings.Index(s, near), 0)
	s = s[i:]
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}

func base64Reader(r io.Reader) io.Reader {
	b, _ := io.ReadAll(r)
	out, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
	if err != nil {
		return bytes.NewReader(b)
	}
	return bytes.NewReader(out)
}

func anonJSON(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}
