package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"gongkai"
)

// cacheable lists the routes whose pages are rendered once and served many
// times to anonymous readers: the public board read far more than written.
var cacheable = map[string]bool{
	"GET /{$}":                               true,
	"GET /s/{slug}/{$}":                      true,
	"GET /s/{slug}/d/{id}":                   true,
	"GET /s/{slug}/d/{id}/v/{version}":       true,
	"GET /s/{slug}/catalogue":                true,
	"GET /s/{slug}/guide":                    true,
	"GET /api/v1/schools":                    true,
	"GET /api/v1/schools/{slug}/catalogue":   true,
	"GET /api/v1/schools/{slug}/disclosures": true,
	// The log: tiles never change; a new checkpoint drops the rest.
	"GET /s/{slug}/log/checkpoint":               true,
	"GET /s/{slug}/log/key":                      true,
	"GET /s/{slug}/log/tile/{path...}":           true,
	"GET /api/v1/schools/{slug}/log/inclusion":   true,
	"GET /api/v1/schools/{slug}/log/consistency": true,
}

// pageCache holds rendered responses for anonymous readers, keyed by URL and
// the reader's display preferences. An entry is valid while its school's
// generation is unchanged; the store bumps the generation after every commit
// that changes the school's public pages (and, on PostgreSQL, on every node
// through LISTEN/NOTIFY), so no stale page is served. The day is part of the
// entry because countdowns change at midnight. Memory is bounded: the
// least recently used page goes first, approximately (second chance), so
// that a hit takes only a read lock and many readers are served at once.
type pageCache struct {
	mu      sync.RWMutex
	max     int
	size    int
	lru     *list.List // of *cachedPage, newest first
	entries map[string]*list.Element
	gen     map[int64]uint64       // by school; school 0 is the bureau-wide home page
	all     uint64                 // bumped when anything may have changed
	boards  map[string]*boardFacts // by school and audiences
}

// boardFacts are a board's counts by category and its years, valid while
// the school's generation is unchanged. Readers share them read-only.
type boardFacts struct {
	school   int64
	gen, all uint64
	counts   map[string]int
	years    []int
}

// maxBoardFacts bounds the facts kept: a few audience sets per school.
const maxBoardFacts = 20000

func (c *pageCache) facts(key string, school int64) *boardFacts {
	c.mu.RLock()
	defer c.mu.RUnlock()
	f := c.boards[key]
	if f == nil || f.gen != c.gen[school] || f.all != c.all {
		return nil
	}
	return f
}

func (c *pageCache) putFacts(key string, f *boardFacts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.boards) >= maxBoardFacts {
		clear(c.boards)
	}
	c.boards[key] = f
}

type cachedPage struct {
	key         string
	school      int64
	gen, all    uint64
	day         string
	status      int
	contentType string
	// cacheControl is "no-cache", or "private, no-cache" for a page its
	// handler marked private: an aid roster is the same for every anonymous
	// reader, so it is kept here, but no shared cache along the way may
	// keep it after it is withdrawn.
	cacheControl string
	// A page worth compressing is kept only gzipped (body is nil): nearly
	// every reader takes gzip, and the cache then holds four times the pages
	// in the same memory. The rare reader without gzip gets it inflated.
	body, gz []byte
	etag     string
	read     atomic.Bool // read since it was last passed over for eviction
}

// bytes is what an entry holds in memory: the capacity of its slices, not
// only their length, and its bookkeeping.
func (p *cachedPage) bytes() int {
	return cap(p.body) + cap(p.gz) + len(p.key) + 200
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{max: maxBytes, lru: list.New(), entries: map[string]*list.Element{}, gen: map[int64]uint64{},
		boards: map[string]*boardFacts{}}
}

// invalidate drops the pages of a school and the home page; 0 drops all.
func (c *pageCache) invalidate(schoolID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if schoolID == 0 {
		c.all++
		return
	}
	c.gen[schoolID]++
	c.gen[0]++
}

func (c *pageCache) get(key, day string) *cachedPage {
	c.mu.RLock()
	el := c.entries[key]
	if el == nil {
		c.mu.RUnlock()
		return nil
	}
	p := el.Value.(*cachedPage)
	if p.all == c.all && p.gen == c.gen[p.school] && p.day == day {
		p.read.Store(true)
		c.mu.RUnlock()
		return p
	}
	c.mu.RUnlock()
	c.mu.Lock()
	if c.entries[key] == el {
		c.remove(el)
	}
	c.mu.Unlock()
	return nil
}

// generation returns the current generation of a school, taken before
// rendering so a change during rendering makes the new entry stale at once.
func (c *pageCache) generation(school int64) (gen, all uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen[school], c.all
}

func (c *pageCache) put(p *cachedPage) {
	n := p.bytes()
	if n > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.entries[p.key]; el != nil {
		c.remove(el)
	}
	c.entries[p.key] = c.lru.PushFront(p)
	c.size += n
	// The oldest page goes, unless it was read since it was last passed
	// over: then it gets a second chance at the front. Each pass clears
	// marks, so this ends within two rounds.
	for c.size > c.max && c.lru.Len() > 0 {
		el := c.lru.Back()
		if old := el.Value.(*cachedPage); old.read.Load() && old != p {
			old.read.Store(false)
			c.lru.MoveToFront(el)
			continue
		}
		c.remove(el)
	}
}

func (c *pageCache) remove(el *list.Element) {
	p := el.Value.(*cachedPage)
	c.lru.Remove(el)
	delete(c.entries, p.key)
	c.size -= p.bytes()
}

// cacheKey is the key of an anonymous request, or "" when the response
// depends on who asks or carries a one-time message.
func cacheKey(r *http.Request) string {
	if r.Method != http.MethodGet || r.Header.Get("Authorization") != "" {
		return ""
	}
	if _, err := r.Cookie(sessionCookie); err == nil {
		return ""
	}
	if _, err := r.Cookie("flash"); err == nil {
		return ""
	}
	lang, size := "zh", "normal"
	if c, err := r.Cookie("lang"); err == nil && c.Value == "en" {
		lang = "en"
	}
	if c, err := r.Cookie("size"); err == nil && c.Value == "large" {
		size = "large"
	}
	return lang + "|" + size + "|" + r.URL.RequestURI()
}

// recorder captures a response so it can be cached and then sent.
type recorder struct {
	header http.Header
	status int
	buf    *bytes.Buffer
}

// pageBuffers are reused for rendering: a page grows its buffer through
// several doublings, a quarter of what rendering a search allocated.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer {
	b := pageBuffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// putBuffer returns a buffer whose bytes are no longer referenced; an
// unusually large one is left to the collector.
func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 256<<10 {
		pageBuffers.Put(b)
	}
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.buf.Write(b)
}

// etagOf is a strong validator of a body.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// gzipWriters are reused: a new compressor allocates its tables, more than
// the page it compresses, and the garbage costs every rendered page
// (searches most) its share of collection.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// gzipBytes compresses b; small bodies are not worth it. The fastest level
// takes half the time of the default on a board page for a tenth more
// bytes (2.6 KB instead of 2.4 KB), and it has less to clear between
// pages, which matters for pages rendered once, such as searches. The result is
// exactly its length, as the cache counts what it holds.
func gzipBytes(b []byte) []byte {
	if len(b) < 1024 {
		return nil
	}
	out := bytes.NewBuffer(make([]byte, 0, len(b)/3))
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(out)
	_, werr := zw.Write(b)
	cerr := zw.Close()
	zw.Reset(io.Discard) // not keep out alive in the pool
	gzipWriters.Put(zw)
	if werr != nil || cerr != nil {
		return nil // served uncompressed
	}
	return bytes.Clone(out.Bytes())
}

// gunzip inflates a body that gzipBytes made.
func gunzip(gz []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil
	}
	b, _ := io.ReadAll(zr)
	return b
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && !strings.Contains(strings.ReplaceAll(q, " ", ""), "q=0") {
			return true
		}
	}
	return false
}

// serveBytes sends a body with a strong ETag, a 304 when the client has it,
// and gzip when the client takes it. The gzip form has its own ETag, as a
// strong validator must change with the bytes.
func serveBytes(w http.ResponseWriter, r *http.Request, status int, contentType string, body, gz []byte, etag string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept-Encoding")
	useGzip := gz != nil && acceptsGzip(r)
	if status == http.StatusOK {
		tag := etag
		if useGzip {
			tag = strings.TrimSuffix(etag, `"`) + `-gz"`
		}
		h.Set("ETag", tag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, tag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if useGzip {
		h.Set("Content-Encoding", "gzip")
		body = gz
	} else if body == nil && gz != nil {
		body = gunzip(gz)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func etagMatch(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == tag || t == "*" {
			return true
		}
	}
	return false
}

// today is the Beijing date, part of every cached entry.
func (s *Server) today() string { return s.now().In(gongkai.Beijing).Format("2006-01-02") }

// cachedResponse sends a cached page with the headers every public page
// carries.
func (s *Server) cachedResponse(w http.ResponseWriter, r *http.Request, p *cachedPage) {
	cc := p.cacheControl
	if cc == "" {
		cc = "no-cache"
	}
	w.Header().Set("Cache-Control", cc)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(p.contentType, "text/html") {
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		w.Header().Set("Referrer-Policy", "same-origin")
	}
	serveBytes(w, r, p.status, p.contentType, p.body, p.gz, p.etag)
}

// renderAndCache runs the handler into a recorder and caches a 200 response
// for the school's pages. Only anonymous readers come here, who all get the
// same page: a page marked private (an aid roster) is kept too, and served
// private. The cache is part of the server and dropped exactly on change,
// so what a handler tells other caches does not keep a page out of it.
func (s *Server) renderAndCache(w http.ResponseWriter, r *http.Request, key string, school int64, handle func(http.ResponseWriter, *http.Request) error) error {
	gen, all := s.cache.generation(school)
	rec := &recorder{header: http.Header{}, buf: getBuffer()}
	defer putBuffer(rec.buf)
	if err := handle(rec, r); err != nil {
		return err
	}
	ctype := rec.header.Get("Content-Type")
	shareable := rec.status == http.StatusOK && (strings.HasPrefix(ctype, "text/html") || strings.HasPrefix(ctype, "application/json"))
	cc := "no-cache" // revalidated on every use: the ETag makes that cheap
	if v := rec.header.Get("Cache-Control"); strings.Contains(v, "private") {
		cc = "private, no-cache"
	} else if strings.HasPrefix(v, "public") {
		cc = v // the handler knows how long its answer holds (a log proof against a named size: for good)
	}
	if !shareable {
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(max(rec.status, http.StatusOK))
		w.Write(rec.buf.Bytes())
		return nil
	}
	body := rec.buf.Bytes()
	p := &cachedPage{key: key, school: school, gen: gen, all: all, day: s.today(), status: rec.status, contentType: ctype,
		cacheControl: cc, gz: gzipBytes(body), etag: etagOf(body)}
	if p.gz == nil {
		p.body = bytes.Clone(body)
	}
	s.cache.put(p)
	s.cachedResponse(w, r, &cachedPage{status: p.status, contentType: p.contentType, cacheControl: cc, body: body, gz: p.gz, etag: p.etag})
	return nil
}
