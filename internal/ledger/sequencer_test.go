package ledger_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/ledger"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

type fixture struct {
	db     *store.DB
	school *gongkai.School
	actors map[gongkai.Role]*gongkai.Actor
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	days, years := calendar.Seed()
	must(t, db.SeedCalendar(ctx, "CN", days, years))
	b := &gongkai.Bureau{Name: "青禾县教育局"}
	must(t, db.CreateBureau(ctx, b))
	f := &fixture{db: db, school: &gongkai.School{BureauID: b.ID, Slug: "xq", Name: "祥谦小学", Code: "3501210001"}, actors: map[gongkai.Role]*gongkai.Actor{}}
	must(t, db.CreateSchool(ctx, f.school, []string{"办公室"}))
	for _, r := range gongkai.SchoolRoles {
		u := &gongkai.User{Username: "u-" + string(r), DisplayName: r.Label() + "甲"}
		must(t, db.CreateMember(ctx, f.school.ID, u, "x", []gongkai.Role{r}, 0))
		a, err := db.LoadActor(ctx, u.ID)
		must(t, err)
		f.actors[r] = a
	}
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// publish takes a new item through the whole procedure.
func (f *fixture) publish(t *testing.T, title string) *gongkai.Disclosure {
	t.Helper()
	ctx := context.Background()
	d := &gongkai.Disclosure{Title: title, Body: title + "：内容。", Category: "finance", Audience: gongkai.AudiencePublic, PublicityDays: 5}
	must(t, f.db.CreateDisclosure(ctx, f.school.ID, f.actors[gongkai.RoleClerk], d))
	for _, s := range []struct {
		r gongkai.Role
		a gongkai.Action
	}{{gongkai.RoleClerk, gongkai.ActionSubmit}, {gongkai.RolePrincipal, gongkai.ActionApprove}, {gongkai.RoleSupervisor, gongkai.ActionCheck}, {gongkai.RoleClerk, gongkai.ActionPublish}} {
		if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[s.r], s.a, "", nil); err != nil {
			t.Fatalf("%s: %v", s.a, err)
		}
	}
	return d
}

// open verifies a checkpoint note with the given keys.
func open(t *testing.T, text string, vkeys ...string) (torchwood.Checkpoint, error) {
	t.Helper()
	var vs []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(k)
		must(t, err)
		vs = append(vs, v)
	}
	n, err := note.Open([]byte(text), note.VerifierList(vs...))
	if err != nil {
		return torchwood.Checkpoint{}, err
	}
	return torchwood.ParseCheckpoint(n.Text)
}

// Keys are made at first start, kept in files only gongkai reads, and the
// database holds only the public half.
func TestSequencer_keysAtFirstStart(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		dir := filepath.Join(t.TempDir(), "ledger-keys")
		keys, err := ledger.OpenKeyring(dir)
		must(t, err)
		seq := &ledger.Sequencer{DB: f.db, Keys: keys, Host: "https://gongkai.example.cn/"}
		must(t, seq.EnsureKeys(ctx))
		must(t, seq.EnsureKeys(ctx)) // a second start makes no second key
		ks, err := f.db.FindLedgerKeys(ctx, f.school.ID)
		must(t, err)
		if len(ks) != 1 || ks[0].Origin != "gongkai.example.cn/s/xq/log" {
			t.Fatalf("keys %+v", ks)
		}
		files, _ := os.ReadDir(dir)
		if len(files) != 1 {
			t.Fatalf("%d key files, want 1", len(files))
		}
		info, err := files[0].Info()
		must(t, err)
		if info.Mode().Perm() != 0o600 {
			t.Errorf("key file mode %v, want 0600", info.Mode().Perm())
		}
		if dinfo, _ := os.Stat(dir); dinfo.Mode().Perm() != 0o700 {
			t.Errorf("key directory mode %v, want 0700", dinfo.Mode().Perm())
		}
		b, _ := os.ReadFile(filepath.Join(dir, files[0].Name()))
		if string(b[:len("PRIVATE+KEY+")]) != "PRIVATE+KEY+" {
			t.Error("the key file does not hold a signed-note private key")
		}
		if ks[0].VKey == "" || containsPrivate(ks[0].VKey) {
			t.Errorf("the database's key %q", ks[0].VKey)
		}
	})
}

func containsPrivate(s string) bool { return len(s) >= 8 && s[:8] == "PRIVATE+" }

// Two nodes sharing one database, each with the key, sign at once: every
// size is signed with one root, and the checkpoint never moves back.
func TestSequencer_twoNodesNeverFork(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		keys, err := ledger.OpenKeyring(t.TempDir())
		must(t, err)
		var mu sync.Mutex
		roots := map[int64]tlog.Hash{}
		var sizes []int64
		record := func(_ context.Context, _ int64, c *store.Checkpoint) {
			mu.Lock()
			defer mu.Unlock()
			if r, ok := roots[c.Size]; ok && r != c.Root {
				t.Errorf("two roots signed for size %d", c.Size)
			}
			roots[c.Size] = c.Root
			sizes = append(sizes, c.Size)
		}
		a := &ledger.Sequencer{DB: f.db, Keys: keys, Host: "a.example", AfterSign: record}
		b := &ledger.Sequencer{DB: f.db, Keys: keys, Host: "b.example", AfterSign: record}
		must(t, a.EnsureKeys(ctx))
		must(t, b.EnsureKeys(ctx))
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for _, s := range []*ledger.Sequencer{a, b} {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := s.Sign(ctx, f.school.ID); err != nil && gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
						t.Error(err)
						return
					}
				}
			})
		}
		for i := range 15 {
			f.publish(t, fmt.Sprintf("第%d项", i))
		}
		close(stop)
		wg.Wait()
		c, err := a.Sign(ctx, f.school.ID)
		must(t, err)
		if c.Size != 15 {
			t.Errorf("final checkpoint of size %d, want 15", c.Size)
		}
		ks, _ := f.db.FindLedgerKeys(ctx, f.school.ID)
		if len(ks) != 1 {
			t.Fatalf("two nodes made %d keys", len(ks))
		}
		if _, err := open(t, c.Note, ks[0].VKey); err != nil {
			t.Errorf("final checkpoint: %v", err)
		}
		// The checkpoint only ever grew.
		cp := &store.Checkpoint{SchoolID: f.school.ID, Size: 3, Note: "x"}
		if ok, err := f.db.AdvanceCheckpoint(ctx, cp, 15); ok || err == nil {
			t.Error("a checkpoint moved the log back")
		}
		stale := &store.Checkpoint{SchoolID: f.school.ID, Size: 16, Note: "x"}
		if ok, _ := f.db.AdvanceCheckpoint(ctx, stale, 14); ok {
			t.Error("a checkpoint advanced from a size that was no longer the latest")
		}
	})
}

// A rotation retires the old key, signs the same tree with the new one at
// once, and keeps the old key listed so that old checkpoints still verify.
func TestSequencer_rotateKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		keys, err := ledger.OpenKeyring(t.TempDir())
		must(t, err)
		seq := &ledger.Sequencer{DB: f.db, Keys: keys, Host: "gongkai.example.cn"}
		f.db.OnLedgerAppend = seq.Appended
		f.publish(t, "旧密钥下发布")
		before, err := f.db.FindCheckpoint(ctx, f.school.ID)
		must(t, err)
		old, _ := f.db.FindLedgerKeys(ctx, f.school.ID)
		k, err := seq.RotateKey(ctx, f.school.ID)
		must(t, err)
		ks, _ := f.db.FindLedgerKeys(ctx, f.school.ID)
		if len(ks) != 2 || ks[0].VKey != k.VKey || ks[1].VKey != old[0].VKey || ks[1].RetiredAt.IsZero() || ks[0].Origin != ks[1].Origin {
			t.Fatalf("keys after rotation %+v", ks)
		}
		now, err := f.db.FindCheckpoint(ctx, f.school.ID)
		must(t, err)
		if now.Size != before.Size || now.Root != before.Root {
			t.Error("rotation changed the tree")
		}
		if _, err := open(t, now.Note, k.VKey); err != nil {
			t.Errorf("the checkpoint after rotation is not signed with the new key: %v", err)
		}
		if _, err := open(t, before.Note, old[0].VKey); err != nil {
			t.Errorf("the old checkpoint no longer verifies with the retired key: %v", err)
		}
		f.publish(t, "新密钥下发布")
		c, err := f.db.FindCheckpoint(ctx, f.school.ID)
		must(t, err)
		if _, err := open(t, c.Note, k.VKey); err != nil || c.Size != 2 {
			t.Errorf("the next checkpoint (size %d): %v", c.Size, err)
		}
		if _, err := open(t, c.Note, old[0].VKey); err == nil {
			t.Error("the retired key still signs")
		}
	})
}

// A node without the key signs nothing and says so once; publication goes
// on, and a node with the key signs what was appended meanwhile.
func TestSequencer_nodeWithoutKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ctx := context.Background()
		withKey, err := ledger.OpenKeyring(t.TempDir())
		must(t, err)
		empty, err := ledger.OpenKeyring(t.TempDir())
		must(t, err)
		a := &ledger.Sequencer{DB: f.db, Keys: withKey, Host: "gongkai.example.cn"}
		must(t, a.EnsureKeys(ctx))
		b := &ledger.Sequencer{DB: f.db, Keys: empty, Host: "gongkai.example.cn"}
		f.db.OnLedgerAppend = b.Appended
		f.publish(t, "无密钥节点上发布")
		if _, err := f.db.FindCheckpoint(ctx, f.school.ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("a node without the key signed: %v", err)
		}
		if entries, _ := fs.Glob(os.DirFS(empty.Dir()), "*.key"); len(entries) != 0 {
			t.Errorf("the node without the key made one: %v", entries)
		}
		ctx2, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		a.CatchUp(ctx2)
		c, err := f.db.FindCheckpoint(ctx, f.school.ID)
		if err != nil || c.Size != 1 {
			t.Fatalf("the node with the key did not catch up: %v", err)
		}
	})
}
