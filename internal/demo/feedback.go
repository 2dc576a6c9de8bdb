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
		l.freshObjection, l.answeredObjection, l.canteen, l.uniforms, l.afterSchoolFees, l.leadershipReport,
		l.busRequest, l.salaryRequest, l.freshOpinion, l.busEscalated, l.advert, l.desks, l.waterDispensers,
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

func (l *feedbackLoader) send(t time.Time, nf store.NewFeedback) (*gongkai.Feedback, string, error) {
	l.set(t)
	f, secret, err := l.db.CreateFeedback(l.ctx, l.school.ID, &nf)
	if err != nil {
		return nil, "", fmt.Errorf("case %q: %w", nf.Subject, err)
	}
	return f, secret, nil
}

func (l *feedbackLoader) step(t time.Time, f *gongkai.Feedback, who *gongkai.Actor, st store.FeedbackStep) error {
	l.set(t)
	if _, err := l.db.HandleFeedback(l.ctx, l.school.ID, f.ID, who, st); err != nil {
		return fmt.Errorf("case %q, %s: %w", f.Subject, st.Action, err)
	}
	return nil
}

func (l *feedbackLoader) follow(t time.Time, f *gongkai.Feedback, secret string, st store.SenderStep) error {
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

// objectionText is what a parent would object to in an item of the
// category.
func objectionText(cat string) (subject, body string) {
	switch cat {
	case "fees":
		return "代收费金额与开学通知不一致", "公示中代收的作业本费每生 45 元，开学时班主任在家长群里说的是 38 元，请学校核实并说明收费依据。"
	case "aid":
		return "受助学生名单有疑问", "名单中有一名学生家里在镇上开店、有两辆车，家庭条件较好，是否符合资助条件？请学校按程序核实。"
	case "awards", "evaluation":
		return "评优名单有疑问", "评优名单中有一名同学本学期曾受纪律处分，按评选办法不符合条件，请学校核实。"
	case "procurement":
		return "采购价格偏高", "公示的单价明显高于网上同型号产品的价格，请说明采购方式和供应商是如何确定的。"
	}
	return "公示金额合计有误", "公示表格中各项明细相加与合计金额相差 300 元，请核对后更正。"
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
	subject, body := objectionText(d.Category)
	if l.have[subject] {
		return nil
	}
	at := l.now.Add(-3 * time.Hour)
	if at.Before(d.PublishedAt) {
		at = d.PublishedAt.Add(time.Hour)
	}
	_, _, err := l.send(at, store.NewFeedback{Kind: gongkai.KindObjection, DisclosureID: d.ID, Subject: subject, Body: body, Anonymous: true})
	return err
}

// answeredObjection: an objection during an earlier period, checked by the
// department, answered and closed, rated by its sender.
func (l *feedbackLoader) answeredObjection() error {
	subject := "对公示名单中班级信息的异议"
	if l.have[subject] {
		return nil
	}
	d := l.pickItem(func(d *gongkai.Disclosure) bool {
		return gongkai.PeriodOver(d.PublicityEnd, l.now.AddDate(0, 0, -14)) && !d.PublicityStart.IsZero()
	})
	if d == nil {
		return nil
	}
	at := d.PublicityStart.Add(15*time.Hour + 20*time.Minute)
	if at.Before(d.PublishedAt) {
		at = d.PublishedAt.Add(2 * time.Hour)
	}
	f, secret, err := l.send(at, store.NewFeedback{Kind: gongkai.KindObjection, DisclosureID: d.ID, Subject: subject,
		Body: "公示中一名学生的班级写错了，我家孩子在三年级二班，公示写成了三年级一班，请更正。", SenderName: "三年级家长周女士", Contact: "家长群内联系"})
	if err != nil {
		return err
	}
	clerk := l.people["clerk"]
	if err := l.step(at.Add(40*time.Minute), f, l.people["principal"], store.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dFinance), AssigneeID: clerk.ID, Comment: "请核对原始材料后答复家长。"}); err != nil {
		return err
	}
	if err := l.step(at.Add(20*time.Hour), f, clerk, store.FeedbackStep{Action: gongkai.FActReply, Comment: "经核对学籍材料，确为录入笔误，已在公示栏和网上同步更正，公示期不受影响。感谢您的监督。"}); err != nil {
		return err
	}
	if err := l.step(at.Add(21*time.Hour), f, l.people["principal"], store.FeedbackStep{Action: gongkai.FActClose}); err != nil {
		return err
	}
	return l.follow(at.Add(26*time.Hour), f, secret, store.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingSatisfied, Body: "更正及时。"})
}

// canteen: an opinion about the canteen, rectified with a published
// result, closed, rated and published as a question and answer.
func (l *feedbackLoader) canteen() error {
	subject := "食堂饭菜偏咸、分量不足"
	if l.have[subject] {
		return nil
	}
	parent := l.people["parent"]
	t := l.day(40, 25)
	f, secret, err := l.send(t, store.NewFeedback{Kind: gongkai.KindOpinion, Subject: subject, SenderID: parent.ID,
		Body: "近两周孩子反映午餐的菜普遍偏咸，打菜时分量也不够，有时不到 12 点半就没有菜了。希望学校检查一下食堂的供餐情况，定期公开每周菜谱和食材采购价格。"})
	if err != nil {
		return err
	}
	clerk2, principal := l.people["clerk2"], l.people["principal"]
	steps := []struct {
		after time.Duration
		who   *gongkai.Actor
		st    store.FeedbackStep
	}{
		{2 * time.Hour, principal, store.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dGeneral), AssigneeID: clerk2.ID, Comment: "请总务处会同伙委会调查，三日内答复。"}},
		{50 * time.Hour, clerk2, store.FeedbackStep{Action: gongkai.FActReply, Comment: "经总务处与伙委会家长代表连续三天陪餐检查，情况基本属实：新换的厨师口味偏重，高峰时段备餐不足。学校已要求食堂整改。"}},
		{52 * time.Hour, clerk2, store.FeedbackStep{Action: gongkai.FActRectify, Comment: "一、调整菜品用盐标准，每周由伙委会抽查；二、午餐分两批出餐，保证最后一批学生有菜；三、每周五在公开栏公布下周菜谱和主要食材采购价格。", Due: t.AddDate(0, 0, 21)}},
	}
	for _, s := range steps {
		if err := l.step(t.Add(s.after), f, s.who, s.st); err != nil {
			return err
		}
	}
	result, err := l.publishResult(t.AddDate(0, 0, 12), "关于学生食堂伙食质量整改情况的公示",
		"根据家长反映的午餐偏咸、分量不足问题，学校会同伙委会进行了调查并落实整改：\n\n1. 菜品用盐按标准执行，伙委会家长代表每周抽查一次；\n2. 午餐分两批出餐，备餐量按就餐人数增加一成；\n3. 每周五公布下周菜谱及主要食材采购价格。\n\n欢迎家长继续监督。")
	if err != nil {
		return err
	}
	for _, s := range []struct {
		after time.Duration
		who   *gongkai.Actor
		st    store.FeedbackStep
	}{
		{13 * 24 * time.Hour, clerk2, store.FeedbackStep{Action: gongkai.FActRectified, Comment: "整改措施已全部落实，整改情况已公示。", ResultID: result}},
		{13*24*time.Hour + time.Hour, principal, store.FeedbackStep{Action: gongkai.FActClose, Comment: "办结。"}},
	} {
		if err := l.step(t.Add(s.after), f, s.who, s.st); err != nil {
			return err
		}
	}
	if err := l.follow(t.Add(14*24*time.Hour), f, secret, store.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingSatisfied, Body: "孩子说现在饭菜好多了，谢谢学校。"}); err != nil {
		return err
	}
	return l.step(t.Add(15*24*time.Hour), f, principal, store.FeedbackStep{Action: gongkai.FActPublishQA,
		QAQuestion: "有家长反映学校食堂午餐偏咸、分量不足，学校如何处理？",
		QAAnswer:   "学校会同伙委会调查后落实了整改：控制用盐、分两批出餐、每周公布菜谱和食材价格。整改情况已专项公示，欢迎家长继续监督。"})
}

// uniforms: a letter to the principal about uniform prices, answered.
func (l *feedbackLoader) uniforms() error {
	subject := "校服价格比去年贵了六十元"
	if l.have[subject] {
		return nil
	}
	t := l.day(60, 130)
	f, secret, err := l.send(t, store.NewFeedback{Kind: gongkai.KindMailbox, Subject: subject, SenderName: "一年级家长刘先生", Contact: "139****2817",
		Body: "校长您好：今年一年级新生校服每套 280 元（夏装两套、秋装一套），比去年贵了 60 元，质量看起来差不多。请问校服是怎么选定供应商的？家长可以不订吗？"})
	if err != nil {
		return err
	}
	principal := l.people["principal"]
	if err := l.step(t.Add(26*time.Hour), f, principal, store.FeedbackStep{Action: gongkai.FActReply, Comment: "刘先生您好：今年校服由家长委员会参与、按县教育局规定公开比选确定供应商，涨价主要因面料改为纯棉并增加一件秋装外套。校服坚持家长自愿购买，不强制统一订购。比选结果和价格构成将在公开栏补充公示。"}); err != nil {
		return err
	}
	if err := l.step(t.Add(27*time.Hour), f, principal, store.FeedbackStep{Action: gongkai.FActClose}); err != nil {
		return err
	}
	if err := l.follow(t.Add(3*24*time.Hour), f, secret, store.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingBasic, Body: "解释清楚了，希望以后提前公示价格构成。"}); err != nil {
		return err
	}
	return l.step(t.Add(4*24*time.Hour), f, principal, store.FeedbackStep{Action: gongkai.FActPublishQA,
		QAQuestion: "今年校服为什么涨价？必须统一购买吗？", QAAnswer: "校服由家长委员会参与公开比选确定，涨价原因是面料改为纯棉并增加秋装外套。校服坚持自愿购买，不强制统一订购。"})
}

// afterSchoolFees: an anonymous report, with the supervision group, past
// its deadline.
func (l *feedbackLoader) afterSchoolFees() error {
	subject := "课后服务另收资料费"
	if l.have[subject] {
		return nil
	}
	t := l.day(30, 300)
	f, _, err := l.send(t, store.NewFeedback{Kind: gongkai.KindReport, Anonymous: true, Subject: subject,
		Body: "课后服务已经按每月 150 元收费，但有的班级又以“资料费”名义每人另收 50 元，没有收据，也没有公示。"})
	if err != nil {
		return err
	}
	sup := l.people["supervisor"]
	return l.step(t.Add(3*time.Hour), f, sup, store.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: sup.ID, Comment: "由监督小组牵头核查各班收费情况。"})
}

// leadershipReport: an anonymous report about the leadership, which the
// bureau handles.
func (l *feedbackLoader) leadershipReport() error {
	subject := "评优评先向领导亲属倾斜"
	if l.have[subject] {
		return nil
	}
	t := l.day(6, 600)
	f, _, err := l.send(t, store.NewFeedback{Kind: gongkai.KindReport, Anonymous: true, About: gongkai.SubjectLeadership, AboutName: "学校领导",
		Subject: subject, Body: "今年县级优秀教师推荐名额给了一位领导的亲属，推荐前没有公示评选办法，教研组也没有投票。"})
	if err != nil {
		return err
	}
	return l.step(t.Add(22*time.Hour), f, l.admin, store.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: l.admin.ID, Comment: "由局纪检组核查评选程序。"})
}

// busRequest: a disclosure request with supporters; where the school's
// threshold is reached it is answered by a published item.
func (l *feedbackLoader) busRequest() error {
	subject := "请公开课后服务和校车的收费明细"
	if l.have[subject] {
		return nil
	}
	t := l.day(20, 90)
	f, _, err := l.send(t, store.NewFeedback{Kind: gongkai.KindRequest, Subject: subject, SenderID: l.people["rep"].ID,
		Body: "建议学校公开课后服务费和校车费的收费标准、收支情况和退费办法，每学期公布一次。"})
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
	if err := l.step(t.Add(2*24*time.Hour), f, l.people["principal"], store.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dFinance), AssigneeID: clerk.ID, Comment: "请财务室整理收支情况。"}); err != nil {
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
	if err := l.step(t.Add(6*24*time.Hour), f, clerk, store.FeedbackStep{Action: gongkai.FActReply, ResultID: fees.ID,
		Comment: "收费标准和收支情况已在校务公开栏公开，请见所附链接；今后每学期初公布一次。"}); err != nil {
		return err
	}
	return l.step(t.Add(6*24*time.Hour+time.Hour), f, l.people["principal"], store.FeedbackStep{Action: gongkai.FActClose})
}

// salaryRequest: a request refused in public with its reason.
func (l *feedbackLoader) salaryRequest() error {
	subject := "请公开每位教师的工资收入"
	if l.have[subject] {
		return nil
	}
	t := l.day(50, 200)
	f, _, err := l.send(t, store.NewFeedback{Kind: gongkai.KindRequest, Anonymous: true, Subject: subject, Body: "希望公开每位老师每月的工资、绩效和补贴。"})
	if err != nil {
		return err
	}
	return l.step(t.Add(4*24*time.Hour), f, l.people["principal"], store.FeedbackStep{Action: gongkai.FActDecline,
		Comment: "教师个人工资收入属于个人信息，依法不予公开。学校已按规定公开绩效工资分配方案和年度收支决算，可在校务公开栏查阅。"})
}

// freshOpinion: an opinion received this morning.
func (l *feedbackLoader) freshOpinion() error {
	subject := "课后服务结束时间太晚"
	if l.have[subject] {
		return nil
	}
	_, _, err := l.send(l.now.Add(-2*time.Hour), store.NewFeedback{Kind: gongkai.KindOpinion, Anonymous: true, Subject: subject,
		Body: "低年级课后服务到 17:50 才结束，冬天天黑得早，孩子很累。建议一、二年级可以自愿选择 16:50 离校。"})
	return err
}

// busEscalated: a letter left unanswered past its deadline, which the
// sender took to the bureau, and the bureau answered.
func (l *feedbackLoader) busEscalated() error {
	subject := "校车不经过村口，孩子要走两公里"
	if l.have[subject] {
		return nil
	}
	village := "村口"
	if len(l.info.zone) > 1 {
		village = l.info.zone[1]
	}
	t := l.day(25, 480)
	f, secret, err := l.send(t, store.NewFeedback{Kind: gongkai.KindMailbox, Subject: subject, SenderName: "家长吴女士",
		Body: fmt.Sprintf("校长您好：新学期校车路线调整后不再经过%s，孩子每天早上要走两公里到镇上坐车，路上有一段没有人行道。请学校考虑恢复原路线。", village)})
	if err != nil {
		return err
	}
	if err := l.step(t.Add(3*time.Hour), f, l.people["principal"], store.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dGeneral), AssigneeID: l.people["clerk2"].ID, Comment: "请总务处与校车公司协调。"}); err != nil {
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
	if err := l.follow(at, f, secret, store.SenderStep{Action: gongkai.FActEscalate, Body: "已经超过答复期限，学校一直没有回复。"}); err != nil {
		return err
	}
	return l.step(at.Add(4*24*time.Hour), f, l.admin, store.FeedbackStep{Action: gongkai.FActReply,
		Comment: fmt.Sprintf("县教育局已会同学校和校车公司实地查看，自下周一起早晚各增设一趟经过%s的班次。学校未按期答复的问题已责成整改。", village)})
}

// advert: an opinion that is not one, declined.
func (l *feedbackLoader) advert() error {
	subject := "暑期辅导班招生"
	if l.have[subject] {
		return nil
	}
	t := l.day(15, 45)
	f, _, err := l.send(t, store.NewFeedback{Kind: gongkai.KindOpinion, Anonymous: true, Subject: subject, Body: "本机构暑期开设语数英提高班，名师授课，请学校帮忙转发给家长。"})
	if err != nil {
		return err
	}
	return l.step(t.Add(5*time.Hour), f, l.people["leader"], store.FeedbackStep{Action: gongkai.FActDecline, Comment: "所反映内容为商业推广，与学校工作无关，不予受理。"})
}

// desks: broken desks, repaired, the result published; not yet closed.
func (l *feedbackLoader) desks() error {
	subject := "教室课桌椅损坏多时未修"
	if l.have[subject] {
		return nil
	}
	t := l.day(28, 75)
	f, _, err := l.send(t, store.NewFeedback{Kind: gongkai.KindOpinion, Subject: subject, SenderID: l.people["teacher"].ID,
		Body: "四年级两个教室各有五六套课桌椅松动、桌面开裂，已报修一个多月，学生上课时容易划伤。"})
	if err != nil {
		return err
	}
	clerk2 := l.people["clerk2"]
	for _, s := range []struct {
		after time.Duration
		who   *gongkai.Actor
		st    store.FeedbackStep
	}{
		{time.Hour, l.people["leader"], store.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dGeneral), AssigneeID: clerk2.ID}},
		{26 * time.Hour, clerk2, store.FeedbackStep{Action: gongkai.FActReply, Comment: "已到两个教室清点，共 11 套课桌椅需维修或更换。"}},
		{27 * time.Hour, clerk2, store.FeedbackStep{Action: gongkai.FActRectify, Comment: "维修 7 套、更换 4 套，两周内完成。", Due: t.AddDate(0, 0, 16)}},
	} {
		if err := l.step(t.Add(s.after), f, s.who, s.st); err != nil {
			return err
		}
	}
	result, err := l.publishResult(t.AddDate(0, 0, 14), "关于教室课桌椅维修更换情况的公示",
		"根据教师反映，总务处对四年级教室课桌椅进行了清点：维修 7 套，更换 4 套，费用合计 ¥2,860.00 元，已于本周全部完成。")
	if err != nil {
		return err
	}
	return l.step(t.AddDate(0, 0, 15), f, clerk2, store.FeedbackStep{Action: gongkai.FActRectified, Comment: "维修更换已完成，情况已公示。", ResultID: result})
}

// waterDispensers: a rectification still under way.
func (l *feedbackLoader) waterDispensers() error {
	subject := "教室饮水机滤芯长期未换"
	if l.have[subject] {
		return nil
	}
	t := l.day(8, 210)
	f, _, err := l.send(t, store.NewFeedback{Kind: gongkai.KindOpinion, Subject: subject, SenderName: "五年级家长",
		Body: "孩子说教室饮水机的水有异味，滤芯上的更换日期还是去年的。请学校检查并公开饮水机的维护记录。"})
	if err != nil {
		return err
	}
	clerk2 := l.people["clerk2"]
	for _, s := range []struct {
		after time.Duration
		who   *gongkai.Actor
		st    store.FeedbackStep
	}{
		{2 * time.Hour, l.people["principal"], store.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: l.deptOf(dGeneral), AssigneeID: clerk2.ID}},
		{24 * time.Hour, clerk2, store.FeedbackStep{Action: gongkai.FActReply, Comment: "经检查，全校 32 台饮水机中有 9 台滤芯超期，已暂停使用。"}},
		{25 * time.Hour, clerk2, store.FeedbackStep{Action: gongkai.FActRectify, Comment: "更换全部超期滤芯，送检水质，今后每学期公开维护记录。", Due: l.now.AddDate(0, 0, 10)}},
		{26 * time.Hour, l.people["supervisor"], store.FeedbackStep{Action: gongkai.FActNote, Comment: "监督小组将在整改期满后抽查。"}},
	} {
		if err := l.step(t.Add(s.after), f, s.who, s.st); err != nil {
			return err
		}
	}
	return nil
}
