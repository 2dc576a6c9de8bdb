package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gongkai"
)

// Event is something that happened in a transaction and must be told to
// people or systems after commit: in-app notifications, e-mail, the
// school's webhook.
type Event struct {
	SchoolID int64
	Type     gongkai.EventType // what happened; the notifier dispatches on it
	Subject  int64             // the feedback or disclosure id
	Data     map[string]any    // what the message needs (title, kind, due, ...); never anything identifying an anonymous sender
}

// OutboxEvent is an event as a dispatcher claimed it from the outbox.
type OutboxEvent struct {
	ID int64
	Event
	Attempts  int // counting the current one
	CreatedAt time.Time
	LastError string
}

// EventLease is how long a claimed event belongs to the dispatcher that
// claimed it. It is longer than any delivery takes (a webhook call times out
// after 10 s, an SMTP session after a minute); a dispatcher that dies
// meanwhile leaves the event to another one after the lease.
const EventLease = 5 * time.Minute

// emit records an event in the transaction (the outbox), so it is delivered
// exactly when the change commits, even across a crash.
func (tx *Tx) emit(ctx context.Context, e Event) error {
	if e.SchoolID == 0 || e.Type == "" {
		return fmt.Errorf("store: emit %q: an event needs a school and a type", e.Type)
	}
	data := []byte("{}")
	if len(e.Data) > 0 {
		var err error
		if data, err = json.Marshal(e.Data); err != nil {
			return fmt.Errorf("store: emit %s: %w", e.Type, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (school_id, type, subject, data, created_at, next_at) VALUES ($1, $2, $3, $4, $5, $5)`,
		e.SchoolID, e.Type, e.Subject, string(data), ms(tx.Now)); err != nil {
		return fmt.Errorf("store: emit %s: %w", e.Type, err)
	}
	return nil
}

// Emit records an event that is not part of another change, such as one a
// dispatcher derives from another event.
func (db *DB) Emit(ctx context.Context, e Event) error {
	return db.withTx(ctx, func(tx *Tx) error { return tx.emit(ctx, e) })
}

// emitDisclosure tells of a step of the procedure that changes what the
// public sees: publish, revise and withdraw.
func (tx *Tx) emitDisclosure(ctx context.Context, d *gongkai.Disclosure, typ gongkai.EventType, reason string) error {
	shown := *d
	if typ == gongkai.EventDisclosureWithdrawn { // the title as it reads once withdrawn
		shown.State, shown.WithdrawnAt = gongkai.StateWithdrawn, tx.Now
	}
	title, err := tx.publicTitle(ctx, &shown) // roster.go
	if err != nil {
		return err
	}
	data := map[string]any{"title": title, "audience": string(d.Audience), "category": d.Category}
	if typ != gongkai.EventDisclosurePublished {
		data["reason"] = reason
	}
	return tx.emit(ctx, Event{SchoolID: d.SchoolID, Type: typ, Subject: d.ID, Data: data})
}

// skipLocked is the row lock of a queue: on PostgreSQL each dispatcher
// locks the rows it takes and passes over those another one holds, so
// several nodes never take the same event; SQLite has one writer already.
func (d dialect) skipLocked() string {
	if d == postgresDialect {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// ClaimEvents takes up to limit events that are due, oldest first, and
// leases them to the caller for EventLease: the caller must finish, retry
// or fail each within the lease.
func (db *DB) ClaimEvents(ctx context.Context, limit int) ([]*OutboxEvent, error) {
	if limit <= 0 {
		limit = 1
	}
	// Most seconds there is nothing to do: ask the read pool first, so an
	// idle dispatcher never takes SQLite's one writer.
	var due int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE done_at = 0 AND next_at <= $1 LIMIT 1) q`, ms(db.Now())).Scan(&due); err != nil {
		return nil, fmt.Errorf("store: claim events: %w", err)
	}
	if due == 0 {
		return nil, nil
	}
	var out []*OutboxEvent
	err := db.withTx(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT id, school_id, type, subject, data, created_at, attempts, last_error
			FROM outbox WHERE done_at = 0 AND next_at <= $1 ORDER BY next_at, id LIMIT $2`+db.dialect.skipLocked(), ms(tx.Now), limit)
		if err != nil {
			return fmt.Errorf("store: claim events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e OutboxEvent
			var data string
			var created int64
			if err := rows.Scan(&e.ID, &e.SchoolID, &e.Type, &e.Subject, &data, &created, &e.Attempts, &e.LastError); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
				e.Data = nil // a broken row is still delivered, without its details
			}
			if e.Data == nil {
				e.Data = map[string]any{}
			}
			e.CreatedAt = fromMS(created)
			e.Attempts++
			out = append(out, &e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(out) == 0 {
			return nil
		}
		args := []any{ms(tx.Now.Add(EventLease))}
		marks := make([]string, len(out))
		for i, e := range out {
			args = append(args, e.ID)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_at = $1 WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...); err != nil {
			return fmt.Errorf("store: lease events: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Outcome is what delivering an event produced, recorded in the
// transaction that finishes it: in-app notifications and further events
// (one e-mail, one webhook call), each delivered and retried on its own.
type Outcome struct {
	Notifications []Notification
	Next          []Event
}

// errLeaseLost means another dispatcher took the event after this one's
// lease ran out; this one's work is dropped.
var errLeaseLost = gongkai.Errorf(gongkai.ECONFLICT, "event lease lost")

// FinishEvent marks a claimed event done and records its outcome in the
// same transaction. ECONFLICT when the lease was lost, and nothing is
// recorded.
func (db *DB) FinishEvent(ctx context.Context, e *OutboxEvent, out Outcome) error {
	return db.withTx(ctx, func(tx *Tx) error {
		if err := tx.endEvent(ctx, e, tx.Now, ""); err != nil {
			return err
		}
		for _, n := range out.Notifications {
			if err := tx.createNotification(ctx, n); err != nil {
				return err
			}
		}
		for _, next := range out.Next {
			if err := tx.emit(ctx, next); err != nil {
				return err
			}
		}
		return nil
	})
}

// RetryEvent puts a claimed event back to be tried again after backoff,
// keeping the error. ECONFLICT when the lease was lost.
func (db *DB) RetryEvent(ctx context.Context, e *OutboxEvent, cause error, backoff time.Duration) error {
	return db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET next_at = $1, last_error = $2 WHERE id = $3 AND attempts = $4 AND done_at = 0`,
			ms(tx.Now.Add(backoff)), errText(cause), e.ID, e.Attempts)
		if err != nil {
			return fmt.Errorf("store: retry event %d: %w", e.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errLeaseLost
		}
		return nil
	})
}

// FailEvent gives up on a claimed event: it stays in the outbox, done, with
// its last error, for an operator to read.
func (db *DB) FailEvent(ctx context.Context, e *OutboxEvent, cause error) error {
	return db.withTx(ctx, func(tx *Tx) error { return tx.endEvent(ctx, e, tx.Now, errText(cause)) })
}

func (tx *Tx) endEvent(ctx context.Context, e *OutboxEvent, at time.Time, lastErr string) error {
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET done_at = $1, last_error = $2 WHERE id = $3 AND attempts = $4 AND done_at = 0`,
		ms(at), lastErr, e.ID, e.Attempts)
	if err != nil {
		return fmt.Errorf("store: finish event %d: %w", e.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errLeaseLost
	}
	return nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 1000 {
		s = s[:1000]
	}
	return strings.ToValidUTF8(s, "?")
}

// OutboxStats counts the events waiting and those given up on, for
// /metrics and the operator.
func (db *DB) OutboxStats(ctx context.Context) (pending, failed int, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN done_at = 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN done_at <> 0 AND last_error <> '' THEN 1 ELSE 0 END), 0) FROM outbox`).Scan(&pending, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("store: outbox stats: %w", err)
	}
	return pending, failed, nil
}

// PruneOutbox deletes events delivered before the time; the weekly digest
// counts the last week's events, so keep at least that.
func (db *DB) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE done_at <> 0 AND done_at < $1 AND created_at < $1`, ms(before))
		if err != nil {
			return fmt.Errorf("store: prune outbox: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// FindEvents returns a school's events of the given types created since a
// time, oldest first, to count what happened in a week.
func (db *DB) FindEvents(ctx context.Context, schoolID int64, since time.Time, types ...gongkai.EventType) ([]*OutboxEvent, error) {
	if len(types) == 0 {
		return nil, nil
	}
	args := []any{schoolID, ms(since)}
	marks := make([]string, len(types))
	for i, t := range types {
		args = append(args, t)
		marks[i] = fmt.Sprintf("$%d", i+3)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, school_id, type, subject, data, created_at, attempts, last_error FROM outbox
		WHERE school_id = $1 AND created_at >= $2 AND type IN (`+strings.Join(marks, ", ")+`) ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find events of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	var out []*OutboxEvent
	for rows.Next() {
		var e OutboxEvent
		var data string
		var created int64
		if err := rows.Scan(&e.ID, &e.SchoolID, &e.Type, &e.Subject, &data, &created, &e.Attempts, &e.LastError); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return nil, fmt.Errorf("store: outbox event %d data: %w", e.ID, err)
		}
		e.CreatedAt = fromMS(created)
		out = append(out, &e)
	}
	return out, rows.Err()
}
