package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClientAddress(t *testing.T) {
	local, err := ParseTrustedProxies("127.0.0.1, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, remote string
		xff          []string
		trusted      bool
		want         string
	}{
		{"no proxy configured: the connection", "203.0.113.5:4000", []string{"198.51.100.7"}, false, "203.0.113.5"},
		{"untrusted connection: its header is ignored", "203.0.113.5:4000", []string{"198.51.100.7"}, true, "203.0.113.5"},
		{"nginx on this machine", "127.0.0.1:4000", []string{"198.51.100.7"}, true, "198.51.100.7"},
		{"a forged left part is not believed", "127.0.0.1:4000", []string{"1.2.3.4, 198.51.100.7"}, true, "198.51.100.7"},
		{"two trusted hops", "127.0.0.1:4000", []string{"198.51.100.7, 10.1.2.3"}, true, "198.51.100.7"},
		{"several header lines", "127.0.0.1:4000", []string{"1.2.3.4", "198.51.100.7"}, true, "198.51.100.7"},
		{"no header: the proxy", "127.0.0.1:4000", nil, true, "127.0.0.1"},
		{"garbage: the proxy", "127.0.0.1:4000", []string{"not-an-address"}, true, "127.0.0.1"},
		{"IPv6 client", "127.0.0.1:4000", []string{"2001:db8::1"}, true, "2001:db8::1"},
		{"IPv4-mapped proxy", "[::ffff:127.0.0.1]:4000", []string{"198.51.100.7"}, true, "198.51.100.7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := local
			if !c.trusted {
				tr = nil
			}
			if got := clientAddress(c.remote, c.xff, tr); got != c.want {
				t.Errorf("clientAddress(%q, %q) = %q, want %q", c.remote, c.xff, got, c.want)
			}
		})
	}
	if _, err := ParseTrustedProxies("127.0.0.1, nginx"); err == nil {
		t.Error("a name that is not an address was accepted")
	}
}

// TestBehindProxies: behind nginx, two readers are two addresses to every
// per-address limit, and a reader cannot pose as another by a header.
func TestBehindProxies(t *testing.T) {
	trusted, _ := ParseTrustedProxies("127.0.0.1")
	var seen []string
	s := &Server{cfg: Config{TrustedProxies: trusted}}
	h := s.behindProxies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = append(seen, clientKey(r)) }))
	for _, c := range []struct{ remote, xff string }{
		{"127.0.0.1:5000", "198.51.100.7"},
		{"127.0.0.1:5001", "198.51.100.8"},
		{"203.0.113.9:5002", "198.51.100.7"}, // not through the proxy: its header is a lie
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		r.Header.Set("X-Forwarded-For", c.xff)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	want := []string{"198.51.100.7", "198.51.100.8", "203.0.113.9"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("client keys %v, want %v", seen, want)
	}
}
