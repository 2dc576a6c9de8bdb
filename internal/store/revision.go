package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gongkai"
)

// A revision of a published item (revision.go in the domain) is stored as
// the item's next version, a disclosure_versions row without published_at,
// and the item row's revision_state says where it stands. The item row
// keeps the current version's text, index entry and period until the
// revision is published.

// StartRevision makes a draft revision of a published item from rev, with
// the reason readers will see once it is published. The item stays on the
// board as it is, marked as being revised.
func (db *DB) StartRevision(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, reason string, rev *Revision) (*gongkai.Disclosure, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, "修订理由"); err != nil {
		return nil, err
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		it, err := tx.lockItem(ctx, schoolID, id, actor)
		if err != nil {
			return err
		}
		d := it.Disclosure
		if err := gongkai.AuthorizeStep(actor, schoolID, d.State, d.RevisionState, gongkai.ActionRevise); err != nil {
			return err
		}
		next, err := tx.revisionDraft(ctx, d, reason, rev)
		if err != nil {
			return err
		}
		if err := tx.sameAsCurrent(ctx, d, next, len(rev.Add) > 0 || len(rev.Remove) > 0); err != nil {
			return err
		}
		v := d.Version + 1
		// A version row left by a revision abandoned before this store kept
		// abandoning clean cannot exist; the insert fails loudly if it did.
		if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_versions (school_id, disclosure_id, version, title, body, doc_number, reason, published_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9)`, schoolID, id, v, next.Title, next.Body, next.DocNumber, reason, actor.ID, ms(tx.Now)); err != nil {
			return fmt.Errorf("store: create revision %d of disclosure %d: %w", v, id, err)
		}
		// The new version keeps the files of the current one, less those
		// removed, plus those added.
		if _, err := tx.ExecContext(ctx, `INSERT INTO attachments (school_id, disclosure_id, version, filename, content_type, size, sha256, storage_key, created_at)
			SELECT school_id, disclosure_id, $1, filename, content_type, size, sha256, storage_key, created_at FROM attachments
			WHERE school_id = $2 AND disclosure_id = $3 AND version = $4 AND redacted_at = 0 ORDER BY id`, v, schoolID, id, d.Version); err != nil {
			return fmt.Errorf("store: carry attachments: %w", err)
		}
		for _, old := range rev.Remove {
			var key string
			if err := tx.QueryRowContext(ctx, `SELECT storage_key FROM attachments WHERE school_id = $1 AND disclosure_id = $2 AND version = $3 AND id = $4`,
				schoolID, id, d.Version, old).Scan(&key); err != nil {
				return &gongkai.Error{Code: gongkai.EINVALID, Message: "要删除的附件不存在。", Fields: map[string]string{"attachments": "要删除的附件不存在。"}}
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM attachments WHERE school_id = $1 AND disclosure_id = $2 AND version = $3 AND storage_key = $4`,
				schoolID, id, v, key); err != nil {
				return err
			}
		}
		if err := tx.addRevisionFiles(ctx, d, v, rev.Add); err != nil {
			return err
		}
		upd := &rowUpdate{}
		upd.set("revision_state", string(gongkai.StateDraft))
		upd.set("updated_at", ms(tx.Now))
		if err := upd.exec(ctx, tx, schoolID, id); err != nil {
			return fmt.Errorf("store: revise disclosure %d: %w", id, err)
		}
		// The board marks the item as being revised.
		if err := tx.touch(ctx, schoolID); err != nil {
			return err
		}
		return tx.recordRevision(ctx, d, actor, gongkai.ActionRevise, d.State, gongkai.StateDraft, reason, v)
	})
	if err != nil {
		return nil, err
	}
	return db.FindDisclosureByID(ctx, schoolID, id)
}

// revisionDraft is the revised text of an item as a draft would have it,
// checked as a draft is; a revision needs its reason.
func (tx *Tx) revisionDraft(ctx context.Context, d *gongkai.Disclosure, reason string, rev *Revision) (*gongkai.Disclosure, error) {
	if err := gongkai.CheckRevisionReason(reason); err != nil {
		return nil, err
	}
	next, err := tx.revisedText(ctx, d, rev)
	if err != nil {
		return nil, err
	}
	return next, next.ValidateDraft()
}

// UpdateRevision replaces the text, the reason and the files of a draft
// revision; rev.Remove names files of the revision itself.
func (db *DB) UpdateRevision(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, reason string, rev *Revision) (*gongkai.Disclosure, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, "修订理由"); err != nil {
		return nil, err
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		it, err := tx.lockItem(ctx, schoolID, id, actor)
		if err != nil {
			return err
		}
		d := it.Disclosure
		if err := gongkai.AuthorizeRevision(actor, schoolID, d.State, d.RevisionState, gongkai.ActionEdit); err != nil {
			return err
		}
		next, err := tx.revisionDraft(ctx, d, reason, rev)
		if err != nil {
			return err
		}
		v := d.Version + 1
		if _, err := tx.ExecContext(ctx, `UPDATE disclosure_versions SET title = $1, body = $2, doc_number = $3, reason = $4
			WHERE school_id = $5 AND disclosure_id = $6 AND version = $7 AND published_at = 0`,
			next.Title, next.Body, next.DocNumber, reason, schoolID, id, v); err != nil {
			return fmt.Errorf("store: update revision %d of disclosure %d: %w", v, id, err)
		}
		for _, a := range rev.Remove {
			res, err := tx.ExecContext(ctx, `DELETE FROM attachments WHERE school_id = $1 AND disclosure_id = $2 AND version = $3 AND id = $4`, schoolID, id, v, a)
			if err != nil {
				return fmt.Errorf("store: remove attachment %d: %w", a, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return &gongkai.Error{Code: gongkai.EINVALID, Message: "要删除的附件不存在。", Fields: map[string]string{"attachments": "要删除的附件不存在。"}}
			}
		}
		if err := tx.addRevisionFiles(ctx, d, v, rev.Add); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE disclosures SET updated_at = $1 WHERE school_id = $2 AND id = $3`, ms(tx.Now), schoolID, id); err != nil {
			return err
		}
		return tx.recordRevision(ctx, d, actor, gongkai.ActionEdit, d.RevisionState, d.RevisionState, "", v)
	})
	if err != nil {
		return nil, err
	}
	return db.FindDisclosureByID(ctx, schoolID, id)
}

// ActRevision takes one step of the item's pending revision: submit,
// comment, approve (签发), return, check, publish or abandon. Publishing
// makes the revision the item's current version and starts the publicity
// period again; no other step changes what the board shows, beyond the
// mark that a revision is pending.
func (db *DB) ActRevision(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, action gongkai.Action, comment string) (*gongkai.Disclosure, error) {
	comment = strings.TrimSpace(comment)
	if err := checkReason(comment, "意见"); err != nil {
		return nil, err
	}
	if action == gongkai.ActionEdit || !containsAction(gongkai.RevisionActions, action) {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。")
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		it, err := tx.lockItem(ctx, schoolID, id, actor)
		if err != nil {
			return err
		}
		d := it.Disclosure
		if err := gongkai.AuthorizeRevision(actor, schoolID, d.State, d.RevisionState, action); err != nil {
			return err
		}
		if gongkai.CommentRequired(action) && comment == "" {
			msg := "请填写理由。"
			if action == gongkai.ActionComment {
				msg = "请填写审议意见。"
			}
			return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"comment": msg}}
		}
		from := d.RevisionState
		to, _ := gongkai.RevisionNext(from, action)
		v := d.Version + 1
		switch action {
		case gongkai.ActionSubmit:
			if err := tx.submitRevision(ctx, d, v); err != nil {
				return err
			}
		case gongkai.ActionApprove:
			if err := tx.signVersion(ctx, d, v, actor.ID); err != nil {
				return err
			}
		case gongkai.ActionReturn:
			if err := tx.unsignVersion(ctx, d, v); err != nil {
				return err
			}
		case gongkai.ActionCheck:
			if err := tx.checkVersion(ctx, d, v, actor.ID); err != nil {
				return err
			}
		case gongkai.ActionPublish:
			return tx.publishRevision(ctx, it, actor, v)
		case gongkai.ActionAbandon:
			if err := tx.abandonRevision(ctx, it, actor, comment); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE disclosures SET revision_state = '', updated_at = $1 WHERE school_id = $2 AND id = $3`, ms(tx.Now), schoolID, id)
			return err
		}
		upd := &rowUpdate{}
		upd.set("revision_state", string(to))
		upd.set("updated_at", ms(tx.Now))
		if err := upd.exec(ctx, tx, schoolID, id); err != nil {
			return fmt.Errorf("store: %s revision of disclosure %d: %w", action, id, err)
		}
		return tx.recordRevision(ctx, d, actor, action, from, to, comment, v)
	})
	if err != nil {
		return nil, err
	}
	return db.FindDisclosureByID(ctx, schoolID, id)
}

// submitRevision checks the revision as submission checks an item: the
// whole form, and that it changes something. Every check a submission
// needs belongs here, so that a revision passes the same ones as a draft.
func (tx *Tx) submitRevision(ctx context.Context, d *gongkai.Disclosure, v int) error {
	next, err := tx.pendingText(ctx, d, v)
	if err != nil {
		return err
	}
	if err := next.ValidateForSubmit(); err != nil {
		return err
	}
	// Personal data is caught in a revision as in a first submission.
	next.Version = v
	if err := tx.checkPrivacy(ctx, next); err != nil { // privacy.go
		return err
	}
	next.Version = d.Version
	changedFiles, err := tx.filesChanged(ctx, d, v)
	if err != nil {
		return err
	}
	return tx.sameAsCurrent(ctx, d, next, changedFiles)
}

// publishRevision makes the revision the item's current version: its text,
// its files, its signature, a new publicity period from today and the
// search index; the index number stays.
func (tx *Tx) publishRevision(ctx context.Context, it *lockedItem, actor *gongkai.Actor, v int) error {
	d := it.Disclosure
	next, err := tx.pendingText(ctx, d, v)
	if err != nil {
		return err
	}
	var reason string
	var signedBy, signedAt int64
	if err := tx.QueryRowContext(ctx, `SELECT reason, COALESCE(signed_by, 0), signed_at FROM disclosure_versions WHERE school_id = $1 AND disclosure_id = $2 AND version = $3`,
		d.SchoolID, d.ID, v).Scan(&reason, &signedBy, &signedAt); err != nil {
		return fmt.Errorf("store: read revision %d of disclosure %d: %w", v, d.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE disclosure_versions SET published_at = $1 WHERE school_id = $2 AND disclosure_id = $3 AND version = $4`,
		ms(tx.Now), d.SchoolID, d.ID, v); err != nil {
		return err
	}
	from := d.RevisionState
	upd := &rowUpdate{}
	upd.set("title", next.Title)
	upd.set("body", next.Body)
	upd.set("doc_number", next.DocNumber)
	upd.set("version", v)
	upd.set("reason", reason)
	upd.set("signed_by", nullID(signedBy))
	upd.set("signed_at", signedAt)
	upd.set("revision_state", "")
	upd.set("state", string(gongkai.StatePublished))
	upd.set("updated_at", ms(tx.Now))
	d.Title, d.Body, d.DocNumber, d.Version = next.Title, next.Body, next.DocNumber, v
	// Readers get the full period to object to what changed.
	if err := tx.startPeriod(ctx, it, upd); err != nil {
		return err
	}
	if err := upd.exec(ctx, tx, d.SchoolID, d.ID); err != nil {
		return fmt.Errorf("store: publish revision %d of disclosure %d: %w", v, d.ID, err)
	}
	if err := tx.index(ctx, d); err != nil {
		return err
	}
	if err := tx.appendLedger(ctx, d.SchoolID, d.ID, gongkai.LedgerRevise); err != nil { // ledger.go
		return err
	}
	if err := tx.touch(ctx, d.SchoolID); err != nil {
		return err
	}
	if err := tx.emitDisclosure(ctx, d, gongkai.EventDisclosureRevised, reason); err != nil {
		return err
	}
	return tx.recordRevision(ctx, d, actor, gongkai.ActionPublish, from, gongkai.StatePublished, "", v)
}

// abandonRevision gives up the pending revision: its version and its files'
// records go (the stored bytes stay, as other versions may share them), the
// trail keeps the steps it went through and why it was given up. The caller
// clears the item row's revision_state with the rest of its step.
func (tx *Tx) abandonRevision(ctx context.Context, it *lockedItem, actor *gongkai.Actor, reason string) error {
	d := it.Disclosure
	v := d.Version + 1
	if _, err := tx.ExecContext(ctx, `DELETE FROM attachments WHERE school_id = $1 AND disclosure_id = $2 AND version = $3`, d.SchoolID, d.ID, v); err != nil {
		return fmt.Errorf("store: drop files of revision %d of disclosure %d: %w", v, d.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM disclosure_versions WHERE school_id = $1 AND disclosure_id = $2 AND version = $3 AND published_at = 0`,
		d.SchoolID, d.ID, v); err != nil {
		return fmt.Errorf("store: drop revision %d of disclosure %d: %w", v, d.ID, err)
	}
	from := d.RevisionState
	// The board no longer marks the item as being revised.
	if err := tx.touch(ctx, d.SchoolID); err != nil {
		return err
	}
	return tx.recordRevision(ctx, d, actor, gongkai.ActionAbandon, from, d.State, reason, v)
}

// signVersion records the principal's signature (签发) on a version.
func (tx *Tx) signVersion(ctx context.Context, d *gongkai.Disclosure, v int, by int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE disclosure_versions SET signed_by = $1, signed_at = $2 WHERE school_id = $3 AND disclosure_id = $4 AND version = $5`,
		by, ms(tx.Now), d.SchoolID, d.ID, v)
	if err != nil {
		return fmt.Errorf("store: sign version %d of disclosure %d: %w", v, d.ID, err)
	}
	return nil
}

// checkVersion records the supervision group's check (审核) of a version.
func (tx *Tx) checkVersion(ctx context.Context, d *gongkai.Disclosure, v int, by int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE disclosure_versions SET checked_by = $1, checked_at = $2 WHERE school_id = $3 AND disclosure_id = $4 AND version = $5`,
		by, ms(tx.Now), d.SchoolID, d.ID, v)
	if err != nil {
		return fmt.Errorf("store: check version %d of disclosure %d: %w", v, d.ID, err)
	}
	return nil
}

// unsignVersion clears the signature and the check of a version returned
// for changes: what comes back must be signed again.
func (tx *Tx) unsignVersion(ctx context.Context, d *gongkai.Disclosure, v int) error {
	_, err := tx.ExecContext(ctx, `UPDATE disclosure_versions SET signed_by = NULL, signed_at = 0, checked_by = NULL, checked_at = 0
		WHERE school_id = $1 AND disclosure_id = $2 AND version = $3`, d.SchoolID, d.ID, v)
	if err != nil {
		return fmt.Errorf("store: unsign version %d of disclosure %d: %w", v, d.ID, err)
	}
	return nil
}

// revisedText is the item with the text of rev; an empty title keeps the
// current one.
func (tx *Tx) revisedText(ctx context.Context, d *gongkai.Disclosure, rev *Revision) (*gongkai.Disclosure, error) {
	if rev == nil {
		return nil, &gongkai.Error{Code: gongkai.EINVALID, Message: "请填写修订后的内容。", Fields: map[string]string{"body": "请填写修订后的内容。"}}
	}
	next := *d
	next.Title = strings.TrimSpace(rev.Title)
	next.Body = strings.TrimSpace(strings.ReplaceAll(rev.Body, "\r\n", "\n"))
	next.DocNumber = strings.TrimSpace(rev.DocNumber)
	if next.Title == "" {
		next.Title = d.Title
	}
	return &next, nil
}

// pendingText is the item with the text of its pending version v.
func (tx *Tx) pendingText(ctx context.Context, d *gongkai.Disclosure, v int) (*gongkai.Disclosure, error) {
	next := *d
	if err := tx.QueryRowContext(ctx, `SELECT title, body, doc_number FROM disclosure_versions WHERE school_id = $1 AND disclosure_id = $2 AND version = $3 AND published_at = 0`,
		d.SchoolID, d.ID, v).Scan(&next.Title, &next.Body, &next.DocNumber); err != nil {
		return nil, fmt.Errorf("store: read revision %d of disclosure %d: %w", v, d.ID, err)
	}
	return &next, nil
}

// sameAsCurrent refuses a revision that changes nothing.
func (tx *Tx) sameAsCurrent(ctx context.Context, d, next *gongkai.Disclosure, filesChanged bool) error {
	var body string
	if err := tx.QueryRowContext(ctx, `SELECT body FROM disclosures WHERE school_id = $1 AND id = $2`, d.SchoolID, d.ID).Scan(&body); err != nil {
		return err
	}
	if next.Title == d.Title && next.Body == body && next.DocNumber == d.DocNumber && !filesChanged {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: "修订内容与当前版本相同。", Fields: map[string]string{"body": "修订内容与当前版本相同。"}}
	}
	return nil
}

// filesChanged reports whether version v carries other files than the
// current version, by content and name.
func (tx *Tx) filesChanged(ctx context.Context, d *gongkai.Disclosure, v int) (bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version, storage_key, filename FROM attachments
		WHERE school_id = $1 AND disclosure_id = $2 AND version IN ($3, $4)`, d.SchoolID, d.ID, d.Version, v)
	if err != nil {
		return false, fmt.Errorf("store: compare files of disclosure %d: %w", d.ID, err)
	}
	defer rows.Close()
	count := map[string]int{}
	for rows.Next() {
		var ver int
		var key, name string
		if err := rows.Scan(&ver, &key, &name); err != nil {
			return false, err
		}
		if ver == v {
			count[key+"\x00"+name]++
		} else {
			count[key+"\x00"+name]--
		}
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	for _, n := range count {
		if n != 0 {
			return true, nil
		}
	}
	return false, nil
}

// addRevisionFiles records stored files on version v, within the limit of
// files per version.
func (tx *Tx) addRevisionFiles(ctx context.Context, d *gongkai.Disclosure, v int, add []gongkai.Attachment) error {
	if len(add) == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM attachments WHERE school_id = $1 AND disclosure_id = $2 AND version = $3`,
		d.SchoolID, d.ID, v).Scan(&n); err != nil {
		return err
	}
	if n+len(add) > MaxAttachments {
		msg := fmt.Sprintf("每项最多 %d 个附件。", MaxAttachments)
		return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"file": msg}}
	}
	for _, a := range add {
		a.Version = v
		if err := tx.insertAttachment(ctx, d.SchoolID, d.ID, &a); err != nil {
			return err
		}
	}
	return nil
}

// recordRevision appends a step of the revision, version v, to the item's
// trail.
func (tx *Tx) recordRevision(ctx context.Context, d *gongkai.Disclosure, actor *gongkai.Actor, action gongkai.Action, from, to gongkai.State, comment string, v int) error {
	role := gongkai.Role("")
	for _, r := range gongkai.RevisionRolesFor(from, action) {
		if actor.HasRole(d.SchoolID, r) {
			role = r
			break
		}
	}
	if role == "" {
		role = actingRole(actor, d.SchoolID, d.State, action)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO disclosure_events (school_id, disclosure_id, action, from_state, to_state, actor_id, actor_name, actor_role, comment, version, created_at, revision)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, TRUE)`,
		d.SchoolID, d.ID, string(action), string(from), string(to), actor.ID, actor.DisplayName, string(role), comment, v, ms(tx.Now))
	if err != nil {
		return fmt.Errorf("store: record %s of revision of disclosure %d: %w", action, d.ID, err)
	}
	return nil
}

// checkReason refuses a comment or reason that cannot be stored.
func checkReason(s, what string) error {
	if gongkai.HasNUL(s) {
		msg := what + "含有无法保存的空字符。"
		return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"comment": msg}}
	}
	if utf8.RuneCountInString(s) > 2000 {
		msg := what + "不能超过 2000 字。"
		return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"comment": msg}}
	}
	return nil
}

func containsAction(as []gongkai.Action, a gongkai.Action) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}
