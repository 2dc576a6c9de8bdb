package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gongkai"
)

// The catalogue (校务公开目录): a school edits its own items; a bureau keeps
// items required of all its schools, copied into each school with required
// set, which the school cannot drop.

const catalogueFields = `code, name, category, audience, publicity_days, frequency, department, legal_basis, position,
	schedule, due_day, due_month_day, term_due_spring, term_due_autumn, due_workdays, roster, roster_fields, takedown`

func catalogueArgs(c *gongkai.CatalogueItem) []any {
	sc := c.Schedule
	return []any{c.Code, c.Name, c.Category, string(c.Audience), c.PublicityDays, c.Frequency, c.Department, c.LegalBasis, c.Position,
		string(sc.Frequency), sc.DueDay, sc.DueMonthDay, sc.TermDue[0], sc.TermDue[1], sc.DueWorkdays}
}

// rosterArgs are the roster columns of an item: its rule, or, when the
// item says nothing of it (an import without these columns), the default
// catalogue's rule of its code.
func rosterArgs(r gongkai.RosterRule, code string) []any {
	if r.Kind == "" {
		r = defaultRoster(code)
	}
	fields := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		fields[i] = string(f)
	}
	return []any{string(r.Kind), strings.Join(fields, ","), string(r.Takedown)}
}

func defaultRoster(code string) gongkai.RosterRule {
	for _, c := range gongkai.DefaultCatalogue {
		if c.Code == code && c.Roster.Kind != "" {
			return c.Roster
		}
	}
	return gongkai.NoRoster
}

// scanRoster turns the stored roster columns into a rule.
func scanRoster(kind, fields, takedown string) gongkai.RosterRule {
	r := gongkai.RosterRule{Kind: gongkai.RosterKind(kind), Takedown: gongkai.Takedown(takedown)}
	for _, f := range strings.Split(fields, ",") {
		if f != "" {
			r.Fields = append(r.Fields, gongkai.RosterField(f))
		}
	}
	if !r.Holds() {
		return gongkai.NoRoster
	}
	return r
}

// schoolBureau returns the bureau of the school and checks that the actor
// manages the school's catalogue: its principal or the bureau's administrator.
func (tx *Tx) manageCatalogue(ctx context.Context, schoolID int64, actor *gongkai.Actor) error {
	var bureauID int64
	err := tx.QueryRowContext(ctx, `SELECT bureau_id FROM schools WHERE id = $1`, schoolID).Scan(&bureauID)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("学校")
	}
	if err != nil {
		return fmt.Errorf("store: find school %d: %w", schoolID, err)
	}
	if !gongkai.CanManageSchool(actor, bureauID, schoolID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "只有校长或教育局管理员可以修改公开目录。")
	}
	return nil
}

// upsertSchoolItem creates or updates the school's item with the code; a
// required item stays required, and required=true makes it so.
func (tx *Tx) upsertSchoolItem(ctx context.Context, schoolID int64, c *gongkai.CatalogueItem, required bool) error {
	var id int64
	var pos int
	var wasRequired bool
	var kind, fields, takedown string
	err := tx.QueryRowContext(ctx, `SELECT id, position, required, roster, roster_fields, takedown FROM catalogue_items WHERE school_id = $1 AND code = $2`,
		schoolID, c.Code).Scan(&id, &pos, &wasRequired, &kind, &fields, &takedown)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), -1) + 1 FROM catalogue_items WHERE school_id = $1`, schoolID).Scan(&pos); err != nil {
			return fmt.Errorf("store: catalogue position: %w", err)
		}
		item := *c
		item.Position = pos
		args := append([]any{schoolID}, catalogueArgs(&item)...)
		args = append(args, rosterArgs(item.Roster, item.Code)...)
		args = append(args, required)
		if err := tx.QueryRowContext(ctx, `INSERT INTO catalogue_items (school_id, `+catalogueFields+`, required)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id`, args...).Scan(&c.ID); err != nil {
			return fmt.Errorf("store: create catalogue item %q: %w", c.Code, err)
		}
		c.Position, c.Required = pos, required
	case err != nil:
		return fmt.Errorf("store: find catalogue item %q: %w", c.Code, err)
	default:
		item := *c
		item.Position = pos
		if item.Roster.Kind == "" { // an import says nothing of rosters: keep the item's rule
			item.Roster = scanRoster(kind, fields, takedown)
		}
		if gongkai.RosterChangeExposes(scanRoster(kind, fields, takedown), item.Roster) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM disclosures WHERE school_id = $1 AND catalogue_code = $2 AND index_no <> ''`,
				schoolID, c.Code).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				msg := fmt.Sprintf("“%s”已有 %d 项名单公开过，不能取消名单设置或推迟撤下，否则已撤下的名单会重新公开。", c.Name, n)
				return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"takedown": msg}}
			}
		}
		args := append(catalogueArgs(&item), rosterArgs(item.Roster, item.Code)...)
		args = append(args, required || wasRequired, id)
		if _, err := tx.ExecContext(ctx, `UPDATE catalogue_items SET code = $1, name = $2, category = $3, audience = $4, publicity_days = $5, frequency = $6,
			department = $7, legal_basis = $8, position = $9, schedule = $10, due_day = $11, due_month_day = $12, term_due_spring = $13,
			term_due_autumn = $14, due_workdays = $15, roster = $16, roster_fields = $17, takedown = $18, required = $19 WHERE id = $20`, args...); err != nil {
			return fmt.Errorf("store: update catalogue item %q: %w", c.Code, err)
		}
		c.ID, c.Position, c.Required, c.Roster = id, pos, required || wasRequired, item.Roster
	}
	c.SchoolID = schoolID
	return tx.setCatalogueChannel(ctx, "catalogue_items", c)
}

// setCatalogueChannel records the channel the item must also be made public
// on ("须在公开栏张贴"), kept apart from the item's other columns.
// The obligations of a school's item that no item fulfils yet follow it;
// those met, waived or fulfilled keep the rule they were met under.
func (tx *Tx) setCatalogueChannel(ctx context.Context, table string, c *gongkai.CatalogueItem) error {
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET channel = $1 WHERE id = $2`, string(c.Channel), c.ID); err != nil {
		return fmt.Errorf("store: channel of catalogue item %q: %w", c.Code, err)
	}
	if table != "catalogue_items" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE obligations SET channel = $1 WHERE school_id = $2 AND catalogue_code = $3 AND met_at = 0 AND waived = FALSE
		AND disclosure_id IS NULL AND channel <> $1`, string(c.Channel), c.SchoolID, c.Code); err != nil {
		return fmt.Errorf("store: channel of the obligations of %q: %w", c.Code, err)
	}
	return nil
}

// SaveCatalogueItem creates the school's item, or updates the one with the
// same code. The principal or the bureau's administrator may; an item the
// bureau requires stays required.
func (db *DB) SaveCatalogueItem(ctx context.Context, schoolID int64, actor *gongkai.Actor, item *gongkai.CatalogueItem) error {
	if err := gongkai.ValidateCatalogueItem(item); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if err := tx.manageCatalogue(ctx, schoolID, actor); err != nil {
			return err
		}
		if err := tx.upsertSchoolItem(ctx, schoolID, item, false); err != nil {
			return err
		}
		return tx.touch(ctx, schoolID)
	})
}

// DeleteCatalogueItem removes the school's item. Items the bureau requires,
// and items that obligations or disclosures refer to, cannot be removed.
func (db *DB) DeleteCatalogueItem(ctx context.Context, schoolID int64, actor *gongkai.Actor, code string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		if err := tx.manageCatalogue(ctx, schoolID, actor); err != nil {
			return err
		}
		var id int64
		var name string
		var required bool
		err := tx.QueryRowContext(ctx, `SELECT id, name, required FROM catalogue_items WHERE school_id = $1 AND code = $2`, schoolID, code).Scan(&id, &name, &required)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("公开事项")
		}
		if err != nil {
			return fmt.Errorf("store: find catalogue item %q: %w", code, err)
		}
		if required {
			return gongkai.Errorf(gongkai.ECONFLICT, "“%s”是教育局要求公开的事项，学校不能删除。", name)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM disclosures WHERE school_id = $1 AND catalogue_code = $2)
			+ (SELECT COUNT(*) FROM obligations WHERE school_id = $1 AND catalogue_code = $2)`, schoolID, code).Scan(&n); err != nil {
			return fmt.Errorf("store: count uses of catalogue item %q: %w", code, err)
		}
		if n > 0 {
			return gongkai.Errorf(gongkai.ECONFLICT, "“%s”已有公开记录或公开任务，不能删除；可修改其名称或频次。", name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM catalogue_items WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: delete catalogue item %q: %w", code, err)
		}
		return tx.touch(ctx, schoolID)
	})
}

// ImportCatalogue saves every item into the school's catalogue, all or
// nothing: items with a code already there are updated, others added; items
// not in the list stay.
func (db *DB) ImportCatalogue(ctx context.Context, schoolID int64, actor *gongkai.Actor, items []gongkai.CatalogueItem) error {
	if err := validateAll(items); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if err := tx.manageCatalogue(ctx, schoolID, actor); err != nil {
			return err
		}
		for i := range items {
			if err := tx.upsertSchoolItem(ctx, schoolID, &items[i], false); err != nil {
				return err
			}
		}
		return tx.touch(ctx, schoolID)
	})
}

// validateAll checks each item and refuses duplicate codes.
func validateAll(items []gongkai.CatalogueItem) error {
	seen := map[string]int{}
	for i := range items {
		if err := gongkai.ValidateCatalogueItem(&items[i]); err != nil {
			return gongkai.Errorf(gongkai.EINVALID, "第 %d 项“%s”：%s", i+1, items[i].Code, fieldList(err))
		}
		if j, dup := seen[items[i].Code]; dup {
			return gongkai.Errorf(gongkai.EINVALID, "第 %d 项与第 %d 项的编码“%s”重复。", i+1, j+1, items[i].Code)
		}
		seen[items[i].Code] = i
	}
	return nil
}

func fieldList(err error) string {
	fields := gongkai.ErrorFields(err)
	if len(fields) == 0 {
		return gongkai.ErrorMessage(err)
	}
	out := ""
	for _, k := range []string{"code", "name", "category", "audience", "publicity_days", "frequency", "due_day", "due_month_day", "term_due", "due_workdays", "frequency_text", "department", "legal_basis"} {
		if m, ok := fields[k]; ok {
			out += m
		}
	}
	return out
}

// FindBureauCatalogue returns the items the bureau requires of its schools.
func (db *DB) FindBureauCatalogue(ctx context.Context, bureauID int64) ([]gongkai.CatalogueItem, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, `+catalogueFields+`, channel FROM bureau_catalogue_items WHERE bureau_id = $1 ORDER BY position, id`, bureauID)
	if err != nil {
		return nil, fmt.Errorf("store: find catalogue of bureau %d: %w", bureauID, err)
	}
	defer rows.Close()
	var out []gongkai.CatalogueItem
	for rows.Next() {
		var c gongkai.CatalogueItem
		var aud, freq, kind, fields, takedown, channel string
		if err := rows.Scan(&c.ID, &c.Code, &c.Name, &c.Category, &aud, &c.PublicityDays, &c.Frequency, &c.Department, &c.LegalBasis, &c.Position,
			&freq, &c.Schedule.DueDay, &c.Schedule.DueMonthDay, &c.Schedule.TermDue[0], &c.Schedule.TermDue[1], &c.Schedule.DueWorkdays,
			&kind, &fields, &takedown, &channel); err != nil {
			return nil, err
		}
		c.Audience, c.Schedule.Frequency, c.Required, c.Channel = gongkai.Audience(aud), gongkai.Frequency(freq), true, gongkai.Channel(channel)
		c.Roster = scanRoster(kind, fields, takedown)
		out = append(out, c)
	}
	return out, rows.Err()
}

func adminBureau(actor *gongkai.Actor, bureauID int64) error {
	if !gongkai.CanAdminBureau(actor, bureauID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "只有教育局管理员可以修改教育局要求的公开事项。")
	}
	return nil
}

// upsertBureauItem saves the bureau's item and copies it, required, into
// every school of the bureau.
func (tx *Tx) upsertBureauItem(ctx context.Context, bureauID int64, c *gongkai.CatalogueItem) error {
	var id int64
	var pos int
	err := tx.QueryRowContext(ctx, `SELECT id, position FROM bureau_catalogue_items WHERE bureau_id = $1 AND code = $2`, bureauID, c.Code).Scan(&id, &pos)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), -1) + 1 FROM bureau_catalogue_items WHERE bureau_id = $1`, bureauID).Scan(&pos); err != nil {
			return fmt.Errorf("store: bureau catalogue position: %w", err)
		}
		c.Position = pos
		args := append([]any{bureauID}, catalogueArgs(c)...)
		args = append(args, rosterArgs(c.Roster, c.Code)...)
		if err := tx.QueryRowContext(ctx, `INSERT INTO bureau_catalogue_items (bureau_id, `+catalogueFields+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`, args...).Scan(&c.ID); err != nil {
			return fmt.Errorf("store: create bureau catalogue item %q: %w", c.Code, err)
		}
	case err != nil:
		return fmt.Errorf("store: find bureau catalogue item %q: %w", c.Code, err)
	default:
		c.ID, c.Position = id, pos
		if c.Roster.Kind == "" { // an import says nothing of rosters: keep the item's rule
			var kind, fields, takedown string
			if err := tx.QueryRowContext(ctx, `SELECT roster, roster_fields, takedown FROM bureau_catalogue_items WHERE id = $1`, id).Scan(&kind, &fields, &takedown); err != nil {
				return fmt.Errorf("store: bureau catalogue item %q: %w", c.Code, err)
			}
			c.Roster = scanRoster(kind, fields, takedown)
		}
		args := append(catalogueArgs(c), rosterArgs(c.Roster, c.Code)...)
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, `UPDATE bureau_catalogue_items SET code = $1, name = $2, category = $3, audience = $4, publicity_days = $5, frequency = $6,
			department = $7, legal_basis = $8, position = $9, schedule = $10, due_day = $11, due_month_day = $12, term_due_spring = $13,
			term_due_autumn = $14, due_workdays = $15, roster = $16, roster_fields = $17, takedown = $18 WHERE id = $19`, args...); err != nil {
			return fmt.Errorf("store: update bureau catalogue item %q: %w", c.Code, err)
		}
	}
	c.Required = true
	if err := tx.setCatalogueChannel(ctx, "bureau_catalogue_items", c); err != nil {
		return err
	}
	schools, err := tx.bureauSchools(ctx, bureauID)
	if err != nil {
		return err
	}
	for _, sid := range schools {
		cp := *c
		if err := tx.upsertSchoolItem(ctx, sid, &cp, true); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) bureauSchools(ctx context.Context, bureauID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM schools WHERE bureau_id = $1 ORDER BY id`, bureauID)
	if err != nil {
		return nil, fmt.Errorf("store: schools of bureau %d: %w", bureauID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (tx *Tx) touchAll(ctx context.Context, schools []int64) error {
	for _, id := range schools {
		if err := tx.touch(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// SaveBureauCatalogueItem creates or updates (by code) an item the bureau
// requires, and in the same transaction puts it, required, into every school
// of the bureau (replacing a school's own item of that code).
func (db *DB) SaveBureauCatalogueItem(ctx context.Context, bureauID int64, actor *gongkai.Actor, item *gongkai.CatalogueItem) error {
	if err := adminBureau(actor, bureauID); err != nil {
		return err
	}
	if err := gongkai.ValidateCatalogueItem(item); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if err := tx.upsertBureauItem(ctx, bureauID, item); err != nil {
			return err
		}
		schools, err := tx.bureauSchools(ctx, bureauID)
		if err != nil {
			return err
		}
		return tx.touchAll(ctx, schools)
	})
}

// ImportBureauCatalogue saves every item as required by the bureau, all or
// nothing, as SaveBureauCatalogueItem does for one.
func (db *DB) ImportBureauCatalogue(ctx context.Context, bureauID int64, actor *gongkai.Actor, items []gongkai.CatalogueItem) error {
	if err := adminBureau(actor, bureauID); err != nil {
		return err
	}
	if err := validateAll(items); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		for i := range items {
			if err := tx.upsertBureauItem(ctx, bureauID, &items[i]); err != nil {
				return err
			}
		}
		schools, err := tx.bureauSchools(ctx, bureauID)
		if err != nil {
			return err
		}
		return tx.touchAll(ctx, schools)
	})
}

// DeleteBureauCatalogueItem stops requiring the item: the bureau's item goes,
// each school keeps its copy, no longer required.
func (db *DB) DeleteBureauCatalogueItem(ctx context.Context, bureauID int64, actor *gongkai.Actor, code string) error {
	if err := adminBureau(actor, bureauID); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM bureau_catalogue_items WHERE bureau_id = $1 AND code = $2`, bureauID, code)
		if err != nil {
			return fmt.Errorf("store: delete bureau catalogue item %q: %w", code, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("公开事项")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE catalogue_items SET required = FALSE
			WHERE code = $1 AND school_id IN (SELECT id FROM schools WHERE bureau_id = $2)`, code, bureauID); err != nil {
			return fmt.Errorf("store: release catalogue item %q: %w", code, err)
		}
		schools, err := tx.bureauSchools(ctx, bureauID)
		if err != nil {
			return err
		}
		return tx.touchAll(ctx, schools)
	})
}

// applyBureauCatalogue puts the bureau's required items into a new school.
func (tx *Tx) applyBureauCatalogue(ctx context.Context, bureauID, schoolID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+catalogueFields+`, channel FROM bureau_catalogue_items WHERE bureau_id = $1 ORDER BY position, id`, bureauID)
	if err != nil {
		return fmt.Errorf("store: bureau catalogue: %w", err)
	}
	var items []gongkai.CatalogueItem
	for rows.Next() {
		var c gongkai.CatalogueItem
		var aud, freq, kind, fields, takedown, channel string
		if err := rows.Scan(&c.Code, &c.Name, &c.Category, &aud, &c.PublicityDays, &c.Frequency, &c.Department, &c.LegalBasis, &c.Position,
			&freq, &c.Schedule.DueDay, &c.Schedule.DueMonthDay, &c.Schedule.TermDue[0], &c.Schedule.TermDue[1], &c.Schedule.DueWorkdays,
			&kind, &fields, &takedown, &channel); err != nil {
			rows.Close()
			return err
		}
		c.Audience, c.Schedule.Frequency, c.Channel = gongkai.Audience(aud), gongkai.Frequency(freq), gongkai.Channel(channel)
		c.Roster = scanRoster(kind, fields, takedown)
		items = append(items, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range items {
		if err := tx.upsertSchoolItem(ctx, schoolID, &items[i], true); err != nil {
			return err
		}
	}
	return nil
}
