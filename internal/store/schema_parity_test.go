package store_test

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gongkai/internal/testdb"
)

// schemaOf describes a migrated database as lines a person can compare:
// "table.column null|not null" and "index name on table (columns)".
type schemaOf struct {
	columns []string
	indexes []string
}

func readSQLiteSchema(t *testing.T, db *sql.DB) schemaOf {
	t.Helper()
	var s schemaOf
	tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	for _, tb := range tables {
		if strings.HasPrefix(tb, "disclosures_fts") {
			continue // the search index: FTS5 here, a tsvector column there (search.go)
		}
		rows, err := db.Query(`SELECT name, "notnull", pk FROM pragma_table_info(?)`, tb)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name string
			var notNull, pk int
			if err := rows.Scan(&name, &notNull, &pk); err != nil {
				t.Fatal(err)
			}
			s.columns = append(s.columns, column(tb, name, notNull == 1 || pk > 0))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		for _, ix := range queryStrings(t, db, `SELECT name || CASE WHEN "unique" THEN ' unique' ELSE '' END FROM pragma_index_list(?) WHERE origin = 'c'`, tb) {
			name, unique := strings.CutSuffix(ix, " unique")
			cols := queryStrings(t, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, name)
			s.indexes = append(s.indexes, index(name, tb, strings.Join(cols, ", "), unique))
		}
	}
	return s
}

func readPostgresSchema(t *testing.T, db *sql.DB) schemaOf {
	t.Helper()
	var s schemaOf
	rows, err := db.Query(`SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tb, name, nullable string
		if err := rows.Scan(&tb, &name, &nullable); err != nil {
			t.Fatal(err)
		}
		if tb == "disclosures" && name == "tsv" {
			continue // the search index (see above)
		}
		s.columns = append(s.columns, column(tb, name, nullable == "NO"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	// Indexes made by CREATE INDEX, not those behind a primary key or a
	// UNIQUE constraint of a column.
	rows, err = db.Query(`SELECT i.relname, t.relname, array_to_string(array_agg(a.attname ORDER BY k.n), ', '), x.indisunique
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
		LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
		WHERE ns.nspname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
		GROUP BY i.relname, t.relname, x.indisunique`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ix, tb, cols string
		var unique bool
		if err := rows.Scan(&ix, &tb, &cols, &unique); err != nil {
			t.Fatal(err)
		}
		if ix == "disclosures_tsv" {
			continue // the search index (see above)
		}
		// Every SQLite index ends with the rowid, which is the id: the
		// PostgreSQL index names it (INCLUDE) to be read alone as well.
		if ix == "disclosures_public" {
			cols = strings.TrimSuffix(cols, ", id")
		}
		s.indexes = append(s.indexes, index(ix, tb, cols, unique))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	return s
}

func index(name, table, cols string, unique bool) string {
	if unique {
		return fmt.Sprintf("unique index %s on %s (%s)", name, table, cols)
	}
	return fmt.Sprintf("index %s on %s (%s)", name, table, cols)
}

func column(table, name string, notNull bool) string {
	if notNull {
		return table + "." + name + " not null"
	}
	return table + "." + name + " null"
}

func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchemaParity: the SQLite and PostgreSQL migrations make the same
// tables, columns (with their NOT NULL), and indexes, so that one store
// serves both and a migration written for one is not forgotten for the
// other. The search index alone differs by design.
func TestSchemaParity(t *testing.T) {
	pg := mustOpen(t, testdb.New(t, "postgres"))
	lite := mustOpen(t, testdb.New(t, "sqlite"))
	a, b := readSQLiteSchema(t, lite.Pool()), readPostgresSchema(t, pg.Pool())
	if len(a.columns) < 100 {
		t.Fatalf("read only %d columns from SQLite", len(a.columns))
	}
	for _, sc := range []schemaOf{a, b} {
		if !slices.ContainsFunc(sc.indexes, func(l string) bool { return strings.HasPrefix(l, "unique index") }) {
			t.Fatalf("no unique index read: %q", sc.indexes)
		}
	}
	compare := func(what string, x, y []string) {
		slices.Sort(x)
		slices.Sort(y)
		for _, l := range x {
			if !slices.Contains(y, l) {
				t.Errorf("%s only on SQLite: %s", what, l)
			}
		}
		for _, l := range y {
			if !slices.Contains(x, l) {
				t.Errorf("%s only on PostgreSQL: %s", what, l)
			}
		}
	}
	compare("column", a.columns, b.columns)
	compare("index", a.indexes, b.indexes)
}
