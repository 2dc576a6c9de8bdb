package web

import "testing"

// TestSafeNext: after sign-in only a path of this site is followed; every
// way of naming another host, however encoded, falls back to the home page.
func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/s/xq/", "/s/xq/"},
		{"/s/xq/d/12?from=board#top", "/s/xq/d/12?from=board#top"},
		{"/s/xq/search?q=%E8%B4%A2%E5%8A%A1", "/s/xq/search?q=%E8%B4%A2%E5%8A%A1"},
		{"/s/xq/search?q=财务 采购", "/s/xq/search?q=财务 采购"},
		{"/work", "/work"},
		{"", "/"},
		{"work", "/"},
		{"//other.host", "/"},
		{"//other.host/path", "/"},
		{"/\\other.host", "/"},
		{"\\\\other.host", "/"},
		{"/\t/other.host", "/"},
		{"/\n/other.host", "/"},
		{"/%09/other.host", "/"},
		{"/%0a/other.host", "/"},
		{"/%0D%0A/other.host", "/"},
		{"/%2F%2Fother.host", "/"},
		{"/%2F/other.host", "/"},
		{"%2F%2Fother.host", "/"},
		{"/%5Cother.host", "/"},
		{"/%252F%252Fother.host", "/"},
		{"/%25252F%25252Fother.host", "/"},
		{"https://other.host/", "/"},
		{"http:other.host", "/"},
		{"javascript:alert(1)", "/"},
		{"/\x00/other.host", "/"},
		{"/\x7f", "/"},
		{"/a\u202egpj.exe", "/"},
		{"/%E2%80%AEx", "/"},
		{"/%zz", "/"},
		{"/\xff", "/"},
		{" //other.host", "/"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
