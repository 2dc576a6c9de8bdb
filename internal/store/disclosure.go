package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/search"
)

// summaryColumns are what lists show; the body stays out of list queries.
const summaryColumns = `d.id, d.school_id, d.index_no, d.catalogue_code, d.category, d.title, d.audience, d.state, d.doc_number,
	COALESCE(d.department_id, 0), COALESCE(dep.name, ''), COALESCE(d.clerk_id, 0), COALESCE(cu.display_name, ''),
	d.channels, d.legal_basis, d.contact, d.publicity_days, d.publicity_start, d.publicity_end, d.end_provisional,
	d.version, d.created_by, d.created_at, d.updated_at, d.published_at, COALESCE(d.signed_by, 0), COALESCE(su.display_name, ''), d.signed_at, d.reason,
	d.revision_state, d.withdrawn_at`

const summaryJoins = ` FROM disclosures d
	LEFT JOIN departments dep ON dep.id = d.department_id
	LEFT JOIN users cu ON cu.id = d.clerk_id
	LEFT JOIN users su ON su.id = d.signed_by`

func scanDisclosure(sc interface{ Scan(...any) error }, extra ...any) (*gongkai.Disclosure, error) {
	var d gongkai.Disclosure
	var aud, state, channels, pStart, pEnd, revState string
	var created, updated, published, signed, withdrawn int64
	dest := append([]any{&d.ID, &d.SchoolID, &d.IndexNo, &d.CatalogueCode, &d.Category, &d.Title, &aud, &state, &d.DocNumber,
		&d.DepartmentID, &d.DepartmentName, &d.ClerkID, &d.ClerkName,
		&channels, &d.LegalBasis, &d.Contact, &d.PublicityDays, &pStart, &pEnd, &d.EndProvisional,
		&d.Version, &d.CreatedBy, &created, &updated, &published, &d.SignedBy, &d.SignedByName, &signed, &d.Reason, &revState, &withdrawn}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	d.Audience, d.State, d.RevisionState = gongkai.Audience(aud), gongkai.State(state), gongkai.State(revState)
	for _, c := range strings.Split(channels, ",") {
		if c != "" {
			d.Channels = append(d.Channels, gongkai.Channel(c))
		}
	}
	d.PublicityStart, d.PublicityEnd = parseDay(pStart), parseDay(pEnd)
	d.CreatedAt, d.UpdatedAt, d.PublishedAt, d.SignedAt = fromMS(created), fromMS(updated), fromMS(published), fromMS(signed)
	d.WithdrawnAt = fromMS(withdrawn)
	return &d, nil
}

func parseDay(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, gongkai.Beijing)
	if err != nil {
		return time.Time{}
	}
	return t
}

func formatDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(gongkai.Beijing).Format("2006-01-02")
}

func joinChannels(cs []gongkai.Channel) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ",")
}

// DisclosureFilter selects items for a board or a work list.
type DisclosureFilter struct {
	// Published lists items that were made public (published, closed,
	// archived, withdrawn) whose audience is one of Audiences.
	Published bool
	Audiences []gongkai.Audience
	// States, when set, restricts to these states (work lists).
	States   []gongkai.State
	Category string
	// Revising restricts to items with a pending revision.
	Revising bool
	// WithRevisions makes States match items whose pending revision is in
	// one of the states too (a staff list of what waits for each step).
	WithRevisions bool
	Year          int // of publication (Published) or creation
	Query         string
	CreatedBy     int64
	Page          int // from 1
	PerPage       int // default 20, at most 100
	// Total, when above zero, is the number of items the filter finds,
	// known to the caller (a board's counts by category): it is not
	// counted again. Searches are always counted.
	Total int
}

// FindDisclosures returns one page of a school's items, newest first, and the
// total count. It runs two queries whatever the page holds (one when the
// total is given).
func (db *DB) FindDisclosures(ctx context.Context, schoolID int64, f DisclosureFilter) ([]*gongkai.Disclosure, int, error) {
	if !search.ParseQuery(f.Query).Empty() || exactQuery(f.Query) != "" {
		r, err := db.SearchDisclosures(ctx, schoolID, f)
		if err != nil {
			return nil, 0, err
		}
		return r.Items, r.Total, nil
	}
	w, args, dateCol, none := disclosureWhere(schoolID, f, true)
	if none {
		return nil, 0, nil
	}
	q := db.reader(ctx, schoolID)
	order := ` ORDER BY ` + dateCol + ` DESC, d.id DESC`
	total := f.Total
	if total <= 0 {
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM disclosures d`+w, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("store: count disclosures of school %d: %w", schoolID, err)
		}
	}
	// The page's ids are chosen from the index alone (disclosures_public
	// covers a board's filters), and only those rows are read: sorting whole
	// rows would read every item of the school.
	rows, err := q.QueryContext(ctx, `SELECT `+summaryColumns+summaryJoins+
		` WHERE d.id IN (SELECT d.id FROM disclosures d`+w+order+pageClause(f.Page, f.PerPage)+`)`+order, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find disclosures of school %d: %w", schoolID, err)
	}
	out, err := collect(rows, func(sc interface{ Scan(...any) error }) (*gongkai.Disclosure, error) { return scanDisclosure(sc) })
	return out, total, err
}

// disclosureWhere is the WHERE clause (with its arguments) of the filter's
// conditions other than its search, with or without its category, and the
// date column lists sort by. none reports a filter that finds nothing.
func disclosureWhere(schoolID int64, f DisclosureFilter, withCategory bool) (w string, args []any, dateCol string, none bool) {
	where := []string{"d.school_id = $1"}
	args = []any{schoolID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	dateCol = "d.created_at"
	if f.Published {
		dateCol = "d.published_at"
		where = append(where, "d.state IN ('published', 'closed', 'archived', 'withdrawn')")
		if len(f.Audiences) == 0 {
			return "", nil, "", true
		}
		ph := make([]string, len(f.Audiences))
		for i, a := range f.Audiences {
			ph[i] = arg(string(a))
		}
		where = append(where, "d.audience IN ("+strings.Join(ph, ", ")+")")
	}
	if len(f.States) > 0 {
		ph := make([]string, len(f.States))
		for i, s := range f.States {
			ph[i] = arg(string(s))
		}
		cond := "d.state IN (" + strings.Join(ph, ", ") + ")"
		if f.WithRevisions {
			cond = "(" + cond + " OR d.revision_state IN (" + strings.Join(ph, ", ") + "))"
		}
		where = append(where, cond)
	}
	if f.Category != "" && withCategory {
		where = append(where, "d.category = "+arg(f.Category))
	}
	if f.Revising {
		where = append(where, "d.revision_state <> ''")
	}
	if f.CreatedBy != 0 {
		where = append(where, "d.created_by = "+arg(f.CreatedBy))
	}
	if f.Year > 0 {
		from := time.Date(f.Year, 1, 1, 0, 0, 0, 0, gongkai.Beijing)
		where = append(where, dateCol+" >= "+arg(ms(from)), dateCol+" < "+arg(ms(from.AddDate(1, 0, 0))))
	}
	return " WHERE " + strings.Join(where, " AND "), args, dateCol, false
}

// FindDisclosureYears returns the years from the school's first to its
// latest publication, newest first, for the board's year filter. One
// indexed MIN/MAX query, whatever the number of items.
func (db *DB) FindDisclosureYears(ctx context.Context, schoolID int64) ([]int, error) {
	var first, last sql.NullInt64
	err := db.reader(ctx, schoolID).QueryRowContext(ctx, `SELECT MIN(published_at), MAX(published_at) FROM disclosures WHERE school_id = $1 AND published_at > 0`, schoolID).Scan(&first, &last)
	if err != nil {
		return nil, fmt.Errorf("store: years of school %d: %w", schoolID, err)
	}
	if !first.Valid || !last.Valid {
		return nil, nil
	}
	var years []int
	for y := fromMS(last.Int64).Year(); y >= fromMS(first.Int64).Year(); y-- {
		years = append(years, y)
	}
	return years, nil
}

// FindDisclosureByID returns an item of the school with its body, the
// attachments of its current version, every version and the trail.
func (db *DB) FindDisclosureByID(ctx context.Context, schoolID, id int64) (*gongkai.Disclosure, error) {
	var body string
	q := db.reader(ctx, schoolID)
	d, err := scanDisclosure(q.QueryRowContext(ctx, `SELECT `+summaryColumns+`, d.body`+summaryJoins+` WHERE d.school_id = $1 AND d.id = $2`, schoolID, id), &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("公开事项")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find disclosure %d: %w", id, err)
	}
	d.Body = body
	if err := loadDetails(ctx, q, d); err != nil {
		return nil, err
	}
	return d, nil
}

func loadDetails(ctx context.Context, q *pool, d *gongkai.Disclosure) error {
	atts, err := q.QueryContext(ctx, `SELECT id, school_id, disclosure_id, version, filename, content_type, size, sha256, storage_key, created_at, redacted_at
		FROM attachments WHERE school_id = $1 AND disclosure_id = $2 ORDER BY version, id`, d.SchoolID, d.ID)
	if err != nil {
		return fmt.Errorf("store: attachments of disclosure %d: %w", d.ID, err)
	}
	byVersion := map[int][]gongkai.Attachment{}
	for atts.Next() {
		a, err := scanAttachment(atts)
		if err != nil {
			atts.Close()
			return err
		}
		byVersion[a.Version] = append(byVersion[a.Version], *a)
	}
	atts.Close()
	if err := atts.Err(); err != nil {
		return err
	}
	d.Attachments = byVersion[d.Version]

	vrows, err := q.QueryContext(ctx, `SELECT v.version, v.title, v.body, v.doc_number, v.reason, v.published_at, v.created_by,
		COALESCE(v.signed_by, 0), COALESCE(su.display_name, ''), v.signed_at, COALESCE(v.checked_by, 0), COALESCE(cu.display_name, ''), v.checked_at, v.redacted_at
		FROM disclosure_versions v LEFT JOIN users su ON su.id = v.signed_by LEFT JOIN users cu ON cu.id = v.checked_by
		WHERE v.school_id = $1 AND v.disclosure_id = $2 ORDER BY v.version`, d.SchoolID, d.ID)
	if err != nil {
		return fmt.Errorf("store: versions of disclosure %d: %w", d.ID, err)
	}
	for vrows.Next() {
		var v gongkai.Version
		var published, signed, checked, redacted int64
		if err := vrows.Scan(&v.Version, &v.Title, &v.Body, &v.DocNumber, &v.Reason, &published, &v.CreatedBy,
			&v.SignedBy, &v.SignedByName, &signed, &v.CheckedBy, &v.CheckedByName, &checked, &redacted); err != nil {
			vrows.Close()
			return err
		}
		v.PublishedAt, v.SignedAt, v.CheckedAt, v.RedactedAt = fromMS(published), fromMS(signed), fromMS(checked), fromMS(redacted)
		v.Attachments = byVersion[v.Version]
		d.Versions = append(d.Versions, v)
	}
	vrows.Close()
	if err := vrows.Err(); err != nil {
		return err
	}

	erows, err := q.QueryContext(ctx, `SELECT id, action, from_state, to_state, COALESCE(actor_id, 0), actor_name, actor_role, comment, version, created_at, revision
		FROM disclosure_events WHERE school_id = $1 AND disclosure_id = $2 ORDER BY id`, d.SchoolID, d.ID)
	if err != nil {
		return fmt.Errorf("store: trail of disclosure %d: %w", d.ID, err)
	}
	defer erows.Close()
	for erows.Next() {
		var e gongkai.Event
		var action, from, to, role string
		var at int64
		if err := erows.Scan(&e.ID, &action, &from, &to, &e.ActorID, &e.ActorName, &role, &e.Comment, &e.Version, &at, &e.Revision); err != nil {
			return err
		}
		e.Action, e.From, e.To, e.ActorRole, e.At = gongkai.Action(action), gongkai.State(from), gongkai.State(to), gongkai.Role(role), fromMS(at)
		d.Trail = append(d.Trail, e)
	}
	return erows.Err()
}

// CreateDisclosure saves a new draft from the registration form. Drafts save
// without the full validation, so a clerk can stop half-way.
func (db *DB) CreateDisclosure(ctx context.Context, schoolID int64, actor *gongkai.Actor, d *gongkai.Disclosure) error {
	if !gongkai.CanCreateDisclosure(actor, schoolID) {
		if actor.Anonymous() {
			return gongkai.Errorf(gongkai.EUNAUTHENTICATED, "请先登录。")
		}
		return gongkai.Errorf(gongkai.EFORBIDDEN, "只有经办人或校长可以填写登记表。")
	}
	normalize(d)
	if err := d.ValidateDraft(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error { return tx.createDraft(ctx, schoolID, actor, d) })
}

// createDraft writes a new draft inside the caller's transaction, so that
// a draft made from something else (a survey's results, an annual report)
// commits together with its link.
func (tx *Tx) createDraft(ctx context.Context, schoolID int64, actor *gongkai.Actor, d *gongkai.Disclosure) error {
	if err := tx.checkUse(ctx, schoolID, gongkai.UseNewDraft); err != nil {
		return err
	}
	d.SchoolID = schoolID
	if err := tx.checkAssessed(ctx, d); err != nil { // roster.go
		return err
	}
	if err := tx.checkDepartment(ctx, schoolID, d.DepartmentID); err != nil {
		return err
	}
	d.SchoolID, d.State, d.Version = schoolID, gongkai.StateDraft, 1
	d.CreatedBy, d.CreatedAt, d.UpdatedAt = actor.ID, tx.Now, tx.Now
	if d.ClerkID == 0 {
		d.ClerkID = actor.ID
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO disclosures (school_id, catalogue_code, category, title, body, audience, state, doc_number,
		department_id, clerk_id, channels, legal_basis, contact, publicity_days, version, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $16) RETURNING id`,
		schoolID, d.CatalogueCode, d.Category, d.Title, d.Body, string(d.Audience), string(d.State), d.DocNumber,
		nullID(d.DepartmentID), nullID(d.ClerkID), joinChannels(d.Channels), d.LegalBasis, d.Contact, d.PublicityDays,
		actor.ID, ms(tx.Now)).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("store: create disclosure: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_versions (school_id, disclosure_id, version, title, body, doc_number, created_by, created_at)
		VALUES ($1, $2, 1, $3, $4, $5, $6, $7)`, schoolID, d.ID, d.Title, d.Body, d.DocNumber, actor.ID, ms(tx.Now)); err != nil {
		return fmt.Errorf("store: create version: %w", err)
	}
	if err := tx.index(ctx, d); err != nil {
		return err
	}
	return tx.record(ctx, d, actor, gongkai.ActionCreate, "", gongkai.StateDraft, "")
}

// UpdateDraft replaces the registration form fields of a draft.
func (db *DB) UpdateDraft(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, upd *gongkai.Disclosure) (*gongkai.Disclosure, error) {
	normalize(upd)
	if err := upd.ValidateDraft(); err != nil {
		return nil, err
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		d, err := tx.lockVisible(ctx, schoolID, id, actor)
		if err != nil {
			return err
		}
		if err := gongkai.Authorize(actor, schoolID, d.State, gongkai.ActionEdit); err != nil {
			return err
		}
		if err := tx.checkDepartment(ctx, schoolID, upd.DepartmentID); err != nil {
			return err
		}
		clerk := upd.ClerkID
		if clerk == 0 {
			clerk = d.ClerkID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE disclosures SET catalogue_code = $1, category = $2, title = $3, body = $4, audience = $5, doc_number = $6,
			department_id = $7, clerk_id = $8, channels = $9, legal_basis = $10, contact = $11, publicity_days = $12, updated_at = $13
			WHERE school_id = $14 AND id = $15`,
			upd.CatalogueCode, upd.Category, upd.Title, upd.Body, string(upd.Audience), upd.DocNumber, nullID(upd.DepartmentID), nullID(clerk),
			joinChannels(upd.Channels), upd.LegalBasis, upd.Contact, upd.PublicityDays, ms(tx.Now), schoolID, id); err != nil {
			return fmt.Errorf("store: update draft %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE disclosure_versions SET title = $1, body = $2, doc_number = $3 WHERE school_id = $4 AND disclosure_id = $5 AND version = $6`,
			upd.Title, upd.Body, upd.DocNumber, schoolID, id, d.Version); err != nil {
			return fmt.Errorf("store: update draft version: %w", err)
		}
		d.Title, d.Body = upd.Title, upd.Body
		if err := tx.index(ctx, d); err != nil {
			return err
		}
		return tx.record(ctx, d, actor, gongkai.ActionEdit, d.State, d.State, "")
	})
	if err != nil {
		return nil, err
	}
	return db.FindDisclosureByID(ctx, schoolID, id)
}

// Revision is what a revision changes: the text, and files added (already
// stored) or removed from the previous version.
type Revision struct {
	Title, Body, DocNumber string
	Add                    []gongkai.Attachment
	Remove                 []int64 // attachment ids of the previous version
}

// lockVisible loads the item for a write, locking its row on PostgreSQL,
// and answers ENOTFOUND when the actor may not read it.
func (tx *Tx) lockVisible(ctx context.Context, schoolID, id int64, actor *gongkai.Actor) (*gongkai.Disclosure, error) {
	it, err := tx.lockItem(ctx, schoolID, id, actor)
	if err != nil {
		return nil, err
	}
	return it.Disclosure, nil
}

// lockedItem is an item locked for a step, with what a publication needs of
// its school, read in the same round trip.
type lockedItem struct {
	*gongkai.Disclosure
	schoolCode, region string
	obligationID       int64 // the obligation chosen when the item was entered, or 0
}

func (tx *Tx) lockItem(ctx context.Context, schoolID, id int64, actor *gongkai.Actor) (*lockedItem, error) {
	var bureau int64
	it := &lockedItem{}
	d, err := scanDisclosure(tx.QueryRowContext(ctx, `SELECT `+summaryColumns+`, s.bureau_id, s.code, b.region_code, COALESCE(d.obligation_id, 0)`+summaryJoins+`
		JOIN schools s ON s.id = d.school_id JOIN bureaus b ON b.id = s.bureau_id
		WHERE d.school_id = $1 AND d.id = $2`+tx.db.dialect.forUpdateOf("d"), schoolID, id), &bureau, &it.schoolCode, &it.region, &it.obligationID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("公开事项")
	}
	if err != nil {
		return nil, fmt.Errorf("store: load disclosure %d: %w", id, err)
	}
	if !gongkai.CanReadDisclosure(actor, bureau, d) {
		return nil, notFound("公开事项")
	}
	// A step is taken only by the school's own people: to anyone else a
	// public item they may read is still not there to act on.
	if !actor.Anonymous() && !actor.IsMember(schoolID) && !actor.Oversees(bureau) {
		return nil, notFound("公开事项")
	}
	it.Disclosure = d
	return it, nil
}

// rowUpdate gathers the columns one step sets on an item's row, so that
// the row is written once per step: on PostgreSQL every write of a row
// is a new row version with new entries in each of its indexes.
type rowUpdate struct {
	sets []string
	args []any
}

func (u *rowUpdate) set(column string, v any) {
	u.args = append(u.args, v)
	u.sets = append(u.sets, fmt.Sprintf("%s = $%d", column, len(u.args)))
}

// exec writes the gathered columns to the item's row.
func (u *rowUpdate) exec(ctx context.Context, tx *Tx, schoolID, id int64) error {
	if len(u.sets) == 0 {
		return nil
	}
	n := len(u.args)
	_, err := tx.ExecContext(ctx, `UPDATE disclosures SET `+strings.Join(u.sets, ", ")+fmt.Sprintf(` WHERE school_id = $%d AND id = $%d`, n+1, n+2),
		append(u.args, schoolID, id)...)
	return err
}

func (tx *Tx) checkDepartment(ctx context.Context, schoolID, departmentID int64) error {
	if departmentID == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM departments WHERE school_id = $1 AND id = $2`, schoolID, departmentID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: "处室无效。", Fields: map[string]string{"department": "处室无效，请从列表中选择。"}}
	}
	return nil
}

func (tx *Tx) index(ctx context.Context, d *gongkai.Disclosure) error {
	if err := tx.db.dialect.indexDisclosure(ctx, tx, d.ID, titleTokens(d.SchoolID, d.Title, d.DocNumber), search.SchoolTokens(d.SchoolID, d.Body)); err != nil {
		return fmt.Errorf("store: index disclosure %d: %w", d.ID, err)
	}
	return nil
}

// record appends a step to the trail.
func (tx *Tx) record(ctx context.Context, d *gongkai.Disclosure, actor *gongkai.Actor, action gongkai.Action, from, to gongkai.State, comment string) error {
	var actorID any
	name, role := "系统", gongkai.Role("")
	if actor != nil && !actor.Anonymous() {
		actorID, name = actor.ID, actor.DisplayName
		role = actingRole(actor, d.SchoolID, from, action)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO disclosure_events (school_id, disclosure_id, action, from_state, to_state, actor_id, actor_name, actor_role, comment, version, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		d.SchoolID, d.ID, string(action), string(from), string(to), actorID, name, string(role), comment, d.Version, ms(tx.Now))
	if err != nil {
		return fmt.Errorf("store: record %s of disclosure %d: %w", action, d.ID, err)
	}
	return nil
}

// actingRole is the role in which the actor took the step, for the trail.
func actingRole(a *gongkai.Actor, schoolID int64, from gongkai.State, action gongkai.Action) gongkai.Role {
	for _, r := range gongkai.RolesFor(from, action) {
		if a.HasRole(schoolID, r) {
			return r
		}
	}
	if rs := a.Roles(schoolID); len(rs) > 0 {
		return rs[0]
	}
	return ""
}

// normalize trims the form's text fields and drops carriage returns, so that
// what is stored is what is shown.
func normalize(d *gongkai.Disclosure) {
	d.Title = strings.TrimSpace(d.Title)
	d.Body = strings.TrimSpace(strings.ReplaceAll(d.Body, "\r\n", "\n"))
	d.DocNumber = strings.TrimSpace(d.DocNumber)
	d.LegalBasis = strings.TrimSpace(d.LegalBasis)
	d.Contact = strings.TrimSpace(d.Contact)
	if d.Audience == "" {
		d.Audience = gongkai.AudiencePublic
	}
}

// CloseEndedPeriods closes every published item whose publicity period ended
// before now and returns them, so caches can drop their pages.
func (db *DB) CloseEndedPeriods(ctx context.Context) ([]*gongkai.Disclosure, error) {
	today := formatDay(db.Now())
	rows, err := db.read.QueryContext(ctx, `SELECT school_id, id FROM disclosures WHERE state = 'published' AND publicity_end <> '' AND publicity_end < $1`, today)
	if err != nil {
		return nil, fmt.Errorf("store: find ended periods: %w", err)
	}
	type key struct{ school, id int64 }
	var due []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.school, &k.id); err != nil {
			rows.Close()
			return nil, err
		}
		due = append(due, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var closed []*gongkai.Disclosure
	for _, k := range due {
		err := db.withTx(ctx, func(tx *Tx) error {
			d, err := scanDisclosure(tx.QueryRowContext(ctx, `SELECT `+summaryColumns+summaryJoins+` WHERE d.school_id = $1 AND d.id = $2`+tx.db.dialect.forUpdateOf("d"), k.school, k.id))
			if err != nil {
				return err
			}
			if d.State != gongkai.StatePublished || !gongkai.PeriodOver(d.PublicityEnd, tx.Now) {
				return nil // taken care of meanwhile
			}
			if _, err := tx.ExecContext(ctx, `UPDATE disclosures SET state = 'closed', updated_at = $1 WHERE school_id = $2 AND id = $3`, ms(tx.Now), k.school, k.id); err != nil {
				return err
			}
			closed = append(closed, d)
			d.State = gongkai.StateClosed
			if err := tx.takeDown(ctx, d); err != nil { // roster.go
				return err
			}
			d.State = gongkai.StatePublished
			if err := tx.touch(ctx, k.school); err != nil {
				return err
			}
			return tx.record(ctx, d, nil, gongkai.ActionClose, gongkai.StatePublished, gongkai.StateClosed, "")
		})
		if err != nil {
			return closed, fmt.Errorf("store: close disclosure %d: %w", k.id, err)
		}
	}
	return closed, nil
}

// titleTokens are the indexed words of the title column, the title's and the
// document number's, marked as the school's like every token of the index.
func titleTokens(schoolID int64, title, docNumber string) string {
	return search.SchoolTokens(schoolID, title+" "+docNumber)
}
