package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"

	"gongkai"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves embedded assets under a content hash, so they can be
// cached for a year and still change with each release.
type staticFiles struct {
	hash  map[string]string // file name → hash
	bytes map[string][]byte
	gz    map[string][]byte // file name → its gzip form, for the text files worth it
}

func loadStatic() (*staticFiles, error) {
	st := &staticFiles{hash: map[string]string{}, bytes: map[string][]byte{}, gz: map[string][]byte{}}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: read static: %w", err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(staticFS, "static/"+e.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		st.hash[e.Name()] = hex.EncodeToString(sum[:])[:12]
		st.bytes[e.Name()] = b
		if !compressible(e.Name()) {
			continue
		}
		gz, err := gzipBest(b)
		if err != nil {
			return nil, fmt.Errorf("web: compress %s: %w", e.Name(), err)
		}
		if len(gz) < len(b)*9/10 {
			st.gz[e.Name()] = gz
		}
	}
	return st, nil
}

// compressible reports whether a static file is text that gzip shrinks;
// images such as the icon are compressed already or too small to matter.
func compressible(name string) bool {
	switch path.Ext(name) {
	case ".css", ".js", ".svg":
		return true
	}
	return false
}

// gzipBest compresses a static file once, at start, as hard as gzip can:
// unlike a rendered page, its compression is paid once for every reader.
func gzipBest(b []byte) ([]byte, error) {
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// url returns the hashed URL of a static file.
func (st *staticFiles) url(name string) string {
	return "/static/" + st.hash[name] + "/" + name
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	b, ok := s.static.bytes[name]
	if !ok || s.static.hash[name] != r.PathValue("hash") {
		return gongkai.Errorf(gongkai.ENOTFOUND, "文件不存在。")
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	s.serveStatic(w, r, name, b)
	return nil
}

// handleFavicon answers browsers and crawlers that ask for /favicon.ico
// whatever the page links; it may change with a release, so it is cached
// for a day, not a year.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=86400")
	s.serveStatic(w, r, "favicon.ico", s.static.bytes["favicon.ico"])
	return nil
}

// serveStatic sends a static file with its hash as the ETag, gzipped when
// the client takes it and the file has a gzip form.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request, name string, b []byte) {
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	if path.Ext(name) == ".ico" {
		ct = "image/x-icon" // not in every system's MIME table
	}
	serveBytes(w, r, http.StatusOK, ct, b, s.static.gz[name], `"`+s.static.hash[name]+`"`)
}
