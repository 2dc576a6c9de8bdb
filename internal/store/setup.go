package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gongkai"
)

// setupLock is the PostgreSQL advisory lock that serialises setups: two
// people with two setup links pressing the button at once must not make two
// bureaus. SQLite has a single writer already.
const setupLock = 7200351

// alreadySetUp is the refusal of a second setup, on the page and the
// command line alike.
func alreadySetUp() error {
	return gongkai.Errorf(gongkai.ECONFLICT, "已完成初始设置：本系统已有教育局，不能再次设置。请用教育局管理员账号登录。")
}

// HasBureau reports whether the county has been set up: any bureau exists.
func (db *DB) HasBureau(ctx context.Context) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM bureaus LIMIT 1) b`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: count bureaus: %w", err)
	}
	return n > 0, nil
}

// CreateSetupToken keeps the hash of a new setup link while no bureau
// exists, and reports whether it did. Once a bureau exists it keeps nothing
// and clears any link left over, e.g. by a node that started while another
// finished the setup. Several nodes starting at once each add their own.
func (db *DB) CreateSetupToken(ctx context.Context, tokenHash string) (bool, error) {
	var created bool
	err := db.withTx(ctx, func(tx *Tx) error {
		var bureaus int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM bureaus LIMIT 1) b`).Scan(&bureaus); err != nil {
			return fmt.Errorf("store: count bureaus: %w", err)
		}
		if bureaus > 0 {
			_, err := tx.ExecContext(ctx, `DELETE FROM setup_tokens`)
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO setup_tokens (token_hash, created_at) VALUES ($1, $2)`, tokenHash, ms(tx.Now)); err != nil {
			return fmt.Errorf("store: create setup token: %w", err)
		}
		created = true
		return nil
	})
	return created, err
}

// SetupTokenValid reports whether a setup link may still be used: its hash
// is kept and no bureau exists yet.
func (db *DB) SetupTokenValid(ctx context.Context, tokenHash string) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM setup_tokens WHERE token_hash = $1
		AND NOT EXISTS (SELECT 1 FROM bureaus)`, tokenHash).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: find setup token: %w", err)
	}
	return n > 0, nil
}

// Setup creates the county's bureau and its first administrator in one
// transaction, deletes every setup link and writes the admin log. A
// tokenHash of "" is the command line, which needs no link; otherwise the
// link must be kept. ECONFLICT: a bureau exists already. ENOTFOUND: the link
// is unknown or used. EINVALID: a field, named in the error's fields
// (the bureau's as in Bureau.Validate; username, display_name).
func (db *DB) Setup(ctx context.Context, tokenHash string, b *gongkai.Bureau, admin *gongkai.User, passwordHash string) error {
	fe := gongkai.FieldErrors{}
	if err := b.Validate(); err != nil {
		for k, v := range gongkai.ErrorFields(err) {
			fe.Add(k, v)
		}
	}
	admin.Username, admin.DisplayName = strings.ToLower(strings.TrimSpace(admin.Username)), strings.TrimSpace(admin.DisplayName)
	if msg := gongkai.ValidateUsername(admin.Username); msg != "" {
		fe.Add("username", msg)
	}
	if msg := gongkai.ValidateDisplayName(admin.DisplayName); msg != "" {
		fe.Add("display_name", msg)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if b.RegionCode == "" {
		b.RegionCode = "CN"
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if db.dialect == postgresDialect {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, setupLock); err != nil {
				return fmt.Errorf("store: setup lock: %w", err)
			}
		}
		var bureaus int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM bureaus LIMIT 1) b`).Scan(&bureaus); err != nil {
			return fmt.Errorf("store: count bureaus: %w", err)
		}
		if bureaus > 0 {
			return alreadySetUp()
		}
		if tokenHash != "" {
			var h string
			err := tx.QueryRowContext(ctx, `SELECT token_hash FROM setup_tokens WHERE token_hash = $1`, tokenHash).Scan(&h)
			if errors.Is(err, sql.ErrNoRows) {
				return gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
			}
			if err != nil {
				return fmt.Errorf("store: find setup token: %w", err)
			}
		}
		b.CreatedAt = tx.Now
		if err := tx.QueryRowContext(ctx, `INSERT INTO bureaus (name, region_code, division_code, address, phone, sponsor, icp, psb, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			b.Name, b.RegionCode, b.DivisionCode, b.Address, b.Phone, b.Sponsor, b.ICP, b.PSB, ms(tx.Now)).Scan(&b.ID); err != nil {
			return fmt.Errorf("store: setup: create bureau: %w", err)
		}
		admin.BureauID, admin.BureauRole = b.ID, gongkai.RoleBureauAdmin
		if err := tx.createUser(ctx, admin, passwordHash); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM setup_tokens`); err != nil {
			return fmt.Errorf("store: setup: delete setup tokens: %w", err)
		}
		var actor *gongkai.Actor // the command line
		if tokenHash != "" {
			actor = &gongkai.Actor{User: *admin} // whoever held the link is the new administrator
		}
		if err := tx.logAdmin(ctx, actor, gongkai.AdminEntry{BureauID: b.ID, Action: gongkai.AdminSetup, Subject: b.Name,
			Detail: setupDetail(b, admin)}); err != nil {
			return err
		}
		return tx.touch(ctx, 0) // the home page said the county was not set up
	})
}

// CreateBureauUser adds an account of a bureau (bureau_admin or inspector)
// and writes it to the admin log; a nil actor is the command line.
func (db *DB) CreateBureauUser(ctx context.Context, actor *gongkai.Actor, u *gongkai.User, passwordHash string) error {
	if !u.BureauRole.ValidBureau() || u.BureauID == 0 {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: "教育局角色无效。", Fields: map[string]string{"bureau_role": "教育局角色无效。"}}
	}
	u.Username, u.DisplayName = strings.ToLower(strings.TrimSpace(u.Username)), strings.TrimSpace(u.DisplayName)
	fe := gongkai.FieldErrors{}
	if msg := gongkai.ValidateUsername(u.Username); msg != "" {
		fe.Add("username", msg)
	}
	if msg := gongkai.ValidateDisplayName(u.DisplayName); msg != "" {
		fe.Add("display_name", msg)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if err := tx.createUser(ctx, u, passwordHash); err != nil {
			return err
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{BureauID: u.BureauID, Action: gongkai.AdminUserCreated,
			Subject: u.DisplayName + "（" + u.Username + "）", Detail: "角色：" + u.BureauRole.Label()})
	})
}

// UpdateBureau saves the bureau's particulars (not its calendar region),
// writes what changed to the admin log and drops every cached page of its
// schools, whose footer shows them. EFORBIDDEN: the actor is not the
// bureau's administrator. EINVALID: as Bureau.Validate.
func (db *DB) UpdateBureau(ctx context.Context, actor *gongkai.Actor, b *gongkai.Bureau) error {
	if !gongkai.CanAdminBureau(actor, b.ID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "只有教育局管理员可以修改教育局信息。")
	}
	if err := b.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		old, err := scanBureau(tx.QueryRowContext(ctx, `SELECT `+bureauColumns+` FROM bureaus WHERE id = $1`+tx.db.dialect.forUpdate(), b.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("教育局")
		}
		if err != nil {
			return fmt.Errorf("store: update bureau %d: %w", b.ID, err)
		}
		detail := gongkai.DescribeChanges(bureauChanges(old, b))
		if detail == "" {
			return nil // nothing changed, nothing to log
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bureaus SET name = $1, division_code = $2, address = $3, phone = $4, sponsor = $5, icp = $6, psb = $7
			WHERE id = $8`, b.Name, b.DivisionCode, b.Address, b.Phone, b.Sponsor, b.ICP, b.PSB, b.ID); err != nil {
			return fmt.Errorf("store: update bureau %d: %w", b.ID, err)
		}
		if err := tx.logAdmin(ctx, actor, gongkai.AdminEntry{BureauID: b.ID, Action: gongkai.AdminBureauUpdated, Subject: b.Name, Detail: detail}); err != nil {
			return err
		}
		schools, err := tx.bureauSchools(ctx, b.ID)
		if err != nil {
			return err
		}
		if len(schools) == 0 {
			return tx.touch(ctx, 0) // the home page's footer
		}
		return tx.touchAll(ctx, schools) // each also drops the home page
	})
}

// bureauChanges lists the particulars of a bureau as the admin log
// describes their change.
func bureauChanges(old, nw *gongkai.Bureau) []gongkai.Change {
	return []gongkai.Change{
		{Field: "名称", Old: old.Name, New: nw.Name},
		{Field: "行政区划代码", Old: old.DivisionCode, New: nw.DivisionCode},
		{Field: "地址", Old: old.Address, New: nw.Address},
		{Field: "监督举报电话", Old: old.Phone, New: nw.Phone},
		{Field: "主办单位", Old: old.Sponsor, New: nw.Sponsor},
		{Field: "ICP备案号", Old: old.ICP, New: nw.ICP},
		{Field: "公安备案号", Old: old.PSB, New: nw.PSB},
	}
}

// setupDetail is the admin log's detail of a setup: the particulars given,
// one a line, and the first administrator.
func setupDetail(b *gongkai.Bureau, admin *gongkai.User) string {
	var lines []string
	for _, c := range bureauChanges(&gongkai.Bureau{}, b) {
		if c.New != "" {
			lines = append(lines, c.Field+"："+c.New)
		}
	}
	lines = append(lines, "教育局管理员："+admin.DisplayName+"（"+admin.Username+"）")
	return strings.Join(lines, "\n")
}

// FindFooterBureau returns the bureau whose particulars a page without a
// school shows in its footer: the bureau with the id, or with 0 the only
// bureau when there is exactly one. It returns nil without an error when
// there is no such bureau.
func (db *DB) FindFooterBureau(ctx context.Context, bureauID int64) (*gongkai.Bureau, error) {
	q, args := `SELECT `+bureauColumns+` FROM bureaus ORDER BY id LIMIT 2`, []any(nil)
	if bureauID != 0 {
		q, args = `SELECT `+bureauColumns+` FROM bureaus WHERE id = $1`, []any{bureauID}
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find footer bureau: %w", err)
	}
	bs, err := collect(rows, scanBureau)
	if err != nil || len(bs) != 1 {
		return nil, err
	}
	return bs[0], nil
}
