package gongkai

import "testing"

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
