package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"gongkai/internal/store"
)

// Cosigner is a witness as a school's log reaches it: the witness of this
// instance, called in process, or one over HTTP (C2SP tlog-witness).
// AddCheckpoint returns the cosignature lines, or a *WitnessError.
type Cosigner interface {
	AddCheckpoint(ctx context.Context, body []byte) ([]byte, error)
}

// HTTPWitness is a witness at a URL (its submission prefix): another
// gongkai's /witness, or any C2SP tlog-witness.
type HTTPWitness struct {
	URL    string
	Client *http.Client
}

// AddCheckpoint posts the request to URL/add-checkpoint.
func (h *HTTPWitness) AddCheckpoint(ctx context.Context, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(h.URL, "/")+"/add-checkpoint", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	hc := h.Client
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		return b, nil
	}
	e := &WitnessError{Status: resp.StatusCode, Reason: strings.TrimSpace(string(b))}
	if resp.StatusCode == http.StatusConflict && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/x.tlog.size") {
		e.Known, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	}
	return nil, e
}

// Pusher takes each school's newly signed checkpoint to the witness, checks
// the cosignature it returns with the witness's key and stores the
// checkpoint with it, so that /s/{slug}/log/checkpoint carries it. A push
// that fails is logged and tried again by Run; it never holds up a
// publication.
type Pusher struct {
	DB      *store.DB
	Witness Cosigner
	Key     note.Verifier // the witness's cosignature key
	Log     *slog.Logger

	// pushing serialises this node's pushes: each reads the latest
	// checkpoint under it, so a push never overtakes a newer one and makes
	// the witness see the log go back.
	pushing sync.Mutex
	mu      sync.Mutex
	known   map[int64]int64 // the size the witness last cosigned, per school, as it told us
}

func (p *Pusher) logger() *slog.Logger {
	if p.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Log
}

// AfterSign is the Sequencer's hook.
func (p *Pusher) AfterSign(ctx context.Context, schoolID int64, _ *store.Checkpoint) {
	if err := p.Push(ctx, schoolID); err != nil {
		p.logger().Warn("witness cosignature", "school", schoolID, "err", err)
	}
}

// Cosigned reports whether a checkpoint note carries the witness's
// cosignature.
func (p *Pusher) Cosigned(n string) bool {
	_, err := note.Open([]byte(n), note.VerifierList(p.Key))
	return err == nil
}

// Push asks the witness to cosign the school's latest checkpoint, unless
// it already has.
func (p *Pusher) Push(ctx context.Context, schoolID int64) error {
	p.pushing.Lock()
	defer p.pushing.Unlock()
	c, err := p.DB.FindCheckpoint(ctx, schoolID)
	if err != nil {
		return err
	}
	if p.Cosigned(c.Note) {
		return nil
	}
	p.mu.Lock()
	old := p.known[schoolID]
	p.mu.Unlock()
	for range 3 {
		sigs, err := p.ask(ctx, c, old)
		var we *WitnessError
		if errors.As(err, &we) && we.Status == http.StatusConflict && we.Known != old && we.Known <= c.Size {
			old = we.Known // the witness said where it is: prove from there
			continue
		}
		if err != nil {
			return err
		}
		return p.store(ctx, c, sigs)
	}
	return fmt.Errorf("witness: the size it cosigned kept moving")
}

// ask sends the checkpoint with a consistency proof from size old.
func (p *Pusher) ask(ctx context.Context, c *store.Checkpoint, old int64) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", old)
	if old > 0 && old < c.Size {
		proof, err := tlog.ProveTree(c.Size, old, p.DB.LedgerHashReader(ctx, c.SchoolID))
		if err != nil {
			return nil, fmt.Errorf("witness: proof from %d to %d: %w", old, c.Size, err)
		}
		for _, h := range proof {
			fmt.Fprintf(&b, "%s\n", h)
		}
	}
	b.WriteString("\n")
	b.WriteString(c.Note)
	return p.Witness.AddCheckpoint(ctx, b.Bytes())
}

// store checks the cosignature lines and adds them to the checkpoint.
func (p *Pusher) store(ctx context.Context, c *store.Checkpoint, sigs []byte) error {
	n, err := note.Open(append([]byte(c.Note), sigs...), note.VerifierList(p.Key))
	if err != nil {
		return fmt.Errorf("witness: its answer carries no valid cosignature: %w", err)
	}
	var lines strings.Builder
	lines.WriteString(c.Note)
	for _, s := range n.Sigs {
		fmt.Fprintf(&lines, "— %s %s\n", s.Name, s.Base64)
	}
	if _, err := p.DB.AddCosignatures(ctx, c.SchoolID, c.Size, c.Root, lines.String()); err != nil {
		return err
	}
	p.mu.Lock()
	if p.known == nil {
		p.known = map[int64]int64{}
	}
	p.known[c.SchoolID] = c.Size
	p.mu.Unlock()
	return nil
}

// Run pushes, every few seconds, each checkpoint the witness has not
// cosigned yet (a push that failed, a node that restarted).
func (p *Pusher) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		p.CatchUp(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CatchUp pushes every checkpoint not cosigned yet.
func (p *Pusher) CatchUp(ctx context.Context) {
	cps, err := p.DB.LatestCheckpoints(ctx)
	if err != nil {
		if ctx.Err() == nil {
			p.logger().Warn("witness catch-up", "err", err)
		}
		return
	}
	for _, c := range cps {
		if p.Cosigned(c.Note) {
			continue
		}
		if err := p.Push(ctx, c.SchoolID); err != nil && ctx.Err() == nil {
			p.logger().Warn("witness cosignature", "school", c.SchoolID, "err", err)
		}
	}
}
