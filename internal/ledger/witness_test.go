package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/ledger"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// witnessed is a school whose checkpoints this instance's witness cosigns.
type witnessed struct {
	*fixture
	seq  *ledger.Sequencer
	wit  *ledger.Witness
	push *ledger.Pusher
	key  store.LedgerKey
}

func newWitnessed(t *testing.T, dsn string) *witnessed {
	t.Helper()
	f := newFixture(t, dsn)
	ctx := context.Background()
	dir := t.TempDir()
	keys, err := ledger.OpenKeyring(filepath.Join(dir, "ledger-keys"))
	must(t, err)
	w, err := ledger.OpenWitness(f.db, filepath.Join(dir, "witness"), "https://jyj.example.cn", nil)
	must(t, err)
	v, err := ledger.CosignatureVerifier(w.Key())
	must(t, err)
	p := &ledger.Pusher{DB: f.db, Witness: w, Key: v}
	seq := &ledger.Sequencer{DB: f.db, Keys: keys, Host: "https://gongkai.example.cn", AfterSign: p.AfterSign}
	f.db.OnLedgerAppend = seq.Appended
	must(t, seq.EnsureKeys(ctx))
	ks, err := f.db.FindLedgerKeys(ctx, f.school.ID)
	must(t, err)
	return &witnessed{fixture: f, seq: seq, wit: w, push: p, key: ks[0]}
}

// sign signs a checkpoint of any tree with the school's own key, as a
// school that rewrote its log would.
func (w *witnessed) sign(t *testing.T, size int64, root tlog.Hash) string {
	t.Helper()
	s, err := w.seq.Keys.Signer(w.key.VKey)
	must(t, err)
	b, err := note.Sign(&note.Note{Text: torchwood.Checkpoint{Origin: w.key.Origin, Tree: tlog.Tree{N: size, Hash: root}}.String()}, s)
	must(t, err)
	return string(b)
}

func status(err error) (int, int64) {
	var we *ledger.WitnessError
	if errors.As(err, &we) {
		return we.Status, we.Known
	}
	if err == nil {
		return 200, 0
	}
	return 500, 0
}

// Every checkpoint the school signs comes back cosigned: the cosignature
// verifies with the published witness key, read by gongkai and by
// torchwood alike, and the witness remembers the size.
func TestWitness_cosignsEachCheckpoint(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		w := newWitnessed(t, dsn)
		ctx := context.Background()
		for i := range 3 {
			w.publish(t, fmt.Sprintf("第%d项", i+1))
			c, err := w.db.FindCheckpoint(ctx, w.school.ID)
			must(t, err)
			if c.Size != int64(i+1) {
				t.Fatalf("checkpoint of size %d after %d publications", c.Size, i+1)
			}
			if _, err := note.Open([]byte(c.Note), note.VerifierList(w.wit.Signer.Verifier())); err != nil {
				t.Fatalf("checkpoint %d carries no cosignature torchwood accepts: %v\n%s", c.Size, err, c.Note)
			}
			if !w.push.Cosigned(c.Note) {
				t.Fatalf("checkpoint %d: the published witness key does not verify its cosignature", c.Size)
			}
			if _, err := open(t, c.Note, w.key.VKey); err != nil {
				t.Fatalf("the cosigned checkpoint lost the school's signature: %v", err)
			}
		}
		head, err := w.db.WitnessHead(ctx, w.key.Origin)
		must(t, err)
		if head.Size != 3 {
			t.Errorf("the witness last cosigned size %d, want 3", head.Size)
		}
		if !strings.HasPrefix(w.wit.Key(), "jyj.example.cn/witness+") {
			t.Errorf("witness key %q", w.wit.Key())
		}
	})
}

// The protocol's refusals, each with its status, and the alarms a
// misbehaving log leaves even when refused.
func TestWitness_refusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		w := newWitnessed(t, dsn)
		ctx := context.Background()
		for i := range 4 {
			w.publish(t, fmt.Sprintf("第%d项", i+1))
		}
		c, err := w.db.FindCheckpoint(ctx, w.school.ID)
		must(t, err)
		text, _, _ := strings.Cut(c.Note, "\n\n")
		signedOnly := w.sign(t, c.Size, c.Root) // the same tree, the school's signature only
		other, _, err := note.GenerateKey(nil, w.key.Origin)
		must(t, err)
		os, err := note.NewSigner(other)
		must(t, err)
		stranger, err := note.Sign(&note.Note{Text: text + "\n"}, os)
		must(t, err)
		fork := w.sign(t, 4, tlog.Hash{4})
		shrunk := w.sign(t, 2, tlog.Hash{2}) // the witness cosigned another tree of size 2
		bigger := w.sign(t, 6, tlog.Hash{6})
		tests := []struct {
			name   string
			body   string
			status int
			known  int64
		}{
			{"no empty line", "old 4\n" + signedOnly, 400, 0},
			{"old not a number", "old x\n\n" + signedOnly, 400, 0},
			{"old with a leading zero", "old 04\n\n" + signedOnly, 400, 0},
			{"proof line not base64", "old 4\n!!\n\n" + signedOnly, 400, 0},
			{"too many proof lines", "old 4\n" + strings.Repeat(tlog.Hash{}.String()+"\n", 64) + "\n" + signedOnly, 400, 0},
			{"too large", "old 4\n" + strings.Repeat("A", ledger.MaxWitnessRequest) + "\n\n" + signedOnly, 413, 0},
			{"unknown origin", "old 0\n\nexample.org/log\n1\n" + tlog.Hash{}.String() + "\n\n— example.org/log AAAA\n", 404, 0},
			{"another key", "old 4\n\n" + string(stranger), 403, 0},
			{"not signed", "old 4\n\n" + text + "\n\n", 400, 0},
			{"old unknown to the log", "old 0\n\n" + signedOnly, 409, 4},
			{"old above the checkpoint", "old 4\n\n" + shrunk, 400, 0},
			{"same tree again", "old 4\n\n" + signedOnly, 200, 0},
			{"same size, other root", "old 4\n\n" + fork, 409, 4},
			{"forged proof", "old 4\n" + tlog.Hash{9}.String() + "\n\n" + bigger, 422, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := w.wit.AddCheckpoint(ctx, []byte(tt.body))
				st, known := status(err)
				if st != tt.status || (tt.status == 409 && known != tt.known) {
					t.Errorf("answer %d (known %d), want %d (known %d): %v", st, known, tt.status, tt.known, err)
				}
			})
		}
		alarms, err := w.db.WitnessAlarms(ctx, w.school.BureauID)
		must(t, err)
		got := map[gongkai.WitnessAlarmKind][]int64{}
		for _, a := range alarms {
			got[a.Kind] = append(got[a.Kind], a.Size)
			if a.SchoolID != w.school.ID || a.KnownNote == "" || a.Note == "" {
				t.Errorf("alarm without its evidence: %+v", a)
			}
		}
		// Every size up to 4 was cosigned: the tree of size 2 with another
		// root is a fork too (a rollback is a smaller tree never cosigned).
		if fmt.Sprint(got[gongkai.AlarmFork]) != "[6 4 2]" || len(got) != 1 {
			t.Errorf("alarms %v, want forks at 6 (unprovable), 4 and 2 (other roots)", got)
		}
		head, _ := w.db.WitnessHead(ctx, w.key.Origin)
		if head.Size != 4 || head.Root != c.Root {
			t.Errorf("a refused checkpoint moved the witness to %d", head.Size)
		}
	})
}

// Requests racing from one old size: one tree is cosigned, the other is
// told where the witness now is; never two trees of one size.
func TestWitness_racingRequests(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		w := newWitnessed(t, dsn)
		ctx := context.Background()
		w.publish(t, "第1项")
		w.db.OnLedgerAppend = nil // the log grows unsigned; the test submits by hand
		w.publish(t, "第2项")
		w.publish(t, "第3项")
		hr := w.db.LedgerHashReader(ctx, w.school.ID)
		var wg sync.WaitGroup
		answers := make([]int, 2)
		for i, size := range []int64{2, 3} {
			root, err := tlog.TreeHash(size, hr)
			must(t, err)
			proof, err := tlog.ProveTree(size, 1, hr)
			must(t, err)
			var b strings.Builder
			b.WriteString("old 1\n")
			for _, h := range proof {
				b.WriteString(h.String() + "\n")
			}
			body := b.String() + "\n" + w.sign(t, size, root)
			wg.Go(func() {
				_, err := w.wit.AddCheckpoint(ctx, []byte(body))
				answers[i], _ = status(err)
			})
		}
		wg.Wait()
		ok := 0
		for _, a := range answers {
			if a == 200 {
				ok++
			} else if a != 409 {
				t.Errorf("answer %d, want 200 or 409", a)
			}
		}
		if ok < 1 {
			t.Errorf("answers %v: neither tree was cosigned", answers)
		}
		head, _ := w.db.WitnessHead(ctx, w.key.Origin)
		if head.Size < 2 {
			t.Errorf("the witness went back to %d", head.Size)
		}
	})
}

// A stranger replaying a checkpoint the school really signed (one the
// pusher skipped) or sending a junk proof for the log's real next tree is
// refused, and raises no alarm: the witness reads the school's own tree,
// which agrees with both.
func TestWitness_noAlarmOnUnprovedClaims(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		w := newWitnessed(t, dsn)
		ctx := context.Background()
		w.publish(t, "第1项")
		w.db.OnLedgerAppend = nil // the log grows; the witness is not told
		w.publish(t, "第2项")
		w.publish(t, "第3项")
		hr := w.db.LedgerHashReader(ctx, w.school.ID)
		root2, err := tlog.TreeHash(2, hr)
		must(t, err)
		root3, err := tlog.TreeHash(3, hr)
		must(t, err)
		proof, err := tlog.ProveTree(3, 1, hr)
		must(t, err)
		var b strings.Builder
		b.WriteString("old 1\n")
		for _, h := range proof {
			b.WriteString(h.String() + "\n")
		}
		if _, err := w.wit.AddCheckpoint(ctx, []byte(b.String()+"\n"+w.sign(t, 3, root3))); err != nil {
			t.Fatalf("the real tree of 3 was refused: %v", err)
		}
		for _, old := range []string{"old 3", "old 1"} {
			if _, err := w.wit.AddCheckpoint(ctx, []byte(old+"\n\n"+w.sign(t, 2, root2))); err == nil {
				t.Errorf("a replayed checkpoint of size 2 (%s) was cosigned", old)
			}
		}
		w.publish(t, "第4项")
		root4, err := tlog.TreeHash(4, hr)
		must(t, err)
		if _, err := w.wit.AddCheckpoint(ctx, []byte("old 3\n"+tlog.Hash{7}.String()+"\n\n"+w.sign(t, 4, root4))); err == nil {
			t.Error("a junk proof was accepted")
		}
		alarms, err := w.db.WitnessAlarms(ctx, w.school.BureauID)
		must(t, err)
		if len(alarms) != 0 {
			t.Errorf("alarms raised on claims the log's own tree refutes: %+v", alarms)
		}
	})
}
