package notify

import (
	"context"
	"fmt"
	"strings"

	"gongkai"
	"gongkai/internal/store"
)

// typeRedacted is emitted when the principal deletes personal data from a
// published item (store.Redact).
const typeRedacted = gongkai.EventDisclosureRedacted

// redacted tells the school's supervision group and the bureau's
// administrators that the principal deleted personal data from a published
// item, with what and why, in the app and by e-mail; the school's webhook
// hears of the fact, as of any change of a published item, without the
// reason, which is for the staff.
func (d *Dispatcher) redacted(ctx context.Context, ev *store.OutboxEvent, school *gongkai.School) (store.Outcome, error) {
	s := func(k string) string { v, _ := ev.Data[k].(string); return v }
	var version int
	switch v := ev.Data["version"].(type) {
	case float64: // as read back from the outbox's JSON
		version = int(v)
	case int:
		version = v
	}
	title := fmt.Sprintf("%s删除了已公开事项中的个人信息：%s", school.Name, s("title"))
	what := fmt.Sprintf("第 %d 版正文", version)
	if gongkai.RedactionTarget(s("target")) == gongkai.RedactAttachment {
		what = fmt.Sprintf("附件“%s”", s("filename"))
	}
	item := s("title")
	if s("index_no") != "" {
		item += "（" + s("index_no") + "）"
	}
	lines := []string{
		"事项：" + item,
		"删除内容：" + what + "，已从系统中彻底删除，公开页面显示“" + gongkai.RedactedMark + "”。",
		"操作人：" + s("actor") + "（校长）",
		"理由：" + s("reason"),
	}
	members, err := d.db.FindMembers(ctx, school.ID)
	if err != nil {
		return store.Outcome{}, err
	}
	var users []gongkai.User
	for _, m := range members {
		if !m.User.Disabled && hasRole(m.Roles, gongkai.RoleSupervisor) {
			users = append(users, m.User)
		}
	}
	admins, err := d.db.BureauAdmins(ctx, school.BureauID)
	if err != nil {
		return store.Outcome{}, err
	}
	users = append(users, admins...)
	path := fmt.Sprintf("/s/%s/manage/d/%d", school.Slug, ev.Subject)
	var out store.Outcome
	seen := map[int64]bool{}
	for _, u := range users {
		if seen[u.ID] {
			continue
		}
		seen[u.ID] = true
		out.Notifications = append(out.Notifications, store.Notification{UserID: u.ID, SchoolID: school.ID, Title: title, Body: strings.Join(lines, "\n"), Link: path})
		if d.mail != nil && u.Email != "" {
			out.Next = append(out.Next, d.mailEvent(school, u.Email, u.DisplayName, title, d.mailText(u.DisplayName, lines, path)))
		}
	}
	public := *ev
	public.Data = map[string]any{}
	for _, k := range []string{"title", "audience", "category"} {
		public.Data[k] = ev.Data[k]
	}
	hook, err := d.disclosure(ctx, &public, school)
	if err != nil {
		return store.Outcome{}, err
	}
	out.Next = append(out.Next, hook.Next...)
	return out, nil
}
