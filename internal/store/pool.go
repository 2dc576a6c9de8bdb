package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// pool is a connection pool that, on SQLite, keeps its statements prepared.
// SQLite parses every statement it is given, and parsing costs as much as
// running most of gongkai's queries: a third of the time of a publication
// went to the parser before. pgx keeps PostgreSQL's statements prepared by
// itself, so there the pool only passes through.
type pool struct {
	*sql.DB
	prepared bool // keep statements prepared (SQLite)

	mu     sync.RWMutex
	stmts  map[string]*sql.Stmt
	wanted []string // asked for inside a transaction, prepared before the next
}

// maxStatements bounds the statements kept per pool; gongkai has a few
// hundred distinct ones, and a query beyond the bound just runs unprepared.
const maxStatements = 512

func newPool(db *sql.DB, prepared bool) *pool {
	return &pool{DB: db, prepared: prepared, stmts: map[string]*sql.Stmt{}}
}

// cacheable reports whether a query may be kept prepared: one statement of
// data, not a migration's script (only the first statement of a script
// would be prepared).
func cacheable(query string) bool {
	q := strings.TrimSpace(query)
	if strings.Contains(strings.TrimSuffix(q, ";"), ";") || len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "SELECT", "INSERT", "UPDATE", "DELETE":
		return true
	}
	return strings.HasPrefix(strings.ToUpper(q), "WITH")
}

// stmt returns the prepared statement of query, preparing it on first use,
// or nil to run the query unprepared.
func (p *pool) stmt(ctx context.Context, query string) *sql.Stmt {
	if !p.prepared {
		return nil
	}
	p.mu.RLock()
	st, ok := p.stmts[query]
	p.mu.RUnlock()
	if ok || !cacheable(query) {
		return st
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared run reports the error
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.stmts[query]; ok {
		st.Close()
		return old
	}
	if len(p.stmts) >= maxStatements {
		st.Close()
		return nil
	}
	p.stmts[query] = st
	return st
}

// known returns the prepared statement of query if there is one; inside a
// transaction nothing can be prepared on the pool (its one writing
// connection is the transaction's), so the query is noted for later.
func (p *pool) known(query string) *sql.Stmt {
	if !p.prepared {
		return nil
	}
	p.mu.RLock()
	st, ok := p.stmts[query]
	p.mu.RUnlock()
	if ok || !cacheable(query) {
		return st
	}
	p.mu.Lock()
	if len(p.wanted) < maxStatements {
		p.wanted = append(p.wanted, query)
	}
	p.mu.Unlock()
	return nil
}

// prepareWanted prepares what transactions asked for, before the next one
// begins, while the connection is free.
func (p *pool) prepareWanted(ctx context.Context) {
	if !p.prepared {
		return
	}
	p.mu.Lock()
	wanted := p.wanted
	p.wanted = nil
	p.mu.Unlock()
	for _, q := range wanted {
		p.stmt(ctx, q)
	}
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// Close closes the statements and the pool.
func (p *pool) Close() error {
	p.mu.Lock()
	for _, st := range p.stmts {
		st.Close()
	}
	clear(p.stmts)
	p.mu.Unlock()
	return p.DB.Close()
}

// The transaction's statements: those already prepared on the pool are
// bound to the transaction's connection (prepared there once, then reused).

func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.db.write.known(query); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.db.write.known(query); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.db.write.known(query); st != nil {
		return tx.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}
