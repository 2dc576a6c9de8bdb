package main

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/calendar"
)

func TestShiftYears(t *testing.T) {
	for _, c := range []struct {
		in   string
		k    int
		want string
	}{
		{"关于2025年3月份财务收支情况的公示", -3, "关于2022年3月份财务收支情况的公示"},
		{"2025—2026学年", 1, "2026—2027学年"},
		{"《中小学校财务制度》（财教〔2012〕489号）", -5, "《中小学校财务制度》（财教〔2012〕489号）"},
		{"电话0598-5552025，编号3136002025", -1, "电话0598-5552025，编号3136002025"},
		{"2024年", 0, "2024年"},
	} {
		if got := shiftYears(c.in, c.k); got != c.want {
			t.Errorf("shiftYears(%q, %d) = %q, want %q", c.in, c.k, got, c.want)
		}
	}
}

func TestJitterAmounts(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	in := "办公费¥1,234.50，维修费¥56,000.00，合计¥0.00"
	got := jitterAmounts(in, r)
	if got == in || !strings.Contains(got, "合计¥0.00") || strings.Count(got, "¥") != 3 {
		t.Errorf("jitterAmounts(%q) = %q", in, got)
	}
	if !amountRe.MatchString(got) {
		t.Errorf("not an amount any more: %q", got)
	}
}

func TestRemovableRow(t *testing.T) {
	lines := strings.Split("intro\n| a | b |\n| --- | --- |\n| 1 | x |\n| 2 | y |\n| 3 | z |\n| 合计 | w |\nend", "\n")
	if got := removableRow(lines); got != 5 {
		t.Errorf("removableRow = %d, want 5 (the row before the total)", got)
	}
	if got := removableRow(strings.Split("| a |\n| --- |\n| 1 |\n| 2 |", "\n")); got != -1 {
		t.Errorf("a two-row table gave row %d, want -1", got)
	}
}

func TestMakeSchools(t *testing.T) {
	a, b := makeSchools(40), makeSchools(40)
	slugs := map[string]bool{}
	vocational := 0
	for i, s := range a {
		if s.slug != b[i].slug || s.fullName != b[i].fullName || !reflect.DeepEqual(s.people, b[i].people) {
			t.Fatalf("school %d differs between two calls", i)
		}
		sc := gongkai.School{Slug: s.slug, Name: s.name, FullName: s.fullName, Code: s.code}
		if err := sc.Validate(); err != nil {
			t.Errorf("%s: %v", s.slug, err)
		}
		if slugs[s.slug] {
			t.Errorf("slug %s twice", s.slug)
		}
		slugs[s.slug] = true
		for _, p := range s.people {
			if gongkai.ValidateDisplayName(p) != "" {
				t.Errorf("%s: bad name %q", s.slug, p)
			}
			for _, real := range seedPeople {
				if strings.Contains(p, real) {
					t.Errorf("%s: %q contains a real person's name", s.slug, p)
				}
			}
		}
		if s.vocational {
			vocational++
		}
		if len(s.pool) == 0 {
			t.Errorf("%s: no templates", s.slug)
		}
	}
	if vocational == 0 || vocational > len(a)/5 {
		t.Errorf("%d of %d schools vocational", vocational, len(a))
	}
}

func TestRender(t *testing.T) {
	schools := makeSchools(12)
	cfg := genConfig{schools: 12, items: 12 * 100, years: 10, seed: 3, now: time.Date(2026, 11, 25, 10, 0, 0, 0, gongkai.Beijing)}
	p := makePlan(cfg, schools)
	if len(p.items) != cfg.items {
		t.Fatalf("%d items planned, want %d", len(p.items), cfg.items)
	}
	o := make([]orgSchool, len(schools))
	for i := range o {
		o[i] = orgSchool{id: int64(i + 1), clerk: orgUser{1, "甲"}, principal: orgUser{2, "乙"}, supervisor: orgUser{3, "丙"}, depts: map[string]int64{}}
	}
	days, years := calendar.Seed()
	r := &renderer{cfg: cfg, schools: schools, org: o, cal: gongkai.NewWorkCalendar(days, years)}
	events, small, big := 0, 0, 0
	var last time.Time
	for i := range p.items {
		x := r.render(int64(i+1), &p.items[i])
		if y := r.render(int64(i+1), &p.items[i]); !reflect.DeepEqual(x, y) {
			t.Fatalf("item %d: render is not deterministic", i+1)
		}
		events += len(x.events)
		if len(x.body) < minBody {
			small++
		}
		if len(x.body) > maxBody+200 {
			big++
		}
		if x.publishedAt > cfg.now.UnixMilli() || x.publishedAt < cfg.now.AddDate(-cfg.years, 0, -1).UnixMilli() {
			t.Errorf("item %d published %v, outside the window", i+1, time.UnixMilli(x.publishedAt))
		}
		if pub := time.UnixMilli(x.publishedAt); pub.Before(last) {
			t.Errorf("item %d published before item %d", i+1, i)
		} else {
			last = pub
		}
		if len(x.versions) != x.version || x.versions[len(x.versions)-1].body != x.body {
			t.Errorf("item %d: version %d with %d version rows", i+1, x.version, len(x.versions))
		}
		for _, ps := range seedPeople {
			if strings.Contains(x.body, ps) || strings.Contains(x.title, ps) {
				t.Errorf("item %d names %s", i+1, ps)
			}
		}
		for _, s := range []string{"青禾县祥谦小学", "平安职业技术学校", "郑海燕"} {
			if strings.Contains(x.body, s) {
				t.Errorf("item %d still names the demo's %s", i+1, s)
			}
		}
		if x.titleTokens == "" || x.bodyTokens == "" {
			t.Errorf("item %d has no search tokens", i+1)
		}
	}
	// Revisions too fresh to have happened turn into whole procedures, so a
	// few events may be missing, never more than two per item.
	if events > 2*len(p.items) || events < 2*len(p.items)-20 {
		t.Errorf("%d trail events for %d items, want about two per item", events, len(p.items))
	}
	if small > len(p.items)/50 || big > len(p.items)/50 {
		t.Errorf("of %d bodies %d are under %d bytes and %d far over %d", len(p.items), small, minBody, big, maxBody)
	}
	seen := map[string]bool{}
	for _, it := range p.items {
		k := fmt.Sprint(it.school, it.published.Year(), pool(schools[it.school])[it.tmpl].category, it.seq)
		if seen[k] {
			t.Fatalf("index number sequence repeats")
		}
		seen[k] = true
	}
}

func TestTable(t *testing.T) {
	got := table([]string{"a", "数字"}, [][]string{{"财务", "1"}, {"xx", "100"}}, []bool{false, true})
	want := "| a    | 数字 |\n| ---- |-----:|\n| 财务 |    1 |\n| xx   |  100 |\n"
	if got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
}
