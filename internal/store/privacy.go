package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai"
)

// Personal data caught before it is published (gongkai.ScanBody and the
// scans of attachments): a submission is refused while findings remain,
// masking fixes the body in one step, and the principal alone may let one
// finding stand with a reason, which the supervision group sees.

// PrivacyReport is what the personal-data scan finds in the current
// version of an item.
type PrivacyReport struct {
	// Findings are those that still stop a submission.
	Findings []gongkai.Finding
	// Overrides are the findings the principal let stand; Current tells
	// those still found in this version.
	Overrides []PrivacyOverride
	// Unscanned are the attachments of the version whose text was not read
	// yet (the web layer reads them and calls SaveAttachmentScan).
	Unscanned []gongkai.Attachment
}

// InBody reports whether some finding is in the body, which masking fixes.
func (r *PrivacyReport) InBody() bool {
	for _, f := range r.Findings {
		if f.InBody() {
			return true
		}
	}
	return false
}

// PrivacyOverride is a finding the principal let stand.
type PrivacyOverride struct {
	gongkai.Finding
	Reason        string
	PrincipalName string
	Version       int
	At            time.Time
	Current       bool // still found in the current version
}

// SaveAttachmentScan keeps the findings of a file's scan (places relative
// to the file, values masked), by the file's content.
func (db *DB) SaveAttachmentScan(ctx context.Context, schoolID int64, sha256 string, fs []gongkai.Finding) error {
	if fs == nil {
		fs = []gongkai.Finding{}
	}
	data, err := json.Marshal(fs)
	if err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO privacy_scans (school_id, sha256, findings, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (school_id, sha256) DO UPDATE SET findings = excluded.findings, created_at = excluded.created_at`,
			schoolID, sha256, string(data), ms(tx.Now))
		if err != nil {
			return fmt.Errorf("store: save scan of %s: %w", sha256, err)
		}
		return nil
	})
}

// AllowedPhones are the school's own published mobile numbers (监督电话,
// 招生咨询, 资助热线, and the bureau's phone), which may appear anywhere.
func (db *DB) AllowedPhones(ctx context.Context, schoolID int64) (map[string]bool, error) {
	return allowedPhones(ctx, db.read, schoolID)
}

func allowedPhones(ctx context.Context, q querier, schoolID int64) (map[string]bool, error) {
	var phone, admission, aid, bureau string
	err := q.QueryRowContext(ctx, `SELECT s.phone, s.admission_phone, s.aid_phone, b.phone FROM schools s JOIN bureaus b ON b.id = s.bureau_id WHERE s.id = $1`,
		schoolID).Scan(&phone, &admission, &aid, &bureau)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("学校")
	}
	if err != nil {
		return nil, fmt.Errorf("store: phones of school %d: %w", schoolID, err)
	}
	return gongkai.AllowedPhones(phone, admission, aid, bureau), nil
}

// CheckPrivacy scans the current version of an item: its body now, its
// attachments by their stored scans, less what the principal let stand.
// It is the one call for every path that must check an item before it
// goes out (save, submit, revision).
func (db *DB) CheckPrivacy(ctx context.Context, schoolID, id int64) (*PrivacyReport, error) {
	var body string
	var version int
	err := db.read.QueryRowContext(ctx, `SELECT body, version FROM disclosures WHERE school_id = $1 AND id = $2`, schoolID, id).Scan(&body, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("公开事项")
	}
	if err != nil {
		return nil, fmt.Errorf("store: check disclosure %d: %w", id, err)
	}
	return privacyReport(ctx, db.read, schoolID, id, version, body)
}

func privacyReport(ctx context.Context, q querier, schoolID, id int64, version int, body string) (*PrivacyReport, error) {
	allowed, err := allowedPhones(ctx, q, schoolID)
	if err != nil {
		return nil, err
	}
	found := gongkai.ScanBody(body, allowed)
	rep := &PrivacyReport{}
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.school_id, a.disclosure_id, a.version, a.filename, a.content_type, a.size, a.sha256, a.storage_key, a.created_at, a.redacted_at,
		COALESCE(p.findings, '')
		FROM attachments a LEFT JOIN privacy_scans p ON p.school_id = a.school_id AND p.sha256 = a.sha256
		WHERE a.school_id = $1 AND a.disclosure_id = $2 AND a.version = $3 ORDER BY a.id`, schoolID, id, version)
	if err != nil {
		return nil, fmt.Errorf("store: scans of disclosure %d: %w", id, err)
	}
	for rows.Next() {
		var js string
		a, err := scanAttachment(extraScanner{rows, []any{&js}})
		if err != nil {
			rows.Close()
			return nil, err
		}
		if js == "" {
			rep.Unscanned = append(rep.Unscanned, *a)
			continue
		}
		var fs []gongkai.Finding
		if err := json.Unmarshal([]byte(js), &fs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: scan of %s: %w", a.SHA256, err)
		}
		found = append(found, gongkai.InAttachment(a.Filename, fs)...)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	orows, err := q.QueryContext(ctx, `SELECT finding_key, kind, place, masked, reason, principal_name, version, created_at
		FROM privacy_overrides WHERE school_id = $1 AND disclosure_id = $2 ORDER BY id`, schoolID, id)
	if err != nil {
		return nil, fmt.Errorf("store: overrides of disclosure %d: %w", id, err)
	}
	defer orows.Close()
	overridden := map[string]int{}
	for orows.Next() {
		var o PrivacyOverride
		var key, kind string
		var at int64
		if err := orows.Scan(&key, &kind, &o.Place, &o.Masked, &o.Reason, &o.PrincipalName, &o.Version, &at); err != nil {
			return nil, err
		}
		o.Kind, o.At = gongkai.PIIKind(kind), fromMS(at)
		overridden[key] = len(rep.Overrides)
		rep.Overrides = append(rep.Overrides, o)
	}
	if err := orows.Err(); err != nil {
		return nil, err
	}
	for _, f := range found {
		if i, ok := overridden[f.Key()]; ok {
			rep.Overrides[i].Current = true
			continue
		}
		rep.Findings = append(rep.Findings, f)
	}
	return rep, nil
}

// extraScanner scans an attachment's columns and then more.
type extraScanner struct {
	rows  *sql.Rows
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.rows.Scan(append(dest, e.extra...)...) }

// checkPrivacy refuses a submission while personal data remains, naming
// each place. An attachment not scanned yet counts as not checked.
func (tx *Tx) checkPrivacy(ctx context.Context, d *gongkai.Disclosure) error {
	fs, err := blockingFindings(ctx, tx, d)
	if err != nil {
		return err
	}
	return gongkai.PrivacyRefusal(fs)
}

// blockingFindings are the personal data found in the item's text and
// files, a file not read yet counting as one.
func blockingFindings(ctx context.Context, q querier, d *gongkai.Disclosure) ([]gongkai.Finding, error) {
	rep, err := privacyReport(ctx, q, d.SchoolID, d.ID, d.Version, d.Body)
	if err != nil {
		return nil, err
	}
	fs := rep.Findings
	for _, a := range rep.Unscanned {
		fs = append(fs, gongkai.InAttachment(a.Filename, []gongkai.Finding{gongkai.Unchecked("", "尚未检查")})...)
	}
	return fs, nil
}

// MaskDraft replaces every finding in the body of a draft by its mask and
// returns how many were masked. Attachments cannot be masked in place.
func (db *DB) MaskDraft(ctx context.Context, schoolID, id int64, actor *gongkai.Actor) (int, error) {
	n := 0
	err := db.withTx(ctx, func(tx *Tx) error {
		d, err := tx.lockVisible(ctx, schoolID, id, actor)
		if err != nil {
			return err
		}
		if err := gongkai.Authorize(actor, schoolID, d.State, gongkai.ActionEdit); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT body FROM disclosures WHERE school_id = $1 AND id = $2`, schoolID, id).Scan(&d.Body); err != nil {
			return err
		}
		allowed, err := allowedPhones(ctx, tx, schoolID)
		if err != nil {
			return err
		}
		fs := gongkai.ScanBody(d.Body, allowed)
		if len(fs) == 0 {
			return nil
		}
		n = len(fs)
		d.Body = gongkai.MaskBody(d.Body, fs)
		if _, err := tx.ExecContext(ctx, `UPDATE disclosures SET body = $1, updated_at = $2 WHERE school_id = $3 AND id = $4`, d.Body, ms(tx.Now), schoolID, id); err != nil {
			return fmt.Errorf("store: mask draft %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE disclosure_versions SET body = $1 WHERE school_id = $2 AND disclosure_id = $3 AND version = $4`,
			d.Body, schoolID, id, d.Version); err != nil {
			return fmt.Errorf("store: mask draft version: %w", err)
		}
		if err := tx.index(ctx, d); err != nil {
			return err
		}
		return tx.record(ctx, d, actor, gongkai.ActionEdit, d.State, d.State, fmt.Sprintf("遮盖个人信息 %d 处", n))
	})
	return n, err
}

// OverridePrivacy lets one finding (by its key) stand, with the reason: the
// principal alone, while the item is still a draft or under review. The
// override goes to the trail in the same transaction.
func (db *DB) OverridePrivacy(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, key, reason string) error {
	reason = strings.TrimSpace(reason)
	return db.withTx(ctx, func(tx *Tx) error {
		d, err := tx.lockVisible(ctx, schoolID, id, actor)
		if err != nil {
			return err
		}
		if !gongkai.CanOverridePrivacy(actor, schoolID) {
			return gongkai.Errorf(gongkai.EFORBIDDEN, "只有校长可以确认个人信息提示。")
		}
		if d.State != gongkai.StateDraft && d.State != gongkai.StateSubmitted {
			return gongkai.Errorf(gongkai.ECONFLICT, "当前状态（%s）不能确认个人信息提示。", d.State.Label())
		}
		if err := gongkai.ValidateOverrideReason(reason); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT body FROM disclosures WHERE school_id = $1 AND id = $2`, schoolID, id).Scan(&d.Body); err != nil {
			return err
		}
		rep, err := privacyReport(ctx, tx, schoolID, id, d.Version, d.Body)
		if err != nil {
			return err
		}
		var f *gongkai.Finding
		for i := range rep.Findings {
			if rep.Findings[i].Key() == key {
				f = &rep.Findings[i]
			}
		}
		if f == nil {
			return gongkai.Errorf(gongkai.ECONFLICT, "这条个人信息提示已不存在（内容可能已修改），请刷新页面。")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO privacy_overrides (school_id, disclosure_id, finding_key, kind, place, masked, reason, principal_id, principal_name, version, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			schoolID, id, key, string(f.Kind), f.Place, f.Masked, reason, actor.ID, actor.DisplayName, d.Version, ms(tx.Now)); err != nil {
			return fmt.Errorf("store: override finding of disclosure %d: %w", id, err)
		}
		return tx.record(ctx, d, actor, gongkai.ActionOverridePrivacy, d.State, d.State, f.Message()+"。理由："+reason)
	})
}
