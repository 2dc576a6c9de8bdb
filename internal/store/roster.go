package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gongkai"
	"gongkai/internal/search"
)

// Rosters (lists of people): the catalogue item's rule decides when an
// item's people are taken down; at that moment its body leaves the search
// index and its title stays only with the names masked. Pages hide the rest
// by the same rule (gongkai.TakedownAt). Opening a taken-down original for
// an audit needs a reason and is logged; publishing personal data needs an
// impact assessment on record.

// rosterRule returns the roster rule of an item from its school's catalogue.
func rosterRule(ctx context.Context, q querier, d *gongkai.Disclosure) (gongkai.RosterRule, error) {
	var cat []gongkai.CatalogueItem
	if d.CatalogueCode != "" {
		var kind, fields, takedown string
		err := q.QueryRowContext(ctx, `SELECT roster, roster_fields, takedown FROM catalogue_items WHERE school_id = $1 AND code = $2`,
			d.SchoolID, d.CatalogueCode).Scan(&kind, &fields, &takedown)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return gongkai.NoRoster, fmt.Errorf("store: roster rule of %q: %w", d.CatalogueCode, err)
		}
		if err == nil {
			cat = []gongkai.CatalogueItem{{Code: d.CatalogueCode, Roster: scanRoster(kind, fields, takedown)}}
		}
	}
	return gongkai.RuleFor(d, cat), nil
}

// versionBodies returns the bodies of every version of an item.
func versionBodies(ctx context.Context, q querier, schoolID, id int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT body FROM disclosure_versions WHERE school_id = $1 AND disclosure_id = $2 ORDER BY version`, schoolID, id)
	if err != nil {
		return nil, fmt.Errorf("store: versions of disclosure %d: %w", id, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// takeDown removes the people of d from the search index when its rule
// takes it down at the transaction's time (d carries its new state): the
// body's words leave, the title stays with the names of its rosters masked.
func (tx *Tx) takeDown(ctx context.Context, d *gongkai.Disclosure) error {
	rule, err := rosterRule(ctx, tx, d)
	if err != nil {
		return err
	}
	if _, down := gongkai.TakedownAt(d, rule, tx.Now); !down {
		return nil
	}
	bodies, err := versionBodies(ctx, tx, d.SchoolID, d.ID)
	if err != nil {
		return err
	}
	title, body := indexTokens(d, rule, bodies, tx.Now)
	if err := tx.db.dialect.indexDisclosure(ctx, tx, d.ID, title, body); err != nil {
		return fmt.Errorf("store: take down disclosure %d: %w", d.ID, err)
	}
	return nil
}

// RosterNames returns the names on the rosters of the items (every
// version's tables), so that lists can mask them in the titles of
// taken-down items. One query, whatever the number of items.
func (db *DB) RosterNames(ctx context.Context, schoolID int64, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{schoolID}
	in := ""
	for i, id := range ids {
		if i > 0 {
			in += ", "
		}
		args = append(args, id)
		in += fmt.Sprintf("$%d", len(args))
	}
	rows, err := db.reader(ctx, schoolID).QueryContext(ctx, `SELECT disclosure_id, body FROM disclosure_versions WHERE school_id = $1 AND disclosure_id IN (`+in+`) ORDER BY disclosure_id, version`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: roster names of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	bodies := map[int64][]string{}
	for rows.Next() {
		var id int64
		var b string
		if err := rows.Scan(&id, &b); err != nil {
			return nil, err
		}
		bodies[id] = append(bodies[id], b)
	}
	for id, bs := range bodies {
		out[id] = gongkai.RosterNames(bs...)
	}
	return out, rows.Err()
}

// checkAssessed refuses an item whose catalogue item publishes personal
// data while no impact assessment of it is on record.
func (tx *Tx) checkAssessed(ctx context.Context, d *gongkai.Disclosure) error {
	needs, done, err := assessed(ctx, tx, d)
	if err != nil || !needs || done {
		return err
	}
	return gongkai.AssessmentMissing(d.CatalogueCode)
}

// assessed reports whether the item's catalogue item publishes personal
// data (needs) and whether its impact assessment is on record (done). An
// item without a catalogue item has no assessment to point to; its rule
// still takes it down (gongkai.RuleFor).
func assessed(ctx context.Context, q querier, d *gongkai.Disclosure) (needs, done bool, err error) {
	if d.CatalogueCode == "" {
		return false, false, nil
	}
	rule, err := rosterRule(ctx, q, d)
	if err != nil || !rule.Holds() {
		return false, false, err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM impact_assessments WHERE school_id = $1 AND catalogue_code = $2`,
		d.SchoolID, d.CatalogueCode).Scan(&n); err != nil {
		return true, false, fmt.Errorf("store: impact assessments of %q: %w", d.CatalogueCode, err)
	}
	return true, n > 0, nil
}

// ---- impact assessments ----

const assessmentColumns = `a.id, a.school_id, a.catalogue_code, COALESCE(c.name, a.catalogue_code), a.purpose, a.fields, a.audience, a.retention,
	a.checked_by, a.assessed_on, COALESCE(a.created_by, 0), COALESCE(u.display_name, ''), a.created_at
	FROM impact_assessments a
	LEFT JOIN catalogue_items c ON c.school_id = a.school_id AND c.code = a.catalogue_code
	LEFT JOIN users u ON u.id = a.created_by`

func scanAssessment(sc interface{ Scan(...any) error }) (*gongkai.ImpactAssessment, error) {
	var a gongkai.ImpactAssessment
	var on string
	var created int64
	if err := sc.Scan(&a.ID, &a.SchoolID, &a.CatalogueCode, &a.CatalogueName, &a.Purpose, &a.Fields, &a.Audience, &a.Retention,
		&a.CheckedBy, &on, &a.CreatedBy, &a.CreatedByName, &created); err != nil {
		return nil, err
	}
	a.AssessedOn, a.CreatedAt = parseDay(on), fromMS(created)
	return &a, nil
}

// CreateImpactAssessment records the principal's impact assessment of a
// catalogue item that publishes personal data. ENOTFOUND for an item not in
// the school's catalogue, EINVALID for one without a roster or a form with
// errors, EFORBIDDEN for anyone but the principal.
func (db *DB) CreateImpactAssessment(ctx context.Context, schoolID int64, actor *gongkai.Actor, a *gongkai.ImpactAssessment) error {
	if !gongkai.CanAssessImpact(actor, schoolID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "个人信息保护影响评估由校长填写。")
	}
	if err := gongkai.ValidateImpactAssessment(a, db.Now()); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		var kind, fields, takedown string
		err := tx.QueryRowContext(ctx, `SELECT name, roster, roster_fields, takedown FROM catalogue_items WHERE school_id = $1 AND code = $2`,
			schoolID, a.CatalogueCode).Scan(&a.CatalogueName, &kind, &fields, &takedown)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("公开事项")
		}
		if err != nil {
			return fmt.Errorf("store: find catalogue item %q: %w", a.CatalogueCode, err)
		}
		if !scanRoster(kind, fields, takedown).Holds() {
			return gongkai.Errorf(gongkai.EINVALID, "“%s”不公开名单，无需影响评估。", a.CatalogueName)
		}
		a.SchoolID, a.CreatedBy, a.CreatedByName, a.CreatedAt = schoolID, actor.ID, actor.DisplayName, tx.Now
		if err := tx.QueryRowContext(ctx, `INSERT INTO impact_assessments (school_id, catalogue_code, purpose, fields, audience, retention, checked_by, assessed_on, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			schoolID, a.CatalogueCode, a.Purpose, a.Fields, a.Audience, a.Retention, a.CheckedBy, formatDay(a.AssessedOn), actor.ID, ms(tx.Now)).Scan(&a.ID); err != nil {
			return fmt.Errorf("store: create impact assessment: %w", err)
		}
		return nil
	})
}

// FindImpactAssessments returns the school's impact assessments, newest
// first; with a code, only those of that catalogue item.
func (db *DB) FindImpactAssessments(ctx context.Context, schoolID int64, code string) ([]*gongkai.ImpactAssessment, error) {
	where, args := `a.school_id = $1`, []any{schoolID}
	if code != "" {
		where, args = where+` AND a.catalogue_code = $2`, append(args, code)
	}
	rows, err := db.reader(ctx, schoolID).QueryContext(ctx, `SELECT `+assessmentColumns+` WHERE `+where+` ORDER BY a.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: impact assessments of school %d: %w", schoolID, err)
	}
	return collect(rows, scanAssessment)
}

// ---- audits of taken-down rosters ----

// RosterAudit is one opening of a taken-down roster's original.
type RosterAudit struct {
	ID           int64
	DisclosureID int64
	Title        string
	ActorID      int64
	ActorName    string
	Reason       string
	At           time.Time
}

// RecordRosterAudit logs that the actor opens the original of a taken-down
// roster for the reason, and returns the entry that lets them read it.
// EINVALID without a reason, ENOTFOUND for an item they may not audit.
func (db *DB) RecordRosterAudit(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, reason string) (*RosterAudit, error) {
	reason, err := gongkai.ValidateAuditReason(reason)
	if err != nil {
		return nil, err
	}
	a := &RosterAudit{DisclosureID: id, Reason: reason}
	err = db.withTx(ctx, func(tx *Tx) error {
		it, err := tx.lockItem(ctx, schoolID, id, actor)
		if err != nil {
			return err
		}
		var bureau int64
		if err := tx.QueryRowContext(ctx, `SELECT bureau_id FROM schools WHERE id = $1`, schoolID).Scan(&bureau); err != nil {
			return err
		}
		if !gongkai.CanAuditRoster(actor, bureau, schoolID) {
			return notFound("公开事项")
		}
		a.Title, a.ActorID, a.ActorName, a.At = it.Title, actor.ID, actor.DisplayName, tx.Now
		return tx.QueryRowContext(ctx, `INSERT INTO roster_audits (school_id, disclosure_id, actor_id, actor_name, reason, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, schoolID, id, actor.ID, actor.DisplayName, reason, ms(tx.Now)).Scan(&a.ID)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

const auditColumns = `r.id, r.disclosure_id, d.title, COALESCE(r.actor_id, 0), r.actor_name, r.reason, r.created_at
	FROM roster_audits r JOIN disclosures d ON d.id = r.disclosure_id`

func scanAudit(sc interface{ Scan(...any) error }) (*RosterAudit, error) {
	var a RosterAudit
	var at int64
	if err := sc.Scan(&a.ID, &a.DisclosureID, &a.Title, &a.ActorID, &a.ActorName, &a.Reason, &at); err != nil {
		return nil, err
	}
	a.At = fromMS(at)
	return &a, nil
}

// FindRosterAudit returns one audit entry of the school.
func (db *DB) FindRosterAudit(ctx context.Context, schoolID, id int64) (*RosterAudit, error) {
	a, err := scanAudit(db.reader(ctx, schoolID).QueryRowContext(ctx, `SELECT `+auditColumns+` WHERE r.school_id = $1 AND r.id = $2`, schoolID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("查阅记录")
	}
	if err != nil {
		return nil, fmt.Errorf("store: roster audit %d: %w", id, err)
	}
	return a, nil
}

// FindRosterAudits returns the school's latest audit entries, newest first.
func (db *DB) FindRosterAudits(ctx context.Context, schoolID int64, limit int) ([]*RosterAudit, error) {
	rows, err := db.reader(ctx, schoolID).QueryContext(ctx, `SELECT `+auditColumns+` WHERE r.school_id = $1 ORDER BY r.id DESC LIMIT $2`, schoolID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: roster audits of school %d: %w", schoolID, err)
	}
	return collect(rows, scanAudit)
}

// indexTokens are the search tokens of an item as its roster rule allows
// at now: all of it, or, once taken down, the masked title only.
func indexTokens(d *gongkai.Disclosure, rule gongkai.RosterRule, bodies []string, now time.Time) (title, body string) {
	if _, down := gongkai.TakedownAt(d, rule, now); down {
		return titleTokens(d.SchoolID, gongkai.MaskNames(d.Title, gongkai.RosterNames(bodies...)), d.DocNumber), ""
	}
	return titleTokens(d.SchoolID, d.Title, d.DocNumber), search.SchoolTokens(d.SchoolID, d.Body)
}

// publicTitle is the item's title as the public may read it: with the
// names of its roster masked once its people are taken down. Events that
// may feed a public channel (webhooks) carry this title.
func (tx *Tx) publicTitle(ctx context.Context, d *gongkai.Disclosure) (string, error) {
	rule, err := rosterRule(ctx, tx, d)
	if err != nil {
		return "", err
	}
	if _, down := gongkai.TakedownAt(d, rule, tx.Now); !down {
		return d.Title, nil
	}
	bodies, err := versionBodies(ctx, tx, d.SchoolID, d.ID)
	if err != nil {
		return "", err
	}
	return gongkai.MaskNames(d.Title, gongkai.RosterNames(bodies...)), nil
}
