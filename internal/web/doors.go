package web

import (
	"net/url"
	"strings"
	"unicode"
)

// safeNext keeps a redirect target on this site: a path of this site, as a
// browser would read it after decoding, or "/" (the home page) otherwise.
//
// Browsers drop tabs and newlines from a URL and read "\" as "/", so
// "/\t/x" and "/\x" go to the host x; "%2F" and "%09" are decoded before
// some proxies and browsers look at the path. The target is therefore
// decoded until it no longer changes and refused when any form of it
// starts with "//", holds a "\", a control or a bidirectional
// character, or names a scheme or host.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 {
		return "/"
	}
	s := next
	for range 4 {
		if !sameSitePath(s) {
			return "/"
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return "/"
		}
		if d == s {
			return next
		}
		s = d
	}
	return "/" // encoded more often than any link of this site ever is
}

// sameSitePath reports whether s, read literally, is a path of this site.
func sameSitePath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') {
		return false
	}
	for _, c := range s {
		if c < ' ' || c == 0x7f || unicode.IsControl(c) || unicode.Is(unicode.Bidi_Control, c) || c == unicode.ReplacementChar {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.Opaque == "" && u.User == nil
}
