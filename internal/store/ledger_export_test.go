package store

import (
	"context"

	"gongkai"
)

// AppendLedgerEntry appends a raw entry to a school's log in a transaction
// of its own, for tests of the tree that need many entries fast.
func (db *DB) AppendLedgerEntry(ctx context.Context, schoolID, disclosureID int64, entry []byte) (int64, error) {
	var n int64
	err := db.withTx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.appendEntry(ctx, schoolID, disclosureID, 1, gongkai.LedgerPublish, entry)
		return err
	})
	return n, err
}
