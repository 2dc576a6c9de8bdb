package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
)

// codeAlphabet leaves out look-alikes (0/O, 1/I/L) so codes can be read
// out at a parent meeting.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

func newInviteCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = codeAlphabet[int(c)%len(codeAlphabet)]
	}
	return string(out[:5]) + "-" + string(out[5:])
}

// CreateInvitation makes a new code for a class, written to the admin log
// in the same transaction.
func (db *DB) CreateInvitation(ctx context.Context, schoolID int64, actor *gongkai.Actor, label string, maxUses int, validFor time.Duration) (*gongkai.Invitation, error) {
	label = strings.TrimSpace(label)
	fe := gongkai.FieldErrors{}
	if label == "" || utf8.RuneCountInString(label) > 40 {
		fe.Add("label", "请填写班级或用途（不超过 40 字），例如“三年级二班家长”。")
	} else if msg := gongkai.CheckText("班级或用途", label, false); msg != "" {
		fe.Add("label", msg)
	}
	if maxUses < 1 || maxUses > 2000 {
		fe.Add("max_uses", "可用次数须在 1–2000 之间。")
	}
	if validFor <= 0 || validFor > 366*24*time.Hour {
		fe.Add("days", "有效期须在 1–366 天之间。")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	inv := &gongkai.Invitation{SchoolID: schoolID, Label: label, Role: gongkai.RoleParent, MaxUses: maxUses, CreatedBy: actorID(actor)}
	err := db.withTx(ctx, func(tx *Tx) error {
		if err := tx.checkUse(ctx, schoolID, gongkai.UseInvitations); err != nil {
			return err
		}
		inv.Code, inv.CreatedAt, inv.ExpiresAt = newInviteCode(), tx.Now, tx.Now.Add(validFor)
		if err := tx.QueryRowContext(ctx, `INSERT INTO invitations (school_id, code, label, role, max_uses, uses, expires_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8) RETURNING id`,
			schoolID, inv.Code, label, string(inv.Role), maxUses, ms(inv.ExpiresAt), inv.CreatedBy, ms(tx.Now)).Scan(&inv.ID); err != nil {
			return err
		}
		detail := fmt.Sprintf("角色：%s\n邀请码 %s，有效期至 %s，限用 %d 次", inv.Role.Label(), inv.Code,
			inv.ExpiresAt.In(gongkai.Beijing).Format("2006-01-02 15:04"), maxUses)
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{SchoolID: schoolID, Action: gongkai.AdminInvitation, Subject: label, Detail: detail})
	})
	if err != nil {
		return nil, fmt.Errorf("store: create invitation: %w", err)
	}
	return inv, nil
}

// FindInvitations returns a school's invitation codes, newest first.
func (db *DB) FindInvitations(ctx context.Context, schoolID int64) ([]*gongkai.Invitation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, school_id, code, label, role, max_uses, uses, expires_at, created_by, created_at
		FROM invitations WHERE school_id = $1 ORDER BY created_at DESC, id DESC`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: find invitations: %w", err)
	}
	defer rows.Close()
	var out []*gongkai.Invitation
	for rows.Next() {
		var inv gongkai.Invitation
		var role string
		var exp, created int64
		if err := rows.Scan(&inv.ID, &inv.SchoolID, &inv.Code, &inv.Label, &role, &inv.MaxUses, &inv.Uses, &exp, &inv.CreatedBy, &created); err != nil {
			return nil, err
		}
		inv.Role, inv.ExpiresAt, inv.CreatedAt = gongkai.Role(role), fromMS(exp), fromMS(created)
		out = append(out, &inv)
	}
	return out, rows.Err()
}

// Join creates a parent's account with an invitation code, or adds the role
// to an existing signed-in user (userID != 0), and uses up one use of the
// code. It returns the school joined.
func (db *DB) Join(ctx context.Context, code string, userID int64, u *gongkai.User, passwordHash string) (int64, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	var schoolID int64
	err := db.withTx(ctx, func(tx *Tx) error {
		var id int64
		var role string
		var maxUses, uses int
		var exp int64
		err := tx.QueryRowContext(ctx, `SELECT id, school_id, role, max_uses, uses, expires_at FROM invitations WHERE code = $1`+tx.db.dialect.forUpdate(), code).
			Scan(&id, &schoolID, &role, &maxUses, &uses, &exp)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (uses >= maxUses || exp <= ms(tx.Now))) {
			return &gongkai.Error{Code: gongkai.EINVALID, Message: "邀请码无效或已过期，请向班主任索取新的邀请码。", Fields: map[string]string{"code": "邀请码无效或已过期，请向班主任索取新的邀请码。"}}
		}
		if err != nil {
			return fmt.Errorf("store: find invitation: %w", err)
		}
		if err := tx.checkUse(ctx, schoolID, gongkai.UseInvitations); err != nil {
			msg := gongkai.ErrorMessage(err)
			return &gongkai.Error{Code: gongkai.ECONFLICT, Message: msg, Fields: map[string]string{"code": msg}}
		}
		if userID == 0 {
			if err := tx.createUser(ctx, u, passwordHash); err != nil {
				return err
			}
			userID = u.ID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (school_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			schoolID, userID, role, ms(tx.Now)); err != nil {
			return fmt.Errorf("store: join: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE invitations SET uses = uses + 1 WHERE id = $1`, id)
		return err
	})
	return schoolID, err
}
