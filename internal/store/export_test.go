package store

import (
	"context"

	"gongkai"
)

// ForgetSearchIndex empties the search index and asks for a rebuild, as a
// migration that changes the tokens does, and ReindexSearch runs the rebuild
// that Open runs at start.
func (db *DB) ForgetSearchIndex(ctx context.Context) error {
	return db.withTx(ctx, func(tx *Tx) error {
		if db.dialect == postgresDialect {
			if _, err := tx.ExecContext(ctx, `UPDATE disclosures SET tsv = NULL`); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `INSERT INTO disclosures_fts (disclosures_fts) VALUES ('delete-all')`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE search_reindex SET pending = 1`)
		return err
	})
}

func (db *DB) ReindexSearch(ctx context.Context) error { return db.reindexSearch(ctx) }

// DisableUserForTest marks a user disabled.
func (db *DB) DisableUserForTest(ctx context.Context, userID int64) error {
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET disabled = TRUE WHERE id = $1`, userID)
		return err
	})
}

// AppendAdminLogForTest writes one admin log entry as the command line.
func (db *DB) AppendAdminLogForTest(ctx context.Context, e gongkai.AdminEntry) error {
	return db.withTx(ctx, func(tx *Tx) error { return tx.logAdmin(ctx, nil, e) })
}

// ExecForTest runs a statement in a write transaction of its own.
func (db *DB) ExecForTest(ctx context.Context, query string, args ...any) (n int64, err error) {
	err = db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// PasswordLinkMakersForTest returns who made each set-password link of the
// user, oldest first (0 for the command line).
func (db *DB) PasswordLinkMakersForTest(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT COALESCE(created_by, 0) FROM password_links WHERE user_id = $1 ORDER BY created_at, token_hash`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
