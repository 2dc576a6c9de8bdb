package gongkai

import (
	"strings"
	"testing"
	"time"
)

func TestValidatePhone(t *testing.T) {
	good := []string{"", "0591-22345678", "(0591)2234 5678", "13812345678", "400-123-4567", "0591-22345678转801",
		"0591-22345678、13812345678", "+86 138 1234 5678", "12345"}
	bad := []string{"0591-ABCD", "call me", "123", "0591-22345678转", "0591-22345678转八", "138-1234-5678-9999-9999",
		"0591—22345678x"}
	for _, v := range good {
		if msg := ValidatePhone("监督电话", v); msg != "" {
			t.Errorf("ValidatePhone(%q) = %q, want ok", v, msg)
		}
	}
	for _, v := range bad {
		if msg := ValidatePhone("监督电话", v); msg == "" || msg[:len("监督电话")] != "监督电话" {
			t.Errorf("ValidatePhone(%q) = %q, want a message naming the field", v, msg)
		}
	}
}

func TestValidateCreditCode(t *testing.T) {
	// The first two are codes printed on public business licences; the
	// others change one character of them.
	tests := []struct {
		code string
		ok   bool
	}{
		{"", true},
		{"91110108551385082Q", true},
		{"9144030071526726XG", true},
		{"91110108551385082R", false}, // wrong check character
		{"91110108551385082", false},  // 17 characters
		{"91110108551385I82Q", false}, // I is not used
		{"9111010855138508OQ", false}, // O is not used
		{"9144030071526726xg", false}, // lower case
	}
	for _, tt := range tests {
		if got := ValidateCreditCode(tt.code) == ""; got != tt.ok {
			t.Errorf("ValidateCreditCode(%q) ok = %v, want %v (%s)", tt.code, got, tt.ok, ValidateCreditCode(tt.code))
		}
	}
}

func TestBureau_Validate(t *testing.T) {
	good := Bureau{Name: "青禾县教育局", DivisionCode: "350121", Phone: "0591-22345678"}
	tests := []struct {
		name  string
		edit  func(b *Bureau)
		field string // the field with a message; "" when valid
	}{
		{"minimal", func(b *Bureau) {}, ""},
		{"every field", func(b *Bureau) {
			b.Address, b.Sponsor, b.ICP, b.PSB = "青禾县城关镇解放路 1 号", "青禾县人民政府", "闽ICP备12345678号-1", "闽公网安备 35012102000123号"
		}, ""},
		{"city bureau", func(b *Bureau) { b.DivisionCode = "350100" }, ""},
		{"name missing", func(b *Bureau) { b.Name = "  " }, "name"},
		{"name too long", func(b *Bureau) { b.Name = strings.Repeat("青", 61) }, "name"},
		{"division missing", func(b *Bureau) { b.DivisionCode = "" }, "division_code"},
		{"division five digits", func(b *Bureau) { b.DivisionCode = "35012" }, "division_code"},
		{"division letters", func(b *Bureau) { b.DivisionCode = "35012a" }, "division_code"},
		{"division no province", func(b *Bureau) { b.DivisionCode = "990121" }, "division_code"},
		{"phone missing", func(b *Bureau) { b.Phone = "" }, "phone"},
		{"phone letters", func(b *Bureau) { b.Phone = "0591-ABCDEFG" }, "phone"},
		{"address too long", func(b *Bureau) { b.Address = strings.Repeat("路", 121) }, "address"},
		{"sponsor too long", func(b *Bureau) { b.Sponsor = strings.Repeat("府", 61) }, "sponsor"},
		{"icp without keyword", func(b *Bureau) { b.ICP = "12345678号" }, "icp"},
		{"icp without number", func(b *Bureau) { b.ICP = "闽ICP备号" }, "icp"},
		{"psb without keyword", func(b *Bureau) { b.PSB = "35012102000123号" }, "psb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := good
			tt.edit(&b)
			err := b.Validate()
			fields := ErrorFields(err)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v (%v), want ok", err, fields)
				}
				return
			}
			if ErrorCode(err) != EINVALID || fields[tt.field] == "" || len(fields) != 1 {
				t.Fatalf("Validate() fields %v, want one message for %q", fields, tt.field)
			}
		})
	}
	b := Bureau{Name: "青禾县教育局"}
	if b.SponsorName() != "青禾县教育局" {
		t.Errorf("SponsorName without a sponsor = %q", b.SponsorName())
	}
	b.Sponsor = "青禾县人民政府"
	if b.SponsorName() != "青禾县人民政府" {
		t.Errorf("SponsorName = %q", b.SponsorName())
	}
}

func TestSchool_Validate(t *testing.T) {
	good := func() School {
		return School{Slug: "xiangqian", Name: "祥谦小学", FullName: "青禾县祥谦小学", Code: "3136002107",
			CreditCode: "91110108551385082Q", Stage: "小学", Address: "青禾县祥谦镇祥谦街56号", Phone: "0598-5550117"}
	}
	tests := []struct {
		name   string
		change func(*School)
		field  string // "" when valid
	}{
		{"valid", func(*School) {}, ""},
		{"code and stage may be empty", func(s *School) { s.Code, s.Stage, s.CreditCode = "", "", "" }, ""},
		{"slug upper case", func(s *School) { s.Slug = "XiangQian" }, "slug"},
		{"slug one letter", func(s *School) { s.Slug = "x" }, "slug"},
		{"no name", func(s *School) { s.Name = "  " }, "name"},
		{"code nine digits", func(s *School) { s.Code = "313600210" }, "code"},
		{"code eleven digits", func(s *School) { s.Code = "31360021070" }, "code"},
		{"code with letters", func(s *School) { s.Code = "XQ36002107" }, "code"},
		{"credit code check character", func(s *School) { s.CreditCode = "91110108551385082R" }, "credit_code"},
		{"unknown stage", func(s *School) { s.Stage = "大学" }, "stage"},
		{"phone with letters", func(s *School) { s.Phone = "0598-TEL" }, "phone"},
		{"admission phone with letters", func(s *School) { s.AdmissionPhone = "招生办" }, "admission_phone"},
		{"aid phone with letters", func(s *School) { s.AidPhone = "abc" }, "aid_phone"},
		{"long address", func(s *School) { s.Address = strings.Repeat("路", 121) }, "address"},
		{"long guide", func(s *School) { s.Guide = strings.Repeat("办", MaxGuideRunes+1) }, "guide"},
		{"NUL", func(s *School) { s.Address = "a\x00b" }, "address"},
		{"escape in the office hours", func(s *School) { s.OfficeHours = "8:00\x1b17:00" }, "office_hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good()
			tt.change(&s)
			err := s.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if ErrorCode(err) != EINVALID || ErrorFields(err)[tt.field] == "" {
				t.Fatalf("Validate() = %v, want a message on %s", err, tt.field)
			}
		})
	}
}

func TestSchool_ValidateRegistration(t *testing.T) {
	s := School{Slug: "xq", Name: "祥谦小学"}
	fields := ErrorFields(s.ValidateRegistration())
	if fields["code"] == "" || fields["stage"] == "" {
		t.Fatalf("fields = %v, want code and stage required", fields)
	}
	s.Code, s.Stage = "3136002107", "小学"
	if err := s.ValidateRegistration(); err != nil {
		t.Fatalf("ValidateRegistration() = %v", err)
	}
	s.Phone = "0591-ABCD"
	if ErrorFields(s.ValidateRegistration())["phone"] == "" {
		t.Fatal("a bad phone passed registration")
	}
}

func TestSchool_Allows(t *testing.T) {
	active := &School{Name: "祥谦小学"}
	gone := &School{Name: "祥谦小学", BureauName: "青禾县教育局", DeactivatedAt: time.Date(2026, 9, 1, 0, 0, 0, 0, Beijing)}
	tests := []struct {
		use              SchoolUse
		active, inactive bool
	}{
		{UseBoard, true, true},
		{UseWorkflow, true, true},
		{UseListed, true, false},
		{UseNewDraft, true, false},
		{UseFeedback, true, false},
		{UseObligations, true, false},
		{UseNewOrder, true, false},
		{UseNewMembers, true, false},
		{UseInvitations, true, false},
	}
	for _, tt := range tests {
		if got := active.Allows(tt.use); got != tt.active {
			t.Errorf("active.Allows(%d) = %v, want %v", tt.use, got, tt.active)
		}
		if got := gone.Allows(tt.use); got != tt.inactive {
			t.Errorf("deactivated.Allows(%d) = %v, want %v", tt.use, got, tt.inactive)
		}
		err := gone.Refusal(tt.use)
		if (err == nil) != tt.inactive || (err != nil && ErrorCode(err) != ECONFLICT) {
			t.Errorf("deactivated.Refusal(%d) = %v", tt.use, err)
		}
	}
	if !strings.Contains(ErrorMessage(gone.Refusal(UseFeedback)), "青禾县教育局") {
		t.Errorf("the refusal of feedback should say where to turn: %s", ErrorMessage(gone.Refusal(UseFeedback)))
	}
	for _, u := range []SchoolUse{UseNewMembers, UseInvitations} {
		if msg := ErrorMessage(gone.Refusal(u)); !strings.Contains(msg, "祥谦小学已停用") || msg == "祥谦小学已停用。" {
			t.Errorf("the refusal of use %d should say what stops: %s", u, msg)
		}
	}
	if active.CheckDeactivate() != nil || gone.CheckDeactivate() == nil {
		t.Error("CheckDeactivate: only an active school may be deactivated")
	}
	if active.CheckReactivate() == nil || gone.CheckReactivate() != nil {
		t.Error("CheckReactivate: only a deactivated school may be reactivated")
	}
}

func TestDropOnDeactivate(t *testing.T) {
	day := "2026-09-01"
	tests := []struct {
		name               string
		due                string
		met, waived, event bool
		drop               bool
	}{
		{"open, due later", "2026-10-05", false, false, false, true},
		{"open, due that day", "2026-09-01", false, false, false, true},
		{"overdue before: stays on record", "2026-08-05", false, false, false, false},
		{"met", "2026-10-05", true, false, false, false},
		{"waived", "2026-10-05", false, true, false, false},
		{"raised by an event", "2026-10-05", false, false, true, false},
	}
	for _, tt := range tests {
		if got := DropOnDeactivate(tt.due, day, tt.met, tt.waived, tt.event); got != tt.drop {
			t.Errorf("%s: DropOnDeactivate = %v, want %v", tt.name, got, tt.drop)
		}
	}
}

func TestRegistrationChanges(t *testing.T) {
	old := &School{Name: "祥谦小学", Phone: "0591-1111111"}
	nw := &School{Name: "祥谦小学", Phone: "0591-2222222", Stage: "小学"}
	got := DescribeChanges(RegistrationChanges(old, nw))
	want := "学段：（空） → 小学\n监督电话：0591-1111111 → 0591-2222222"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p := DescribeChanges(ProfileChanges(&School{Guide: "旧"}, &School{Guide: "新的指南"}))
	if !strings.Contains(p, "便民办事指南：1 字 → 4 字（已修改）") {
		t.Errorf("profile change of the guide = %q", p)
	}
}

func TestCheckSchoolList(t *testing.T) {
	good := func(row int, slug string) SchoolListRow {
		return SchoolListRow{Row: row, School: School{Slug: slug, Name: "东山小学", Code: "3136002107", Stage: "小学"}}
	}
	noStage := good(3, "ds2")
	noStage.School.Stage = ""
	badUser := good(4, "ds3")
	badUser.PrincipalUsername = "校长 一"
	twoThings := good(5, "ds4")
	twoThings.School.Code, twoThings.School.Phone = "", "0591-ABCD"
	for _, tc := range []struct {
		name string
		rows []SchoolListRow
		want []string // each problem's start: its row
	}{
		{"all good", []SchoolListRow{good(2, "ds1")}, nil},
		{"one row without a stage", []SchoolListRow{good(2, "ds1"), noStage}, []string{"第3行："}},
		{"a principal's username that cannot be one", []SchoolListRow{badUser}, []string{"第4行："}},
		{"every bad row at once", []SchoolListRow{noStage, good(2, "ds1"), badUser, twoThings}, []string{"第3行：", "第4行：", "第5行："}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckSchoolList(7, tc.rows)
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d", got, len(tc.want))
			}
			for i, p := range got {
				if !strings.HasPrefix(p, tc.want[i]) || len(p) <= len(tc.want[i]) {
					t.Errorf("problem %q, want it to start %q and say what is wrong", p, tc.want[i])
				}
			}
			for _, r := range tc.rows {
				if r.School.BureauID != 7 {
					t.Errorf("row %d: bureau %d, want the importing bureau's", r.Row, r.School.BureauID)
				}
			}
		})
	}
	// A row's messages follow the sheet's columns, the same every time.
	p := CheckSchoolList(7, []SchoolListRow{twoThings})[0]
	code, phone := strings.Index(p, "标识码"), strings.Index(p, "电话")
	if code < 0 || phone < 0 || code > phone {
		t.Errorf("problem %q: want the code's message before the phone's", p)
	}
}
