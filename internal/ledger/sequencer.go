package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/store"
)

// Sequencer signs the schools' checkpoints. It signs right after a commit
// that appended (Appended), and every few seconds it catches up with logs
// that grew on another node or while a signing failed. Several nodes may
// run one each: the checkpoint only moves by compare-and-swap, and every
// node computes the same tree from the same database.
type Sequencer struct {
	DB   *store.DB
	Keys *Keyring
	Host string // the site's host, which names new logs
	Log  *slog.Logger
	// AfterSign, when set, is called with each newly signed checkpoint
	// (the witness asks for its cosignature there).
	AfterSign func(ctx context.Context, schoolID int64, c *store.Checkpoint)

	mu      sync.Mutex
	missing map[int64]bool // schools whose key this node lacks, warned once
	wake    chan struct{}
}

func (s *Sequencer) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// EnsureKeys gives every school without one a log key.
func (s *Sequencer) EnsureKeys(ctx context.Context) error {
	schools, err := s.DB.SchoolsWithoutLedgerKey(ctx)
	if err != nil {
		return err
	}
	for id, slug := range schools {
		if _, err := s.newKey(ctx, id, slug, false); err != nil {
			return err
		}
	}
	return nil
}

// RotateKey gives a school a new key: the old one is retired (and still
// listed, so that old checkpoints verify), and the next checkpoint is
// signed with the new one. The origin stays: it names the log, not the key.
func (s *Sequencer) RotateKey(ctx context.Context, schoolID int64) (store.LedgerKey, error) {
	keys, err := s.DB.FindLedgerKeys(ctx, schoolID)
	if err != nil {
		return store.LedgerKey{}, err
	}
	if len(keys) == 0 || !keys[0].RetiredAt.IsZero() {
		return store.LedgerKey{}, gongkai.Errorf(gongkai.ENOTFOUND, "学校还没有存证密钥。")
	}
	k, err := s.register(ctx, schoolID, keys[0].Origin, true)
	if err != nil {
		return k, err
	}
	if c, err := s.DB.FindCheckpoint(ctx, schoolID); err == nil {
		// Sign the current tree again at once, with the new key.
		err = s.signTree(ctx, schoolID, k, c.Size, c.Size)
		if err != nil {
			return k, err
		}
	}
	return k, nil
}

func (s *Sequencer) newKey(ctx context.Context, schoolID int64, slug string, rotate bool) (store.LedgerKey, error) {
	return s.register(ctx, schoolID, Origin(s.Host, slug), rotate)
}

func (s *Sequencer) register(ctx context.Context, schoolID int64, origin string, rotate bool) (store.LedgerKey, error) {
	vkey, err := s.Keys.Generate(origin)
	if err != nil {
		return store.LedgerKey{}, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return store.LedgerKey{}, err
	}
	k := store.LedgerKey{SchoolID: schoolID, Origin: origin, VKey: vkey, KeyHash: v.KeyHash()}
	if err := s.DB.RegisterLedgerKey(ctx, k, rotate); err != nil {
		s.Keys.Discard(vkey)
		if gongkai.ErrorCode(err) == gongkai.ECONFLICT {
			return k, nil // another node gave the school its key first
		}
		return k, err
	}
	s.logger().Info("ledger key created", "school", schoolID, "origin", origin, "rotated", rotate)
	return k, nil
}

// activeKey returns the school's key in use, making one if it has none.
func (s *Sequencer) activeKey(ctx context.Context, schoolID int64) (store.LedgerKey, error) {
	keys, err := s.DB.FindLedgerKeys(ctx, schoolID)
	if err != nil {
		return store.LedgerKey{}, err
	}
	if len(keys) > 0 && keys[0].RetiredAt.IsZero() {
		return keys[0], nil
	}
	school, err := s.DB.FindSchoolByID(ctx, schoolID)
	if err != nil {
		return store.LedgerKey{}, err
	}
	if _, err := s.newKey(ctx, schoolID, school.Slug, false); err != nil {
		return store.LedgerKey{}, err
	}
	keys, err = s.DB.FindLedgerKeys(ctx, schoolID)
	if err != nil || len(keys) == 0 {
		return store.LedgerKey{}, fmt.Errorf("ledger: no key for school %d: %v", schoolID, err)
	}
	return keys[0], nil
}

// Sign signs the school's tree as it is now, unless the latest checkpoint
// already covers it, and returns the latest checkpoint.
func (s *Sequencer) Sign(ctx context.Context, schoolID int64) (*store.Checkpoint, error) {
	k, err := s.activeKey(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	for range 5 {
		size, err := s.DB.LedgerSize(ctx, schoolID)
		if err != nil {
			return nil, err
		}
		var old int64
		c, err := s.DB.FindCheckpoint(ctx, schoolID)
		switch {
		case err == nil:
			old = c.Size
			if c.Size >= size {
				return c, nil
			}
		case gongkai.ErrorCode(err) != gongkai.ENOTFOUND:
			return nil, err
		}
		if size == 0 {
			return nil, gongkai.Errorf(gongkai.ENOTFOUND, "存证日志还是空的。")
		}
		err = s.signTree(ctx, schoolID, k, old, size)
		if errors.Is(err, errMoved) {
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	return s.DB.FindCheckpoint(ctx, schoolID)
}

var errMoved = errors.New("ledger: checkpoint moved")

// signTree signs the tree of the given size and puts its checkpoint in
// place of the one of size old.
func (s *Sequencer) signTree(ctx context.Context, schoolID int64, k store.LedgerKey, old, size int64) error {
	signer, err := s.Keys.Signer(k.VKey)
	if err != nil {
		if errors.Is(err, ErrNoKey) {
			s.mu.Lock()
			warned := s.missing[schoolID]
			if s.missing == nil {
				s.missing = map[int64]bool{}
			}
			s.missing[schoolID] = true
			s.mu.Unlock()
			if !warned {
				s.logger().Warn("ledger key not on this node: another node signs, or copy the key directory", "school", schoolID, "origin", k.Origin, "dir", s.Keys.Dir())
			}
		}
		return err
	}
	root, err := tlog.TreeHash(size, s.DB.LedgerHashReader(ctx, schoolID))
	if err != nil {
		return fmt.Errorf("ledger: tree of school %d: %w", schoolID, err)
	}
	text := torchwood.Checkpoint{Origin: k.Origin, Tree: tlog.Tree{N: size, Hash: root}}.String()
	signed, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		return fmt.Errorf("ledger: sign checkpoint: %w", err)
	}
	c := &store.Checkpoint{SchoolID: schoolID, Size: size, Root: root, Note: string(signed)}
	ok, err := s.DB.AdvanceCheckpoint(ctx, c, old)
	if err != nil {
		return err
	}
	if !ok {
		return errMoved
	}
	if s.AfterSign != nil {
		s.AfterSign(ctx, schoolID, c)
	}
	return nil
}

// Appended is the store's OnLedgerAppend hook: it signs at once, so that
// the page shown after a publication finds its entry in a checkpoint; a
// failure is left to the catch-up loop.
func (s *Sequencer) Appended(schoolID int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Sign(ctx, schoolID); err != nil && !errors.Is(err, ErrNoKey) {
		s.logger().Warn("ledger sign", "school", schoolID, "err", err)
		s.poke()
	}
}

func (s *Sequencer) poke() {
	s.mu.Lock()
	if s.wake == nil {
		s.wake = make(chan struct{}, 1)
	}
	w := s.wake
	s.mu.Unlock()
	select {
	case w <- struct{}{}:
	default:
	}
}

// Run gives schools their keys, then signs whatever is unsigned every few
// seconds until ctx ends.
func (s *Sequencer) Run(ctx context.Context, every time.Duration) {
	s.poke()
	s.mu.Lock()
	wake := s.wake
	s.mu.Unlock()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.EnsureKeys(ctx); err != nil && ctx.Err() == nil {
			s.logger().Warn("ledger keys", "err", err)
		}
		s.CatchUp(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

// CatchUp signs every log that has grown past its checkpoint.
func (s *Sequencer) CatchUp(ctx context.Context) {
	ids, err := s.DB.UnsignedLogs(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.logger().Warn("ledger catch-up", "err", err)
		}
		return
	}
	for _, id := range ids {
		if _, err := s.Sign(ctx, id); err != nil && !errors.Is(err, ErrNoKey) && ctx.Err() == nil {
			s.logger().Warn("ledger sign", "school", id, "err", err)
		}
	}
}
