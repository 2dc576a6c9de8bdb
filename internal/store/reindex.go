package store

import (
	"context"
	"fmt"

	"gongkai/internal/search"
)

// reindexSearch rebuilds the search index (SQLite's FTS5 table, PostgreSQL's
// tsvector column) when a migration asked for it, since the tokens are made
// in Go and SQL alone cannot, in batches of one transaction each, then clears
// the request. Nodes starting together may both rebuild; the result is the same.
func (db *DB) reindexSearch(ctx context.Context) error {
	var pending int
	if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_reindex WHERE pending = 1`).Scan(&pending); err != nil || pending == 0 {
		return err
	}
	db.log.Info("rebuilding the search index")
	var last int64
	for {
		type doc struct {
			id, school             int64
			title, docNumber, body string
		}
		var docs []doc
		rows, err := db.write.QueryContext(ctx, `SELECT id, school_id, title, doc_number, body FROM disclosures WHERE id > $1 ORDER BY id LIMIT 2000`, last)
		if err != nil {
			return fmt.Errorf("store: reindex: %w", err)
		}
		for rows.Next() {
			var d doc
			if err := rows.Scan(&d.id, &d.school, &d.title, &d.docNumber, &d.body); err != nil {
				rows.Close()
				return err
			}
			docs = append(docs, d)
		}
		rows.Close()
		if len(docs) == 0 {
			break
		}
		err = db.withTx(ctx, func(tx *Tx) error {
			for _, d := range docs {
				if err := db.dialect.indexDisclosure(ctx, tx, d.id, titleTokens(d.school, d.title, d.docNumber), search.SchoolTokens(d.school, d.body)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: reindex: %w", err)
		}
		last = docs[len(docs)-1].id
	}
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE search_reindex SET pending = 0`)
		return err
	})
}
