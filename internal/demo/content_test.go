package demo

import (
	"bytes"
	"fmt"
	"image/png"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/calendar"
)

// seedPeople are the real people named in the seed plans.
var seedPeople = []string{"李灿元", "魏有伟", "王兴虎", "刘国林", "李常征", "李安庆", "贾盛春", "朱增辉", "何万琴", "文丕兰",
	"王远东", "陈顺平", "车广君", "林智焕", "林丽芳", "陈君敏", "林水姬", "陈笑冬", "林伟", "陈学建", "林锦生", "林艳", "林燕"}

var slugs = []string{"pingan", "xiangqian", "yuanba", "kaiwu"}

// moments returns many values of now: every few days over two years, at
// different hours, so that every season, holiday and weekday is tried.
func moments() []time.Time {
	var ts []time.Time
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, gongkai.Beijing)
	for i := 0; i < 2*365; i += 3 {
		ts = append(ts, start.AddDate(0, 0, i).Add(time.Duration(i*7%24)*time.Hour+time.Duration(i%60)*time.Minute))
	}
	return ts
}

var sample = time.Date(2026, 11, 25, 10, 30, 0, 0, gongkai.Beijing)

func TestBureauSeed(t *testing.T) {
	name, region := BureauSeed()
	if name == "" || region != "CN" {
		t.Errorf("BureauSeed() = %q, %q", name, region)
	}
}

func TestSchools(t *testing.T) {
	schools := Schools()
	if !reflect.DeepEqual(schools, Schools()) {
		t.Fatal("Schools() is not deterministic")
	}
	var got []string
	code := regexp.MustCompile(`^[0-9]{10}$`)
	for _, s := range schools {
		got = append(got, s.Slug)
		sch := gongkai.School{Slug: s.Slug, Name: s.Name, FullName: s.FullName, Code: s.Code}
		if err := sch.Validate(); err != nil {
			t.Errorf("%s: %v", s.Slug, err)
		}
		if !code.MatchString(s.Code) || !strings.HasPrefix(s.FullName, "青禾县") || s.Address == "" || s.Phone == "" {
			t.Errorf("%s: code %q, full name %q, address %q, phone %q", s.Slug, s.Code, s.FullName, s.Address, s.Phone)
		}
		logins := map[string]bool{}
		roles := map[gongkai.Role]bool{}
		for _, p := range s.People {
			if logins[p.Login] {
				t.Errorf("%s: login %q twice", s.Slug, p.Login)
			}
			logins[p.Login] = true
			if p.DisplayName == "" || len(p.Roles) == 0 {
				t.Errorf("%s.%s: empty name or roles", s.Slug, p.Login)
			}
			for _, r := range p.Roles {
				if !r.Valid() {
					t.Errorf("%s.%s: invalid role %q", s.Slug, p.Login, r)
				}
				roles[r] = true
			}
			if p.Department != "" && !slices.Contains(s.Departments, p.Department) {
				t.Errorf("%s.%s: department %q is not one of the school's", s.Slug, p.Login, p.Department)
			}
			if slices.Contains(p.Roles, gongkai.RoleClerk) && p.Department == "" {
				t.Errorf("%s.%s: a clerk without a department", s.Slug, p.Login)
			}
		}
		for _, l := range []string{"principal", "leader", "supervisor", "clerk", "clerk2", "teacher", "rep", "parent"} {
			if !logins[l] {
				t.Errorf("%s: no %q", s.Slug, l)
			}
		}
		for _, r := range gongkai.SchoolRoles {
			if !roles[r] {
				t.Errorf("%s: nobody holds role %q", s.Slug, r)
			}
		}
	}
	if !reflect.DeepEqual(got, slugs) {
		t.Errorf("slugs = %v, want %v", got, slugs)
	}
}

func TestItems_UnknownSchool(t *testing.T) {
	if items := Items("nowhere", sample); items != nil {
		t.Errorf("Items(nowhere) = %d items, want nil", len(items))
	}
}

func TestItems_Deterministic(t *testing.T) {
	for _, slug := range slugs {
		a, b := Items(slug, sample), Items(slug, sample.UTC())
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: Items differs between two calls", slug)
		}
		if n := len(a); n < 45 || n > 70 {
			t.Errorf("%s: %d items, want about 50", slug, n)
		}
	}
	// A title names one key whatever the moment (within a year: a school
	// may well buy office computers again two years later).
	for _, slug := range slugs {
		keyOf := map[string]string{}
		ms := moments()
		for i := 0; i < len(ms)/2; i += 4 {
			for _, it := range Items(slug, ms[i]) {
				current := strings.HasPrefix(it.Key, "current-") || strings.HasPrefix(keyOf[it.Title], "current-")
				if k, ok := keyOf[it.Title]; ok && k != it.Key && !current {
					t.Errorf("%s: title %q has keys %s and %s", slug, it.Title, k, it.Key)
				}
				keyOf[it.Title] = it.Key
			}
		}
	}
	// Content does not depend on the moment, only the state does.
	later := sample.AddDate(0, 0, 40)
	for _, slug := range slugs {
		byKey := map[string]ItemSeed{}
		for _, it := range Items(slug, sample) {
			byKey[it.Key] = it
		}
		for _, it := range Items(slug, later) {
			if old, ok := byKey[it.Key]; ok && !strings.HasPrefix(it.Key, "current-") && (old.Body != it.Body || old.Title != it.Title) {
				t.Errorf("%s/%s: content changed with now", slug, it.Key)
			}
		}
	}
}

func TestItems_Invariants(t *testing.T) {
	cal := gongkai.NewWorkCalendar(calendar.Seed())
	schools := map[string]SchoolSeed{}
	for _, s := range Schools() {
		schools[s.Slug] = s
	}
	for _, slug := range slugs {
		school := schools[slug]
		for _, now := range moments() {
			items := Items(slug, now)
			name := fmt.Sprintf("%s@%s", slug, now.Format("2006-01-02T15:04"))
			cats, states := map[string]bool{}, map[gongkai.State]bool{}
			keys, titles := map[string]bool{}, map[string]bool{}
			for _, it := range items {
				// The loader may also recognise an item by its title.
				if titles[it.Title] {
					t.Errorf("%s: title %q twice", name, it.Title)
				}
				titles[it.Title] = true
				cats[it.Category] = true
				states[it.Target] = true
				checkItem(t, name, cal, school, now, it)
				if keys[it.Key] {
					t.Errorf("%s: key %q twice", name, it.Key)
				}
				keys[it.Key] = true
			}
			for _, c := range gongkai.Categories {
				if !cats[c.Code] {
					t.Errorf("%s: no item of category %q", name, c.Code)
				}
			}
			for _, s := range gongkai.States {
				if !states[s] {
					t.Errorf("%s: no item in state %q", name, s)
				}
			}
			if t.Failed() {
				return
			}
		}
	}
}

func checkItem(t *testing.T, name string, cal *gongkai.WorkCalendar, school SchoolSeed, now time.Time, it ItemSeed) {
	t.Helper()
	name += "/" + it.Key
	cat, ok := gongkai.CategoryByCode(it.Category)
	if !ok {
		t.Errorf("%s: category %q", name, it.Category)
	}
	if it.PublicityDays < cat.MinPublicityDays || it.PublicityDays > gongkai.MaxPublicityDays {
		t.Errorf("%s: %d publicity days, minimum %d", name, it.PublicityDays, cat.MinPublicityDays)
	}
	d := gongkai.Disclosure{Title: it.Title, Body: it.Body, Category: it.Category, Audience: it.Audience,
		PublicityDays: it.PublicityDays, DocNumber: it.DocNumber, LegalBasis: it.LegalBasis, Channels: it.Channels}
	if err := d.ValidateForSubmit(); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	if it.Key == "" || it.Title == "" || utf8.RuneCountInString(it.Title) > 60 {
		t.Errorf("%s: key %q, title %q", name, it.Key, it.Title)
	}
	if !slices.Contains(school.Departments, it.Department) {
		t.Errorf("%s: department %q", name, it.Department)
	}
	clerk := false
	for _, p := range school.People {
		clerk = clerk || p.Login == it.Clerk && slices.Contains(p.Roles, gongkai.RoleClerk)
	}
	if !clerk {
		t.Errorf("%s: clerk %q", name, it.Clerk)
	}
	if !slices.Contains(gongkai.States, it.Target) {
		t.Errorf("%s: target %q", name, it.Target)
	}
	// Items meeting an obligation of the calendar's year may be older (a
	// congress in March meets the obligation due on 31 December).
	oldest := now.AddDate(0, -14, 0)
	if it.Period != "" {
		oldest = now.AddDate(-2, 0, 0)
	}
	if it.Created.Before(oldest) || it.Created.After(now) {
		t.Errorf("%s: created %s, outside the 14 months before %s (meets %q)", name, it.Created, now, it.Period)
	}
	if it.Created.Location() != gongkai.Beijing {
		t.Errorf("%s: created in %s, want Beijing time", name, it.Created.Location())
	}
	published := it.Target == gongkai.StatePublished || it.Target == gongkai.StateClosed ||
		it.Target == gongkai.StateArchived || it.Target == gongkai.StateWithdrawn
	switch {
	case published && it.Published.IsZero():
		t.Errorf("%s: %s without a publication time", name, it.Target)
	case !published && !it.Published.IsZero():
		t.Errorf("%s: %s with a publication time", name, it.Target)
	case published:
		if gap := it.Published.Sub(it.Created); !dayOf(it.Published).After(dayOf(it.Created)) || gap > 16*24*time.Hour {
			t.Errorf("%s: published %s after creation", name, gap)
		}
		if it.Published.After(now.Add(-time.Hour)) || !cal.IsWorkday(it.Published) {
			t.Errorf("%s: published %s (now %s)", name, it.Published, now)
		}
	}
	if it.PublicityDays > 0 {
		early, _ := cal.AddWorkdays(it.Published, it.PublicityDays-1)
		late, _ := cal.AddWorkdays(it.Published, it.PublicityDays)
		switch it.Target {
		case gongkai.StatePublished:
			if gongkai.PeriodOver(early, now) {
				t.Errorf("%s: published but its period ended (published %s)", name, it.Published)
			}
			// Recent in working days: a long holiday may lie in between.
			if cal.WorkdaysBetween(it.Published, now) >= it.PublicityDays || cal.WorkdaysBetween(it.Created, now) > it.PublicityDays+5 {
				t.Errorf("%s: in its period but not recent: created %s, published %s", name, it.Created, it.Published)
			}
		case gongkai.StateClosed, gongkai.StateArchived:
			if !gongkai.PeriodOver(late, now) {
				t.Errorf("%s: %s but its period has not ended (published %s)", name, it.Target, it.Published)
			}
		}
	} else if it.Target == gongkai.StateClosed || it.Target == gongkai.StateArchived {
		t.Errorf("%s: %s without a publicity period", name, it.Target)
	}
	if it.Target == gongkai.StateWithdrawn && it.Reason == "" {
		t.Errorf("%s: withdrawn without a reason", name)
	}
	if it.Revisions != 0 {
		if it.Revisions != 1 || it.Reason == "" || it.RevisedBody == "" || it.RevisedBody == it.Body || !published || it.Target == gongkai.StateWithdrawn {
			t.Errorf("%s: revision %d in %s, reason %q", name, it.Revisions, it.Target, it.Reason)
		}
	} else if it.RevisedBody != "" || (it.Reason != "" && it.Target != gongkai.StateWithdrawn) {
		t.Errorf("%s: reason or revised body without a revision", name)
	}
	if it.Target == gongkai.StateDraft && it.Comment != "" {
		t.Errorf("%s: a draft with a review comment", name)
	}
	for _, c := range it.Channels {
		if !slices.Contains(gongkai.Channels, c) {
			t.Errorf("%s: channel %q", name, c)
		}
	}
	if len(it.Channels) == 0 {
		t.Errorf("%s: no channel", name)
	}
}

func TestItems_Audiences(t *testing.T) {
	for _, slug := range slugs {
		count := map[gongkai.Audience]int{}
		items := Items(slug, sample)
		for _, it := range items {
			if !it.Audience.Valid() {
				t.Errorf("%s/%s: audience %q", slug, it.Key, it.Audience)
			}
			count[it.Audience]++
		}
		if count[gongkai.AudiencePublic]*2 < len(items) {
			t.Errorf("%s: %d of %d items public, want most", slug, count[gongkai.AudiencePublic], len(items))
		}
		for _, a := range gongkai.Audiences {
			if count[a] == 0 {
				t.Errorf("%s: no item for audience %q", slug, a)
			}
		}
		if count[gongkai.AudienceLeadership] > 4 {
			t.Errorf("%s: %d leadership items, want a few", slug, count[gongkai.AudienceLeadership])
		}
	}
}

// allText returns every string a reader could see.
func allText() []string {
	var ss []string
	name, _ := BureauSeed()
	ss = append(ss, name)
	for _, s := range Schools() {
		ss = append(ss, s.Name, s.FullName, s.Address)
		for _, p := range s.People {
			ss = append(ss, p.DisplayName)
		}
		for _, now := range []time.Time{sample, sample.AddDate(0, -5, 3), sample.AddDate(-1, 2, 11)} {
			for _, it := range Items(s.Slug, now) {
				ss = append(ss, it.Title, it.Body, it.RevisedBody, it.Comment, it.ReturnReason, it.Reason, it.LegalBasis, it.DocNumber)
				if it.Attachment != nil {
					ss = append(ss, it.Attachment.Name, string(it.Attachment.Data))
				}
			}
		}
	}
	return ss
}

func TestNoRealNames(t *testing.T) {
	for _, s := range allText() {
		for _, n := range seedPeople {
			if strings.Contains(s, n) {
				t.Errorf("real name %s appears in %.60q", n, s)
			}
		}
	}
}

func TestNoPersonalNumbers(t *testing.T) {
	id := regexp.MustCompile(`[0-9]{17}[0-9Xx]`)
	mobile := regexp.MustCompile(`1[3-9][0-9]{9}`)
	long := regexp.MustCompile(`[0-9]{11,}`)
	for _, s := range allText() {
		for _, re := range []*regexp.Regexp{id, mobile, long} {
			if m := re.FindString(s); m != "" {
				t.Errorf("%q looks like an ID or phone number in %.60q", m, s)
			}
		}
	}
}

func TestMoneyFormat(t *testing.T) {
	bad := regexp.MustCompile(`¥[0-9]{4}|¥[0-9,]*[0-9]($|[^0-9,.])|¥[0-9,]+\.[0-9]($|[^0-9])`)
	seen := 0
	for _, slug := range slugs {
		for _, it := range Items(slug, sample) {
			for _, body := range []string{it.Body, it.RevisedBody} {
				if m := bad.FindString(body); m != "" {
					t.Errorf("%s/%s: badly formatted amount %q", slug, it.Key, m)
				}
				seen += strings.Count(body, "¥")
			}
			if it.Category == "finance" && strings.HasPrefix(it.Key, "finance-") && !strings.Contains(it.Body, "| --- |") {
				t.Errorf("%s/%s: a statement without a table", slug, it.Key)
			}
		}
	}
	if seen < 100 {
		t.Errorf("only %d amounts", seen)
	}
	for fen, want := range map[int64]string{0: "¥0.00", 5: "¥0.05", 123456: "¥1,234.56", 100000000: "¥1,000,000.00"} {
		if got := yuan(fen); got != want {
			t.Errorf("yuan(%d) = %q, want %q", fen, got, want)
		}
	}
}

func TestAttachments(t *testing.T) {
	types := map[string]int{}
	xrefEntry := regexp.MustCompile(`(?m)^([0-9]{10}) 00000 n $`)
	for _, slug := range slugs {
		for _, it := range Items(slug, sample) {
			a := it.Attachment
			if a == nil {
				continue
			}
			types[a.ContentType]++
			if a.Name == "" || len(a.Data) == 0 || len(a.Data) > 10<<10 {
				t.Errorf("%s/%s: attachment %q of %d bytes", slug, it.Key, a.Name, len(a.Data))
			}
			switch a.ContentType {
			case "application/pdf":
				if !bytes.HasPrefix(a.Data, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(a.Data, []byte("%%EOF\n")) || !strings.HasSuffix(a.Name, ".pdf") {
					t.Errorf("%s/%s: not a PDF", slug, it.Key)
				}
				for i, m := range xrefEntry.FindAllSubmatch(a.Data, -1) {
					off, _ := strconv.Atoi(string(m[1]))
					if !bytes.HasPrefix(a.Data[off:], fmt.Appendf(nil, "%d 0 obj", i+1)) {
						t.Errorf("%s/%s: xref entry %d points at the wrong offset", slug, it.Key, i+1)
					}
				}
			case "image/png":
				if _, err := png.Decode(bytes.NewReader(a.Data)); err != nil || !strings.HasSuffix(a.Name, ".png") {
					t.Errorf("%s/%s: not a PNG: %v", slug, it.Key, err)
				}
			default:
				t.Errorf("%s/%s: content type %q", slug, it.Key, a.ContentType)
			}
		}
	}
	if types["application/pdf"] == 0 || types["image/png"] == 0 {
		t.Errorf("attachments by type: %v, want PDFs and PNGs", types)
	}
}

func TestNames(t *testing.T) {
	b := &builder{s: infoBySlug("xiangqian")}
	ns := names(b.rng("test"), 500, true, nil)
	seen := map[string]bool{}
	for _, n := range ns {
		if seen[n] || hasRealName(n) {
			t.Errorf("name %q repeated or real", n)
		}
		seen[n] = true
	}
}

// TestParticulars checks the county's footer particulars and the schools'
// records: well-formed, fictional, and different from school to school.
func TestParticulars(t *testing.T) {
	b := Bureau()
	for field, v := range map[string]string{"division code": b.DivisionCode, "address": b.Address, "phone": b.Phone, "sponsor": b.Sponsor, "ICP": b.ICP, "PSB": b.PSB} {
		if v == "" {
			t.Errorf("bureau %s is empty", field)
		}
	}
	if !regexp.MustCompile(`^[1-6][0-9]{5}$`).MatchString(b.DivisionCode) || !strings.HasPrefix(b.DivisionCode, "35") {
		t.Errorf("division code %q: want six digits of a county of 闽", b.DivisionCode)
	}
	if msg := gongkai.ValidatePhone("监督举报电话", b.Phone); msg != "" {
		t.Error(msg)
	}
	if !regexp.MustCompile(`^闽ICP备[0-9]{8}号(-[0-9]+)?$`).MatchString(b.ICP) || !regexp.MustCompile(`^闽公网安备`+b.DivisionCode+`[0-9]{8}号$`).MatchString(b.PSB) {
		t.Errorf("ICP %q, PSB %q: not well-formed", b.ICP, b.PSB)
	}
	seen := map[string]string{}
	for _, s := range Schools() {
		for field, v := range map[string]string{"credit code": s.CreditCode, "stage": s.Stage, "admission phone": s.AdmissionPhone, "aid phone": s.AidPhone,
			"office hours": s.OfficeHours, "guide": s.Guide} {
			if v == "" {
				t.Errorf("%s: %s is empty", s.Slug, field)
			}
		}
		if msg := gongkai.ValidateCreditCode(s.CreditCode); msg != "" || !strings.HasPrefix(s.CreditCode, "12"+b.DivisionCode) {
			t.Errorf("%s: credit code %q: %s", s.Slug, s.CreditCode, msg)
		}
		for _, p := range []string{s.Phone, s.AdmissionPhone, s.AidPhone} {
			if msg := gongkai.ValidatePhone("电话", p); msg != "" {
				t.Errorf("%s: %q: %s", s.Slug, p, msg)
			}
		}
		for _, v := range []string{s.Code, s.CreditCode, s.Phone, s.AdmissionPhone, s.AidPhone, s.Guide} {
			if other, ok := seen[v]; ok {
				t.Errorf("%s and %s share %.40q", other, s.Slug, v)
			}
			seen[v] = s.Slug
		}
		if !strings.Contains(s.Guide, s.Address) || !strings.Contains(s.Guide, "| --- |") || hasRealName(s.Guide) {
			t.Errorf("%s: guide without the address or a table, or with a real name:\n%s", s.Slug, s.Guide)
		}
		if want := map[bool]string{true: "中等职业学校", false: "小学"}[strings.Contains(s.Name, "职业")]; s.Stage != want {
			t.Errorf("%s: stage %q, want %q", s.Slug, s.Stage, want)
		}
	}
}
