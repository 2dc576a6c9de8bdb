package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/auth"
)

// StaffInvitation is a one-use link for a member of staff to join a school
// with roles (and a department) chosen in advance.
type StaffInvitation struct {
	ID            int64
	SchoolID      int64
	Label         string // for whom, e.g. 新任会计 王老师
	Roles         []gongkai.Role
	DepartmentID  int64
	Department    string
	CreatedByName string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	UsedAt        time.Time // zero until used
	UsedByName    string
}

// Used reports whether the invitation was used.
func (i *StaffInvitation) Used() bool { return !i.UsedAt.IsZero() }

func joinRoles(roles []gongkai.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func splitRoles(s string) []gongkai.Role {
	var out []gongkai.Role
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			out = append(out, gongkai.Role(r))
		}
	}
	return out
}

// CreateStaffInvitation makes a staff invitation of the school, valid for
// gongkai.StaffInvitationTTL and one use, and returns it with its raw
// token (only the hash is kept, so the link is shown once). Field errors:
// label, roles, department.
func (db *DB) CreateStaffInvitation(ctx context.Context, schoolID int64, actor *gongkai.Actor, label string, roles []gongkai.Role, departmentID int64) (*StaffInvitation, string, error) {
	label = strings.TrimSpace(label)
	fe := gongkai.FieldErrors{}
	if utf8.RuneCountInString(label) > 40 {
		fe.Add("label", "备注不超过 40 字。")
	} else if msg := gongkai.CheckText("备注", label, false); msg != "" {
		fe.Add("label", msg)
	}
	if len(roles) == 0 {
		fe.Add("roles", "请至少选择一个角色。")
	}
	for _, r := range roles {
		if !r.Valid() || r == gongkai.RoleParent {
			fe.Add("roles", "教职工邀请链接不能用于家长；家长请用班级邀请码加入。")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	inv := &StaffInvitation{SchoolID: schoolID, Label: label, Roles: sortRoles(roles), DepartmentID: departmentID}
	var token string
	err := db.withTx(ctx, func(tx *Tx) error {
		if err := tx.checkUse(ctx, schoolID, gongkai.UseInvitations); err != nil {
			return err
		}
		var err error
		if inv.Department, err = tx.departmentName(ctx, schoolID, departmentID); err != nil {
			return err
		}
		if departmentID != 0 && inv.Department == "" {
			return &gongkai.Error{Code: gongkai.EINVALID, Message: "处室无效。", Fields: map[string]string{"department": "处室无效。"}}
		}
		var hash string
		token, hash = auth.NewToken()
		inv.CreatedAt, inv.ExpiresAt = tx.Now, tx.Now.Add(gongkai.StaffInvitationTTL)
		if actor != nil {
			inv.CreatedByName = actor.DisplayName
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO staff_invitations (school_id, token_hash, label, roles, department_id, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			schoolID, hash, label, joinRoles(inv.Roles), nullID(departmentID), nullID(actorID(actor)), ms(inv.CreatedAt), ms(inv.ExpiresAt)).Scan(&inv.ID); err != nil {
			return fmt.Errorf("store: create staff invitation: %w", err)
		}
		subject := label
		if subject == "" {
			subject = "教职工邀请链接"
		}
		detail := "角色：" + gongkai.RoleLabels(inv.Roles)
		if inv.Department != "" {
			detail += "\n处室：" + inv.Department
		}
		detail += "\n有效期至 " + inv.ExpiresAt.In(gongkai.Beijing).Format("2006-01-02 15:04") + "，限用一次"
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{SchoolID: schoolID, Action: gongkai.AdminInvitation, Subject: subject, Detail: detail})
	})
	if err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

func actorID(a *gongkai.Actor) int64 {
	if a == nil {
		return 0
	}
	return a.ID
}

const staffInvitationColumns = `i.id, i.school_id, i.label, i.roles, COALESCE(i.department_id, 0), COALESCE(d.name, ''), COALESCE(c.display_name, ''),
	i.created_at, i.expires_at, i.used_at, COALESCE(u.display_name, '')`

const staffInvitationFrom = ` FROM staff_invitations i LEFT JOIN departments d ON d.id = i.department_id
	LEFT JOIN users c ON c.id = i.created_by LEFT JOIN users u ON u.id = i.used_by`

func scanStaffInvitation(sc interface{ Scan(...any) error }) (*StaffInvitation, error) {
	var inv StaffInvitation
	var roles string
	var created, exp, used int64
	if err := sc.Scan(&inv.ID, &inv.SchoolID, &inv.Label, &roles, &inv.DepartmentID, &inv.Department, &inv.CreatedByName, &created, &exp, &used, &inv.UsedByName); err != nil {
		return nil, err
	}
	inv.Roles, inv.CreatedAt, inv.ExpiresAt = splitRoles(roles), fromMS(created), fromMS(exp)
	if used != 0 {
		inv.UsedAt = fromMS(used)
	}
	return &inv, nil
}

// FindStaffInvitations returns the school's staff invitations, newest first.
func (db *DB) FindStaffInvitations(ctx context.Context, schoolID int64) ([]*StaffInvitation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+staffInvitationColumns+staffInvitationFrom+` WHERE i.school_id = $1 ORDER BY i.created_at DESC, i.id DESC LIMIT 200`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: staff invitations of school %d: %w", schoolID, err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (*StaffInvitation, error) { return scanStaffInvitation(sc) })
}

// staffInvitation finds a live invitation by its raw token, or says why
// it is not live.
func (tx *Tx) staffInvitation(ctx context.Context, token string, lock bool) (*StaffInvitation, error) {
	q := `SELECT ` + staffInvitationColumns + staffInvitationFrom + ` WHERE i.token_hash = $1`
	if lock {
		q += tx.db.dialect.forUpdateOf("i")
	}
	inv, err := scanStaffInvitation(tx.QueryRowContext(ctx, q, auth.HashToken(strings.TrimSpace(token))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "邀请链接无效。请核对链接是否完整，或请学校管理员重新生成。")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find staff invitation: %w", err)
	}
	if inv.Used() {
		return inv, gongkai.Errorf(gongkai.ECONFLICT, "此邀请链接已被使用，每个链接只能用一次。如需加入，请学校管理员重新生成邀请链接。")
	}
	if !inv.ExpiresAt.After(tx.Now) {
		return inv, gongkai.Errorf(gongkai.ECONFLICT, "此邀请链接已过期（有效期 7 天）。请学校管理员重新生成邀请链接。")
	}
	if err := tx.checkUse(ctx, inv.SchoolID, gongkai.UseInvitations); err != nil {
		return inv, err
	}
	return inv, nil
}

// FindStaffInvitation returns the live invitation with the raw token.
// ENOTFOUND: no such link; ECONFLICT: used or expired.
func (db *DB) FindStaffInvitation(ctx context.Context, token string) (*StaffInvitation, error) {
	var inv *StaffInvitation
	err := db.withTx(ctx, func(tx *Tx) error {
		var err error
		inv, err = tx.staffInvitation(ctx, token, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// AcceptStaffInvitation uses the invitation up: a signed-in user (userID
// != 0) gets its roles in the school; otherwise the account u is created
// with the password hash and gets them. A session is started for a new
// account under sessionHash. It returns the invitation. Errors as
// FindStaffInvitation, and ECONFLICT for a taken username.
func (db *DB) AcceptStaffInvitation(ctx context.Context, token string, userID int64, u *gongkai.User, passwordHash, sessionHash, device string, ttl time.Duration) (*StaffInvitation, error) {
	var inv *StaffInvitation
	err := db.withTx(ctx, func(tx *Tx) error {
		var err error
		if inv, err = tx.staffInvitation(ctx, token, true); err != nil {
			return err
		}
		if err := tx.lockSchool(ctx, inv.SchoolID); err != nil {
			return err
		}
		joiner := &gongkai.Actor{}
		if userID != 0 {
			if joiner, err = tx.accountOf(ctx, userID); err != nil {
				return err
			}
		} else {
			if err := tx.createUser(ctx, u, passwordHash); err != nil {
				return err
			}
			joiner.User = *u
			if err := tx.startSession(ctx, sessionHash, u.ID, "web", device, ttl); err != nil {
				return err
			}
		}
		m, err := tx.addMember(ctx, inv.SchoolID, joiner, true, gongkai.StaffEntry{Username: joiner.Username, Roles: inv.Roles}, inv.DepartmentID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff_invitations SET used_at = $1, used_by = $2 WHERE id = $3`, ms(tx.Now), joiner.ID, inv.ID); err != nil {
			return fmt.Errorf("store: use staff invitation %d: %w", inv.ID, err)
		}
		inv.UsedAt, inv.UsedByName = tx.Now, joiner.DisplayName
		detail := "通过教职工邀请链接加入，角色：" + gongkai.RoleLabels(m.Roles)
		if inv.Department != "" {
			detail += "\n处室：" + inv.Department
		}
		return tx.logAdmin(ctx, joiner, gongkai.AdminEntry{SchoolID: inv.SchoolID, Action: gongkai.AdminMemberAdded, Subject: memberSubject(&joiner.User), Detail: detail})
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}
