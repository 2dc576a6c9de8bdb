package notify

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// smtpSink is a real SMTP server on loopback (go-smtp) that keeps what it
// is given. It asks for PLAIN authentication with the test's credentials.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	msgs []*sentMail
}

type sentMail struct {
	From    string
	To      []string
	Header  mail.Header
	Subject string // decoded
	Body    string // decoded
	Raw     string
}

const smtpUser, smtpPass = "gongkai", "s3cret pass"

func newSMTPSink(t testing.TB) *smtpSink {
	t.Helper()
	sink := &smtpSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &smtpSession{sink: sink}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sink
}

type smtpSession struct {
	sink   *smtpSink
	authed bool
	from   string
	to     []string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != smtpUser || pass != smtpPass {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *smtpSession) Reset()                                    { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error                             { return nil }
func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return err
	}
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, &sentMail{From: s.from, To: s.to, Header: m.Header, Subject: subject, Body: strings.ReplaceAll(string(text), "\r\n", "\n"), Raw: string(raw)})
	s.sink.mu.Unlock()
	return nil
}

// to returns the messages delivered to an address.
func (s *smtpSink) to(addr string) []*sentMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*sentMail
	for _, m := range s.msgs {
		for _, to := range m.To {
			if to == addr {
				out = append(out, m)
			}
		}
	}
	return out
}

func (s *smtpSink) all() []*sentMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*sentMail(nil), s.msgs...)
}

// hookSink is a real HTTP server on loopback receiving webhooks; status
// decides each answer.
type hookSink struct {
	url    string
	mu     sync.Mutex
	calls  []hookCall
	status func(n int) int // n counts calls from 1
}

type hookCall struct {
	Header http.Header
	Body   []byte
	Status int
}

func newHookSink(t testing.TB) *hookSink {
	t.Helper()
	h := &hookSink{status: func(int) int { return 200 }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		st := h.status(len(h.calls) + 1)
		h.calls = append(h.calls, hookCall{Header: r.Header.Clone(), Body: b, Status: st})
		h.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(srv.Close)
	h.url = srv.URL + "/hooks/gongkai?token=abc"
	return h
}

func (h *hookSink) received() []hookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookCall(nil), h.calls...)
}

// ok returns the calls answered with success, as decoded payloads.
func (h *hookSink) ok(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, c := range h.received() {
		if c.Status/100 != 2 {
			continue
		}
		var p map[string]any
		if err := json.Unmarshal(c.Body, &p); err != nil {
			t.Fatalf("webhook body is not JSON: %v", err)
		}
		out = append(out, p)
	}
	return out
}

// fixture is a school with one member per role, each with an e-mail
// address, a bureau administrator, the school's webhook and notification
// address, an SMTP server and a dispatcher, all on one clock.
type fixture struct {
	t      *testing.T
	dsn    string
	db     *store.DB
	d      *Dispatcher
	mu     sync.Mutex
	clock  time.Time
	school *gongkai.School
	users  map[gongkai.Role]*gongkai.User
	admin  *gongkai.User
	smtp   *smtpSink
	hook   *hookSink
}

const hookSecret = "hook-secret-祥谦"

func (f *fixture) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.clock }
func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.clock = f.clock.Add(d)
	f.mu.Unlock()
}
func (f *fixture) setNow(t time.Time) { f.mu.Lock(); f.clock = t; f.mu.Unlock() }

func email(r gongkai.Role) string { return string(r) + "@xq.example.cn" }

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	// Monday 2026-03-02 10:00 Beijing: a plain working week.
	f := &fixture{t: t, dsn: dsn, clock: time.Date(2026, 3, 2, 10, 0, 0, 0, gongkai.Beijing), users: map[gongkai.Role]*gongkai.User{}}
	f.db = f.open()
	days, years := calendar.Seed()
	must(t, f.db.SeedCalendar(ctx, "CN", days, years))
	bureau := &gongkai.Bureau{Name: "青禾县教育局"}
	must(t, f.db.CreateBureau(ctx, bureau))
	f.school = &gongkai.School{BureauID: bureau.ID, Slug: "xq", Name: "祥谦小学", FullName: "青禾县祥谦小学", Code: "3501210001"}
	must(t, f.db.CreateSchool(ctx, f.school, []string{"办公室", "财务室"}))
	school, err := f.db.FindSchoolByID(ctx, f.school.ID)
	must(t, err)
	f.school = school
	for _, r := range gongkai.SchoolRoles {
		u := &gongkai.User{Username: "xq." + string(r), DisplayName: r.Label() + "甲", Email: email(r)}
		must(t, f.db.CreateMember(ctx, f.school.ID, u, "x", []gongkai.Role{r}, 0))
		f.users[r] = u
	}
	f.admin = &gongkai.User{Username: "bureau.admin", DisplayName: "局管理员", Email: "admin@bureau.example.cn", BureauID: bureau.ID, BureauRole: gongkai.RoleBureauAdmin}
	must(t, f.db.CreateUser(ctx, f.admin, "x"))
	f.smtp = newSMTPSink(t)
	f.hook = newHookSink(t)
	must(t, f.db.UpdateFeedbackSettings(ctx, &store.FeedbackSettings{SchoolID: f.school.ID, SupportThreshold: 3,
		NotifyEmail: "office@xq.example.cn", WebhookURL: f.hook.url, WebhookSecret: hookSecret}))
	f.d = f.dispatcher(f.db, true)
	return f
}

// open connects another store (another node) to the fixture's database.
func (f *fixture) open() *store.DB {
	f.t.Helper()
	db, err := store.Open(context.Background(), f.dsn, nil)
	must(f.t, err)
	f.t.Cleanup(func() { db.Close() })
	db.Now = f.now
	return db
}

func (f *fixture) dispatcher(db *store.DB, withMail bool) *Dispatcher {
	f.t.Helper()
	cfg := Config{From: "校务公开 <noreply@gongkai.example.cn>", BaseURL: "https://gongkai.example.cn/", Now: f.now,
		Backoff: func(int) time.Duration { return time.Minute }}
	if withMail {
		cfg.SMTP = "smtp://" + smtpUser + ":" + strings.ReplaceAll(smtpPass, " ", "%20") + "@" + f.smtp.addr + "?starttls=none"
	}
	d, err := New(cfg, db, slog.New(slog.DiscardHandler))
	must(f.t, err)
	return d
}

// drain delivers until the outbox has nothing due.
func (f *fixture) drain(ds ...*Dispatcher) {
	f.t.Helper()
	if len(ds) == 0 {
		ds = []*Dispatcher{f.d}
	}
	for i := 0; i < 50; i++ {
		total := 0
		for _, d := range ds {
			n, err := d.RunOnce(context.Background())
			must(f.t, err)
			total += n
		}
		if total == 0 {
			return
		}
	}
	f.t.Fatal("the outbox does not drain")
}

func (f *fixture) actor(r gongkai.Role) *gongkai.Actor {
	f.t.Helper()
	a, err := f.db.LoadActor(context.Background(), f.users[r].ID)
	must(f.t, err)
	return a
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func subjects(ms []*sentMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

// checkSignature verifies a webhook call as a receiver would.
func checkSignature(t *testing.T, c hookCall) {
	t.Helper()
	got := c.Header.Get("X-Gongkai-Signature")
	if !hmac.Equal([]byte(got), []byte(Sign(hookSecret, c.Body))) || !strings.HasPrefix(got, "sha256=") || len(got) != 7+64 {
		t.Fatalf("signature %q does not verify", got)
	}
	if c.Header.Get("Content-Type") != "application/json; charset=utf-8" || c.Header.Get("X-Gongkai-Delivery") == "" {
		t.Fatalf("headers %v", c.Header)
	}
}

func TestDispatch_NamedCaseReachesHandlersAndSender(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		fb, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion,
			Subject: "建议延长图书馆开放时间", Body: "希望周末也能开放图书馆。", SenderName: "王女士", Email: "wang@parents.example.cn"})
		must(t, err)
		f.drain()

		// Handlers and the supervision group, each once, in Chinese.
		want := "新的意见建议：建议延长图书馆开放时间"
		for _, r := range []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor} {
			got := f.smtp.to(email(r))
			if len(got) != 1 || got[0].Subject != want {
				t.Fatalf("%s got %q, want one %q", r, subjects(got), want)
			}
			m := got[0]
			if !strings.Contains(m.Body, "答复期限：2026年3月9日") || !strings.Contains(m.Body, "https://gongkai.example.cn/s/xq/cases/") {
				t.Fatalf("body to %s:\n%s", r, m.Body)
			}
			if !strings.Contains(m.Raw, "=?UTF-8?") || !strings.Contains(m.Header.Get("Content-Type"), "charset=UTF-8") || m.Header.Get("Auto-Submitted") != "auto-generated" {
				t.Fatalf("not a UTF-8 MIME message:\n%s", m.Raw[:min(len(m.Raw), 600)])
			}
			if from, _ := (&mail.AddressParser{WordDecoder: new(mime.WordDecoder)}).Parse(m.Header.Get("From")); from == nil || from.Name != "祥谦小学 校务公开" || from.Address != "noreply@gongkai.example.cn" {
				t.Fatalf("from %q", m.Header.Get("From"))
			}
		}
		if got := f.smtp.to("office@xq.example.cn"); len(got) != 1 || got[0].Subject != want {
			t.Fatalf("the school's address got %q", subjects(got))
		}
		for _, r := range []gongkai.Role{gongkai.RoleClerk, gongkai.RoleStaff, gongkai.RoleParent} {
			if got := f.smtp.to(email(r)); len(got) != 0 {
				t.Fatalf("%s was told: %q", r, subjects(got))
			}
		}
		if got := f.smtp.to("wang@parents.example.cn"); len(got) != 0 {
			t.Fatalf("the sender was mailed before any reply: %q", subjects(got))
		}
		items, _, unread, err := f.db.FindNotifications(ctx, f.users[gongkai.RolePrincipal].ID, 1)
		must(t, err)
		if unread != 1 || items[0].Title != want || items[0].Link != fmt.Sprintf("/s/xq/cases/%d", fb.ID) {
			t.Fatalf("principal's notifications: %d %+v", unread, items)
		}

		// Assigned to the clerk: "waiting for you, within N working days".
		_, err = f.db.HandleFeedback(ctx, f.school.ID, fb.ID, f.actor(gongkai.RolePrincipal), gongkai.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: f.users[gongkai.RoleClerk].ID})
		must(t, err)
		f.drain()
		if got := f.smtp.to(email(gongkai.RoleClerk)); len(got) != 1 || got[0].Subject != "您有一件来信待答复（剩余 5 个工作日）" {
			t.Fatalf("assignee got %q", subjects(got))
		}

		// The reply reaches the named sender, with the answer.
		f.advance(24 * time.Hour)
		_, err = f.db.HandleFeedback(ctx, f.school.ID, fb.ID, f.actor(gongkai.RoleClerk), gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "自下月起，图书馆周六上午开放。"})
		must(t, err)
		f.drain()
		got := f.smtp.to("wang@parents.example.cn")
		if len(got) != 1 || got[0].Subject != "您的意见建议已答复：建议延长图书馆开放时间" {
			t.Fatalf("sender got %q", subjects(got))
		}
		if b := got[0].Body; !strings.HasPrefix(b, "王女士，您好") || !strings.Contains(b, "自下月起，图书馆周六上午开放。") || !strings.Contains(b, "回执码："+fb.Receipt) || !strings.Contains(b, "https://gongkai.example.cn/lookup") {
			t.Fatalf("reply mail:\n%s", b)
		}

		// Every step went to the webhook, signed, without the sender.
		calls := f.hook.received()
		var types []string
		for _, c := range calls {
			checkSignature(t, c)
			types = append(types, c.Header.Get("X-Gongkai-Event"))
			for _, secret := range []string{"王女士", "wang@parents.example.cn"} {
				if strings.Contains(string(c.Body), secret) {
					t.Fatalf("webhook carries %q: %s", secret, c.Body)
				}
			}
		}
		if strings.Join(types, " ") != "feedback.received feedback.assigned feedback.replied" {
			t.Fatalf("webhook events %v", types)
		}
		p := f.hook.ok(t)[0]
		c := p["feedback"].(map[string]any)
		if p["type"] != "feedback.received" || c["kind"] != "opinion" || c["subject"] != "建议延长图书馆开放时间" || c["due"] != "2026-03-09" || c["anonymous"] != false {
			t.Fatalf("payload %v", p)
		}
	})
}

func TestDispatch_SignedInSenderIsNotifiedInApp(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		parent := f.users[gongkai.RoleParent]
		fb, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindMailbox,
			Subject: "关于课后服务收费的疑问", Body: "课后服务每月收费多少？", SenderID: parent.ID})
		must(t, err)
		_, err = f.db.HandleFeedback(ctx, f.school.ID, fb.ID, f.actor(gongkai.RolePrincipal), gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "每月 300 元，详见公示。"})
		must(t, err)
		f.drain()
		items, _, unread, err := f.db.FindNotifications(ctx, parent.ID, 1)
		must(t, err)
		if unread != 1 || items[0].Title != "您的校长信箱已答复：关于课后服务收费的疑问" || items[0].Link != fmt.Sprintf("/s/xq/feedback/%d", fb.ID) {
			t.Fatalf("parent's notices: %d %+v", unread, items)
		}
		// The account's address is used, with the account's name.
		got := f.smtp.to(email(gongkai.RoleParent))
		if len(got) != 1 || !strings.HasPrefix(got[0].Body, "家长甲，您好") {
			t.Fatalf("parent's mail: %q", subjects(got))
		}
	})
}

// TestDispatch_DeactivatedAccountsAreLeftOut: once a member's account is
// deactivated, neither the news of a new case nor the reply to the case
// they sent reaches it, in the app or by e-mail.
func TestDispatch_DeactivatedAccountsAreLeftOut(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		parent, leader := f.users[gongkai.RoleParent], f.users[gongkai.RoleLeader]
		fb, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindMailbox,
			Subject: "关于课后服务收费的疑问", Body: "课后服务每月收费多少？", SenderID: parent.ID})
		must(t, err)
		for _, u := range []*gongkai.User{parent, leader} {
			_, err = f.db.SetAccountActive(ctx, f.school.ID, u.ID, f.actor(gongkai.RolePrincipal), false)
			must(t, err)
		}
		f.drain()
		if got := f.smtp.to(email(gongkai.RolePrincipal)); len(got) != 1 {
			t.Fatalf("the principal got %q: the test cannot fail", subjects(got))
		}
		_, err = f.db.HandleFeedback(ctx, f.school.ID, fb.ID, f.actor(gongkai.RolePrincipal), gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "每月 300 元，详见公示。"})
		must(t, err)
		f.drain()
		for _, r := range []gongkai.Role{gongkai.RoleParent, gongkai.RoleLeader} {
			if got := f.smtp.to(email(r)); len(got) != 0 {
				t.Errorf("the deactivated %s was mailed %q", r, subjects(got))
			}
			if _, total, _, _ := f.db.FindNotifications(ctx, f.users[r].ID, 1); total != 0 {
				t.Errorf("the deactivated %s has %d notifications", r, total)
			}
		}
	})
}

func TestDispatch_AnonymousReportLeavesNoTrace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		// What an anonymous sender typed in anyway is dropped by the domain.
		fb, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindReport, Anonymous: true, About: gongkai.SubjectStaff, AboutName: "某老师",
			Subject: "食堂采购价格异常", Body: "食堂大米采购价明显高于市场价。", SenderName: "李先生", Contact: "13800000000", Email: "li@secret.example.cn"})
		must(t, err)
		f.drain()
		_, err = f.db.HandleFeedback(ctx, f.school.ID, fb.ID, f.actor(gongkai.RoleSupervisor), gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "已核查，正在整改。"})
		must(t, err)
		f.drain()

		// Only the supervision group handles reports; the school's address
		// hears that one came, not what it is about.
		if got := f.smtp.to(email(gongkai.RoleSupervisor)); len(got) != 1 || got[0].Subject != "新的举报：食堂采购价格异常" {
			t.Fatalf("supervisor got %q", subjects(got))
		}
		if got := f.smtp.to("office@xq.example.cn"); len(got) != 1 || got[0].Subject != "新的举报" || strings.Contains(got[0].Body, "食堂") {
			t.Fatalf("the school's address got %q", subjects(got))
		}
		for _, r := range []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleClerk} {
			if got := f.smtp.to(email(r)); len(got) != 0 {
				t.Fatalf("%s was told of a report: %q", r, subjects(got))
			}
		}
		// Nobody was mailed as the sender, and nothing anywhere names them.
		if got := f.smtp.to("li@secret.example.cn"); len(got) != 0 {
			t.Fatalf("the anonymous sender was mailed")
		}
		for _, m := range f.smtp.all() {
			for _, secret := range []string{"李先生", "13800000000", "li@secret"} {
				if strings.Contains(m.Raw, secret) || strings.Contains(m.Body, secret) {
					t.Fatalf("mail %q carries %q", m.Subject, secret)
				}
			}
		}
		calls := f.hook.received()
		if len(calls) != 2 {
			t.Fatalf("webhook calls: %d", len(calls))
		}
		for _, c := range calls {
			checkSignature(t, c)
			for _, secret := range []string{"李先生", "13800000000", "li@secret", "食堂", "sender", "email", "contact", "name\":\"李"} {
				if strings.Contains(string(c.Body), secret) {
					t.Fatalf("webhook carries %q: %s", secret, c.Body)
				}
			}
		}
		// And the outbox itself holds nothing of theirs.
		evs, err := f.db.FindEvents(ctx, f.school.ID, f.now().Add(-time.Hour), "feedback.received", "feedback.replied", "mail.send", "webhook.post")
		must(t, err)
		for _, e := range evs {
			b, _ := json.Marshal(e.Data)
			for _, secret := range []string{"李先生", "13800000000", "li@secret"} {
				if strings.Contains(string(b), secret) {
					t.Fatalf("outbox event %s carries %q", e.Type, secret)
				}
			}
		}
	})
}

func TestDispatch_FailingWebhookIsRetried(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		f.hook.status = func(n int) int {
			if n <= 2 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		}
		d := f.publish(t, "关于2026年春季学期收费标准的公示", gongkai.AudiencePublic)
		f.drain()
		if n := len(f.hook.received()); n != 1 {
			t.Fatalf("first try: %d calls", n)
		}
		// Not yet due again: nothing happens.
		f.drain()
		if n := len(f.hook.received()); n != 1 {
			t.Fatalf("retried before the backoff: %d calls", n)
		}
		f.advance(time.Minute)
		f.drain()
		f.advance(time.Minute)
		f.drain()
		calls := f.hook.received()
		if len(calls) != 3 || calls[2].Status != 200 {
			t.Fatalf("calls: %d", len(calls))
		}
		// The same bytes every time, so the receiver can deduplicate.
		for _, c := range calls {
			checkSignature(t, c)
			if string(c.Body) != string(calls[0].Body) || c.Header.Get("X-Gongkai-Delivery") != calls[0].Header.Get("X-Gongkai-Delivery") {
				t.Fatal("retries differ")
			}
		}
		p := f.hook.ok(t)[0]
		item := p["disclosure"].(map[string]any)
		if p["type"] != "disclosure.published" || item["title"] != "关于2026年春季学期收费标准的公示" || item["url"] != fmt.Sprintf("https://gongkai.example.cn/s/xq/d/%d", d.ID) {
			t.Fatalf("payload %v", p)
		}
		if pending, failed, _ := f.db.OutboxStats(ctx); pending != 0 || failed != 0 {
			t.Fatalf("pending %d failed %d", pending, failed)
		}

		// An item for staff only is announced without its title.
		f.publish(t, "绩效工资分配方案", gongkai.AudienceStaff)
		f.drain()
		ok := f.hook.ok(t)
		if last := ok[len(ok)-1]["disclosure"].(map[string]any); last["title"] != nil || last["audience"] != "staff" {
			t.Fatalf("staff item payload %v", last)
		}

		// A receiver that never recovers is given up after MaxAttempts.
		f.hook.status = func(int) int { return http.StatusBadGateway }
		before := len(f.hook.received())
		f.publish(t, "关于食堂招标结果的公示", gongkai.AudiencePublic)
		for i := 0; i < MaxAttempts+2; i++ {
			f.drain()
			f.advance(time.Minute)
		}
		if n := len(f.hook.received()) - before; n != MaxAttempts {
			t.Fatalf("tried %d times, want %d", n, MaxAttempts)
		}
		if pending, failed, _ := f.db.OutboxStats(ctx); pending != 0 || failed != 1 {
			t.Fatalf("pending %d failed %d", pending, failed)
		}
	})
}

func (f *fixture) publish(t *testing.T, title string, aud gongkai.Audience) *gongkai.Disclosure {
	t.Helper()
	ctx := context.Background()
	d := &gongkai.Disclosure{Title: title, Body: title + "：具体内容如下。", Category: "finance", Audience: aud, PublicityDays: 5}
	must(t, f.db.CreateDisclosure(ctx, f.school.ID, f.actor(gongkai.RoleClerk), d))
	for _, s := range []struct {
		r gongkai.Role
		a gongkai.Action
	}{{gongkai.RoleClerk, gongkai.ActionSubmit}, {gongkai.RolePrincipal, gongkai.ActionApprove}, {gongkai.RoleSupervisor, gongkai.ActionCheck}, {gongkai.RoleClerk, gongkai.ActionPublish}} {
		_, err := f.db.Act(ctx, f.school.ID, d.ID, f.actor(s.r), s.a, "", nil)
		must(t, err)
	}
	return d
}

func TestDispatch_OverdueRaisedOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		late, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "操场照明不足", Body: "晚上操场太暗。", Anonymous: true})
		must(t, err)
		f.advance(3 * 24 * time.Hour)
		onTime, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "校门口交通拥堵", Body: "放学时校门口很堵。", Anonymous: true})
		must(t, err)
		_ = onTime
		f.drain()
		// Due Monday 03-09; on Tuesday 03-10 at 10:00 it is overdue.
		f.setNow(time.Date(2026, 3, 10, 10, 0, 0, 0, gongkai.Beijing))
		other := f.dispatcher(f.open(), true)
		for _, d := range []*Dispatcher{f.d, other, f.d} {
			if _, err := d.RaiseOverdue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		f.drain(f.d, other)
		want := "来信已超期未答复：操场照明不足"
		for _, r := range []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor} {
			var n int
			for _, m := range f.smtp.to(email(r)) {
				if strings.HasPrefix(m.Subject, "来信已超期") {
					n++
					if m.Subject != want {
						t.Fatalf("%s: %q", r, m.Subject)
					}
				}
			}
			if n != 1 {
				t.Fatalf("%s told %d times", r, n)
			}
		}
		var overdue []map[string]any
		for _, p := range f.hook.ok(t) {
			if p["type"] == "feedback.overdue" {
				overdue = append(overdue, p)
			}
		}
		if len(overdue) != 1 || overdue[0]["feedback"].(map[string]any)["id"] != float64(late.ID) || overdue[0]["feedback"].(map[string]any)["overdue"] != true {
			t.Fatalf("overdue webhooks: %v", overdue)
		}
		// An hour later the sweep runs again and says nothing new.
		f.advance(time.Hour)
		must(t, f.d.Sweep(ctx))
		f.drain()
		n := 0
		for _, m := range f.smtp.to(email(gongkai.RoleSupervisor)) {
			if strings.HasPrefix(m.Subject, "来信已超期") {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("supervisor told %d times of overdue cases, want 1", n)
		}
	})
}

func TestDispatch_WeeklyDigestOncePerWeek(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		// Last week: an opinion now overdue, a report (the supervision
		// group's only), and a letter answered this week.
		_, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "操场照明不足", Body: "晚上操场太暗。", Anonymous: true})
		must(t, err)
		_, _, err = f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindReport, About: gongkai.SubjectStaff, AboutName: "某老师", Subject: "补课收费", Body: "有老师有偿补课。", Anonymous: true})
		must(t, err)
		f.advance(4 * 24 * time.Hour) // Friday 03-06
		letter, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindMailbox, Subject: "午餐质量", Body: "午餐偏咸。", Anonymous: true})
		must(t, err)
		f.setNow(time.Date(2026, 3, 9, 15, 0, 0, 0, gongkai.Beijing)) // Monday
		_, err = f.db.HandleFeedback(ctx, f.school.ID, letter.ID, f.actor(gongkai.RolePrincipal), gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "已调整。"})
		must(t, err)
		f.drain()
		digests := func(r gongkai.Role) []*sentMail {
			var out []*sentMail
			for _, m := range f.smtp.to(email(r)) {
				if strings.HasPrefix(m.Subject, "意见与来信周报") {
					out = append(out, m)
				}
			}
			return out
		}

		// Monday: not yet. Tuesday 07:59: not yet.
		nodes := []*Dispatcher{f.d, f.dispatcher(f.open(), true)}
		must(t, nodes[0].Sweep(ctx))
		f.setNow(time.Date(2026, 3, 10, 7, 59, 0, 0, gongkai.Beijing))
		must(t, nodes[1].Sweep(ctx))
		f.drain(nodes...)
		if n := len(digests(gongkai.RoleSupervisor)); n != 0 {
			t.Fatalf("digest before Tuesday 08:00")
		}
		// Tuesday 08:00: both nodes sweep, twice; one digest each.
		f.setNow(time.Date(2026, 3, 10, 8, 0, 0, 0, gongkai.Beijing))
		var wg sync.WaitGroup
		for _, d := range append(nodes, nodes...) {
			wg.Add(1)
			go func() { defer wg.Done(); must(t, d.Sweep(ctx)) }()
		}
		wg.Wait()
		f.drain(nodes...)
		sup, prin := digests(gongkai.RoleSupervisor), digests(gongkai.RolePrincipal)
		if len(sup) != 1 || len(prin) != 1 {
			t.Fatalf("digests: supervisor %d, principal %d", len(sup), len(prin))
		}
		for _, r := range []gongkai.Role{gongkai.RoleLeader, gongkai.RoleClerk, gongkai.RoleParent} {
			if n := len(digests(r)); n != 0 {
				t.Fatalf("%s got a digest", r)
			}
		}
		// The supervision group sees every open case, overdue first; the
		// principal not the report.
		if sup[0].Subject != "意见与来信周报：待办 2 件，超期 1 件" {
			t.Fatalf("supervisor's digest: %q\n%s", sup[0].Subject, sup[0].Body)
		}
		b := sup[0].Body
		late := strings.Index(b, "【超期】意见建议 · 操场照明不足 · 已受理 · 已 7 天 · 答复期限 2026年3月9日（逾期 1 个工作日）\n")
		report := strings.Index(b, "举报 · 补课收费 · 已受理 · 已 7 天 · 答复期限 2026年3月23日（剩余 9 个工作日）\n")
		if !strings.Contains(b, "2026年第11周") || !strings.Contains(b, "过去一周收到 1 件，答复 1 件") || late < 0 || report < late {
			t.Fatalf("supervisor's digest (overdue first, the report's 15 working days not yet over):\n%s", b)
		}
		if prin[0].Subject != "意见与来信周报：待办 1 件，超期 1 件" || strings.Contains(prin[0].Body, "补课") {
			t.Fatalf("principal's digest: %q\n%s", prin[0].Subject, prin[0].Body)
		}
		items, _, _, _ := f.db.FindNotifications(ctx, f.users[gongkai.RoleSupervisor].ID, 1)
		if len(items) == 0 || items[0].Title != sup[0].Subject || items[0].Link != "/s/xq/cases" {
			t.Fatalf("in-app digest: %+v", items)
		}
		// Later the same week: nothing more. Next Tuesday: the next one.
		f.advance(26 * time.Hour)
		for _, d := range nodes {
			must(t, d.Sweep(ctx))
		}
		f.drain(nodes...)
		if len(digests(gongkai.RoleSupervisor)) != 1 {
			t.Fatal("a second digest in one week")
		}
		f.setNow(time.Date(2026, 3, 17, 9, 0, 0, 0, gongkai.Beijing))
		must(t, nodes[1].Sweep(ctx))
		f.drain(nodes...)
		if got := digests(gongkai.RoleSupervisor); len(got) != 2 || !strings.Contains(got[1].Body, "2026年第12周") {
			t.Fatalf("next week's digest: %d", len(got))
		}
	})
}

// TestDispatch_TwoNodesDeliverOnce runs two dispatchers with their own
// stores on one database at the same time: every mail and webhook call
// goes out once.
func TestDispatch_TwoNodesDeliverOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		const cases = 12
		for i := 0; i < cases; i++ {
			_, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion,
				Subject: fmt.Sprintf("第%d条建议", i+1), Body: fmt.Sprintf("内容%d", i+1), Anonymous: true})
			must(t, err)
		}
		nodes := []*Dispatcher{f.d, f.dispatcher(f.open(), true)}
		var wg sync.WaitGroup
		for _, d := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					n, err := d.RunOnce(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		f.drain(nodes...)
		seen := map[string]int{}
		for _, m := range f.smtp.all() {
			seen[m.To[0]+" "+m.Subject]++
		}
		// principal, leader, supervisor and the school's address, per case.
		if len(seen) != cases*4 {
			t.Fatalf("%d distinct mails, want %d", len(seen), cases*4)
		}
		for k, n := range seen {
			if n != 1 {
				t.Fatalf("%s delivered %d times", k, n)
			}
		}
		if n := len(f.hook.received()); n != cases {
			t.Fatalf("%d webhook calls, want %d", n, cases)
		}
	})
}

func TestDispatch_WithoutSMTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		f.d = f.dispatcher(f.db, false)
		if f.d.MailEnabled() {
			t.Fatal("mail on without --smtp")
		}
		_, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "建议", Body: "内容", SenderName: "王", Email: "w@example.cn"})
		must(t, err)
		f.drain()
		if n := len(f.smtp.all()); n != 0 {
			t.Fatalf("%d mails without SMTP", n)
		}
		if n, _ := f.db.CountUnreadNotifications(ctx, f.users[gongkai.RolePrincipal].ID); n != 1 {
			t.Fatalf("in-app: %d", n)
		}
		if n := len(f.hook.received()); n != 1 {
			t.Fatalf("webhook: %d", n)
		}
		if evs, _ := f.db.FindEvents(ctx, f.school.ID, time.Time{}, "mail.send"); len(evs) != 0 {
			t.Fatalf("mail events queued without SMTP: %d", len(evs))
		}
	})
}

func TestMail_RequiredTLSIsNotSkipped(t *testing.T) {
	// The loopback server offers no STARTTLS: with the default policy the
	// message must not go out in clear text.
	sink := newSMTPSink(t)
	m, err := parseSMTP("smtp://"+smtpUser+":pw@"+sink.addr, "noreply@example.cn")
	must(t, err)
	err = m.send(context.Background(), "学校", "a@example.cn", "", "主题", "正文")
	if err == nil || len(sink.all()) != 0 {
		t.Fatalf("sent without TLS: %v", err)
	}
	// Wrong credentials are refused.
	m, err = parseSMTP("smtp://"+smtpUser+":wrong@"+sink.addr+"?starttls=none", "noreply@example.cn")
	must(t, err)
	if err := m.send(context.Background(), "学校", "a@example.cn", "", "主题", "正文"); err == nil || len(sink.all()) != 0 {
		t.Fatalf("sent with a wrong password: %v", err)
	}
}

func TestParseSMTP(t *testing.T) {
	tests := []struct {
		spec, from string
		want       string // String(), or "error"
	}{
		{"smtp://u:p@mail.example.cn:587", "noreply@example.cn", "smtp://mail.example.cn:587 (TLSMandatory)"},
		{"smtp://mail.example.cn", "noreply@example.cn", "smtp://mail.example.cn:587 (TLSMandatory)"},
		{"smtp://u:p@mail.example.cn:25?starttls=opportunistic", "noreply@example.cn", "smtp://mail.example.cn:25 (TLSOpportunistic)"},
		{"smtp://127.0.0.1:2525?starttls=none", "校务公开 <noreply@example.cn>", "smtp://127.0.0.1:2525 (NoTLS)"},
		{"smtps://u:p@smtp.qq.com", "noreply@example.cn", "smtps://smtp.qq.com:465 (TLSMandatory)"},
		{"http://mail.example.cn", "noreply@example.cn", "error"},
		{"smtp://mail.example.cn?starttls=maybe", "noreply@example.cn", "error"},
		{"smtp://mail.example.cn:99999", "noreply@example.cn", "error"},
		{"smtp://mail.example.cn", "", "error"},
		{"smtp://mail.example.cn", "not an address", "error"},
		{"smtp://u:p@mail.example.cn?auth=xoauth", "noreply@example.cn", "error"},
		{"smtp://:587", "noreply@example.cn", "error"},
	}
	for _, tt := range tests {
		m, err := parseSMTP(tt.spec, tt.from)
		got := "error"
		if err == nil {
			got = m.String()
		} else if strings.Contains(err.Error(), ":p@") {
			t.Errorf("%s: the error shows the password: %v", tt.spec, err)
		}
		if got != tt.want {
			t.Errorf("parseSMTP(%q, %q) = %s (%v), want %s", tt.spec, tt.from, got, err, tt.want)
		}
	}
}

func TestDigestWeek(t *testing.T) {
	tests := []struct {
		at   time.Time
		week string
		due  bool
	}{
		{time.Date(2026, 3, 9, 23, 0, 0, 0, gongkai.Beijing), "2026-W11", false},  // Monday
		{time.Date(2026, 3, 10, 7, 59, 0, 0, gongkai.Beijing), "2026-W11", false}, // Tuesday before 08:00
		{time.Date(2026, 3, 10, 8, 0, 0, 0, gongkai.Beijing), "2026-W11", true},
		{time.Date(2026, 3, 10, 0, 30, 0, 0, time.UTC), "2026-W11", true}, // 08:30 in Beijing
		{time.Date(2026, 3, 15, 23, 59, 0, 0, gongkai.Beijing), "2026-W11", true},
		{time.Date(2026, 12, 29, 9, 0, 0, 0, gongkai.Beijing), "2026-W53", true},
		{time.Date(2027, 1, 5, 9, 0, 0, 0, gongkai.Beijing), "2027-W01", true},
	}
	for _, tt := range tests {
		week, due := DigestWeek(tt.at)
		if week != tt.week || due != tt.due {
			t.Errorf("DigestWeek(%v) = %s %v, want %s %v", tt.at, week, due, tt.week, tt.due)
		}
	}
}

func TestDispatch_EscalationAndSupport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		// An answered letter the sender is unhappy with goes to the bureau;
		// the school people who handled it are told too.
		fb, secret, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindMailbox, Subject: "校服费用", Body: "校服价格偏高。", Anonymous: true})
		must(t, err)
		_, err = f.db.HandleFeedback(ctx, f.school.ID, fb.ID, f.actor(gongkai.RolePrincipal), gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "价格经招标确定。"})
		must(t, err)
		_, err = f.db.SenderAct(ctx, fb.Receipt, secret, 0, gongkai.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingUnsatisfied})
		must(t, err)
		_, err = f.db.SenderAct(ctx, fb.Receipt, secret, 0, gongkai.SenderStep{Action: gongkai.FActEscalate, Body: "希望教育局核查。"})
		must(t, err)
		f.drain()
		want := "来信人对答复不满意，已提请教育局督办：校服费用"
		for _, to := range []string{f.admin.Email, email(gongkai.RolePrincipal), email(gongkai.RoleSupervisor)} {
			var got []string
			for _, m := range f.smtp.to(to) {
				if strings.Contains(m.Subject, "督办") {
					got = append(got, m.Subject)
				}
			}
			if len(got) != 1 || got[0] != want {
				t.Fatalf("%s got %q", to, got)
			}
		}
		if got := f.smtp.to(email(gongkai.RolePrincipal)); !strings.Contains(strings.Join(subjects(got), "|"), "来信人评价“不满意”：校服费用") {
			t.Fatalf("the unsatisfied rating was not told: %q", subjects(got))
		}

		// A disclosure request: the handlers hear once, when the third
		// supporter (the school's threshold) signs.
		req, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindRequest, Subject: "公开食堂每月收支", Body: "请公开食堂每月的收支明细。", Anonymous: true})
		must(t, err)
		for _, r := range []gongkai.Role{gongkai.RoleParent, gongkai.RoleStaff, gongkai.RoleRepresentative, gongkai.RoleClerk} {
			_, err := f.db.SupportRequest(ctx, f.school.ID, req.ID, f.users[r].ID)
			must(t, err)
		}
		f.drain()
		var told []string
		for _, m := range f.smtp.to(email(gongkai.RoleLeader)) {
			if strings.Contains(m.Subject, "联名") {
				told = append(told, m.Subject)
			}
		}
		if len(told) != 1 || told[0] != "点题公开申请已有 3 人联名，须公开答复：公开食堂每月收支" {
			t.Fatalf("leader told %q", told)
		}
	})
}

// A notice delivered after the case was answered gives its deadline but no
// countdown: "逾期" beside a case the school answered in time is untrue.
func TestDispatch_AnsweredCaseNoLongerCountsDown(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		fb, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion,
			Subject: "食堂菜价公示不全", Body: "希望公示每道菜的价格。", SenderName: "李先生"})
		must(t, err)
		_, err = f.db.HandleFeedback(ctx, f.school.ID, fb.ID, f.actor(gongkai.RolePrincipal), gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "已在食堂门口补充公示。"})
		must(t, err)
		f.advance(30 * 24 * time.Hour) // delivered long after the deadline
		f.drain()
		got := f.smtp.to(email(gongkai.RoleSupervisor))
		var body string
		for _, m := range got {
			if m.Subject == "新的意见建议：食堂菜价公示不全" {
				body = m.Body
			}
		}
		if !strings.Contains(body, "答复期限：2026年3月9日") {
			t.Fatalf("the notice of the new case lacks its deadline:\n%s", body)
		}
		if strings.Contains(body, "逾期") || strings.Contains(body, "剩余") || strings.Contains(body, "今日到期") {
			t.Errorf("the notice of an answered case still counts down:\n%s", body)
		}
	})
}
