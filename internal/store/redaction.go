package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gongkai"
)

// FileRemover deletes stored files for good; internal/files implements it.
type FileRemover interface {
	Delete(ctx context.Context, key string) error
}

// RedactRequest is what the principal asks to purge from a published item.
type RedactRequest struct {
	Target       gongkai.RedactionTarget
	Version      int   // the version whose body is purged (RedactBody)
	AttachmentID int64 // the file purged (RedactAttachment)
	Reason       string
}

// Redaction is one redaction done.
type Redaction struct {
	ID           int64
	DisclosureID int64
	Target       gongkai.RedactionTarget
	Version      int
	AttachmentID int64
	Filename     string
	Versions     []int // the versions whose copy of the file was purged
	// FileDeleted: the file's bytes were deleted from the file store. It
	// stays false when another item (of any school) or a feedback case
	// holds the same bytes, or when the deletion failed.
	FileDeleted bool
	// FileShared: the bytes stay because something else uses them.
	FileShared bool
	At         time.Time
}

// Redact purges personal data that an item published by mistake: the body
// of one published version, or one file (in every version of the item that
// carries it). The text is replaced by gongkai.RedactedBody in the version
// and, for the current version, in the item and its search words; the file
// rows stay, marked, and the file's bytes are deleted from files when
// nothing else uses them. The trail records the step with the reason, the
// public pages of the school are dropped on every node, and the supervision
// group and the bureau are told (event "disclosure.redacted"). Then the
// database is made to forget the old text where it can: on SQLite freed
// pages are zeroed (secure_delete, set on every connection), the search
// index is merged and the write-ahead log truncated; on PostgreSQL the two
// tables are vacuumed. Errors: as gongkai.AuthorizeRedaction and
// gongkai.CheckRedactionReason; ENOTFOUND for a version or file the item
// does not have.
func (db *DB) Redact(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, req RedactRequest, files FileRemover) (*Redaction, error) {
	req.Reason = strings.TrimSpace(strings.ReplaceAll(req.Reason, "\r\n", "\n"))
	red := &Redaction{DisclosureID: id, Target: req.Target, Version: req.Version, AttachmentID: req.AttachmentID}
	var orphan string // a storage key nothing uses any more
	err := db.withTx(ctx, func(tx *Tx) error {
		it, err := tx.lockItem(ctx, schoolID, id, actor)
		if err != nil {
			return err
		}
		d := it.Disclosure
		f, key, err := tx.redactionFacts(ctx, d, req, red)
		if err != nil {
			return err
		}
		if err := gongkai.AuthorizeRedaction(actor, schoolID, f); err != nil {
			return err
		}
		if err := gongkai.CheckRedactionReason(req.Reason); err != nil {
			return err
		}
		red.At = tx.Now
		switch req.Target {
		case gongkai.RedactBody:
			if err := tx.redactBody(ctx, d, req.Version); err != nil {
				return err
			}
		case gongkai.RedactAttachment:
			if orphan, err = tx.redactFile(ctx, d, key, red); err != nil {
				return err
			}
		}
		return tx.recordRedaction(ctx, d, actor, req, red, orphan)
	})
	if err != nil {
		return nil, err
	}
	if orphan != "" && files != nil {
		red.FileDeleted = db.deleteOrphan(ctx, red.ID, orphan, files)
	}
	red.FileShared = red.Target == gongkai.RedactAttachment && orphan == ""
	db.forget(ctx)
	return red, nil
}

// redactionFacts looks up what the domain needs to decide on a redaction,
// and the storage key of an attachment to redact.
func (tx *Tx) redactionFacts(ctx context.Context, d *gongkai.Disclosure, req RedactRequest, red *Redaction) (gongkai.RedactionFacts, string, error) {
	f := gongkai.RedactionFacts{State: d.State, Target: req.Target, RevisionPending: d.RevisionState != ""}
	if err := tx.QueryRowContext(ctx, `SELECT bureau_id FROM schools WHERE id = $1`, d.SchoolID).Scan(&f.SchoolBureauID); err != nil {
		return f, "", fmt.Errorf("store: bureau of school %d: %w", d.SchoolID, err)
	}
	var key string
	switch req.Target {
	case gongkai.RedactBody:
		var published, redacted int64
		err := tx.QueryRowContext(ctx, `SELECT published_at, redacted_at FROM disclosure_versions WHERE school_id = $1 AND disclosure_id = $2 AND version = $3`,
			d.SchoolID, d.ID, req.Version).Scan(&published, &redacted)
		if errors.Is(err, sql.ErrNoRows) {
			return f, "", notFound("版本")
		}
		if err != nil {
			return f, "", fmt.Errorf("store: version %d of disclosure %d: %w", req.Version, d.ID, err)
		}
		f.Published, f.Redacted = published != 0, redacted != 0
	case gongkai.RedactAttachment:
		var published, redacted int64
		err := tx.QueryRowContext(ctx, `SELECT a.version, a.filename, a.storage_key, a.redacted_at, COALESCE(v.published_at, 0)
		FROM attachments a LEFT JOIN disclosure_versions v ON v.school_id = a.school_id AND v.disclosure_id = a.disclosure_id AND v.version = a.version
		WHERE a.school_id = $1 AND a.disclosure_id = $2 AND a.id = $3`, d.SchoolID, d.ID, req.AttachmentID).
			Scan(&red.Version, &red.Filename, &key, &redacted, &published)
		if errors.Is(err, sql.ErrNoRows) {
			return f, "", notFound("附件")
		}
		if err != nil {
			return f, "", fmt.Errorf("store: attachment %d of disclosure %d: %w", req.AttachmentID, d.ID, err)
		}
		f.Published, f.Redacted = published != 0, redacted != 0
	}
	return f, key, nil
}

// recordRedaction writes the redaction on the item's trail and in the
// redactions table, and tells the supervision group and the bureau.
func (tx *Tx) recordRedaction(ctx context.Context, d *gongkai.Disclosure, actor *gongkai.Actor, req RedactRequest, red *Redaction, orphan string) error {
	var eventID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO disclosure_events (school_id, disclosure_id, action, from_state, to_state, actor_id, actor_name, actor_role, comment, version, created_at)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		d.SchoolID, d.ID, string(gongkai.ActionRedact), string(d.State), actor.ID, actor.DisplayName, string(gongkai.RolePrincipal), req.Reason, red.Version, ms(tx.Now)).Scan(&eventID); err != nil {
		return fmt.Errorf("store: record redaction of disclosure %d: %w", d.ID, err)
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO redactions (school_id, disclosure_id, event_id, target, version, attachment_id, filename, versions, pending_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		d.SchoolID, d.ID, eventID, string(req.Target), red.Version, req.AttachmentID, red.Filename, joinInts(red.Versions), orphan, ms(tx.Now)).Scan(&red.ID); err != nil {
		return fmt.Errorf("store: record redaction of disclosure %d: %w", d.ID, err)
	}
	if err := tx.touch(ctx, d.SchoolID); err != nil {
		return err
	}
	title, err := tx.publicTitle(ctx, d) // roster.go
	if err != nil {
		return err
	}
	return tx.emit(ctx, Event{SchoolID: d.SchoolID, Type: gongkai.EventDisclosureRedacted, Subject: d.ID, Data: map[string]any{
		"title": title, "index_no": d.IndexNo, "audience": string(d.Audience), "category": d.Category,
		"target": string(req.Target), "version": red.Version, "filename": red.Filename, "reason": req.Reason,
		"actor": actor.DisplayName, "redaction": red.ID,
	}})
}

// redactBody replaces the body of a version, and of the item and its search
// words when the version is the current one.
func (tx *Tx) redactBody(ctx context.Context, d *gongkai.Disclosure, version int) error {
	notice := gongkai.RedactedBody(tx.Now)
	// The names of the version's roster go from its title too: once the
	// table is gone nothing could mask them there any more.
	var title, old string
	if err := tx.QueryRowContext(ctx, `SELECT title, body FROM disclosure_versions WHERE school_id = $1 AND disclosure_id = $2 AND version = $3`,
		d.SchoolID, d.ID, version).Scan(&title, &old); err != nil {
		return fmt.Errorf("store: read version %d of disclosure %d: %w", version, d.ID, err)
	}
	title = gongkai.MaskNames(title, gongkai.RosterNames(old))
	if _, err := tx.ExecContext(ctx, `UPDATE disclosure_versions SET title = $1, body = $2, redacted_at = $3 WHERE school_id = $4 AND disclosure_id = $5 AND version = $6`,
		title, notice, ms(tx.Now), d.SchoolID, d.ID, version); err != nil {
		return fmt.Errorf("store: redact version %d of disclosure %d: %w", version, d.ID, err)
	}
	if version != d.Version {
		return nil // the item's row and the search index hold the current version only
	}
	if _, err := tx.ExecContext(ctx, `UPDATE disclosures SET title = $1, body = $2, updated_at = $3 WHERE school_id = $4 AND id = $5`, title, notice, ms(tx.Now), d.SchoolID, d.ID); err != nil {
		return fmt.Errorf("store: redact disclosure %d: %w", d.ID, err)
	}
	d.Title, d.Body = title, notice
	if err := tx.index(ctx, d); err != nil {
		return err
	}
	// A roster taken down keeps only its masked title in the index.
	if err := tx.takeDown(ctx, d); err != nil {
		return err
	}
	return tx.db.dialect.purgeIndex(ctx, tx)
}

// redactFile marks every copy of the file in the item's versions and
// forgets its storage key there; it returns the key when nothing else (an
// item of any school, a feedback case) uses it any more.
func (tx *Tx) redactFile(ctx context.Context, d *gongkai.Disclosure, key string, red *Redaction) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM attachments WHERE school_id = $1 AND disclosure_id = $2 AND storage_key = $3 AND redacted_at = 0 ORDER BY version`,
		d.SchoolID, d.ID, key)
	if err != nil {
		return "", fmt.Errorf("store: copies of attachment %d: %w", red.AttachmentID, err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return "", err
		}
		red.Versions = append(red.Versions, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE attachments SET redacted_at = $1, storage_key = '' WHERE school_id = $2 AND disclosure_id = $3 AND storage_key = $4`,
		ms(tx.Now), d.SchoolID, d.ID, key); err != nil {
		return "", fmt.Errorf("store: redact attachment %d: %w", red.AttachmentID, err)
	}
	used, err := tx.keyInUse(ctx, key)
	if err != nil || used {
		return "", err
	}
	return key, nil
}

// keyInUse reports whether any attachment, feedback file or posting photo still uses the
// storage key: keys are content hashes, shared by every school.
func (tx *Tx) keyInUse(ctx context.Context, key string) (bool, error) {
	if key == "" {
		return true, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM attachments WHERE storage_key = $1) + (SELECT COUNT(*) FROM feedback_attachments WHERE storage_key = $1)
		+ (SELECT COUNT(*) FROM order_attachments WHERE storage_key = $1) + (SELECT COUNT(*) FROM postings WHERE photo_key = $1)`,
		key).Scan(&n); err != nil {
		return false, fmt.Errorf("store: uses of a stored file: %w", err)
	}
	return n > 0, nil
}

// deleteOrphan deletes a file nothing used at the redaction's commit,
// unless an upload of the same bytes took it up meanwhile, and records
// it; a failed deletion keeps the key pending for RetryRedactedFiles.
func (db *DB) deleteOrphan(ctx context.Context, redaction int64, key string, files FileRemover) bool {
	deleted := false
	err := db.withTx(ctx, func(tx *Tx) error {
		used, err := tx.keyInUse(ctx, key)
		if err != nil {
			return err
		}
		if !used {
			// Inside the transaction, so that on SQLite no upload of the
			// same bytes is recorded between the check and the deletion.
			if err := files.Delete(ctx, key); err != nil {
				return err
			}
			deleted = true
		}
		_, err = tx.ExecContext(ctx, `UPDATE redactions SET file_deleted = $1, pending_key = '' WHERE id = $2`, deleted, redaction)
		return err
	})
	if err != nil {
		db.log.Error("redaction: delete the file", "redaction", redaction, "err", err)
	}
	return deleted && err == nil
}

// RetryRedactedFiles deletes the files of redactions whose deletion failed
// (the file store was unreachable), and returns how many it deleted; the
// server calls it every minute.
func (db *DB) RetryRedactedFiles(ctx context.Context, files FileRemover) (int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, pending_key FROM redactions WHERE pending_key <> '' ORDER BY id LIMIT 100`)
	if err != nil {
		return 0, fmt.Errorf("store: pending file deletions: %w", err)
	}
	type pending struct {
		id  int64
		key string
	}
	var ps []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.key); err != nil {
			rows.Close()
			return 0, err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, p := range ps {
		if db.deleteOrphan(ctx, p.id, p.key, files) {
			n++
		}
	}
	return n, nil
}

// forget makes the database drop what it still keeps of changed rows:
// SQLite copies the write-ahead log into the database file (whose freed
// space secure_delete zeroes) and truncates the log; PostgreSQL vacuums
// the tables that held the text, removing dead row versions that no
// running transaction can see any more. Failures are logged: the redaction
// itself is done.
func (db *DB) forget(ctx context.Context) {
	if err := db.dialect.reclaim(ctx, db.write); err != nil {
		db.log.Warn("redaction: reclaim the space of the old text", "err", err)
	}
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}
