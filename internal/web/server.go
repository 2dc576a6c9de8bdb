// Package web serves gongkai's pages and its JSON API over HTTP.
package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"gongkai/internal/files"
	"gongkai/internal/notice"
	"gongkai/internal/store"
)

// Blobs stores attachment bytes.
type Blobs interface {
	Put(ctx context.Context, r io.Reader, filename string, max int64) (*files.Stored, error)
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	Delete(ctx context.Context, key string) error
}

// Config holds what the server needs to know about its deployment.
type Config struct {
	Demo bool // demo mode: the login page lists DemoAccounts
	// DemoAccounts are the demo's users, listed on the login page of a
	// demo; the password of each is gongkai-demo.
	DemoAccounts  []DemoAccount
	SecureCookies bool // set the Secure flag (behind HTTPS)
	Version       string
	PageCacheMB   int // memory for rendered public pages; 0: the default, 48
	// BaseURL is the public address of the site for links handed out
	// (set-password and invitation links); empty: as the reader reached it.
	BaseURL string
	// Mail sends set-password links by e-mail; nil: e-mail is off.
	Mail PasswordMailer
	// TrustedProxies are the proxies in front (nginx) whose
	// X-Forwarded-For names the client; empty: the connection's address is
	// the client's.
	TrustedProxies []netip.Prefix
	// Witness is this instance's witness of the schools' logs (served at
	// /witness/add-checkpoint); nil: none.
	Witness Witness
	// PDFFont is the TrueType font with Chinese characters that printed
	// notices embed (notice.DefaultFont in a Debian install); empty or
	// unreadable: no PDF, the HTML print view only.
	PDFFont string
}

// Server holds the dependencies of every handler.
type Server struct {
	cfg     Config
	db      *store.DB
	blobs   Blobs
	log     *slog.Logger
	pages   *templates
	static  *staticFiles
	limiter *limiter
	metrics *metrics
	cache   *pageCache
	notices *notice.Maker // the printed notices' PDFs (notice.go)
	handler http.Handler

	now func() time.Time
	// loginDelay is the first step of the sign-in slowdown per username
	// (account.go loginSlowdown); tests shorten it.
	loginDelay time.Duration
	mu         sync.Mutex
	// touched is when this node last wrote each session's last use.
	touched map[string]time.Time
}

// New builds the server; it fails when a template is missing or broken.
func New(cfg Config, db *store.DB, blobs Blobs, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, db: db, blobs: blobs, log: log, now: time.Now, loginDelay: 250 * time.Millisecond}
	var err error
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if s.pages, err = loadTemplates(s.static); err != nil {
		return nil, err
	}
	s.limiter = newLimiter()
	cacheMB := cfg.PageCacheMB
	if cacheMB <= 0 {
		cacheMB = 48
	}
	s.cache = newPageCache(cacheMB << 20)
	db.OnChange(s.cache.invalidate)
	s.metrics = newMetrics(db)
	s.notices = notice.NewMaker(cfg.PDFFont)
	if cfg.PDFFont != "" {
		if err := s.notices.Ready(); err != nil {
			log.Warn("no PDF of printed notices; the print view works", "err", err)
		}
	}
	s.handler = s.buildHandler()
	return s, nil
}

// ServeHTTP serves every request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
