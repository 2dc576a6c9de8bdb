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
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"gongkai"
	"gongkai/internal/search"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// dialect is the only place that knows SQLite and PostgreSQL differ.
type dialect string

const (
	sqliteDialect   dialect = "sqlite"
	postgresDialect dialect = "postgres"
)

func openSQLite(path string) (read, write *sql.DB, err error) {
	if path == "" {
		return nil, nil, fmt.Errorf("store: sqlite path is empty")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, nil, fmt.Errorf("store: create %s: %w", dir, err)
		}
	}
	// busy_timeout lets readers wait out a checkpoint; WAL lets them read while
	// the one writer writes; synchronous=NORMAL is durable in WAL mode up to the
	// last checkpointed commit on power loss, and safe against process crashes.
	// secure_delete zeroes what a write frees, so text that was deleted or
	// replaced (a redaction of personal data) is not left in free pages.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(1)"
	u := "file:" + (&url.URL{Path: path}).EscapedPath()
	write, err = sql.Open("sqlite", u+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	// One writer: immediate transactions queue on this single connection
	// instead of failing when two writers meet.
	write.SetMaxOpenConns(1)
	read, err = sql.Open("sqlite", u+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	return read, write, nil
}

func openPostgres(dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	// As many idle as open: under a rush, a connection given back is not
	// closed only to be opened again for the next request (each opening
	// starts a PostgreSQL backend); quiet connections go after a while.
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// forUpdate is the row lock suffix: PostgreSQL locks the row; SQLite has
// one writer already.
func (d dialect) forUpdate() string {
	if d == postgresDialect {
		return " FOR UPDATE"
	}
	return ""
}

// isUniqueViolation reports whether err is a unique-constraint failure.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// indexDisclosure stores the search tokens (CJK bigrams made in Go) of an
// item: a contentless FTS5 row on SQLite, the tsvector column on PostgreSQL.
func (d dialect) indexDisclosure(ctx context.Context, tx *Tx, id int64, titleTokens, bodyTokens string) error {
	if d == postgresDialect {
		_, err := tx.ExecContext(ctx, `UPDATE disclosures SET tsv = setweight(to_tsvector('simple', $1), 'A') || setweight(to_tsvector('simple', $2), 'B') WHERE id = $3`,
			titleTokens, bodyTokens, id)
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM disclosures_fts WHERE rowid = $1`, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO disclosures_fts (rowid, title, body) VALUES ($1, $2, $3)`, id, titleTokens, bodyTokens)
	return err
}

// searchCondition returns the WHERE condition that matches a parsed query
// within one school, with its argument at placeholder n.
func (d dialect) searchCondition(n int, schoolID int64, q search.Query) (string, any) {
	if d == postgresDialect {
		return fmt.Sprintf("d.tsv @@ to_tsquery('simple', $%d)", n), q.TSQueryForSchool(schoolID)
	}
	// The + keeps SQLite from looking up every match in the table: it walks
	// the school's index entries and checks each against the matches instead.
	return fmt.Sprintf("+d.id IN (SELECT rowid FROM disclosures_fts WHERE disclosures_fts MATCH $%d)", n), q.FTS5ForSchool(schoolID)
}

// indexedBy names the index SQLite must use where its planner, without
// statistics, would pick one that reads every row; PostgreSQL plans well.
func (d dialect) indexedBy(index string) string {
	if d == sqliteDialect {
		return " INDEXED BY " + index
	}
	return ""
}

// forUpdateOf locks the rows of one table of a join on PostgreSQL (a plain
// FOR UPDATE cannot lock the nullable side of an outer join); SQLite already
// has its single writer.
func (d dialect) forUpdateOf(table string) string {
	if d == postgresDialect {
		return " FOR UPDATE OF " + table
	}
	return ""
}

// invalidText turns PostgreSQL's refusal of text it cannot store (a NUL
// character, a broken UTF-8 sequence) into a user error instead of a 500;
// SQLite stores such text as given.
func invalidText(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "22021" || pgErr.Code == "22P05") {
		return gongkai.Errorf(gongkai.EINVALID, "内容含有无法保存的字符（如空字符），请删除后再试。")
	}
	return err
}

// purgeIndex makes the search index drop the words of deleted rows at once:
// SQLite's FTS5 only marks them deleted until its segments are merged, so
// they are merged into one; PostgreSQL's tsvector is the row's own column.
func (d dialect) purgeIndex(ctx context.Context, tx *Tx) error {
	if d == postgresDialect {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO disclosures_fts (disclosures_fts) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("store: merge the search index: %w", err)
	}
	return nil
}

// reclaim, after a commit that removed text for good, makes the database
// files forget the old text where the engine allows: SQLite copies the
// write-ahead log into the database and truncates it (retrying while a
// reader holds an older snapshot); PostgreSQL vacuums the tables that hold
// bodies, which removes the dead row versions no transaction can see (see
// the README for what PostgreSQL cannot promise).
func (d dialect) reclaim(ctx context.Context, p *pool) error {
	if d == postgresDialect {
		_, err := p.ExecContext(ctx, `VACUUM disclosures, disclosure_versions, attachments`)
		return err
	}
	for try := 0; ; try++ {
		var busy, logFrames, done int
		if err := p.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		if try == 20 {
			return fmt.Errorf("store: the write-ahead log is still in use by a reader")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
