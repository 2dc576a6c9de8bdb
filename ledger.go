package gongkai

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The verifiable record (存证): every publish, revise and withdraw appends
// one entry to the school's append-only Merkle log. The entry is the
// canonical serialisation below; its leaf hash (RFC 6962) is what the
// signed checkpoints commit to. docs/ledger.md documents the format so that
// anyone can recompute it from the item as the API serves it.

// LedgerFormat names the entry format; a new format gets a new name.
const LedgerFormat = "gongkai-ledger/v1"

// MaxLedgerEntry is the largest entry a log holds: C2SP tlog-tiles entry
// bundles prefix each entry with a 16-bit length.
const MaxLedgerEntry = 1<<16 - 1

// LedgerAction is the step an entry records.
type LedgerAction string

// The steps that append to the log.
const (
	LedgerPublish  LedgerAction = "publish"
	LedgerRevise   LedgerAction = "revise"
	LedgerWithdraw LedgerAction = "withdraw"
)

// Label is the action as the verify page names it.
func (a LedgerAction) Label() string {
	switch a {
	case LedgerPublish:
		return "发布"
	case LedgerRevise:
		return "修订"
	case LedgerWithdraw:
		return "撤回"
	}
	return string(a)
}

// LedgerEntry is one entry of a school's log. Personal data never goes in:
// the title, the body, the reason and every file enter as SHA-256 hashes
// only (titles of rosters and awards name people), so a takedown or a
// redaction leaves the entry true. Field order is the serialisation order.
type LedgerEntry struct {
	Format         string       `json:"format"`
	School         string       `json:"school"` // the school's slug
	Item           int64        `json:"item"`
	Version        int          `json:"version"`
	Action         LedgerAction `json:"action"`
	IndexNo        string       `json:"index_no"`
	Category       string       `json:"category"`
	Audience       Audience     `json:"audience"`
	TitleSHA256    string       `json:"title_sha256"`
	BodySHA256     string       `json:"body_sha256"`
	Attachments    []string     `json:"attachments"` // SHA-256 of each file, in the order the item lists them
	PublicityStart string       `json:"publicity_start"`
	PublicityEnd   string       `json:"publicity_end"`
	Signer         string       `json:"signer"` // who signed (签发) the version
	SignedAt       string       `json:"signed_at"`
	ReasonSHA256   string       `json:"reason_sha256"` // of a revision's or withdrawal's reason; "" on first publication
	Time           string       `json:"time"`          // when the step was taken
}

// LedgerFacts are what an entry is made of, as the store read them in the
// transaction of the step.
type LedgerFacts struct {
	SchoolSlug  string
	Item        *Disclosure // with Title, Body, Version, Reason, signer and period as stored after the step
	Attachments []string    // SHA-256 hex of the current version's files
	Action      LedgerAction
	At          time.Time
}

// NewLedgerEntry makes the entry of a step.
func NewLedgerEntry(f LedgerFacts) LedgerEntry {
	d := f.Item
	e := LedgerEntry{
		Format: LedgerFormat, School: f.SchoolSlug, Item: d.ID, Version: d.Version, Action: f.Action,
		IndexNo: d.IndexNo, Category: d.Category, Audience: d.Audience,
		TitleSHA256: HashText(d.Title), BodySHA256: HashText(d.Body),
		Attachments: append([]string{}, f.Attachments...),
		Signer:      d.SignedByName, SignedAt: ledgerTime(d.SignedAt), Time: ledgerTime(f.At),
	}
	if !d.PublicityStart.IsZero() {
		e.PublicityStart = d.PublicityStart.In(Beijing).Format(time.DateOnly)
		e.PublicityEnd = d.PublicityEnd.In(Beijing).Format(time.DateOnly)
	}
	if f.Action != LedgerPublish {
		e.ReasonSHA256 = HashText(d.Reason)
	}
	return e
}

func ledgerTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Beijing).Format(time.RFC3339)
}

// HashText is the lowercase hex SHA-256 of a text's UTF-8 bytes.
func HashText(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Bytes is the canonical serialisation: compact JSON in field order, no
// HTML escaping, no trailing newline.
func (e LedgerEntry) Bytes() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if e.Attachments == nil {
		e.Attachments = []string{}
	}
	if err := enc.Encode(e); err != nil {
		panic(err) // only strings and numbers: cannot fail
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// ParseLedgerEntry reads an entry and insists that it is canonical: an
// entry that would serialise differently is not one gongkai wrote.
func ParseLedgerEntry(b []byte) (LedgerEntry, error) {
	var e LedgerEntry
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, fmt.Errorf("ledger entry: %w", err)
	}
	if e.Format != LedgerFormat {
		return e, fmt.Errorf("ledger entry: unknown format %q", e.Format)
	}
	if !bytes.Equal(e.Bytes(), b) {
		return e, errors.New("ledger entry: not in canonical form")
	}
	return e, nil
}

// LedgerCheck is what comparing an item with its logged entry found.
type LedgerCheck struct {
	OK bool
	// Mismatches name what differs ("正文", "标题", "附件 2", ...): a change
	// made behind gongkai's back.
	Mismatches []string
	// Removed is when personal data was lawfully removed (a redaction or
	// the roster's takedown): a hash that no longer matches for that reason
	// is reported as removal, never as a mismatch.
	Removed time.Time
}

// LedgerContent is an item's content as a reader sees it now, with what
// was lawfully removed from it.
type LedgerContent struct {
	Title, Body string
	Attachments []string // SHA-256 hex, "" for a file whose bytes are gone
	// TextRemoved is when the title and body were replaced or hidden
	// (redaction, takedown); FilesRemoved likewise for all files.
	TextRemoved, FilesRemoved time.Time
	// FileRemoved holds, per attachment, when its file was deleted.
	FileRemoved []time.Time
}

// CheckLedgerContent compares what is shown with what was logged.
func CheckLedgerContent(e LedgerEntry, c LedgerContent) LedgerCheck {
	var r LedgerCheck
	removed := func(at time.Time) bool {
		if at.IsZero() {
			return false
		}
		if r.Removed.IsZero() || at.Before(r.Removed) {
			r.Removed = at
		}
		return true
	}
	if HashText(c.Title) != e.TitleSHA256 && !removed(c.TextRemoved) {
		r.Mismatches = append(r.Mismatches, "标题")
	}
	if HashText(c.Body) != e.BodySHA256 && !removed(c.TextRemoved) {
		r.Mismatches = append(r.Mismatches, "正文")
	}
	if len(c.Attachments) != len(e.Attachments) && !removed(c.FilesRemoved) {
		r.Mismatches = append(r.Mismatches, "附件数量")
	} else {
		for i := range min(len(c.Attachments), len(e.Attachments)) {
			var at time.Time
			if i < len(c.FileRemoved) {
				at = c.FileRemoved[i]
			}
			if c.Attachments[i] != e.Attachments[i] && !removed(at) && !removed(c.FilesRemoved) {
				r.Mismatches = append(r.Mismatches, fmt.Sprintf("附件 %d", i+1))
			}
		}
	}
	r.OK = len(r.Mismatches) == 0
	return r
}
