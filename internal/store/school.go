package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gongkai"
)

// CreateBureau adds a bureau and returns it with its id.
func (db *DB) CreateBureau(ctx context.Context, b *gongkai.Bureau) error {
	if strings.TrimSpace(b.Name) == "" {
		return gongkai.Errorf(gongkai.EINVALID, "请填写教育局名称。")
	}
	if b.RegionCode == "" {
		b.RegionCode = "CN"
	}
	return db.withTx(ctx, func(tx *Tx) error {
		b.CreatedAt = tx.Now
		err := tx.QueryRowContext(ctx, `INSERT INTO bureaus (name, region_code, division_code, address, phone, sponsor, icp, psb, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			b.Name, b.RegionCode, b.DivisionCode, b.Address, b.Phone, b.Sponsor, b.ICP, b.PSB, ms(tx.Now)).Scan(&b.ID)
		if err != nil {
			return fmt.Errorf("store: create bureau: %w", err)
		}
		return nil
	})
}

const bureauColumns = `id, name, region_code, division_code, address, phone, sponsor, icp, psb, created_at`

func scanBureau(sc interface{ Scan(...any) error }) (*gongkai.Bureau, error) {
	var b gongkai.Bureau
	var created int64
	if err := sc.Scan(&b.ID, &b.Name, &b.RegionCode, &b.DivisionCode, &b.Address, &b.Phone, &b.Sponsor, &b.ICP, &b.PSB, &created); err != nil {
		return nil, err
	}
	b.CreatedAt = fromMS(created)
	return &b, nil
}

// FindBureauByID returns a bureau.
func (db *DB) FindBureauByID(ctx context.Context, id int64) (*gongkai.Bureau, error) {
	b, err := scanBureau(db.reader(ctx, 0).QueryRowContext(ctx, `SELECT `+bureauColumns+` FROM bureaus WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("教育局")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find bureau %d: %w", id, err)
	}
	return b, nil
}

// FindBureaus returns every bureau, by name.
func (db *DB) FindBureaus(ctx context.Context) ([]*gongkai.Bureau, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+bureauColumns+` FROM bureaus ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: find bureaus: %w", err)
	}
	return collect(rows, scanBureau)
}

// CreateSchool adds a school with the default catalogue and departments.
func (db *DB) CreateSchool(ctx context.Context, s *gongkai.School, departments []string) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error { return tx.insertSchool(ctx, s, departments) })
}

// insertSchool writes a new school with its departments, the default
// catalogue and the bureau's required items.
func (tx *Tx) insertSchool(ctx context.Context, s *gongkai.School, departments []string) error {
	s.CreatedAt = tx.Now
	err := tx.QueryRowContext(ctx, `INSERT INTO schools (bureau_id, slug, name, full_name, code, address, phone,
		credit_code, stage, admission_phone, aid_phone, office_hours, guide, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		s.BureauID, s.Slug, s.Name, s.FullName, s.Code, s.Address, s.Phone,
		s.CreditCode, s.Stage, s.AdmissionPhone, s.AidPhone, s.OfficeHours, s.Guide, ms(tx.Now)).Scan(&s.ID)
	if isUniqueViolation(err) {
		return schoolConflict(err)
	}
	if err != nil {
		return fmt.Errorf("store: create school %q: %w", s.Slug, err)
	}
	if err := tx.touch(ctx, s.ID); err != nil { // the home page lists schools
		return err
	}
	for _, d := range departments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO departments (school_id, name) VALUES ($1, $2)`, s.ID, d); err != nil {
			return fmt.Errorf("store: create department %q: %w", d, err)
		}
	}
	for i, c := range gongkai.DefaultCatalogue {
		sc := c.Schedule
		args := append([]any{s.ID, c.Code, c.Name, c.Category, string(c.Audience), c.PublicityDays, c.Frequency, c.Department, c.LegalBasis, i,
			string(sc.Frequency), sc.DueDay, sc.DueMonthDay, sc.TermDue[0], sc.TermDue[1], sc.DueWorkdays}, rosterArgs(c.Roster, c.Code)...)
		if _, err := tx.ExecContext(ctx, `INSERT INTO catalogue_items (school_id, code, name, category, audience, publicity_days, frequency, department, legal_basis, position,
			schedule, due_day, due_month_day, term_due_spring, term_due_autumn, due_workdays, roster, roster_fields, takedown)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`, args...); err != nil {
			return fmt.Errorf("store: create catalogue item %q: %w", c.Code, err)
		}
	}
	return tx.applyBureauCatalogue(ctx, s.BureauID, s.ID) // the bureau's required items
}

// schoolConflict names the field a unique index refused, for the rare
// write that passed checkSchoolConflicts while another wrote the same value.
func schoolConflict(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "credit_code"):
		return &gongkai.Error{Code: gongkai.ECONFLICT, Message: "统一社会信用代码已被本县另一所学校使用。", Fields: map[string]string{"credit_code": "统一社会信用代码已被本县另一所学校使用。"}}
	case strings.Contains(msg, "code"):
		return &gongkai.Error{Code: gongkai.ECONFLICT, Message: "学校标识码已被本县另一所学校使用。", Fields: map[string]string{"code": "学校标识码已被本县另一所学校使用。"}}
	}
	return &gongkai.Error{Code: gongkai.ECONFLICT, Message: "网址名已被使用。", Fields: map[string]string{"slug": "网址名已被使用，请换一个。"}}
}

// schoolColumns are read from schools s joined with their bureaus b.
const schoolColumns = `s.id, s.bureau_id, b.name, b.region_code, s.slug, s.name, s.full_name, s.code, s.address, s.phone,
	s.credit_code, s.stage, s.admission_phone, s.aid_phone, s.office_hours, s.guide, s.deactivated_at, s.created_at,
	b.division_code, b.address, b.phone, b.sponsor, b.icp, b.psb, b.created_at`

func scanSchool(sc interface{ Scan(...any) error }) (*gongkai.School, error) {
	var s gongkai.School
	var created, deactivated, bureauCreated int64
	b := &s.Bureau
	if err := sc.Scan(&s.ID, &s.BureauID, &s.BureauName, &s.RegionCode, &s.Slug, &s.Name, &s.FullName, &s.Code, &s.Address, &s.Phone,
		&s.CreditCode, &s.Stage, &s.AdmissionPhone, &s.AidPhone, &s.OfficeHours, &s.Guide, &deactivated, &created,
		&b.DivisionCode, &b.Address, &b.Phone, &b.Sponsor, &b.ICP, &b.PSB, &bureauCreated); err != nil {
		return nil, err
	}
	s.CreatedAt, s.DeactivatedAt = fromMS(created), fromMS(deactivated)
	b.ID, b.Name, b.RegionCode, b.CreatedAt = s.BureauID, s.BureauName, s.RegionCode, fromMS(bureauCreated)
	return &s, nil
}

// FindSchoolBySlug returns the school with the slug.
func (db *DB) FindSchoolBySlug(ctx context.Context, slug string) (*gongkai.School, error) {
	s, err := scanSchool(db.reader(ctx, 0).QueryRowContext(ctx, `SELECT `+schoolColumns+` FROM schools s JOIN bureaus b ON b.id = s.bureau_id WHERE s.slug = $1`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("学校")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find school %q: %w", slug, err)
	}
	return s, nil
}

// FindSchoolByID returns the school with the id.
func (db *DB) FindSchoolByID(ctx context.Context, id int64) (*gongkai.School, error) {
	s, err := scanSchool(db.read.QueryRowContext(ctx, `SELECT `+schoolColumns+` FROM schools s JOIN bureaus b ON b.id = s.bureau_id WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("学校")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find school %d: %w", id, err)
	}
	return s, nil
}

// FindSchools returns the schools of a bureau, or of every bureau when
// bureauID is 0, ordered by bureau and name.
func (db *DB) FindSchools(ctx context.Context, bureauID int64) ([]*gongkai.School, error) {
	q := `SELECT ` + schoolColumns + ` FROM schools s JOIN bureaus b ON b.id = s.bureau_id`
	var args []any
	if bureauID != 0 {
		q += ` WHERE s.bureau_id = $1`
		args = append(args, bureauID)
	}
	rows, err := db.reader(ctx, 0).QueryContext(ctx, q+` ORDER BY b.name, s.bureau_id, s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find schools: %w", err)
	}
	defer rows.Close()
	var out []*gongkai.School
	for rows.Next() {
		s, err := scanSchool(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindDepartments returns the departments of a school by name.
func (db *DB) FindDepartments(ctx context.Context, schoolID int64) ([]gongkai.Department, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, school_id, name FROM departments WHERE school_id = $1 ORDER BY id`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: find departments of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	var out []gongkai.Department
	for rows.Next() {
		var d gongkai.Department
		if err := rows.Scan(&d.ID, &d.SchoolID, &d.Name); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// CreateDepartment adds a department to a school; adding an existing name
// returns the existing one.
func (db *DB) CreateDepartment(ctx context.Context, schoolID int64, name string) (*gongkai.Department, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 40 {
		return nil, &gongkai.Error{Code: gongkai.EINVALID, Message: "请填写处室名称（不超过 40 字）。", Fields: map[string]string{"department": "请填写处室名称（不超过 40 字）。"}}
	}
	if msg := gongkai.CheckText("处室名称", name, false); msg != "" {
		return nil, &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"department": msg}}
	}
	d := &gongkai.Department{SchoolID: schoolID, Name: name}
	err := db.withTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM departments WHERE school_id = $1 AND name = $2`, schoolID, name).Scan(&d.ID)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: find department: %w", err)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO departments (school_id, name) VALUES ($1, $2) RETURNING id`, schoolID, name).Scan(&d.ID)
	})
	return d, err
}

// FindCatalogue returns the school's catalogue in its order.
func (db *DB) FindCatalogue(ctx context.Context, schoolID int64) ([]gongkai.CatalogueItem, error) {
	return readCatalogue(ctx, db.reader(ctx, schoolID), schoolID)
}

// readCatalogue reads a school's catalogue from a pool or a transaction.
func readCatalogue(ctx context.Context, q querier, schoolID int64) ([]gongkai.CatalogueItem, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, school_id, code, name, category, audience, publicity_days, frequency, department, legal_basis, position,
		schedule, due_day, due_month_day, term_due_spring, term_due_autumn, due_workdays, required, roster, roster_fields, takedown, channel
		FROM catalogue_items WHERE school_id = $1 ORDER BY position, id`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: find catalogue of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	var out []gongkai.CatalogueItem
	for rows.Next() {
		var c gongkai.CatalogueItem
		var aud, freq, kind, fields, takedown, channel string
		if err := rows.Scan(&c.ID, &c.SchoolID, &c.Code, &c.Name, &c.Category, &aud, &c.PublicityDays, &c.Frequency, &c.Department, &c.LegalBasis, &c.Position,
			&freq, &c.Schedule.DueDay, &c.Schedule.DueMonthDay, &c.Schedule.TermDue[0], &c.Schedule.TermDue[1], &c.Schedule.DueWorkdays, &c.Required,
			&kind, &fields, &takedown, &channel); err != nil {
			return nil, err
		}
		c.Audience, c.Schedule.Frequency, c.Channel = gongkai.Audience(aud), gongkai.Frequency(freq), gongkai.Channel(channel)
		c.Roster = scanRoster(kind, fields, takedown)
		out = append(out, c)
	}
	return out, rows.Err()
}
