package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// webhookTimeout bounds one webhook call.
const webhookTimeout = 10 * time.Second

// Sign returns the X-Gongkai-Signature value of a webhook body: the hex
// HMAC-SHA256 of the exact bytes with the school's secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// webhookEvent is the call to the school's webhook as an outbox event of
// its own; the body is fixed now, so every retry sends the same bytes and
// the receiver can deduplicate by the delivery id.
func (d *Dispatcher) webhookEvent(ev *store.OutboxEvent, school *gongkai.School, fields map[string]any) store.Event {
	payload := map[string]any{
		"id":          ev.ID,
		"type":        ev.Type,
		"school":      map[string]any{"id": school.ID, "slug": school.Slug, "name": school.Name},
		"subject":     ev.Subject,
		"occurred_at": ev.CreatedAt.In(gongkai.Beijing).Format(time.RFC3339),
	}
	for k, v := range fields {
		payload[k] = v
	}
	body, _ := json.Marshal(payload)
	return store.Event{SchoolID: school.ID, Type: typeWebhook, Subject: ev.ID,
		Data: map[string]any{"event": ev.Type, "body": string(body)}}
}

// feedbackWebhook describes the case for the school's own systems: its
// kind, state and deadline, never who sent it (no name, contact, e-mail or
// account, anonymous or not: those stay in gongkai, where reading them is
// logged). A report's subject stays out, and a report that bypasses the
// school is not announced to the school at all.
func (d *Dispatcher) feedbackWebhook(ev *store.OutboxEvent, school *gongkai.School, f *gongkai.Feedback, settings *store.FeedbackSettings) *store.Event {
	if settings == nil || settings.WebhookURL == "" || f.RoutesToBureau() || (f.Kind == gongkai.KindReport && f.ToBureau) {
		return nil
	}
	c := map[string]any{
		"id":          f.ID,
		"kind":        string(f.Kind),
		"kind_label":  f.Kind.Label(),
		"state":       string(f.State),
		"state_label": f.State.Label(),
		"anonymous":   f.Anonymous,
		"to_bureau":   f.ToBureau,
		"escalated":   f.Escalated,
		"overdue":     f.Overdue(d.now()),
		"url":         d.link(staffCasePath(school, f)),
	}
	if f.Kind != gongkai.KindReport {
		c["subject"] = f.Subject
	}
	if !f.Due.IsZero() {
		c["due"] = f.Due.In(gongkai.Beijing).Format("2006-01-02")
	}
	if f.Rating != "" {
		c["rating"] = string(f.Rating)
	}
	if f.Kind == gongkai.KindRequest {
		c["supporters"] = f.Supporters
	}
	e := d.webhookEvent(ev, school, map[string]any{"feedback": c})
	return &e
}

// postWebhook sends the body to the school's current webhook address; a
// school that removed its webhook meanwhile gets nothing.
func (d *Dispatcher) postWebhook(ctx context.Context, ev *store.OutboxEvent) error {
	settings, err := d.settings(ctx, ev.SchoolID)
	if err != nil {
		return err
	}
	if settings == nil || settings.WebhookURL == "" {
		return nil
	}
	u, err := url.Parse(settings.WebhookURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return permanent(errors.New("webhook: the address is not an http(s) URL"))
	}
	body, _ := ev.Data["body"].(string)
	typ, _ := ev.Data["event"].(string)
	ctx, cancel := context.WithTimeout(ctx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader([]byte(body)))
	if err != nil {
		return permanent(fmt.Errorf("webhook: %w", err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "gongkai-webhook/1")
	req.Header.Set("X-Gongkai-Event", typ)
	req.Header.Set("X-Gongkai-Delivery", strconv.FormatInt(ev.Subject, 10))
	if settings.WebhookSecret != "" {
		req.Header.Set("X-Gongkai-Signature", Sign(settings.WebhookSecret, []byte(body)))
	}
	resp, err := d.http.Do(req)
	if err != nil {
		// The address may carry a token: say what failed, not where.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // drained so the connection is reused; the status decides
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook: answered %s", resp.Status)
	}
	return nil
}
