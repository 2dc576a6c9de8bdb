package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/sheet"
)

// Request bodies are bounded per route before anything reads them: a body
// that says it is larger is refused at once, unread, and one that does not
// say (chunked) is cut at the limit. The handlers' own limits, tighter,
// still say what was too large in the form.
const (
	// formBodyMax is what a form without files or a JSON body may hold.
	formBodyMax = 1 << 20
	// maxFeedbackBody bounds the public's forms with files (a case and a
	// sender's follow-up): anyone may send them, without signing in, so
	// their files together stay within one attachment's size.
	maxFeedbackBody = gongkai.MaxAttachmentBytes + 1<<20
)

// bodyLimit is the most of a request body the route reads.
func bodyLimit(rt route) int64 {
	switch rt.pattern {
	case "/s/{slug}/feedback", "/lookup/act":
		return maxFeedbackBody
	case "/s/{slug}/manage/new", "/s/{slug}/manage/d/{id}/edit", "/s/{slug}/manage/d/{id}/files", "/s/{slug}/manage/d/{id}/revise":
		return maxFormBody
	case "/api/v1/disclosures/{id}/attachments":
		return gongkai.MaxAttachmentBytes + 1<<20
	}
	if strings.HasSuffix(rt.pattern, "/import") {
		return sheet.MaxFileBytes + 1<<20
	}
	return formBodyMax
}

// limitBody returns r with its body bounded for the route, or refuses it
// (ETOOLARGE) when its declared length is over the limit; the body is then
// never read, and the connection is closed rather than drained.
//
// The bounded body goes on a copy of the request: the server keeps the
// original, and on a body left unread it closes the connection (over
// 256 KB left) instead of reading on; on a reader of ours it would try to
// read the rest first.
func limitBody(w http.ResponseWriter, r *http.Request, rt route) (*http.Request, error) {
	limit := bodyLimit(rt)
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		return r, tooLargeError(limit)
	}
	r = r.WithContext(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return r, nil
}

func tooLargeError(limit int64) error {
	if limit >= 1<<20 {
		return gongkai.Errorf(gongkai.ETOOLARGE, "提交的内容超过 %d MB 上限，未被接收。请删减内容或附件后重新提交。", limit>>20)
	}
	return gongkai.Errorf(gongkai.ETOOLARGE, "提交的内容超过 %d KB 上限，未被接收。请删减内容后重新提交。", limit>>10)
}

// parseFeedbackMultipart reads a form of the public's with files, within
// maxFeedbackBody; a plain form is read too.
func parseFeedbackMultipart(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFeedbackBody)
	// Files stay in memory, never in a temporary file: an upload is written
	// only after its hidden metadata is gone (internal/scrub).
	err := r.ParseMultipartForm(maxFeedbackBody)
	switch {
	case err == nil, errors.Is(err, http.ErrNotMultipart):
		return nil
	case isTooLarge(err):
		return gongkai.Errorf(gongkai.ETOOLARGE, "附件合计超过 %d MB，未被接收。请删减附件后重新提交。", gongkai.MaxAttachmentBytes>>20)
	}
	if err == nil && r.MultipartForm != nil {
		if err := checkValues(r.MultipartForm.Value); err != nil {
			removeMultipart(r)
			return err
		}
	}
	return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
}

// textRefused is what a form or JSON body that is not UTF-8 is told.
const textRefused = "提交的内容含有无法识别的字符（不是 UTF-8 编码的文字），未被接收。请检查输入法或从其他软件粘贴的内容，删去乱码后重新提交。"

// checkForm reads a form posted as application/x-www-form-urlencoded,
// within the route's body limit, and refuses it (EINVALID, naming the
// fields) when a name or value is not UTF-8: PostgreSQL would refuse such
// text with an error, SQLite would keep it and show it as garbage, so it
// is refused here alike for both. Forms with files are checked where they
// are parsed (parseMultipart), JSON where it is read (apiReadJSON).
func checkForm(r *http.Request) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	if err := r.ParseForm(); err != nil {
		if isTooLarge(err) {
			return tooLargeError(bodyLimitOf(err))
		}
		return nil // the handler says that its form could not be read
	}
	return checkValues(r.Form)
}

// checkValues refuses values that are not UTF-8, naming their fields. The
// refusal keeps what was typed (the unreadable bytes shown as �), so the
// error page can hand it back and nothing is lost.
func checkValues(vs url.Values) error {
	var fe gongkai.FieldErrors
	for k, list := range vs {
		bad := !utf8.ValidString(k)
		for _, v := range list {
			bad = bad || !utf8.ValidString(v)
		}
		if bad {
			if fe == nil {
				fe = gongkai.FieldErrors{}
			}
			fe.Add(strings.ToValidUTF8(k, "?"), textRefused)
		}
	}
	if fe == nil {
		return nil
	}
	return &refusedText{err: &gongkai.Error{Code: gongkai.EINVALID, Message: textRefused, Fields: fe}, Kept: keptValues(vs)}
}

// refusedText is a form refused for text that is not UTF-8, with what the
// person typed, made readable.
type refusedText struct {
	err  *gongkai.Error
	Kept []keptValue
}

func (e *refusedText) Error() string { return e.err.Error() }
func (e *refusedText) Unwrap() error { return e.err }

type keptValue struct{ Name, Value string }

// keptValues are the typed fields worth handing back: not passwords, not
// the hidden fields a page fills in, not empty ones.
func keptValues(vs url.Values) []keptValue {
	var out []keptValue
	for k, list := range vs {
		if strings.Contains(k, "password") || k == "csrf" || k == "next" || k == "_method" {
			continue
		}
		for _, v := range list {
			if strings.TrimSpace(v) != "" {
				out = append(out, keptValue{strings.ToValidUTF8(k, "�"), strings.ToValidUTF8(v, "�")})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func bodyLimitOf(err error) int64 {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return tooLarge.Limit
	}
	return formBodyMax
}

func isTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}

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

func isURLEncoded(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded"
}
