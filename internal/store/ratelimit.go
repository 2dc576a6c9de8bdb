package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Allow takes one token from the bucket named key, which holds at most burst
// tokens and gains one every interval, and reports whether there was one.
// The bucket lives in the database, so every node behind a load balancer
// counts against the same one: N nodes must not give N times the guesses.
//
// The read, refill and take happen in one write transaction: SQLite's single
// writer serialises them, PostgreSQL locks the row (FOR UPDATE). Keys are
// stored as their SHA-256, because what people type into a username field is
// sometimes their password. Never pass a client address: addresses are not
// to be stored at all.
func (db *DB) Allow(ctx context.Context, key string, every time.Duration, burst int) (bool, error) {
	if every <= 0 || burst <= 0 {
		return false, fmt.Errorf("store: rate limit %v/%d is not a limit", every, burst)
	}
	sum := sha256.Sum256([]byte(key))
	hkey := hex.EncodeToString(sum[:])
	var ok bool
	err := db.withTx(ctx, func(tx *Tx) error {
		tokens, updated, err := tx.lockBucket(ctx, hkey)
		if errors.Is(err, sql.ErrNoRows) {
			// First use: a full bucket. ON CONFLICT because another node
			// may insert the same key at the same moment; then we lock its row.
			if _, err := tx.ExecContext(ctx, `INSERT INTO rate_limits (key, tokens, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
				hkey, float64(burst), ms(tx.Now)); err != nil {
				return fmt.Errorf("store: create rate limit: %w", err)
			}
			tokens, updated, err = tx.lockBucket(ctx, hkey)
		}
		if err != nil {
			return fmt.Errorf("store: read rate limit: %w", err)
		}
		now := ms(tx.Now)
		// Clocks of nodes differ a little; time never runs backwards for a
		// bucket, or the next node with a faster clock would refill twice.
		if elapsed := now - updated; elapsed > 0 {
			tokens += float64(time.Duration(elapsed)*time.Millisecond) / float64(every)
			updated = now
		}
		tokens = min(tokens, float64(burst))
		if ok = tokens >= 1; ok {
			tokens--
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rate_limits SET tokens = $1, updated_at = $2 WHERE key = $3`, tokens, updated, hkey); err != nil {
			return fmt.Errorf("store: update rate limit: %w", err)
		}
		return nil
	})
	return ok, err
}

func (tx *Tx) lockBucket(ctx context.Context, hkey string) (tokens float64, updated int64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT tokens, updated_at FROM rate_limits WHERE key = $1`+tx.db.dialect.forUpdate(), hkey).Scan(&tokens, &updated)
	return tokens, updated, err
}

// DeleteIdleRateLimits removes buckets untouched for longer than idle; a
// bucket that refills within idle is full again by then, the same as a
// missing one.
func (db *DB) DeleteIdleRateLimits(ctx context.Context, idle time.Duration) (int64, error) {
	var n int64
	err := db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE updated_at < $1`, ms(tx.Now.Add(-idle)))
		if err != nil {
			return fmt.Errorf("store: delete idle rate limits: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}
