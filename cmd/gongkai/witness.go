package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"gongkai"
	"gongkai/internal/ledger"
	"gongkai/internal/store"
)

// newPusher has every newly signed checkpoint cosigned by the bureau's
// witness: this instance's own, in process, or the one at --witness-url
// over HTTP, whose cosignatures are checked with --witness-key.
func newPusher(cfg config, db *store.DB, own *ledger.Witness, log *slog.Logger) (*ledger.Pusher, error) {
	if cfg.witnessURL == "" {
		v, err := ledger.CosignatureVerifier(own.Key())
		if err != nil {
			return nil, err
		}
		return &ledger.Pusher{DB: db, Witness: own, Key: v, Log: log}, nil
	}
	if cfg.witnessKey == "" {
		return nil, fmt.Errorf("--witness-url needs --witness-key: the witness's cosignature key, from its /witness/key")
	}
	v, err := ledger.CosignatureVerifier(cfg.witnessKey)
	if err != nil {
		return nil, fmt.Errorf("--witness-key: %w", err)
	}
	w := &ledger.HTTPWitness{URL: cfg.witnessURL, Client: &http.Client{Timeout: 15 * time.Second}}
	return &ledger.Pusher{DB: db, Witness: w, Key: v, Log: log}, nil
}

// witnessKeyDir is where the bureau's witness key lives, apart from the
// schools' keys: back it up with them (docs/ledger.md).
func witnessKeyDir(cfg config) string {
	return filepath.Join(cfg.data, "witness")
}

type witnessFlags struct {
	origin, key string
	bureau      int64
}

func (w *witnessFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&w.origin, "origin", "", "the log's name: the first line of its checkpoints, e.g. xuexiao.example.cn/s/xiangqian/log")
	fs.StringVar(&w.key, "key", "", "the log's signed-note verifier key, as its /s/{slug}/log/key serves it")
	fs.Int64Var(&w.bureau, "bureau", 0, "bureau id (default: the first bureau)")
}

// addLog registers the log of a school on another instance with a bureau's
// witness, as the form under /bureau/witness does.
func (w *witnessFlags) addLog(ctx context.Context, db *store.DB, stdout io.Writer) error {
	if err := ledger.CheckLogKey(w.origin, w.key); err != nil {
		return fmt.Errorf("%s %v", gongkai.ErrorMessage(err), gongkai.ErrorFields(err))
	}
	bureauID := w.bureau
	if bureauID == 0 {
		bs, err := db.FindBureaus(ctx)
		if err != nil {
			return err
		}
		if len(bs) == 0 {
			return fmt.Errorf("no bureau exists yet")
		}
		bureauID = bs[0].ID
	}
	if err := db.AddWitnessLog(ctx, nil, store.WitnessLog{BureauID: bureauID, Origin: w.origin, VKey: w.key}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "the witness of bureau %d now cosigns the checkpoints of %s\n", bureauID, w.origin)
	return nil
}
