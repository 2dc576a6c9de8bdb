package store

import (
	"context"
	"fmt"
	"time"
)

// CreateSession stores a session under the hash of its token.
func (db *DB) CreateSession(ctx context.Context, tokenHash string, userID int64, kind string, ttl time.Duration) error {
	return db.StartSession(ctx, tokenHash, userID, kind, "", ttl)
}

// StartSession stores a session under the hash of its token, with the
// device it was started on as the user will recognise it ("Chrome ·
// Android"); never the address.
func (db *DB) StartSession(ctx context.Context, tokenHash string, userID int64, kind, device string, ttl time.Duration) error {
	return db.withTx(ctx, func(tx *Tx) error { return tx.startSession(ctx, tokenHash, userID, kind, device, ttl) })
}

func (tx *Tx) startSession(ctx context.Context, tokenHash string, userID int64, kind, device string, ttl time.Duration) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at, device, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $4)`,
		tokenHash, userID, kind, ms(tx.Now), ms(tx.Now.Add(ttl)), device)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
		return err
	})
}

// DeleteExpiredSessions removes sessions past their expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, ms(tx.Now))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// Session is one place where a user is signed in, as their account page
// lists it.
type Session struct {
	TokenHash  string
	Kind       string // "web" or "api"
	Device     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// FindSessions returns the user's live sessions, most recently used first.
func (db *DB) FindSessions(ctx context.Context, userID int64) ([]Session, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT token_hash, kind, device, created_at, last_seen_at, expires_at FROM sessions
		WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, created_at DESC`, userID, ms(db.Now()))
	if err != nil {
		return nil, fmt.Errorf("store: sessions of user %d: %w", userID, err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (Session, error) {
		var s Session
		var created, seen, exp int64
		err := sc.Scan(&s.TokenHash, &s.Kind, &s.Device, &created, &seen, &exp)
		s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(max(seen, created)), fromMS(exp)
		return s, err
	})
}

// EndSessions ends sessions of the user: the one with tokenHash, or when
// tokenHash is "", every one but keepHash. It returns how many ended; a
// session of another user is never touched.
func (db *DB) EndSessions(ctx context.Context, userID int64, tokenHash, keepHash string) (int64, error) {
	var n int64
	err := db.withTx(ctx, func(tx *Tx) error {
		var res interface{ RowsAffected() (int64, error) }
		var err error
		if tokenHash != "" {
			res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash = $2`, userID, tokenHash)
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, userID, keepHash)
		}
		if err != nil {
			return fmt.Errorf("store: end sessions of user %d: %w", userID, err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}

// TouchSession records that a session was used now. Callers call it at
// most every few minutes per session, so a busy reader costs no write per
// request.
func (db *DB) TouchSession(ctx context.Context, tokenHash string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, ms(tx.Now), tokenHash)
		return err
	})
}
