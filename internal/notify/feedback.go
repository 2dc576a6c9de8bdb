package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// Paths of the feedback pages (see internal/web/routes.go): the case as
// staff handle it; as its signed-in sender follows it; and the receipt
// lookup for a sender without an account.
func staffCasePath(s *gongkai.School, f *gongkai.Feedback) string {
	return fmt.Sprintf("/s/%s/cases/%d", s.Slug, f.ID)
}

func senderCasePath(s *gongkai.School, f *gongkai.Feedback) string {
	if f.SenderID != 0 {
		return fmt.Sprintf("/s/%s/feedback/%d", s.Slug, f.ID)
	}
	return "/lookup"
}

// notice is what one event tells whom.
type notice struct {
	staff       string // "all": handlers and watchers; "assignee"; "": none
	staffTitle  string
	staffLines  []string
	appLines    []string // the in-app body when shorter than the mail's; nil for staffLines
	sender      bool     // tell the named sender
	senderTitle string
	senderLines []string
	newCase     bool // also to the school's NotifyEmail
}

func cnDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(gongkai.Beijing).Format("2006年1月2日")
}

// subjectOf is the case's subject for a notice; a case without one is
// named by its kind.
func subjectOf(f *gongkai.Feedback) string {
	if s := strings.TrimSpace(f.Subject); s != "" {
		return s
	}
	return f.Kind.Label()
}

// lastMessage returns the newest entry of the thread the sender may read
// that was written with the action: the reply, the plan, the reason.
func lastMessage(f *gongkai.Feedback, a gongkai.FeedbackAction) string {
	for i := len(f.Messages) - 1; i >= 0; i-- {
		m := f.Messages[i]
		if m.Action == a && !m.Internal && m.FromStaff {
			return m.Body
		}
	}
	return ""
}

// dueText says when something is due and how that stands today, in the one
// wording of every page (gongkai.CountdownAt): "2026年3月9日" and
// "（剩余 5 个工作日）", "（今日到期）" or "（逾期 2 个工作日）", counted on the
// calendar of the school's bureau.
func (d *Dispatcher) dueText(ctx context.Context, school *gongkai.School, due time.Time) (date, left string, ok bool) {
	if due.IsZero() {
		return "", "", false
	}
	if cal, err := d.db.Calendar(ctx, school.RegionCode); err == nil {
		left = "（" + gongkai.CountdownAt(cal, due, d.now()).String() + "）"
	}
	return cnDate(due), left, true
}

// feedbackNotice decides, from the event and the case as it stands now,
// what to say to whom.
// eventFacts are what an event recorded at its time, as the case may have
// moved on since.
type eventFacts struct {
	reason     string // escalated: "sender" or "about_leadership"
	reached    bool   // supported: this support reached the threshold
	supporters int
}

func factsOf(ev *store.OutboxEvent) eventFacts {
	var e eventFacts
	e.reason, _ = ev.Data["reason"].(string)
	e.reached, _ = ev.Data["threshold_reached"].(bool)
	if n, ok := ev.Data["supporters"].(float64); ok {
		e.supporters = int(n)
	}
	return e
}

func (d *Dispatcher) feedbackNotice(ctx context.Context, school *gongkai.School, typ gongkai.EventType, ev eventFacts, f *gongkai.Feedback) notice {
	subj := subjectOf(f)
	kind := f.Kind.Label()
	date, left, hasDue := d.dueText(ctx, school, f.Due)
	if f.Answered() {
		// A case answered since the event no longer counts down: "逾期" on
		// a case the school answered in time would not be true.
		left = ""
	}
	dueLine := ""
	if hasDue {
		dueLine = "答复期限：" + date + left
	}
	about := fmt.Sprintf("%s：%s", kind, subj)
	switch typ {
	case gongkai.EventFeedbackReceived:
		n := notice{staff: "all", newCase: true, staffTitle: fmt.Sprintf("新的%s：%s", kind, subj),
			staffLines: []string{fmt.Sprintf("收到一件新的%s，请及时处理。", kind), "主题：" + subj}}
		if f.ToBureau {
			n.staffLines[0] = fmt.Sprintf("收到一件新的%s，按规定直接由教育局办理。", kind)
		}
		if dueLine != "" {
			n.staffLines = append(n.staffLines, dueLine)
			n.appLines = []string{dueLine}
		}
		if f.ToBureau {
			n.appLines = append([]string{"按规定直接由教育局办理。"}, n.appLines...)
		}
		return n
	case gongkai.EventFeedbackAssigned:
		title := "您有一件来信待答复" + left
		n := notice{staff: "assignee", staffTitle: title, staffLines: []string{about}}
		if dueLine != "" {
			n.staffLines = append(n.staffLines, dueLine)
		}
		return n
	case gongkai.EventFeedbackReplied:
		lines := []string{fmt.Sprintf("您于%s提交的%s“%s”已有答复：", cnDate(f.CreatedAt), kind, subj)}
		if r := lastMessage(f, gongkai.FActReply); r != "" {
			lines = append(lines, "", r, "")
		}
		lines = append(lines, "您可以查看办理情况并对答复作出评价；如不满意，可提请教育局督办。")
		return notice{sender: true, senderTitle: fmt.Sprintf("您的%s已答复：%s", kind, subj), senderLines: lines}
	case gongkai.EventFeedbackRectifying:
		lines := []string{fmt.Sprintf("您反映的问题“%s”，学校已制定整改方案：", subj)}
		if r := lastMessage(f, gongkai.FActRectify); r != "" {
			lines = append(lines, "", r, "")
		}
		if !f.RectifyDue.IsZero() {
			lines = append(lines, "整改期限："+cnDate(f.RectifyDue))
		}
		return notice{sender: true, senderTitle: "您反映的问题正在整改：" + subj, senderLines: lines}
	case gongkai.EventFeedbackRectified:
		return notice{sender: true, senderTitle: "您反映的问题已整改完成：" + subj,
			senderLines: []string{fmt.Sprintf("您反映的问题“%s”已整改完成，整改结果已公开。", subj)}}
	case gongkai.EventFeedbackClosed:
		return notice{sender: true, senderTitle: fmt.Sprintf("您的%s已办结：%s", kind, subj),
			senderLines: []string{fmt.Sprintf("您提交的%s“%s”已办结。感谢您对学校工作的关心和监督。", kind, subj)}}
	case gongkai.EventFeedbackDeclined:
		lines := []string{fmt.Sprintf("您提交的%s“%s”不予受理。", kind, subj)}
		if r := lastMessage(f, gongkai.FActDecline); r != "" {
			lines = append(lines, "理由："+r)
		}
		lines = append(lines, "如有异议，可提请教育局督办。")
		return notice{sender: true, senderTitle: fmt.Sprintf("您的%s不予受理：%s", kind, subj), senderLines: lines}
	case gongkai.EventFeedbackEscalated:
		title := "来信人对答复不满意，已提请教育局督办：" + subj
		switch {
		case ev.reason == "about_leadership":
			title = "举报涉及学校领导，已转教育局办理：" + subj
		case f.RepliedAt.IsZero():
			title = "来信超期未答复，来信人已提请教育局督办：" + subj
		}
		return notice{staff: "all", staffTitle: title, staffLines: []string{about, "该件已转由教育局督办。"}}
	case gongkai.EventFeedbackMessage:
		return notice{staff: "all", staffTitle: "来信人补充了留言：" + subj, staffLines: []string{about}}
	case gongkai.EventFeedbackRated:
		if !f.Rating.Valid() {
			return notice{}
		}
		return notice{staff: "all", staffTitle: fmt.Sprintf("来信人评价“%s”：%s", f.Rating.Label(), subj), staffLines: []string{about}}
	case gongkai.EventFeedbackSupported:
		// Told once: by the support that reached the threshold, as the
		// event recorded it (later supports may have come meanwhile).
		if !ev.reached {
			return notice{}
		}
		return notice{staff: "all", staffTitle: fmt.Sprintf("点题公开申请已有 %d 人联名，须公开答复：%s", ev.supporters, subj),
			staffLines: []string{about}}
	case gongkai.EventFeedbackOverdue:
		title := "来信已超期未答复：" + subj
		lines := []string{about}
		if f.State == gongkai.FeedbackRectifying {
			title = "整改已超期：" + subj
			lines = append(lines, "整改期限："+cnDate(f.RectifyDue))
		} else if hasDue {
			lines = append(lines, "答复期限："+date)
		}
		return notice{staff: "all", staffTitle: title, staffLines: lines}
	}
	return notice{}
}

// feedback turns an event of a case into notices, e-mails and the webhook
// call. It reads the case as it stands, so it never says more than the
// case now shows; an anonymous case has no sender to tell, and nothing
// identifying a sender goes into the webhook.
func (d *Dispatcher) feedback(ctx context.Context, ev *store.OutboxEvent, school *gongkai.School) (store.Outcome, error) {
	var out store.Outcome
	f, err := d.db.FindFeedbackByID(ctx, school.ID, ev.Subject)
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		d.log.Warn("event about a case that is not there", "event", ev.ID, "type", ev.Type, "school", school.ID)
		return out, nil
	}
	if err != nil {
		return out, err
	}
	settings, err := d.settings(ctx, school.ID)
	if err != nil {
		return out, err
	}
	n := d.feedbackNotice(ctx, school, ev.Type, factsOf(ev), f)
	mailed := map[string]bool{}
	addMail := func(to, name, subject string, lines []string, path string) {
		to = strings.TrimSpace(to)
		if d.mail == nil || to == "" || mailed[strings.ToLower(to)] {
			return
		}
		mailed[strings.ToLower(to)] = true
		out.Next = append(out.Next, d.mailEvent(school, to, name, subject, d.mailText(name, lines, path)))
	}

	if n.staff != "" {
		var users []gongkai.User
		switch n.staff {
		case "all":
			if users, err = d.db.FeedbackRecipients(ctx, school, f); err != nil {
				return out, err
			}
		case "assignee":
			if f.AssigneeID != 0 && f.AssigneeID != f.AboutUserID {
				u, err := d.db.FindUserByID(ctx, f.AssigneeID)
				if err != nil && gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
					return out, err
				}
				if u != nil && !u.Disabled {
					users = append(users, *u)
				}
			}
		}
		path := staffCasePath(school, f)
		app := n.appLines
		if app == nil {
			app = n.staffLines
		}
		for _, u := range users {
			out.Notifications = append(out.Notifications, store.Notification{UserID: u.ID, SchoolID: school.ID,
				Title: n.staffTitle, Body: strings.Join(app, "\n"), Link: path})
			addMail(u.Email, u.DisplayName, n.staffTitle, append([]string{school.Title() + "："}, n.staffLines...), path)
		}
		// The school's announcement address hears of new cases, but never
		// of one that bypasses the school, and of a report only that one
		// came in: whoever reads that mailbox may be the one it is about.
		if n.newCase && settings != nil && settings.NotifyEmail != "" && !f.ToBureau {
			if f.Kind == gongkai.KindReport {
				addMail(settings.NotifyEmail, "", "新的举报", []string{school.Title() + "收到一件新的举报，已转监督小组办理。"}, "")
			} else {
				addMail(settings.NotifyEmail, "", n.staffTitle, append([]string{school.Title() + "："}, n.staffLines...), path)
			}
		}
	}

	// The sender, only when they gave their name: an anonymous case keeps
	// no way to reach anyone.
	if n.sender && !f.Anonymous {
		path := senderCasePath(school, f)
		addr := f.Email
		name := f.SenderName
		if f.SenderID != 0 {
			out.Notifications = append(out.Notifications, store.Notification{UserID: f.SenderID, SchoolID: school.ID,
				Title: n.senderTitle, Body: strings.Join(n.senderLines, "\n"), Link: path})
			if addr == "" || name == "" {
				u, err := d.db.FindUserByID(ctx, f.SenderID)
				if err != nil && gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
					return out, err
				}
				// A deactivated account is not written to; the address
				// given with the case still is.
				if u != nil && !u.Disabled {
					if addr == "" {
						addr = u.Email
					}
					if name == "" {
						name = u.DisplayName
					}
				}
			}
		}
		lines := append(append([]string{}, n.senderLines...), "", "回执码："+f.Receipt)
		addMail(addr, name, n.senderTitle, lines, path)
	}

	if hook := d.feedbackWebhook(ev, school, f, settings); hook != nil {
		out.Next = append(out.Next, *hook)
	}
	return out, nil
}

// settings returns the school's feedback settings, or nil when there are
// none yet.
func (d *Dispatcher) settings(ctx context.Context, schoolID int64) (*store.FeedbackSettings, error) {
	s, err := d.db.FindFeedbackSettings(ctx, schoolID)
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		return nil, nil
	}
	return s, err
}

// disclosure tells the school's webhook that the public board changed.
func (d *Dispatcher) disclosure(ctx context.Context, ev *store.OutboxEvent, school *gongkai.School) (store.Outcome, error) {
	settings, err := d.settings(ctx, school.ID)
	if err != nil || settings == nil || settings.WebhookURL == "" {
		return store.Outcome{}, err
	}
	item := map[string]any{"id": ev.Subject}
	for _, k := range []string{"audience", "category"} {
		if v, ok := ev.Data[k].(string); ok {
			item[k] = v
		}
	}
	// Titles and reasons of items only some may read stay inside; the
	// webhook may feed a public channel.
	if item["audience"] == string(gongkai.AudiencePublic) {
		for _, k := range []string{"title", "reason"} {
			if v, ok := ev.Data[k].(string); ok && v != "" {
				item[k] = v
			}
		}
		item["url"] = d.link(fmt.Sprintf("/s/%s/d/%d", school.Slug, ev.Subject))
	}
	hook := d.webhookEvent(ev, school, map[string]any{"disclosure": item})
	return store.Outcome{Next: []store.Event{hook}}, nil
}
