package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
)

// The verifiable record (存证, docs/ledger.md): each school's append-only
// Merkle log. An entry is appended in the transaction of the step it
// records, so a publication is never visible without its entry and an
// entry never exists without it. Checkpoints are signed outside the store
// (internal/ledger); the store only advances the latest one by
// compare-and-swap.

// LedgerRecord is one entry of a school's log.
type LedgerRecord struct {
	SchoolID     int64
	Index        int64
	DisclosureID int64
	Version      int
	Action       gongkai.LedgerAction
	Entry        []byte
	LeafHash     tlog.Hash
	CreatedAt    time.Time
}

// Checkpoint is a school's latest signed checkpoint: a signed note in the
// C2SP tlog-checkpoint format, with the cosignatures gathered so far.
type Checkpoint struct {
	SchoolID int64
	Size     int64
	Root     tlog.Hash
	Note     string
	SignedAt time.Time
}

// appendLedger appends the entry of a step to the item's school log. It
// reads the item as the step left it, in the step's transaction.
func (tx *Tx) appendLedger(ctx context.Context, schoolID, id int64, action gongkai.LedgerAction) error {
	var body, slug string
	d, err := scanDisclosure(tx.QueryRowContext(ctx, `SELECT `+summaryColumns+`, d.body, s.slug`+summaryJoins+`
		JOIN schools s ON s.id = d.school_id WHERE d.school_id = $1 AND d.id = $2`, schoolID, id), &body, &slug)
	if err != nil {
		return fmt.Errorf("store: ledger entry of disclosure %d: %w", id, err)
	}
	d.Body = body
	files, err := versionFileHashes(ctx, tx, schoolID, id, d.Version)
	if err != nil {
		return err
	}
	e := gongkai.NewLedgerEntry(gongkai.LedgerFacts{SchoolSlug: slug, Item: d, Attachments: files, Action: action, At: tx.Now})
	_, err = tx.appendEntry(ctx, schoolID, id, d.Version, action, e.Bytes())
	return err
}

// versionFileHashes lists the SHA-256 of a version's files in the order
// the item shows them.
func versionFileHashes(ctx context.Context, q querier, schoolID, id int64, version int) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT sha256 FROM attachments WHERE school_id = $1 AND disclosure_id = $2 AND version = $3 ORDER BY id`, schoolID, id, version)
	if err != nil {
		return nil, fmt.Errorf("store: files of disclosure %d: %w", id, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// appendEntry adds one entry and the tree hashes it completes. Taking the
// next index updates the school's head row, whose lock holds every other
// append of the school until this transaction ends.
func (tx *Tx) appendEntry(ctx context.Context, schoolID, disclosureID int64, version int, action gongkai.LedgerAction, entry []byte) (int64, error) {
	if len(entry) > gongkai.MaxLedgerEntry {
		return 0, fmt.Errorf("store: ledger entry of %d bytes is too long", len(entry))
	}
	var size int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO ledger_heads (school_id, size) VALUES ($1, 1)
		ON CONFLICT (school_id) DO UPDATE SET size = ledger_heads.size + 1 RETURNING size`, schoolID).Scan(&size); err != nil {
		return 0, fmt.Errorf("store: ledger head: %w", err)
	}
	n := size - 1
	hashes, err := tlog.StoredHashes(n, entry, hashReader(ctx, tx, schoolID))
	if err != nil {
		return 0, fmt.Errorf("store: ledger hashes: %w", err)
	}
	leaf := tlog.RecordHash(entry)
	if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_entries (school_id, idx, disclosure_id, version, action, entry, leaf_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, schoolID, n, disclosureID, version, string(action), entry, leaf[:], ms(tx.Now)); err != nil {
		return 0, fmt.Errorf("store: ledger entry: %w", err)
	}
	first := tlog.StoredHashIndex(0, n)
	for i, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_hashes (school_id, id, hash) VALUES ($1, $2, $3)`, schoolID, first+int64(i), h[:]); err != nil {
			return 0, fmt.Errorf("store: ledger hash: %w", err)
		}
	}
	tx.appended = append(tx.appended, schoolID)
	return n, nil
}

// hashReader reads a school's stored tree hashes, all asked in one query.
func hashReader(ctx context.Context, q querier, schoolID int64) tlog.HashReader {
	return tlog.HashReaderFunc(func(ids []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ids))
		if len(ids) == 0 {
			return out, nil
		}
		args := []any{schoolID}
		marks := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		rows, err := q.QueryContext(ctx, `SELECT id, hash FROM ledger_hashes WHERE school_id = $1 AND id IN (`+strings.Join(marks, ",")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: read ledger hashes: %w", err)
		}
		defer rows.Close()
		found := map[int64][]byte{}
		for rows.Next() {
			var id int64
			var h []byte
			if err := rows.Scan(&id, &h); err != nil {
				return nil, err
			}
			found[id] = h
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for i, id := range ids {
			h, ok := found[id]
			if !ok || len(h) != tlog.HashSize {
				return nil, fmt.Errorf("store: ledger hash %d of school %d is missing", id, schoolID)
			}
			copy(out[i][:], h)
		}
		return out, nil
	})
}

// FindLedgerRecords returns the entries of an item, oldest first.
func (db *DB) FindLedgerRecords(ctx context.Context, schoolID, disclosureID int64) ([]LedgerRecord, error) {
	rows, err := db.reader(ctx, schoolID).QueryContext(ctx, `SELECT idx, disclosure_id, version, action, entry, leaf_hash, created_at
		FROM ledger_entries WHERE school_id = $1 AND disclosure_id = $2 ORDER BY idx`, schoolID, disclosureID)
	if err != nil {
		return nil, fmt.Errorf("store: ledger records of disclosure %d: %w", disclosureID, err)
	}
	return scanLedgerRecords(rows, schoolID)
}

// FindLedgerRecord returns one entry of a school's log by its index.
func (db *DB) FindLedgerRecord(ctx context.Context, schoolID, index int64) (*LedgerRecord, error) {
	rows, err := db.reader(ctx, schoolID).QueryContext(ctx, `SELECT idx, disclosure_id, version, action, entry, leaf_hash, created_at
		FROM ledger_entries WHERE school_id = $1 AND idx = $2`, schoolID, index)
	if err != nil {
		return nil, fmt.Errorf("store: ledger record %d: %w", index, err)
	}
	recs, err := scanLedgerRecords(rows, schoolID)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, notFound("存证记录")
	}
	return &recs[0], nil
}

func scanLedgerRecords(rows *sql.Rows, schoolID int64) ([]LedgerRecord, error) {
	defer rows.Close()
	var out []LedgerRecord
	for rows.Next() {
		r := LedgerRecord{SchoolID: schoolID}
		var action string
		var leaf []byte
		var created int64
		if err := rows.Scan(&r.Index, &r.DisclosureID, &r.Version, &action, &r.Entry, &leaf, &created); err != nil {
			return nil, err
		}
		r.Action, r.CreatedAt = gongkai.LedgerAction(action), fromMS(created)
		copy(r.LeafHash[:], leaf)
		out = append(out, r)
	}
	return out, rows.Err()
}

// LedgerEntries returns the entries [start, end) of a school's log, for
// the tiles of entries.
func (db *DB) LedgerEntries(ctx context.Context, schoolID, start, end int64) ([][]byte, error) {
	rows, err := db.reader(ctx, schoolID).QueryContext(ctx, `SELECT idx, entry FROM ledger_entries WHERE school_id = $1 AND idx >= $2 AND idx < $3 ORDER BY idx`,
		schoolID, start, end)
	if err != nil {
		return nil, fmt.Errorf("store: ledger entries: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var idx int64
		var e []byte
		if err := rows.Scan(&idx, &e); err != nil {
			return nil, err
		}
		if idx != start+int64(len(out)) {
			return nil, fmt.Errorf("store: ledger entry %d of school %d is missing", start+int64(len(out)), schoolID)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if int64(len(out)) != end-start {
		return nil, fmt.Errorf("store: ledger entries %d–%d of school %d are missing", start+int64(len(out)), end, schoolID)
	}
	return out, nil
}

// LedgerHashReader reads a school's tree hashes, for proofs and tiles.
func (db *DB) LedgerHashReader(ctx context.Context, schoolID int64) tlog.HashReader {
	return hashReader(ctx, db.reader(ctx, schoolID), schoolID)
}

// LedgerSize is how many entries a school's log holds, signed or not.
func (db *DB) LedgerSize(ctx context.Context, schoolID int64) (int64, error) {
	var n int64
	err := db.write.QueryRowContext(ctx, `SELECT size FROM ledger_heads WHERE school_id = $1`, schoolID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// FindCheckpoint returns a school's latest signed checkpoint (ENOTFOUND
// before the first).
func (db *DB) FindCheckpoint(ctx context.Context, schoolID int64) (*Checkpoint, error) {
	c := &Checkpoint{SchoolID: schoolID}
	var root []byte
	var at int64
	err := db.reader(ctx, schoolID).QueryRowContext(ctx, `SELECT size, root, note, signed_at FROM ledger_checkpoints WHERE school_id = $1`, schoolID).
		Scan(&c.Size, &root, &c.Note, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("检查点")
	}
	if err != nil {
		return nil, fmt.Errorf("store: checkpoint of school %d: %w", schoolID, err)
	}
	copy(c.Root[:], root)
	c.SignedAt = fromMS(at)
	return c, nil
}

// AdvanceCheckpoint replaces the school's checkpoint of size old (0 for
// none yet) with a newer one, and reports false when another node moved it
// first: the caller reads the new one and signs again if it still has to.
func (db *DB) AdvanceCheckpoint(ctx context.Context, c *Checkpoint, old int64) (bool, error) {
	if c.Size < old {
		return false, fmt.Errorf("store: checkpoint of size %d would shrink the log from %d", c.Size, old)
	}
	now := ms(db.Now())
	var res sql.Result
	var err error
	if old == 0 {
		res, err = db.write.ExecContext(ctx, `INSERT INTO ledger_checkpoints (school_id, size, root, note, signed_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (school_id) DO NOTHING`, c.SchoolID, c.Size, c.Root[:], c.Note, now)
	} else {
		res, err = db.write.ExecContext(ctx, `UPDATE ledger_checkpoints SET size = $1, root = $2, note = $3, signed_at = $4 WHERE school_id = $5 AND size = $6`,
			c.Size, c.Root[:], c.Note, now, c.SchoolID, old)
	}
	if err != nil {
		return false, fmt.Errorf("store: advance checkpoint of school %d: %w", c.SchoolID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	if n == 1 {
		db.changed(c.SchoolID)
	}
	return n == 1, nil
}

// AddCosignatures replaces the note of the school's checkpoint of this
// size and root with one that carries cosignatures too; it reports false
// when the checkpoint has moved on.
func (db *DB) AddCosignatures(ctx context.Context, schoolID, size int64, root tlog.Hash, note string) (bool, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE ledger_checkpoints SET note = $1 WHERE school_id = $2 AND size = $3 AND root = $4`, note, schoolID, size, root[:])
	if err != nil {
		return false, fmt.Errorf("store: cosign checkpoint of school %d: %w", schoolID, err)
	}
	n, err := res.RowsAffected()
	if n == 1 {
		db.changed(schoolID)
	}
	return n == 1, err
}

// UnsignedLogs lists the schools whose log has grown past its latest
// signed checkpoint: a node that missed a signing catches up with them.
func (db *DB) UnsignedLogs(ctx context.Context) ([]int64, error) {
	rows, err := db.write.QueryContext(ctx, `SELECT h.school_id FROM ledger_heads h LEFT JOIN ledger_checkpoints c ON c.school_id = h.school_id
		WHERE c.size IS NULL OR c.size < h.size ORDER BY h.school_id`)
	if err != nil {
		return nil, fmt.Errorf("store: unsigned logs: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// LedgerKey is a school's public log key.
type LedgerKey struct {
	SchoolID  int64
	Origin    string // the log's name, which is also the key's name
	VKey      string // signed-note verifier key
	KeyHash   uint32
	CreatedAt time.Time
	RetiredAt time.Time // zero for the key in use
}

// FindLedgerKeys returns a school's keys, the one in use first, then the
// retired ones, newest first.
func (db *DB) FindLedgerKeys(ctx context.Context, schoolID int64) ([]LedgerKey, error) {
	rows, err := db.reader(ctx, schoolID).QueryContext(ctx, `SELECT school_id, key_hash, origin, vkey, created_at, retired_at FROM ledger_keys
		WHERE school_id = $1 ORDER BY retired_at = 0 DESC, created_at DESC`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: ledger keys of school %d: %w", schoolID, err)
	}
	return scanLedgerKeys(rows)
}

// ActiveLedgerKeys returns the key in use of every school that has one.
func (db *DB) ActiveLedgerKeys(ctx context.Context) (map[int64]LedgerKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT school_id, key_hash, origin, vkey, created_at, retired_at FROM ledger_keys WHERE retired_at = 0`)
	if err != nil {
		return nil, fmt.Errorf("store: ledger keys: %w", err)
	}
	keys, err := scanLedgerKeys(rows)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]LedgerKey, len(keys))
	for _, k := range keys {
		out[k.SchoolID] = k
	}
	return out, nil
}

func scanLedgerKeys(rows *sql.Rows) ([]LedgerKey, error) {
	defer rows.Close()
	var out []LedgerKey
	for rows.Next() {
		var k LedgerKey
		var hash, created, retired int64
		if err := rows.Scan(&k.SchoolID, &hash, &k.Origin, &k.VKey, &created, &retired); err != nil {
			return nil, err
		}
		k.KeyHash, k.CreatedAt = uint32(hash), fromMS(created)
		if retired != 0 {
			k.RetiredAt = fromMS(retired)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RegisterLedgerKey makes k the school's key in use. With rotate false it
// only succeeds while the school has none (two nodes starting at once: one
// key wins, ECONFLICT for the other); with rotate true the key in use is
// retired in the same transaction.
func (db *DB) RegisterLedgerKey(ctx context.Context, k LedgerKey, rotate bool) error {
	return db.withTx(ctx, func(tx *Tx) error {
		var active int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_keys WHERE school_id = $1 AND retired_at = 0`, k.SchoolID).Scan(&active); err != nil {
			return fmt.Errorf("store: ledger keys: %w", err)
		}
		if active > 0 && !rotate {
			return gongkai.Errorf(gongkai.ECONFLICT, "学校已有存证密钥。")
		}
		if rotate {
			if _, err := tx.ExecContext(ctx, `UPDATE ledger_keys SET retired_at = $1 WHERE school_id = $2 AND retired_at = 0`, ms(tx.Now), k.SchoolID); err != nil {
				return fmt.Errorf("store: retire ledger key: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_keys (school_id, key_hash, origin, vkey, created_at) VALUES ($1, $2, $3, $4, $5)`,
			k.SchoolID, int64(k.KeyHash), k.Origin, k.VKey, ms(tx.Now)); err != nil {
			if isUniqueViolation(err) {
				return gongkai.Errorf(gongkai.ECONFLICT, "学校已有存证密钥。")
			}
			return fmt.Errorf("store: ledger key: %w", err)
		}
		return tx.touch(ctx, k.SchoolID)
	})
}

// SchoolsWithoutLedgerKey lists the schools (id → slug) that have no log
// key in use yet: the first start, and schools added since.
func (db *DB) SchoolsWithoutLedgerKey(ctx context.Context) (map[int64]string, error) {
	rows, err := db.write.QueryContext(ctx, `SELECT s.id, s.slug FROM schools s
		WHERE NOT EXISTS (SELECT 1 FROM ledger_keys k WHERE k.school_id = s.id AND k.retired_at = 0)`)
	if err != nil {
		return nil, fmt.Errorf("store: schools without ledger key: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return nil, err
		}
		out[id] = slug
	}
	return out, rows.Err()
}
