// Package notify delivers what the store's outbox records: in-app
// notifications, e-mail over SMTP and each school's webhook. It also raises
// the events nobody's action causes: overdue cases and the weekly digest.
//
// Delivery is at least once: an event is claimed with a lease (on
// PostgreSQL with SKIP LOCKED, so several nodes never take the same one),
// turned into notifications and one further event per e-mail and webhook
// call in one transaction, and each of those is retried on its own with
// backoff. Webhook receivers deduplicate by X-Gongkai-Delivery.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// Config is how the dispatcher reaches the world.
type Config struct {
	// SMTP is the mail server, "smtp://user:pass@host:587?starttls=required"
	// or "smtps://user:pass@host:465"; empty turns e-mail off.
	SMTP string
	// From is the sender address, e.g. "校务公开 <noreply@example.org>".
	From string
	// BaseURL is where the site is reached, for links in e-mail.
	BaseURL string
	// Now is the clock; nil for time.Now.
	Now func() time.Time
	// HTTP posts webhooks; nil for a client with a 10 s timeout that
	// follows no redirects.
	HTTP *http.Client
	// Backoff is the wait before the given failed attempt is retried; nil
	// for 15 s doubling up to an hour, plus up to a tenth at random.
	Backoff func(attempt int) time.Duration
	// Poll is how often the outbox is checked when idle; 0 for a second.
	Poll time.Duration
}

// MaxAttempts is how often a delivery is tried before it is given up and
// left in the outbox with its last error.
const MaxAttempts = 8

// Dispatcher delivers the outbox.
type Dispatcher struct {
	cfg  Config
	db   *store.DB
	log  *slog.Logger
	mail *mailer // nil: e-mail is off
	http *http.Client

	mu         sync.Mutex
	digestDone string // the ISO week whose digests this node saw through
}

// New checks the configuration and returns a dispatcher.
func New(cfg Config, db *store.DB, log *slog.Logger) (*Dispatcher, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{cfg: cfg, db: db, log: log, http: cfg.HTTP}
	if cfg.SMTP != "" {
		m, err := parseSMTP(cfg.SMTP, cfg.From)
		if err != nil {
			return nil, err
		}
		d.mail = m
	}
	if d.http == nil {
		d.http = &http.Client{
			Timeout: webhookTimeout,
			// A webhook answers where it is configured; a redirect is a
			// misconfiguration, not an invitation to post elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if d.cfg.Backoff == nil {
		d.cfg.Backoff = func(attempt int) time.Duration {
			wait := min(15*time.Second<<max(attempt-1, 0), time.Hour)
			return wait + rand.N(wait/10+1) // spread the retries of many events
		}
	}
	if d.cfg.Poll <= 0 {
		d.cfg.Poll = time.Second
	}
	d.cfg.BaseURL = strings.TrimRight(d.cfg.BaseURL, "/")
	return d, nil
}

func (d *Dispatcher) now() time.Time {
	if d.cfg.Now != nil {
		return d.cfg.Now()
	}
	return time.Now()
}

// MailEnabled reports whether an SMTP server is configured.
func (d *Dispatcher) MailEnabled() bool { return d.mail != nil }

// Run delivers events until ctx ends: it checks the outbox every Poll,
// and runs the periodic jobs (overdue cases, the weekly digest, pruning)
// every minute.
func (d *Dispatcher) Run(ctx context.Context) {
	if d.mail == nil {
		d.log.Info("e-mail is off: no --smtp configured; in-app notifications and webhooks still go out")
	} else {
		d.log.Info("e-mail on", "smtp", d.mail.String(), "from", d.mail.from.Address)
	}
	if d.cfg.BaseURL == "" && d.mail != nil {
		d.log.Warn("no --base-url: links in e-mail are relative")
	}
	tick := time.NewTicker(d.cfg.Poll)
	defer tick.Stop()
	var lastJobs time.Time
	for {
		for ctx.Err() == nil {
			n, err := d.RunOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					d.log.Error("outbox", "err", err)
				}
				break
			}
			if n < batchSize {
				break
			}
		}
		if time.Since(lastJobs) >= time.Minute {
			lastJobs = time.Now()
			if err := d.Sweep(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("notification jobs", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

const (
	batchSize = 20
	workers   = 4
)

// RunOnce claims one batch of due events and delivers them, returning how
// many it claimed.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	evs, err := d.db.ClaimEvents(ctx, batchSize)
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for _, ev := range evs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			// A claimed event is delivered to the end even when the node
			// is shutting down, so it is neither half sent nor logged as failed.
			d.deliver(context.WithoutCancel(ctx), ev)
		}()
	}
	wg.Wait()
	return len(evs), nil
}

// permanentError is a failure that retrying cannot mend.
type permanentError struct{ error }

func permanent(err error) error { return permanentError{err} }

func (d *Dispatcher) deliver(ctx context.Context, ev *store.OutboxEvent) {
	out, err := d.handle(ctx, ev)
	// What was delivered is recorded even when the server shuts down
	// meanwhile, or the receiver would get it twice.
	wctx := context.WithoutCancel(ctx)
	log := d.log.With("event", ev.ID, "type", ev.Type, "school", ev.SchoolID, "attempt", ev.Attempts)
	if err == nil {
		if err := d.db.FinishEvent(wctx, ev, out); err != nil {
			log.Error("finish event", "err", err)
		}
		return
	}
	var pe permanentError
	isPermanent := errors.As(err, &pe)
	if isPermanent || ev.Attempts >= MaxAttempts {
		log.Error("delivery given up", "err", err)
		if err := d.db.FailEvent(wctx, ev, err); err != nil {
			log.Error("fail event", "err", err)
		}
		return
	}
	wait := d.cfg.Backoff(ev.Attempts)
	log.Warn("delivery failed, will retry", "err", err, "in", wait.Round(time.Second).String())
	if err := d.db.RetryEvent(wctx, ev, err, wait); err != nil {
		log.Error("retry event", "err", err)
	}
}

// handle delivers one event, or turns it into what is to be delivered.
func (d *Dispatcher) handle(ctx context.Context, ev *store.OutboxEvent) (store.Outcome, error) {
	switch {
	case ev.Type == typeMail:
		return store.Outcome{}, d.sendMail(ctx, ev)
	case ev.Type == typeWebhook:
		return store.Outcome{}, d.postWebhook(ctx, ev)
	}
	school, err := d.db.FindSchoolByID(ctx, ev.SchoolID)
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		return store.Outcome{}, permanent(fmt.Errorf("school %d is gone", ev.SchoolID))
	}
	if err != nil {
		return store.Outcome{}, err
	}
	switch {
	case ev.Type == typeDigest:
		return d.digest(ctx, ev, school)
	case ev.Type.Family() == "feedback":
		return d.feedback(ctx, ev, school)
	case ev.Type == typeRedacted:
		return d.redacted(ctx, ev, school)
	case ev.Type.Family() == "disclosure":
		return d.disclosure(ctx, ev, school)
	case ev.Type.Family() == "obligation":
		return d.obligation(ctx, ev, school)
	case ev.Type.Family() == "survey":
		return d.survey(ctx, ev, school)
	case ev.Type.Family() == "inspection":
		return d.inspection(ctx, ev, school)
	case ev.Type.Family() == "order":
		return d.order(ctx, ev, school)
	}
	return store.Outcome{}, nil // nobody listens for it (yet)
}

// Event types the dispatcher makes for itself.
const (
	typeMail    = gongkai.EventMailSend
	typeWebhook = gongkai.EventWebhookPost
	typeDigest  = gongkai.EventDigestWeekly
)

// mailEvent is one e-mail to deliver, as an outbox event of its own so it
// is retried alone.
func (d *Dispatcher) mailEvent(school *gongkai.School, to, toName, subject, body string) store.Event {
	return store.Event{SchoolID: school.ID, Type: typeMail, Data: map[string]any{
		"to": to, "name": toName, "from_name": school.Name + " 校务公开", "subject": subject, "body": body,
	}}
}

func (d *Dispatcher) sendMail(ctx context.Context, ev *store.OutboxEvent) error {
	if d.mail == nil {
		return nil // e-mail was turned off since; nothing to do
	}
	s := func(k string) string { v, _ := ev.Data[k].(string); return v }
	if s("to") == "" {
		return permanent(fmt.Errorf("mail: no recipient"))
	}
	return d.mail.send(ctx, s("from_name"), s("to"), s("name"), s("subject"), s("body"))
}

// link makes an absolute URL of a path for e-mail.
func (d *Dispatcher) link(path string) string { return d.cfg.BaseURL + path }

// mailText lays out an e-mail: greeting, lines, the link, the footer.
func (d *Dispatcher) mailText(name string, lines []string, path string) string {
	var b strings.Builder
	if name != "" {
		b.WriteString(name + "，您好：\n\n")
	} else {
		b.WriteString("您好：\n\n")
	}
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	if path != "" {
		b.WriteString("\n" + d.link(path) + "\n")
	}
	b.WriteString("\n——\n此邮件由校务公开平台自动发送，请勿直接回复。\n")
	return b.String()
}
