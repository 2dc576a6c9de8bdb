package web

import (
	"fmt"
	"net/http"
	"strings"

	"gongkai"
)

// servedTypes are the types an uploaded file is served as: those that
// files.Sniff finds in a file's bytes. Anything else recorded goes out as
// application/octet-stream, for download.
var servedTypes = map[string]bool{
	"application/pdf": true, "image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": true,
}

// inlineTypes are shown in the browser; the rest download.
var inlineTypes = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// fileCSP makes a served file a sandboxed document of no origin that runs
// no script and loads nothing: a file made to look like a page cannot reach
// the site's cookies or pages. Inline style is left for the browser's own
// image viewer.
const fileCSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'"

// setFileHeaders sets the headers of every response that serves an
// uploaded file: its type as the server found it in the file's content
// (never the uploader's claim), no sniffing, the sandbox, and
// Content-Disposition with the cleaned name — inline only for PDFs and
// images, and only when download is false.
// servePrivateFile serves a file only some people may read (a case's, an
// order's), never kept by a shared cache; download makes every type
// download rather than show.
func (s *Server) servePrivateFile(w http.ResponseWriter, r *http.Request, a *gongkai.Attachment, download bool) error {
	rd, err := s.blobs.Open(r.Context(), a.StorageKey)
	if err != nil {
		return fmt.Errorf("web: open file %d (%s): %w", a.ID, a.StorageKey, err)
	}
	defer rd.Close()
	setFileHeaders(w.Header(), a.ContentType, a.Filename, download)
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", a.CreatedAt, rd)
	return nil
}

func setFileHeaders(h http.Header, ctype, filename string, download bool) {
	if !servedTypes[ctype] {
		ctype = "application/octet-stream"
	}
	if !inlineTypes[ctype] {
		download = true
	}
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", fileCSP)
	h.Set("Content-Disposition", contentDisposition(download, gongkai.CleanFilename(filename, ctype)))
}

// contentDisposition names a file for the browser (RFC 6266): an ASCII
// fallback for old clients and the UTF-8 name of RFC 5987.
func contentDisposition(download bool, filename string) string {
	kind := "inline"
	if download {
		kind = "attachment"
	}
	var ascii strings.Builder
	for _, r := range filename {
		switch {
		case r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == ';' || r == '%':
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, ascii.String(), rfc5987(filename))
}

// rfc5987 percent-encodes everything but the attr-chars of RFC 5987.
func rfc5987(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for _, c := range []byte(s) {
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || strings.IndexByte(attr, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
