package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gongkai"
)

// errLastPrincipal is returned when a change would leave a school without a
// principal: nobody could then sign off items or manage the school's members.
var errLastPrincipal = &gongkai.Error{Code: gongkai.ECONFLICT, Message: "学校至少要保留一位校长。请先为另一位人员设置校长角色，再修改此人。"}

// ChangeMemberRoles replaces the roles (and department) of a member of the
// school; an empty role list removes them from the school. It returns the
// user, ENOTFOUND when the user is not a member of the school, and ECONFLICT
// when the change would take the school's last principal away.
func (db *DB) ChangeMemberRoles(ctx context.Context, schoolID, userID int64, roles []gongkai.Role, departmentID int64) (*gongkai.User, error) {
	for _, r := range roles {
		if !r.Valid() {
			return nil, &gongkai.Error{Code: gongkai.EINVALID, Message: "角色无效。", Fields: map[string]string{"roles": "角色无效。"}}
		}
	}
	var u *gongkai.User
	err := db.withTx(ctx, func(tx *Tx) error {
		if err := tx.lockSchool(ctx, schoolID); err != nil {
			return err
		}
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("人员")
		}
		if err != nil {
			return fmt.Errorf("store: find user %d: %w", userID, err)
		}
		current, _, err := tx.memberRoles(ctx, schoolID, userID)
		if err != nil {
			return err
		}
		if len(current) == 0 {
			return notFound("人员")
		}
		if err := tx.setMemberRoles(ctx, schoolID, userID, roles, departmentID); err != nil {
			return err
		}
		return tx.keepPrincipal(ctx, schoolID, slices.Contains(current, gongkai.RolePrincipal))
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// AddMemberByUsername gives an existing user roles in the school, merged with
// the roles they already hold there; departmentID 0 keeps their department.
// It returns the user and whether they were a member before, or ENOTFOUND
// (field "username") when nobody has that username.
func (db *DB) AddMemberByUsername(ctx context.Context, schoolID int64, username string, roles []gongkai.Role, departmentID int64) (*gongkai.User, bool, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if len(roles) == 0 {
		return nil, false, &gongkai.Error{Code: gongkai.EINVALID, Message: "请至少选择一个角色。", Fields: map[string]string{"roles": "请至少选择一个角色。"}}
	}
	for _, r := range roles {
		if !r.Valid() {
			return nil, false, &gongkai.Error{Code: gongkai.EINVALID, Message: "角色无效。", Fields: map[string]string{"roles": "角色无效。"}}
		}
	}
	var u *gongkai.User
	var existed bool
	err := db.withTx(ctx, func(tx *Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
		if errors.Is(err, sql.ErrNoRows) {
			return &gongkai.Error{Code: gongkai.ENOTFOUND, Message: "没有这个用户名。", Fields: map[string]string{"username": "没有这个用户名。"}}
		}
		if err != nil {
			return fmt.Errorf("store: find user %q: %w", username, err)
		}
		if err := tx.lockSchool(ctx, schoolID); err != nil {
			return err
		}
		current, dept, err := tx.memberRoles(ctx, schoolID, u.ID)
		if err != nil {
			return err
		}
		existed = len(current) > 0
		if departmentID == 0 {
			departmentID = dept
		}
		merged := append([]gongkai.Role{}, current...)
		for _, r := range roles {
			if !slices.Contains(merged, r) {
				merged = append(merged, r)
			}
		}
		return tx.setMemberRoles(ctx, schoolID, u.ID, merged, departmentID)
	})
	if err != nil {
		return nil, false, err
	}
	return u, existed, nil
}

// lockSchool serialises changes to one school's members on PostgreSQL, so
// that two principals removed at the same moment cannot both see the other
// one still there. SQLite has a single writer already.
func (tx *Tx) lockSchool(ctx context.Context, schoolID int64) error {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM schools WHERE id = $1`+tx.db.dialect.forUpdate(), schoolID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("学校")
	}
	if err != nil {
		return fmt.Errorf("store: lock school %d: %w", schoolID, err)
	}
	return nil
}

// memberRoles returns a user's roles and department in the school.
func (tx *Tx) memberRoles(ctx context.Context, schoolID, userID int64) ([]gongkai.Role, int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT role, COALESCE(department_id, 0) FROM memberships WHERE school_id = $1 AND user_id = $2 ORDER BY role`, schoolID, userID)
	if err != nil {
		return nil, 0, fmt.Errorf("store: roles of user %d: %w", userID, err)
	}
	defer rows.Close()
	var roles []gongkai.Role
	var dept int64
	for rows.Next() {
		var r string
		var d int64
		if err := rows.Scan(&r, &d); err != nil {
			return nil, 0, err
		}
		roles = append(roles, gongkai.Role(r))
		if d != 0 {
			dept = d
		}
	}
	return roles, dept, rows.Err()
}

// keepPrincipal refuses a change that took the school's last principal
// away. A school that had no principal before (one the bureau is still
// setting up) may be changed freely.
func (tx *Tx) keepPrincipal(ctx context.Context, schoolID int64, hadPrincipal bool) error {
	if !hadPrincipal {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE school_id = $1 AND role = $2`, schoolID, string(gongkai.RolePrincipal)).Scan(&n); err != nil {
		return fmt.Errorf("store: count principals: %w", err)
	}
	if n == 0 {
		return errLastPrincipal
	}
	return nil
}
