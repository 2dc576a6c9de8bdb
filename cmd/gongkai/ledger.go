package main

import (
	"log/slog"
	"path/filepath"

	"gongkai/internal/ledger"
	"gongkai/internal/store"
)

// newSequencer opens the schools' log keys under --data and has the store
// sign a checkpoint after every commit that appends to a log.
func newSequencer(cfg config, db *store.DB, listenURL string, log *slog.Logger) (*ledger.Sequencer, error) {
	keys, err := ledger.OpenKeyring(ledgerKeyDir(cfg))
	if err != nil {
		return nil, err
	}
	host := cfg.baseURL
	if host == "" {
		host = listenURL
	}
	seq := &ledger.Sequencer{DB: db, Keys: keys, Host: host, Log: log}
	db.OnLedgerAppend = seq.Appended
	return seq, nil
}

// ledgerKeyDir is where the private keys of the schools' logs live: back
// it up apart from the database (docs/ledger.md).
func ledgerKeyDir(cfg config) string {
	return filepath.Join(cfg.data, "ledger-keys")
}
