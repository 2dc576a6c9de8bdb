package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"gongkai"
)

// Limits of a school's feedback settings.
const (
	MaxReplyDays        = 60    // working days; the national rule for information requests is 20
	MaxSupportThreshold = 10000 // supporters
)

func defaultFeedbackSettings(schoolID int64) *FeedbackSettings {
	s := &FeedbackSettings{SchoolID: schoolID, ReplyDays: map[gongkai.FeedbackKind]int{}, SupportThreshold: gongkai.DefaultSupportThreshold}
	for k, d := range gongkai.DefaultReplyDays {
		s.ReplyDays[k] = d
	}
	return s
}

func scanFeedbackSettings(row *sql.Row, schoolID int64) (*FeedbackSettings, error) {
	s := defaultFeedbackSettings(schoolID)
	var obj, op, mb, rep, req int
	err := row.Scan(&obj, &op, &mb, &rep, &req, &s.SupportThreshold, &s.NotifyEmail, &s.WebhookURL, &s.WebhookSecret)
	if errors.Is(err, sql.ErrNoRows) {
		return defaultFeedbackSettings(schoolID), nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: feedback settings of school %d: %w", schoolID, err)
	}
	s.ReplyDays = map[gongkai.FeedbackKind]int{gongkai.KindObjection: obj, gongkai.KindOpinion: op, gongkai.KindMailbox: mb, gongkai.KindReport: rep, gongkai.KindRequest: req}
	return s, nil
}

const feedbackSettingsQuery = `SELECT days_objection, days_opinion, days_mailbox, days_report, days_request, support_threshold, notify_email, webhook_url, webhook_secret
	FROM feedback_settings WHERE school_id = $1`

// FindFeedbackSettings returns the school's settings, with the defaults
// for a school that never changed them.
func (db *DB) FindFeedbackSettings(ctx context.Context, schoolID int64) (*FeedbackSettings, error) {
	return scanFeedbackSettings(db.read.QueryRowContext(ctx, feedbackSettingsQuery, schoolID), schoolID)
}

func (tx *Tx) feedbackSettings(ctx context.Context, schoolID int64) (*FeedbackSettings, error) {
	return scanFeedbackSettings(tx.QueryRowContext(ctx, feedbackSettingsQuery, schoolID), schoolID)
}

// Validate checks the settings; a kind left out of ReplyDays gets its
// default.
func (s *FeedbackSettings) Validate() error {
	fe := gongkai.FieldErrors{}
	if s.ReplyDays == nil {
		s.ReplyDays = map[gongkai.FeedbackKind]int{}
	}
	for k := range s.ReplyDays {
		if !k.Valid() {
			fe.Add("reply_days", "反映类型无效。")
		}
	}
	for _, k := range gongkai.FeedbackKinds {
		d, ok := s.ReplyDays[k]
		if !ok {
			s.ReplyDays[k] = gongkai.DefaultReplyDays[k]
			continue
		}
		if d < 1 || d > MaxReplyDays {
			fe.Add("days_"+string(k), fmt.Sprintf("“%s”的答复期限须为 1–%d 个工作日。", k.Label(), MaxReplyDays))
		}
	}
	if s.SupportThreshold < 2 || s.SupportThreshold > MaxSupportThreshold {
		fe.Add("support_threshold", fmt.Sprintf("联名人数须为 2–%d 人。", MaxSupportThreshold))
	}
	s.NotifyEmail = strings.TrimSpace(s.NotifyEmail)
	if e := s.NotifyEmail; e != "" && (len(e) > 200 || !strings.Contains(e, "@") || strings.ContainsAny(e, " \t\r\n<>,;\x00")) {
		fe.Add("notify_email", "电子邮箱格式不正确。")
	}
	s.WebhookURL = strings.TrimSpace(s.WebhookURL)
	if s.WebhookURL != "" {
		u, err := url.Parse(s.WebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s.WebhookURL) > 500 || u.User != nil {
			fe.Add("webhook_url", "回调地址须为 http:// 或 https:// 开头的网址。")
		}
	}
	if utf8.RuneCountInString(s.WebhookSecret) > 200 || strings.ContainsAny(s.WebhookSecret, "\x00\r\n") {
		fe.Add("webhook_secret", "回调密钥不能超过 200 个字符，且不能换行。")
	}
	if s.WebhookURL != "" && s.WebhookSecret == "" {
		fe.Add("webhook_secret", "设置回调地址时请同时设置回调密钥，以便对方核验来源。")
	}
	return fe.Err()
}

// UpdateFeedbackSettings saves the school's settings; the caller checks
// that the actor may manage the school (gongkai.CanManageSchool). New
// deadlines apply to cases received from then on.
func (db *DB) UpdateFeedbackSettings(ctx context.Context, s *FeedbackSettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schools WHERE id = $1`, s.SchoolID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound("学校")
		}
		d := s.ReplyDays
		_, err := tx.ExecContext(ctx, `INSERT INTO feedback_settings (school_id, days_objection, days_opinion, days_mailbox, days_report, days_request,
			support_threshold, notify_email, webhook_url, webhook_secret, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (school_id) DO UPDATE SET days_objection = excluded.days_objection, days_opinion = excluded.days_opinion,
			days_mailbox = excluded.days_mailbox, days_report = excluded.days_report, days_request = excluded.days_request,
			support_threshold = excluded.support_threshold, notify_email = excluded.notify_email, webhook_url = excluded.webhook_url,
			webhook_secret = excluded.webhook_secret, updated_at = excluded.updated_at`,
			s.SchoolID, d[gongkai.KindObjection], d[gongkai.KindOpinion], d[gongkai.KindMailbox], d[gongkai.KindReport], d[gongkai.KindRequest],
			s.SupportThreshold, s.NotifyEmail, s.WebhookURL, s.WebhookSecret, ms(tx.Now))
		if err != nil {
			return fmt.Errorf("store: save feedback settings of school %d: %w", s.SchoolID, err)
		}
		return nil
	})
}

// FindReplyTemplates returns the school's reply templates by kind and title.
func (db *DB) FindReplyTemplates(ctx context.Context, schoolID int64) ([]ReplyTemplate, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, school_id, kind, title, body FROM feedback_templates WHERE school_id = $1 ORDER BY kind, title, id`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: reply templates of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	var out []ReplyTemplate
	for rows.Next() {
		var t ReplyTemplate
		var kind string
		if err := rows.Scan(&t.ID, &t.SchoolID, &kind, &t.Title, &t.Body); err != nil {
			return nil, err
		}
		t.Kind = gongkai.FeedbackKind(kind)
		out = append(out, t)
	}
	return out, rows.Err()
}

// SaveReplyTemplate creates (ID 0) or updates a reply template of
// t.SchoolID; the caller checks that the actor may handle the school's
// feedback. ENOTFOUND for a template of another school.
func (db *DB) SaveReplyTemplate(ctx context.Context, t *ReplyTemplate) error {
	t.Title, t.Body = strings.TrimSpace(t.Title), strings.TrimSpace(strings.ReplaceAll(t.Body, "\r\n", "\n"))
	fe := gongkai.FieldErrors{}
	if t.Kind != "" && !t.Kind.Valid() {
		fe.Add("kind", "反映类型无效。")
	}
	if t.Title == "" {
		fe.Add("title", "请填写模板名称。")
	} else if utf8.RuneCountInString(t.Title) > 100 || strings.ContainsAny(t.Title, "\x00\n\r") {
		fe.Add("title", "模板名称不能超过 100 字，且不能换行。")
	}
	if err := gongkai.CheckFeedbackText("body", t.Body, true, gongkai.MaxFeedbackBody); err != nil {
		fe.Add("body", gongkai.ErrorFields(err)["body"])
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if t.ID == 0 {
			err := tx.QueryRowContext(ctx, `INSERT INTO feedback_templates (school_id, kind, title, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
				t.SchoolID, string(t.Kind), t.Title, t.Body, ms(tx.Now)).Scan(&t.ID)
			if err != nil {
				return fmt.Errorf("store: create reply template: %w", err)
			}
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE feedback_templates SET kind = $1, title = $2, body = $3, updated_at = $4 WHERE school_id = $5 AND id = $6`,
			string(t.Kind), t.Title, t.Body, ms(tx.Now), t.SchoolID, t.ID)
		if err != nil {
			return fmt.Errorf("store: update reply template %d: %w", t.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("答复模板")
		}
		return nil
	})
}

// DeleteReplyTemplate removes a reply template of the school.
func (db *DB) DeleteReplyTemplate(ctx context.Context, schoolID, id int64) error {
	return db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM feedback_templates WHERE school_id = $1 AND id = $2`, schoolID, id)
		if err != nil {
			return fmt.Errorf("store: delete reply template %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("答复模板")
		}
		return nil
	})
}
