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
