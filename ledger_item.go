package gongkai

import "time"

// LedgerContentOf is the content of an item's current version as stored,
// with the dates its personal data was lawfully removed: a redacted body
// (and the title masked with it) and each deleted file. A roster taken
// down is hidden from the public but stored whole: it is no removal here.
func LedgerContentOf(d *Disclosure) LedgerContent {
	c := LedgerContent{Title: d.Title, Body: d.Body}
	for _, v := range d.Versions {
		if v.Version == d.Version && !v.RedactedAt.IsZero() && (c.TextRemoved.IsZero() || v.RedactedAt.Before(c.TextRemoved)) {
			c.TextRemoved = v.RedactedAt
		}
	}
	for _, a := range d.Attachments {
		// A deleted file keeps its hash in the database, but its bytes are
		// gone: no one can check it any more.
		h := a.SHA256
		if !a.RedactedAt.IsZero() {
			h = ""
		}
		c.Attachments = append(c.Attachments, h)
		c.FileRemoved = append(c.FileRemoved, a.RedactedAt)
	}
	return c
}

// CheckLedgerItem compares an item's current version as stored with its
// latest entry. A roster taken down (takedown, zero when it is not) is
// still stored whole, so it is checked whole, and its takedown is reported
// as the removal it is to the public, who no longer see it.
func CheckLedgerItem(e LedgerEntry, d *Disclosure, takedown time.Time) LedgerCheck {
	r := CheckLedgerContent(e, LedgerContentOf(d))
	if r.OK && !takedown.IsZero() && (r.Removed.IsZero() || takedown.Before(r.Removed)) {
		r.Removed = takedown
	}
	return r
}
