package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"

	_ "modernc.org/sqlite" // registers "sqlite", the driver gongkai uses
)

// bulkTables are the tables the generator fills in bulk; their secondary
// indexes are dropped during the load and built once at the end, which is
// several times faster than maintaining them row by row.
var bulkTables = []string{"disclosures", "disclosure_versions", "disclosure_events"}

type sqliteLoader struct {
	db      *sql.DB
	path    string
	indexes []string // CREATE INDEX statements to run at the end
}

func openSQLiteLoader(ctx context.Context, path string) (*sqliteLoader, error) {
	// No fsync and a big page cache: a half-written bench database is
	// regenerated, never repaired. Foreign keys are not checked: the rows
	// are consistent by construction.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=foreign_keys(0)&_pragma=cache_size(-1048576)&_pragma=temp_store(MEMORY)&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+pragmas)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &sqliteLoader{db: db, path: path}, db.PingContext(ctx)
}

func (l *sqliteLoader) Close() error { return l.db.Close() }

func (l *sqliteLoader) prepare(ctx context.Context) error {
	rows, err := l.db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('`+
		strings.Join(bulkTables, "', '")+`')`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		names = append(names, name)
		l.indexes = append(l.indexes, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := l.db.ExecContext(ctx, `DROP INDEX `+n); err != nil {
			return fmt.Errorf("sqlite: drop index %s: %w", n, err)
		}
	}
	return nil
}

func (l *sqliteLoader) write(ctx context.Context, rows []*row) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO disclosures (id, school_id, index_no, catalogue_code, category, title, body, audience, state, doc_number,
		department_id, clerk_id, channels, legal_basis, contact, publicity_days, publicity_start, publicity_end, end_provisional,
		version, created_by, created_at, updated_at, published_at, signed_by, signed_at, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	ver, err := tx.PrepareContext(ctx, `INSERT INTO disclosure_versions (school_id, disclosure_id, version, title, body, doc_number, reason, published_at, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`)
	if err != nil {
		return err
	}
	defer ver.Close()
	evt, err := tx.PrepareContext(ctx, `INSERT INTO disclosure_events (school_id, disclosure_id, action, from_state, to_state, actor_id, actor_name, actor_role, comment, version, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`)
	if err != nil {
		return err
	}
	defer evt.Close()
	fts, err := tx.PrepareContext(ctx, `INSERT INTO disclosures_fts (rowid, title, body) VALUES ($1, $2, $3)`)
	if err != nil {
		return err
	}
	defer fts.Close()
	for _, x := range rows {
		if _, err := ins.ExecContext(ctx, x.id, x.schoolID, x.indexNo, x.catalogueCode, x.category, x.title, x.body, x.audience, x.state, x.docNumber,
			nullID(x.departmentID), nullID(x.clerkID), x.channels, x.legal, x.contact, x.publicityDays, x.publStart, x.publEnd, x.endProvisional,
			x.version, x.createdBy, x.createdAt, x.updatedAt, x.publishedAt, nullID(x.signedBy), x.signedAt, x.reason); err != nil {
			return fmt.Errorf("sqlite: insert disclosure %d: %w", x.id, err)
		}
		for _, v := range x.versions {
			if _, err := ver.ExecContext(ctx, x.schoolID, x.id, v.version, v.title, v.body, v.doc, v.reason, v.publishedAt, v.createdBy, v.createdAt); err != nil {
				return fmt.Errorf("sqlite: insert version: %w", err)
			}
		}
		for _, e := range x.events {
			if _, err := evt.ExecContext(ctx, x.schoolID, x.id, e.action, e.from, e.to, nullID(e.actorID), e.actorName, e.role, e.comment, e.version, e.at); err != nil {
				return fmt.Errorf("sqlite: insert event: %w", err)
			}
		}
		if _, err := fts.ExecContext(ctx, x.id, x.titleTokens, x.bodyTokens); err != nil {
			return fmt.Errorf("sqlite: index disclosure %d: %w", x.id, err)
		}
	}
	return tx.Commit()
}

func (l *sqliteLoader) finish(ctx context.Context, seqs []indexSeq, phase func(string)) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range seqs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO index_sequences (school_id, year, category, last) VALUES ($1, $2, $3, $4)`,
			s.school, s.year, s.category, s.last); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, def := range l.indexes {
		if _, err := l.db.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("sqlite: %s: %w", def, err)
		}
	}
	phase("indexes")
	// gongkai never runs ANALYZE, so neither does the generator: the
	// planner sees what it would see in production. The WAL is folded
	// into the file, so a copy of the file is the whole database.
	if _, err := l.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	phase("checkpoint")
	return nil
}

func (l *sqliteLoader) size(ctx context.Context) (int64, error) {
	fi, err := os.Stat(l.path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (l *sqliteLoader) engine(ctx context.Context) string {
	var v string
	if err := l.db.QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&v); err != nil {
		return "SQLite"
	}
	return "SQLite " + v + " (modernc.org/sqlite)"
}
