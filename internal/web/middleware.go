package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/store"
)

const (
	sessionCookie = "gk_session"
	sessionTTL    = 7 * 24 * time.Hour
	apiTokenTTL   = 30 * 24 * time.Hour
)

type schoolKey struct{}

// schoolFrom returns the school the route's {slug} named; the middleware has
// already answered 404 for an unknown slug.
func schoolFrom(ctx context.Context) *gongkai.School {
	s, _ := ctx.Value(schoolKey{}).(*gongkai.School)
	return s
}

// buildHandler wires the route table into a ServeMux with its middleware.
func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		api := strings.HasPrefix(r.URL.Path, "/api/")
		s.fail(w, r, api, gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。"))
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api := strings.HasPrefix(r.URL.Path, "/api/")
		s.fail(w, r, api, gongkai.Errorf(gongkai.EFORBIDDEN, "请求来自其他网站，已拒绝。请回到本站页面重新操作。"))
	}))
	return s.recoverer(s.behindProxies(s.logRequests(cop.Handler(mux))))
}

// wrap adapts one route: acting user, school, access policy, then the
// handler, whose error becomes a page or a JSON error.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, err := limitBody(w, r, rt)
		if err == nil && !rt.api && isURLEncoded(r) {
			err = checkForm(r)
		}
		if err != nil {
			s.fail(w, r, rt.api, err)
			return
		}
		if rt.access == accessOps {
			if err := rt.handle(w, r); err != nil {
				s.fail(w, r, false, err)
			}
			return
		}
		key := ""
		if cacheable[rt.method+" "+rt.pattern] {
			key = cacheKey(r)
		}
		if key != "" {
			if p := s.cache.get(key, s.today()); p != nil {
				s.cachedResponse(w, r, p)
				return
			}
		}
		// A reader who leaves does not stop the work under way: the queries
		// take milliseconds, and a page finished is cached for the next
		// reader. Cancelled instead, a query makes the PostgreSQL driver
		// drop its connection, and after a rush of readers who left, the
		// pool hands such connections to readers still waiting, who get
		// an error ("driver: bad connection").
		work, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), requestWorkLimit)
		defer cancel()
		r = r.WithContext(work)
		actor, token, err := s.authenticate(r, rt.api)
		if err != nil {
			s.fail(w, r, rt.api, err)
			return
		}
		ctx := gongkai.WithActor(r.Context(), actor)
		ctx = context.WithValue(ctx, tokenKey{}, token)
		if key != "" && actor.Anonymous() {
			// A page everyone sees alike may be read from the replica; the
			// store reads it from the primary while the replica is behind.
			ctx = store.PublicRead(ctx)
		}
		if slug := r.PathValue("slug"); slug != "" {
			school, err := s.db.FindSchoolBySlug(ctx, slug)
			if err != nil {
				s.fail(w, r, rt.api, err)
				return
			}
			ctx = context.WithValue(ctx, schoolKey{}, school)
		}
		r = r.WithContext(ctx)
		if err := s.checkAccess(r, rt.access); err != nil {
			if gongkai.ErrorCode(err) == gongkai.EUNAUTHENTICATED && !rt.api && r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(safeNext(r.URL.RequestURI())), http.StatusSeeOther)
				return
			}
			s.fail(w, r, rt.api, err)
			return
		}
		var err2 error
		if key != "" && actor.Anonymous() {
			var school int64
			if sc := schoolFrom(r.Context()); sc != nil {
				school = sc.ID
			}
			err2 = s.renderAndCache(w, r, key, school, rt.handle)
		} else {
			err2 = rt.handle(w, r)
		}
		if err2 != nil {
			s.fail(w, r, rt.api, err2)
		}
	})
}

// requestWorkLimit bounds what one request may take of the database once
// its reader has left or never leaves (the largest export takes seconds).
const requestWorkLimit = 2 * time.Minute

type tokenKey struct{}

// authenticate finds the acting user from the session cookie (pages) or a
// bearer token (API; a cookie works there too, for the same browser).
func (s *Server) authenticate(r *http.Request, api bool) (*gongkai.Actor, string, error) {
	token, kind := "", "web"
	if h := r.Header.Get("Authorization"); api && h != "" {
		t, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || t == "" {
			return nil, "", gongkai.Errorf(gongkai.EUNAUTHENTICATED, "Authorization 头格式应为 Bearer TOKEN。")
		}
		token, kind = t, "api"
	} else if c, err := r.Cookie(sessionCookie); err == nil {
		token = c.Value
	}
	if token == "" {
		return &gongkai.Actor{}, "", nil
	}
	actor, err := s.db.LoadSessionActor(r.Context(), auth.HashToken(token), kind)
	switch gongkai.ErrorCode(err) {
	case gongkai.ENOTFOUND:
		if kind == "api" {
			return nil, "", gongkai.Errorf(gongkai.EUNAUTHENTICATED, "令牌无效或已过期，请重新获取。")
		}
		return &gongkai.Actor{}, "", nil // an expired cookie reads as signed out
	case gongkai.EUNAUTHENTICATED:
		if kind == "api" {
			return nil, "", gongkai.Errorf(gongkai.EUNAUTHENTICATED, accountDisabled)
		}
		return &gongkai.Actor{}, "", nil // a disabled account reads as signed out
	}
	if err != nil {
		return nil, "", err
	}
	s.touchSession(r.Context(), auth.HashToken(token))
	return actor, token, nil
}

// touchEvery is how often a session's last use is written: the account
// page shows it to the minute or so, and no reader costs a write per page.
const touchEvery = 5 * time.Minute

// touchSession records the session's use, at most every touchEvery on
// this node.
func (s *Server) touchSession(ctx context.Context, hash string) {
	now := s.now()
	s.mu.Lock()
	if s.touched == nil || len(s.touched) > 100_000 {
		s.touched = map[string]time.Time{}
	}
	last, ok := s.touched[hash]
	due := !ok || now.Sub(last) >= touchEvery
	if due {
		s.touched[hash] = now
	}
	s.mu.Unlock()
	if due {
		if err := s.db.TouchSession(ctx, hash); err != nil {
			s.log.Warn("touch session", "err", err)
		}
	}
}

// checkAccess enforces the route's access policy.
func (s *Server) checkAccess(r *http.Request, a access) error {
	actor := gongkai.ActorFrom(r.Context())
	school := schoolFrom(r.Context())
	if a == accessPublic {
		return nil
	}
	if actor.Anonymous() {
		return gongkai.Errorf(gongkai.EUNAUTHENTICATED, "请先登录。")
	}
	var ok bool
	switch a {
	case accessSignedIn:
		ok = true
	case accessStaff:
		ok = school != nil && gongkai.CanReadInternalBoard(actor, school.BureauID, school.ID)
	case accessWorkflow:
		ok = school != nil && gongkai.CanSeeUnpublished(actor, school.BureauID, school.ID)
	case accessCreate:
		ok = school != nil && gongkai.CanCreateDisclosure(actor, school.ID)
	case accessManage:
		ok = school != nil && gongkai.CanManageSchool(actor, school.BureauID, school.ID)
	case accessBureau:
		ok = actor.BureauRole == gongkai.RoleBureauAdmin
	}
	if !ok {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "您没有访问此页面的权限。")
	}
	return nil
}

// recoverer turns a panic into a logged 500 page.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, _ := v.(error); errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				s.log.Error("panic", "path", logPath(r.URL.Path), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.fail(w, r, strings.HasPrefix(r.URL.Path, "/api/"), errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs each request without the client's address or agent:
// senders of anonymous feedback must not be traceable through our logs.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		pattern := r.Pattern
		if pattern == "" {
			pattern = "unmatched"
		}
		s.metrics.observe(pattern, sw.status, d)
		// Every request is counted in /metrics; the log keeps what needs a
		// look (a proxy in front keeps access logs where they are wanted):
		// at thousands of pages a second, a line each would cost more than
		// serving the page.
		level := slog.LevelDebug
		switch {
		case sw.status >= 500:
			level = slog.LevelError
		case sw.status >= 400 && sw.status != http.StatusNotFound:
			level = slog.LevelInfo
		}
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", logPath(r.URL.Path), "status", sw.status, "bytes", sw.bytes, "ms", d.Milliseconds())
	})
}
