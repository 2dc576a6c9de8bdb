package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/auth"
)

// The bureau's registry of its schools: registration by form, API or the
// county's school list, changes, deactivation and reactivation, and the
// profile the principal keeps. Every change writes the admin log in its
// own transaction.

// canAdmin allows the bureau's administrator, and the command line (nil).
func canAdmin(actor *gongkai.Actor, bureauID int64) error {
	if actor != nil && !gongkai.CanAdminBureau(actor, bureauID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "只有教育局管理员可以管理学校。")
	}
	return nil
}

// schoolConflicts returns a message per field for a slug, 学校标识码 or
// 统一社会信用代码 that another school already has (slugs everywhere, codes
// within the bureau). exceptID is the school being changed.
func schoolConflicts(ctx context.Context, q querier, s *gongkai.School, exceptID int64) (gongkai.FieldErrors, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, bureau_id, name, slug, code, credit_code FROM schools
		WHERE slug = $1 OR (bureau_id = $2 AND ((code <> '' AND code = $3) OR (credit_code <> '' AND credit_code = $4)))`,
		s.Slug, s.BureauID, s.Code, s.CreditCode)
	if err != nil {
		return nil, fmt.Errorf("store: school conflicts: %w", err)
	}
	defer rows.Close()
	fe := gongkai.FieldErrors{}
	for rows.Next() {
		var id, bureau int64
		var name, slug, code, credit string
		if err := rows.Scan(&id, &bureau, &name, &slug, &code, &credit); err != nil {
			return nil, err
		}
		if id == exceptID {
			continue
		}
		if slug == s.Slug {
			if bureau == s.BureauID {
				fe.Add("slug", fmt.Sprintf("网址名“%s”已被%s使用，请换一个。", slug, name))
			} else {
				fe.Add("slug", fmt.Sprintf("网址名“%s”已被使用，请换一个。", slug))
			}
		}
		if bureau == s.BureauID && s.Code != "" && code == s.Code {
			fe.Add("code", fmt.Sprintf("学校标识码 %s 已登记为%s，请核对。", code, name))
		}
		if bureau == s.BureauID && s.CreditCode != "" && credit == s.CreditCode {
			fe.Add("credit_code", fmt.Sprintf("统一社会信用代码 %s 已登记为%s，请核对。", credit, name))
		}
	}
	return fe, rows.Err()
}

func conflictError(fe gongkai.FieldErrors) error {
	if len(fe) == 0 {
		return nil
	}
	msgs := make([]string, 0, len(fe))
	for _, k := range []string{"slug", "code", "credit_code"} {
		if m := fe[k]; m != "" {
			msgs = append(msgs, m)
		}
	}
	return &gongkai.Error{Code: gongkai.ECONFLICT, Message: strings.Join(msgs, " "), Fields: fe}
}

// withConflicts adds to a validation error the fields whose values another
// school has, so that a form shows every problem at once.
func withConflicts(ctx context.Context, q querier, s *gongkai.School, exceptID int64, invalid error) error {
	fe, err := schoolConflicts(ctx, q, s, exceptID)
	if err != nil {
		return err
	}
	for k, v := range gongkai.ErrorFields(invalid) {
		fe[k] = v
	}
	return &gongkai.Error{Code: gongkai.EINVALID, Message: gongkai.ErrorMessage(invalid), Fields: fe}
}

// RegisterSchool adds a school of the bureau (by the bureau's form or the
// API): the school, its departments, the default catalogue, the bureau's
// required items and the obligations of the coming months, with the admin
// log entry, in one transaction. It returns EINVALID with field messages,
// ECONFLICT (fields slug, code, credit_code) for a value another school
// has, and EFORBIDDEN unless the actor administers the bureau.
func (db *DB) RegisterSchool(ctx context.Context, actor *gongkai.Actor, s *gongkai.School) error {
	if err := canAdmin(actor, s.BureauID); err != nil {
		return err
	}
	s.Normalize()
	if err := s.ValidateRegistration(); err != nil {
		return withConflicts(ctx, db.read, s, 0, err)
	}
	b, err := db.FindBureauByID(ctx, s.BureauID)
	if err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		fe, err := schoolConflicts(ctx, tx, s, 0)
		if err != nil {
			return err
		}
		if err := conflictError(fe); err != nil {
			return err
		}
		return tx.registerSchool(ctx, actor, b, s, gongkai.AdminSchoolCreated, "")
	})
}

func (tx *Tx) registerSchool(ctx context.Context, actor *gongkai.Actor, b *gongkai.Bureau, s *gongkai.School, action gongkai.AdminAction, extra string) error {
	if err := tx.insertSchool(ctx, s, gongkai.DefaultDepartments(s.Stage)); err != nil {
		return err
	}
	s.BureauName, s.RegionCode, s.Bureau = b.Name, b.RegionCode, *b
	if err := tx.ensureObligationsAhead(ctx, s.ID, b.RegionCode); err != nil {
		return err
	}
	detail := gongkai.DescribeChanges(gongkai.RegistrationChanges(&gongkai.School{}, s))
	if extra != "" {
		detail += "\n" + extra
	}
	return tx.logAdmin(ctx, actor, gongkai.AdminEntry{BureauID: s.BureauID, SchoolID: s.ID, Action: action, Subject: s.Name, Detail: detail})
}

// lockSchoolRow reads a school for a change, locked on PostgreSQL.
func (tx *Tx) lockSchoolRow(ctx context.Context, schoolID int64) (*gongkai.School, error) {
	if err := tx.lockSchool(ctx, schoolID); err != nil {
		return nil, err
	}
	s, err := scanSchool(tx.QueryRowContext(ctx, `SELECT `+schoolColumns+` FROM schools s JOIN bureaus b ON b.id = s.bureau_id WHERE s.id = $1`, schoolID))
	if err != nil {
		return nil, fmt.Errorf("store: read school %d: %w", schoolID, err)
	}
	return s, nil
}

// UpdateSchool changes the bureau's fields of a school (name, full name,
// slug, codes, stage, address, 监督电话) to those of upd, and writes what
// changed to the admin log. It returns the school as saved, and the errors
// of RegisterSchool; ENOTFOUND for a school of another bureau.
func (db *DB) UpdateSchool(ctx context.Context, actor *gongkai.Actor, bureauID, schoolID int64, upd *gongkai.School) (*gongkai.School, error) {
	if err := canAdmin(actor, bureauID); err != nil {
		return nil, err
	}
	var saved *gongkai.School
	err := db.withTx(ctx, func(tx *Tx) error {
		old, err := tx.lockSchoolRow(ctx, schoolID)
		if gongkai.ErrorCode(err) == gongkai.ENOTFOUND || (err == nil && old.BureauID != bureauID) {
			return notFound("学校")
		}
		if err != nil {
			return err
		}
		s := *old
		s.Name, s.FullName, s.Slug, s.Code, s.CreditCode, s.Stage, s.Address, s.Phone =
			upd.Name, upd.FullName, upd.Slug, upd.Code, upd.CreditCode, upd.Stage, upd.Address, upd.Phone
		s.Normalize()
		if err := s.ValidateRegistration(); err != nil {
			return withConflicts(ctx, tx, &s, s.ID, err)
		}
		fe, err := schoolConflicts(ctx, tx, &s, s.ID)
		if err != nil {
			return err
		}
		if err := conflictError(fe); err != nil {
			return err
		}
		saved = &s
		detail := gongkai.DescribeChanges(gongkai.RegistrationChanges(old, &s))
		if detail == "" {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE schools SET name = $1, full_name = $2, slug = $3, code = $4, credit_code = $5, stage = $6, address = $7, phone = $8
			WHERE id = $9`, s.Name, s.FullName, s.Slug, s.Code, s.CreditCode, s.Stage, s.Address, s.Phone, s.ID)
		if isUniqueViolation(err) {
			return schoolConflict(err)
		}
		if err != nil {
			return fmt.Errorf("store: update school %d: %w", s.ID, err)
		}
		if err := tx.touch(ctx, s.ID); err != nil {
			return err
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{BureauID: s.BureauID, SchoolID: s.ID, Action: gongkai.AdminSchoolUpdated, Subject: s.Name, Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return saved, nil
}

// SetSchoolActive deactivates (active false) or reactivates a school of the
// bureau, by the rules of gongkai.School.Allows: on deactivation the open
// obligations it will not meet are dropped (gongkai.DropOnDeactivate); on
// reactivation those of the coming months are created. The reason, when
// given, goes to the admin log. It returns ECONFLICT when the school is
// already in that state.
func (db *DB) SetSchoolActive(ctx context.Context, actor *gongkai.Actor, bureauID, schoolID int64, active bool, reason string) (*gongkai.School, error) {
	if err := canAdmin(actor, bureauID); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 200 {
		return nil, &gongkai.Error{Code: gongkai.EINVALID, Message: "说明不超过 200 字。", Fields: map[string]string{"reason": "说明不超过 200 字。"}}
	}
	if msg := gongkai.CheckText("说明", reason, true); msg != "" {
		return nil, &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"reason": msg}}
	}
	var s *gongkai.School
	err := db.withTx(ctx, func(tx *Tx) error {
		var err error
		s, err = tx.lockSchoolRow(ctx, schoolID)
		if gongkai.ErrorCode(err) == gongkai.ENOTFOUND || (err == nil && s.BureauID != bureauID) {
			return notFound("学校")
		}
		if err != nil {
			return err
		}
		action := gongkai.AdminSchoolReactivate
		if active {
			if err := s.CheckReactivate(); err != nil {
				return err
			}
			s.DeactivatedAt = time.Time{}
		} else {
			if err := s.CheckDeactivate(); err != nil {
				return err
			}
			action, s.DeactivatedAt = gongkai.AdminSchoolDeactivate, tx.Now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE schools SET deactivated_at = $1 WHERE id = $2`, ms(s.DeactivatedAt), s.ID); err != nil {
			return fmt.Errorf("store: set school %d active: %w", s.ID, err)
		}
		if active {
			if err := tx.ensureObligationsAhead(ctx, s.ID, s.RegionCode); err != nil {
				return err
			}
		} else if err := tx.dropObligations(ctx, s.ID, formatDay(tx.Now)); err != nil {
			return err
		}
		if err := tx.touch(ctx, s.ID); err != nil {
			return err
		}
		detail := ""
		if reason != "" {
			detail = "说明：" + reason
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{BureauID: s.BureauID, SchoolID: s.ID, Action: action, Subject: s.Name, Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// dropObligations deletes the school's obligations that gongkai.DropOnDeactivate
// lets go, except one a supervision order names.
func (tx *Tx) dropObligations(ctx context.Context, schoolID int64, day string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, due, met_at, waived, COALESCE(event_id, 0) FROM obligations
		WHERE school_id = $1 AND id NOT IN (SELECT obligation_id FROM orders WHERE obligation_id IS NOT NULL)`, schoolID)
	if err != nil {
		return fmt.Errorf("store: obligations of school %d: %w", schoolID, err)
	}
	var drop []int64
	for rows.Next() {
		var id, met, event int64
		var due string
		var waived bool
		if err := rows.Scan(&id, &due, &met, &waived, &event); err != nil {
			rows.Close()
			return err
		}
		if gongkai.DropOnDeactivate(due, day, met != 0, waived, event != 0) {
			drop = append(drop, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range drop {
		if _, err := tx.ExecContext(ctx, `DELETE FROM obligations WHERE school_id = $1 AND id = $2`, schoolID, id); err != nil {
			return fmt.Errorf("store: drop obligation %d: %w", id, err)
		}
	}
	return nil
}

// SchoolProfile is what a school publishes of itself, kept by its principal
// (or the bureau's administrator).
type SchoolProfile struct {
	FullName       string
	Address        string
	Phone          string // 监督电话
	AdmissionPhone string // 招生咨询
	AidPhone       string // 资助热线
	OfficeHours    string
	Guide          string // 便民办事指南, Markdown
}

// UpdateSchoolProfile saves the school's profile, writes what changed to
// the admin log and drops the school's cached pages. It returns EINVALID
// with field messages, EFORBIDDEN unless the actor manages the school.
func (db *DB) UpdateSchoolProfile(ctx context.Context, actor *gongkai.Actor, schoolID int64, p SchoolProfile) (*gongkai.School, error) {
	var saved *gongkai.School
	err := db.withTx(ctx, func(tx *Tx) error {
		old, err := tx.lockSchoolRow(ctx, schoolID)
		if err != nil {
			return err
		}
		if !gongkai.CanManageSchool(actor, old.BureauID, old.ID) {
			return gongkai.Errorf(gongkai.EFORBIDDEN, "只有校长或教育局管理员可以修改学校信息。")
		}
		s := *old
		s.FullName, s.Address, s.Phone, s.AdmissionPhone, s.AidPhone, s.OfficeHours, s.Guide =
			p.FullName, p.Address, p.Phone, p.AdmissionPhone, p.AidPhone, p.OfficeHours, strings.TrimSpace(strings.ReplaceAll(p.Guide, "\r\n", "\n"))
		s.Normalize()
		if err := s.Validate(); err != nil {
			return err
		}
		saved = &s
		detail := gongkai.DescribeChanges(gongkai.ProfileChanges(old, &s))
		if detail == "" {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE schools SET full_name = $1, address = $2, phone = $3, admission_phone = $4, aid_phone = $5, office_hours = $6, guide = $7
			WHERE id = $8`, s.FullName, s.Address, s.Phone, s.AdmissionPhone, s.AidPhone, s.OfficeHours, s.Guide, s.ID); err != nil {
			return fmt.Errorf("store: update profile of school %d: %w", s.ID, err)
		}
		if err := tx.touch(ctx, s.ID); err != nil {
			return err
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{BureauID: s.BureauID, SchoolID: s.ID, Action: gongkai.AdminSchoolUpdated, Subject: s.Name, Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return saved, nil
}

// FindActiveSchools returns the schools of a bureau (every bureau when
// bureauID is 0) that are listed: not deactivated.
func (db *DB) FindActiveSchools(ctx context.Context, bureauID int64) ([]*gongkai.School, error) {
	all, err := db.FindSchools(ctx, bureauID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(s *gongkai.School) bool { return !s.Allows(gongkai.UseListed) }), nil
}

// ---- The county's school list ------------------------------------------

// CheckSchoolList returns, per row of the list, a message per field for a
// slug, 学校标识码 or 统一社会信用代码 that a school of the database already
// has. Duplicates within the list are the sheet's to find.
func (db *DB) CheckSchoolList(ctx context.Context, actor *gongkai.Actor, bureauID int64, rows []gongkai.SchoolListRow) (map[int]gongkai.FieldErrors, error) {
	var out map[int]gongkai.FieldErrors
	err := db.withTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.checkSchoolList(ctx, actor, bureauID, rows)
		return err
	})
	return out, err
}

// checkSchoolList also names, under principal_username, an existing account
// that the actor may not make a principal (gongkai.CheckAttachAccount).
func (tx *Tx) checkSchoolList(ctx context.Context, actor *gongkai.Actor, bureauID int64, rows []gongkai.SchoolListRow) (map[int]gongkai.FieldErrors, error) {
	out := map[int]gongkai.FieldErrors{}
	for _, r := range rows {
		s := r.School
		s.BureauID = bureauID
		fe, err := schoolConflicts(ctx, tx, &s, 0)
		if err != nil {
			return nil, err
		}
		if r.PrincipalUsername != "" {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, r.PrincipalUsername).Scan(&id)
			switch {
			case err == nil:
				if err := tx.checkAttach(ctx, 0, bureauID, actor, id); err != nil {
					msg := gongkai.ErrorFields(err)["username"]
					if msg == "" {
						return nil, err
					}
					if fe == nil {
						fe = gongkai.FieldErrors{}
					}
					fe.Add("principal_username", msg)
				}
			case !errors.Is(err, sql.ErrNoRows):
				return nil, fmt.Errorf("store: find user %q: %w", r.PrincipalUsername, err)
			}
		}
		if len(fe) > 0 {
			out[r.Row] = fe
		}
	}
	return out, nil
}

// ImportedSchool is one school an import created.
type ImportedSchool struct {
	School       *gongkai.School
	Principal    string // username, "" when the row named none
	NewPrincipal bool   // a new account, without a usable password yet
}

// ImportSchools registers every school of the list in one transaction, as
// RegisterSchool does each, and makes the named principals: an existing
// username becomes principal of the school, a new one is created with a
// random unusable password (the bureau then gives a one-time link to set
// it). Nothing is imported when any row fails: the error is EINVALID with
// the problems by row. staged, when not "", is the token of the uploaded
// file (StageSchoolImport), used up in the same transaction so that a
// second confirmation imports nothing twice.
func (db *DB) ImportSchools(ctx context.Context, actor *gongkai.Actor, bureauID int64, rows []gongkai.SchoolListRow, staged string) ([]ImportedSchool, error) {
	if err := canAdmin(actor, bureauID); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, gongkai.Errorf(gongkai.EINVALID, "名单中没有学校。")
	}
	b, err := db.FindBureauByID(ctx, bureauID)
	if err != nil {
		return nil, err
	}
	problems := gongkai.CheckSchoolList(bureauID, rows)
	if len(problems) > 0 {
		return nil, gongkai.Errorf(gongkai.EINVALID, "%s", strings.Join(problems, "；"))
	}
	var out []ImportedSchool
	err = db.withTx(ctx, func(tx *Tx) error {
		if staged != "" {
			res, err := tx.ExecContext(ctx, `DELETE FROM school_imports WHERE token_hash = $1 AND bureau_id = $2`, auth.HashToken(staged), bureauID)
			if err != nil {
				return fmt.Errorf("store: use staged import: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return gongkai.Errorf(gongkai.ECONFLICT, "这份名单已经导入，或上传已超过一天。请重新上传。")
			}
		}
		conflicts, err := tx.checkSchoolList(ctx, actor, bureauID, rows)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if fe := conflicts[r.Row]; len(fe) > 0 {
				problems = append(problems, gongkai.SchoolListProblem(r.Row, fe))
			}
		}
		if len(problems) > 0 {
			return gongkai.Errorf(gongkai.EINVALID, "%s", strings.Join(problems, "；"))
		}
		for _, r := range rows {
			s := r.School
			im := ImportedSchool{School: &s}
			extra := ""
			if r.PrincipalUsername != "" {
				name, isNew, err := tx.makePrincipal(ctx, actor, &s, r.PrincipalName, r.PrincipalUsername)
				if err != nil {
					return fmt.Errorf("第%d行：%w", r.Row, err)
				}
				im.Principal, im.NewPrincipal = r.PrincipalUsername, isNew
				extra = "校长：" + name + "（" + r.PrincipalUsername + "）"
			}
			if err := tx.registerSchool(ctx, actor, b, &s, gongkai.AdminSchoolsImported, extra); err != nil {
				return err
			}
			if r.PrincipalUsername != "" {
				if err := tx.setPrincipal(ctx, s.ID, r.PrincipalUsername); err != nil {
					return err
				}
			}
			out = append(out, im)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// makePrincipal finds or creates the account of a school's principal before
// the school exists; setPrincipal then gives the role.
func (tx *Tx) makePrincipal(ctx context.Context, actor *gongkai.Actor, s *gongkai.School, name, username string) (string, bool, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
	if err == nil {
		if err := tx.checkAttach(ctx, 0, s.BureauID, actor, u.ID); err != nil {
			return "", false, err
		}
		return u.DisplayName, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("store: find user %q: %w", username, err)
	}
	u = &gongkai.User{Username: username, DisplayName: strings.TrimSpace(name)}
	if err := tx.createUser(ctx, u, unusablePassword()); err != nil {
		return "", false, err
	}
	return u.DisplayName, true, nil
}

func (tx *Tx) setPrincipal(ctx context.Context, schoolID int64, username string) error {
	var userID int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, username).Scan(&userID); err != nil {
		return fmt.Errorf("store: principal %q: %w", username, err)
	}
	current, dept, err := tx.memberRoles(ctx, schoolID, userID)
	if err != nil {
		return err
	}
	roles := append([]gongkai.Role{}, current...)
	for _, r := range []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleLeader} {
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	return tx.setMemberRoles(ctx, schoolID, userID, roles, dept)
}

// unusablePassword is the stored password of an account made for someone
// who has not set one: random, and not in the form of a hash, so that no
// password ever matches it.
func unusablePassword() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "!unset!" + hex.EncodeToString(b)
}

// ---- Uploaded lists between preview and confirmation ---------------------

// schoolImportTTL is how long an uploaded list waits for its confirmation.
// It holds principals' names, so it is kept no longer: housekeeping deletes
// it within a minute of its day (DeleteExpiredSchoolImports).
const schoolImportTTL = 24 * time.Hour

// DeleteExpiredSchoolImports deletes the uploaded school lists older than
// a day, confirmed or not, and returns how many.
func (db *DB) DeleteExpiredSchoolImports(ctx context.Context) (int64, error) {
	var n int64
	err := db.withTx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.deleteExpiredSchoolImports(ctx)
		return err
	})
	return n, err
}

func (tx *Tx) deleteExpiredSchoolImports(ctx context.Context) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM school_imports WHERE created_at < $1`, ms(tx.Now.Add(-schoolImportTTL)))
	if err != nil {
		return 0, fmt.Errorf("store: expire staged imports: %w", err)
	}
	return res.RowsAffected()
}

// StageSchoolImport keeps an uploaded school list until the administrator
// confirms its preview, and returns the token that names it. The row lives
// in the database, so the confirmation may reach any node; lists older than
// a day are deleted here and by housekeeping.
func (db *DB) StageSchoolImport(ctx context.Context, bureauID, actorID int64, filename string, data []byte) (token string, err error) {
	token, hash := auth.NewToken()
	sum := sha256.Sum256(data)
	err = db.withTx(ctx, func(tx *Tx) error {
		if _, err := tx.deleteExpiredSchoolImports(ctx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO school_imports (token_hash, bureau_id, actor_id, filename, sha256, data, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, hash, bureauID, actorID, filename, hex.EncodeToString(sum[:]), data, ms(tx.Now))
		if err != nil {
			return fmt.Errorf("store: stage import: %w", err)
		}
		return nil
	})
	return token, err
}

// StagedImport is an uploaded school list waiting for confirmation.
type StagedImport struct {
	Filename string
	SHA256   string
	Data     []byte
}

// FindSchoolImport returns the staged list of the token, uploaded by the
// actor for the bureau within the last day, or ENOTFOUND.
func (db *DB) FindSchoolImport(ctx context.Context, bureauID, actorID int64, token string) (*StagedImport, error) {
	var st StagedImport
	err := db.write.QueryRowContext(ctx, `SELECT filename, sha256, data FROM school_imports
		WHERE token_hash = $1 AND bureau_id = $2 AND actor_id = $3 AND created_at >= $4`,
		auth.HashToken(token), bureauID, actorID, ms(db.Now().Add(-schoolImportTTL))).Scan(&st.Filename, &st.SHA256, &st.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "这份名单已经导入，或上传已超过一天。请重新上传。")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find staged import: %w", err)
	}
	return &st, nil
}

// checkUse refuses, inside a write, what a deactivated school no longer
// takes in (gongkai.School.Allows).
func (tx *Tx) checkUse(ctx context.Context, schoolID int64, use gongkai.SchoolUse) error {
	var deactivated int64
	var name, bureau string
	err := tx.QueryRowContext(ctx, `SELECT s.deactivated_at, s.name, b.name FROM schools s JOIN bureaus b ON b.id = s.bureau_id WHERE s.id = $1`, schoolID).Scan(&deactivated, &name, &bureau)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("学校")
	}
	if err != nil {
		return fmt.Errorf("store: school %d: %w", schoolID, err)
	}
	s := gongkai.School{Name: name, BureauName: bureau, DeactivatedAt: fromMS(deactivated)}
	return s.Refusal(use)
}

// FindPrincipals returns the principal (name, username) of each school of
// the bureau, by school id: the first one where a school has several. A
// deactivated account is nobody's principal any more and is left out.
func (db *DB) FindPrincipals(ctx context.Context, bureauID int64) (map[int64][2]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT m.school_id, u.display_name, u.username FROM memberships m
		JOIN users u ON u.id = m.user_id JOIN schools s ON s.id = m.school_id
		WHERE s.bureau_id = $1 AND m.role = $2 AND NOT u.disabled ORDER BY m.school_id, u.id`, bureauID, string(gongkai.RolePrincipal))
	if err != nil {
		return nil, fmt.Errorf("store: principals of bureau %d: %w", bureauID, err)
	}
	defer rows.Close()
	out := map[int64][2]string{}
	for rows.Next() {
		var id int64
		var name, username string
		if err := rows.Scan(&id, &name, &username); err != nil {
			return nil, err
		}
		if _, ok := out[id]; !ok {
			out[id] = [2]string{name, username}
		}
	}
	return out, rows.Err()
}
