package store

import (
	"context"
	"fmt"

	"gongkai"
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
		var docs []*gongkai.Disclosure
		rows, err := db.write.QueryContext(ctx, `SELECT `+summaryColumns+`, d.body`+summaryJoins+` WHERE d.id > $1 ORDER BY d.id LIMIT 2000`, last)
		if err != nil {
			return fmt.Errorf("store: reindex: %w", err)
		}
		for rows.Next() {
			var body string
			d, err := scanDisclosure(rows, &body)
			if err != nil {
				rows.Close()
				return err
			}
			d.Body = body
			docs = append(docs, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: reindex: %w", err)
		}
		if len(docs) == 0 {
			break
		}
		err = db.withTx(ctx, func(tx *Tx) error {
			for _, d := range docs {
				title, body := titleTokens(d.SchoolID, d.Title, d.DocNumber), search.SchoolTokens(d.SchoolID, d.Body)
				if d.Published() { // a taken-down roster keeps its people out (roster.go)
					rule, err := rosterRule(ctx, tx, d)
					if err != nil {
						return err
					}
					if _, down := gongkai.TakedownAt(d, rule, tx.Now); down {
						if err := tx.takeDown(ctx, d); err != nil {
							return err
						}
						continue
					}
				}
				if err := db.dialect.indexDisclosure(ctx, tx, d.ID, title, body); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: reindex: %w", err)
		}
		last = docs[len(docs)-1].ID
	}
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE search_reindex SET pending = 0`)
		return err
	})
}
