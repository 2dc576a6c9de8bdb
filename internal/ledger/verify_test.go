package ledger

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// memTree is a log held in memory, built with tlog as the store builds it.
type memTree struct {
	entries [][]byte
	hashes  []tlog.Hash
}

func (m *memTree) ReadHashes(ids []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ids))
	for i, id := range ids {
		out[i] = m.hashes[id]
	}
	return out, nil
}

func newMemTree(t testing.TB, n int) *memTree {
	t.Helper()
	m := &memTree{}
	for i := range n {
		e := fmt.Appendf(nil, `{"item":%d}`, i)
		hs, err := tlog.StoredHashes(int64(i), e, m)
		if err != nil {
			t.Fatal(err)
		}
		m.entries = append(m.entries, e)
		m.hashes = append(m.hashes, hs...)
	}
	return m
}

func (m *memTree) tree(t testing.TB, n int64) tlog.Tree {
	t.Helper()
	h, err := tlog.TreeHash(n, m)
	if err != nil {
		t.Fatal(err)
	}
	return tlog.Tree{N: n, Hash: h}
}

func (m *memTree) proof(t testing.TB, n, index int64) tlog.RecordProof {
	t.Helper()
	p, err := tlog.ProveRecord(n, index, m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// signedCheckpoint signs the tree as origin with a new key named name.
func signedCheckpoint(t testing.TB, name, origin string, tree tlog.Tree, extra ...note.Signer) ([]byte, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	text := torchwood.Checkpoint{Origin: origin, Tree: tree}.String()
	signed, err := note.Sign(&note.Note{Text: text}, append([]note.Signer{s}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	return signed, vkey
}

const origin = "gongkai.example/s/xiangqian/log"

// Every entry of trees of sizes 1 to 100 is proved in every tree that
// holds it, and a proof of another entry, size or tree fails.
func TestVerifyInclusion_allSizes(t *testing.T) {
	const max = 100
	m := newMemTree(t, max)
	trees := make([]tlog.Tree, max+1)
	for n := int64(1); n <= max; n++ {
		trees[n] = m.tree(t, n)
	}
	for n := int64(1); n <= max; n++ {
		for i := int64(0); i < n; i++ {
			p := m.proof(t, n, i)
			if err := VerifyInclusion(trees[n], i, m.entries[i], p); err != nil {
				t.Fatalf("entry %d of %d: %v", i, n, err)
			}
			if got := rfc9162Root(t, p, n, i, tlog.RecordHash(m.entries[i])); got != trees[n].Hash {
				t.Fatalf("entry %d of %d: the RFC 9162 walk the verify page runs reaches another root", i, n)
			}
			if n > 1 {
				other := (i + 1) % n
				if err := VerifyInclusion(trees[n], other, m.entries[i], p); !errors.Is(err, ErrBadProof) {
					t.Fatalf("entry %d proved at index %d of %d: %v", i, other, n, err)
				}
			}
			if i < n-1 {
				if err := VerifyInclusion(trees[n-1], i, m.entries[i], p); !errors.Is(err, ErrBadProof) && len(p) > 0 {
					t.Fatalf("the proof of %d in %d held for the tree of %d: %v", i, n, n-1, err)
				}
			}
		}
	}
}

// rfc9162Root is the walk of RFC 9162 §2.1.3.2 that static/verify.js runs
// in the reader's browser, written again in Go so that it is held to
// tlog's proofs here.
func rfc9162Root(t *testing.T, proof tlog.RecordProof, size, index int64, leaf tlog.Hash) tlog.Hash {
	t.Helper()
	node := func(l, r tlog.Hash) tlog.Hash {
		return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
	}
	fn, sn, r := index, size-1, leaf
	for _, p := range proof {
		if sn == 0 {
			t.Fatalf("proof of %d in %d is too long", index, size)
		}
		if fn&1 == 1 || fn == sn {
			r = node(p, r)
			for fn&1 == 0 && fn != 0 {
				fn, sn = fn>>1, sn>>1
			}
		} else {
			r = node(r, p)
		}
		fn, sn = fn>>1, sn>>1
	}
	if sn != 0 {
		t.Fatalf("proof of %d in %d is too short", index, size)
	}
	return r
}

// Forged, truncated and padded proofs, entries changed by a byte and
// indexes outside the tree are refused with ErrBadProof, never a panic.
func TestVerifyInclusion_forged(t *testing.T) {
	m := newMemTree(t, 37)
	tree := m.tree(t, 37)
	good := m.proof(t, 37, 11)
	flip := func(p tlog.RecordProof, i int) tlog.RecordProof {
		q := append(tlog.RecordProof{}, p...)
		q[i][0] ^= 1
		return q
	}
	changed := bytes.Replace(m.entries[11], []byte("11"), []byte("12"), 1)
	huge := make(tlog.RecordProof, 64)
	for _, tc := range []struct {
		name  string
		index int64
		entry []byte
		proof tlog.RecordProof
	}{
		{"forged first hash", 11, m.entries[11], flip(good, 0)},
		{"forged last hash", 11, m.entries[11], flip(good, len(good)-1)},
		{"truncated", 11, m.entries[11], good[:len(good)-1]},
		{"empty", 11, m.entries[11], nil},
		{"padded", 11, m.entries[11], append(append(tlog.RecordProof{}, good...), good[0])},
		{"oversized", 11, m.entries[11], huge},
		{"entry changed", 11, changed, good},
		{"index past the tree", 37, m.entries[11], good},
		{"negative index", -1, m.entries[11], good},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := VerifyInclusion(tree, tc.index, tc.entry, tc.proof); !errors.Is(err, ErrBadProof) {
				t.Errorf("got %v, want ErrBadProof", err)
			}
		})
	}
	if err := VerifyInclusion(tree, 11, m.entries[11], good); err != nil {
		t.Fatalf("the good proof: %v", err)
	}
}

func TestParseProof(t *testing.T) {
	m := newMemTree(t, 9)
	p := m.proof(t, 9, 4)
	var hexes []string
	for _, h := range p {
		hexes = append(hexes, h.String()) // base64
	}
	if _, err := ParseProof(hexes); err == nil {
		t.Error("base64 hashes were read as hex")
	}
	hexes = hexes[:0]
	for _, h := range p {
		hexes = append(hexes, fmt.Sprintf("%x", h[:]))
	}
	got, err := ParseProof(hexes)
	if err != nil || len(got) != len(p) || got[0] != p[0] {
		t.Fatalf("ParseProof: %v %v", got, err)
	}
	for _, bad := range [][]string{{"00"}, {strings.Repeat("zz", 32)}, make([]string, 64)} {
		if _, err := ParseProof(bad); !errors.Is(err, ErrBadProof) {
			t.Errorf("ParseProof(%.30q): %v, want ErrBadProof", bad, err)
		}
	}
}

// A checkpoint opens with its own key only: another school's key, a key
// of the same name but other bytes, a checkpoint of another log signed
// with this log's key, and a note changed after signing are all refused.
func TestOpenCheckpoint(t *testing.T) {
	m := newMemTree(t, 5)
	tree := m.tree(t, 5)
	wskey, _, err := note.GenerateKey(rand.Reader, "bureau.example/witness")
	if err != nil {
		t.Fatal(err)
	}
	witness, err := note.NewSigner(wskey)
	if err != nil {
		t.Fatal(err)
	}
	signed, vkey := signedCheckpoint(t, origin, origin, tree, witness)

	cp, err := OpenCheckpoint(signed, vkey+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if cp.Origin != origin || cp.N != 5 || cp.Hash != tree.Hash || cp.KeyName != origin {
		t.Errorf("opened %+v", cp)
	}
	if len(cp.Cosigners) != 1 || cp.Cosigners[0] != "bureau.example/witness" {
		t.Errorf("cosigners %q, want the witness", cp.Cosigners)
	}

	_, otherKey := signedCheckpoint(t, "gongkai.example/s/other/log", "gongkai.example/s/other/log", tree)
	_, sameName := signedCheckpoint(t, origin, origin, tree)
	foreign, foreignKey := signedCheckpoint(t, origin, "gongkai.example/s/other/log", tree)
	changed := bytes.Replace(signed, []byte("\n5\n"), []byte("\n6\n"), 1)
	for _, tc := range []struct {
		name   string
		signed []byte
		vkey   string
		want   error
	}{
		{"another school's key", signed, otherKey, ErrBadSignature},
		{"same name, other key", signed, sameName, ErrBadSignature},
		{"checkpoint of another log", foreign, foreignKey, ErrBadCheckpoint},
		{"size changed after signing", changed, vkey, ErrBadSignature},
		{"no signature", []byte(torchwood.Checkpoint{Origin: origin, Tree: tree}.String()), vkey, ErrBadSignature},
		{"garbage", []byte("\x00\x01"), vkey, ErrBadSignature},
		{"not a key", signed, "gongkai", ErrBadKey},
		{"empty key", signed, "", ErrBadKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := OpenCheckpoint(tc.signed, tc.vkey); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestKeyFingerprint(t *testing.T) {
	_, vkey := signedCheckpoint(t, origin, origin, tlog.Tree{N: 0})
	fp, err := KeyFingerprint(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if len(fp) != 39 || strings.Count(fp, " ") != 7 {
		t.Errorf("fingerprint %q, want 8 groups of 4 hex digits", fp)
	}
	_, other := signedCheckpoint(t, origin, origin, tlog.Tree{N: 0})
	if fp2, _ := KeyFingerprint(other); fp2 == fp {
		t.Error("two keys have one fingerprint")
	}
	// Base64 holds "+" too: half of all keys have one.
	for range 50 {
		_, k := signedCheckpoint(t, origin, origin, tlog.Tree{N: 0})
		if _, err := KeyFingerprint(k); err != nil {
			t.Fatalf("KeyFingerprint(%q): %v", k, err)
		}
	}
	for _, bad := range []string{"", "a+b", "a+b+!!!", "a+b+"} {
		if _, err := KeyFingerprint(bad); !errors.Is(err, ErrBadKey) {
			t.Errorf("KeyFingerprint(%q): %v", bad, err)
		}
	}
}
