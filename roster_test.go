package gongkai

import (
	"slices"
	"testing"
	"time"
)

func TestTakedownAt(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, Beijing) }
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, Beijing) }
	// A roster published on 2026-03-02 with a five-day period ending on
	// Friday 2026-03-06: taken down from the first moment of 03-07.
	published := func() *Disclosure {
		return &Disclosure{State: StatePublished, PublicityDays: 5, PublicityStart: day(2026, 3, 2), PublicityEnd: day(2026, 3, 6)}
	}
	withState := func(s State, withdrawn time.Time) *Disclosure {
		d := published()
		d.State, d.WithdrawnAt = s, withdrawn
		return d
	}
	staffWithdrawn := StaffRoster
	staffWithdrawn.Takedown = TakedownWithdrawn
	staffNever := StaffRoster
	staffNever.Takedown = TakedownNever
	tests := []struct {
		name   string
		d      *Disclosure
		rule   RosterRule
		now    time.Time
		down   bool
		since  time.Time
		notice string
	}{
		{"in its period", published(), StudentRoster, at(2026, 3, 6, 23), false, time.Time{}, ""},
		{"the period ended at midnight", published(), StudentRoster, at(2026, 3, 7, 0), true, day(2026, 3, 7), "名单已于 2026年3月6日公示期满撤下"},
		{"closed, long after", withState(StateClosed, time.Time{}), StudentRoster, at(2027, 1, 1, 9), true, day(2026, 3, 7), "名单已于 2026年3月6日公示期满撤下"},
		{"archived after closing", withState(StateArchived, time.Time{}), StudentRoster, at(2027, 1, 1, 9), true, day(2026, 3, 7), "名单已于 2026年3月6日公示期满撤下"},
		{"withdrawn during the period", withState(StateWithdrawn, at(2026, 3, 4, 10)), StudentRoster, at(2026, 3, 4, 11), true, at(2026, 3, 4, 10), "名单已于 2026年3月4日撤回时撤下"},
		{"withdrawn after the period: the period came first", withState(StateWithdrawn, at(2026, 3, 9, 10)), StudentRoster, at(2026, 3, 10, 9), true, day(2026, 3, 7), "名单已于 2026年3月6日公示期满撤下"},
		{"withdrawn, then archived", withState(StateArchived, at(2026, 3, 4, 10)), StudentRoster, at(2026, 5, 1, 9), true, at(2026, 3, 4, 10), "名单已于 2026年3月4日撤回时撤下"},
		{"no list of people", published(), NoRoster, at(2027, 1, 1, 9), false, time.Time{}, ""},
		{"a draft is never taken down", withState(StateDraft, time.Time{}), StudentRoster, at(2027, 1, 1, 9), false, time.Time{}, ""},
		{"staff list taken down at the period's end", published(), StaffRoster, at(2026, 3, 7, 9), true, day(2026, 3, 7), "名单已于 2026年3月6日公示期满撤下"},
		{"staff list kept after its period", published(), staffWithdrawn, at(2026, 3, 9, 9), false, time.Time{}, ""},
		{"staff list taken down when withdrawn", withState(StateWithdrawn, at(2026, 3, 9, 10)), staffWithdrawn, at(2026, 3, 9, 11), true, at(2026, 3, 9, 10), "名单已于 2026年3月9日撤回时撤下"},
		{"staff list kept for good", withState(StateWithdrawn, at(2026, 3, 9, 10)), staffNever, at(2027, 3, 9, 11), false, time.Time{}, ""},
		{"no period: up until withdrawn", &Disclosure{State: StatePublished}, StudentRoster, at(2027, 1, 1, 9), false, time.Time{}, ""},
		{"withdrawn before the time was kept", &Disclosure{State: StateWithdrawn, UpdatedAt: at(2026, 3, 4, 10)}, StudentRoster, at(2026, 3, 5, 9), true, at(2026, 3, 4, 10), "名单已于 2026年3月4日撤回时撤下"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			since, down := TakedownAt(tt.d, tt.rule, tt.now)
			if down != tt.down || !since.Equal(tt.since) {
				t.Fatalf("TakedownAt = %v, %v; want %v, %v", since, down, tt.since, tt.down)
			}
			if down {
				if got := TakedownNotice(tt.d, since); got != tt.notice {
					t.Errorf("notice %q, want %q", got, tt.notice)
				}
			}
		})
	}
}

func TestRuleFor(t *testing.T) {
	cat := []CatalogueItem{{Code: "aid-roster", Roster: StudentRoster}, {Code: "fees", Roster: NoRoster}, {Code: "titles", Roster: StaffRoster}}
	tests := []struct {
		name string
		d    Disclosure
		want RosterKind
	}{
		{"its catalogue item", Disclosure{CatalogueCode: "titles", Category: "titles"}, RosterStaff},
		{"an item that lists no one", Disclosure{CatalogueCode: "fees", Category: "fees"}, RosterNone},
		{"aid without a catalogue item lists students", Disclosure{Category: "aid"}, RosterStudents},
		{"aid whose catalogue item is gone", Disclosure{CatalogueCode: "gone", Category: "aid"}, RosterStudents},
		{"anything else without one", Disclosure{Category: "awards"}, RosterNone},
	}
	for _, tt := range tests {
		if got := RuleFor(&tt.d, cat).Kind; got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestValidateRosterRule(t *testing.T) {
	tests := []struct {
		name   string
		in     RosterRule
		fields []string // field keys with errors
		want   RosterRule
	}{
		{"student default", StudentRoster, nil, StudentRoster},
		{"none drops the rest", RosterRule{Kind: RosterNone, Fields: []RosterField{FieldName}, Takedown: TakedownNever}, nil, NoRoster},
		{"fields put in order, takedown defaulted", RosterRule{Kind: RosterStaff, Fields: []RosterField{FieldPost, FieldName}}, nil,
			RosterRule{Kind: RosterStaff, Fields: []RosterField{FieldName, FieldPost}, Takedown: TakedownPeriodEnd}},
		{"an ID number is never public", RosterRule{Kind: RosterStudents, Fields: []RosterField{FieldName, FieldIDNumber}, Takedown: TakedownPeriodEnd}, []string{"roster_fields"}, RosterRule{}},
		{"a bank account is never public", RosterRule{Kind: RosterStaff, Fields: []RosterField{FieldName, FieldBankAccount}}, []string{"roster_fields"}, RosterRule{}},
		{"the name is needed", RosterRule{Kind: RosterStudents, Fields: []RosterField{FieldClass}}, []string{"roster_fields"}, RosterRule{}},
		{"students cannot stay up", RosterRule{Kind: RosterStudents, Fields: []RosterField{FieldName}, Takedown: TakedownNever}, []string{"takedown"}, RosterRule{}},
		{"students cannot wait for withdrawal", RosterRule{Kind: RosterStudents, Fields: []RosterField{FieldName}, Takedown: TakedownWithdrawn}, []string{"takedown"}, RosterRule{}},
		{"staff may stay up", RosterRule{Kind: RosterStaff, Fields: []RosterField{FieldName}, Takedown: TakedownNever}, nil,
			RosterRule{Kind: RosterStaff, Fields: []RosterField{FieldName}, Takedown: TakedownNever}},
		{"unknown kind", RosterRule{Kind: "parents"}, []string{"roster"}, RosterRule{}},
		{"unknown takedown", RosterRule{Kind: RosterStaff, Fields: []RosterField{FieldName}, Takedown: "later"}, []string{"takedown"}, RosterRule{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := FieldErrors{}
			r := tt.in
			r.Fields = slices.Clone(r.Fields)
			ValidateRosterRule(&r, fe)
			var keys []string
			for k := range fe {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tt.fields) {
				t.Fatalf("errors %v, want on %v", fe, tt.fields)
			}
			if tt.fields == nil && (r.Kind != tt.want.Kind || r.Takedown != tt.want.Takedown || !slices.Equal(r.Fields, tt.want.Fields)) {
				t.Errorf("rule %+v, want %+v", r, tt.want)
			}
		})
	}
}

func TestValidateCatalogueItem_roster(t *testing.T) {
	item := func(r RosterRule, days int) *CatalogueItem {
		return &CatalogueItem{Code: "x", Name: "名单", Category: "other", Audience: AudiencePublic, PublicityDays: days, Schedule: Schedule{}, Roster: r}
	}
	if err := ValidateCatalogueItem(item(StudentRoster, 3)); ErrorFields(err)["publicity_days"] == "" {
		t.Errorf("a roster with a 3-day period: %v, want publicity_days", err)
	}
	if err := ValidateCatalogueItem(item(StudentRoster, 5)); err != nil {
		t.Errorf("a roster with 5 days: %v", err)
	}
	if err := ValidateCatalogueItem(item(RosterRule{}, 0)); err != nil {
		t.Errorf("an item that says nothing of rosters: %v", err)
	}
	for _, c := range DefaultCatalogue {
		c := c
		if err := ValidateCatalogueItem(&c); err != nil {
			t.Errorf("default item %s: %v", c.Code, err)
		}
	}
	want := map[string]RosterKind{"aid-roster": RosterStudents, "student-awards": RosterStudents, "staff-awards": RosterStaff,
		"staff-evaluation": RosterStaff, "title-review": RosterStaff, "monthly-finance": RosterNone, "fees": RosterNone}
	for _, c := range DefaultCatalogue {
		if k, ok := want[c.Code]; ok && c.Roster.Kind != k && !(k == RosterNone && c.Roster.Kind == "") {
			t.Errorf("default %s lists %q, want %q", c.Code, c.Roster.Kind, k)
		}
		for _, f := range c.Roster.Fields {
			if slices.Contains(NeverPublicFields, f) {
				t.Errorf("default %s publishes %s", c.Code, f)
			}
		}
	}
}

func TestRosterNames(t *testing.T) {
	body := "现予公示：\n\n| 序号 | 姓名 | 班级 | 资助金额（元） |\n| --- | --- | --- | --- |\n| 1 | 林小雨 | 三(2)班 | 500.00 |\n| 2 | 欧阳明月 | 四(1)班 | 250.00 |\n| 合计 | 2人 | — | 750.00 |\n\n" +
		"| 项目 | 学生 | 指导教师 |\n|:--|:--|:--|\n| 园艺 | **陈一** | 郑老师 |\n\n文中的王某不在表中。"
	got := RosterNames(body, "| 姓名 | 岗位 |\n| --- | --- |\n| 林小雨 | 教师 |")
	want := []string{"欧阳明月", "林小雨", "郑老师", "陈一"}
	if !slices.Equal(got, want) {
		t.Fatalf("RosterNames = %v, want %v", got, want)
	}
	if m := MaskNames("关于林小雨、欧阳明月同学的表彰决定", got); m != "关于××、××同学的表彰决定" {
		t.Errorf("MaskNames = %q", m)
	}
}

func TestValidateImpactAssessment(t *testing.T) {
	now := time.Date(2026, 3, 7, 10, 0, 0, 0, Beijing)
	ok := func() *ImpactAssessment {
		return &ImpactAssessment{Purpose: "接受监督", Fields: "姓名、班级", Audience: "校内公开", Retention: "公示期满撤下", CheckedBy: "监督小组组长", AssessedOn: time.Date(2026, 3, 7, 0, 0, 0, 0, Beijing)}
	}
	tests := []struct {
		name  string
		edit  func(a *ImpactAssessment)
		field string
	}{
		{"complete", func(*ImpactAssessment) {}, ""},
		{"no purpose", func(a *ImpactAssessment) { a.Purpose = "  " }, "purpose"},
		{"no checker", func(a *ImpactAssessment) { a.CheckedBy = "" }, "checked_by"},
		{"no date", func(a *ImpactAssessment) { a.AssessedOn = time.Time{} }, "assessed_on"},
		{"tomorrow", func(a *ImpactAssessment) { a.AssessedOn = a.AssessedOn.AddDate(0, 0, 1) }, "assessed_on"},
		{"NUL", func(a *ImpactAssessment) { a.Fields = "姓名\x00" }, "fields"},
	}
	for _, tt := range tests {
		a := ok()
		tt.edit(a)
		err := ValidateImpactAssessment(a, now)
		if tt.field == "" && err != nil || tt.field != "" && ErrorFields(err)[tt.field] == "" {
			t.Errorf("%s: %v, want error on %q", tt.name, err, tt.field)
		}
	}
	if _, err := ValidateAuditReason(" 看看 "); ErrorFields(err)["reason"] == "" {
		t.Errorf("a two-letter reason passed")
	}
	if r, err := ValidateAuditReason(" 核对异议 2026-0012 "); err != nil || r != "核对异议 2026-0012" {
		t.Errorf("reason %q, %v", r, err)
	}
}

func TestRosterChangeExposes(t *testing.T) {
	staffNever := RosterRule{Kind: RosterStaff, Fields: StaffRoster.Fields, Takedown: TakedownNever}
	staffWithdrawn := RosterRule{Kind: RosterStaff, Fields: StaffRoster.Fields, Takedown: TakedownWithdrawn}
	for _, c := range []struct {
		name      string
		old, next RosterRule
		want      bool
	}{
		{"no list before", NoRoster, StudentRoster, false},
		{"no list either way", NoRoster, NoRoster, false},
		{"a list no longer a list", StudentRoster, NoRoster, true},
		{"staff list kept until withdrawn", StaffRoster, staffWithdrawn, true},
		{"staff list kept for ever", staffWithdrawn, staffNever, true},
		{"taken down sooner", staffNever, StaffRoster, false},
		{"same rule", StudentRoster, StudentRoster, false},
		{"students to staff, same takedown", StudentRoster, StaffRoster, false},
	} {
		if got := RosterChangeExposes(c.old, c.next); got != c.want {
			t.Errorf("%s: RosterChangeExposes = %v, want %v", c.name, got, c.want)
		}
	}
}
