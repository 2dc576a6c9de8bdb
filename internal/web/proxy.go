package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// prefixes (127.0.0.1, 10.0.0.0/8) of the proxies in front of gongkai.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or prefix", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// clientAddress is the address of the person behind a request. Behind a
// trusted proxy (nginx in front, as the README sets it up) the connection
// comes from the proxy, and every per-address limit would be one limit for
// the whole site; the client is then the right-most address of
// X-Forwarded-For that is not itself a trusted proxy. Addresses a client
// wrote into the header further left are never believed.
func clientAddress(remote string, forwarded []string, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	if !isTrusted(host, trusted) {
		return host
	}
	var hops []string
	for _, h := range forwarded {
		for _, f := range strings.Split(h, ",") {
			hops = append(hops, strings.TrimSpace(f))
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			return host // a garbled chain: count it as the proxy's
		}
		if !isTrusted(a.Unmap().String(), trusted) {
			return a.Unmap().String()
		}
	}
	return host
}

func isTrusted(host string, trusted []netip.Prefix) bool {
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// behindProxies rewrites the request's remote address to the client's
// when the connection comes from a trusted proxy, so that every limit and
// the session's record see the person, not nginx.
func (s *Server) behindProxies(next http.Handler) http.Handler {
	if len(s.cfg.TrustedProxies) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c := clientAddress(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.cfg.TrustedProxies); c != "" {
			r2 := *r
			r2.RemoteAddr = net.JoinHostPort(c, "0")
			r = &r2
		}
		next.ServeHTTP(w, r)
	})
}
