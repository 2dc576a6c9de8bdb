package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/auth"
)

// People: members added by hand, from a staff list or by an invitation
// link; accounts deactivated and reactivated; one-time links to set a
// password. Every change writes the admin log in its own transaction.

// AddedMember is the outcome of adding one person to a school.
type AddedMember struct {
	User      *gongkai.User
	Roles     []gongkai.Role // the roles they hold in the school now
	Created   bool           // a new account was made for them
	WasMember bool           // they were a member of the school before
	// Token is the raw token of a new account's set-password link, to be
	// shown once; only its hash is kept. Empty for an existing account.
	Token   string
	Expires time.Time
}

// memberSubject names a person in the admin log: 张伟（zhang.wei）.
func memberSubject(u *gongkai.User) string { return u.DisplayName + "（" + u.Username + "）" }

// AddMember adds one person to the school: a member of the school gets the
// roles (merged with those held here; their name and password stay), an
// unknown username becomes a new account without a password and with a
// set-password link. Another existing account is attached only as
// gongkai.CheckAttachAccount allows (a bureau administrator, within the
// bureau); anyone else joins by accepting a staff invitation. departmentID
// 0 keeps an existing member's department. Field errors (EINVALID) name
// display_name, username, roles, department.
func (db *DB) AddMember(ctx context.Context, schoolID int64, actor *gongkai.Actor, e gongkai.StaffEntry, departmentID int64) (*AddedMember, error) {
	gongkai.ValidateStaffEntry(&e)
	if len(e.Problems) > 0 {
		return nil, &gongkai.Error{Code: gongkai.EINVALID, Message: "请检查标红的项目。", Fields: e.Problems}
	}
	var out *AddedMember
	err := db.withTx(ctx, func(tx *Tx) error {
		if err := tx.lockSchool(ctx, schoolID); err != nil {
			return err
		}
		if err := tx.checkUse(ctx, schoolID, gongkai.UseNewMembers); err != nil {
			return err
		}
		var err error
		out, err = tx.addMember(ctx, schoolID, actor, false, e, departmentID)
		if err != nil {
			return err
		}
		dept, err := tx.departmentName(ctx, schoolID, departmentID)
		if err != nil {
			return err
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{SchoolID: schoolID, Action: gongkai.AdminMemberAdded,
			Subject: memberSubject(out.User), Detail: addedDetail(out, dept)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// addedDetail describes an added member for the admin log.
func addedDetail(m *AddedMember, dept string) string {
	d := "角色：" + gongkai.RoleLabels(m.Roles)
	if dept != "" {
		d += "\n处室：" + dept
	}
	switch {
	case m.Created:
		d += "\n新建账号，已生成设置密码链接"
	case m.WasMember:
		d += "\n已是本校人员，加上所选角色"
	default:
		d += "\n已有账号，加入本校"
	}
	return d
}

// addMember does AddMember's work in the transaction; the school is
// locked. by is who names the person; consent is true when the person joins
// themselves (an accepted invitation), which needs nobody's leave.
func (tx *Tx) addMember(ctx context.Context, schoolID int64, by *gongkai.Actor, consent bool, e gongkai.StaffEntry, departmentID int64) (*AddedMember, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, e.Username))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find user %q: %w", e.Username, err)
	}
	if err == nil {
		if !consent {
			if err := tx.checkAttach(ctx, schoolID, 0, by, u.ID); err != nil {
				return nil, err
			}
		}
		current, dept, err := tx.memberRoles(ctx, schoolID, u.ID)
		if err != nil {
			return nil, err
		}
		if departmentID == 0 {
			departmentID = dept
		}
		merged := slices.Clone(current)
		for _, r := range e.Roles {
			if !slices.Contains(merged, r) {
				merged = append(merged, r)
			}
		}
		if err := tx.setMemberRoles(ctx, schoolID, u.ID, merged, departmentID); err != nil {
			return nil, err
		}
		return &AddedMember{User: u, Roles: sortRoles(merged), WasMember: len(current) > 0}, nil
	}
	if e.DisplayName == "" {
		return nil, &gongkai.Error{Code: gongkai.EINVALID, Message: "新账号须填写姓名。", Fields: map[string]string{"display_name": "新账号须填写姓名。"}}
	}
	u = &gongkai.User{Username: e.Username, DisplayName: e.DisplayName}
	// No password: the person sets one with the link.
	if err := tx.createUser(ctx, u, ""); err != nil {
		return nil, err
	}
	if err := tx.setMemberRoles(ctx, schoolID, u.ID, e.Roles, departmentID); err != nil {
		return nil, err
	}
	token, expires, err := tx.issuePasswordLink(ctx, by, u.ID, "new", gongkai.NewAccountLinkTTL)
	if err != nil {
		return nil, err
	}
	return &AddedMember{User: u, Roles: sortRoles(e.Roles), Created: true, Token: token, Expires: expires}, nil
}

// checkAttach applies gongkai.CheckAttachAccount to naming the existing
// account userID into the school, or, when schoolID is 0, into a school
// about to be registered in bureau. The command line (by nil) acts as the
// bureau's administrator.
func (tx *Tx) checkAttach(ctx context.Context, schoolID, bureau int64, by *gongkai.Actor, userID int64) error {
	if schoolID != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT bureau_id FROM schools WHERE id = $1`, schoolID).Scan(&bureau); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("学校")
			}
			return fmt.Errorf("store: bureau of school %d: %w", schoolID, err)
		}
	}
	if by == nil {
		by = &gongkai.Actor{User: gongkai.User{ID: -1, BureauID: bureau, BureauRole: gongkai.RoleBureauAdmin}}
	}
	target, err := tx.accountOf(ctx, userID)
	if err != nil {
		return err
	}
	return gongkai.CheckAttachAccount(by, schoolID, bureau, target)
}

// sortRoles orders roles as the forms list them: 校长 first, 家长 last.
func sortRoles(roles []gongkai.Role) []gongkai.Role {
	out := slices.Clone(roles)
	slices.SortFunc(out, func(a, b gongkai.Role) int {
		return slices.Index(gongkai.SchoolRoles, a) - slices.Index(gongkai.SchoolRoles, b)
	})
	return out
}

// StaffPlan is what importing one entry of a staff list will do, with the
// entry's problems (those of the sheet and those only the database shows).
type StaffPlan struct {
	gongkai.StaffEntry
	DepartmentID int64
	Existing     *gongkai.User // the account with this username, if any
	WasMember    bool          // that account is a member of the school already
}

// PlanStaffImport checks a staff list against the school without changing
// anything, for the preview. Problems are added to each entry.
func (db *DB) PlanStaffImport(ctx context.Context, schoolID int64, actor *gongkai.Actor, entries []gongkai.StaffEntry) ([]StaffPlan, error) {
	var plans []StaffPlan
	err := db.withTx(ctx, func(tx *Tx) error {
		var err error
		plans, err = tx.planStaff(ctx, schoolID, actor, entries)
		return err
	})
	return plans, err
}

func (tx *Tx) planStaff(ctx context.Context, schoolID int64, actor *gongkai.Actor, entries []gongkai.StaffEntry) ([]StaffPlan, error) {
	depts, err := tx.departmentsByName(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(depts))
	for n := range depts {
		names = append(names, n)
	}
	slices.Sort(names)
	seen := map[string]int{}
	plans := make([]StaffPlan, len(entries))
	for i, e := range entries {
		gongkai.ValidateStaffEntry(&e)
		p := StaffPlan{StaffEntry: e}
		if line, ok := seen[e.Username]; ok && e.Username != "" {
			p.Problem("username", fmt.Sprintf("与第%d行的用户名重复。", line))
		}
		seen[e.Username] = e.Line
		if e.Department != "" {
			id, ok := depts[e.Department]
			if !ok {
				msg := fmt.Sprintf("本校没有处室“%s”。", e.Department)
				if len(names) > 0 {
					msg += "现有处室：" + strings.Join(names, "、") + "。"
				}
				p.Problem("department", msg+"请改正，或先在人员管理页添加该处室。")
			}
			p.DepartmentID = id
		}
		if _, bad := p.Problems["username"]; !bad {
			u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, e.Username))
			switch {
			case err == nil:
				if err := tx.checkAttach(ctx, schoolID, 0, actor, u.ID); err != nil {
					fields := gongkai.ErrorFields(err)
					if fields["username"] == "" {
						return nil, err
					}
					// Refused: the preview shows nothing of the account.
					p.Problem("username", fields["username"])
					break
				}
				p.Existing = u
				roles, _, err := tx.memberRoles(ctx, schoolID, u.ID)
				if err != nil {
					return nil, err
				}
				p.WasMember = len(roles) > 0
			case errors.Is(err, sql.ErrNoRows):
				if e.DisplayName == "" {
					p.Problem("display_name", "新账号须填写姓名。")
				}
			default:
				return nil, fmt.Errorf("store: find user %q: %w", e.Username, err)
			}
		}
		plans[i] = p
	}
	return plans, nil
}

func (tx *Tx) departmentsByName(ctx context.Context, schoolID int64) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM departments WHERE school_id = $1`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: departments of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[name] = id
	}
	return out, rows.Err()
}

// errStaffProblems refuses an import with problems; nothing is imported.
var errStaffProblems = gongkai.Errorf(gongkai.EINVALID, "名单中有问题，未导入任何人员。请改正后重新上传。")

// ImportStaff adds every entry of a staff list to the school in one
// transaction: all of them, or none when any entry has a problem (EINVALID,
// with the plans and their problems). It writes one admin log entry.
func (db *DB) ImportStaff(ctx context.Context, schoolID int64, actor *gongkai.Actor, entries []gongkai.StaffEntry) ([]*AddedMember, []StaffPlan, error) {
	if len(entries) == 0 {
		return nil, nil, gongkai.Errorf(gongkai.EINVALID, "名单中没有人员。")
	}
	var added []*AddedMember
	var plans []StaffPlan
	err := db.withTx(ctx, func(tx *Tx) error {
		if err := tx.lockSchool(ctx, schoolID); err != nil {
			return err
		}
		if err := tx.checkUse(ctx, schoolID, gongkai.UseNewMembers); err != nil {
			return err
		}
		var err error
		if plans, err = tx.planStaff(ctx, schoolID, actor, entries); err != nil {
			return err
		}
		for _, p := range plans {
			if len(p.Problems) > 0 {
				return errStaffProblems
			}
		}
		var detail []string
		for _, p := range plans {
			m, err := tx.addMember(ctx, schoolID, actor, false, p.StaffEntry, p.DepartmentID)
			if err != nil {
				return fmt.Errorf("store: import row %d: %w", p.Line, err)
			}
			added = append(added, m)
			how := "已有账号"
			if m.Created {
				how = "新账号"
			}
			detail = append(detail, fmt.Sprintf("%s：%s（%s）", memberSubject(m.User), gongkai.RoleLabels(m.Roles), how))
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{SchoolID: schoolID, Action: gongkai.AdminMembersImported,
			Subject: fmt.Sprintf("%d 人", len(added)), Detail: strings.Join(detail, "\n")})
	})
	if err != nil {
		return nil, plans, err
	}
	return added, plans, nil
}

// Accounts.

// accountOf reads a user with all their memberships and the bureaus of
// their schools, disabled or not, for CheckAccountAction.
func (tx *Tx) accountOf(ctx context.Context, userID int64) (*gongkai.Actor, error) {
	rows, err := tx.QueryContext(ctx, actorColumns+`FROM users u`+actorJoins+` WHERE u.id = $1`+actorOrder, userID)
	if err != nil {
		return nil, fmt.Errorf("store: load account %d: %w", userID, err)
	}
	defer rows.Close()
	var a *gongkai.Actor
	for rows.Next() {
		var m gongkai.Membership
		var role string
		var bureau int64
		u, err := scanUser(rows, &m.SchoolID, &role, &m.DepartmentID, &bureau)
		if err != nil {
			return nil, fmt.Errorf("store: load account %d: %w", userID, err)
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
		return nil, err
	}
	if a == nil {
		return nil, notFound("人员")
	}
	return a, nil
}

// accountFacts gathers what CheckAccountAction needs, in the transaction.
func (tx *Tx) accountFacts(ctx context.Context, schoolID, userID int64) (gongkai.AccountFacts, error) {
	f := gongkai.AccountFacts{SchoolID: schoolID}
	if err := tx.QueryRowContext(ctx, `SELECT bureau_id FROM schools WHERE id = $1`, schoolID).Scan(&f.SchoolBureau); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return f, notFound("学校")
		}
		return f, fmt.Errorf("store: bureau of school %d: %w", schoolID, err)
	}
	var err error
	if f.Target, err = tx.accountOf(ctx, userID); err != nil {
		return f, err
	}
	// Every school of the account counts, not only this one: the bureau
	// administrator may deactivate a principal of two schools.
	rows, err := tx.QueryContext(ctx, `SELECT s.name FROM memberships m JOIN schools s ON s.id = m.school_id
		WHERE m.user_id = $1 AND m.role = $2 AND NOT EXISTS (SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id
			WHERE o.school_id = m.school_id AND o.role = $2 AND NOT u.disabled AND u.id <> $1)
		ORDER BY s.id`, userID, string(gongkai.RolePrincipal))
	if err != nil {
		return f, fmt.Errorf("store: count principals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return f, err
		}
		f.LastPrincipalOf = append(f.LastPrincipalOf, name)
	}
	return f, rows.Err()
}

// SetAccountActive deactivates (active false) or reactivates the account of
// a member of the school, as the actor, under gongkai.CheckAccountAction.
// Deactivation ends every session and API token of the account at once and
// voids its unused set-password links; what the person did stays in every
// trail under their name. It returns the user.
func (db *DB) SetAccountActive(ctx context.Context, schoolID, userID int64, actor *gongkai.Actor, active bool) (*gongkai.User, error) {
	act, action := gongkai.AccountDeactivate, gongkai.AdminMemberDeactivate
	if active {
		act, action = gongkai.AccountReactivate, gongkai.AdminMemberReactivate
	}
	var u *gongkai.User
	err := db.withTx(ctx, func(tx *Tx) error {
		if err := tx.lockSchool(ctx, schoolID); err != nil {
			return err
		}
		f, err := tx.accountFacts(ctx, schoolID, userID)
		if err != nil {
			return err
		}
		if err := gongkai.CheckAccountAction(actor, act, f); err != nil {
			return err
		}
		u = &f.Target.User
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, !active, userID); err != nil {
			return fmt.Errorf("store: set user %d active %v: %w", userID, active, err)
		}
		u.Disabled = !active
		if !active {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
				return fmt.Errorf("store: end sessions of user %d: %w", userID, err)
			}
			if err := tx.voidPasswordLinks(ctx, userID); err != nil {
				return err
			}
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{SchoolID: schoolID, Action: action, Subject: memberSubject(u),
			Detail: gongkai.DescribeChanges([]gongkai.Change{{Field: "账号状态", Old: activeLabel(!active), New: activeLabel(active)}})})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func activeLabel(active bool) string {
	if active {
		return "正常"
	}
	return "已停用"
}

// Password links.

// issuePasswordLink makes a one-time link to set the user's password and
// voids their older unused links. by is who made it (nil: the command
// line). It returns the raw token, whose hash alone is stored.
func (tx *Tx) issuePasswordLink(ctx context.Context, by *gongkai.Actor, userID int64, purpose string, ttl time.Duration) (string, time.Time, error) {
	if err := tx.voidPasswordLinks(ctx, userID); err != nil {
		return "", time.Time{}, err
	}
	token, hash := auth.NewToken()
	expires := tx.Now.Add(ttl)
	if _, err := tx.ExecContext(ctx, `INSERT INTO password_links (token_hash, user_id, purpose, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		hash, userID, purpose, nullID(actorID(by)), ms(tx.Now), ms(expires)); err != nil {
		return "", time.Time{}, fmt.Errorf("store: password link for user %d: %w", userID, err)
	}
	return token, expires, nil
}

// voidPasswordLinks ends the user's unused links: only the newest works.
func (tx *Tx) voidPasswordLinks(ctx context.Context, userID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE password_links SET expires_at = $1 WHERE user_id = $2 AND used_at = 0 AND expires_at > $1`, ms(tx.Now), userID); err != nil {
		return fmt.Errorf("store: void password links of user %d: %w", userID, err)
	}
	return nil
}

// PasswordReset is a reset issued to a user.
type PasswordReset struct {
	User    *gongkai.User
	Token   string // raw, to show or send once
	Expires time.Time
}

// ResetPassword issues a one-time link for a member of the school to set a
// new password, as the actor, under gongkai.CheckAccountAction. The old
// password keeps working until the link is used. The admin log records the
// reset, never the token.
func (db *DB) ResetPassword(ctx context.Context, schoolID, userID int64, actor *gongkai.Actor) (*PasswordReset, error) {
	var out *PasswordReset
	err := db.withTx(ctx, func(tx *Tx) error {
		f, err := tx.accountFacts(ctx, schoolID, userID)
		if err != nil {
			return err
		}
		if err := gongkai.CheckAccountAction(actor, gongkai.AccountReset, f); err != nil {
			return err
		}
		token, expires, err := tx.issuePasswordLink(ctx, actor, userID, "reset", gongkai.ResetLinkTTL)
		if err != nil {
			return err
		}
		out = &PasswordReset{User: &f.Target.User, Token: token, Expires: expires}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{SchoolID: schoolID, Action: gongkai.AdminPasswordReset,
			Subject: memberSubject(out.User), Detail: "已生成一次性设置密码链接，有效期至 " + expires.In(gongkai.Beijing).Format("2006-01-02 15:04")})
	})
	return out, err
}

// ResetPasswordByUsername issues a reset link from the command line, for
// any account. The admin log entry goes to the user's bureau, or that of
// their first school; an account of no bureau is logged to none.
func (db *DB) ResetPasswordByUsername(ctx context.Context, username string) (*PasswordReset, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	var out *PasswordReset
	err := db.withTx(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
		if errors.Is(err, sql.ErrNoRows) {
			return gongkai.Errorf(gongkai.ENOTFOUND, "没有用户名为 %s 的账号。", username)
		}
		if err != nil {
			return fmt.Errorf("store: find user %q: %w", username, err)
		}
		if u.Disabled {
			return gongkai.Errorf(gongkai.ECONFLICT, "账号 %s 已停用，请先恢复账号。", username)
		}
		token, expires, err := tx.issuePasswordLink(ctx, nil, u.ID, "reset", gongkai.ResetLinkTTL)
		if err != nil {
			return err
		}
		out = &PasswordReset{User: u, Token: token, Expires: expires}
		e := gongkai.AdminEntry{BureauID: u.BureauID, Action: gongkai.AdminPasswordReset, Subject: memberSubject(u),
			Detail: "命令行生成一次性设置密码链接，有效期至 " + expires.In(gongkai.Beijing).Format("2006-01-02 15:04")}
		if e.BureauID == 0 {
			err := tx.QueryRowContext(ctx, `SELECT m.school_id, s.bureau_id FROM memberships m JOIN schools s ON s.id = m.school_id
				WHERE m.user_id = $1 ORDER BY m.school_id LIMIT 1`, u.ID).Scan(&e.SchoolID, &e.BureauID)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // no bureau to log it to
			}
			if err != nil {
				return fmt.Errorf("store: school of user %d: %w", u.ID, err)
			}
		}
		return tx.logAdmin(ctx, nil, e)
	})
	return out, err
}

// PasswordLink is a set-password link as its page shows it.
type PasswordLink struct {
	User    *gongkai.User
	Purpose string // "new" or "reset"
	Expires time.Time
}

// passwordLink finds a live link by its raw token, or says why not.
func (tx *Tx) passwordLink(ctx context.Context, token string, lock bool) (*PasswordLink, string, error) {
	hash := auth.HashToken(token)
	q := `SELECT l.purpose, l.expires_at, l.used_at, u.id, u.username, u.display_name, u.email, COALESCE(u.bureau_id, 0), u.bureau_role, u.disabled, u.created_at
		FROM password_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = $1`
	if lock {
		q += tx.db.dialect.forUpdate()
	}
	var purpose string
	var exp, used int64
	var u gongkai.User
	var role string
	var created int64
	err := tx.QueryRowContext(ctx, q, hash).Scan(&purpose, &exp, &used, &u.ID, &u.Username, &u.DisplayName, &u.Email, &u.BureauID, &role, &u.Disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", gongkai.Errorf(gongkai.ENOTFOUND, "链接无效。请核对链接是否完整，或请学校管理员重新生成。")
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: find password link: %w", err)
	}
	u.BureauRole, u.CreatedAt = gongkai.Role(role), fromMS(created)
	switch {
	case u.Disabled:
		return nil, "", gongkai.Errorf(gongkai.ECONFLICT, "账号已停用，请联系学校管理员。")
	case used != 0:
		return nil, "", gongkai.Errorf(gongkai.ECONFLICT, "此链接已使用过，不能再次使用。如需重新设置密码，请联系学校管理员生成新的链接。")
	case exp <= ms(tx.Now):
		return nil, "", gongkai.Errorf(gongkai.ECONFLICT, "此链接已过期或已被更新的链接取代。请联系学校管理员生成新的链接。")
	}
	return &PasswordLink{User: &u, Purpose: purpose, Expires: fromMS(exp)}, hash, nil
}

// FindPasswordLink returns the live link with the raw token. ENOTFOUND: no
// such link; ECONFLICT: used, expired, replaced, or the account deactivated.
func (db *DB) FindPasswordLink(ctx context.Context, token string) (*PasswordLink, error) {
	var l *PasswordLink
	err := db.withTx(ctx, func(tx *Tx) error {
		var err error
		l, _, err = tx.passwordLink(ctx, token, false)
		return err
	})
	return l, err
}

// UsePasswordLink sets the password with a live link, uses the link up,
// ends every session of the user and starts a new one under sessionHash
// (the person is signed in on the device that used the link). Errors as
// FindPasswordLink.
func (db *DB) UsePasswordLink(ctx context.Context, token, passwordHash, sessionHash, device string, ttl time.Duration) (*gongkai.User, error) {
	var u *gongkai.User
	err := db.withTx(ctx, func(tx *Tx) error {
		l, hash, err := tx.passwordLink(ctx, token, true)
		if err != nil {
			return err
		}
		u = l.User
		if _, err := tx.ExecContext(ctx, `UPDATE password_links SET used_at = $1 WHERE token_hash = $2`, ms(tx.Now), hash); err != nil {
			return fmt.Errorf("store: use password link: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, passwordHash, u.ID); err != nil {
			return fmt.Errorf("store: set password of user %d: %w", u.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID); err != nil {
			return fmt.Errorf("store: end sessions of user %d: %w", u.ID, err)
		}
		return tx.startSession(ctx, sessionHash, u.ID, "web", device, ttl)
	})
	return u, err
}
