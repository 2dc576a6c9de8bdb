package web

import (
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
}

func loadStatic() (*staticFiles, error) {
	st := &staticFiles{hash: map[string]string{}, bytes: map[string][]byte{}}
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
	}
	return st, nil
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
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+s.static.hash[name]+`"`)
	if r.Header.Get("If-None-Match") == `"`+s.static.hash[name]+`"` {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Write(b)
	return nil
}
