package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"gongkai"
)

// errLastPrincipal is returned when a change would leave a school without a
// principal: nobody could then sign off items or manage the school's members.
var errLastPrincipal = &gongkai.Error{Code: gongkai.ECONFLICT, Message: "学校至少要保留一位校长。请先为另一位人员设置校长角色，再修改此人。"}

// ChangeMemberRoles replaces the roles (and department) of a member of the
// school; an empty role list removes them from the school. It returns the
// user, ENOTFOUND when the user is not a member of the school, and ECONFLICT
// when the change would take the school's last principal away. The admin
// log records the change (old → new) as done by the actor.
func (db *DB) ChangeMemberRoles(ctx context.Context, schoolID, userID int64, actor *gongkai.Actor, roles []gongkai.Role, departmentID int64) (*gongkai.User, error) {
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
		current, dept, err := tx.memberRoles(ctx, schoolID, userID)
		if err != nil {
			return err
		}
		if len(current) == 0 {
			return notFound("人员")
		}
		if err := tx.setMemberRoles(ctx, schoolID, userID, roles, departmentID); err != nil {
			return err
		}
		if err := tx.keepPrincipal(ctx, schoolID, slices.Contains(current, gongkai.RolePrincipal)); err != nil {
			return err
		}
		oldDept, err := tx.departmentName(ctx, schoolID, dept)
		if err != nil {
			return err
		}
		newDept, err := tx.departmentName(ctx, schoolID, departmentID)
		if err != nil {
			return err
		}
		if len(roles) == 0 {
			newDept = ""
		}
		detail := gongkai.DescribeChanges([]gongkai.Change{
			{Field: "角色", Old: gongkai.RoleLabels(sortRoles(current)), New: gongkai.RoleLabels(sortRoles(roles))},
			{Field: "处室", Old: oldDept, New: newDept},
		})
		if detail == "" {
			return nil // nothing changed, nothing to record
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{SchoolID: schoolID, Action: gongkai.AdminRolesChanged, Subject: memberSubject(u), Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
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
	// A deactivated principal cannot sign in, so does not count.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.school_id = $1 AND m.role = $2 AND NOT u.disabled`, schoolID, string(gongkai.RolePrincipal)).Scan(&n); err != nil {
		return fmt.Errorf("store: count principals: %w", err)
	}
	if n == 0 {
		return errLastPrincipal
	}
	return nil
}

// departmentName returns the name of the school's department, "" for 0.
func (tx *Tx) departmentName(ctx context.Context, schoolID, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	var name string
	err := tx.QueryRowContext(ctx, `SELECT name FROM departments WHERE school_id = $1 AND id = $2`, schoolID, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: department %d: %w", id, err)
	}
	return name, nil
}
