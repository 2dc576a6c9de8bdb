package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gongkai"
)

// Postings (张贴): the recorded facts that a published item was also posted
// on a physical board or announced at a meeting. They are appended and, when
// mistaken, voided with a reason; never edited or deleted. Recording or
// voiding one decides again whether the obligations the item fulfils and
// that name its channel are met (gongkai.ChannelMetAt).

// RecordPosting records a posting of the school's published item. The
// clerk or the principal may (gongkai.CanRecordPosting); the item must be
// published and not withdrawn (ECONFLICT), and the posting valid at the
// transaction's clock (EINVALID with field errors). The photo, if any, is
// already stored without its metadata; p gets its id and times.
func (db *DB) RecordPosting(ctx context.Context, schoolID, disclosureID int64, actor *gongkai.Actor, p *gongkai.Posting) error {
	return db.withTx(ctx, func(tx *Tx) error {
		it, err := tx.lockItem(ctx, schoolID, disclosureID, actor)
		if err != nil {
			return err
		}
		if !gongkai.CanRecordPosting(actor, schoolID) {
			return gongkai.Errorf(gongkai.EFORBIDDEN, "只有经办人或校长可以记录张贴。")
		}
		if err := gongkai.CanPostItem(it.Disclosure); err != nil {
			return err
		}
		if err := p.Check(tx.Now, it.PublishedAt); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO postings (school_id, disclosure_id, channel, posted_on, place, posted_by, photo_key, photo_type, photo_size, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			schoolID, disclosureID, string(p.Channel), formatDay(p.Date), p.Place, p.By, p.PhotoKey, p.PhotoType, p.PhotoSize, nullID(actor.ID), ms(tx.Now)).Scan(&p.ID); err != nil {
			return fmt.Errorf("store: record posting of disclosure %d: %w", disclosureID, err)
		}
		p.SchoolID, p.DisclosureID, p.CreatedBy, p.CreatedByName, p.CreatedAt = schoolID, disclosureID, actor.ID, actor.DisplayName, tx.Now
		if err := tx.meetByPostings(ctx, it.Disclosure); err != nil {
			return err
		}
		return tx.touch(ctx, schoolID)
	})
}

// VoidPosting marks a mistaken posting record as void (作废) with the
// reason; it stays in the trail and stops counting. ECONFLICT when it is
// void already.
func (db *DB) VoidPosting(ctx context.Context, schoolID, disclosureID, postingID int64, actor *gongkai.Actor, reason string) error {
	reason = strings.TrimSpace(reason)
	return db.withTx(ctx, func(tx *Tx) error {
		it, err := tx.lockItem(ctx, schoolID, disclosureID, actor)
		if err != nil {
			return err
		}
		if !gongkai.CanRecordPosting(actor, schoolID) {
			return gongkai.Errorf(gongkai.EFORBIDDEN, "只有经办人或校长可以作废张贴记录。")
		}
		var voided int64
		err = tx.QueryRowContext(ctx, `SELECT voided_at FROM postings WHERE school_id = $1 AND disclosure_id = $2 AND id = $3`, schoolID, disclosureID, postingID).Scan(&voided)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("张贴记录")
		}
		if err != nil {
			return fmt.Errorf("store: find posting %d: %w", postingID, err)
		}
		if voided != 0 {
			return gongkai.Errorf(gongkai.ECONFLICT, "该记录已作废。")
		}
		if err := gongkai.CheckVoid(reason); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE postings SET voided_at = $1, void_reason = $2, voided_by = $3 WHERE school_id = $4 AND id = $5 AND voided_at = 0`,
			ms(tx.Now), reason, nullID(actor.ID), schoolID, postingID); err != nil {
			return fmt.Errorf("store: void posting %d: %w", postingID, err)
		}
		if err := tx.meetByPostings(ctx, it.Disclosure); err != nil {
			return err
		}
		return tx.touch(ctx, schoolID)
	})
}

const postingSelect = `SELECT p.id, p.school_id, p.disclosure_id, p.channel, p.posted_on, p.place, p.posted_by, p.photo_key, p.photo_type, p.photo_size,
	COALESCE(p.created_by, 0), COALESCE(c.display_name, ''), p.created_at, p.voided_at, p.void_reason, COALESCE(p.voided_by, 0), COALESCE(v.display_name, '')
	FROM postings p LEFT JOIN users c ON c.id = p.created_by LEFT JOIN users v ON v.id = p.voided_by`

func scanPosting(sc interface{ Scan(...any) error }) (gongkai.Posting, error) {
	var p gongkai.Posting
	var channel, day string
	var created, voided int64
	err := sc.Scan(&p.ID, &p.SchoolID, &p.DisclosureID, &channel, &day, &p.Place, &p.By, &p.PhotoKey, &p.PhotoType, &p.PhotoSize,
		&p.CreatedBy, &p.CreatedByName, &created, &voided, &p.VoidReason, &p.VoidedBy, &p.VoidedByName)
	p.Channel, p.Date, p.CreatedAt, p.VoidedAt = gongkai.Channel(channel), parseDay(day), fromMS(created), fromMS(voided)
	return p, err
}

// FindPostings returns the postings of the school's item, voided ones
// included, by day and then as recorded. Whether the reader may see the
// item is the caller's to decide.
func (db *DB) FindPostings(ctx context.Context, schoolID, disclosureID int64) ([]gongkai.Posting, error) {
	return findPostings(ctx, db.read, schoolID, disclosureID)
}

func findPostings(ctx context.Context, q querier, schoolID, disclosureID int64) ([]gongkai.Posting, error) {
	rows, err := q.QueryContext(ctx, postingSelect+` WHERE p.school_id = $1 AND p.disclosure_id = $2 ORDER BY p.posted_on, p.id`, schoolID, disclosureID)
	if err != nil {
		return nil, fmt.Errorf("store: postings of disclosure %d: %w", disclosureID, err)
	}
	defer rows.Close()
	var out []gongkai.Posting
	for rows.Next() {
		p, err := scanPosting(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// FindPosting returns one posting of the school's item.
func (db *DB) FindPosting(ctx context.Context, schoolID, disclosureID, id int64) (*gongkai.Posting, error) {
	p, err := scanPosting(db.read.QueryRowContext(ctx, postingSelect+` WHERE p.school_id = $1 AND p.disclosure_id = $2 AND p.id = $3`, schoolID, disclosureID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("张贴记录")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find posting %d: %w", id, err)
	}
	return &p, nil
}

// meetByPostings decides again, after a posting of the item was recorded
// or voided, when each obligation it fulfils and that names a physical
// channel was met: at the first day of a posting on that channel that
// counts, or not at all.
func (tx *Tx) meetByPostings(ctx context.Context, d *gongkai.Disclosure) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, channel, met_at FROM obligations WHERE school_id = $1 AND disclosure_id = $2 AND waived = FALSE AND channel NOT IN ('', $3)`,
		d.SchoolID, d.ID, string(gongkai.ChannelOnline))
	if err != nil {
		return fmt.Errorf("store: obligations of disclosure %d: %w", d.ID, err)
	}
	type ob struct {
		id      int64
		channel gongkai.Channel
		met     int64
	}
	var obs []ob
	for rows.Next() {
		var o ob
		var channel string
		if err := rows.Scan(&o.id, &channel, &o.met); err != nil {
			rows.Close()
			return err
		}
		o.channel = gongkai.Channel(channel)
		obs = append(obs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(obs) == 0 {
		return err
	}
	ps, err := findPostings(ctx, tx, d.SchoolID, d.ID)
	if err != nil {
		return err
	}
	for _, o := range obs {
		met := ms(gongkai.ChannelMetAt(o.channel, d.PublishedAt, ps))
		if met == o.met {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE obligations SET met_at = $1 WHERE school_id = $2 AND id = $3`, met, d.SchoolID, o.id); err != nil {
			return fmt.Errorf("store: meet obligation %d: %w", o.id, err)
		}
	}
	return nil
}
