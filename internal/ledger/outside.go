package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
)

// Verify checks a school's log from the outside, with nothing but HTTP
// and the published formats: the checkpoint's signatures, every entry
// through the C2SP tiles (the tree recomputed must give the signed root),
// every published item's inclusion and content, and consistency with the
// checkpoint an earlier run saved. It is what `gongkai verify` runs.

// VerifyOptions say what to check.
type VerifyOptions struct {
	Server     string // the site, e.g. https://gongkai.example.cn
	Slug       string // the school; "" when the site has one school
	Item       int64  // one item; 0: every published item
	WitnessKey string // the witness's cosignature key; "": cosignatures not required
	StateDir   string // where the last checkpoint seen is kept; "": none
	Client     *http.Client
}

// VerifyReport is what a check found. Problems lists every mismatch; an
// empty list means the log and the items are as signed.
type VerifyReport struct {
	Origin     string
	Size       int64
	Cosigned   bool
	Entries    int64 // entries read and recomputed
	Consistent int64 // the size of the earlier checkpoint proved consistent; 0: none saved
	Items      []ItemReport
	Problems   []string
}

// ItemReport is one item's check.
type ItemReport struct {
	ID         int64
	Title      string
	Index      int64
	Mismatches []string  // what differs from the entry
	Removed    time.Time // personal data lawfully removed on that day
}

func (r *VerifyReport) fail(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

type verifier struct {
	o    VerifyOptions
	base string
	r    *VerifyReport
}

// Verify runs the check. An error means it could not run (the site did not
// answer); what it found wrong is in the report's Problems.
func Verify(ctx context.Context, o VerifyOptions) (*VerifyReport, error) {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	u, err := url.Parse(strings.TrimSuffix(o.Server, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server must be the site's address, e.g. https://gongkai.example.cn")
	}
	v := &verifier{o: o, base: u.String(), r: &VerifyReport{}}
	return v.r, v.run(ctx)
}

func (v *verifier) run(ctx context.Context) error {
	origin, keys, err := v.schoolKeys(ctx)
	if err != nil {
		return err
	}
	v.r.Origin = origin
	raw, err := v.get(ctx, "/s/"+v.o.Slug+"/log/checkpoint", 64<<10)
	if err != nil {
		return err
	}
	c, ok := v.checkpoint(raw, origin, keys)
	if !ok {
		return nil
	}
	v.r.Size = c.N
	hr, err := v.entries(ctx, c)
	if err != nil {
		return err
	}
	if hr != nil {
		v.consistency(c, raw, hr)
	}
	return v.items(ctx, c)
}

// schoolKeys finds the school in /api/v1/schools and reads its log's keys
// from /s/{slug}/log/key (the key in use and the retired ones).
func (v *verifier) schoolKeys(ctx context.Context) (string, note.Verifiers, error) {
	var schools []struct {
		Slug      string `json:"slug"`
		LogOrigin string `json:"log_origin"`
		LogKey    string `json:"log_key"`
	}
	if err := v.getJSON(ctx, "/api/v1/schools", &schools); err != nil {
		return "", nil, err
	}
	if v.o.Slug == "" && len(schools) == 1 {
		v.o.Slug = schools[0].Slug
	}
	var origin, key string
	for _, s := range schools {
		if s.Slug == v.o.Slug {
			origin, key = s.LogOrigin, s.LogKey
		}
	}
	if v.o.Slug == "" {
		return "", nil, fmt.Errorf("the site has %d schools: name one with --slug", len(schools))
	}
	if key == "" {
		return "", nil, fmt.Errorf("the site lists no school %q with a log key", v.o.Slug)
	}
	var vs []note.Verifier
	for _, k := range []string{key} {
		nv, err := note.NewVerifier(k)
		if err != nil || nv.Name() != origin {
			return "", nil, fmt.Errorf("the school's log key %q is not a signed-note key named %s", k, origin)
		}
		vs = append(vs, nv)
	}
	if more, err := v.get(ctx, "/s/"+v.o.Slug+"/log/key", 64<<10); err == nil {
		for _, k := range strings.Split(strings.TrimSpace(string(more)), "\n") {
			if nv, err := note.NewVerifier(strings.TrimSpace(k)); err == nil && k != key && nv.Name() == origin {
				vs = append(vs, nv)
			}
		}
	}
	return origin, note.VerifierList(vs...), nil
}

// checkpoint checks the signatures of the signed checkpoint.
func (v *verifier) checkpoint(raw []byte, origin string, keys note.Verifiers) (torchwood.Checkpoint, bool) {
	n, err := note.Open(raw, keys)
	if err != nil {
		v.r.fail("检查点的签名不对：不是学校公布的存证密钥签的（%v）", err)
		return torchwood.Checkpoint{}, false
	}
	c, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil || c.Origin != origin {
		v.r.fail("检查点格式不对，或不是 %s 的检查点", origin)
		return torchwood.Checkpoint{}, false
	}
	if v.o.WitnessKey != "" {
		wv, err := CosignatureVerifier(v.o.WitnessKey)
		if err != nil {
			v.r.fail("--witness-key: %v", err)
			return c, true
		}
		if _, ok := CosignedAt(raw, v.o.WitnessKey); ok { // cosign.go
			v.r.Cosigned = true
		} else {
			v.r.fail("检查点没有见证（%s）的有效副署", wv.Name())
		}
	}
	return c, true
}

// entries reads every entry through the tiles, checking each against the
// signed tree, and each for the school's canonical format; it returns a
// hash reader of the signed tree for the consistency proof.
func (v *verifier) entries(ctx context.Context, c torchwood.Checkpoint) (tlog.HashReader, error) {
	tf, err := torchwood.NewTileFetcher(v.base+"/s/"+v.o.Slug+"/log/", torchwood.WithTilePath(torchwood.TilePath), torchwood.WithHTTPClient(v.o.Client))
	if err != nil {
		return nil, err
	}
	client, err := torchwood.NewClient(tf)
	if err != nil {
		return nil, err
	}
	for v.r.Entries < c.N {
		before := v.r.Entries
		for i, e := range client.Entries(ctx, c.Tree, v.r.Entries) {
			le, err := gongkai.ParseLedgerEntry(e)
			if err != nil || le.School != v.o.Slug {
				v.r.fail("第 %d 条存证记录不是本校规范格式的记录", i)
			}
			v.r.Entries = i + 1
		}
		if err := client.Err(); err != nil {
			v.r.fail("日志的分片与签名的树根不符：%v", err)
			return nil, nil
		}
		if v.r.Entries == before {
			v.r.fail("日志只读到 %d 条，签名的检查点有 %d 条", before, c.N)
			return nil, nil
		}
	}
	return torchwood.TileHashReaderWithContext(ctx, c.Tree, tf), nil
}

// statePath is where the last checkpoint seen of an origin is kept.
func (v *verifier) statePath() string {
	name := strings.NewReplacer("/", "_", ":", "_", "\\", "_").Replace(v.r.Origin)
	return filepath.Join(v.o.StateDir, name+".checkpoint")
}

// consistency proves the signed tree extends the one saved by an earlier
// run, then saves the signed tree for the next.
func (v *verifier) consistency(c torchwood.Checkpoint, raw []byte, hr tlog.HashReader) {
	if v.o.StateDir == "" {
		return
	}
	saved, err := os.ReadFile(v.statePath())
	if err == nil {
		old, err := torchwood.ParseCheckpoint(firstParagraph(saved))
		switch {
		case err != nil || old.Origin != c.Origin:
			v.r.fail("上次保存的检查点（%s）无法读取", v.statePath())
			return
		case old.N > c.N:
			v.r.fail("日志回退：上次核验时有 %d 条，现在只有 %d 条", old.N, c.N)
			return
		}
		p, err := tlog.ProveTree(c.N, old.N, hr)
		if err == nil {
			err = tlog.CheckTree(p, c.N, c.Hash, old.N, old.Hash)
		}
		if err != nil {
			v.r.fail("日志与上次核验时（%d 条）不一致：日志被改写过（%v）", old.N, err)
			return
		}
		v.r.Consistent = old.N
	} else if !errors.Is(err, os.ErrNotExist) {
		v.r.fail("无法读取上次保存的检查点：%v", err)
		return
	}
	if err := os.MkdirAll(v.o.StateDir, 0o700); err == nil {
		_ = os.WriteFile(v.statePath(), raw, 0o600) // the next run compares with it; a failure only loses that
	}
}

// firstParagraph is a signed note's text, without its signatures.
func firstParagraph(b []byte) string {
	text, _, _ := strings.Cut(string(b), "\n\n")
	return text + "\n"
}

// get fetches a path of the site, at most max bytes.
func (v *verifier) get(ctx context.Context, path string, max int64) ([]byte, error) {
	b, status, err := v.fetch(ctx, path, max)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("%s answered %d", path, status)
	}
	return b, err
}

func (v *verifier) fetch(ctx context.Context, path string, max int64) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.base+path, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := v.o.Client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err == nil && int64(len(b)) > max {
		err = fmt.Errorf("%s: answer over %d bytes", path, max)
	}
	return b, resp.StatusCode, err
}

func (v *verifier) getJSON(ctx context.Context, path string, out any) error {
	b, err := v.get(ctx, path, 16<<20)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
