// Package demo holds the demo county of `gongkai serve --demo`: one fictional
// bureau, four schools drawn from the seed plans, their people and about fifty
// disclosures per school. Every name of a person is invented; the content is
// generated from templates and is deterministic for a school and a moment.
package demo

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"gongkai"
	"gongkai/internal/calendar"
)

// PersonSeed is one demo user of a school. Login is the part after
// "<slug>.", e.g. "principal" for the user "xiangqian.principal".
type PersonSeed struct {
	Login       string
	DisplayName string
	Roles       []gongkai.Role
	Department  string // for clerks and leaders: one of the school's departments
}

// SchoolSeed is one demo school with its departments and people.
type SchoolSeed struct {
	Slug, Name, FullName, Code, Address, Phone string
	CreditCode, Stage                          string // 统一社会信用代码, 学段
	AdmissionPhone, AidPhone, OfficeHours      string // 招生咨询电话, 资助热线, 办公时间
	Guide                                      string // 便民办事指南, Markdown
	Departments                                []string
	People                                     []PersonSeed
}

// FileSeed is a small attachment.
type FileSeed struct {
	Name        string
	ContentType string
	Data        []byte
}

// ItemSeed is one disclosure of a school and the state the loader brings it to.
//
// The loader walks the procedure: create at Created → submit → (comment,
// when Comment is set) → (return with ReturnReason and submit again, when
// ReturnReason is set; a Target draft stays returned) → approve → check →
// publish at Published → (revise once with Reason and RevisedBody when
// Revisions is 1: the revision is submitted, commented on by a leader,
// signed, checked and published again) → close when the period has ended (Target closed or
// archived) → archive; or withdraw with Reason (Target withdrawn).
type ItemSeed struct {
	Key      string // stable and unique within the school
	Category string // a gongkai.Categories code
	Title    string
	Body     string // Markdown
	Audience gongkai.Audience
	// Catalogue is the catalogue item the item is filed under, or "" for
	// one outside the catalogue (or published before the demo's compliance
	// calendar begins); Period is the key of the obligation it meets, "" if
	// none.
	Catalogue     string
	Period        string
	PublicityDays int
	DocNumber     string
	LegalBasis    string
	Department    string
	Clerk         string // login suffix of the clerk who drafts and publishes it
	Channels      []gongkai.Channel
	Target        gongkai.State
	Created       time.Time // Beijing time
	// Published is when the item was first published: a working day 1–5
	// working days after Created and at least an hour before now. Zero for
	// items that never reached publication (Target draft to checked).
	Published    time.Time
	Comment      string
	ReturnReason string
	Reason       string
	Revisions    int
	RevisedBody  string
	Attachment   *FileSeed
}

// realNames are the people named in the seed plans; none may appear in the
// demo, not even inside a longer generated name.
var realNames = []string{"李灿元", "魏有伟", "王兴虎", "刘国林", "李常征", "李安庆", "贾盛春", "朱增辉", "何万琴", "文丕兰",
	"王远东", "陈顺平", "车广君", "林智焕", "林丽芳", "陈君敏", "林水姬", "陈笑冬", "林伟", "陈学建", "林锦生", "林艳", "林燕"}

// dept keys map to each school's own department names.
const (
	dOffice   = "office"
	dTeaching = "teaching"
	dStudent  = "student"
	dGeneral  = "general"
	dFinance  = "finance"
	dEnrol    = "enrol"
	dUnion    = "union"
)

type schoolInfo struct {
	seed       SchoolSeed
	vocational bool
	boarding   bool
	abbr       string // 文号 prefix
	dept       map[string]string
	students   int
	teachers   int
	congress   string    // 届 of the staff congress
	cadres     [2]string // 办公室主任, 德育（学生处）主任: not users
	zone       []string  // 招生范围
	majors     []string  // vocational majors
}

var primaryDepts = []string{"办公室", "教导处", "德育处", "总务处", "财务室", "工会"}

func schoolInfos() []*schoolInfo {
	pd := map[string]string{dOffice: "办公室", dTeaching: "教导处", dStudent: "德育处", dGeneral: "总务处", dFinance: "财务室", dEnrol: "教导处", dUnion: "工会"}
	vd := map[string]string{dOffice: "校长办公室", dTeaching: "教务处", dStudent: "学生处", dGeneral: "总务处", dFinance: "财务室", dEnrol: "招生就业处", dUnion: "工会"}
	mk := func(slug, name, full, code, addr, phone string, depts []string, d map[string]string, names [10]string) SchoolSeed {
		return SchoolSeed{Slug: slug, Name: name, FullName: full, Code: code, Address: addr, Phone: phone,
			Departments: slices.Clone(depts), People: people(names, d)}
	}
	out := []*schoolInfo{
		{seed: mk("pingan", "平安职业技术学校", "青禾县平安职业技术学校", "3136004401", "青禾县平安镇学府路18号", "0598-5550023",
			[]string{"校长办公室", "教务处", "学生处", "总务处", "财务室", "招生就业处", "工会"}, vd,
			[10]string{"周明远", "韩立新", "邓素芬", "罗志刚", "孙晓琳", "胡建平", "姚文静", "宋雅婷", "曹德明", "彭丽华"}),
			vocational: true, boarding: true, abbr: "平职校", dept: vd, students: 1260, teachers: 96, congress: "第四届",
			cadres: [2]string{"廖俊峰", "史红英"}, majors: []string{"计算机应用", "汽车运用与维修", "电子商务", "现代农艺技术", "幼儿保育"}},
		{seed: mk("xiangqian", "祥谦小学", "青禾县祥谦小学", "3136002107", "青禾县祥谦镇祥谦街56号", "0598-5550117",
			primaryDepts, pd, [10]string{"郑海燕", "黄振华", "吴晓梅", "许国栋", "蔡丽萍", "郭文彬", "沈佳慧", "唐诗雨", "萧建伟", "杨春花"}),
			abbr: "祥小", dept: pd, students: 760, teachers: 42, congress: "第六届", cadres: [2]string{"方志诚", "邱美玲"},
			zone: []string{"祥谦村", "兰圃村", "枕峰村", "祥谦街社区"}},
		{seed: mk("yuanba", "元坝镇中心小学", "青禾县元坝镇中心小学", "3136003305", "青禾县元坝镇新街12号", "0598-5550268",
			primaryDepts, pd, [10]string{"马俊杰", "苏永红", "谢春燕", "冯德胜", "任小芳", "袁文涛", "雷雨萱", "蒋丽娟", "田志强", "姜秀英"}),
			boarding: true, abbr: "元小", dept: pd, students: 930, teachers: 55, congress: "第五届", cadres: [2]string{"黎光明", "崔淑贞"},
			zone: []string{"元坝社区", "柳池村", "石门村", "白驿村", "新观村"}},
		{seed: mk("kaiwu", "开物小学", "青禾县开物小学", "3136001209", "青禾县城关镇开物路9号", "0598-5550391",
			primaryDepts, pd, [10]string{"董思源", "梁建军", "程晓燕", "贺永福", "于静怡", "潘国庆", "汪若兰", "钟晓雯", "龚卫东", "叶红梅"}),
			abbr: "开小", dept: pd, students: 1180, teachers: 68, congress: "第三届", cadres: [2]string{"严立群", "孔令芝"},
			zone: []string{"开物社区", "南门社区", "东岳社区"}},
	}
	for i, p := range [][3]string{
		{"48837051X", "0598-5550025", "0598-5550029"},
		{"488370628", "0598-5550118", "0598-5550119"},
		{"48837073L", "0598-5550266", "0598-5550269"},
		{"488370845", "0598-5550392", "0598-5550395"},
	} {
		out[i].particulars(p[0], p[1], p[2])
	}
	return out
}

// people makes the ten demo users: principal, leader (副校长), leader2
// (教导主任), supervisor (工会主席), clerk (财务室), clerk2 (总务处), clerk3
// (办公室), teacher, rep and parent.
func people(n [10]string, d map[string]string) []PersonSeed {
	R := func(rs ...gongkai.Role) []gongkai.Role { return rs }
	return []PersonSeed{
		{"principal", n[0], R(gongkai.RolePrincipal, gongkai.RoleLeader), d[dOffice]},
		{"leader", n[1], R(gongkai.RoleLeader, gongkai.RoleRepresentative), d[dOffice]},
		{"leader2", n[2], R(gongkai.RoleLeader), d[dTeaching]},
		{"supervisor", n[3], R(gongkai.RoleSupervisor, gongkai.RoleRepresentative), d[dUnion]},
		{"clerk", n[4], R(gongkai.RoleClerk), d[dFinance]},
		{"clerk2", n[5], R(gongkai.RoleClerk), d[dGeneral]},
		{"clerk3", n[6], R(gongkai.RoleClerk), d[dOffice]},
		{"teacher", n[7], R(gongkai.RoleStaff), ""},
		{"rep", n[8], R(gongkai.RoleStaff, gongkai.RoleRepresentative), ""},
		{"parent", n[9], R(gongkai.RoleParent), ""},
	}
}

// Schools returns the four demo schools, all under the bureau of BureauSeed.
func Schools() []SchoolSeed {
	var out []SchoolSeed
	for _, s := range schoolInfos() {
		out = append(out, s.seed)
	}
	return out
}

func infoBySlug(slug string) *schoolInfo {
	for _, s := range schoolInfos() {
		if s.seed.Slug == slug {
			return s
		}
	}
	return nil
}

func (s *schoolInfo) person(login string) string {
	for _, p := range s.seed.People {
		if p.Login == login {
			return p.DisplayName
		}
	}
	return ""
}

var workCalendar = sync.OnceValue(func() *gongkai.WorkCalendar { return gongkai.NewWorkCalendar(calendar.Seed()) })

// builder collects the items of one school at one moment.
type builder struct {
	s     *schoolInfo
	now   time.Time
	from  time.Time
	cal   *gongkai.WorkCalendar
	items []ItemSeed
	staff []string
	plan  *compliance
}

// Items returns the disclosures of the school slug as they stand at now:
// deterministic for (slug, now), dated over the 14 months before now,
// covering every category and every state. Nil for an unknown slug.
func Items(slug string, now time.Time) []ItemSeed {
	s := infoBySlug(slug)
	if s == nil {
		return nil
	}
	now = now.In(gongkai.Beijing)
	b := &builder{s: s, now: now, from: now.AddDate(0, -14, 0), cal: workCalendar()}
	b.plan = planCompliance(slug, now, b.cal)
	b.staff = names(b.rng("staff"), 36, false, b.peopleNames())
	b.statements()
	b.termly()
	b.yearly()
	b.recurring()
	b.pipeline()
	b.finish()
	return b.items
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

func (b *builder) rng(key string) *rand.Rand {
	return rand.New(rand.NewPCG(hash64(b.s.seed.Slug), hash64(key)))
}

func (b *builder) peopleNames() []string {
	var ns []string
	for _, p := range b.s.seed.People {
		ns = append(ns, p.DisplayName)
	}
	return append(ns, b.s.cadres[:]...)
}

// ---- dates ----

func dayOf(t time.Time) time.Time {
	y, m, d := t.In(gongkai.Beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, gongkai.Beijing)
}

func (b *builder) workdayFrom(t time.Time) time.Time {
	d := dayOf(t)
	for !b.cal.IsWorkday(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// prevWorkday returns the n-th working day before the date of now.
func (b *builder) prevWorkday(n int) time.Time {
	d := dayOf(b.now)
	for n > 0 {
		d = d.AddDate(0, 0, -1)
		if b.cal.IsWorkday(d) {
			n--
		}
	}
	return d
}

func clock(d time.Time, r *rand.Rand, h1, h2 int) time.Time {
	return d.Add(time.Duration(h1)*time.Hour + time.Duration(r.IntN((h2-h1)*60))*time.Minute)
}

// formed is when an item due around y-m-d was drafted: the morning of the
// first working day from then.
func (b *builder) formed(y int, m time.Month, d int, r *rand.Rand) time.Time {
	return clock(b.workdayFrom(time.Date(y, m, d, 0, 0, 0, 0, gongkai.Beijing)), r, 8, 11)
}

func (b *builder) fresh(t time.Time) bool {
	return !t.Before(b.from) && !t.After(b.now.Add(-12*time.Hour))
}

// every calls fn for each year in which the item due on month/day falls
// within the window, the latest first; latest stops after the first.
func (b *builder) every(kind string, m time.Month, d int, latest bool, fn func(key string, y int, created time.Time, r *rand.Rand)) {
	for y := b.now.Year(); y >= b.now.Year()-2; y-- {
		key := fmt.Sprintf("%s-%d", kind, y)
		r := b.rng(key)
		c := b.formed(y, m, d, r)
		if !b.fresh(c) {
			continue
		}
		fn(key, y, c, r)
		if latest {
			return
		}
	}
}

func cnDate(t time.Time) string {
	t = t.In(gongkai.Beijing)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// ---- settling an item's state ----

const (
	inPeriod = iota
	periodOver
	unsure
)

// period classifies a publication at pub with days working days at now,
// safely under either way of counting the first day, with a day to spare.
func (b *builder) period(pub time.Time, days int) int {
	early, _ := b.cal.AddWorkdays(pub, days-1)
	late, _ := b.cal.AddWorkdays(pub, days)
	switch {
	case !gongkai.PeriodOver(early.AddDate(0, 0, -1), b.now):
		return inPeriod
	case gongkai.PeriodOver(late.AddDate(0, 0, 1), b.now):
		return periodOver
	}
	return unsure
}

// publish picks the publication time of an item: a working day 1–5 working
// days after it was created, at least an hour before now, such that its
// state at now is certain. ok is false when no such time exists.
func (b *builder) publish(it *ItemSeed, r *rand.Rand) (pub time.Time, st gongkai.State, ok bool) {
	k0 := 1 + r.IntN(2)
	minute := r.IntN(7 * 60)
	for _, k := range []int{k0, k0 + 1, k0 + 2, 5, 1, 2} {
		d, _ := b.cal.AddWorkdays(it.Created, k)
		pub = d.Add(9*time.Hour + time.Duration(minute)*time.Minute)
		if pub.After(b.now.Add(-time.Hour)) || it.ReturnReason != "" && pub.Sub(it.Created) < 26*time.Hour {
			continue
		}
		if it.PublicityDays == 0 {
			return pub, gongkai.StatePublished, true
		}
		switch b.period(pub, it.PublicityDays) {
		case inPeriod:
			return pub, gongkai.StatePublished, true
		case periodOver:
			if b.now.Sub(pub) > 150*24*time.Hour {
				return pub, gongkai.StateArchived, true
			}
			return pub, gongkai.StateClosed, true
		}
	}
	return time.Time{}, "", false
}

var reviewComments = []string{
	"同意公开。", "内容属实，同意按程序公示。", "已与账目核对无误，同意提交校长签发。", "同意，请经办部门按时张贴并同步网上公开。",
	"经领导小组审议，同意公开。", "同意。公示期内收到的意见请及时汇总反馈。", "材料齐全，程序规范，同意公开。",
}

// add settles the item's Target (want, or by its age when want is empty)
// and appends it.
func (b *builder) add(it ItemSeed, want gongkai.State, r *rand.Rand) {
	switch want {
	case gongkai.StateDraft, gongkai.StateSubmitted, gongkai.StateApproved, gongkai.StateChecked:
		it.Target = want
	default:
		pub, st, ok := b.publish(&it, r)
		switch {
		case !ok:
			age := b.now.Sub(it.Created)
			it.Target = gongkai.StateChecked
			switch {
			case age < 8*time.Hour:
				it.Target = gongkai.StateDraft
			case age < 24*time.Hour && it.ReturnReason != "":
				it.Target = gongkai.StateDraft // returned, not yet resubmitted
			case age < 24*time.Hour:
				it.Target = gongkai.StateSubmitted
			case age < 48*time.Hour:
				it.Target = gongkai.StateApproved
			}
		case want == gongkai.StateWithdrawn:
			it.Target, it.Published = want, pub
		default:
			it.Target, it.Published = st, pub
		}
	}
	if it.Comment == "" && it.Target != gongkai.StateDraft && r.IntN(10) < 7 {
		it.Comment = pick(r, reviewComments)
	}
	if it.Target == gongkai.StateDraft {
		it.Comment = ""
	}
	switch it.Target {
	case gongkai.StatePublished, gongkai.StateClosed, gongkai.StateArchived:
		if b.now.Sub(it.Published) < 48*time.Hour {
			it.Revisions, it.RevisedBody = 0, "" // too fresh to have been revised
		}
		if it.Revisions == 0 {
			it.Reason = ""
		}
	case gongkai.StateWithdrawn:
		it.Revisions, it.RevisedBody = 0, ""
	default:
		it.Revisions, it.RevisedBody, it.Reason = 0, "", ""
	}
	b.items = append(b.items, it)
}

// item fills the defaults of a category.
func (b *builder) item(key, cat, title string, created time.Time) ItemSeed {
	c, _ := gongkai.CategoryByCode(cat)
	it := ItemSeed{Key: key, Category: cat, Title: title, Created: created, Audience: gongkai.AudiencePublic,
		PublicityDays: c.MinPublicityDays, Channels: []gongkai.Channel{"online", "board"}}
	d := map[string]string{"finance": dFinance, "fees": dFinance, "procurement": dGeneral, "aid": dStudent, "awards": dStudent,
		"evaluation": dOffice, "titles": dOffice, "enrolment": dEnrol, "personnel": dOffice, "congress": dUnion,
		"integrity": dOffice, "decisions": dOffice, "other": dOffice}[cat]
	it.Department = b.s.dept[d]
	return it
}

func (b *builder) staffOnly(it *ItemSeed) {
	it.Audience = gongkai.AudienceStaff
	it.Channels = []gongkai.Channel{"online", "staff_meeting"}
}

// finish numbers documents, names clerks and sorts by creation.
func (b *builder) finish() {
	slices.SortStableFunc(b.items, func(x, y ItemSeed) int { return x.Created.Compare(y.Created) })
	used := map[string]bool{}
	for i := range b.items {
		it := &b.items[i]
		switch it.Department {
		case b.s.dept[dFinance]:
			it.Clerk = "clerk"
		case b.s.dept[dGeneral]:
			it.Clerk = "clerk2"
		default:
			it.Clerk = "clerk3"
		}
		if it.DocNumber != "want" {
			continue
		}
		n := it.Created.YearDay()*2/7 + 1
		for used[fmt.Sprintf("%d-%d", it.Created.Year(), n)] {
			n++
		}
		used[fmt.Sprintf("%d-%d", it.Created.Year(), n)] = true
		it.DocNumber = fmt.Sprintf("%s〔%d〕%d号", b.s.abbr, it.Created.Year(), n)
	}
}

// ---- small helpers ----

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// yuan formats fen (a non-negative amount) as ¥1,234.50.
func yuan(fen int64) string {
	s := fmt.Sprint(fen / 100)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return fmt.Sprintf("¥%s.%02d", s, fen%100)
}

func amount(r *rand.Rand, lo, hi int) int64 {
	return int64(lo)*100 + r.Int64N(int64(hi-lo)*100+1)
}

func table(head []string, rows [][]string) string {
	var sb strings.Builder
	sb.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	for range head {
		sb.WriteString(" --- |")
	}
	sb.WriteString("\n")
	for _, row := range rows {
		sb.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return sb.String()
}

var (
	surnames   = []rune("张王李赵刘杨黄吴周徐孙马朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖夏韦方白邹孟熊秦邱江尹薛段雷侯龙陶黎贺顾毛郝龚邵严覃戴莫孔向汤陈林")
	kidChars   = []rune("子涵梓轩宇浩欣怡雨桐思语梦琪诺佳豪俊杰博文晨阳诗嘉若曦天佑明睿语嫣皓奕辰紫萱可馨乐悦心瑶一航铭泽安然沐")
	adultChars = []rune("建华国平秀兰丽娟春燕志远振宇晓峰海涛玉梅红霞永强德胜文斌淑芬桂英少军立新雪莲小红卫东学军美琴金凤荣庆")
)

func hasRealName(s string) bool {
	for _, n := range realNames {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

// names makes n distinct fictional names, none equal to one of avoid and
// none containing a name from the seed plans.
func names(r *rand.Rand, n int, kids bool, avoid []string) []string {
	chars := adultChars
	if kids {
		chars = kidChars
	}
	seen := map[string]bool{}
	for _, a := range avoid {
		seen[a] = true
	}
	var out []string
	for len(out) < n {
		name := string(surnames[r.IntN(len(surnames))]) + string(chars[r.IntN(len(chars))])
		if r.IntN(10) < 7 {
			name += string(chars[r.IntN(len(chars))])
		}
		if seen[name] || hasRealName(name) {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}

var cnNum = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// classes returns n class names of the school at year y.
func (b *builder) classes(r *rand.Rand, n, y int) []string {
	var out []string
	for len(out) < n {
		var c string
		if b.s.vocational {
			m := b.s.majors[r.IntN(len(b.s.majors))]
			c = fmt.Sprintf("%d级%s%d班", y-r.IntN(3), m, 1+r.IntN(2))
		} else {
			c = fmt.Sprintf("%s年级(%d)班", cnNum[1+r.IntN(6)], 1+r.IntN(3))
		}
		if n > 5 || !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func (b *builder) sign(dept string, t time.Time) string {
	return fmt.Sprintf("\n%s%s  \n%s\n", b.s.seed.FullName, dept, cnDate(t))
}

func (b *builder) objection(days int) string {
	return fmt.Sprintf("公示期为%d个工作日。如有异议，请在公示期内通过网上“在线提交”、校务公开意见箱或电话%s向学校校务公开监督小组反映（监督小组组长：%s）。",
		days, b.s.seed.Phone, b.s.person("supervisor"))
}

// ---- monthly financial statements ----

type ledgerLine struct {
	name string
	gen  func(r *rand.Rand, m time.Month) int64
}

func (s *schoolInfo) ledgerLines() (in, out []ledgerLine) {
	sc := float64(s.students) / 800
	scaled := func(lo, hi int) func(*rand.Rand, time.Month) int64 {
		return func(r *rand.Rand, m time.Month) int64 {
			v := amount(r, int(float64(lo)*sc), int(float64(hi)*sc))
			if m == 1 || m == 2 || m == 7 || m == 8 {
				v = v * 4 / 10
			}
			return v
		}
	}
	sometimes := func(p int, lo, hi int) func(*rand.Rand, time.Month) int64 {
		return func(r *rand.Rand, m time.Month) int64 {
			if r.IntN(100) >= p {
				return 0
			}
			return amount(r, lo, hi)
		}
	}
	perStudent := per(s.students, 720, 4)
	collected, collectedName := per(s.students, 38, 1), "代收费收入（作业本费）"
	if s.vocational {
		perStudent = per(s.students, 1000, 4)
		collected, collectedName = per(s.students, 210, 1), "代收费收入（教材费）"
	}
	in = []ledgerLine{
		{"生均公用经费拨款", func(r *rand.Rand, m time.Month) int64 {
			if m%3 != 0 {
				return 0
			}
			return perStudent*97/100 + r.Int64N(perStudent*6/100)
		}},
		{"上级专项补助", sometimes(15, 10000, 60000)},
		{collectedName, func(r *rand.Rand, m time.Month) int64 {
			if m != 3 && m != 9 {
				return 0
			}
			return collected*95/100 + r.Int64N(collected/10)
		}},
		{"其他收入（利息）", func(r *rand.Rand, m time.Month) int64 { return amount(r, 30, 320) }},
	}
	if s.vocational {
		in = append(in, ledgerLine{"住宿费收入", func(r *rand.Rand, m time.Month) int64 {
			if m != 3 && m != 9 {
				return 0
			}
			return per(s.students*6/10, 400, 1) * int64(95+r.IntN(5)) / 100
		}})
	}
	out = []ledgerLine{
		{"办公费", scaled(1200, 5800)},
		{"印刷费", scaled(300, 2600)},
		{"水电费", scaled(5000, 12000)},
		{"邮电费", scaled(200, 900)},
		{"差旅费", sometimes(70, 600, 4800)},
		{"维修（护）费", func(r *rand.Rand, m time.Month) int64 {
			if m == 7 || m == 8 {
				return amount(r, 10000, 45000)
			}
			return amount(r, 800, 16000)
		}},
		{"培训费", sometimes(50, 1000, 8000)},
		{"公务接待费", sometimes(30, 150, 800)},
		{"专用材料费", scaled(1000, 9000)},
		{"劳务费", scaled(1500, 9000)},
		{"设备购置费", sometimes(40, 3000, 58000)},
		{"代收费支出", func(r *rand.Rand, m time.Month) int64 {
			if m != 3 && m != 9 {
				return 0
			}
			return collected * int64(85+r.IntN(8)) / 100
		}},
	}
	if s.vocational {
		out = append(out, ledgerLine{"实训耗材费", scaled(3000, 18000)})
	}
	return in, out
}

func per(n, yuanEach, div int) int64 { return int64(n) * int64(yuanEach) * 100 / int64(div) }

type statement struct {
	open, close          int64
	in, out, inYr, outYr []int64
}

// ledger computes the statement of y-m by walking the books from January of
// an epoch year, so balances and year totals agree from month to month.
func (b *builder) ledger(y int, m time.Month) statement {
	inL, outL := b.s.ledgerLines()
	epoch := min(2020, y)
	target := int64(b.s.students) * 250 * 100
	bal := target/2 + b.rng("opening").Int64N(target)
	equipment := slices.IndexFunc(outL, func(l ledgerLine) bool { return l.name == "设备购置费" })
	var st statement
	for yy := epoch; yy <= y; yy++ {
		inYr, outYr := make([]int64, len(inL)), make([]int64, len(outL))
		for mm := time.January; mm <= time.December; mm++ {
			if yy == y && mm > m {
				break
			}
			r := b.rng(fmt.Sprintf("ledger-%d-%02d", yy, mm))
			in, out := make([]int64, len(inL)), make([]int64, len(outL))
			var sumIn, sumOut int64
			for i, l := range inL {
				in[i] = l.gen(r, mm)
				sumIn += in[i]
			}
			for i, l := range outL {
				out[i] = l.gen(r, mm)
				sumOut += out[i]
			}
			// Money does not pile up: a school that has saved buys equipment.
			if net := bal + sumIn - sumOut; net > target*3/2 {
				extra := (net - target) / 2 / 100000 * 100000
				out[equipment] += extra
				sumOut += extra
			}
			if floor := int64(60000 * 100); bal+sumIn-sumOut < floor {
				top := (floor-(bal+sumIn-sumOut))/(1000000)*1000000 + 2000000
				in[1] += top
				sumIn += top
			}
			for i := range in {
				inYr[i] += in[i]
			}
			for i := range out {
				outYr[i] += out[i]
			}
			st = statement{open: bal, close: bal + sumIn - sumOut, in: in, out: out, inYr: slices.Clone(inYr), outYr: slices.Clone(outYr)}
			bal = st.close
		}
	}
	return st
}

var spendPurpose = map[string][]string{
	"设备购置费":  {"购置教师办公电脑", "更换教室投影设备", "购置体育器材", "购置图书室书架", "购置录播教室设备"},
	"维修（护）费": {"教学楼卫生间及门窗维修", "校园围墙及排水沟修缮", "教室照明线路改造", "运动场地面修补", "屋面防水修缮"},
	"差旅费":    {"教师赴市参加教研培训", "班子成员参加县校长培训班"},
	"培训费":    {"全体教师暑期校本培训", "班主任专题培训"},
	"劳务费":    {"校园保洁及门卫劳务", "课后服务外聘教师劳务"},
	"实训耗材费":  {"汽修专业实训耗材", "计算机专业实训耗材"},
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

// statementBody renders the statement; typo, when >= 0, shows that expense
// line of the month with two digits swapped, as the first version of a
// statement that was later revised.
func (b *builder) statementBody(y int, m time.Month, st statement, typo int, signed time.Time, r *rand.Rand) string {
	inL, outL := b.s.ledgerLines()
	var rows [][]string
	rows = append(rows, []string{"**一、上月结余**", yuan(st.open), "—"})
	rows = append(rows, []string{"**二、本月收入合计**", yuan(sum(st.in)), yuan(sum(st.inYr))})
	for i, l := range inL {
		if st.in[i] != 0 || st.inYr[i] != 0 {
			rows = append(rows, []string{"　" + l.name, yuan(st.in[i]), yuan(st.inYr[i])})
		}
	}
	rows = append(rows, []string{"**三、本月支出合计**", yuan(sum(st.out)), yuan(sum(st.outYr))})
	var big []string
	for i, l := range outL {
		if st.out[i] == 0 && st.outYr[i] == 0 {
			continue
		}
		shown := yuan(st.out[i])
		if i == typo {
			shown = swapDigits(shown)
		}
		rows = append(rows, []string{"　" + l.name, shown, yuan(st.outYr[i])})
		if p, ok := spendPurpose[l.name]; ok && st.out[i] >= 300000 {
			big = append(big, fmt.Sprintf("- %s %s：%s", l.name, yuan(st.out[i]), pick(r, p)))
		}
	}
	rows = append(rows, []string{"**四、本月结余**", yuan(st.close), "—"})
	var sb strings.Builder
	fmt.Fprintf(&sb, "根据《中小学校财务制度》和县教育局关于财务公开的要求，现将%s%d年%d月份财务收支情况公示如下（单位：元）：\n\n",
		b.s.seed.FullName, y, m)
	sb.WriteString(table([]string{"项目", "本月金额", "本年累计"}, rows))
	sb.WriteString("\n**本月单笔3,000元以上支出说明**\n\n")
	if len(big) == 0 {
		sb.WriteString("本月无单笔3,000元以上的支出。\n")
	} else {
		sb.WriteString(strings.Join(big, "\n") + "\n")
	}
	sb.WriteString("\n以上收支均已入账，原始凭证存财务室备查。" + b.objection(5) + "\n")
	sb.WriteString(b.sign(b.s.dept[dFinance], signed))
	return sb.String()
}

// swapDigits mistypes an amount as a clerk would: the last two digits of
// the yuan swapped (¥1,234.50 → ¥1,243.50), or the last one changed.
func swapDigits(s string) string {
	rs := []rune(s)
	dot := slices.Index(rs, '.')
	if rs[dot-1] == rs[dot-2] || rs[dot-2] == ',' || rs[dot-2] == '¥' {
		rs[dot-1] = '0' + (rs[dot-1]-'0'+1)%10
	} else {
		rs[dot-1], rs[dot-2] = rs[dot-2], rs[dot-1]
	}
	return string(rs)
}

func (b *builder) statements() {
	first := time.Date(b.now.Year(), b.now.Month(), 1, 0, 0, 0, 0, gongkai.Beijing)
	for i := 14; i >= 1; i-- {
		ms := first.AddDate(0, -i, 0)
		y, m := ms.Year(), ms.Month()
		key := fmt.Sprintf("finance-%d-%02d", y, m)
		r := b.rng(key)
		period := fmt.Sprintf("%d-%02d", y, m)
		created := b.dutyCreated("monthly-finance", period, b.formed(y, m+1, 1+r.IntN(2), r))
		if !b.dutyWanted("monthly-finance", period, created) {
			continue
		}
		st := b.ledger(y, m)
		it := b.item(key, "finance", fmt.Sprintf("关于%d年%d月份财务收支情况的公示", y, m), created)
		it.PublicityDays = 5
		it.LegalBasis = "《中小学校财务制度》（财教〔2012〕489号）"
		it.Body = b.statementBody(y, m, st, -1, created, b.rng(key+"-body"))
		b.meets(&it, "monthly-finance", period)
		// Which months carry a correction, a file or a return depends on the
		// month only, so an item's content never changes with now.
		switch m {
		case time.April, time.November:
			it.Revisions = 1
			it.RevisedBody = it.Body
			it.Body = b.statementBody(y, m, st, 0, created, b.rng(key+"-body"))
			it.Reason = "“办公费”本月金额录入时数字颠倒，现予更正；收支合计及结余不变。"
		case time.March, time.September:
			it.Attachment = &FileSeed{Name: fmt.Sprintf("%d年%d月财务收支月报表.pdf", y, m), ContentType: "application/pdf",
				Data: tinyPDF([]string{b.s.seed.Slug + " monthly statement", fmt.Sprintf("%d-%02d", y, m), "gongkai demo data (fictional)"})}
		case time.January, time.July:
			it.ReturnReason = "“本年累计”一栏未含上月数据，请财务室核对后重新提交。"
		}
		b.add(it, "", r)
	}
}

// ---- each term: fees and student aid ----

func (b *builder) termly() {
	for _, term := range []struct {
		name     string
		m        time.Month
		d        int
		aidMonth time.Month
	}{{"autumn", time.August, 14, time.October}, {"spring", time.February, 9, time.April}} {
		period := func(y int) string { return fmt.Sprintf("%d-%s", y, term.name) }
		b.everyDuty("fees-"+term.name, "fees", term.m, term.d, period, func(key string, y int, c time.Time, r *rand.Rand) ItemSeed {
			return b.fees(key, y, term.name == "autumn", c, r)
		})
		b.everyDuty("aid-"+term.name, "aid-roster", term.aidMonth, 20, period, func(key string, y int, c time.Time, r *rand.Rand) ItemSeed {
			return b.aid(key, y, term.name == "autumn", c, r)
		})
	}
}

func termName(y int, autumn bool) string {
	if autumn {
		return fmt.Sprintf("%d年秋季学期", y)
	}
	return fmt.Sprintf("%d年春季学期", y)
}

func (b *builder) fees(key string, y int, autumn bool, c time.Time, r *rand.Rand) ItemSeed {
	term := termName(y, autumn)
	it := b.item(key, "fees", term+"收费项目及标准公示", c)
	it.Channels = []gongkai.Channel{"online", "board", "parent_meeting"}
	it.DocNumber = "want"
	county := fmt.Sprintf("青发改价〔%d〕%d号", y-1, 6+r.IntN(9))
	it.LegalBasis = "《中小学收费管理办法》；《教育部等五部门关于进一步加强和规范教育收费管理的意见》（教财〔2020〕5号）；" + county
	var rows [][]string
	if b.s.vocational {
		rows = [][]string{
			{"1", "学费", "免收", "中等职业教育免学费政策", "全日制正式学籍一、二、三年级在校生"},
			{"2", "住宿费", "¥400.00/生·学期", county, "自愿住宿，按学期收取"},
			{"3", "教材费（代收）", "按实收取", county, "按征订价格结算，学期末多退少补"},
			{"4", "实习实训耗材", "不另收费", "—", "由学校公用经费保障"},
		}
	} else {
		rows = [][]string{
			{"1", "学杂费", "免收", "《中华人民共和国义务教育法》", "义务教育阶段免收学费、杂费"},
			{"2", "教科书费", "免收", "国家免费教科书政策", "国家课程教科书免费提供"},
			{"3", "作业本费（代收）", "每生每学期不超过¥40.00", county, "按实结算，学期末多退少补"},
			{"4", "课后服务费", fmt.Sprintf("¥%d.00/生·学期", []int{240, 280, 300}[r.IntN(3)]), county, "家长自愿选择，不参加不收费"},
		}
		if b.s.boarding {
			rows = append(rows, []string{"5", "住宿费", "免收", "县教育局规定", "寄宿生不收取住宿费"})
		}
	}
	rows = append(rows, []string{fmt.Sprint(len(rows) + 1), "学生意外伤害保险", "学校不代收", "—", "家长自愿自行购买"})
	var sb strings.Builder
	fmt.Fprintf(&sb, "根据国家和省、市、县有关教育收费的规定，经学校行政会议研究、校务公开领导小组审议，现将%s收费项目及标准公示如下：\n\n", term)
	sb.WriteString(table([]string{"序号", "项目", "标准", "依据", "备注"}, rows))
	sb.WriteString("\n**说明**\n\n1. 除上述项目外，学校不收取任何其他费用，不得以任何名义向学生推销或变相推销教辅材料。\n")
	sb.WriteString("2. 代收费项目坚持“自愿、非营利、据实结算”的原则，学期结束后公布收支明细。\n")
	fmt.Fprintf(&sb, "3. 收费时出具正式票据。如发现乱收费行为，请拨打学校举报电话%s或县教育局监督举报电话%s反映。\n\n", b.s.seed.Phone, Bureau().Phone)
	sb.WriteString(b.objection(5) + "\n" + b.sign("", c))
	it.Body = sb.String()
	if !autumn {
		it.Attachment = &FileSeed{Name: term + "收费标准.pdf", ContentType: "application/pdf",
			Data: tinyPDF([]string{b.s.seed.Slug + " fee schedule", term[:4] + " spring term", "gongkai demo data (fictional)"})}
	}
	return it
}

func (b *builder) aid(key string, y int, autumn bool, c time.Time, r *rand.Rand) ItemSeed {
	term := termName(y, autumn)
	var title, intro string
	var each int64
	if b.s.vocational {
		title = term + "中职国家助学金受助学生名单公示"
		intro = "根据《学生资助资金管理办法》，经学生本人申请、班级民主评议、学校学生资助工作领导小组审核，拟确定以下学生享受中等职业学校国家助学金（每生每学期1,000元）"
		each = 100000
	} else {
		title = fmt.Sprintf("%s义务教育家庭经济困难学生生活补助名单公示", term)
		intro = "根据《学生资助资金管理办法》，经学生家长申请、班主任和年段评议、学校资助工作领导小组审核，拟确定以下学生享受义务教育家庭经济困难学生生活补助（寄宿生每生每学期500元，非寄宿生每生每学期250元）"
		each = 50000
	}
	it := b.item(key, "aid", title, c)
	it.LegalBasis = "《学生资助资金管理办法》（财教〔2021〕310号）；教财厅函〔2017〕28号"
	n := 9 + r.IntN(7)
	kids := names(r, n, true, nil)
	cls := b.classes(r, n, y)
	var rows [][]string
	var total int64
	for i := range n {
		a := each
		if !b.s.vocational && (!b.s.boarding || r.IntN(3) == 0) {
			a = 25000
		}
		total += a
		rows = append(rows, []string{fmt.Sprint(i + 1), kids[i], cls[i], yuan(a)})
	}
	rows = append(rows, []string{"合计", fmt.Sprintf("%d人", n), "—", yuan(total)})
	it.Body = fmt.Sprintf("%s，共%d名，现予公示：\n\n%s\n按照教财厅函〔2017〕28号要求，本名单仅公示姓名、班级和资助金额，不公示身份证号码、银行卡号、家庭住址、联系电话等个人信息；公示期满后名单不再公开显示。\n\n%s\n%s",
		intro, n, table([]string{"序号", "姓名", "班级", "资助金额（元）"}, rows), b.objection(5), b.sign(b.s.dept[dStudent], c))
	if autumn {
		it.ReturnReason = "附表中列有学生身份证号和银行卡号，不符合教财厅函〔2017〕28号的要求，请删除后重新提交。"
	}
	return it
}

// ---- once a year ----

func yearKey(y int) string { return fmt.Sprint(y) }

func (b *builder) yearly() {
	s := b.s
	b.everyDuty("personnel-duties", "duties", time.September, 3, yearKey, func(key string, y int, c time.Time, r *rand.Rand) ItemSeed {
		it := b.item(key, "personnel", fmt.Sprintf("%d—%d学年校长及中层干部分工与岗位职责", y, y+1), c)
		it.DocNumber = "want"
		rows := [][]string{
			{s.person("principal"), "校长、校务公开领导小组组长", "主持学校全面工作，负责人事、财务和校务公开工作，是校务公开第一责任人"},
			{s.person("leader"), "副校长、校务公开领导小组副组长", "协助校长工作，分管安全、后勤、工会联络，负责校务公开日常组织"},
			{s.person("leader2"), s.dept[dTeaching] + "主任", "负责教学管理、课程安排、教师培训、学籍与招生"},
			{s.cadres[1], s.dept[dStudent] + "主任", "负责德育、班主任管理、学生资助和评优评先"},
			{s.person("clerk2"), "总务处主任", "负责校舍、设备、采购、食堂和校园安全设施"},
			{s.cadres[0], s.dept[dOffice] + "主任", "负责文秘、档案、校务公开登记与归档"},
			{s.person("supervisor"), "工会主席、校务公开监督小组组长", "负责教代会日常工作，监督校务公开和民主管理"},
		}
		it.Body = fmt.Sprintf("经学校行政会议研究，%d—%d学年学校领导班子及中层干部分工如下：\n\n%s\n**岗位职责要求**\n\n1. 各分管领导对分管范围内应公开的事项负直接责任，按校务公开目录及时提交公开。\n2. 实行“AB岗”制度，一人外出期间由另一人代为履职。\n3. 中层干部每学期向教职工述职一次，接受民主评议。\n%s",
			y, y+1, table([]string{"姓名", "职务", "分管工作"}, rows), b.sign("", c))
		return it
	})
	b.every("personnel-groups", time.March, 1, true, func(key string, y int, c time.Time, r *rand.Rand) {
		it := b.item(key, "personnel", fmt.Sprintf("关于调整%d年学校校务公开领导小组和监督小组成员的通知", y), c)
		it.DocNumber = "want"
		it.Body = fmt.Sprintf("为加强对校务公开工作的领导和监督，经研究，调整学校校务公开领导小组和监督小组成员如下：\n\n**一、校务公开领导小组**\n\n- 组长：%s（校长）\n- 副组长：%s（副校长）\n- 成员：%s、%s、%s、%s\n\n领导小组负责研究确定公开的内容、时间、范围和形式，审议各部门提交的《校务公开登记表》。\n\n**二、校务公开监督小组**\n\n- 组长：%s（工会主席）\n- 成员：%s、%s及教职工代表、家长代表各二名\n\n监督小组负责公开前审核、公开后收集意见，督促各部门对群众意见做到件件有回音、事事有结果。\n%s",
			s.person("principal"), s.person("leader"), s.person("leader2"), s.cadres[1], s.person("clerk2"), s.person("clerk"),
			s.person("supervisor"), s.person("rep"), b.staff[0], b.sign("", c))
		b.add(it, "", r)
	})
	b.everyDuty("integrity-report", "integrity", time.December, 14, yearKey, func(key string, y int, c time.Time, r *rand.Rand) ItemSeed {
		it := b.item(key, "integrity", fmt.Sprintf("关于%d年度学校领导班子廉洁自律情况的通报", y), c)
		it.PublicityDays = 5
		it.DocNumber = "want"
		it.LegalBasis = "《中国共产党廉洁自律准则》"
		it.Body = fmt.Sprintf("根据县教育局党风廉政建设工作要求，现将%d年度学校领导班子廉洁自律情况通报如下：\n\n1. 班子成员认真落实“一岗双责”，全年召开专题民主生活会%d次，开展廉政谈话%d人次。\n2. 严格执行公务接待规定，全年公务接待费%s，无超标准接待；学校无公务用车。\n3. 大宗物资采购、维修工程均按规定程序办理，并在校务公开栏公示。\n4. 班子成员未发现违规收受礼品礼金、违规操办婚丧喜庆事宜等问题；教职工未发现有偿补课等违反师德规范的行为。\n5. 校长信箱、意见箱来信均已登记办理；对个别未按期答复的来信，已责成有关处室说明情况并整改。\n\n欢迎全体教职工和社会各界继续监督。%s\n%s",
			y, 2+r.IntN(2), 10+r.IntN(30), yuan(amount(r, 800, 4200)), b.objection(5), b.sign("", c))
		return it
	})
	b.everyDuty("finance-budget", "budget", time.March, 16, yearKey, func(key string, y int, c time.Time, r *rand.Rand) ItemSeed {
		it := b.item(key, "finance", fmt.Sprintf("%s%d年度预算及%d年度决算公开", s.seed.Name, y, y-1), c)
		it.PublicityDays = 5
		it.DocNumber = "want"
		it.LegalBasis = "《中华人民共和国预算法》；《中小学校财务制度》（财教〔2012〕489号）"
		st := b.ledger(y-1, time.December)
		budget := sum(st.inYr) / 100000 * (102 + int64(r.IntN(6))) * 1000
		rows := [][]string{
			{"财政拨款收入（生均公用经费）", yuan(budget * 70 / 100), yuan(st.inYr[0])},
			{"上级专项补助及其他收入", yuan(budget * 30 / 100), yuan(sum(st.inYr) - st.inYr[0])},
			{"**收入合计**", yuan(budget), yuan(sum(st.inYr))},
			{"**支出合计**", yuan(budget), yuan(sum(st.outYr))},
		}
		it.Body = fmt.Sprintf("根据县财政局、县教育局关于部门预算决算公开的要求，现将学校%d年度收支预算和%d年度收支决算公开如下（单位：元）：\n\n%s\n"+
			"%d年度决算数与各月财务收支公示的本年累计数一致，年末结余%s。预算经校长办公会研究、%s教代会审议，报县教育局批复后执行。\n\n%s\n%s",
			y, y-1, table([]string{"项目", fmt.Sprintf("%d年预算数", y), fmt.Sprintf("%d年决算数", y-1)}, rows), y-1, yuan(st.close), s.congress,
			b.objection(5), b.sign(s.dept[dFinance], c))
		return it
	})
	b.everyDuty("decisions-schoolplan", "plan", time.September, 8, yearKey, func(key string, y int, c time.Time, r *rand.Rand) ItemSeed {
		it := b.item(key, "decisions", fmt.Sprintf("%d—%d学年度学校工作计划", y, y+1), c)
		it.DocNumber = "want"
		focus := []string{"落实“双减”，规范作业管理和课后服务", "加强校园安全和食品安全管理", "推进校务公开和民主管理，办好教代会", "加强教师队伍建设，开展校本研修"}
		if s.vocational {
			focus[0] = "深化校企合作，提升实训教学质量"
		}
		it.Body = fmt.Sprintf("本学年学校工作的指导思想是：全面贯彻党的教育方针，坚持依法治校、民主管理，办好人民满意的教育。\n\n**主要任务**\n\n1. %s；\n2. %s；\n3. %s；\n4. %s。\n\n"+
			"**校务公开工作**：按学校校务公开目录，财务收支每月5日前公开，收费、资助、评优评先、采购等事项按时限公示；每季度召开一次校务公开专题会议。\n\n"+
			"本计划经%s教代会审议通过，各处室据此制定部门工作计划。\n%s",
			focus[0], focus[1], focus[2], focus[3], s.congress, b.sign("", c))
		return it
	})
	b.everyDuty("evaluation-pay", "staff-evaluation", time.July, 1, yearKey, func(key string, y int, c time.Time, r *rand.Rand) ItemSeed {
		it := b.item(key, "evaluation", fmt.Sprintf("关于%d年春季学期教职工绩效考核及奖励性绩效工资分配结果的公示", y), c)
		b.staffOnly(&it)
		it.PublicityDays = 5
		a, bb, cc := s.teachers*30/100+r.IntN(3), s.teachers*50/100, 0
		cc = s.teachers - a - bb
		rows := [][]string{
			{"一档", fmt.Sprint(a), yuan(amount(r, 5200, 6100) / 100 * 100)},
			{"二档", fmt.Sprint(bb), yuan(amount(r, 4300, 5100) / 100 * 100)},
			{"三档", fmt.Sprint(cc), yuan(amount(r, 3500, 4200) / 100 * 100)},
		}
		it.Body = fmt.Sprintf("根据学校《%d年度奖励性绩效工资分配方案》，经考核小组按教育教学工作量、质量、班主任工作和考勤师德等项目量化考核，现将本学期考核及分配结果公示如下：\n\n%s\n"+
			"个人考核明细在%s公示栏张贴，教职工可向考核小组查询本人得分。%s\n%s",
			y-1, table([]string{"档次", "人数", "人均发放（元）"}, rows), s.dept[dOffice], b.objection(5), b.sign(s.dept[dOffice], c))
		return it
	})
	b.every("titles", time.November, 12, true, func(key string, y int, c time.Time, r *rand.Rand) {
		it := b.item(key, "titles", fmt.Sprintf("关于%d年度教师专业技术职务评聘推荐人选的公示", y), c)
		it.Catalogue = "title-review"
		b.staffOnly(&it)
		it.PublicityDays = 5 + 2*r.IntN(2)
		it.DocNumber = "want"
		it.LegalBasis = "《关于深化中小学教师职称制度改革的指导意见》（人社部发〔2015〕79号）"
		subjects := []string{"语文", "数学", "英语", "科学", "音乐", "体育", "美术", "道德与法治", "信息科技"}
		if s.vocational {
			subjects = []string{"计算机应用", "汽车运用与维修", "电子商务", "语文", "数学", "幼儿保育"}
		}
		n := 2 + r.IntN(3)
		var rows [][]string
		for i := range n {
			from, to := "二级教师", "一级教师"
			if i%2 == 0 {
				from, to = "一级教师", "高级教师"
			}
			rows = append(rows, []string{fmt.Sprint(i + 1), b.staff[3+i], pick(r, subjects), from, to, fmt.Sprintf("%d.%d", 78+r.IntN(15), r.IntN(10))})
		}
		it.Body = fmt.Sprintf("根据县人力资源和社会保障局、县教育局关于%d年度中小学教师职称评聘工作的通知，经个人申报、学校职称评审推荐小组按评分细则量化赋分并集体研究，拟推荐以下%d位同志参加%d年度专业技术职务评聘：\n\n%s\n学校职称评审推荐小组：组长%s，副组长%s，成员%s、%s、%s。申报者的任职年限、年度考核、教学实绩及量化评分明细在%s备查。\n\n%s\n%s",
			y, n, y, table([]string{"序号", "姓名", "任教学科", "现任职务", "拟推荐职务", "量化得分"}, rows),
			s.person("principal"), s.person("leader"), s.person("leader2"), s.person("supervisor"), s.person("rep"), s.dept[dOffice],
			b.objection(it.PublicityDays), b.sign("", c))
		b.add(it, "", r)
	})
	b.every("evaluation-annual", time.January, 12, true, func(key string, y int, c time.Time, r *rand.Rand) {
		it := b.item(key, "evaluation", fmt.Sprintf("关于%d年度教职工年度考核结果的公示", y-1), c)
		b.staffOnly(&it)
		n := max(1, s.teachers*(15+r.IntN(5))/100)
		var rows [][]string
		for i := range n {
			rows = append(rows, []string{fmt.Sprint(i + 1), b.staff[10+i%20], pick(r, []string{"专任教师", "班主任", "专任教师", "教研组长", "专任教师"})})
		}
		it.Body = fmt.Sprintf("经个人述职、考核小组评议、校长办公会研究，%d年度参加年度考核的教职工共%d人，拟定优秀等次%d人，其余均为合格等次。优秀等次人员名单如下：\n\n%s\n%s\n%s",
			y-1, s.teachers, n, table([]string{"序号", "姓名", "岗位"}, rows), b.objection(5), b.sign(s.dept[dOffice], c))
		b.add(it, "", r)
	})
	b.every("evaluation-teachers", time.August, 28, true, func(key string, y int, c time.Time, r *rand.Rand) {
		it := b.item(key, "evaluation", fmt.Sprintf("关于推荐%d年度县级优秀教师、优秀班主任人选的公示", y), c)
		it.Catalogue = "staff-awards"
		rows := [][]string{
			{b.staff[1], "县级优秀教师", pick(r, []string{"任教毕业班三年，所带班级学业质量连续位居全县前列", "主持县级课题一项，执教县级公开课两节"})},
			{b.staff[2], "县级优秀班主任", pick(r, []string{"所带班级多次获得流动红旗，家校沟通细致及时", "关心留守儿童，坚持家访全覆盖"})},
		}
		it.Body = fmt.Sprintf("根据县教育局关于开展%d年度教师节评选表彰活动的通知，经教职工民主推荐、学校评审小组综合考评，拟推荐以下同志：\n\n%s\n%s\n%s",
			y, table([]string{"姓名", "推荐类别", "主要事迹"}, rows), b.objection(5), b.sign("", c))
		b.add(it, "", r)
	})
	b.everyDuty("enrolment-plan", "enrolment", time.May, 25, yearKey, func(key string, y int, c time.Time, r *rand.Rand) ItemSeed {
		it := b.item(key, "enrolment", fmt.Sprintf("%d年秋季招生工作方案", y), c)
		it.Channels = []gongkai.Channel{"online", "board", "parent_meeting"}
		it.DocNumber = "want"
		if s.vocational {
			it.Title = fmt.Sprintf("%d年招生简章及招生计划公示", y)
			var rows [][]string
			for _, m := range s.majors {
				rows = append(rows, []string{m, "三年", fmt.Sprint(40 * (1 + r.IntN(3)))})
			}
			it.Body = fmt.Sprintf("经县教育局批准，学校%d年面向全县初中毕业生招收全日制中职新生。招生计划如下：\n\n%s\n**资助政策**：全日制正式学籍学生免学费；家庭经济困难学生可申请中职国家助学金，符合条件的脱贫家庭学生可申请“雨露计划”职业教育补助。\n\n**报名方式**：持初中毕业证明到学校%s现场报名，学校不收取报名费。\n\n%s\n%s",
				y, table([]string{"专业", "学制", "计划人数"}, rows), s.dept[dEnrol], b.objection(5), b.sign(s.dept[dEnrol], c))
		} else {
			it.Body = fmt.Sprintf("根据《中华人民共和国义务教育法》和县教育局%d年义务教育招生工作意见，现将我校一年级招生方案公布如下：\n\n1. **招生对象**：%d年8月31日前年满6周岁、户籍或居住证在本学区的适龄儿童。\n2. **招生范围**：%s。\n3. **招生计划**：一年级%d个班，每班不超过45人。\n4. **报名时间**：%d年7月中旬，具体日期另行通知。\n5. **所需材料**：户口簿、居住证明、预防接种证查验证明，原件查验后当场退还。\n6. **纪律要求**：坚持免试就近入学，不举行任何形式的入学考试或测试，不收取择校费、赞助费。\n\n%s\n%s",
				y, y, strings.Join(s.zone, "、"), 2+s.students/400, y, b.objection(5), b.sign(s.dept[dEnrol], c))
		}
		return it
	})
	b.every("enrolment-result", time.September, 12, true, func(key string, y int, c time.Time, r *rand.Rand) {
		it := b.item(key, "enrolment", fmt.Sprintf("%d年秋季新生录取情况公示", y), c)
		n := 2 + s.students/400
		total := n*40 + r.IntN(n*4)
		migr := total * (8 + r.IntN(12)) / 100
		it.Body = fmt.Sprintf("%d年秋季学校共录取新生%d人，编为%d个班。其中本学区户籍学生%d人，进城务工人员随迁子女%d人，残疾儿童少年随班就读%d人。招生全过程按招生方案执行，录取结果已报县教育局备案。\n\n根据个人信息保护有关规定，录取名单不在网上公示，家长可持报名回执到%s查询。\n\n%s\n%s",
			y, total, n, total-migr, migr, r.IntN(3), s.dept[dEnrol], b.objection(5), b.sign(s.dept[dEnrol], c))
		b.add(it, "", r)
	})
	b.everyDuty("congress-resolution", "congress", time.March, 18, yearKey, func(key string, y int, c time.Time, r *rand.Rand) ItemSeed {
		session := []string{"一", "二", "三", "四"}[y%4]
		it := b.item(key, "congress", fmt.Sprintf("%s教职工代表大会第%s次会议（%d年）决议", s.congress, session, y), c)
		b.staffOnly(&it)
		it.Channels = []gongkai.Channel{"online", "congress", "staff_meeting"}
		it.PublicityDays = 3
		it.LegalBasis = "《学校教职工代表大会规定》（教育部令第32号）"
		reps := max(21, s.teachers/3+r.IntN(5))
		present := reps - r.IntN(3)
		var rows [][]string
		for _, m := range []string{"学校工作报告", "财务工作报告", "绩效工资分配方案（修订稿）", "校务公开工作报告"} {
			against, abstain := r.IntN(3), r.IntN(3)
			rows = append(rows, []string{"《" + m + "》", fmt.Sprint(present - against - abstain), fmt.Sprint(against), fmt.Sprint(abstain), "通过"})
		}
		it.Body = fmt.Sprintf("%s%s教职工代表大会第%s次会议于%s在学校会议室召开。会议应到代表%d名，实到%d名，超过全体代表的三分之二。\n\n会议听取和审议了校长%s所作的《学校工作报告》等文件，经无记名投票表决（赞成票均超过全体代表半数），形成决议如下：\n\n%s\n1. 会议批准《学校工作报告》《财务工作报告》和《校务公开工作报告》。\n2. 会议通过《绩效工资分配方案（修订稿）》，自本学期起执行。\n3. 会议共收到代表提案%d件，立案%d件，要求学校在两个月内办理完毕并向代表反馈。\n%s",
			s.seed.FullName, s.congress, session, cnDate(c.AddDate(0, 0, -2)), reps, present, s.person("principal"),
			table([]string{"表决事项", "赞成", "反对", "弃权", "结果"}, rows), 6+r.IntN(8), 4+r.IntN(3), b.sign(s.dept[dUnion], c))
		return it
	})
	b.every("decisions-payrules", time.December, 8, true, func(key string, y int, c time.Time, r *rand.Rand) {
		it := b.item(key, "decisions", fmt.Sprintf("%d年度奖励性绩效工资分配方案", y), c)
		it.Catalogue = "major-decision"
		b.staffOnly(&it)
		it.Channels = []gongkai.Channel{"online", "congress"}
		it.PublicityDays = 5
		it.DocNumber = "want"
		w := 30 + r.IntN(10)
		rows := [][]string{
			{"教育教学工作量", fmt.Sprintf("%d%%", w), "按课时、班级人数和学科系数折算"},
			{"教育教学质量", fmt.Sprintf("%d%%", 70-w), "按学期学业质量综合评价"},
			{"班主任津贴", "10%", "按所带班级人数和考核结果发放"},
			{"考勤与师德", "10%", "无违反师德规范行为者全额发放"},
			{"超工作量及其他", "10%", "含课后服务、值周、兼职等"},
		}
		it.Body = fmt.Sprintf("本方案经校务会议拟定，提交教代会讨论通过后执行。奖励性绩效工资总量按县核定额度发放，向一线教师、班主任和工作量大的岗位倾斜，校级领导的绩效工资不高于教师平均水平的%d%%。\n\n%s\n每月发放明细由%s核算后张贴于对内公开栏，教职工对个人核算结果有疑问的，可在公示期内向%s提出复核。\n\n%s",
			120+r.IntN(2)*10, table([]string{"项目", "占比", "发放办法"}, rows), s.dept[dFinance], s.dept[dUnion], b.sign("", c))
		b.add(it, "", r)
	})
	b.every("decisions-plan", time.February, 26, true, func(key string, y int, c time.Time, r *rand.Rand) {
		it := b.item(key, "decisions", fmt.Sprintf("%s%d年校务公开工作计划", s.seed.Name, y), c)
		it.Body = fmt.Sprintf("为进一步完善校务公开制度，规范办学行为，把教职工和群众的知情权、参与权、监督权落到实处，结合学校实际，制定本计划。\n\n**一、工作原则**\n\n坚持合法性、真实性、时效性、规范性的原则，做到有公示、有回音、有结果。\n\n**二、公开内容**\n\n1. 学校规章制度、发展规划和工作计划；\n2. 财务预决算和每月财务收支情况（每月5日前公布）；\n3. 收费项目、标准和依据（每学期开学前公布）；\n4. 单笔3,000元以上支出和大宗物资采购、维修工程；\n5. 学生资助、师生评优评先和奖惩；\n6. 教职工考核、职称评聘和绩效工资分配；\n7. 领导班子分工和廉洁自律情况；\n8. 群众“点题”要求公开的其他事项。\n\n**三、公开程序**\n\n各部门填写《校务公开登记表》→ 领导小组审议 → 校长签发 → 监督小组审核 → 公开 → 收集意见 → 整改并反馈结果 → 资料归档。\n\n**四、公开形式**\n\n以网上公开栏和校内外校务公开栏为主，辅以教代会、教职工大会、家长会和校园广播；每季度召开一次校务公开专题会议。\n%s",
			b.sign("", c))
		b.add(it, "", r)
	})
	b.every("other-guide", time.September, 1, true, func(key string, y int, c time.Time, r *rand.Rand) {
		it := b.item(key, "other", fmt.Sprintf("学校便民办事指南（%d年秋季修订）", y), c)
		rows := [][]string{
			{"转学、借读", s.dept[dTeaching], "转学申请表、户口簿（原件查验）", "5个工作日"},
			{"在读证明、学籍证明", s.dept[dTeaching], "学生姓名、班级", "即时办理"},
			{"学生资助申请", s.dept[dStudent], "申请表、家庭经济困难认定材料", "按资助通知时间"},
			{"校长信箱、意见箱", s.dept[dOffice], "网上提交或投递意见箱", "5个工作日内答复"},
			{"举报投诉", "校务公开监督小组", "网上举报（可匿名）或电话" + s.seed.Phone, "15个工作日内答复"},
		}
		it.Body = fmt.Sprintf("为方便家长和群众办事，现将学校常办事项公布如下：\n\n%s\n办公时间：工作日上午8:00—11:30，下午14:30—17:30。学校地址：%s。\n%s",
			table([]string{"事项", "办理部门", "所需材料", "办理时限"}, rows), s.seed.Address, b.sign(s.dept[dOffice], c))
		b.add(it, "", r)
	})
	if s.vocational {
		b.every("aid-yulu", time.November, 10, true, func(key string, y int, c time.Time, r *rand.Rand) {
			it := b.item(key, "aid", fmt.Sprintf("关于%d年度“雨露计划”职业教育补助学生名单的公示", y), c)
			it.LegalBasis = "县乡村振兴部门“雨露计划”实施办法；教财厅函〔2017〕28号"
			n := 6 + r.IntN(6)
			kids, cls := names(r, n, true, nil), b.classes(r, n, y)
			var rows [][]string
			for i := range n {
				rows = append(rows, []string{fmt.Sprint(i + 1), kids[i], cls[i], yuan(150000)})
			}
			it.Body = fmt.Sprintf("根据县“雨露计划”职业教育补助工作通知，经学生申请、学校初审、户籍所在乡镇核实，以下%d名脱贫家庭（含防止返贫监测对象家庭）学生拟享受本学期“雨露计划”补助，每生1,500元：\n\n%s\n本名单仅公示姓名、班级和补助金额，公示期满后不再公开显示。\n\n%s\n%s",
				n, table([]string{"序号", "姓名", "班级", "补助金额（元）"}, rows), b.objection(5), b.sign(s.dept[dStudent], c))
			b.add(it, "", r)
		})
		b.every("awards-skills", time.May, 20, true, func(key string, y int, c time.Time, r *rand.Rand) {
			it := b.item(key, "awards", fmt.Sprintf("关于我校学生参加%d年全县职业院校技能大赛获奖情况的公示", y), c)
			it.Catalogue = "student-awards"
			it.Department = s.dept[dTeaching]
			events := []string{"汽车机电维修", "网络布线", "电子商务运营", "幼儿教育技能", "园艺"}
			var rows [][]string
			kids, cls := names(r, 5, true, nil), b.classes(r, 5, y)
			for i := range 5 {
				rows = append(rows, []string{events[i], kids[i], cls[i], pick(r, []string{"一等奖", "二等奖", "三等奖"}), b.staff[5+i]})
			}
			it.Body = fmt.Sprintf("在%d年全县职业院校技能大赛中，我校学生取得优异成绩，现将获奖情况公示如下：\n\n%s\n学校将按《学生奖励办法》予以表彰。%s\n%s",
				y, table([]string{"项目", "学生", "班级", "等次", "指导教师"}, rows), b.objection(5), b.sign(s.dept[dTeaching], c))
			b.add(it, "", r)
		})
		b.every("decisions-headteacher", time.September, 20, true, func(key string, y int, c time.Time, r *rand.Rand) {
			it := b.item(key, "decisions", fmt.Sprintf("%d—%d学年班主任津贴发放办法（修订）", y, y+1), c)
			it.Catalogue = "major-decision"
			b.staffOnly(&it)
			it.Channels = []gongkai.Channel{"online", "congress"}
			it.Body = fmt.Sprintf("本办法经%s教代会讨论通过，自%d—%d学年起执行。\n\n1. 班主任津贴由基础津贴和考核津贴组成，基础津贴每月%d元。\n2. 考核津贴按学生处月度班级量化考核结果分三档发放。\n3. 班主任外出期间由副班主任代管，津贴按实际天数折算。\n\n%s",
				s.congress, y, y+1, 400+50*r.IntN(4), b.sign(s.dept[dStudent], c))
			b.add(it, "", r)
		})
	} else {
		b.every("awards-merit", time.June, 10, true, func(key string, y int, c time.Time, r *rand.Rand) {
			it := b.item(key, "awards", fmt.Sprintf("关于%d—%d学年“三好学生”“优秀学生干部”评选结果的公示", y-1, y), c)
			it.Catalogue = "student-awards"
			n := 8 + r.IntN(5)
			kids, cls := names(r, n, true, nil), b.classes(r, n, y)
			var rows [][]string
			for i := range n {
				rows = append(rows, []string{fmt.Sprint(i + 1), kids[i], cls[i], pick(r, []string{"三好学生", "三好学生", "优秀学生干部"})})
			}
			it.Body = fmt.Sprintf("根据学校《评优评先实施办法》，按照班级推荐、积分核定、评选小组审核的程序，评出本学年校级“三好学生”“优秀学生干部”，现公示如下：\n\n%s\n%s\n%s",
				table([]string{"序号", "姓名", "班级", "荣誉称号"}, rows), b.objection(5), b.sign(s.dept[dStudent], c))
			b.add(it, "", r)
		})
		b.every("awards-arts", time.December, 5, true, func(key string, y int, c time.Time, r *rand.Rand) {
			it := b.item(key, "awards", fmt.Sprintf("关于我校师生参加%d年全县中小学生艺术节获奖情况的公示", y), c)
			it.Catalogue = "student-awards"
			it.Department = s.dept[dTeaching]
			it.Channels = []gongkai.Channel{"online", "board", "broadcast"}
			events := []string{"合唱", "书法", "绘画", "朗诵", "舞蹈"}
			kids, cls := names(r, 5, true, nil), b.classes(r, 5, y)
			var rows [][]string
			for i := range 5 {
				rows = append(rows, []string{events[i], kids[i], cls[i], pick(r, []string{"一等奖", "二等奖", "三等奖", "优秀奖"}), b.staff[15+i]})
			}
			it.Body = fmt.Sprintf("在%d年全县中小学生艺术节中，我校师生积极参赛，获奖情况如下：\n\n%s\n%s\n%s",
				y, table([]string{"项目", "学生", "班级", "等次", "指导教师"}, rows), b.objection(5), b.sign(s.dept[dTeaching], c))
			b.add(it, "", r)
		})
	}
	if s.seed.Slug == "kaiwu" {
		b.every("evaluation-democratic", time.January, 8, true, func(key string, y int, c time.Time, r *rand.Rand) {
			it := b.item(key, "evaluation", fmt.Sprintf("关于%d年度学校领导班子和中层干部民主测评结果的通报", y-1), c)
			b.staffOnly(&it)
			it.Channels = []gongkai.Channel{"online", "congress", "staff_meeting"}
			n := s.teachers - r.IntN(6)
			var rows [][]string
			for _, p := range []struct{ who, role string }{{s.person("principal"), "校长"}, {s.person("leader"), "副校长"},
				{s.person("leader2"), "教导主任"}, {s.cadres[1], "德育主任"}, {s.person("clerk2"), "总务主任"}} {
				bad := r.IntN(3)
				basic := 2 + r.IntN(6)
				ok := n - bad - basic
				rows = append(rows, []string{p.who, p.role, fmt.Sprint(ok), fmt.Sprint(basic), fmt.Sprint(bad), fmt.Sprintf("%.1f%%", float64(ok+basic)*100/float64(n))})
			}
			it.Body = fmt.Sprintf("根据学校校务公开工作计划，监督小组于%s组织全体教职工对学校领导班子和中层干部进行民主测评，发放测评表%d份，收回%d份，全部有效。测评结果如下：\n\n%s\n测评中教职工提出的意见已汇总反馈给本人，相关整改情况将在下一季度校务公开专题会议上通报。\n%s",
				cnDate(c.AddDate(0, 0, -3)), n, n, table([]string{"测评对象", "职务", "满意", "基本满意", "不满意", "满意率"}, rows), b.sign(s.dept[dUnion], c))
			b.add(it, "", r)
		})
	}
}

// ---- recurring within the year ----

type procurement struct {
	what, unit     string
	qlo, qhi       int
	plo, phi       int
	supplier, mode string
	works          bool
}

func (s *schoolInfo) procurements() []procurement {
	ps := []procurement{
		{"多媒体教学设备（交互式智能平板）", "台", 6, 14, 13800, 16500, "青禾县明达科技有限公司", "县政府采购网上商城询价", false},
		{"学生课桌椅", "套", 80, 200, 320, 480, "青禾县鸿运教学家具有限公司", "询价", false},
		{"教师办公电脑", "台", 10, 25, 4200, 5600, "青禾县宏图电子科技有限公司", "县政府采购网上商城直购", false},
		{"图书室图书", "册", 1500, 3000, 22, 35, "青禾县文华图书有限公司", "竞争性磋商", false},
		{"教学楼屋面防水维修工程", "项", 1, 1, 48000, 120000, "青禾县安泰建筑工程有限公司", "三家比选", true},
		{"食堂厨房设备", "批", 1, 1, 35000, 68000, "青禾县恒顺厨具经营部", "询价", false},
		{"校园视频监控系统升级", "项", 1, 1, 28000, 56000, "青禾县鹰眼安防工程有限公司", "三家比选", true},
		{"体育器材", "批", 1, 1, 12000, 26000, "青禾县体健体育用品有限公司", "询价", false},
	}
	if s.vocational {
		ps = append(ps[:3],
			procurement{"汽车运用与维修实训设备（发动机拆装台架）", "台", 4, 8, 18500, 26000, "青禾县锦程汽车设备有限公司", "公开招标", false},
			procurement{"计算机实训室电脑", "台", 40, 60, 3900, 4800, "青禾县宏图电子科技有限公司", "公开招标", false},
			ps[4])
	}
	return ps
}

// quarterIndex counts quarters: the purchases of four successive quarters
// differ, and a key always names the same purchase.
func quarterIndex(t time.Time) int { return (t.Year()*12 + int(t.Month()) - 1) / 3 }

func (b *builder) procurementItem(key string, p procurement, c time.Time, r *rand.Rand) ItemSeed {
	q := p.qlo + r.IntN(p.qhi-p.qlo+1)
	price := amount(r, p.plo, p.phi) / 100 * 100
	total := price * int64(q)
	kind, title := "采购", fmt.Sprintf("关于购置%s的采购结果公示", p.what)
	if p.works {
		kind, title = "比选", fmt.Sprintf("关于%s比选结果的公示", p.what)
	}
	it := b.item(key, "procurement", title, c)
	it.Catalogue = "procurement"
	if p.works {
		it.Catalogue = "works"
	}
	it.LegalBasis = "《中华人民共和国政府采购法》；县财政局政府采购目录及限额标准"
	source := pick(r, []string{"生均公用经费", "上级专项资金", "薄弱学校改造专项资金"})
	rows := [][]string{
		{"项目名称", p.what},
		{"采购方式", p.mode},
		{"数量", fmt.Sprintf("%d%s", q, p.unit)},
		{"成交单位", p.supplier},
		{"成交金额", yuan(total)},
		{"资金来源", source},
	}
	body := func(extra string) string {
		return fmt.Sprintf("根据《中华人民共和国政府采购法》及县财政局有关规定，经学校行政会议研究、校务公开领导小组审议，学校对%s进行%s。现将结果公示如下：\n\n%s%s\n参与报价的供应商共%d家，评审由总务处、财务室和教师代表共同进行，全过程接受校务公开监督小组监督。\n\n%s\n%s",
			p.what, kind, table([]string{"项目", "内容"}, rows), extra, 3+r.IntN(2), b.objection(5), b.sign(b.s.dept[dGeneral], c))
	}
	it.Body = body("")
	if r.IntN(3) == 0 {
		it.Revisions = 1
		it.Reason = "补充合同签订日期和履约期限。"
		it.RevisedBody = body(fmt.Sprintf("| 合同签订 | %s |\n| 履约期限 | 合同签订后%d日内 |\n", cnDate(c.AddDate(0, 0, 2)), 15+15*r.IntN(3)))
	}
	return it
}

func (b *builder) recurring() {
	ps := b.s.procurements()
	// One purchase in each of the last four quarters.
	for back := 4; back >= 1; back-- {
		qi := quarterIndex(b.now) - back
		key := fmt.Sprintf("procurement-%d-q%d", qi/4, qi%4+1)
		r := b.rng(key)
		c := b.formed(qi/4, time.Month(qi%4*3+2), 8+r.IntN(12), r)
		if !b.fresh(c) {
			continue
		}
		it := b.procurementItem(key, ps[qi%len(ps)], c, r)
		if qi%4 == 1 {
			it.Attachment = &FileSeed{Name: "成交通知书.pdf", ContentType: "application/pdf",
				Data: tinyPDF([]string{b.s.seed.Slug + " notice of award", key, "gongkai demo data (fictional)"})}
		}
		b.add(it, "", r)
	}
	// Quarterly: public expenses and the disclosure meeting.
	first := time.Date(b.now.Year(), b.now.Month(), 1, 0, 0, 0, 0, gongkai.Beijing)
	for back := 1; back <= 14; back++ {
		t := first.AddDate(0, -back, 0)
		if t.Month()%3 != 0 {
			continue
		}
		q := int(t.Month()) / 3
		key := fmt.Sprintf("integrity-expenses-%d-q%d", t.Year(), q)
		r := b.rng(key)
		c := b.formed(t.Year(), t.Month()+1, 8, r)
		if !b.fresh(c) {
			continue
		}
		if back <= 7 {
			it := b.item(key, "integrity", fmt.Sprintf("%d年第%s季度公务接待、差旅及办公电话费用情况公示", t.Year(), cnNum[q]), c)
			it.PublicityDays = 5
			rows := [][]string{
				{"公务接待费", yuan(amount(r, 0, 1500)), fmt.Sprintf("%d批次", r.IntN(4)), "均为上级检查指导工作餐"},
				{"差旅费（外出学习考察）", yuan(amount(r, 1500, 9000)), fmt.Sprintf("%d人次", 3+r.IntN(12)), "教研培训、校长培训"},
				{"办公电话及网络费", yuan(amount(r, 600, 1800)), "—", "含校园网专线"},
				{"公务用车运行费", yuan(0), "—", "学校无公务用车"},
			}
			it.Body = fmt.Sprintf("按照廉政建设和校务公开有关要求，现将学校%d年第%s季度公务接待、外出学习考察及办公电话费用情况公示如下：\n\n%s\n%s\n%s",
				t.Year(), cnNum[q], table([]string{"项目", "金额（元）", "数量", "说明"}, rows), b.objection(5), b.sign(b.s.dept[dOffice], c))
			b.add(it, "", r)
		}
		key = fmt.Sprintf("other-meeting-%d-q%d", t.Year(), q)
		r = b.rng(key)
		period := fmt.Sprintf("%d-Q%d", t.Year(), q)
		if c = b.dutyCreated("disclosure-meeting", period, b.formed(t.Year(), t.Month()+1, 3, r)); !b.dutyWanted("disclosure-meeting", period, c) {
			continue
		}
		it := b.item(key, "other", fmt.Sprintf("%d年第%s季度校务公开专题会议纪要", t.Year(), cnNum[q]), c)
		it.Audience = gongkai.AudienceCommunity
		it.PublicityDays = 3
		it.Body = fmt.Sprintf("%s，学校召开%d年第%s季度校务公开专题会议，校务公开领导小组和监督小组成员参加，%s主持。\n\n1. 会议对照学校校务公开目录，逐项核对了本季度应公开事项的公开情况，对未按期公开的事项明确了责任处室和完成时限。\n2. 会议听取了监督小组关于本季度意见箱、校长信箱来信办理情况的汇报，对超过答复期限的来信提出督办要求；涉及整改的事项，整改结果在公开栏公布。\n3. 会议确定下季度重点公开事项：收费、学生资助、采购和评优评先。\n%s",
			cnDate(c.AddDate(0, 0, -1)), t.Year(), cnNum[q], b.s.person("principal"), b.sign(b.s.dept[dOffice], c))
		b.meets(&it, "disclosure-meeting", period)
		b.add(it, "", r)
	}
	// Monthly awards: 流动红旗 in primary schools, 文明班级 in the vocational school.
	for back := 1; back <= 3; back++ {
		t := first.AddDate(0, -back, 0)
		if t.Month() == time.February || t.Month() == time.July || t.Month() == time.August {
			continue
		}
		key := fmt.Sprintf("awards-monthly-%d-%02d", t.Year(), t.Month())
		r := b.rng(key)
		c := b.formed(t.Year(), t.Month()+1, 3, r)
		if !b.fresh(c) {
			continue
		}
		it := b.monthlyAward(key, t, c, r)
		it.Catalogue = "student-awards"
		b.add(it, "", r)
	}
	// Rectification after feedback, and two leadership-only papers.
	qi := quarterIndex(b.now) - 1
	key := fmt.Sprintf("other-rectification-%d-q%d", qi/4, qi%4+1)
	r := b.rng(key)
	c := b.formed(qi/4, time.Month(qi%4*3+2), 10+r.IntN(15), r)
	issues := []string{"放学时段校门口交通拥堵", "课后服务时间安排", "食堂饭菜分量不足", "部分教室饮水机未及时清洗", "雨天学生接送等候区不足", "作业量偏多"}
	issue := issues[qi%len(issues)]
	it := b.item(key, "other", fmt.Sprintf("关于家长反映“%s”问题的答复及整改情况公示", issue), c)
	it.Body = fmt.Sprintf("近期，学校通过意见箱和网上校长信箱收到家长关于“%s”的意见%d条。学校于收到后5个工作日内逐一答复，并研究制定整改措施：\n\n1. 明确%s牵头、相关部门配合，落实到人；\n2. 整改期间由值周领导每日检查；\n3. 整改完成后由监督小组组织家长代表验收。\n\n目前整改已完成，家长代表验收满意。欢迎继续监督，做到有公示、有回音、有结果。\n\n%s\n%s",
		issue, 2+r.IntN(5), b.s.dept[dGeneral], b.objection(5), b.sign(b.s.dept[dOffice], c))
	it.PublicityDays = 5
	b.add(it, "", r)

	for i, back := range []int{40, 100} {
		t := b.now.AddDate(0, 0, -back)
		key := fmt.Sprintf("leadership-%d-%02d-%d", t.Year(), t.Month(), i)
		r := b.rng(key)
		c := clock(b.workdayFrom(t), r, 14, 17)
		var it ItemSeed
		if i == 0 {
			it = b.item(key, "personnel", fmt.Sprintf("关于%d年%d月中层干部岗位调整的酝酿意见（征求意见稿）", t.Year(), t.Month()), c)
			it.Body = fmt.Sprintf("根据学校工作需要和个人意愿，经校长办公会初步酝酿，拟对部分中层岗位作如下调整，请领导小组成员于一周内提出意见：\n\n1. %s拟由%s调整至%s；\n2. %s增设副主任一名，人选在教职工民主推荐基础上确定。\n\n本意见仅在领导小组范围内传阅，正式方案经民主推荐、考察和公示后另行公布。\n%s",
				b.staff[30], b.s.dept[dTeaching], b.s.dept[dStudent], b.s.dept[dGeneral], b.sign(b.s.dept[dOffice], c))
		} else {
			it = b.item(key, "other", fmt.Sprintf("%d年%d月校务公开工作自查情况报告", t.Year(), t.Month()), c)
			it.Body = fmt.Sprintf("监督小组按县教育局校务公开评估细则开展自查，情况如下：\n\n1. 抽查了近三个月的财务月报和%d项采购结果公示，公示期均满5个工作日；\n2. 发现%d项公开事项未注明依据文号，已责成%s补正；\n3. 意见箱、校长信箱来信均已登记并明确办理处室。\n\n建议下季度重点规范学生资助名单的个人信息处理，公示期满后及时撤下纸质名单。\n%s",
				1+r.IntN(3), 1+r.IntN(2), b.s.dept[dFinance], b.sign("校务公开监督小组", c))
		}
		it.Audience = gongkai.AudienceLeadership
		it.Channels = []gongkai.Channel{"online"}
		b.add(it, "", r)
	}
}

func (b *builder) monthlyAward(key string, t, c time.Time, r *rand.Rand) ItemSeed {
	if b.s.vocational {
		it := b.item(key, "awards", fmt.Sprintf("%d年%d月“文明班级”评比结果公示", t.Year(), t.Month()), c)
		it.Audience = gongkai.AudienceCommunity
		it.Channels = []gongkai.Channel{"online", "board", "broadcast"}
		var rows [][]string
		score := 990 - r.IntN(10)
		for i, cl := range b.classes(r, 5, t.Year()) {
			rows = append(rows, []string{fmt.Sprint(i + 1), cl, fmt.Sprintf("%d.%d", score/10, score%10)})
			score -= 1 + r.IntN(12)
		}
		it.Body = fmt.Sprintf("根据《班级量化考核细则》，学生处对各班%d月份的纪律、卫生、出勤、实训安全等进行了综合考核，以下班级获评“文明班级”：\n\n%s\n%s\n%s",
			t.Month(), table([]string{"名次", "班级", "量化得分"}, rows), b.objection(5), b.sign(b.s.dept[dStudent], c))
		return it
	}
	it := b.item(key, "awards", fmt.Sprintf("%d年%d月流动红旗评比结果公示", t.Year(), t.Month()), c)
	it.Audience = gongkai.AudienceCommunity
	it.Channels = []gongkai.Channel{"online", "board", "broadcast"}
	var rows [][]string
	week := 17 // weeks of the term: autumn from September, spring from late February
	switch m := int(t.Month()); {
	case m >= 9:
		week = (m-9)*4 + 1
	case m >= 3:
		week = (m-3)*4 + 2
	}
	for w := range 4 {
		cls := func(lo int) string { return fmt.Sprintf("%s年级(%d)班", cnNum[lo+r.IntN(2)], 1+r.IntN(3)) }
		rows = append(rows, []string{fmt.Sprintf("第%d周", week+w), cls(1), cls(3), cls(5)})
	}
	it.Body = fmt.Sprintf("学校每日对各班的卫生、纪律、两操、路队和文明礼仪进行检查，每周汇总评比，按低、中、高年段颁发流动红旗。%d月份获得流动红旗的班级如下：\n\n%s\n希望获奖班级再接再厉，其他班级向先进学习。\n\n%s\n%s",
		t.Month(), table([]string{"周次", "低年段（一、二年级）", "中年段（三、四年级）", "高年段（五、六年级）"}, rows), b.objection(5), b.sign(b.s.dept[dStudent], c))
	if t.Month()%2 == 1 {
		it.Attachment = &FileSeed{Name: "流动红旗.png", ContentType: "image/png", Data: tinyPNG()}
	}
	return it
}

// ---- the items now moving through the procedure ----

var returnReasons = []string{
	"附表合计金额与明细不符，请核对后重新提交。",
	"请补充收费（采购）依据的文号。",
	"公示期应不少于5个工作日，请修改后重新提交。",
	"标题与内容不一致，请按校务公开目录规范标题。",
}

func (b *builder) pipeline() {
	s := b.s
	type maker func(key string, c time.Time, r *rand.Rand) ItemSeed
	ps := s.procurements()
	makers := []maker{
		func(key string, c time.Time, r *rand.Rand) ItemSeed {
			return b.procurementItem(key, ps[quarterIndex(b.now)%len(ps)], c, r)
		},
		func(key string, c time.Time, r *rand.Rand) ItemSeed {
			it := b.item(key, "decisions", "关于调整学校作息时间的通知", c)
			it.Audience = gongkai.AudienceCommunity
			it.Channels = []gongkai.Channel{"online", "board", "parent_meeting", "broadcast"}
			season, am, pm := "夏季", "7:50", "14:30"
			if m := c.Month(); m >= 9 || m <= 3 {
				season, am, pm = "冬季", "8:00", "14:00"
			}
			it.Body = fmt.Sprintf("根据季节变化，经学校行政会议研究，自%s起执行%s作息时间：上午%s到校，下午%s到校，放学时间不变。请家长合理安排接送时间，注意交通安全。\n%s",
				cnDate(c.AddDate(0, 0, 7)), season, am, pm, b.sign(s.dept[dOffice], c))
			return it
		},
		func(key string, c time.Time, r *rand.Rand) ItemSeed {
			it := b.item(key, "other", "关于召开本学期家长会的通知", c)
			it.Audience = gongkai.AudienceCommunity
			it.Channels = []gongkai.Channel{"online", "parent_meeting"}
			it.PublicityDays = 3
			it.Body = fmt.Sprintf("学校定于%s下午15:00召开本学期家长会，议程如下：\n\n1. 校长通报学校工作和本学期收费、资助政策；\n2. 班主任介绍班级情况；\n3. 家长代表座谈，收集对校务公开工作的意见。\n\n请各位家长准时参加。\n%s", cnDate(c.AddDate(0, 0, 10)), b.sign(s.dept[dStudent], c))
			return it
		},
		func(key string, c time.Time, r *rand.Rand) ItemSeed {
			it := b.item(key, "evaluation", fmt.Sprintf("关于推荐%d年度县级“最美教师”人选的公示", c.Year()), c)
			it.Catalogue = "staff-awards"
			it.Body = fmt.Sprintf("经教职工民主推荐、学校评审小组考评，拟推荐%s同志为%d年度县级“最美教师”人选。该同志扎根教学一线%d年，%s。\n\n%s\n%s",
				b.staff[6], c.Year(), 12+r.IntN(15), pick(r, []string{"长期担任班主任，坚持家访全覆盖", "承担学校留守儿童关爱工作", "所带学科教学质量位居全县前列"}), b.objection(5), b.sign("", c))
			return it
		},
		func(key string, c time.Time, r *rand.Rand) ItemSeed {
			it := b.item(key, "enrolment", fmt.Sprintf("关于%s插班生接收情况的公示", termName(c.Year(), c.Month() >= 7)), c)
			it.Body = fmt.Sprintf("本学期学校共受理插班（转入）申请%d件，按学位空余情况和就近入学原则接收%d人，未接收的%d件已书面告知原因并引导至学区内其他学校。接收名单不予网上公示，家长可到%s查询。\n\n%s\n%s",
				6+r.IntN(6), 4+r.IntN(2), r.IntN(2)+1, s.dept[dTeaching], b.objection(5), b.sign(s.dept[dTeaching], c))
			return it
		},
		func(key string, c time.Time, r *rand.Rand) ItemSeed {
			it := b.item(key, "congress", fmt.Sprintf("关于征集%s教代会提案的通知", s.congress), c)
			b.staffOnly(&it)
			it.Channels = []gongkai.Channel{"online", "congress", "staff_meeting"}
			it.Body = fmt.Sprintf("为做好%s教职工代表大会下次会议的准备，现向全体代表征集提案。提案应一事一案，写明案由、理由和具体建议，由代表本人或联名提出，于%s前交%s。\n%s",
				s.congress, cnDate(c.AddDate(0, 0, 14)), s.dept[dUnion], b.sign(s.dept[dUnion], c))
			return it
		},
		func(key string, c time.Time, r *rand.Rand) ItemSeed {
			it := b.item(key, "titles", fmt.Sprintf("关于%d年度教师岗位等级晋升推荐人选的公示", c.Year()), c)
			it.Catalogue = "title-review"
			b.staffOnly(&it)
			it.Body = fmt.Sprintf("根据县人力资源和社会保障局岗位设置管理有关规定，经个人申请、推荐小组量化评分和集体研究，拟推荐%s、%s两位同志晋升专业技术岗位等级。量化评分细则和得分明细在%s备查。\n\n%s\n%s",
				b.staff[7], b.staff[8], s.dept[dOffice], b.objection(5), b.sign("", c))
			return it
		},
		func(key string, c time.Time, r *rand.Rand) ItemSeed {
			it := b.item(key, "finance", fmt.Sprintf("关于%d年校舍维修专项资金使用情况的公示", c.Year()), c)
			it.PublicityDays = 5
			total := amount(r, 60000, 180000) / 100 * 100
			used := total * int64(80+r.IntN(20)) / 100
			it.Body = fmt.Sprintf("县教育局下达我校校舍维修专项资金%s，截至目前已支出%s，结余%s。资金主要用于教学楼屋面防水、卫生间改造和围墙修缮，各项工程均已按程序比选并公示。\n\n%s\n%s",
				yuan(total), yuan(used), yuan(total-used), b.objection(5), b.sign(s.dept[dFinance], c))
			return it
		},
		func(key string, c time.Time, r *rand.Rand) ItemSeed {
			it := b.item(key, "integrity", "师德师风承诺及监督电话公示", c)
			it.Body = fmt.Sprintf("学校全体教职工签订师德师风承诺书，承诺不从事有偿补课、不收受学生和家长礼品礼金、不向学生推销教辅资料。欢迎家长和社会各界监督，监督电话：%s。\n%s", s.seed.Phone, b.sign(s.dept[dOffice], c))
			return it
		},
		func(key string, c time.Time, r *rand.Rand) ItemSeed {
			it := b.item(key, "other", "关于组织教师外出学习考察的通知", c)
			b.staffOnly(&it)
			it.Body = fmt.Sprintf("经研究，学校拟于%s组织%d名骨干教师赴市实验小学跟岗学习，费用按差旅费标准由公用经费列支，学习结束后在教研活动中汇报。\n%s", cnDate(c.AddDate(0, 0, 12)), 4+r.IntN(4), b.sign(s.dept[dTeaching], c))
			return it
		},
	}
	makerNames := []string{"procurement", "timetable", "parent-meeting", "model-teacher", "transfers", "motions",
		"post-grades", "repair-fund", "ethics", "study-trip"}
	order := b.rng("pipeline").Perm(len(makers))
	// Each step: the state to reach and how many working days before today it was created.
	steps := []struct {
		want gongkai.State
		back int
	}{
		{gongkai.StateDraft, 1}, {gongkai.StateDraft, 3}, {gongkai.StateSubmitted, 1}, {gongkai.StateSubmitted, 2},
		{gongkai.StateApproved, 2}, {gongkai.StateChecked, 3}, {gongkai.StatePublished, 2}, {gongkai.StatePublished, 3},
		{gongkai.StatePublished, 2}, {gongkai.StateWithdrawn, 25},
	}
	for i, st := range steps {
		key := "current-" + makerNames[order[i]]
		r := b.rng(key)
		c := clock(b.prevWorkday(st.back), r, 9, 16)
		it := makers[order[i]](key, c, r)
		it.Key = key
		if it.PublicityDays < 5 && st.want == gongkai.StatePublished {
			it.PublicityDays = 5
		}
		switch {
		case i == 1:
			it.ReturnReason = pick(r, returnReasons)
		case i == 2:
			it.Comment = "请经办部门再核对一遍内容后报校长签发。"
		case st.want == gongkai.StateWithdrawn:
			it.Reason = pick(r, []string{"附件版本有误，撤回后更正另行公示。", "经领导小组研究，该事项暂缓实施，予以撤回。", "内容与前期公示重复，予以撤回。"})
		}
		b.add(it, st.want, r)
	}
}

// ---- attachments ----

// tinyPDF returns a one-page PDF showing lines of ASCII text, with a
// correct cross-reference table and no document information.
func tinyPDF(lines []string) []byte {
	var buf bytes.Buffer
	var offs []int
	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj := func(body string) {
		offs = append(offs, buf.Len())
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	var st strings.Builder
	st.WriteString("BT /F1 14 Tf 72 770 Td 18 TL")
	esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
	for _, l := range lines {
		fmt.Fprintf(&st, " (%s) Tj T*", esc.Replace(l))
	}
	st.WriteString(" ET")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", st.Len(), st.String()))
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return buf.Bytes()
}

// tinyPNG draws a small red banner on a pole: a 流动红旗.
func tinyPNG() []byte {
	img := image.NewPaletted(image.Rect(0, 0, 96, 64), color.Palette{color.White, color.RGBA{0xc8, 0x10, 0x2e, 0xff}, color.RGBA{0x66, 0x66, 0x66, 0xff}})
	for y := 4; y < 62; y++ {
		img.SetColorIndex(10, y, 2)
		img.SetColorIndex(11, y, 2)
	}
	for y := 6; y < 36; y++ {
		for x := 12; x < 12+70-(y-6)/3; x++ {
			img.SetColorIndex(x, y, 1)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory paletted image cannot fail
	}
	return buf.Bytes()
}
