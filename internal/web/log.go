package web

import (
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/store"
)

// A school's log, read by anyone: the C2SP tlog-tiles layout under
// /s/{slug}/log/ (checkpoint, key, hash tiles and entry bundles), and
// proofs as JSON under /api/v1 for readers without a tile client
// (docs/ledger.md). Nothing here is personal: entries hold hashes only.

// logRoutes are the log's public routes.
func (s *Server) logRoutes() []route {
	return []route{
		{"GET", "/s/{slug}/log/checkpoint", accessPublic, false, s.handleLogCheckpoint},
		{"GET", "/s/{slug}/log/key", accessPublic, false, s.handleLogKey},
		{"GET", "/s/{slug}/log/tile/{path...}", accessPublic, false, s.handleLogTile},
		{"GET", "/api/v1/schools/{slug}/log/inclusion", accessPublic, true, s.apiLogInclusion},
		{"GET", "/api/v1/schools/{slug}/log/consistency", accessPublic, true, s.apiLogConsistency},
	}
}

// handleLogCheckpoint serves the latest signed checkpoint, with the
// witness's cosignatures. Readers poll it, so it is cached only briefly.
func (s *Server) handleLogCheckpoint(w http.ResponseWriter, r *http.Request) error {
	c, err := s.db.FindCheckpoint(r.Context(), schoolFrom(r.Context()).ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=5")
	_, err = w.Write([]byte(c.Note))
	return err
}

// handleLogKey serves the verifier key of the school's log, in the
// signed-note format; retired keys follow, one per line, for checkpoints
// signed before a rotation.
func (s *Server) handleLogKey(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.db.FindLedgerKeys(r.Context(), schoolFrom(r.Context()).ID)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "存证密钥尚未生成。")
	}
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k.VKey + "\n")
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write([]byte(b.String()))
	return err
}

// handleLogTile serves a hash tile or an entry bundle of the signed tree.
// A tile's bytes never change once its width is reached, so caches keep
// it for good; tiles past the signed checkpoint do not exist yet.
func (s *Server) handleLogTile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	t, err := torchwood.ParseTilePath("tile/" + r.PathValue("path"))
	if err != nil || t.H != torchwood.TileHeight || t.L < -1 || t.L > 8 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个分片。")
	}
	c, err := s.db.FindCheckpoint(ctx, school.ID)
	if err != nil {
		return err
	}
	var data []byte
	if t.L == -1 {
		data, err = s.entryBundle(r, school.ID, t, c.Size)
	} else {
		if !tileWithin(t, c.Size) {
			return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个分片。")
		}
		data, err = tlog.ReadTileData(t, s.db.LedgerHashReader(ctx, school.ID))
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, err = w.Write(data)
	return err
}

// tileWithin reports whether a hash tile is wholly inside a tree of size n.
func tileWithin(t tlog.Tile, n int64) bool {
	// The tile holds hashes [N·256, N·256+W) of level L·8, each over
	// 256^L leaves.
	end := t.N<<t.H + int64(t.W)
	return end <= n>>(t.L*t.H)
}

// entryBundle is the C2SP entry bundle of the tile: each entry prefixed by
// its 16-bit big-endian length.
func (s *Server) entryBundle(r *http.Request, schoolID int64, t tlog.Tile, size int64) ([]byte, error) {
	start := t.N * torchwood.TileWidth
	end := start + int64(t.W)
	if end > size {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "没有这个分片。")
	}
	entries, err := s.db.LedgerEntries(r.Context(), schoolID, start, end)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, e := range entries {
		out = binary.BigEndian.AppendUint16(out, uint16(len(e)))
		out = append(out, e...)
	}
	return out, nil
}

// apiInclusion is an entry's inclusion proof in a signed tree.
type apiInclusion struct {
	Origin     string   `json:"origin"`
	Index      int64    `json:"index"`
	Size       int64    `json:"size"`
	LeafHash   string   `json:"leaf_hash"`
	Proof      []string `json:"proof"`
	Checkpoint string   `json:"checkpoint"`
}

// apiConsistency proves that the tree of size new extends the tree of
// size old.
type apiConsistency struct {
	Origin     string   `json:"origin"`
	Old        int64    `json:"old"`
	New        int64    `json:"new"`
	Proof      []string `json:"proof"`
	Checkpoint string   `json:"checkpoint"`
}

func (s *Server) apiLogInclusion(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	c, origin, err := s.signedTree(r, school.ID)
	if err != nil {
		return err
	}
	index, err := logNumber(r, "index", 0, c.Size-1, -1)
	if err != nil {
		return err
	}
	size, err := logNumber(r, "size", index+1, c.Size, c.Size)
	if err != nil {
		return err
	}
	rec, err := s.db.FindLedgerRecord(ctx, school.ID, index)
	if err != nil {
		return err
	}
	p, err := tlog.ProveRecord(size, index, s.db.LedgerHashReader(ctx, school.ID))
	if err != nil {
		return err
	}
	proofCache(w, r, "size")
	writeJSON(w, http.StatusOK, apiInclusion{Origin: origin, Index: index, Size: size, LeafHash: hex.EncodeToString(rec.LeafHash[:]),
		Proof: hexHashes(p), Checkpoint: c.Note})
	return nil
}

func (s *Server) apiLogConsistency(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	c, origin, err := s.signedTree(r, school.ID)
	if err != nil {
		return err
	}
	newSize, err := logNumber(r, "new", 1, c.Size, c.Size)
	if err != nil {
		return err
	}
	old, err := logNumber(r, "old", 1, newSize, -1)
	if err != nil {
		return err
	}
	p, err := tlog.ProveTree(newSize, old, s.db.LedgerHashReader(ctx, school.ID))
	if err != nil {
		return err
	}
	proofCache(w, r, "new")
	writeJSON(w, http.StatusOK, apiConsistency{Origin: origin, Old: old, New: newSize, Proof: hexHashes(p), Checkpoint: c.Note})
	return nil
}

// proofCache lets caches keep a proof against a tree size named in the
// request for good: it never changes. Without the size it is against the
// latest checkpoint, which moves.
func proofCache(w http.ResponseWriter, r *http.Request, sizeParam string) {
	if r.URL.Query().Get(sizeParam) != "" {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=5")
}

// signedTree returns the school's latest checkpoint and the log's origin.
func (s *Server) signedTree(r *http.Request, schoolID int64) (*store.Checkpoint, string, error) {
	c, err := s.db.FindCheckpoint(r.Context(), schoolID)
	if err != nil {
		return nil, "", err
	}
	origin, _, _ := strings.Cut(c.Note, "\n")
	return c, origin, nil
}

// logNumber reads a query parameter in [lo, hi]; def < 0 makes it
// required.
func logNumber(r *http.Request, name string, lo, hi, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" && def >= 0 {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || len(v) > 19 {
		return 0, &gongkai.Error{Code: gongkai.EINVALID, Message: "参数 " + name + " 应为整数。", Fields: map[string]string{name: "应为整数。"}}
	}
	if n < lo || n > hi {
		msg := "参数 " + name + " 应在 " + strconv.FormatInt(lo, 10) + " 到 " + strconv.FormatInt(hi, 10) + " 之间（已签名的日志共 " + strconv.FormatInt(hi, 10) + " 条）。"
		if lo > hi {
			msg = "日志还没有可证明的条目。"
		}
		return 0, &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{name: "超出范围。"}}
	}
	return n, nil
}

func hexHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h[:])
	}
	return out
}
