package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a consistent copy of a SQLite database to path while
// gongkai keeps serving: VACUUM INTO reads one snapshot, so neither readers
// nor the writer wait, and the copy is compact. The copy is a complete
// database: to restore, stop gongkai and put it in place of the file.
// PostgreSQL has its own tools (pg_dump, pg_basebackup); see docs/scale.md.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != sqliteDialect {
		return errors.New("store: backup copies SQLite databases; for PostgreSQL use pg_dump -Fc or pg_basebackup (docs/scale.md)")
	}
	if path == "" {
		return errors.New("store: backup: give the file to write")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup: %s exists; choose a new file", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	// A connection of its own: the read pool is query-only, and the one
	// writing connection must stay free for the school's work.
	src := strings.TrimPrefix(db.dsn, "sqlite:")
	conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: src}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		_ = os.Remove(path) // a partial copy, if any; the VACUUM error is the one to report
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}
