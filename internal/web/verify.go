package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/ledger"
	"gongkai/internal/store"
)

// The verify page of an item (存证核验): the server checks, from the
// database, that the item's latest entry is in the school's signed log and
// that the item's content is what the entry hashed; static/verify.js then
// checks the same again in the reader's browser from the public API and the
// log's key and checkpoint, trusting the server for nothing.

type verifyPage struct {
	base
	Doc         *docView
	Entries     []verifyEntry // every entry of the item, oldest first
	Latest      verifyEntry
	Key         *store.LedgerKey // nil before the school has one
	Fingerprint string
	Checkpoint  *ledger.SignedCheckpoint // nil until a signed one holds the entry
	ForgedNote  string                   // the checkpoint whose signature does not hold
	SignedAt    time.Time
	Server      verifyResult
	Browser     verifyData // for verify.js
}

// verifyEntry is one entry of the item's log.
type verifyEntry struct {
	Index    int64
	Action   string // 发布, 修订, 撤回
	Version  int
	At       time.Time
	LeafHash string // lowercase hex
	Entry    string // the canonical entry, as hashed
}

// verifyResult is the server's check, one line per check.
type verifyResult struct {
	OK       bool   // every check passed
	Pending  bool   // the entry is not in a signed checkpoint yet
	Removed  bool   // personal data was lawfully removed
	Mismatch string // the content differs from the entry: what changed
	Lines    []checkLine
}

// checkLine is one check with its outcome; the mark is in words too.
type checkLine struct {
	OK      bool
	Pending bool
	Text    string
}

// verifyData is what verify.js needs that the API does not say: which key
// the page shows, and what the public may no longer see and since when, so
// that the browser tells a lawful removal from a change as the server does.
type verifyData struct {
	Slug         string            `json:"slug"`
	Item         int64             `json:"item"`
	Key          string            `json:"key"`
	TextRemoved  string            `json:"text_removed"`  // ISO date the title and body were removed or hidden, "" if not
	FilesRemoved string            `json:"files_removed"` // the same for all files
	FileRemoved  []string          `json:"file_removed"`  // per file of the current version
	Days         map[string]string `json:"days"`          // ISO date → the date in prose
	Text         map[string]string `json:"text"`          // the page's messages in the reader's language
}

func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) error {
	d, done, err := s.loadReadable(w, r)
	if err != nil || done {
		return err
	}
	ctx := r.Context()
	school := schoolFrom(ctx)
	recs, err := s.db.FindLedgerRecords(ctx, school.ID, d.ID)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "该事项尚无存证记录。")
	}
	p := &verifyPage{base: s.base(r, "")}
	p.Nav = "board"
	if p.Doc, err = s.newDocView(ctx, &p.base, school, d); err != nil {
		return err
	}
	p.Title = p.T("存证核验") + " - " + p.Doc.Title
	p.NoIndex = true
	for _, rec := range recs {
		p.Entries = append(p.Entries, verifyEntry{Index: rec.Index, Action: p.T(rec.Action.Label()), Version: rec.Version, At: rec.CreatedAt,
			LeafHash: fmt.Sprintf("%x", rec.LeafHash[:]), Entry: string(rec.Entry)})
	}
	p.Latest = p.Entries[len(p.Entries)-1]
	takedown, err := s.takedownOf(ctx, school, d)
	if err != nil {
		return err
	}
	if err := s.checkLedger(ctx, p, school, d, &recs[len(recs)-1], takedown); err != nil {
		return err
	}
	p.Browser = newVerifyData(&p.base, school, d, p.Key, takedown)
	// The check is of this moment: no cache keeps it.
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "verify", p)
	return nil
}

// takedownOf is when a roster's people were taken down, zero if not.
func (s *Server) takedownOf(ctx context.Context, school *gongkai.School, d *gongkai.Disclosure) (time.Time, error) {
	rs, err := s.rostersOf(ctx, school)
	if err != nil {
		return time.Time{}, err
	}
	at, _ := rs.takenDown(d)
	return at, nil
}

// checkLedger runs the server's check of the item's latest entry: the
// checkpoint's signature by the school's key, the entry's inclusion in the
// signed tree, and the content as stored against the entry's hashes.
func (s *Server) checkLedger(ctx context.Context, p *verifyPage, school *gongkai.School, d *gongkai.Disclosure, rec *store.LedgerRecord, takedown time.Time) error {
	keys, err := s.db.FindLedgerKeys(ctx, school.ID)
	if err != nil {
		return err
	}
	if len(keys) > 0 && keys[0].RetiredAt.IsZero() {
		p.Key = &keys[0]
		p.Fingerprint, _ = ledger.KeyFingerprint(p.Key.VKey) // a key the store holds is well formed
	}
	cp, err := s.db.FindCheckpoint(ctx, school.ID)
	if err != nil && gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
		return err
	}
	res := &p.Server
	res.OK = true
	fail := func(text string) {
		res.OK = false
		res.Lines = append(res.Lines, checkLine{Text: text})
	}
	switch {
	case p.Key == nil || cp == nil || cp.Size <= rec.Index:
		res.OK, res.Pending = false, true
		res.Lines = append(res.Lines, checkLine{Pending: true, Text: p.T("存证已记录，正在等待签名，请稍后刷新本页。")})
	default:
		p.SignedAt = cp.SignedAt
		if p.Checkpoint, err = ledger.OpenCheckpoint([]byte(cp.Note), p.Key.VKey); err != nil {
			s.log.Warn("ledger: checkpoint does not verify", "school", school.ID, "err", err)
			p.ForgedNote = cp.Note
			fail(p.T("签名无效"))
			break
		}
		res.Lines = append(res.Lines, checkLine{OK: true, Text: p.T("签名有效")})
		if s.cfg.Witness != nil {
			// The bureau's witness of this site: its cosignature is checked
			// too; one still to come is no failure, the witness may lag.
			if at, ok := ledger.CosignedAt([]byte(cp.Note), s.cfg.Witness.Key()); ok {
				res.Lines = append(res.Lines, checkLine{OK: true, Text: p.Tf("教育局见证签名有效（%s）", at.In(gongkai.Beijing).Format("2006-01-02 15:04"))})
			} else {
				res.Lines = append(res.Lines, checkLine{Pending: true, Text: p.T("教育局尚未见证这个检查点")})
			}
		}
		if err := s.proveEntry(ctx, school.ID, p.Checkpoint.Tree, rec); err != nil {
			s.log.Warn("ledger: entry not in the signed tree", "school", school.ID, "index", rec.Index, "err", err)
			fail(p.T("条目不在日志中"))
		} else {
			res.Lines = append(res.Lines, checkLine{OK: true, Text: p.Tf("条目在日志中（共 %d 条）", p.Checkpoint.N)})
		}
	}
	e, err := gongkai.ParseLedgerEntry(rec.Entry)
	if err != nil || e.Item != d.ID || e.School != school.Slug {
		fail(p.T("存证条目不属于本事项"))
		return nil
	}
	c := gongkai.CheckLedgerItem(e, d, takedown)
	switch {
	case !c.OK:
		res.Mismatch = mismatchText(&p.base, c.Mismatches)
		fail(res.Mismatch)
	case !c.Removed.IsZero():
		res.Removed = true
		res.Lines = append(res.Lines, checkLine{OK: true, Text: p.Tf("已依法删除个人信息（%s）", p.Day(c.Removed))})
	default:
		res.Lines = append(res.Lines, checkLine{OK: true, Text: p.T("内容与存证一致")})
	}
	return nil
}

// proveEntry proves the record in the signed tree from the stored hashes
// and checks the proof as an outside verifier would.
func (s *Server) proveEntry(ctx context.Context, schoolID int64, tree tlog.Tree, rec *store.LedgerRecord) error {
	proof, err := tlog.ProveRecord(tree.N, rec.Index, s.db.LedgerHashReader(ctx, schoolID))
	if err != nil {
		return errors.Join(ledger.ErrBadProof, err)
	}
	return ledger.VerifyInclusion(tree, rec.Index, rec.Entry, proof)
}

// mismatchText says what was changed: 内容与存证不一致：正文已被改动.
func mismatchText(b *base, parts []string) string {
	names := make([]string, len(parts))
	for i, m := range parts {
		if n, ok := strings.CutPrefix(m, "附件 "); ok {
			k, _ := strconv.Atoi(n)
			names[i] = b.Tf("附件 %d", k)
		} else {
			names[i] = b.T(m)
		}
	}
	return b.Tf("内容与存证不一致：%s已被改动", strings.Join(names, b.T("、")))
}

// newVerifyData tells verify.js what the page shows and what the API no
// longer serves: a redacted body, deleted files, a roster taken down.
func newVerifyData(b *base, school *gongkai.School, d *gongkai.Disclosure, key *store.LedgerKey, takedown time.Time) verifyData {
	v := verifyData{Slug: school.Slug, Item: d.ID, Days: map[string]string{}, FileRemoved: []string{}, Text: map[string]string{}}
	if key != nil {
		v.Key = key.VKey
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		iso := t.In(gongkai.Beijing).Format(time.DateOnly)
		v.Days[iso] = b.Day(t)
		return iso
	}
	text := gongkai.LedgerContentOf(d).TextRemoved
	if !takedown.IsZero() && (text.IsZero() || takedown.Before(text)) {
		text = takedown
	}
	v.TextRemoved, v.FilesRemoved = day(text), day(takedown)
	for _, a := range d.Attachments {
		v.FileRemoved = append(v.FileRemoved, day(a.RedactedAt))
	}
	for k, zh := range verifyTexts {
		v.Text[k] = b.T(zh)
	}
	return v
}

// verifyTexts are the messages verify.js shows, by key.
var verifyTexts = map[string]string{
	"running":     "正在您的浏览器中核验……",
	"pending":     "存证已记录，正在等待签名，请稍后刷新本页。",
	"done_ok":     "已在您的浏览器中核验",
	"done_bad":    "浏览器核验未通过",
	"failed":      "无法在浏览器中核验：%s",
	"unsupported": "您的浏览器不支持 Ed25519 签名核验，请以服务器核验结果为准。",
	"network":     "无法取得核验所需的数据，请稍后重试。",
	"sig_ok":      "签名有效",
	"sig_bad":     "签名无效",
	"key_bad":     "本页显示的公钥与学校公布的公钥不一致",
	"incl_ok":     "条目在日志中（共 %d 条）",
	"incl_bad":    "条目不在日志中",
	"entry_bad":   "存证条目不属于本事项",
	"content_ok":  "内容与存证一致",
	"content_bad": "内容与存证不一致：%s已被改动",
	"removed":     "已依法删除个人信息（%s）",
	"title":       "标题",
	"body":        "正文",
	"count":       "附件数量",
	"file":        "附件 %d",
	"sep":         "、",
	"pass":        "通过：",
	"fail":        "未通过：",
	"key_used":    "使用的公钥：%s，指纹 %s",
	"cosigned":    "见证签名：%s",
	"no_cosign":   "暂无见证签名",
}

// latestLedger is the item's latest log entry, nil before the first.
func (s *Server) latestLedger(ctx context.Context, schoolID, id int64) (*store.LedgerRecord, error) {
	recs, err := s.db.FindLedgerRecords(ctx, schoolID, id)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return &recs[len(recs)-1], nil
}
