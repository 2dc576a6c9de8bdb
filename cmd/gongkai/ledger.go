package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"gongkai/internal/ledger"
	"gongkai/internal/store"
)

// newSequencer opens the schools' log keys under --data and has the store
// sign a checkpoint after every commit that appends to a log.
func newSequencer(cfg config, db *store.DB, host string, log *slog.Logger) (*ledger.Sequencer, error) {
	keys, err := ledger.OpenKeyring(ledgerKeyDir(cfg))
	if err != nil {
		return nil, err
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

type ledgerFlags struct {
	school string
}

func (f *ledgerFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&f.school, "school", "", "the school (slug) whose log key is rotated")
}

// rotateKey gives a school's log a new key and signs its tree with it at
// once. Run it on the node that has --data; copy the new key file to the
// other nodes (docs/ledger.md).
func (f *ledgerFlags) rotateKey(ctx context.Context, cfg config, db *store.DB, log *slog.Logger, stdout io.Writer) error {
	if f.school == "" {
		return fmt.Errorf("usage: gongkai ledger rotate-key --school SLUG")
	}
	school, err := db.FindSchoolBySlug(ctx, f.school)
	if err != nil {
		return fmt.Errorf("no school %q", f.school)
	}
	seq, err := newSequencer(cfg, db, cfg.baseURL, log)
	if err != nil {
		return err
	}
	k, err := seq.RotateKey(ctx, school.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "new key of %s (the old one is retired, still published for old checkpoints):\n%s\nkey file in %s\n", k.Origin, k.VKey, ledgerKeyDir(cfg))
	return nil
}
