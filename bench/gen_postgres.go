package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

type postgresLoader struct {
	conn    *pgx.Conn
	indexes []string // CREATE INDEX statements to run at the end
}

// disclosureColumns are the columns of disclosures the generator fills;
// tsv is computed from the tokens by PostgreSQL itself.
var disclosureColumns = []string{"id", "school_id", "index_no", "catalogue_code", "category", "title", "body", "audience", "state", "doc_number",
	"department_id", "clerk_id", "channels", "legal_basis", "contact", "publicity_days", "publicity_start", "publicity_end", "end_provisional",
	"version", "created_by", "created_at", "updated_at", "published_at", "signed_by", "signed_at", "reason"}

func openPostgresLoader(ctx context.Context, dsn string) (*postgresLoader, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	l := &postgresLoader{conn: conn}
	for _, s := range []string{
		`SET synchronous_commit = off`,
		`SET maintenance_work_mem = '1GB'`,
		// The bench server is a throwaway one and we are its superuser:
		// skip the foreign-key triggers, the rows are consistent by
		// construction.
		`SET session_replication_role = replica`,
	} {
		if _, err := conn.Exec(ctx, s); err != nil && !strings.Contains(s, "replication") {
			conn.Close(ctx)
			return nil, fmt.Errorf("postgres: %s: %w", s, err)
		}
	}
	return l, nil
}

func (l *postgresLoader) Close() error { return l.conn.Close(context.Background()) }

func (l *postgresLoader) prepare(ctx context.Context) error {
	// Indexes that back a constraint (primary keys, UNIQUE) stay.
	rows, err := l.conn.Query(ctx, `SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`, bulkTables)
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
		if _, err := l.conn.Exec(ctx, `DROP INDEX `+pgx.Identifier{n}.Sanitize()); err != nil {
			return fmt.Errorf("postgres: drop index %s: %w", n, err)
		}
	}
	// The rows go through a staging table so that PostgreSQL computes tsv
	// with exactly the expression gongkai's store uses.
	_, err = l.conn.Exec(ctx, `CREATE TEMP TABLE bench_stage (LIKE disclosures);
		ALTER TABLE bench_stage DROP COLUMN tsv, ADD COLUMN title_tokens TEXT, ADD COLUMN body_tokens TEXT`)
	return err
}

func (l *postgresLoader) write(ctx context.Context, rows []*row) error {
	tx, err := l.conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	stageCols := append(append([]string{}, disclosureColumns...), "title_tokens", "body_tokens")
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_stage"}, stageCols, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		x := rows[i]
		return []any{x.id, x.schoolID, x.indexNo, x.catalogueCode, x.category, x.title, x.body, x.audience, x.state, x.docNumber,
			nullID(x.departmentID), nullID(x.clerkID), x.channels, x.legal, x.contact, int32(x.publicityDays), x.publStart, x.publEnd, x.endProvisional,
			int32(x.version), x.createdBy, x.createdAt, x.updatedAt, x.publishedAt, nullID(x.signedBy), x.signedAt, x.reason,
			x.titleTokens, x.bodyTokens}, nil
	})); err != nil {
		return fmt.Errorf("postgres: copy disclosures: %w", err)
	}
	cols := strings.Join(disclosureColumns, ", ")
	if _, err := tx.Exec(ctx, `INSERT INTO disclosures (`+cols+`, tsv) SELECT `+cols+`,
		setweight(to_tsvector('simple', title_tokens), 'A') || setweight(to_tsvector('simple', body_tokens), 'B') FROM bench_stage`); err != nil {
		return fmt.Errorf("postgres: insert disclosures: %w", err)
	}
	if _, err := tx.Exec(ctx, `TRUNCATE bench_stage`); err != nil {
		return err
	}
	var vs, es [][]any
	for _, x := range rows {
		for _, v := range x.versions {
			vs = append(vs, []any{x.schoolID, x.id, int32(v.version), v.title, v.body, v.doc, v.reason, v.publishedAt, v.createdBy, v.createdAt})
		}
		for _, e := range x.events {
			es = append(es, []any{x.schoolID, x.id, e.action, e.from, e.to, nullID(e.actorID), e.actorName, e.role, e.comment, int32(e.version), e.at})
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"disclosure_versions"},
		[]string{"school_id", "disclosure_id", "version", "title", "body", "doc_number", "reason", "published_at", "created_by", "created_at"},
		pgx.CopyFromRows(vs)); err != nil {
		return fmt.Errorf("postgres: copy versions: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"disclosure_events"},
		[]string{"school_id", "disclosure_id", "action", "from_state", "to_state", "actor_id", "actor_name", "actor_role", "comment", "version", "created_at"},
		pgx.CopyFromRows(es)); err != nil {
		return fmt.Errorf("postgres: copy events: %w", err)
	}
	return tx.Commit(ctx)
}

func (l *postgresLoader) finish(ctx context.Context, seqs []indexSeq, phase func(string)) error {
	rows := make([][]any, len(seqs))
	for i, s := range seqs {
		rows[i] = []any{s.school, int32(s.year), s.category, int32(s.last)}
	}
	if _, err := l.conn.CopyFrom(ctx, pgx.Identifier{"index_sequences"}, []string{"school_id", "year", "category", "last"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("postgres: copy index sequences: %w", err)
	}
	// Ids were given explicitly; the identity must continue after them.
	if _, err := l.conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('disclosures', 'id'), (SELECT max(id) FROM disclosures))`); err != nil {
		return err
	}
	if _, err := l.conn.Exec(ctx, `DROP TABLE bench_stage`); err != nil {
		return err
	}
	for _, def := range l.indexes {
		if _, err := l.conn.Exec(ctx, def); err != nil {
			return fmt.Errorf("postgres: %s: %w", def, err)
		}
	}
	phase("indexes")
	// What autovacuum would do within minutes of a load like this one:
	// statistics for the planner and the visibility map for index-only
	// scans. Done now, so the first benchmark does not race it.
	for _, t := range append(bulkTables, "index_sequences", "schools", "users", "memberships", "departments", "catalogue_items") {
		if _, err := l.conn.Exec(ctx, `VACUUM (ANALYZE) `+pgx.Identifier{t}.Sanitize()); err != nil {
			return fmt.Errorf("postgres: vacuum %s: %w", t, err)
		}
	}
	phase("vacuum analyze")
	if _, err := l.conn.Exec(ctx, `CHECKPOINT`); err != nil {
		return err
	}
	phase("checkpoint")
	return nil
}

func (l *postgresLoader) size(ctx context.Context) (int64, error) {
	var n int64
	err := l.conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
	return n, err
}

func (l *postgresLoader) engine(ctx context.Context) string {
	var v string
	if err := l.conn.QueryRow(ctx, `SHOW server_version`).Scan(&v); err != nil {
		return "PostgreSQL"
	}
	return "PostgreSQL " + v
}
