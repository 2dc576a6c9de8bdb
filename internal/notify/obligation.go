package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// obligation tells of a catalogue item coming due or overdue: due soon to
// the clerks of the item's department (all clerks when none is of it),
// overdue to the principal; in the app and by e-mail.
func (d *Dispatcher) obligation(ctx context.Context, ev *store.OutboxEvent, school *gongkai.School) (store.Outcome, error) {
	s := func(k string) string { v, _ := ev.Data[k].(string); return v }
	name, period := s("name"), s("period")
	due, left, _ := d.dueText(ctx, school, parseDate(s("due")))
	var role gongkai.Role
	var title string
	var lines []string
	switch ev.Type {
	case gongkai.EventObligationDueSoon:
		role = gongkai.RoleClerk
		title = fmt.Sprintf("即将到期：%s（%s）", name, period)
		lines = []string{fmt.Sprintf("%s（%s）应于%s前公开%s，请及时填写登记表。", name, period, due, left)}
	case gongkai.EventObligationOverdue:
		role = gongkai.RolePrincipal
		title = fmt.Sprintf("已逾期：%s（%s）", name, period)
		lines = []string{fmt.Sprintf("%s（%s）应于%s前公开，至今尚未公开。请督促经办人尽快公开，或说明理由后免除。", name, period, due)}
	default:
		return store.Outcome{}, nil
	}
	members, err := d.db.FindMembers(ctx, school.ID)
	if err != nil {
		return store.Outcome{}, err
	}
	var users []gongkai.User
	dept := s("department")
	for pass := 0; pass < 2 && len(users) == 0; pass++ {
		for _, m := range members {
			if m.User.Disabled || !hasRole(m.Roles, role) {
				continue
			}
			// Clerks of the item's department first; all clerks when none is.
			if role == gongkai.RoleClerk && pass == 0 && dept != "" && m.Department != dept {
				continue
			}
			users = append(users, m.User)
		}
	}
	path := fmt.Sprintf("/s/%s/obligations", school.Slug)
	var out store.Outcome
	for _, u := range users {
		out.Notifications = append(out.Notifications, store.Notification{UserID: u.ID, SchoolID: school.ID, Title: title, Body: strings.Join(lines, "\n"), Link: path})
		if d.mail != nil && u.Email != "" {
			out.Next = append(out.Next, d.mailEvent(school, u.Email, u.DisplayName, title, d.mailText(u.DisplayName, append([]string{school.Title() + "："}, lines...), path)))
		}
	}
	return out, nil
}

// parseDate reads a YYYY-MM-DD day of an event.
func parseDate(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, gongkai.Beijing)
	if err != nil {
		return time.Time{}
	}
	return t
}
