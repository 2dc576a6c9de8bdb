package notify

import (
	"context"
	"fmt"
	"strings"

	"gongkai"
	"gongkai/internal/store"
)

// orderPath is the page of an order (see internal/web/routes.go).
func orderPath(s *gongkai.School, id int64) string { return fmt.Sprintf("/s/%s/orders/%d", s.Slug, id) }

// order tells of a supervision order: its issue, its return and its
// acceptance to the school's principal, and an overdue order to the
// principal once a day; an answer to the bureau's administrators. In the
// app and by e-mail.
func (d *Dispatcher) order(ctx context.Context, ev *store.OutboxEvent, school *gongkai.School) (store.Outcome, error) {
	o, err := d.db.FindOrderByID(ctx, school.ID, ev.Subject)
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		return store.Outcome{}, nil
	}
	if err != nil {
		return store.Outcome{}, err
	}
	date, left, _ := d.dueText(ctx, school, o.Deadline)
	deadline := "办理期限：" + date + left
	head := fmt.Sprintf("%s %s：%s", o.Number, o.Kind.Label(), o.Title)
	var title string
	var lines []string
	toBureau := false
	switch ev.Type {
	case gongkai.EventOrderIssued:
		title = fmt.Sprintf("教育局%s：%s", o.Kind.Label(), o.Title)
		lines = []string{fmt.Sprintf("教育局向%s下发了%s（%s），请在期限内办理并答复。", school.Title(), o.Kind.Label(), o.Number), deadline}
	case gongkai.EventOrderReturned:
		title = "督办通知被退回，请补充答复：" + o.Title
		lines = []string{head, "教育局退回了学校的答复，理由：" + lastOrderComment(o, gongkai.OActReturn), deadline}
	case gongkai.EventOrderAccepted:
		title = "督办通知已验收办结：" + o.Title
		lines = []string{head, "教育局已验收学校的答复，该通知办结。"}
		if c := lastOrderComment(o, gongkai.OActAccept); c != "" {
			lines = append(lines, "验收意见："+c)
		}
	case gongkai.EventOrderOverdue:
		if !o.Overdue(d.now()) {
			return store.Outcome{}, nil // answered since the reminder was raised
		}
		title = "督办通知已逾期未答复：" + o.Title
		lines = []string{head, fmt.Sprintf("办理期限 %s 已过，学校尚未答复，请尽快办理并答复。", date)}
	case gongkai.EventOrderAnswered:
		toBureau = true
		title = fmt.Sprintf("%s已答复督办通知：%s", school.Name, o.Title)
		lines = []string{head, school.Title() + "已答复，请验收或退回补充。"}
		if o.ResultTitle != "" {
			lines = append(lines, "整改结果公开事项："+o.ResultTitle)
		}
	default:
		return store.Outcome{}, nil
	}
	var users []gongkai.User
	if toBureau {
		if users, err = d.db.BureauAdmins(ctx, school.BureauID); err != nil {
			return store.Outcome{}, err
		}
	} else {
		members, err := d.db.FindMembers(ctx, school.ID)
		if err != nil {
			return store.Outcome{}, err
		}
		for _, m := range members {
			if !m.User.Disabled && hasRole(m.Roles, gongkai.RolePrincipal) {
				users = append(users, m.User)
			}
		}
	}
	path := orderPath(school, o.ID)
	var out store.Outcome
	for _, u := range users {
		out.Notifications = append(out.Notifications, store.Notification{UserID: u.ID, SchoolID: school.ID, Title: title, Body: strings.Join(lines, "\n"), Link: path})
		if d.mail != nil && u.Email != "" {
			out.Next = append(out.Next, d.mailEvent(school, u.Email, u.DisplayName, title, d.mailText(u.DisplayName, lines, path)))
		}
	}
	return out, nil
}

// lastOrderComment is the comment of the latest step of the kind.
func lastOrderComment(o *gongkai.Order, a gongkai.OrderAction) string {
	for i := len(o.Trail) - 1; i >= 0; i-- {
		if o.Trail[i].Action == a {
			return o.Trail[i].Comment
		}
	}
	return ""
}

// RemindOrders raises the day's reminders of overdue orders.
func (d *Dispatcher) RemindOrders(ctx context.Context) (int, error) {
	n, err := d.db.RemindOverdueOrders(ctx)
	if n > 0 {
		d.log.Info("overdue orders reminded", "orders", n)
	}
	return n, err
}
