package main

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gongkai"
	"gongkai/internal/demo"
)

// The bench data is the demo county's content, varied: every published item
// of the four demo schools at a few fixed moments becomes a template, and a
// bench school republishes templates of its kind (primary or vocational)
// shifted by whole years, with its own names, numbers and dates.

// Body sizes the generator aims at, in bytes of UTF-8 (Chinese is three bytes
// a character): about 170 to 510 characters, like a notice on the board.
const (
	minBody = 512
	maxBody = 1536
)

// templateMoments are the values of now the demo content is taken at. Fixed,
// so that the corpus, and with it the data set, does not depend on the day
// the generator runs.
var templateMoments = []time.Time{
	time.Date(2025, 1, 20, 12, 0, 0, 0, gongkai.Beijing),
	time.Date(2025, 5, 20, 12, 0, 0, 0, gongkai.Beijing),
	time.Date(2025, 9, 20, 12, 0, 0, 0, gongkai.Beijing),
	time.Date(2026, 1, 20, 12, 0, 0, 0, gongkai.Beijing),
	time.Date(2026, 5, 20, 12, 0, 0, 0, gongkai.Beijing),
	time.Date(2026, 9, 20, 12, 0, 0, 0, gongkai.Beijing),
}

// style is one demo school: its identity, which a bench school's replaces,
// and its published items as templates.
type style struct {
	seed       demo.SchoolSeed
	abbr       string // 文号 prefix, e.g. 祥小 in 祥小〔2025〕12号
	vocational bool
	templates  []*template
}

// template is one published demo item.
type template struct {
	style              *style
	key                string
	category, title    string
	body, revisedBody  string
	docNumber, legal   string
	reason             string
	audience           gongkai.Audience
	publicityDays      int
	channels           []gongkai.Channel
	department         string
	created, published time.Time
	catalogueCode      string
}

// corpus returns the demo schools as styles; it is deterministic.
var corpus = sync.OnceValue(func() []*style {
	var out []*style
	for _, s := range demo.Schools() {
		st := &style{seed: s, vocational: strings.Contains(s.Name, "职业")}
		seen := map[string]bool{}
		for _, now := range templateMoments {
			for _, it := range demo.Items(s.Slug, now) {
				switch it.Target {
				case gongkai.StatePublished, gongkai.StateClosed, gongkai.StateArchived:
				default:
					continue
				}
				if it.Published.IsZero() || seen[it.Key] {
					continue
				}
				seen[it.Key] = true
				if st.abbr == "" {
					if a, _, ok := strings.Cut(it.DocNumber, "〔"); ok {
						st.abbr = a
					}
				}
				t := &template{style: st, key: it.Key, category: it.Category, title: it.Title, body: it.Body,
					docNumber: it.DocNumber, legal: it.LegalBasis, audience: it.Audience,
					publicityDays: it.PublicityDays, channels: it.Channels, department: it.Department,
					created: it.Created, published: it.Published, catalogueCode: catalogueFor(it.Category)}
				if it.Revisions > 0 && it.RevisedBody != "" {
					t.revisedBody, t.reason = it.RevisedBody, it.Reason
				}
				st.templates = append(st.templates, t)
			}
		}
		slices.SortStableFunc(st.templates, func(a, b *template) int { return a.published.Compare(b.published) })
		out = append(out, st)
	}
	return out
})

// catalogueFor picks the first default catalogue item of the category, as
// the demo loader does.
func catalogueFor(category string) string {
	for _, c := range gongkai.DefaultCatalogue {
		if c.Category == category {
			return c.Code
		}
	}
	return ""
}

// ---- bench schools ----

// county is one bureau of the bench data.
type county struct {
	name   string // 云溪县
	short  string // 云, as in 云发改价〔2025〕8号
	pinyin string // yunxi, the slug prefix
}

var counties = []county{
	{"青禾县", "青", "qinghe"}, {"云溪县", "云", "yunxi"}, {"桐川县", "桐", "tongchuan"}, {"梅岭县", "梅", "meiling"},
	{"柳塘县", "柳", "liutang"}, {"松岚县", "松", "songlan"}, {"竹源县", "竹", "zhuyuan"}, {"枫桥县", "枫", "fengqiao"},
	{"杏坛县", "杏", "xingtan"}, {"荷溪县", "荷", "hexi"},
}

// townChars make the fictional town names of a county.
var townChars = []rune("东西南北安平永兴和新长乐泰康福宁丰华山溪桥岭塘湾坪田河源口龙凤石竹梅柳桃李桂花")

// benchSchool is a generated school with the demo roles' names.
type benchSchool struct {
	index                                      int
	county                                     *county
	slug, name, fullName, code, address, phone string
	abbr                                       string
	vocational                                 bool
	people                                     []string    // display names in the order of demo.Schools()[i].People
	styles                                     []*style    // the demo schools whose items it republishes
	pool                                       []*template // their templates

	replMu sync.Mutex
	repl   map[*style]*strings.Replacer
}

// Logins of the three users per school the publication test signs in as.
const (
	loginClerk      = "clerk"
	loginPrincipal  = "principal"
	loginSupervisor = "supervisor"
)

// makeSchools returns n schools spread over the counties, deterministic
// for n.
func makeSchools(n int) []*benchSchool {
	styles := corpus()
	var primary, vocational []*style
	for _, st := range styles {
		if st.vocational {
			vocational = append(vocational, st)
		} else {
			primary = append(primary, st)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	usedTown := map[string]bool{}
	usedName := map[string]bool{}
	var out []*benchSchool
	for i := range n {
		c := &counties[i%len(counties)]
		num := i/len(counties) + 1
		s := &benchSchool{index: i, county: c, slug: fmt.Sprintf("%s-%03d", c.pinyin, num)}
		var town string
		for {
			town = string(townChars[r.IntN(len(townChars))]) + string(townChars[r.IntN(len(townChars))])
			if !usedTown[c.name+town] {
				usedTown[c.name+town] = true
				break
			}
		}
		// About one school in eleven is a vocational school, spread over
		// the counties.
		switch {
		case i%11 == 5:
			s.vocational = true
			s.name = town + "职业技术学校"
		case num%3 == 0:
			s.name = town + "镇中学"
		case num%3 == 1:
			s.name = town + "镇中心小学"
		default:
			s.name = town + "小学"
		}
		s.fullName = c.name + s.name
		s.code = fmt.Sprintf("31%02d%06d", i%len(counties)+40, num)
		s.address = fmt.Sprintf("%s%s镇%s路%d号", c.name, town, string(townChars[r.IntN(len(townChars))])+"华", 1+r.IntN(120))
		s.phone = fmt.Sprintf("0%03d-%07d", 500+i%len(counties)*7, 5550000+r.IntN(9999))
		s.abbr = string([]rune(town)[:1]) + map[bool]string{true: "职校", false: "校"}[s.vocational]
		if s.vocational {
			s.styles = vocational
		} else {
			s.styles = primary
		}
		for _, st := range s.styles {
			s.pool = append(s.pool, st.templates...)
		}
		s.people = personNames(r, len(s.styles[0].seed.People), usedName)
		out = append(out, s)
	}
	return out
}

// Fictional names: a surname and one or two given-name characters.
var (
	surnames   = []rune("张王李赵刘杨黄吴周徐孙马朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖夏韦方白邹孟熊秦邱江尹薛段雷侯龙陶黎贺顾毛郝龚邵严覃戴莫孔向汤陈林")
	givenChars = []rune("建华国平秀兰丽娟春燕志远振宇晓峰海涛玉梅红霞永强德胜文斌淑芬桂英少军立新雪莲小红卫东学军美琴金凤荣庆明亮思源")
)

// seedPeople are the real people named in the seed plans; like the demo,
// the bench data never names them (the list is the demo's).
var seedPeople = []string{"李灿元", "魏有伟", "王兴虎", "刘国林", "李常征", "李安庆", "贾盛春", "朱增辉", "何万琴", "文丕兰",
	"王远东", "陈顺平", "车广君", "林智焕", "林丽芳", "陈君敏", "林水姬", "陈笑冬", "林伟", "陈学建", "林锦生", "林艳", "林燕"}

func personNames(r *rand.Rand, n int, used map[string]bool) []string {
	var out []string
	for len(out) < n {
		name := string(surnames[r.IntN(len(surnames))]) + string(givenChars[r.IntN(len(givenChars))])
		if r.IntN(10) < 8 {
			name += string(givenChars[r.IntN(len(givenChars))])
		}
		real := false
		for _, p := range seedPeople {
			real = real || strings.Contains(name, p)
		}
		// Names stay unique across schools while there are plenty left, so a
		// search for a person finds one school.
		if real || (used[name] && len(used) < 60000) {
			continue
		}
		used[name] = true
		out = append(out, name)
	}
	return out
}

// person is the display name of a demo login (principal, clerk, ...).
func (s *benchSchool) person(login string) string {
	for i, p := range s.styles[0].seed.People {
		if p.Login == login {
			return s.people[i]
		}
	}
	return ""
}

// replacer turns a demo school's names into this school's.
func (s *benchSchool) replacer(st *style) *strings.Replacer {
	s.replMu.Lock()
	defer s.replMu.Unlock()
	if r := s.repl[st]; r != nil {
		return r
	}
	// Longest first: NewReplacer tries the pairs in argument order.
	pairs := []string{st.seed.FullName, s.fullName, st.seed.Name, s.name, st.seed.Address, s.address,
		st.seed.Phone, s.phone, st.seed.Code, s.code}
	if st.abbr != "" {
		pairs = append(pairs, st.abbr+"〔", s.abbr+"〔")
	}
	for i, p := range st.seed.People {
		if i < len(s.people) {
			pairs = append(pairs, p.DisplayName, s.people[i])
		}
	}
	demoCounty, _ := demo.BureauSeed()
	demoCounty = strings.TrimSuffix(demoCounty, "教育局")
	pairs = append(pairs, demoCounty, s.county.name, string([]rune(demoCounty)[:1])+"发改价", s.county.short+"发改价")
	r := strings.NewReplacer(pairs...)
	if s.repl == nil {
		s.repl = map[*style]*strings.Replacer{}
	}
	s.repl[st] = r
	return r
}

// ---- varying a template ----

// item is one rendered disclosure.
type item struct {
	title, body, docNumber, legal string
	revisedBody, reason           string // set for a revised item: body is then the first version
}

var (
	digitRun = regexp.MustCompile(`[0-9]+`)
	amountRe = regexp.MustCompile(`¥[0-9][0-9,]*\.[0-9]{2}`)
)

// shiftYears moves the years of the demo's own time (2022 and later) by k;
// earlier years are those of laws and rules (财教〔2012〕489号) and stay.
func shiftYears(s string, k int) string {
	if k == 0 {
		return s
	}
	return digitRun.ReplaceAllStringFunc(s, func(d string) string {
		if len(d) != 4 {
			return d
		}
		y, _ := strconv.Atoi(d)
		if y < 2022 || y > 2030 {
			return d
		}
		return strconv.Itoa(y + k)
	})
}

// jitterAmounts changes every amount of money by up to 35 % either way.
func jitterAmounts(s string, r *rand.Rand) string {
	return amountRe.ReplaceAllStringFunc(s, func(a string) string {
		fen, err := strconv.ParseInt(strings.NewReplacer("¥", "", ",", "", ".", "").Replace(a), 10, 64)
		if err != nil || fen == 0 {
			return a
		}
		return yuan(fen * int64(65+r.IntN(71)) / 100)
	})
}

// yuan formats fen as ¥1,234.50, as the demo does.
func yuan(fen int64) string {
	s := strconv.FormatInt(fen/100, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return fmt.Sprintf("¥%s.%02d", s, fen%100)
}

// render varies t for school s, shifted by k years.
func (s *benchSchool) render(t *template, k int, r *rand.Rand) item {
	repl := s.replacer(t.style)
	f := func(x string) string { return shiftYears(repl.Replace(x), k) }
	it := item{title: f(t.title), docNumber: f(t.docNumber), legal: f(t.legal)}
	seed := r.Uint64()
	body := func(src string) string {
		// The same amounts in both versions of a revised item, except where
		// the revision changed them.
		rr := rand.New(rand.NewPCG(seed, 7))
		return s.fit(jitterAmounts(f(src), rr), rr)
	}
	it.body = body(t.body)
	if t.revisedBody != "" {
		it.revisedBody, it.reason = body(t.revisedBody), f(t.reason)
	}
	return it
}

// revisedOf makes a second version of an item whose template has none: a
// corrected sentence, as most revisions are.
func (s *benchSchool) revisedOf(it *item, r *rand.Rand) {
	fixes := []struct{ add, reason string }{
		{"\n\n（本版更正了第一版中一处金额的笔误，其余内容不变。）", "第一版中一处金额录入有误，现予更正。"},
		{"\n\n（本版补充了咨询电话" + s.phone + "。）", "补充联系电话，便于家长咨询。"},
		{"\n\n（本版根据监督小组意见补充了公示依据。）", "根据监督小组意见补充公示依据。"},
	}
	f := fixes[r.IntN(len(fixes))]
	it.revisedBody, it.reason = it.body+f.add, f.reason
}

// fit brings a body into [minBody, maxBody]: long tables lose the rows
// before their last, short notices gain one of the closing paragraphs schools
// add (where to object, where the papers are kept).
func (s *benchSchool) fit(body string, r *rand.Rand) string {
	lines := strings.Split(body, "\n")
	size := len(body)
	for size > maxBody {
		i := removableRow(lines)
		if i < 0 {
			break
		}
		size -= len(lines[i]) + 1
		lines = slices.Delete(lines, i, i+1)
	}
	body = strings.Join(lines, "\n")
	pads := []string{
		fmt.Sprintf("本公示同时在学校校务公开栏张贴，原始材料存%s备查，欢迎教职工和家长查阅。", s.styles[0].seed.Departments[0]),
		fmt.Sprintf("公示期内如有异议，可通过网上“在线提交”、校务公开意见箱或拨打电话%s反映，学校将在5个工作日内答复。", s.phone),
		fmt.Sprintf("校务公开监督小组（组长：%s）对本事项的公开程序进行了审核，确认内容真实、程序规范。", s.person(loginSupervisor)),
		"学校将把公示期内收到的意见逐件登记，做到件件有回音、事事有结果，处理结果在下一季度校务公开专题会议上通报。",
		"根据县教育局关于推进校务公开工作的要求，本事项经校务公开领导小组审议、校长签发、监督小组审核后予以公开。",
		"家长可在学校网站“校务公开”栏目或微信公众号查阅本公示及历次公开事项，也可到学校办公室查阅纸质材料。",
	}
	for len(body) < minBody {
		p := pads[r.IntN(len(pads))]
		if strings.Contains(body, p) {
			p = pads[(slices.Index(pads, p)+1)%len(pads)]
			if strings.Contains(body, p) {
				break
			}
		}
		// Before the signature (school name, then the date) when there is one.
		if i := strings.LastIndex(body, "\n"+s.fullName); i > 0 {
			body = body[:i] + "\n" + p + "\n" + body[i:]
		} else {
			body += "\n\n" + p
		}
	}
	return body
}

// removableRow returns the index of a table row that can go: a data row that
// is neither the first of its table nor the last (which often holds the
// total), from the longest table; -1 when there is none.
func removableRow(lines []string) int {
	best, bestLen := -1, 0
	for i := 0; i < len(lines); {
		if !strings.HasPrefix(lines[i], "|") {
			i++
			continue
		}
		j := i
		for j < len(lines) && strings.HasPrefix(lines[j], "|") {
			j++
		}
		// lines[i] is the header, lines[i+1] the separator, then data rows.
		if rows := j - i - 2; rows >= 3 && rows > bestLen {
			best, bestLen = j-2, rows
		}
		i = j
	}
	return best
}
