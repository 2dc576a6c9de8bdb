package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// CountReads makes the store's reads go through a pool that counts the
// statements it runs, for tests that hold a method to a fixed number of
// queries whatever the number of schools or items; the count returned
// reads it. The original pool is put back when the test ends.
func CountReads(t testing.TB, db *DB) (count func() int64) {
	t.Helper()
	dsn := db.dsn
	if db.dialect == sqliteDialect {
		path := strings.TrimPrefix(dsn, "sqlite:")
		dsn = "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=query_only(1)"
	}
	n := new(atomic.Int64)
	counted := sql.OpenDB(countingConnector{drv: db.read.Driver(), dsn: dsn, n: n})
	old := db.read
	db.read = newPool(counted, db.dialect == sqliteDialect)
	t.Cleanup(func() {
		db.read.Close()
		db.read = old
	})
	return n.Load
}

type countingConnector struct {
	drv driver.Driver
	dsn string
	n   *atomic.Int64
}

func (c countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return countingConn{Conn: conn, n: c.n}, nil
}

func (c countingConnector) Driver() driver.Driver { return c.drv }

// countingConn hides the driver's direct query methods, so that every
// statement is prepared and counted when it runs.
type countingConn struct {
	driver.Conn
	n *atomic.Int64
}

func (c countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return countingStmt{Stmt: st, n: c.n}, nil
}

type countingStmt struct {
	driver.Stmt
	n *atomic.Int64
}

func values(args []driver.NamedValue) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}

func (s countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.Add(1)
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	return s.Stmt.Query(values(args)) //nolint:staticcheck // the fallback of drivers without contexts
}

func (s countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.Add(1)
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	return s.Stmt.Exec(values(args)) //nolint:staticcheck // the fallback of drivers without contexts
}
