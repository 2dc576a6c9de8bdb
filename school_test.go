package gongkai

import (
	"strings"
	"testing"
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
