package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
)

// Notification is an in-app notice to one user.
type Notification struct {
	ID        int64
	UserID    int64
	SchoolID  int64 // 0 when it concerns no one school
	Title     string
	Body      string
	Link      string // a path on this site
	CreatedAt time.Time
	ReadAt    time.Time
}

// Unread reports whether the user has not seen the notice yet.
func (n *Notification) Unread() bool { return n.ReadAt.IsZero() }

// NotificationsPerPage is the length of a page of notifications.
const NotificationsPerPage = 20

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// createNotification gives the user the notice, unless the account is
// deactivated (users.disabled): nobody reads it there, and it would wait
// for a reactivation that has nothing to do with it.
func (tx *Tx) createNotification(ctx context.Context, n Notification) error {
	if n.UserID == 0 || strings.TrimSpace(n.Title) == "" {
		return fmt.Errorf("store: a notification needs a user and a title")
	}
	var disabled bool
	err := tx.QueryRowContext(ctx, `SELECT disabled FROM users WHERE id = $1`, n.UserID).Scan(&disabled)
	if err != nil {
		return fmt.Errorf("store: recipient %d of a notification: %w", n.UserID, err)
	}
	if disabled {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notifications (user_id, school_id, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		n.UserID, nullID(n.SchoolID), clip(n.Title, 200), clip(n.Body, 2000), n.Link, ms(tx.Now))
	if err != nil {
		return fmt.Errorf("store: create notification for user %d: %w", n.UserID, err)
	}
	return nil
}

// CreateNotifications gives each user the same notice, once per user; a
// deactivated account gets none.
func (db *DB) CreateNotifications(ctx context.Context, userIDs []int64, schoolID int64, title, body, link string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		seen := map[int64]bool{}
		for _, id := range userIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			if err := tx.createNotification(ctx, Notification{UserID: id, SchoolID: schoolID, Title: title, Body: body, Link: link}); err != nil {
				return err
			}
		}
		return nil
	})
}

// FindNotifications returns a page of the user's notifications, newest
// first, with their total and how many are unread.
func (db *DB) FindNotifications(ctx context.Context, userID int64, page int) (items []*Notification, total, unread int, err error) {
	if page < 1 {
		page = 1
	}
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at = 0 THEN 1 ELSE 0 END), 0) FROM notifications WHERE user_id = $1`, userID).
		Scan(&total, &unread); err != nil {
		return nil, 0, 0, fmt.Errorf("store: count notifications of user %d: %w", userID, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, user_id, COALESCE(school_id, 0), title, body, link, created_at, read_at FROM notifications
		WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`, userID, NotificationsPerPage, (page-1)*NotificationsPerPage)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("store: find notifications of user %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n Notification
		var created, read int64
		if err := rows.Scan(&n.ID, &n.UserID, &n.SchoolID, &n.Title, &n.Body, &n.Link, &created, &read); err != nil {
			return nil, 0, 0, err
		}
		n.CreatedAt, n.ReadAt = fromMS(created), fromMS(read)
		items = append(items, &n)
	}
	return items, total, unread, rows.Err()
}

// CountUnreadNotifications counts what the user has not read, for the
// header of every page: one query on a partial index.
func (db *DB) CountUnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at = 0`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count unread notifications of user %d: %w", userID, err)
	}
	return n, nil
}

// MarkNotificationsRead marks the user's notifications up to and including
// the id as read: those the user was shown, not one that came meanwhile.
func (db *DB) MarkNotificationsRead(ctx context.Context, userID, upTo int64) error {
	return db.withTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at = 0 AND id <= $3`, ms(tx.Now), userID, upTo); err != nil {
			return fmt.Errorf("store: mark notifications of user %d read: %w", userID, err)
		}
		return nil
	})
}

// FeedbackRecipients returns the people told about a case: the school's
// members who handle it or, in the supervision group, watch it (as the
// domain's CanSeeFeedback decides), and, for a case with the bureau, the
// bureau's administrators, as for any case nobody at the school may
// handle. Never the person a report is about; never a
// disabled account.
func (db *DB) FeedbackRecipients(ctx context.Context, school *gongkai.School, f *gongkai.Feedback) ([]gongkai.User, error) {
	members, err := db.FindMembers(ctx, school.ID)
	if err != nil {
		return nil, err
	}
	var out []gongkai.User
	handled := false
	for _, m := range members {
		a := m.ActorIn(school)
		if m.User.Disabled || m.User.ID == f.AboutUserID || !gongkai.CanSeeFeedback(a, school.BureauID, f) {
			continue
		}
		handled = handled || gongkai.CanHandleFeedback(a, school.BureauID, f)
		out = append(out, m.User)
	}
	// Nothing falls through: a case nobody at the school may handle (with
	// the bureau, or a report about the only supervisors) goes to the bureau.
	if f.ToBureau || f.Escalated || !handled {
		admins, err := db.BureauAdmins(ctx, school.BureauID)
		if err != nil {
			return nil, err
		}
		for _, u := range admins {
			a := &gongkai.Actor{User: u, SchoolBureau: map[int64]int64{school.ID: school.BureauID}}
			if u.ID == f.AboutUserID || !gongkai.CanHandleFeedback(a, school.BureauID, f) || containsUser(out, u.ID) {
				continue
			}
			out = append(out, u)
		}
	}
	return out, nil
}

func containsUser(us []gongkai.User, id int64) bool {
	for _, u := range us {
		if u.ID == id {
			return true
		}
	}
	return false
}

// BureauAdmins returns the bureau's administrators who may sign in.
func (db *DB) BureauAdmins(ctx context.Context, bureauID int64) ([]gongkai.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE bureau_id = $1 AND bureau_role = $2 AND NOT disabled ORDER BY id`,
		bureauID, string(gongkai.RoleBureauAdmin))
	if err != nil {
		return nil, fmt.Errorf("store: bureau admins of %d: %w", bureauID, err)
	}
	defer rows.Close()
	var out []gongkai.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// RaiseOverdue records that a deadline of the case passed and emits
// "feedback.overdue", once per case and deadline: it reports false when
// that was done before (by this node or another).
func (db *DB) RaiseOverdue(ctx context.Context, f *gongkai.Feedback, due time.Time) (bool, error) {
	raised := false
	err := db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO feedback_overdue (school_id, feedback_id, due, raised_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			f.SchoolID, f.ID, formatDay(due), ms(tx.Now))
		if err != nil {
			return fmt.Errorf("store: raise overdue of feedback %d: %w", f.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		raised = true
		return tx.emit(ctx, Event{SchoolID: f.SchoolID, Type: gongkai.EventFeedbackOverdue, Subject: f.ID,
			Data: map[string]any{"kind": string(f.Kind), "state": string(f.State), "due": formatDay(due)}})
	})
	return raised, err
}

// StartDigest claims the school's weekly digest for the ISO week (e.g.
// "2026-W10") and emits "digest.weekly"; it reports false when the digest
// of that week was already claimed, here or on another node.
func (db *DB) StartDigest(ctx context.Context, schoolID int64, week string) (bool, error) {
	started := false
	err := db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO digests (school_id, week, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, schoolID, week, ms(tx.Now))
		if err != nil {
			return fmt.Errorf("store: start digest of school %d: %w", schoolID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		started = true
		return tx.emit(ctx, Event{SchoolID: schoolID, Type: gongkai.EventDigestWeekly, Data: map[string]any{"week": week}})
	})
	return started, err
}

// ClaimSweep lets one node of many run a periodic job: it reports true to
// the caller that moves the job's next run forward by every, false to the
// others until then.
func (db *DB) ClaimSweep(ctx context.Context, name string, every time.Duration) (bool, error) {
	ok := false
	err := db.withTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sweeps (name, next_at) VALUES ($1, 0) ON CONFLICT DO NOTHING`, name); err != nil {
			return fmt.Errorf("store: sweep %s: %w", name, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE sweeps SET next_at = $1 WHERE name = $2 AND next_at <= $3`, ms(tx.Now.Add(every)), name, ms(tx.Now))
		if err != nil {
			return fmt.Errorf("store: sweep %s: %w", name, err)
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	return ok, err
}
