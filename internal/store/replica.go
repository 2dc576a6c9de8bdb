package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// A PostgreSQL streaming replica may serve the public board's reads. It must
// never make a stale page: pages are cached until a change notification
// drops them, so a page rendered from a replica that has not yet replayed a
// change would stay stale after the notification has come and gone.
//
// So every node keeps, per school, the WAL position (LSN) of the newest
// commit it has heard of, and reads a school from the replica only when the
// replica has replayed at least that far; otherwise from the primary. The
// position is recorded before the cache is told, so a page rendered after
// the cache dropped the school's pages is read from a source that has the
// change.
//
// Where the positions come from: a notification is sent inside the writing
// transaction (touch), so it arrives if and only if the transaction commits,
// also when the writer dies right after committing. PostgreSQL delivers it
// only once the commit is in the WAL, so the primary's insert position asked
// on receipt is at or past the commit; the listener asks on the connection
// that received it. The writing node asks the same after its own commit. A
// payload "<school>:<lsn>" carries the position already and spares the
// question; a plain "<school>" is what writers send today.

const (
	// replicaPositionTTL is how long a replay position, once read, is
	// trusted for reads that it satisfies. A position is a lower bound of
	// the replica's (replay only moves forward), so this bounds how late a
	// replica that was rebuilt or went away is noticed, not staleness.
	replicaPositionTTL = time.Second
	// replicaRecheck is how often a node asks a replica that is behind
	// again: reads meanwhile go to the primary.
	replicaRecheck = 10 * time.Millisecond
	// replicaRetry is how long a replica that failed to answer is left alone.
	replicaRetry = 2 * time.Second
	// replicaAskTimeout bounds the question, so a replica that hangs cannot
	// hang the board.
	replicaAskTimeout = 500 * time.Millisecond
)

// lsnUnknown is a position no replica reaches: read from the primary.
const lsnUnknown = math.MaxUint64

// replica is the optional read-only standby and what this node knows of the
// positions the board must see.
type replica struct {
	pool *pool
	name string // redacted DSN, for logs
	log  *slog.Logger
	wal  walLayout // the primary's, to read its insert positions

	mu      sync.Mutex
	floor   uint64           // every school: the primary's position when the listener last connected; lsnUnknown while not listening
	need    map[int64]uint64 // per school: the newest commit heard of
	needAll uint64           // the newest commit of any school, for reads across schools
	pos     uint64           // the replica's replay position, 0 when unknown
	posAt   time.Time        // when pos was read
	retryAt time.Time        // a failed replica is not asked before
	failed  bool             // the last question failed (to log transitions only)

	ask sync.Mutex // held by the read that asks the replica
}

// readCounts counts the public reads by the pool that served them.
type readCounts struct{ primary, replica atomic.Uint64 }

// AttachReplica opens the PostgreSQL streaming replica at dsn for public
// reads; call it after Open, before the store is used. A replica that does
// not answer yet is no reason to fail: reads go to the primary until it does.
func (db *DB) AttachReplica(ctx context.Context, dsn string) error {
	if db.dialect != postgresDialect {
		return fmt.Errorf("store: a read replica needs PostgreSQL, not %s", db.dialect)
	}
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return fmt.Errorf("store: replica %q: use postgres://...", redact(dsn)) //nolint:staticcheck // ST1005: the "..." is part of the URL pattern
	}
	pool, err := openPostgres(dsn)
	if err != nil {
		return err
	}
	r := &replica{pool: newPool(pool, false), name: redact(dsn), log: db.log, need: map[int64]uint64{}}
	if err := db.write.QueryRowContext(ctx, `SELECT current_setting('wal_block_size')::bigint,
		(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')`).Scan(&r.wal.block, &r.wal.segment); err != nil {
		pool.Close()
		return fmt.Errorf("store: primary WAL layout: %w", err)
	}
	db.replica = r
	// Until the listener connects, only what was committed before now is
	// known; Listen raises the floor when it starts listening.
	lsn, err := db.primaryPosition(ctx)
	if err != nil {
		db.replica = nil
		pool.Close()
		return err
	}
	r.floor = lsn
	if pos, err := r.position(ctx, lsnUnknown); err != nil || pos == 0 {
		db.log.Warn("read replica not usable yet; public reads go to the primary", "replica", r.name, "err", err)
	} else {
		db.log.Info("read replica attached", "replica", r.name, "replay_lsn", formatLSN(pos))
	}
	return nil
}

// ReplicaPool returns the replica's pool for its statistics in /metrics, or
// nil without a replica.
func (db *DB) ReplicaPool() *sql.DB {
	if db.replica == nil {
		return nil
	}
	return db.replica.pool.DB
}

// PublicReads returns how many reads for public pages the primary and the
// replica have served.
func (db *DB) PublicReads() (primary, replica uint64) {
	return db.reads.primary.Load(), db.reads.replica.Load()
}

type publicReadKey struct{}

// publicRead remembers the replica's position for the rest of one request,
// so a page asks at most once and reads every school from one source.
type publicRead struct {
	mu    sync.Mutex
	asked bool
	pos   uint64
}

// PublicRead marks ctx as a request for a public page that every reader
// sees alike (anonymous, cacheable): its reads may go to the replica when it
// is fresh enough. Reads for signed-in users, writes and whatever follows a
// write stay on the primary.
func PublicRead(ctx context.Context) context.Context {
	return context.WithValue(ctx, publicReadKey{}, &publicRead{})
}

// reader returns the pool for a read of the school's public data (school 0:
// data of several schools, such as the list of schools).
func (db *DB) reader(ctx context.Context, schoolID int64) *pool {
	r := db.replica
	pr, _ := ctx.Value(publicReadKey{}).(*publicRead)
	if r == nil || pr == nil {
		db.reads.primary.Add(1)
		return db.read
	}
	need := r.needOf(schoolID)
	pr.mu.Lock()
	if !pr.asked && need != lsnUnknown {
		pr.pos, _ = r.position(ctx, need)
		pr.asked = true
	}
	pos := pr.pos
	pr.mu.Unlock()
	if pos == 0 || pos < need {
		db.reads.primary.Add(1)
		return db.read
	}
	db.reads.replica.Add(1)
	return r.pool
}

func (r *replica) needOf(schoolID int64) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if schoolID == 0 {
		return max(r.floor, r.needAll)
	}
	return max(r.floor, r.need[schoolID])
}

// heard records that a commit at lsn changed the school (0: any school).
func (r *replica) heard(schoolID int64, lsn uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if schoolID == 0 {
		r.floor = max(r.floor, lsn)
	} else {
		r.need[schoolID] = max(r.need[schoolID], lsn)
	}
	r.needAll = max(r.needAll, lsn)
}

// setFloor sets the position every read must see: the primary's when the
// listener (re)connects, lsnUnknown when it lost its connection and changes
// may go unheard. A known floor covers every commit before it, so schools
// pinned to the primary because their position was lost are released.
func (r *replica) setFloor(lsn uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.floor = lsn
	if lsn == lsnUnknown {
		return
	}
	for id, n := range r.need {
		if n == lsnUnknown {
			delete(r.need, id)
		}
	}
	if r.needAll == lsnUnknown {
		r.needAll = lsn
	}
}

// position returns the replica's replay position: the one known when it is
// recent and at least need, else the replica's answer to a new question,
// asked at most every replicaRecheck and by one read at a time; the others
// meanwhile take the known position (so, if it is short, the primary)
// rather than wait. 0 means unknown.
func (r *replica) position(ctx context.Context, need uint64) (uint64, error) {
	r.mu.Lock()
	pos, at, retryAt := r.pos, r.posAt, r.retryAt
	r.mu.Unlock()
	now := time.Now()
	switch {
	case now.Before(retryAt):
		return 0, nil
	case pos != 0 && pos >= need && now.Sub(at) < replicaPositionTTL:
		return pos, nil
	case now.Sub(at) < replicaRecheck:
		return pos, nil
	}
	if !r.ask.TryLock() {
		return pos, nil
	}
	defer r.ask.Unlock()
	r.mu.Lock()
	if !r.posAt.Equal(at) { // answered just now
		pos = r.pos
		r.mu.Unlock()
		return pos, nil
	}
	r.mu.Unlock()

	actx, cancel := context.WithTimeout(ctx, replicaAskTimeout)
	defer cancel()
	var text sql.NullString
	err := r.pool.QueryRowContext(actx, `SELECT pg_last_wal_replay_lsn()::text`).Scan(&text)
	if err == nil && !text.Valid {
		err = errors.New("not a standby (pg_last_wal_replay_lsn is NULL)")
	}
	if err == nil {
		pos, err = parseLSN(text.String)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err() // the request went away, not the replica
		}
		if !r.failed {
			r.log.Warn("read replica failed; public reads go to the primary", "replica", r.name, "err", err)
		}
		r.pos, r.posAt, r.retryAt, r.failed = 0, time.Now(), time.Now().Add(replicaRetry), true
		return 0, fmt.Errorf("store: replica %s: %w", r.name, err)
	}
	if r.failed {
		r.log.Info("read replica answers again", "replica", r.name)
		r.failed = false
	}
	// Replay moves forward; a lower answer means another server answers
	// now (rebuilt, failed over), and its answer is the one that counts.
	r.pos, r.posAt = pos, time.Now()
	return pos, nil
}

// insertPositionSQL asks the primary's WAL insert position: at or past
// every commit that has been made (the write and flush positions may still
// be behind a commit with synchronous_commit off).
const insertPositionSQL = `SELECT pg_current_wal_insert_lsn()::text`

// primaryPosition asks the primary's insert position on the pool.
func (db *DB) primaryPosition(ctx context.Context) (uint64, error) {
	var text string
	if err := db.write.QueryRowContext(ctx, insertPositionSQL).Scan(&text); err != nil {
		return 0, fmt.Errorf("store: primary WAL position: %w", err)
	}
	return db.replica.wal.end(text)
}

// walLayout is what it takes to compare an insert position with a replay
// position.
type walLayout struct{ block, segment uint64 }

// end turns an insert position into the replay position a replica has when
// it has replayed everything before it. They differ at a page boundary: the
// insert position is then past the new page's header, where no record
// ends, so an idle replica would never seem to reach it.
func (w walLayout) end(text string) (uint64, error) {
	lsn, err := parseLSN(text)
	if err != nil {
		return 0, err
	}
	const shortHeader, longHeader = 24, 40 // SizeOfXLogShortPHD, SizeOfXLogLongPHD
	switch {
	case w.segment > 0 && lsn%w.segment == longHeader:
		return lsn - longHeader, nil
	case w.block > 0 && lsn%w.block == shortHeader && lsn%w.segment != shortHeader:
		return lsn - shortHeader, nil
	}
	return lsn, nil
}

// noteCommit records the position of this node's own commit that touched
// schools, before the cache hears of it: a writer must read what it wrote.
func (db *DB) noteCommit(ctx context.Context, schools []int64) {
	r := db.replica
	if r == nil || len(schools) == 0 {
		return
	}
	lsn, err := db.primaryPosition(context.WithoutCancel(ctx))
	if err != nil {
		// Without the position, the schools read from the primary until
		// the listener reconnects and sets a floor past this commit.
		db.log.Warn("WAL position after commit unknown; reading the schools from the primary", "err", err)
		lsn = lsnUnknown
	}
	for _, id := range schools {
		r.heard(id, lsn)
	}
}

// parsePayload reads a change notification: "<school>" or "<school>:<lsn>",
// lsn 0 when absent. Anything else means school 0, "anything may have
// changed".
func parsePayload(p string) (schoolID int64, lsn uint64) {
	id, pos, hasPos := strings.Cut(p, ":")
	schoolID, err := strconv.ParseInt(id, 10, 64)
	if err != nil || schoolID < 0 {
		return 0, 0
	}
	if hasPos {
		if lsn, err = parseLSN(pos); err != nil {
			return 0, 0
		}
	}
	return schoolID, lsn
}

// parseLSN reads PostgreSQL's text form of a WAL position, "16/B374D848".
func parseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, fmt.Errorf("bad WAL position %q", s)
	}
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad WAL position %q", s)
	}
	return h<<32 | l, nil
}

func formatLSN(lsn uint64) string { return fmt.Sprintf("%X/%X", lsn>>32, lsn&0xFFFFFFFF) }

// heardOn records the position of the change a notification on the
// listener's connection reports, asking the primary on that connection
// when the payload does not carry it, and returns the school it names.
func (db *DB) heardOn(ctx context.Context, conn *pgx.Conn, payload string) (int64, error) {
	id, lsn := parsePayload(payload)
	r := db.replica
	if r == nil {
		return id, nil
	}
	if lsn == 0 {
		var err error
		if lsn, err = r.connPosition(ctx, conn); err != nil {
			return id, err
		}
	}
	r.heard(id, lsn)
	return id, nil
}

// listening sets the floor once the listener's LISTEN is in place: every
// commit before it is in the primary's WAL before this position, every
// commit after it will be heard of.
func (db *DB) listening(ctx context.Context, conn *pgx.Conn) error {
	if db.replica == nil {
		return nil
	}
	lsn, err := db.replica.connPosition(ctx, conn)
	if err != nil {
		return err
	}
	db.replica.setFloor(lsn)
	return nil
}

// deaf is called when the listener lost its connection: changes may go
// unheard, so nothing is read from the replica until it listens again.
func (db *DB) deaf() {
	if db.replica != nil {
		db.replica.setFloor(lsnUnknown)
	}
}

func (r *replica) connPosition(ctx context.Context, conn *pgx.Conn) (uint64, error) {
	var text string
	if err := conn.QueryRow(ctx, insertPositionSQL).Scan(&text); err != nil {
		return 0, fmt.Errorf("store: primary WAL position: %w", err)
	}
	return r.wal.end(text)
}
