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
	var ok bool
	err := db.bucket(ctx, key, every, burst, func(tokens float64) float64 {
		if ok = tokens >= 1; ok {
			tokens--
		}
		return tokens
	})
	return ok, err
}

// Spend takes one token from the bucket named key even when it holds none,
// down to floor (zero or less), and returns what is left: a debt that
// refills like tokens do. It counts what is slowed down rather than
// refused, so that the slowdown can grow with the debt. Keys as for Allow.
func (db *DB) Spend(ctx context.Context, key string, every time.Duration, burst int, floor float64) (float64, error) {
	var left float64
	err := db.bucket(ctx, key, every, burst, func(tokens float64) float64 {
		left = max(tokens-1, min(floor, tokens))
		return left
	})
	return left, err
}

// Level reports how many tokens the bucket named key holds now (burst for
// one never used), without taking any and without writing.
func (db *DB) Level(ctx context.Context, key string, every time.Duration, burst int) (float64, error) {
	if every <= 0 || burst <= 0 {
		return 0, fmt.Errorf("store: rate limit %v/%d is not a limit", every, burst)
	}
	var tokens float64
	var updated int64
	err := db.read.QueryRowContext(ctx, `SELECT tokens, updated_at FROM rate_limits WHERE key = $1`, hashKey(key)).Scan(&tokens, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return float64(burst), nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read rate limit: %w", err)
	}
	if elapsed := ms(db.Now()) - updated; elapsed > 0 {
		tokens += float64(time.Duration(elapsed)*time.Millisecond) / float64(every)
	}
	return min(tokens, float64(burst)), nil
}

func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// bucket refills the bucket named key and stores what take makes of its
// tokens, in one write transaction.
func (db *DB) bucket(ctx context.Context, key string, every time.Duration, burst int, take func(tokens float64) float64) error {
	if every <= 0 || burst <= 0 {
		return fmt.Errorf("store: rate limit %v/%d is not a limit", every, burst)
	}
	hkey := hashKey(key)
	return db.withTx(ctx, func(tx *Tx) error {
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
		tokens = take(min(tokens, float64(burst)))
		if _, err := tx.ExecContext(ctx, `UPDATE rate_limits SET tokens = $1, updated_at = $2 WHERE key = $3`, tokens, updated, hkey); err != nil {
			return fmt.Errorf("store: update rate limit: %w", err)
		}
		return nil
	})
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
