package store

import "context"

// Reindex asks for the search index to be rebuilt and rebuilds it, as a
// migration's request does at start.
func Reindex(ctx context.Context, db *DB) error {
	if _, err := db.write.ExecContext(ctx, `UPDATE search_reindex SET pending = 1`); err != nil {
		return err
	}
	return db.reindexSearch(ctx)
}
