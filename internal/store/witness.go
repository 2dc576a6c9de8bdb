package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
)

// The bureau as witness (docs/ledger.md, internal/ledger witness.go): the
// store keeps the logs a witness knows, the trees it cosigned and the
// alarms it raised. It decides nothing: the protocol is gongkai.WitnessDecide.

// WitnessLog is a log the witness knows: a school of this instance (by its
// key in use) or one a bureau registered from another instance.
type WitnessLog struct {
	BureauID  int64
	SchoolID  int64 // 0 for a log on another instance
	Name      string
	Origin    string
	VKey      string
	CreatedAt time.Time
}

// WitnessTree is a tree the witness cosigned.
type WitnessTree struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Note   string // the log's signed checkpoint as submitted
}

// WitnessAlarm is the evidence that a log forked or went back: the
// checkpoint it signed and the one the witness had cosigned before.
type WitnessAlarm struct {
	ID         int64
	BureauID   int64
	SchoolID   int64 // 0 for a log on another instance
	SchoolName string
	Origin     string
	Kind       gongkai.WitnessAlarmKind
	Size       int64
	Root       tlog.Hash
	Note       string
	KnownSize  int64
	KnownNote  string
	CreatedAt  time.Time
}

// WitnessKeys returns the verifier keys the witness trusts for an origin
// and the bureau that watches it: the key in use of the school of this
// instance with that origin, and the keys a bureau registered for it.
// ENOTFOUND when no log has that origin.
func (db *DB) WitnessKeys(ctx context.Context, origin string) (keys []string, bureauID, schoolID int64, err error) {
	rows, err := db.read.QueryContext(ctx, `SELECT k.vkey, s.bureau_id, s.id FROM ledger_keys k JOIN schools s ON s.id = k.school_id
		WHERE k.origin = $1 AND k.retired_at = 0
		UNION ALL SELECT vkey, bureau_id, 0 FROM witness_logs WHERE origin = $1`, origin)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("store: witness keys of %s: %w", origin, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var b, s int64
		if err := rows.Scan(&k, &b, &s); err != nil {
			return nil, 0, 0, err
		}
		keys = append(keys, k)
		if bureauID == 0 || s != 0 {
			bureauID, schoolID = b, s
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, 0, err
	}
	if len(keys) == 0 {
		return nil, 0, 0, notFound("存证日志")
	}
	return keys, bureauID, schoolID, nil
}

// WitnessHead returns the latest tree cosigned for an origin; size 0 when
// none was.
func (db *DB) WitnessHead(ctx context.Context, origin string) (WitnessTree, error) {
	t := WitnessTree{Origin: origin}
	var root []byte
	err := db.write.QueryRowContext(ctx, `SELECT size, root FROM witness_heads WHERE origin = $1`, origin).Scan(&t.Size, &root)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("store: witness head of %s: %w", origin, err)
	}
	copy(t.Root[:], root)
	return t, nil
}

// WitnessTreeOf returns the tree of that size cosigned for an origin, or
// ENOTFOUND.
func (db *DB) WitnessTreeOf(ctx context.Context, origin string, size int64) (WitnessTree, error) {
	t := WitnessTree{Origin: origin, Size: size}
	var root []byte
	err := db.write.QueryRowContext(ctx, `SELECT root, note FROM witness_trees WHERE origin = $1 AND size = $2`, origin, size).Scan(&root, &t.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("见证记录")
	}
	if err != nil {
		return t, fmt.Errorf("store: witnessed tree %d of %s: %w", size, origin, err)
	}
	copy(t.Root[:], root)
	return t, nil
}

// AdvanceWitness records t as the latest tree cosigned for its origin, if
// the latest is still of size old (compare-and-swap), and keeps it among
// the trees cosigned, whose key refuses a second tree of one size. It
// returns false and the size now recorded when another request moved first.
func (db *DB) AdvanceWitness(ctx context.Context, t WitnessTree, old int64) (bool, int64, error) {
	var known int64
	err := db.withTx(ctx, func(tx *Tx) error {
		var res sql.Result
		var err error
		if old == 0 {
			res, err = tx.ExecContext(ctx, `INSERT INTO witness_heads (origin, size, root, updated_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (origin) DO NOTHING`, t.Origin, t.Size, t.Root[:], ms(tx.Now))
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE witness_heads SET size = $1, root = $2, updated_at = $3 WHERE origin = $4 AND size = $5`,
				t.Size, t.Root[:], ms(tx.Now), t.Origin, old)
		}
		if err != nil {
			return fmt.Errorf("store: witness head of %s: %w", t.Origin, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err == nil {
				err = tx.QueryRowContext(ctx, `SELECT size FROM witness_heads WHERE origin = $1`, t.Origin).Scan(&known)
			}
			if err == nil {
				err = errMovedOn
			}
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO witness_trees (origin, size, root, note, cosigned_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (origin, size) DO NOTHING`, t.Origin, t.Size, t.Root[:], t.Note, ms(tx.Now))
		if err != nil {
			return fmt.Errorf("store: witnessed tree of %s: %w", t.Origin, err)
		}
		// A tree cosigned at last clears the alarm a forged proof for it raised.
		_, err = tx.ExecContext(ctx, `UPDATE witness_alarms SET resolved_at = $1 WHERE origin = $2 AND size = $3 AND root = $4 AND resolved_at = 0`,
			ms(tx.Now), t.Origin, t.Size, t.Root[:])
		return err
	})
	if errors.Is(err, errMovedOn) {
		return false, known, nil
	}
	return err == nil, known, err
}

var errMovedOn = errors.New("store: moved on")

// RaiseWitnessAlarm records an alarm once: the same checkpoint proving the
// same thing again adds nothing.
func (db *DB) RaiseWitnessAlarm(ctx context.Context, a WitnessAlarm) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO witness_alarms (bureau_id, school_id, origin, kind, size, root, note, known_size, known_note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (origin, kind, size, root) DO NOTHING`,
		a.BureauID, nullID(a.SchoolID), a.Origin, string(a.Kind), a.Size, a.Root[:], a.Note, a.KnownSize, a.KnownNote, ms(db.Now()))
	if err != nil {
		return fmt.Errorf("store: witness alarm for %s: %w", a.Origin, err)
	}
	return nil
}

// WitnessAlarms returns a bureau's alarms not cleared, newest first.
func (db *DB) WitnessAlarms(ctx context.Context, bureauID int64) ([]WitnessAlarm, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, a.bureau_id, COALESCE(a.school_id, 0), COALESCE(s.name, ''), a.origin, a.kind, a.size, a.root,
		a.note, a.known_size, a.known_note, a.created_at FROM witness_alarms a LEFT JOIN schools s ON s.id = a.school_id
		WHERE a.bureau_id = $1 AND a.resolved_at = 0 ORDER BY a.created_at DESC, a.id DESC LIMIT 50`, bureauID)
	if err != nil {
		return nil, fmt.Errorf("store: witness alarms: %w", err)
	}
	defer rows.Close()
	var out []WitnessAlarm
	for rows.Next() {
		var a WitnessAlarm
		var kind string
		var root []byte
		var at int64
		if err := rows.Scan(&a.ID, &a.BureauID, &a.SchoolID, &a.SchoolName, &a.Origin, &kind, &a.Size, &root, &a.Note, &a.KnownSize, &a.KnownNote, &at); err != nil {
			return nil, err
		}
		a.Kind, a.CreatedAt = gongkai.WitnessAlarmKind(kind), fromMS(at)
		copy(a.Root[:], root)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AddWitnessLog registers the log of a school on another instance with a
// bureau's witness; adding a second key to an origin is how a rotation of
// that school's key is followed. ECONFLICT when the key is already known.
func (db *DB) AddWitnessLog(ctx context.Context, actor *gongkai.Actor, l WitnessLog) error {
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO witness_logs (bureau_id, origin, vkey, created_at) VALUES ($1, $2, $3, $4)`,
			l.BureauID, l.Origin, l.VKey, ms(tx.Now))
		if isUniqueViolation(err) {
			return gongkai.Errorf(gongkai.ECONFLICT, "这个存证日志的公钥已经登记过了。")
		}
		if err != nil {
			return fmt.Errorf("store: witness log %s: %w", l.Origin, err)
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{BureauID: l.BureauID, Action: gongkai.AdminWitnessLogAdded, Subject: l.Origin, Detail: l.VKey})
	})
}

// WitnessLogs lists the logs a bureau's witness knows: its schools on this
// instance (by their key in use) and the logs it registered, with the
// latest size it cosigned of each.
func (db *DB) WitnessLogs(ctx context.Context, bureauID int64) ([]WitnessLog, map[string]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.name, k.origin, k.vkey, k.created_at FROM ledger_keys k JOIN schools s ON s.id = k.school_id
		WHERE s.bureau_id = $1 AND k.retired_at = 0
		UNION ALL SELECT 0, '', origin, vkey, created_at FROM witness_logs WHERE bureau_id = $1 ORDER BY 1 DESC, 3`, bureauID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: witness logs: %w", err)
	}
	defer rows.Close()
	var out []WitnessLog
	for rows.Next() {
		l := WitnessLog{BureauID: bureauID}
		var at int64
		if err := rows.Scan(&l.SchoolID, &l.Name, &l.Origin, &l.VKey, &at); err != nil {
			return nil, nil, err
		}
		l.CreatedAt = fromMS(at)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	sizes := map[string]int64{}
	hrows, err := db.read.QueryContext(ctx, `SELECT origin, size FROM witness_heads`)
	if err != nil {
		return nil, nil, fmt.Errorf("store: witness heads: %w", err)
	}
	defer hrows.Close()
	for hrows.Next() {
		var o string
		var n int64
		if err := hrows.Scan(&o, &n); err != nil {
			return nil, nil, err
		}
		sizes[o] = n
	}
	return out, sizes, hrows.Err()
}

// LatestCheckpoints returns every school's latest signed checkpoint, for
// the push of checkpoints to the witness that failed or was not tried.
func (db *DB) LatestCheckpoints(ctx context.Context) ([]Checkpoint, error) {
	rows, err := db.write.QueryContext(ctx, `SELECT school_id, size, root, note, signed_at FROM ledger_checkpoints ORDER BY school_id`)
	if err != nil {
		return nil, fmt.Errorf("store: checkpoints: %w", err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		var c Checkpoint
		var root []byte
		var at int64
		if err := rows.Scan(&c.SchoolID, &c.Size, &root, &c.Note, &at); err != nil {
			return nil, err
		}
		copy(c.Root[:], root)
		c.SignedAt = fromMS(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
