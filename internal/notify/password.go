package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gongkai"
)

// ErrNoMail is returned by SendPasswordLink when e-mail is off or the
// person has no address: the administrator hands the link over instead.
var ErrNoMail = errors.New("notify: no e-mail for this person")

// SendPasswordLink e-mails a one-time set-password link to the person at
// once, outside the outbox: the outbox keeps what it sends, and the link
// must exist nowhere but in this e-mail and on the administrator's screen
// (only its hash is stored). It returns ErrNoMail when e-mail is off or
// the user has no address.
func (d *Dispatcher) SendPasswordLink(ctx context.Context, u *gongkai.User, link string, expires time.Time, newAccount bool) error {
	if d.mail == nil || u.Email == "" {
		return ErrNoMail
	}
	subject := "重置校务公开平台的登录密码"
	first := "学校管理员为您的账号（用户名 " + u.Username + "）生成了重新设置密码的链接。"
	if newAccount {
		subject = "设置校务公开平台的登录密码"
		first = "学校管理员为您开通了校务公开平台的账号，用户名为 " + u.Username + "。"
	}
	body := d.mailText(u.DisplayName, []string{
		first,
		"请在 " + expires.In(gongkai.Beijing).Format("2006年1月2日 15:04") + " 前打开下面的链接设置密码。链接只能使用一次；设置后，其他设备上的登录将退出。",
		"",
		link,
		"",
		"如果您不知道此事，请不要打开链接，并告知学校管理员。",
	}, "")
	if err := d.mail.send(ctx, "校务公开平台", u.Email, u.DisplayName, subject, body); err != nil {
		return fmt.Errorf("notify: password link to user %d: %w", u.ID, err)
	}
	return nil
}
