// Package store keeps gongkai's data in SQLite or PostgreSQL through one
// database/sql implementation. Every method takes the context first and, for
// school data, the school id explicitly; writes run in one transaction with
// one clock.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gongkai"
)

//go:embed migrations
var migrationsFS embed.FS

// DB is the store. On SQLite it holds a read pool and a write pool of one
// connection, so writers queue instead of failing with SQLITE_BUSY; on
// PostgreSQL both are the same pool.
type DB struct {
	read    *pool
	write   *pool
	dialect dialect
	log     *slog.Logger

	// Now is the clock; tests replace it.
	Now func() time.Time
	// OnLedgerAppend, when set, is called after a commit that appended to
	// a school's log, so that the log's checkpoint is signed (internal/ledger).
	OnLedgerAppend func(schoolID int64)

	calMu    sync.RWMutex
	calendar map[string]*gongkai.WorkCalendar // by region
	calGen   uint64                           // counts drops: a load older than a drop is not kept

	dsn      string
	changeMu sync.Mutex
	onChange []func(schoolID int64)

	replica *replica   // optional standby for public reads (replica.go)
	reads   readCounts // public reads by pool
}

// Open connects to dsn ("sqlite:PATH" or "postgres://...") and runs the
// migrations.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db := &DB{log: log, Now: time.Now, calendar: map[string]*gongkai.WorkCalendar{}, dsn: dsn}
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		db.dialect = sqliteDialect
		var read, write *sql.DB
		read, write, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
		if err == nil {
			db.read, db.write = newPool(read, true), newPool(write, true)
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db.dialect = postgresDialect
		var both *sql.DB
		both, err = openPostgres(dsn)
		db.read = newPool(both, false)
		db.write = db.read
	default:
		return nil, fmt.Errorf("store: unknown database %q: use sqlite:PATH or postgres://...", redact(dsn)) //nolint:staticcheck // ST1005: the "..." is part of the URL pattern
	}
	if err != nil {
		return nil, err
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", redact(dsn), err)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.reindexSearch(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Dialect names the database engine: "sqlite" or "postgres".
func (db *DB) Dialect() string { return string(db.dialect) }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.read.Close()
	if db.write != db.read {
		err = errors.Join(err, db.write.Close())
	}
	if db.replica != nil {
		err = errors.Join(err, db.replica.pool.Close())
	}
	return err
}

// Ping checks that the database answers, for /healthz.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Pool returns the read pool, for its statistics in /metrics.
func (db *DB) Pool() *sql.DB { return db.read.DB }

// redact hides the password of a connection URL in messages.
func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			return dsn[:i+3] + "…@" + dsn[at+1:]
		}
	}
	return dsn
}

// Tx is a write transaction with its single timestamp.
type Tx struct {
	*sql.Tx
	db        *DB
	Now       time.Time
	touched   []int64  // schools whose public pages this transaction changes
	calendars []string // regions whose calendar this transaction changes
	appended  []int64  // schools whose log this transaction appended to
}

// withTx runs fn in one write transaction and commits when it returns nil.
func (db *DB) withTx(ctx context.Context, fn func(tx *Tx) error) error {
	db.write.prepareWanted(ctx)
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, db: db, Now: db.Now()}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return invalidText(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	// This node learns of its own changes at once, without waiting for the
	// notification to come back: a writer must read what it wrote.
	db.noteCommit(ctx, tx.touched)
	for _, id := range tx.touched {
		db.changed(id)
	}
	for _, region := range tx.calendars {
		db.dropCalendar(region)
	}
	if f := db.OnLedgerAppend; f != nil {
		for _, id := range tx.appended {
			f(id)
		}
	}
	return nil
}

func (db *DB) migrate(ctx context.Context) error {
	dir := "migrations/" + string(db.dialect)
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return fmt.Errorf("store: read migrations: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	return db.withTx(ctx, func(tx *Tx) error {
		if db.dialect == postgresDialect {
			// Several nodes may start at once; one migrates, the others wait.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7200350)`); err != nil {
				return fmt.Errorf("store: migration lock: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("store: create schema_migrations: %w", err)
		}
		applied := map[int]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("store: read schema_migrations: %w", err)
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			applied[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: read schema_migrations: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			num, _, ok := strings.Cut(name, "_")
			v, err := strconv.Atoi(num)
			if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
				return fmt.Errorf("store: bad migration file name %q", name)
			}
			if applied[v] {
				continue
			}
			src, err := fs.ReadFile(migrationsFS, dir+"/"+name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(src)); err != nil {
				return fmt.Errorf("store: migration %s: %w", name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, v, name, ms(tx.Now)); err != nil {
				return fmt.Errorf("store: record migration %s: %w", name, err)
			}
			db.log.Info("migration applied", "version", v, "name", name)
		}
		return nil
	})
}

// ms stores a time as unix milliseconds, the one timestamp format both
// databases sort and compare alike; the zero time is 0.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).In(gongkai.Beijing)
}

// notFound returns the ENOTFOUND error for a missing row.
func notFound(what string) error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "%s不存在或您无权查看。", what)
}

// nullID maps 0 to NULL for optional foreign keys.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// pageBounds is the size and the offset of a page (from 1) of per rows: 20
// when per is not set, 100 at most. The page is capped so that an absurd
// ?page= cannot overflow into a negative OFFSET, which PostgreSQL refuses.
func pageBounds(page, per int) (size, offset int) {
	if per <= 0 {
		per = 20
	}
	per = min(per, 100)
	page = min(max(page, 1), 1_000_000)
	return per, (page - 1) * per
}

// pageClause is the LIMIT and OFFSET of a page, as pageBounds.
func pageClause(page, per int) string {
	size, offset := pageBounds(page, per)
	return fmt.Sprintf(` LIMIT %d OFFSET %d`, size, offset)
}

// collect scans every row with scan and closes rows; the first error
// stops it.
func collect[T any](rows *sql.Rows, scan func(sc interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
