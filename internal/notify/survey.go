package notify

import (
	"context"
	"fmt"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// surveyAnnounceWithin is how late an opened survey is still announced.
const surveyAnnounceWithin = 48 * time.Hour

// survey tells of a survey: when it opens, its audience (in the app and by
// e-mail), so that nobody has to look for it; when its results were made a
// draft disclosure, the clerk named to take it through the procedure.
// Answering tells nobody anything: no event is written for it.
func (d *Dispatcher) survey(ctx context.Context, ev *store.OutboxEvent, school *gongkai.School) (store.Outcome, error) {
	s := func(k string) string { v, _ := ev.Data[k].(string); return v }
	title := s("title")
	var users []gongkai.User
	var subject, path string
	var lines []string
	switch ev.Type {
	case gongkai.EventSurveyOpened:
		// An announcement delivered late is noise: once the survey has
		// ended nobody can answer, and days after it opened the work page
		// has long been listing it (as it does for the demo's surveys,
		// opened in the past).
		if end := parseDate(s("closes_on")); !end.IsZero() && gongkai.PeriodOver(end, d.now()) {
			return store.Outcome{}, nil
		}
		if !ev.CreatedAt.IsZero() && d.now().Sub(ev.CreatedAt) > surveyAnnounceWithin {
			return store.Outcome{}, nil
		}
		aud := gongkai.SurveyAudience(s("audience"))
		members, err := d.db.FindMembers(ctx, school.ID)
		if err != nil {
			return store.Outcome{}, err
		}
		for _, m := range members {
			if !m.User.Disabled && aud.Includes(m.Roles) {
				users = append(users, m.User)
			}
		}
		subject = "请参加测评：" + title
		path = fmt.Sprintf("/s/%s/surveys/%d", school.Slug, ev.Subject)
		lines = []string{fmt.Sprintf("学校监督小组开展“%s”，请于 %s 前在手机或电脑上填写。", title, cnDate(parseDate(s("closes_on")))),
			"测评不记名，每人限答一次，学校只记录您是否参加，不保存答卷与您之间的对应关系。"}
	case gongkai.EventSurveyResultsDrafted:
		id, _ := ev.Data["clerk_id"].(float64)
		did, _ := ev.Data["disclosure_id"].(float64)
		u, err := d.db.FindUserByID(ctx, int64(id))
		if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
			return store.Outcome{}, nil
		}
		if err != nil {
			return store.Outcome{}, err
		}
		if !u.Disabled {
			users = append(users, *u)
		}
		subject = "待提交：" + title + "结果公示"
		path = fmt.Sprintf("/s/%s/manage/d/%d", school.Slug, int64(did))
		lines = []string{fmt.Sprintf("监督小组已将“%s”的结果生成公开事项草稿，由您提交审议，经校长签发、监督小组审核后发布。", title)}
	default:
		return store.Outcome{}, nil
	}
	var out store.Outcome
	for _, u := range users {
		out.Notifications = append(out.Notifications, store.Notification{UserID: u.ID, SchoolID: school.ID, Title: subject, Body: lines[0], Link: path})
		if d.mail != nil && u.Email != "" {
			out.Next = append(out.Next, d.mailEvent(school, u.Email, u.DisplayName, subject, d.mailText(u.DisplayName, append([]string{school.Title() + "："}, lines...), path)))
		}
	}
	return out, nil
}
