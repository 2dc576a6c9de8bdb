package notify

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// mailer sends e-mail through one SMTP server.
//
// go-mail rather than net/smtp: net/smtp is frozen and only speaks the
// protocol. It builds no message (no MIME, no RFC 2047 encoding of Chinese
// subjects and names, no quoted-printable UTF-8 body, no Date or
// Message-ID), cannot require STARTTLS (SendMail uses it when offered and
// silently goes on in clear text when not), has no implicit TLS for port
// 465 (which QQ, 163 and Aliyun mail use), no LOGIN authentication, and no
// context or timeout on dialling.
type mailer struct {
	host     string
	port     int
	implicit bool // smtps: TLS from the first byte
	policy   gomail.TLSPolicy
	user     string
	pass     string
	auth     gomail.SMTPAuthType
	from     *mail.Address
}

// parseSMTP reads --smtp: smtp://user:pass@host:port?starttls=required
// (the default; or opportunistic, or none) or smtps://user:pass@host:465,
// with an optional auth=plain|login|cram-md5|scram-sha-256.
func parseSMTP(spec, from string) (*mailer, error) {
	u, err := url.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("notify: bad --smtp: %v", redactErr(err, spec))
	}
	m := &mailer{host: u.Hostname()}
	if m.host == "" {
		return nil, fmt.Errorf("notify: --smtp needs a host, e.g. smtp://user:pass@smtp.example.org:587")
	}
	switch u.Scheme {
	case "smtp":
		m.port = 587
	case "smtps":
		m.port, m.implicit = 465, true
	default:
		return nil, fmt.Errorf("notify: --smtp must start with smtp:// or smtps://")
	}
	if p := u.Port(); p != "" {
		if m.port, err = strconv.Atoi(p); err != nil || m.port <= 0 || m.port > 65535 {
			return nil, fmt.Errorf("notify: bad --smtp port %q", p)
		}
	}
	q := u.Query()
	switch q.Get("starttls") {
	case "", "required", "mandatory":
		m.policy = gomail.TLSMandatory
	case "opportunistic":
		m.policy = gomail.TLSOpportunistic
	case "none":
		m.policy = gomail.NoTLS
	default:
		return nil, fmt.Errorf("notify: --smtp starttls must be required, opportunistic or none")
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
		switch strings.ToLower(q.Get("auth")) {
		case "":
			// Without TLS, auto-discovery refuses the plain mechanisms;
			// PLAIN itself still refuses to send a password in clear text
			// to anything but this machine.
			m.auth = gomail.SMTPAuthAutoDiscover
			if m.policy == gomail.NoTLS && !m.implicit {
				m.auth = gomail.SMTPAuthPlain
			}
		case "plain":
			m.auth = gomail.SMTPAuthPlain
		case "login":
			m.auth = gomail.SMTPAuthLogin
		case "cram-md5":
			m.auth = gomail.SMTPAuthCramMD5
		case "scram-sha-256":
			m.auth = gomail.SMTPAuthSCRAMSHA256
		default:
			return nil, fmt.Errorf("notify: --smtp auth must be plain, login, cram-md5 or scram-sha-256")
		}
	}
	if from == "" {
		return nil, fmt.Errorf("notify: --smtp needs --mail-from, e.g. noreply@school.example.org")
	}
	if m.from, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("notify: bad --mail-from %q: %v", from, err)
	}
	return m, nil
}

// redactErr keeps a password in the URL out of a message.
func redactErr(err error, spec string) string {
	s := err.Error()
	if u, perr := url.Parse(spec); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			s = strings.ReplaceAll(s, p, "xxxxx")
		}
	}
	return s
}

// String describes the server without its password, for the log.
func (m *mailer) String() string {
	scheme := "smtp"
	if m.implicit {
		scheme = "smtps"
	}
	return fmt.Sprintf("%s://%s:%d (%s)", scheme, m.host, m.port, m.policy)
}

// send delivers one plain-text message; fromName is shown as the sender
// (the school), with the configured address.
func (m *mailer) send(ctx context.Context, fromName, to, toName, subject, body string) error {
	msg := gomail.NewMsg() // UTF-8, quoted-printable
	name := m.from.Name
	if fromName != "" {
		name = fromName
	}
	if err := msg.FromFormat(name, m.from.Address); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := msg.AddToFormat(toName, to); err != nil {
		return permanent(fmt.Errorf("mail: bad recipient address"))
	}
	msg.Subject(subject)
	msg.SetDate()
	msg.SetMessageID()
	// RFC 3834: no out-of-office replies to a robot.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, body)

	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(30 * time.Second)}
	if m.implicit {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(m.policy))
	}
	if m.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(m.auth), gomail.WithUsername(m.user), gomail.WithPassword(m.pass))
	}
	c, err := gomail.NewClient(m.host, opts...)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return nil
}
