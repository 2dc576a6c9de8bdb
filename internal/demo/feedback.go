package demo

import (
	"context"
	"fmt"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// The feedback of the demo county: per school about a dozen cases of every
// kind, in every state, some anonymous, some overdue, one escalated to the
// bureau, questions and answers on the board, a rectification whose result
// is a published item and a disclosure request with supporters. Cases are
// known by their subject, so a second run adds nothing. It runs before the
// publicity periods of the demo items are closed, so that objections can
// be sent while an item was still in its period.

// demoThreshold is the support threshold some demo schools chose, so that
// one request shows "must be answered in public".
var demoThreshold = map[string]int{"xiangqian": 5, "yuanba": 5}

type feedbackLoader struct {
	ctx     context.Context
	db      *store.DB
	school  *gongkai.School
	info    *schoolInfo
	now     time.Time
	clock   *time.Time
	people  map[string]*gongkai.Actor
	admin   *gongkai.Actor
	dept    map[string]int64
	have    map[string]bool // subjects of the school's cases
	items   []*gongkai.Disclosure
	helpers []*gongkai.Actor // people of other schools who support a request
}

func loadFeedback(ctx context.Context, db *store.DB, now time.Time, clock *time.Time) error {
	admin, err := demoActor(ctx, db, "bureau.admin")
	if err != nil {
		return err
	}
	var parents []*gongkai.Actor
	for _, ss := range Schools() {
		p, err := demoActor(ctx, db, ss.Slug+".parent")
		if err != nil {
			return err
		}
		parents = append(parents, p)
	}
	for i, ss := range Schools() {
		school, err := db.FindSchoolBySlug(ctx, ss.Slug)
		if err != nil {
			return err
		}
		l := &feedbackLoader{ctx: ctx, db: db, school: school, info: infoBySlug(ss.Slug), now: now.In(gongkai.Beijing), clock: clock,
			people: map[string]*gongkai.Actor{}, admin: admin, dept: map[string]int64{}, have: map[string]bool{}}
		for j, p := range parents {
			if j != i {
				l.helpers = append(l.helpers, p)
			}
		}
		if err := l.load(ss); err != nil {
			return fmt.Errorf("feedback of %s: %w", ss.Slug, err)
		}
	}
	return nil
}

func demoActor(ctx context.Context, db *store.DB, username string) (*gongkai.Actor, error) {
	u, _, err := db.FindUserForLogin(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("demo user %s: %w", username, err)
	}
	return db.LoadActor(ctx, u.ID)
}

func (l *feedbackLoader) load(ss SchoolSeed) error {
	ctx, db := l.ctx, l.db
	for _, p := range ss.People {
		a, err := demoActor(ctx, db, ss.Slug+"."+p.Login)
		if err != nil {
			return err
		}
		l.people[p.Login] = a
	}
	depts, err := db.FindDepartments(ctx, l.school.ID)
	if err != nil {
		return err
	}
	for _, d := range depts {
		l.dept[d.Name] = d.ID
	}
	for page := 1; ; page++ {
		cases, total, err := db.FindFeedback(ctx, 0, l.school.ID, store.FeedbackFilter{Page: page, PerPage: 100})
		if err != nil {
			return err
		}
		for _, c := range cases {
			l.have[c.Subject] = true
		}
		if page*100 >= total {
			break
		}
	}
	for page := 1; ; page++ {
		items, total, err := db.FindDisclosures(ctx, l.school.ID, store.DisclosureFilter{Page: page, PerPage: 100,
			Published: true, Audiences: []gongkai.Audience{gongkai.AudiencePublic}})
		if err != nil {
			return err
		}
		l.items = append(l.items, items...)
		if page*100 >= total {
			break
		}
	}
	if len(l.have) == 0 {
		if err := l.settings(); err != nil {
			return err
		}
	}
	for _, step := range []func() error{
		l.freshObjection, l.answeredObjection, l.rectifiedOpinion, l.letter, l.report, l.leadershipReport,
		l.request, l.refusedRequest, l.freshOpinion, l.escalated, l.advert, l.repair, l.underway,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// settings are the school's own choices: a lower support threshold in two
// schools, and reply templates everywhere.
func (l *feedbackLoader) settings() error {
	s, err := l.db.FindFeedbackSettings(l.ctx, l.school.ID)
	if err != nil {
		return err
	}
	if n := demoThreshold[l.school.Slug]; n > 0 {
		s.SupportThreshold = n
		if err := l.db.UpdateFeedbackSettings(l.ctx, s); err != nil {
			return err
		}
	}
	for _, t := range []store.ReplyTemplate{
		{Kind: gongkai.KindObjection, Title: "异议已受理", Body: "您对公示事项提出的异议已收到。学校已交经办部门核实，将在公示期内答复；如核实有误，将更正后重新公示。"},
		{Kind: gongkai.KindOpinion, Title: "意见已采纳", Body: "感谢您的意见。学校经研究予以采纳，具体措施如下：\n\n（请填写）\n\n欢迎继续监督。"},
		{Kind: gongkai.KindRequest, Title: "点题已公开", Body: "您申请公开的事项已在校务公开栏发布，请点击链接查阅。"},
		{Kind: "", Title: "转交办理", Body: "您反映的问题已转交相关处室办理，办理结果将及时答复您。"},
	} {
		t.SchoolID = l.school.ID
		if err := l.db.SaveReplyTemplate(l.ctx, &t); err != nil {
			return err
		}
	}
	return nil
}

// ---- the steps, on the case's own timeline ----

// day returns 09:00 plus minutes on the date days before now.
func (l *feedbackLoader) day(daysAgo int, minutes int) time.Time {
	y, m, d := l.now.Date()
	return time.Date(y, m, d-daysAgo, 9, 0, 0, 0, gongkai.Beijing).Add(time.Duration(minutes) * time.Minute)
}

// set moves the clock, never past now.
func (l *feedbackLoader) set(t time.Time) {
	if limit := l.now.Add(-10 * time.Minute); t.After(limit) {
		t = limit
	}
	*l.clock = t
}

func (l *feedbackLoader) send(t time.Time, nf gongkai.NewFeedback) (*gongkai.Feedback, string, error) {
	l.set(t)
	f, secret, err := l.db.CreateFeedback(l.ctx, l.school.ID, &nf)
	if err != nil {
		return nil, "", fmt.Errorf("case %q: %w", nf.Subject, err)
	}
	return f, secret, nil
}

func (l *feedbackLoader) step(t time.Time, f *gongkai.Feedback, who *gongkai.Actor, st gongkai.FeedbackStep) error {
	l.set(t)
	if _, err := l.db.HandleFeedback(l.ctx, l.school.ID, f.ID, who, st); err != nil {
		return fmt.Errorf("case %q, %s: %w", f.Subject, st.Action, err)
	}
	return nil
}

func (l *feedbackLoader) follow(t time.Time, f *gongkai.Feedback, secret string, st gongkai.SenderStep) error {
	l.set(t)
	if _, err := l.db.SenderAct(l.ctx, f.Receipt, secret, 0, st); err != nil {
		return fmt.Errorf("case %q, sender %s: %w", f.Subject, st.Action, err)
	}
	return nil
}

func (l *feedbackLoader) deptOf(key string) int64 { return l.dept[l.info.dept[key]] }

// publishResult publishes an item with the result of a rectification,
// through the whole procedure, or finds it when an earlier run did.
func (l *feedbackLoader) publishResult(t time.Time, title, body string) (int64, error) {
	for page := 1; ; page++ {
		items, total, err := l.db.FindDisclosures(l.ctx, l.school.ID, store.DisclosureFilter{Page: page, PerPage: 100})
		if err != nil {
			return 0, err
		}
		for _, d := range items {
			if d.Title == title {
				return d.ID, nil
			}
		}
		if page*100 >= total {
			break
		}
	}
	clerk := l.people["clerk2"]
	d := &gongkai.Disclosure{Title: title, Body: body, Category: "other", Audience: gongkai.AudiencePublic, PublicityDays: 5,
		DepartmentID: l.deptOf(dGeneral), Channels: []gongkai.Channel{"online", "board"}}
	t = workdayOnOrBefore(t) // published on a working day, never after the planned day
	l.set(t)
	if err := l.db.CreateDisclosure(l.ctx, l.school.ID, clerk, d); err != nil {
		return 0, err
	}
	for i, s := range []struct {
		who *gongkai.Actor
		a   gongkai.Action
	}{{clerk, gongkai.ActionSubmit}, {l.people["principal"], gongkai.ActionApprove}, {l.people["supervisor"], gongkai.ActionCheck}, {clerk, gongkai.ActionPublish}} {
		l.set(t.Add(time.Duration(i+1) * 50 * time.Minute))
		if _, err := l.db.Act(l.ctx, l.school.ID, d.ID, s.who, s.a, "", nil); err != nil {
			return 0, fmt.Errorf("result %q, %s: %w", title, s.a, err)
		}
	}
	return d.ID, nil
}

// texts returns the school's cases.
func (l *feedbackLoader) texts() schoolCases { return caseTexts[l.school.Slug] }

// objectionText is what a parent of this school would object to in an item
// of the category.
func (l *feedbackLoader) objectionText(cat string) (subject, body string) {
	if cat == "evaluation" {
		cat = "awards"
	}
	vs, ok := objectionTexts[cat]
	if !ok {
		vs = objectionTexts[""]
	}
	v := vs[schoolIndex(l.school.Slug)]
	return v[0], v[1]
}

// pickItem returns a published item whose period contains t, preferring
// categories people object to.
func (l *feedbackLoader) pickItem(ok func(d *gongkai.Disclosure) bool) *gongkai.Disclosure {
	var best *gongkai.Disclosure
	rank := map[string]int{"fees": 5, "aid": 4, "awards": 3, "evaluation": 3, "procurement": 2}
	for _, d := range l.items {
		if d.State != gongkai.StatePublished || d.PublicityDays == 0 || !ok(d) {
			continue
		}
		if best == nil || rank[d.Category] > rank[best.Category] || rank[d.Category] == rank[best.Category] && d.PublishedAt.After(best.PublishedAt) {
			best = d
		}
	}
	return best
}

// freshObjection: an anonymous objection to an item in its period, just
// received.
func (l *feedbackLoader) freshObjection() error {
	d := l.pickItem(func(d *gongkai.Disclosure) bool {
		return d.InPublicity(l.now) && d.PublishedAt.Before(l.now.Add(-2*time.Hour))
	})
	if d == nil {
		return nil
	}
	subject, body := l.objectionText(d.Category)
	if l.have[subject] {
		return nil
	}
	at := l.now.Add(-3 * time.Hour)
	if at.Before(d.PublishedAt) {
		at = d.PublishedAt.Add(time.Hour)
	}
	_, _, err := l.send(at, gongkai.NewFeedback{Kind: gongkai.KindObjection, DisclosureID: d.ID, Subject: subject, Body: body, Anonymous: true})
	return err
}

// answeredObjection: an objection to a name list during an earlier period,
// checked by the department, answered and closed, rated by its sender.
func (l *feedbackLoader) answeredObjection() error {
	c := l.texts().roster
	if l.have[c.Subject] {
		return nil
	}
	d := l.pickItem(func(d *gongkai.Disclosure) bool {
		return (d.Category == "aid" || d.Category == "awards") && gongkai.PeriodOver(d.PublicityEnd, l.now.AddDate(0, 0, -14)) && !d.PublicityStart.IsZero()
	})
	if d == nil {
		return nil
	}
	at := d.PublicityStart.Add(15*time.Hour + 20*time.Minute)
	if at.Before(d.PublishedAt) {
		at = d.PublishedAt.Add(2 * time.Hour)
	}
	f, secret, err := l.send(at, gongkai.NewFeedback{Kind: gongkai.KindObjection, DisclosureID: d.ID, Subject: c.Subject, Body: c.Body, SenderName: c.Sender, Contact: c.Contact})
	if err != nil {
		return err
	}
	clerk := l.people["clerk3"] // the office keeps the registration forms and their lists
	if err := l.step(at.Add(40*time.Minute), f, l.people["principal"], gongkai.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dOffice), AssigneeID: clerk.ID, Comment: "请核对原始材料后答复家长。"}); err != nil {
		return err
	}
	if err := l.step(at.Add(20*time.Hour), f, clerk, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: c.Reply}); err != nil {
		return err
	}
	if err := l.step(at.Add(21*time.Hour), f, l.people["principal"], gongkai.FeedbackStep{Action: gongkai.FActClose}); err != nil {
		return err
	}
	return l.follow(at.Add(26*time.Hour), f, secret, gongkai.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingSatisfied, Body: c.Rating})
}

// rectifiedOpinion: an opinion rectified with a published result, closed,
// rated and published as a question and answer.
func (l *feedbackLoader) rectifiedOpinion() error {
	c := l.texts().rectified
	if l.have[c.Subject] {
		return nil
	}
	parent := l.people["parent"]
	t := l.day(40, 25)
	f, secret, err := l.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: c.Subject, SenderID: parent.ID, Body: c.Body})
	if err != nil {
		return err
	}
	clerk2, principal := l.people["clerk2"], l.people["principal"]
	steps := []struct {
		after time.Duration
		who   *gongkai.Actor
		st    gongkai.FeedbackStep
	}{
		{2 * time.Hour, principal, gongkai.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dGeneral), AssigneeID: clerk2.ID, Comment: c.Assign}},
		{50 * time.Hour, clerk2, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: c.Reply}},
		{52 * time.Hour, clerk2, gongkai.FeedbackStep{Action: gongkai.FActRectify, Comment: c.Plan, Due: t.AddDate(0, 0, 21)}},
	}
	for _, s := range steps {
		if err := l.step(t.Add(s.after), f, s.who, s.st); err != nil {
			return err
		}
	}
	result, err := l.publishResult(t.AddDate(0, 0, 12), c.ResultTitle, c.ResultBody)
	if err != nil {
		return err
	}
	for _, s := range []struct {
		after time.Duration
		who   *gongkai.Actor
		st    gongkai.FeedbackStep
	}{
		{13 * 24 * time.Hour, clerk2, gongkai.FeedbackStep{Action: gongkai.FActRectified, Comment: c.Done, ResultID: result}},
		{13*24*time.Hour + time.Hour, principal, gongkai.FeedbackStep{Action: gongkai.FActClose, Comment: "办结。"}},
	} {
		if err := l.step(t.Add(s.after), f, s.who, s.st); err != nil {
			return err
		}
	}
	if err := l.follow(t.Add(14*24*time.Hour), f, secret, gongkai.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingSatisfied, Body: c.Rating}); err != nil {
		return err
	}
	return l.step(t.Add(15*24*time.Hour), f, principal, gongkai.FeedbackStep{Action: gongkai.FActPublishQA, QAQuestion: c.Q, QAAnswer: c.A})
}

// letter: a letter to the principal, answered, rated, published as a
// question and answer.
func (l *feedbackLoader) letter() error {
	c := l.texts().letter
	if l.have[c.Subject] {
		return nil
	}
	t := l.day(60, 130)
	f, secret, err := l.send(t, gongkai.NewFeedback{Kind: gongkai.KindMailbox, Subject: c.Subject, SenderName: c.Sender, Contact: c.Contact, Body: c.Body})
	if err != nil {
		return err
	}
	principal := l.people["principal"]
	if err := l.step(t.Add(26*time.Hour), f, principal, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: c.Reply}); err != nil {
		return err
	}
	if err := l.step(t.Add(27*time.Hour), f, principal, gongkai.FeedbackStep{Action: gongkai.FActClose}); err != nil {
		return err
	}
	if err := l.follow(t.Add(3*24*time.Hour), f, secret, gongkai.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingBasic, Body: c.Rating}); err != nil {
		return err
	}
	return l.step(t.Add(4*24*time.Hour), f, principal, gongkai.FeedbackStep{Action: gongkai.FActPublishQA, QAQuestion: c.Q, QAAnswer: c.A})
}

// report: an anonymous report, with the supervision group, past its
// deadline.
func (l *feedbackLoader) report() error {
	c := l.texts().report
	if l.have[c.Subject] {
		return nil
	}
	t := l.day(30, 300)
	f, _, err := l.send(t, gongkai.NewFeedback{Kind: gongkai.KindReport, Anonymous: true, Subject: c.Subject, Body: c.Body})
	if err != nil {
		return err
	}
	sup := l.people["supervisor"]
	return l.step(t.Add(3*time.Hour), f, sup, gongkai.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: sup.ID, Comment: "由监督小组牵头核查。"})
}

// leadershipReport: an anonymous report about the leadership, which the
// bureau handles.
func (l *feedbackLoader) leadershipReport() error {
	c := l.texts().leaders
	if l.have[c.Subject] {
		return nil
	}
	t := l.day(6, 600)
	f, _, err := l.send(t, gongkai.NewFeedback{Kind: gongkai.KindReport, Anonymous: true, About: gongkai.SubjectLeadership, AboutName: "学校领导",
		Subject: c.Subject, Body: c.Body})
	if err != nil {
		return err
	}
	return l.step(t.Add(22*time.Hour), f, l.admin, gongkai.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: l.admin.ID, Comment: "由局纪检组核查。"})
}

// request: a disclosure request with supporters; where the school's
// threshold is reached it is answered by a published item.
func (l *feedbackLoader) request() error {
	c := l.texts().request
	if l.have[c.Subject] {
		return nil
	}
	t := l.day(20, 90)
	f, _, err := l.send(t, gongkai.NewFeedback{Kind: gongkai.KindRequest, Subject: c.Subject, SenderID: l.people["rep"].ID, Body: c.Body})
	if err != nil {
		return err
	}
	supporters := append([]*gongkai.Actor{l.people["parent"], l.people["teacher"], l.people["rep"]}, l.helpers...)
	n := 0
	for i, p := range supporters {
		l.set(t.Add(time.Duration(i+1) * 7 * time.Hour))
		if n, err = l.db.SupportRequest(l.ctx, l.school.ID, f.ID, p.ID); err != nil {
			return err
		}
	}
	clerk := l.people["clerk"]
	if err := l.step(t.Add(2*24*time.Hour), f, l.people["principal"], gongkai.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dFinance), AssigneeID: clerk.ID, Comment: "请财务室整理收支情况。"}); err != nil {
		return err
	}
	threshold := demoThreshold[l.school.Slug]
	if threshold == 0 || n < threshold {
		return nil
	}
	var fees *gongkai.Disclosure
	for _, d := range l.items {
		if (d.Category == "fees" || d.Category == "finance") && d.State != gongkai.StateWithdrawn && d.PublishedAt.Before(t.AddDate(0, 0, 6)) {
			if fees == nil || d.PublishedAt.After(fees.PublishedAt) {
				fees = d
			}
		}
	}
	if fees == nil {
		return nil
	}
	if err := l.step(t.Add(6*24*time.Hour), f, clerk, gongkai.FeedbackStep{Action: gongkai.FActReply, ResultID: fees.ID, Comment: c.Reply}); err != nil {
		return err
	}
	return l.step(t.Add(6*24*time.Hour+time.Hour), f, l.people["principal"], gongkai.FeedbackStep{Action: gongkai.FActClose})
}

// refusedRequest: a request refused in public with its reason.
func (l *feedbackLoader) refusedRequest() error {
	c := l.texts().refused
	if l.have[c.Subject] {
		return nil
	}
	t := l.day(50, 200)
	f, _, err := l.send(t, gongkai.NewFeedback{Kind: gongkai.KindRequest, Anonymous: true, Subject: c.Subject, Body: c.Body})
	if err != nil {
		return err
	}
	return l.step(t.Add(4*24*time.Hour), f, l.people["principal"], gongkai.FeedbackStep{Action: gongkai.FActDecline, Comment: c.Reply})
}

// freshOpinion: an opinion received this morning.
func (l *feedbackLoader) freshOpinion() error {
	c := l.texts().fresh
	if l.have[c.Subject] {
		return nil
	}
	_, _, err := l.send(l.now.Add(-2*time.Hour), gongkai.NewFeedback{Kind: gongkai.KindOpinion, Anonymous: true, Subject: c.Subject, Body: c.Body})
	return err
}

// escalated: a letter left unanswered past its deadline, which the sender
// took to the bureau, and the bureau answered.
func (l *feedbackLoader) escalated() error {
	c := l.texts().escalated
	if l.have[c.Subject] {
		return nil
	}
	t := l.day(25, 480)
	f, secret, err := l.send(t, gongkai.NewFeedback{Kind: gongkai.KindMailbox, Subject: c.Subject, SenderName: c.Sender, Body: c.Body})
	if err != nil {
		return err
	}
	if err := l.step(t.Add(3*time.Hour), f, l.people["principal"], gongkai.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dGeneral), AssigneeID: l.people["clerk2"].ID, Comment: "请总务处协调。"}); err != nil {
		return err
	}
	// The sender escalates once the deadline has passed (a holiday may
	// have moved it).
	at := l.day(10, 60)
	if y, m, d := f.Due.Date(); at.Before(time.Date(y, m, d+1, 8, 30, 0, 0, gongkai.Beijing)) {
		at = time.Date(y, m, d+1, 8, 30, 0, 0, gongkai.Beijing)
	}
	if at.After(l.now.Add(-2 * time.Hour)) {
		return nil
	}
	if err := l.follow(at, f, secret, gongkai.SenderStep{Action: gongkai.FActEscalate, Body: c.Escalate}); err != nil {
		return err
	}
	return l.step(at.Add(4*24*time.Hour), f, l.admin, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: c.Reply})
}

// advert: an opinion that is not one, declined.
func (l *feedbackLoader) advert() error {
	c := l.texts().advert
	if l.have[c.Subject] {
		return nil
	}
	t := l.day(15, 45)
	f, _, err := l.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Anonymous: true, Subject: c.Subject, Body: c.Body})
	if err != nil {
		return err
	}
	return l.step(t.Add(5*time.Hour), f, l.people["leader"], gongkai.FeedbackStep{Action: gongkai.FActDecline, Comment: "所反映内容为商业推广，与学校工作无关，不予受理。"})
}

// repair: something broken, repaired, the result published; not yet
// closed.
func (l *feedbackLoader) repair() error {
	c := l.texts().repair
	if l.have[c.Subject] {
		return nil
	}
	t := l.day(28, 75)
	f, _, err := l.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: c.Subject, SenderID: l.people["teacher"].ID, Body: c.Body})
	if err != nil {
		return err
	}
	clerk2 := l.people["clerk2"]
	for _, s := range []struct {
		after time.Duration
		who   *gongkai.Actor
		st    gongkai.FeedbackStep
	}{
		{time.Hour, l.people["leader"], gongkai.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dGeneral), AssigneeID: clerk2.ID}},
		{26 * time.Hour, clerk2, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: c.Reply}},
		{27 * time.Hour, clerk2, gongkai.FeedbackStep{Action: gongkai.FActRectify, Comment: c.Plan, Due: t.AddDate(0, 0, 16)}},
	} {
		if err := l.step(t.Add(s.after), f, s.who, s.st); err != nil {
			return err
		}
	}
	result, err := l.publishResult(t.AddDate(0, 0, 14), c.ResultTitle, c.ResultBody)
	if err != nil {
		return err
	}
	return l.step(t.AddDate(0, 0, 15), f, clerk2, gongkai.FeedbackStep{Action: gongkai.FActRectified, Comment: c.Done, ResultID: result})
}

// underway: a rectification still under way.
func (l *feedbackLoader) underway() error {
	c := l.texts().underway
	if l.have[c.Subject] {
		return nil
	}
	t := l.day(8, 210)
	f, _, err := l.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: c.Subject, SenderName: c.Sender, Body: c.Body})
	if err != nil {
		return err
	}
	clerk2 := l.people["clerk2"]
	for _, s := range []struct {
		after time.Duration
		who   *gongkai.Actor
		st    gongkai.FeedbackStep
	}{
		{2 * time.Hour, l.people["principal"], gongkai.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dGeneral), AssigneeID: clerk2.ID}},
		{24 * time.Hour, clerk2, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: c.Reply}},
		{25 * time.Hour, clerk2, gongkai.FeedbackStep{Action: gongkai.FActRectify, Comment: c.Plan, Due: l.now.AddDate(0, 0, 10)}},
		{26 * time.Hour, l.people["supervisor"], gongkai.FeedbackStep{Action: gongkai.FActNote, Comment: "监督小组将在整改期满后抽查。"}},
	} {
		if err := l.step(t.Add(s.after), f, s.who, s.st); err != nil {
			return err
		}
	}
	return nil
}
