package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/notify"
)

// mailSink is a real SMTP server on loopback (go-smtp, as in the notify
// tests) that keeps the messages it is given, decoded.
type mailSink struct {
	addr string
	mu   sync.Mutex
	msgs []sunkMail
}

type sunkMail struct{ To, Subject, Body string }

func newMailSink(t *testing.T) *mailSink {
	t.Helper()
	sink := &mailSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: sink}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	sink.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return sink
}

func (s *mailSink) messages() []sunkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunkMail(nil), s.msgs...)
}

type sinkSession struct {
	sink   *mailSink
	authed bool
	to     []string
}

func (s *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "gongkai" || pass != "sink pass" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}
func (s *sinkSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *sinkSession) Reset()                                    { s.to = nil }
func (s *sinkSession) Logout() error                             { return nil }
func (s *sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
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
	s.sink.msgs = append(s.sink.msgs, sunkMail{To: strings.Join(s.to, ","), Subject: subject, Body: strings.ReplaceAll(string(text), "\r\n", "\n")})
	s.sink.mu.Unlock()
	return nil
}

// The reset link reaches the person by e-mail when --smtp is set, and the
// link in the e-mail works.
func TestPeople_resetByEmail(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		sink := newMailSink(t)
		d, err := notify.New(notify.Config{SMTP: "smtp://gongkai:sink%20pass@" + sink.addr + "?starttls=none&auth=plain", From: "noreply@gongkai.test"}, h.db, nil)
		must(t, err)
		h.srv.cfg.Mail = d
		h.srv.cfg.BaseURL = h.ts.URL
		hash, err := auth.HashPassword(testPassword)
		must(t, err)
		u := &gongkai.User{Username: "he.jing", DisplayName: "何静", Email: "he.jing@school.test"}
		must(t, h.db.CreateMember(context.Background(), h.school.ID, u, hash, []gongkai.Role{gongkai.RoleStaff}, 0))

		resp, page := h.post(h.client("xq.principal"), fmt.Sprintf("/s/xq/manage/members/%d/reset", u.ID), nil)
		if resp.StatusCode != 200 || !strings.Contains(page, "已同时发送到本人的电子邮箱") {
			t.Fatalf("reset: %d", resp.StatusCode)
		}
		link := setPasswordLink(t, page)
		msgs := sink.messages()
		if len(msgs) != 1 {
			t.Fatalf("%d e-mails, want 1", len(msgs))
		}
		m := msgs[0]
		if m.To != "he.jing@school.test" || !strings.Contains(m.Subject, "重置") || !strings.Contains(m.Body, "何静") || !strings.Contains(m.Body, h.ts.URL+link) {
			t.Fatalf("e-mail %+v, want the link %s", m, link)
		}
		resp, _ = h.post(h.client(""), link, url.Values{"password": {"mailed new phrase"}, "again": {"mailed new phrase"}})
		if resp.StatusCode != 303 {
			t.Fatalf("the mailed link: %d", resp.StatusCode)
		}
		h.signIn(t, "he.jing", "mailed new phrase", "")
		// Someone without an address gets no e-mail; the admin hands the link over.
		resp, page = h.post(h.client("xq.principal"), fmt.Sprintf("/s/xq/manage/members/%d/reset", h.users["xq.staff"].ID), nil)
		if resp.StatusCode != 200 || strings.Contains(page, "已同时发送") || len(sink.messages()) != 1 {
			t.Errorf("reset without an address: %d, %d e-mails", resp.StatusCode, len(sink.messages()))
		}
	})
}
