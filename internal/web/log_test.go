package web

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/ledger"
)

// withLedger gives the harness's schools their log keys and signs their
// logs now and after every later publication, as `gongkai serve` does.
func (h *harness) withLedger() *ledger.Sequencer {
	h.t.Helper()
	keys, err := ledger.OpenKeyring(h.t.TempDir())
	must(h.t, err)
	seq := &ledger.Sequencer{DB: h.db, Keys: keys, Host: "gongkai.test"}
	h.db.OnLedgerAppend = seq.Appended
	ctx := context.Background()
	must(h.t, seq.EnsureKeys(ctx))
	seq.CatchUp(ctx)
	return seq
}

// logKey reads the school's verifier key as the API publishes it.
func (h *harness) logKey(slug string) note.Verifier {
	h.t.Helper()
	_, body := h.get(h.client(""), "/api/v1/schools")
	var schools []apiSchool
	must(h.t, json.Unmarshal([]byte(body), &schools))
	for _, s := range schools {
		if s.Slug == slug {
			v, err := note.NewVerifier(s.LogKey)
			must(h.t, err)
			if s.LogOrigin != v.Name() {
				h.t.Fatalf("log_origin %q is not the key's name %q", s.LogOrigin, v.Name())
			}
			return v
		}
	}
	h.t.Fatalf("school %s not in /api/v1/schools", slug)
	return nil
}

// openCheckpoint fetches and verifies the school's checkpoint.
func (h *harness) openCheckpoint(slug string, v note.Verifier) torchwood.Checkpoint {
	h.t.Helper()
	resp, body := h.get(h.client(""), "/s/"+slug+"/log/checkpoint")
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("checkpoint: %d %s", resp.StatusCode, body)
	}
	n, err := note.Open([]byte(body), note.VerifierList(v))
	if err != nil {
		h.t.Fatalf("checkpoint does not verify with the published key: %v\n%s", err, body)
	}
	c, err := torchwood.ParseCheckpoint(n.Text)
	must(h.t, err)
	if c.Origin != v.Name() {
		h.t.Fatalf("checkpoint origin %q, key %q", c.Origin, v.Name())
	}
	return c
}

// tileReader is x/mod's tlog.TileReader over HTTP, the C2SP paths given
// by torchwood: a standard client, unchanged.
type tileReader struct {
	h    *harness
	base string
}

func (r tileReader) Height() int { return torchwood.TileHeight }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		resp, err := http.Get(r.h.ts.URL + r.base + torchwood.TilePath(t))
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: %d", torchwood.TilePath(t), resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			return nil, fmt.Errorf("%s: Cache-Control %q", torchwood.TilePath(t), cc)
		}
		out[i] = b
	}
	return out, nil
}

func (tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// The log of a school, read as any standard client reads it: the signed
// checkpoint with the key from the API, every entry through the tiles,
// and each published item's entry proved in the signed tree.
func TestLog_standardClients(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.withLedger()
		for i := range 300 { // more than one full tile of entries
			h.publishItem(h.other, fmt.Sprintf("开物小学第%d号公示", i), gongkai.AudiencePublic)
		}
		v := h.logKey("other")
		c := h.openCheckpoint("other", v)
		if c.N != 301 {
			t.Fatalf("checkpoint of size %d, want 301 publications", c.N)
		}
		// x/mod's own tile reader recomputes the tree from the hash tiles.
		thr := tlog.TileHashReader(c.Tree, tileReader{h, "/s/other/log/"})
		if root, err := tlog.TreeHash(c.N, thr); err != nil || root != c.Hash {
			t.Fatalf("tree from tiles: %v (root match %v)", err, root == c.Hash)
		}
		// torchwood's client reads every entry and checks it against the tree.
		fetcher, err := torchwood.NewTileFetcher(h.ts.URL+"/s/other/log/", torchwood.WithTilePath(torchwood.TilePath))
		must(t, err)
		client, err := torchwood.NewClient(fetcher)
		must(t, err)
		var entries [][]byte
		for _, e := range client.Entries(context.Background(), c.Tree, 0) {
			entries = append(entries, e)
		}
		must(t, client.Err())
		// The last partial tile is left for a later checkpoint; read it alone.
		for i := int64(len(entries)); i < c.N; i++ {
			e, _, err := client.Entry(context.Background(), c.Tree, i)
			must(t, err)
			entries = append(entries, e)
		}
		// Every entry is an item the API serves with the same entry text.
		_, body := h.get(h.client(""), fmt.Sprintf("/api/v1/disclosures/%d", h.otherItem.ID))
		var item struct{ Ledger *apiLedger }
		must(t, json.Unmarshal([]byte(body), &item))
		if item.Ledger == nil || item.Ledger.Index != 0 || item.Ledger.Entry != string(entries[0]) {
			t.Fatalf("the API's ledger %+v is not entry 0 of the tiles %s", item.Ledger, entries[0])
		}
		leaf := tlog.RecordHash(entries[0])
		if item.Ledger.LeafHash != hex.EncodeToString(leaf[:]) {
			t.Error("the API's leaf hash is not the hash of its entry")
		}
		e, err := gongkai.ParseLedgerEntry(entries[300])
		must(t, err)
		if e.School != "other" || e.Action != gongkai.LedgerPublish || e.TitleSHA256 != gongkai.HashText("开物小学第299号公示") {
			t.Errorf("entry 300: %s", entries[300])
		}
		// The convenience proof, checked by tlog; against a named size it
		// never changes, so caches keep it.
		resp, _ := h.get(h.client(""), fmt.Sprintf("/api/v1/schools/other/log/inclusion?index=137&size=%d", c.N))
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("a proof against a named size has Cache-Control %q", cc)
		}
		_, body = h.get(h.client(""), "/api/v1/schools/other/log/inclusion?index=137")
		var inc apiInclusion
		must(t, json.Unmarshal([]byte(body), &inc))
		if err := tlog.CheckRecord(unhexHashes(t, inc.Proof), inc.Size, c.Hash, 137, tlog.RecordHash(entries[137])); err != nil || inc.Size != c.N {
			t.Errorf("inclusion proof of 137 in %d: %v", inc.Size, err)
		}
	})
}

func unhexHashes(t *testing.T, hs []string) []tlog.Hash {
	t.Helper()
	out := make([]tlog.Hash, len(hs))
	for i, s := range hs {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			t.Fatalf("hash %q", s)
		}
		copy(out[i][:], b)
	}
	return out
}

// A checkpoint saved earlier is proved to be a prefix of the later one.
func TestLog_consistencyAcrossCheckpoints(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.withLedger()
		v := h.logKey("xq")
		before := h.openCheckpoint("xq", v)
		for i := range 5 {
			h.publishItem(h.school, fmt.Sprintf("补充公示%d", i), gongkai.AudiencePublic)
		}
		after := h.openCheckpoint("xq", v)
		if after.N != before.N+5 {
			t.Fatalf("sizes %d → %d after five publications", before.N, after.N)
		}
		_, body := h.get(h.client(""), fmt.Sprintf("/api/v1/schools/xq/log/consistency?old=%d", before.N))
		var p apiConsistency
		must(t, json.Unmarshal([]byte(body), &p))
		if err := tlog.CheckTree(unhexHashes(t, p.Proof), after.N, after.Hash, before.N, before.Hash); err != nil || p.New != after.N {
			t.Errorf("consistency %d→%d: %v", before.N, p.New, err)
		}
		// A wrong old root is caught by the same proof.
		wrong := before.Hash
		wrong[0] ^= 1
		if tlog.CheckTree(unhexHashes(t, p.Proof), after.N, after.Hash, before.N, wrong) == nil {
			t.Error("the proof passed for a root the log never had")
		}
	})
}

// Bad requests to the log get a clear error, never a crash: the public
// may hammer these endpoints.
func TestLog_badInput(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.withLedger()
		c := h.client("")
		for path, want := range map[string]int{
			"/api/v1/schools/xq/log/inclusion":                                    422,
			"/api/v1/schools/xq/log/inclusion?index=-1":                           422,
			"/api/v1/schools/xq/log/inclusion?index=abc":                          422,
			"/api/v1/schools/xq/log/inclusion?index=99999999999999":               422,
			"/api/v1/schools/xq/log/inclusion?index=1&size=1":                     422,
			"/api/v1/schools/xq/log/inclusion?index=0&size=999":                   422,
			"/api/v1/schools/xq/log/inclusion?index=" + strings.Repeat("9", 5000): 422,
			"/api/v1/schools/xq/log/consistency?old=0":                            422,
			"/api/v1/schools/xq/log/consistency?old=3&new=2":                      422,
			"/api/v1/schools/nowhere/log/inclusion?index=0":                       404,
			"/s/xq/log/tile/0/000":                                                404, // a full tile of a log of four
			"/s/xq/log/tile/0/000.p/9":                                            404,
			"/s/xq/log/tile/entries/000.p/5":                                      404,
			"/s/xq/log/tile/9/000.p/1":                                            404,
			"/s/xq/log/tile/x/etc":                                                404,
			"/s/xq/log/tile/0/x001/000":                                           404,
			"/s/nowhere/log/checkpoint":                                           404,
			"/s/xq/log/tile/0/000.p/4":                                            200,
			"/s/xq/log/tile/entries/000.p/4":                                      200,
			"/api/v1/schools/xq/log/inclusion?index=3":                            200,
		} {
			resp, body := h.get(c, path)
			if resp.StatusCode != want {
				t.Errorf("%s: %d, want %d: %.200s", path, resp.StatusCode, want, body)
			}
			if resp.StatusCode == 422 && !strings.Contains(body, "参数") && !strings.Contains(body, "日志") {
				t.Errorf("%s: no clear message: %s", path, body)
			}
		}
	})
}
