package notify

import (
	"context"
	"fmt"
	"strings"

	"gongkai"
	"gongkai/internal/store"
)

// inspection tells of the self-inspection: a submitted checklist to the
// principal and the leadership group, who answer for the rectification; a
// measure marked done to the supervision group, who watch it; in the app
// and by e-mail.
func (d *Dispatcher) inspection(ctx context.Context, ev *store.OutboxEvent, school *gongkai.School) (store.Outcome, error) {
	s := func(k string) string { v, _ := ev.Data[k].(string); return v }
	n := func(k string) int { v, _ := ev.Data[k].(float64); return int(v) }
	var roles []gongkai.Role
	var title string
	var lines []string
	switch ev.Type {
	case gongkai.EventInspectionSubmitted:
		roles = []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleLeader}
		title = fmt.Sprintf("%s自查表已提交", s("label"))
		line := fmt.Sprintf("监督小组（%s）已提交%s的校务公开自查表。", s("by"), s("label"))
		if n("not_met")+n("partly") > 0 {
			line += fmt.Sprintf("发现不符合 %d 项、基本符合 %d 项，请督促按期整改，整改完成后在自查表中登记。", n("not_met"), n("partly"))
		} else {
			line += "各项均符合要求。"
		}
		lines = []string{line}
	case gongkai.EventInspectionMeasureDone:
		roles = []gongkai.Role{gongkai.RoleSupervisor}
		title = fmt.Sprintf("整改完成：%s", s("title"))
		lines = []string{fmt.Sprintf("%s自查发现的问题“%s”，校长（%s）已登记整改完成：%s", s("label"), s("title"), s("by"), s("note"))}
	default:
		return store.Outcome{}, nil
	}
	members, err := d.db.FindMembers(ctx, school.ID)
	if err != nil {
		return store.Outcome{}, err
	}
	path := fmt.Sprintf("/s/%s/inspection/%s", school.Slug, s("term"))
	var out store.Outcome
	for _, m := range members {
		if m.User.Disabled || !hasAnyRole(m.Roles, roles) {
			continue
		}
		out.Notifications = append(out.Notifications, store.Notification{UserID: m.User.ID, SchoolID: school.ID, Title: title, Body: strings.Join(lines, "\n"), Link: path})
		if d.mail != nil && m.User.Email != "" {
			out.Next = append(out.Next, d.mailEvent(school, m.User.Email, m.User.DisplayName, title, d.mailText(m.User.DisplayName, append([]string{school.Title() + "："}, lines...), path)))
		}
	}
	return out, nil
}

func hasAnyRole(have, want []gongkai.Role) bool {
	for _, r := range want {
		if hasRole(have, r) {
			return true
		}
	}
	return false
}
