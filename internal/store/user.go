package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gongkai"
)

const userColumns = `id, username, display_name, email, COALESCE(bureau_id, 0), bureau_role, disabled, created_at`

func scanUser(sc interface{ Scan(...any) error }, extra ...any) (*gongkai.User, error) {
	var u gongkai.User
	var role string
	var created int64
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.BureauID, &role, &u.Disabled, &created}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	u.BureauRole = gongkai.Role(role)
	u.CreatedAt = fromMS(created)
	return &u, nil
}

// CreateUser adds a user with an already hashed password.
func (db *DB) CreateUser(ctx context.Context, u *gongkai.User, passwordHash string) error {
	fe := gongkai.FieldErrors{}
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	if msg := gongkai.ValidateUsername(u.Username); msg != "" {
		fe.Add("username", msg)
	}
	if msg := gongkai.ValidateDisplayName(u.DisplayName); msg != "" {
		fe.Add("display_name", msg)
	}
	if u.BureauRole != "" && (!u.BureauRole.ValidBureau() || u.BureauID == 0) {
		fe.Add("bureau_role", "教育局角色无效。")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error { return tx.createUser(ctx, u, passwordHash) })
}

func (tx *Tx) createUser(ctx context.Context, u *gongkai.User, passwordHash string) error {
	// Every path that makes an account checks the name first; this is the
	// last guard, so that no database is sent a name the other would refuse.
	if msg := gongkai.ValidateDisplayName(u.DisplayName); msg != "" {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"display_name": msg}}
	}
	if msg := gongkai.ValidateUsername(u.Username); msg != "" {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"username": msg}}
	}
	u.CreatedAt = tx.Now
	err := tx.QueryRowContext(ctx, `INSERT INTO users (username, display_name, email, password_hash, bureau_id, bureau_role, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		u.Username, u.DisplayName, u.Email, passwordHash, nullID(u.BureauID), string(u.BureauRole), ms(tx.Now)).Scan(&u.ID)
	if isUniqueViolation(err) {
		return &gongkai.Error{Code: gongkai.ECONFLICT, Message: "用户名已被使用。", Fields: map[string]string{"username": "用户名已被使用，请换一个。"}}
	}
	if err != nil {
		return fmt.Errorf("store: create user %q: %w", u.Username, err)
	}
	return nil
}

// FindUserByID returns a user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*gongkai.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("用户")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find user %d: %w", id, err)
	}
	return u, nil
}

// FindUserForLogin returns the user with the username and its password hash.
func (db *DB) FindUserForLogin(ctx context.Context, username string) (*gongkai.User, string, error) {
	var hash string
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE username = $1`,
		strings.ToLower(strings.TrimSpace(username))), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", notFound("用户")
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: find user %q: %w", username, err)
	}
	return u, hash, nil
}

// UpdatePassword replaces a user's password hash and ends every other
// session of the user, so a changed password locks out whoever knew the old.
func (db *DB) UpdatePassword(ctx context.Context, userID int64, passwordHash, keepSessionHash string) error {
	return db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, passwordHash, userID)
		if err != nil {
			return fmt.Errorf("store: update password of user %d: %w", userID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("用户")
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, userID, keepSessionHash)
		return err
	})
}

// LoadActor returns the user with their memberships and the bureaus of the
// schools they may see, as permission checks need them.
func (db *DB) LoadActor(ctx context.Context, userID int64) (*gongkai.Actor, error) {
	a, err := db.loadActor(ctx, `FROM users u`+actorJoins+` WHERE u.id = $1`+actorOrder, userID)
	if a == nil && err == nil {
		return nil, notFound("用户")
	}
	return a, err
}

// LoadSessionActor returns the user of a live session of the kind, with
// their memberships, as LoadActor does: one round trip, where every
// signed-in request starts. ENOTFOUND: no such live session.
// EUNAUTHENTICATED: the user is disabled.
func (db *DB) LoadSessionActor(ctx context.Context, tokenHash, kind string) (*gongkai.Actor, error) {
	a, err := db.loadActor(ctx, `FROM sessions se JOIN users u ON u.id = se.user_id`+actorJoins+`
		WHERE se.token_hash = $1 AND se.kind = $2 AND se.expires_at > $3`+actorOrder, tokenHash, kind, ms(db.Now()))
	if a == nil && err == nil {
		return nil, notFound("会话")
	}
	return a, err
}

const (
	actorColumns = `SELECT u.id, u.username, u.display_name, u.email, COALESCE(u.bureau_id, 0), u.bureau_role, u.disabled, u.created_at,
		COALESCE(m.school_id, 0), COALESCE(m.role, ''), COALESCE(m.department_id, 0), COALESCE(s.bureau_id, 0) `
	actorJoins = ` LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN schools s ON s.id = m.school_id`
	actorOrder = ` ORDER BY m.school_id, m.role`
)

// loadActor reads a user and their memberships, a row per membership (one
// row without any), from the FROM and WHERE in from; nil when no row.
func (db *DB) loadActor(ctx context.Context, from string, args ...any) (*gongkai.Actor, error) {
	rows, err := db.read.QueryContext(ctx, actorColumns+from, args...)
	if err != nil {
		return nil, fmt.Errorf("store: load user: %w", err)
	}
	defer rows.Close()
	var a *gongkai.Actor
	for rows.Next() {
		var m gongkai.Membership
		var role string
		var bureau int64
		u, err := scanUser(rows, &m.SchoolID, &role, &m.DepartmentID, &bureau)
		if err != nil {
			return nil, fmt.Errorf("store: load user: %w", err)
		}
		if a == nil {
			a = &gongkai.Actor{User: *u, SchoolBureau: map[int64]int64{}}
		}
		if m.SchoolID != 0 {
			m.UserID, m.Role = u.ID, gongkai.Role(role)
			a.Memberships = append(a.Memberships, m)
			a.SchoolBureau[m.SchoolID] = bureau
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load user: %w", err)
	}
	if a != nil && a.Disabled {
		return nil, gongkai.Errorf(gongkai.EUNAUTHENTICATED, "该账号已停用。")
	}
	return a, nil
}

// FindMembers returns the members of a school with their roles, by name.
func (db *DB) FindMembers(ctx context.Context, schoolID int64) ([]*gongkai.Member, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT u.id, u.username, u.display_name, u.email, COALESCE(u.bureau_id, 0), u.bureau_role, u.disabled, u.created_at,
		m.role, COALESCE(m.department_id, 0), COALESCE(d.name, ''),
		CASE WHEN u.password_hash = '' OR u.password_hash LIKE '!unset!%' THEN 1 ELSE 0 END
		FROM memberships m JOIN users u ON u.id = m.user_id LEFT JOIN departments d ON d.id = m.department_id
		WHERE m.school_id = $1 ORDER BY u.id, m.role`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: find members of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	var out []*gongkai.Member
	for rows.Next() {
		var role, dept string
		var deptID, noPassword int64
		u, err := scanUser(rows, &role, &deptID, &dept, &noPassword)
		if err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].User.ID == u.ID {
			out[n-1].Roles = append(out[n-1].Roles, gongkai.Role(role))
			if deptID != 0 {
				out[n-1].DepartmentID, out[n-1].Department = deptID, dept
			}
			continue
		}
		out = append(out, &gongkai.Member{User: *u, Roles: []gongkai.Role{gongkai.Role(role)}, DepartmentID: deptID, Department: dept, NoPassword: noPassword == 1})
	}
	return out, rows.Err()
}

// SetMemberRoles replaces the user's roles (and department) in the school.
// An empty role list removes the user from the school.
func (db *DB) SetMemberRoles(ctx context.Context, schoolID, userID int64, roles []gongkai.Role, departmentID int64) error {
	for _, r := range roles {
		if !r.Valid() {
			return &gongkai.Error{Code: gongkai.EINVALID, Message: "角色无效。", Fields: map[string]string{"roles": "角色无效。"}}
		}
	}
	return db.withTx(ctx, func(tx *Tx) error { return tx.setMemberRoles(ctx, schoolID, userID, roles, departmentID) })
}

func (tx *Tx) setMemberRoles(ctx context.Context, schoolID, userID int64, roles []gongkai.Role, departmentID int64) error {
	if departmentID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM departments WHERE school_id = $1 AND id = $2`, schoolID, departmentID).Scan(&n); err != nil {
			return fmt.Errorf("store: check department: %w", err)
		}
		if n == 0 {
			return &gongkai.Error{Code: gongkai.EINVALID, Message: "处室无效。", Fields: map[string]string{"department": "处室无效。"}}
		}
	}
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1`, userID).Scan(&exists); err != nil {
		return err
	}
	if exists == 0 {
		return notFound("用户")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE school_id = $1 AND user_id = $2`, schoolID, userID); err != nil {
		return fmt.Errorf("store: clear roles: %w", err)
	}
	seen := map[gongkai.Role]bool{}
	for _, r := range roles {
		if seen[r] {
			continue
		}
		seen[r] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (school_id, user_id, role, department_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
			schoolID, userID, string(r), nullID(departmentID), ms(tx.Now)); err != nil {
			return fmt.Errorf("store: add role %s: %w", r, err)
		}
	}
	return nil
}

// CreateMember creates a user and gives them roles in the school in one
// transaction.
func (db *DB) CreateMember(ctx context.Context, schoolID int64, u *gongkai.User, passwordHash string, roles []gongkai.Role, departmentID int64) error {
	fe := gongkai.FieldErrors{}
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	if msg := gongkai.ValidateUsername(u.Username); msg != "" {
		fe.Add("username", msg)
	}
	if msg := gongkai.ValidateDisplayName(u.DisplayName); msg != "" {
		fe.Add("display_name", msg)
	}
	if len(roles) == 0 {
		fe.Add("roles", "请至少选择一个角色。")
	}
	for _, r := range roles {
		if !r.Valid() {
			fe.Add("roles", "角色无效。")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if err := tx.createUser(ctx, u, passwordHash); err != nil {
			return err
		}
		return tx.setMemberRoles(ctx, schoolID, u.ID, roles, departmentID)
	})
}
