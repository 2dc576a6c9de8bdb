package gongkai

import (
	"strings"
	"testing"
	"time"
)

func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, Beijing)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTerm(t *testing.T) {
	for _, c := range []struct {
		day, key, label, from, to string
	}{
		{"2026-02-01", "2026-spring", "2026年春季学期", "2026-02-01", "2026-07-31"},
		{"2026-07-31", "2026-spring", "2026年春季学期", "2026-02-01", "2026-07-31"},
		{"2026-08-01", "2026-autumn", "2026年秋季学期", "2026-08-01", "2027-01-31"},
		{"2026-11-25", "2026-autumn", "2026年秋季学期", "2026-08-01", "2027-01-31"},
		{"2027-01-31", "2026-autumn", "2026年秋季学期", "2026-08-01", "2027-01-31"},
	} {
		term := TermOf(bj(c.day).Add(23 * time.Hour))
		from, to := term.Bounds()
		if term.Key() != c.key || term.Label() != c.label || from.Format(dateLayout) != c.from || to.Format(dateLayout) != c.to {
			t.Errorf("%s: %s %s %s–%s, want %s %s %s–%s", c.day, term.Key(), term.Label(), from.Format(dateLayout), to.Format(dateLayout), c.key, c.label, c.from, c.to)
		}
		if back, ok := ParseTerm(c.key); !ok || back != term {
			t.Errorf("ParseTerm(%q) = %v %v", c.key, back, ok)
		}
	}
	for _, bad := range []string{"", "2026", "2026-summer", "26-spring", "1999-spring", "2026-spring-x", "２０２６-spring"} {
		if _, ok := ParseTerm(bad); ok {
			t.Errorf("ParseTerm(%q) accepted", bad)
		}
	}
	spring, autumn := Term{Year: 2026}, Term{Year: 2026, Autumn: true}
	if spring.Prev() != (Term{Year: 2025, Autumn: true}) || autumn.Prev() != spring {
		t.Errorf("Prev: %v %v", spring.Prev(), autumn.Prev())
	}
	if !autumn.After(spring) || spring.After(autumn) || spring.After(spring) || !spring.After(Term{Year: 2025, Autumn: true}) {
		t.Error("After is wrong")
	}
}

func TestDefaultChecklist(t *testing.T) {
	if n := len(DefaultChecklist); n < 12 || n > 16 {
		t.Errorf("%d items, want 12–16", n)
	}
	seen := map[string]bool{}
	for _, c := range DefaultChecklist {
		if c.Code == "" || c.Title == "" || c.Area == "" || seen[c.Code] {
			t.Errorf("item %+v: empty field or duplicate code", c)
		}
		seen[c.Code] = true
		if code, ok := strings.CutPrefix(c.Evidence, "obligations:"); ok {
			for _, k := range strings.Split(code, ",") {
				found := false
				for _, it := range DefaultCatalogue {
					found = found || it.Code == k
				}
				if !found {
					t.Errorf("item %s: evidence names %q, not in the default catalogue", c.Code, k)
				}
			}
		}
	}
	for _, code := range []string{"monthly-finance", "fees", "large-expense", "aid", "feedback", "hot-issues", "rectification", "archive"} {
		if !seen[code] {
			t.Errorf("the seeds' point %q is missing", code)
		}
	}
}

// TestInspection_validate: a draft saves half-way; a submission needs every
// answer, and each 基本符合 or 不符合 needs what was found, a measure and a
// deadline.
func TestInspection_validate(t *testing.T) {
	now := bj("2026-06-15").Add(10 * time.Hour)
	full := func() *Inspection {
		in := NewInspection(1, Term{Year: 2026})
		for i := range in.Answers {
			in.Answers[i].Verdict = VerdictMet
		}
		return in
	}
	set := func(code string, v Verdict, note, measure, due string) func(*Inspection) {
		return func(in *Inspection) {
			a := in.Answer(code)
			a.Verdict, a.Note, a.Measure = v, note, measure
			if due != "" {
				a.Due = bj(due)
			}
		}
	}
	for _, c := range []struct {
		name   string
		submit bool
		change func(*Inspection)
		fields []string // the fields with a message; nil for valid
	}{
		{"all met", true, nil, nil},
		{"not applicable is an answer", true, set("congress", VerdictNA, "", "", ""), nil},
		{"not met with everything", true, set("fees", VerdictNotMet, "春季收费未提前公示。", "开学前一周公示。", "2026-08-20"), nil},
		{"not met without note and measure", true, set("fees", VerdictNotMet, "", "", ""), []string{"note-fees", "measure-fees", "due-fees"}},
		{"partly without measure", true, set("aid", VerdictPartly, "名单含电话号码。", "", "2026-07-01"), []string{"measure-aid"}},
		{"deadline in the past", true, set("aid", VerdictPartly, "名单含电话号码。", "删除电话号码。", "2026-06-14"), []string{"due-aid"}},
		{"deadline today is fine", true, set("aid", VerdictPartly, "名单含电话号码。", "删除电话号码。", "2026-06-15"), nil},
		{"deadline beyond a year", true, set("aid", VerdictPartly, "x", "y", "2027-07-01"), []string{"due-aid"}},
		{"unanswered item", true, set("archive", "", "", "", ""), []string{"verdict-archive"}},
		{"unknown verdict", false, set("archive", "maybe", "", "", ""), []string{"verdict-archive"}},
		{"draft half-way", false, func(in *Inspection) {
			in.Answers[3].Verdict = ""
			set("fees", VerdictNotMet, "", "", "")(in)
		}, nil},
		{"script in a note", false, set("fees", VerdictMet, "<script>alert(1)</script>", "", ""), []string{"note-fees"}},
		{"note too long", false, set("fees", VerdictMet, strings.Repeat("问", MaxInspectionNote+1), "", ""), []string{"note-fees"}},
		{"summary too long", false, func(in *Inspection) { in.Summary = strings.Repeat("析", MaxInspectionSummary+1) }, []string{"summary"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := full()
			if c.change != nil {
				c.change(in)
			}
			err := in.Validate(c.submit, now)
			fe := ErrorFields(err)
			if c.fields == nil {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if ErrorCode(err) != EINVALID || len(fe) != len(c.fields) {
				t.Fatalf("got %v, want messages for %v", err, c.fields)
			}
			for _, f := range c.fields {
				if fe[f] == "" {
					t.Errorf("no message for %s: %v", f, fe)
				}
			}
		})
	}
}

func TestInspection_completeMeasure(t *testing.T) {
	now := bj("2026-07-01")
	in := NewInspection(1, Term{Year: 2026})
	a := in.Answer("fees")
	a.Verdict, a.Note, a.Measure, a.Due = VerdictNotMet, "未公示", "补公示", bj("2026-07-10")
	if _, err := in.CompleteMeasure("fees", "已补公示", now); ErrorCode(err) != ECONFLICT {
		t.Errorf("draft: %v, want ECONFLICT", err)
	}
	in.State = InspectionSubmitted
	for _, c := range []struct {
		code, note, want string
	}{
		{"organisation", "x", ECONFLICT}, // no measure
		{"nosuch", "x", ENOTFOUND},
		{"fees", "  ", EINVALID},
		{"fees", "已于7月1日补公示。", ""},
		{"fees", "again", ECONFLICT},
	} {
		_, err := in.CompleteMeasure(c.code, c.note, now)
		if ErrorCode(err) != c.want {
			t.Errorf("%s %q: %v, want %q", c.code, c.note, err, c.want)
		}
	}
	if a := in.Answer("fees"); !a.Done || a.DoneNote != "已于7月1日补公示。" || !a.DoneAt.Equal(now) || in.OpenMeasures() != 0 {
		t.Errorf("after: %+v", a)
	}
}

// TestInspection_permissions lists who reads, fills in and completes.
func TestInspection_permissions(t *testing.T) {
	const school, bureau = 1, 7
	member := func(r Role) *Actor {
		return &Actor{User: User{ID: 10}, Memberships: []Membership{{SchoolID: school, UserID: 10, Role: r}}}
	}
	for _, c := range []struct {
		name                   string
		a                      *Actor
		read, fill, fix, write bool
	}{
		{"principal", member(RolePrincipal), true, false, true, true},
		{"leader", member(RoleLeader), true, false, false, false},
		{"supervisor", member(RoleSupervisor), true, true, false, false},
		{"clerk", member(RoleClerk), false, false, false, false},
		{"staff", member(RoleStaff), false, false, false, false},
		{"parent", member(RoleParent), false, false, false, false},
		{"bureau admin", &Actor{User: User{ID: 11, BureauID: bureau, BureauRole: RoleBureauAdmin}}, true, false, false, false},
		{"inspector", &Actor{User: User{ID: 12, BureauID: bureau, BureauRole: RoleInspector}}, true, false, false, false},
		{"other bureau", &Actor{User: User{ID: 13, BureauID: 8, BureauRole: RoleInspector}}, false, false, false, false},
		{"another school's supervisor", &Actor{User: User{ID: 14}, Memberships: []Membership{{SchoolID: 2, UserID: 14, Role: RoleSupervisor}}}, false, false, false, false},
		{"anonymous", &Actor{}, false, false, false, false},
	} {
		if got := CanReadInspection(c.a, bureau, school); got != c.read {
			t.Errorf("%s reads: %v", c.name, got)
		}
		if got := CanReadReport(c.a, bureau, school); got != c.read {
			t.Errorf("%s reads the report: %v", c.name, got)
		}
		if got := CanFillInspection(c.a, school); got != c.fill {
			t.Errorf("%s fills in: %v", c.name, got)
		}
		if got := CanCompleteMeasure(c.a, school); got != c.fix {
			t.Errorf("%s completes measures: %v", c.name, got)
		}
		if got := CanEditReport(c.a, school); got != c.write {
			t.Errorf("%s writes the report: %v", c.name, got)
		}
	}
}
