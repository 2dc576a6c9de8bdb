package ledger

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
)

// apiItemDetail is what the check reads of GET /api/v1/disclosures/{id}.
type apiItemDetail struct {
	ID          int64  `json:"id"`
	School      string `json:"school"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	Hidden      bool   `json:"hidden"`
	Notice      string `json:"notice"`
	Attachments []struct {
		SHA256 string `json:"sha256"`
		URL    string `json:"url"`
	} `json:"attachments"`
	Ledger *struct {
		Index    int64  `json:"index"`
		LeafHash string `json:"leaf_hash"`
		Entry    string `json:"entry"`
		// The day personal data was lawfully removed from title and body.
		TextRemovedOn string `json:"text_removed_on"`
	} `json:"ledger"`
}

// maxAttachment bounds a file read to hash it (gongkai takes 20 MB).
const maxAttachment = 64 << 20

// items checks every published item of the school, or the one asked for.
func (v *verifier) items(ctx context.Context, c torchwood.Checkpoint) error {
	ids := []int64{v.o.Item}
	if v.o.Item == 0 {
		var err error
		if ids, err = v.publishedIDs(ctx); err != nil {
			return err
		}
	}
	for _, id := range ids {
		if err := v.item(ctx, c, id); err != nil {
			return err
		}
	}
	return nil
}

// publishedIDs lists the school's published items, page by page.
func (v *verifier) publishedIDs(ctx context.Context) ([]int64, error) {
	var ids []int64
	for page := 1; ; page++ {
		var list struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
			Next *int `json:"next"`
		}
		if err := v.getJSON(ctx, fmt.Sprintf("/api/v1/schools/%s/disclosures?per_page=100&page=%d", v.o.Slug, page), &list); err != nil {
			return nil, err
		}
		for _, it := range list.Items {
			ids = append(ids, it.ID)
		}
		if list.Next == nil {
			return ids, nil
		}
	}
}

// item checks one item: its entry is in the signed tree at its index, and
// its content is the entry's, unless lawfully removed.
func (v *verifier) item(ctx context.Context, c torchwood.Checkpoint, id int64) error {
	var d apiItemDetail
	if err := v.getJSON(ctx, "/api/v1/disclosures/"+strconv.FormatInt(id, 10), &d); err != nil {
		return err
	}
	ir := ItemReport{ID: id, Title: d.Title, Index: -1}
	defer func() { v.r.Items = append(v.r.Items, ir) }()
	if d.Ledger == nil {
		ir.Mismatches = append(ir.Mismatches, "没有存证记录")
		v.r.fail("事项 %d：已发布却没有存证记录", id)
		return nil
	}
	ir.Index = d.Ledger.Index
	entry := []byte(d.Ledger.Entry)
	leaf := tlog.RecordHash(entry)
	if hex.EncodeToString(leaf[:]) != d.Ledger.LeafHash {
		ir.Mismatches = append(ir.Mismatches, "存证记录的哈希")
	}
	if d.Ledger.Index >= c.N {
		ir.Mismatches = append(ir.Mismatches, "存证记录不在已签名的日志中")
	} else if err := v.inclusion(ctx, c, d.Ledger.Index, leaf); err != nil {
		ir.Mismatches = append(ir.Mismatches, "存证记录不在已签名的日志中")
	}
	e, err := gongkai.ParseLedgerEntry(entry)
	if err != nil || e.Item != id || e.School != v.o.Slug {
		ir.Mismatches = append(ir.Mismatches, "存证记录不是这一事项的")
	} else {
		content, err := v.content(ctx, &d)
		if err != nil {
			return err
		}
		check := gongkai.CheckLedgerContent(e, content)
		ir.Mismatches, ir.Removed = append(ir.Mismatches, check.Mismatches...), check.Removed
	}
	if len(ir.Mismatches) > 0 {
		v.r.fail("事项 %d（%s）与存证记录 #%d 不符：%v", id, d.Title, ir.Index, ir.Mismatches)
	}
	return nil
}

// inclusion checks the site's inclusion proof of the entry at index with
// the library's verifier, against the signed root.
func (v *verifier) inclusion(ctx context.Context, c torchwood.Checkpoint, index int64, leaf tlog.Hash) error {
	var p struct {
		Proof []string `json:"proof"`
	}
	if err := v.getJSON(ctx, fmt.Sprintf("/api/v1/schools/%s/log/inclusion?index=%d&size=%d", v.o.Slug, index, c.N), &p); err != nil {
		return err
	}
	proof, err := ParseProof(p.Proof) // verify.go
	if err != nil {
		return err
	}
	return tlog.CheckRecord(proof, c.N, c.Hash, index, leaf)
}

// content is the item as a reader gets it now: title, body, the SHA-256 of
// each file's bytes, and when personal data was lawfully removed.
func (v *verifier) content(ctx context.Context, d *apiItemDetail) (gongkai.LedgerContent, error) {
	c := gongkai.LedgerContent{Title: d.Title, Body: d.Body}
	if d.Hidden {
		// A roster past its period: its text and files are withheld.
		at, _ := gongkai.RemovalDate(d.Notice)
		c.TextRemoved, c.FilesRemoved = orEpoch(at), orEpoch(at)
	} else if at, ok := gongkai.RemovalDate(d.Body); ok {
		c.TextRemoved = at
	}
	if d.Ledger != nil && d.Ledger.TextRemovedOn != "" {
		// The site says when; a notice's wording may change, this field not.
		if at, err := time.ParseInLocation(time.DateOnly, d.Ledger.TextRemovedOn, gongkai.Beijing); err == nil {
			c.TextRemoved = at
			if d.Hidden {
				c.FilesRemoved = at
			}
		}
	}
	for _, a := range d.Attachments {
		b, status, err := v.fetch(ctx, a.URL, maxAttachment)
		if err != nil {
			return c, err
		}
		var removed time.Time
		switch status {
		case http.StatusOK:
			sum := sha256.Sum256(b)
			c.Attachments = append(c.Attachments, hex.EncodeToString(sum[:]))
		case http.StatusGone:
			c.Attachments = append(c.Attachments, "")
			if at, ok := gongkai.RemovalDate(string(bytes.ToValidUTF8(b, nil))); ok {
				removed = at
			}
		default:
			c.Attachments = append(c.Attachments, "")
		}
		c.FileRemoved = append(c.FileRemoved, removed)
	}
	return c, nil
}

// orEpoch keeps a removal without a readable date a removal.
func orEpoch(t time.Time) time.Time {
	if t.IsZero() {
		return time.Unix(0, 0)
	}
	return t
}
