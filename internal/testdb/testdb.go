// Package testdb gives tests a fresh database on every dialect: a file
// SQLite database in the test's temporary directory, and, when
// GONGKAI_TEST_POSTGRES is set (make test always sets it), a schema of its
// own on that PostgreSQL server.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Dialects returns the names of the databases tests run on here.
func Dialects() []string {
	if os.Getenv("GONGKAI_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Each runs fn once per dialect as a subtest named after it, with the DSN of
// a fresh, empty database.
func Each(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) { fn(t, New(t, d)) })
	}
}

// New returns the DSN of a fresh, empty database of the dialect, removed
// when the test ends.
func New(tb testing.TB, dialect string) string {
	tb.Helper()
	switch dialect {
	case "sqlite":
		return "sqlite:" + filepath.Join(tb.TempDir(), "gongkai.db")
	case "postgres":
		base := os.Getenv("GONGKAI_TEST_POSTGRES")
		if base == "" {
			tb.Skip("GONGKAI_TEST_POSTGRES is not set; make test sets it")
		}
		b := make([]byte, 6)
		rand.Read(b)
		schema := "t_" + hex.EncodeToString(b)
		admin, err := sql.Open("pgx", base)
		if err != nil {
			tb.Fatalf("testdb: %v", err)
		}
		ctx := context.Background()
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			admin.Close()
			tb.Fatalf("testdb: create schema: %v", err)
		}
		tb.Cleanup(func() {
			_, _ = admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) // cleanup: a leftover schema harms nothing
			admin.Close()
		})
		u, err := url.Parse(base)
		if err != nil {
			tb.Fatalf("testdb: %v", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	tb.Fatalf("testdb: unknown dialect %q", dialect)
	return ""
}
