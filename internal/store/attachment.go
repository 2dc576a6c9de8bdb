package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gongkai"
)

// MaxAttachments is how many files one version may carry.
const MaxAttachments = gongkai.MaxAttachments

func scanAttachment(sc interface{ Scan(...any) error }) (*gongkai.Attachment, error) {
	var a gongkai.Attachment
	var created, redacted int64
	if err := sc.Scan(&a.ID, &a.SchoolID, &a.DisclosureID, &a.Version, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.StorageKey, &created, &redacted); err != nil {
		return nil, err
	}
	a.CreatedAt, a.RedactedAt = fromMS(created), fromMS(redacted)
	return &a, nil
}

// AddAttachment records a stored file on a draft. A file already on the
// draft's version (the same SHA-256) is not recorded twice: a gets the id of
// the one there.
func (db *DB) AddAttachment(ctx context.Context, schoolID, disclosureID int64, actor *gongkai.Actor, a *gongkai.Attachment) error {
	return db.withTx(ctx, func(tx *Tx) error {
		d, err := tx.lockVisible(ctx, schoolID, disclosureID, actor)
		if err != nil {
			return err
		}
		if err := gongkai.Authorize(actor, schoolID, d.State, gongkai.ActionEdit); err != nil {
			return err
		}
		// The same file chosen again (a form posted twice, a file picked
		// once more after a preview) is not added a second time.
		var n int
		var same sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MAX(CASE WHEN sha256 = $4 THEN id END) FROM attachments
			WHERE school_id = $1 AND disclosure_id = $2 AND version = $3`,
			schoolID, disclosureID, d.Version, a.SHA256).Scan(&n, &same); err != nil {
			return fmt.Errorf("store: attachments of disclosure %d: %w", disclosureID, err)
		}
		if same.Valid {
			a.ID, a.SchoolID, a.DisclosureID, a.Version = same.Int64, schoolID, disclosureID, d.Version
			return nil
		}
		if n >= MaxAttachments {
			return &gongkai.Error{Code: gongkai.EINVALID, Message: fmt.Sprintf("每项最多 %d 个附件。", MaxAttachments), Fields: map[string]string{"file": fmt.Sprintf("每项最多 %d 个附件。", MaxAttachments)}}
		}
		a.Version = d.Version
		return tx.insertAttachment(ctx, schoolID, disclosureID, a)
	})
}

func (tx *Tx) insertAttachment(ctx context.Context, schoolID, disclosureID int64, a *gongkai.Attachment) error {
	a.SchoolID, a.DisclosureID, a.CreatedAt = schoolID, disclosureID, tx.Now
	err := tx.QueryRowContext(ctx, `INSERT INTO attachments (school_id, disclosure_id, version, filename, content_type, size, sha256, storage_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		schoolID, disclosureID, a.Version, a.Filename, a.ContentType, a.Size, a.SHA256, a.StorageKey, ms(tx.Now)).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("store: add attachment to disclosure %d: %w", disclosureID, err)
	}
	return nil
}

// RemoveAttachment deletes a file from a draft. The stored bytes stay, since
// another version may share them.
func (db *DB) RemoveAttachment(ctx context.Context, schoolID, disclosureID, attachmentID int64, actor *gongkai.Actor) error {
	return db.withTx(ctx, func(tx *Tx) error {
		d, err := tx.lockVisible(ctx, schoolID, disclosureID, actor)
		if err != nil {
			return err
		}
		if err := gongkai.Authorize(actor, schoolID, d.State, gongkai.ActionEdit); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM attachments WHERE school_id = $1 AND disclosure_id = $2 AND version = $3 AND id = $4`,
			schoolID, disclosureID, d.Version, attachmentID)
		if err != nil {
			return fmt.Errorf("store: remove attachment %d: %w", attachmentID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("附件")
		}
		return nil
	})
}

// FindAttachment returns a file of a school by id; the caller checks that
// the reader may see its disclosure.
func (db *DB) FindAttachment(ctx context.Context, schoolID, id int64) (*gongkai.Attachment, error) {
	a, err := scanAttachment(db.read.QueryRowContext(ctx, `SELECT id, school_id, disclosure_id, version, filename, content_type, size, sha256, storage_key, created_at, redacted_at
		FROM attachments WHERE school_id = $1 AND id = $2`, schoolID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("附件")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find attachment %d: %w", id, err)
	}
	return a, nil
}
