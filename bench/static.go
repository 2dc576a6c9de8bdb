package main

import (
	_ "embed"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// wrkScript is the wrk script every run uses.
//
//go:embed wrk.lua
var wrkScript []byte

// staticServer is the limit gongkai's pages are compared with: a minimal
// net/http server answering from memory with the very bytes gongkai served
// for a board and an item page, headers included, gzipped when gongkai
// gzipped and the client accepts it. Whatever gongkai does beyond this costs
// throughput.
type staticServer struct {
	mu    sync.RWMutex
	pages map[string]*staticPage // "board", "item"
}

type staticPage struct {
	plain, gz       []byte
	plainHdr, gzHdr http.Header
}

func (s *staticServer) set(name string, plain []byte, plainHdr http.Header, gz []byte, gzHdr http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pages == nil {
		s.pages = map[string]*staticPage{}
	}
	p := &staticPage{plain: plain, plainHdr: plainHdr}
	if gzHdr.Get("Content-Encoding") == "gzip" {
		p.gz, p.gzHdr = gz, gzHdr
	}
	s.pages[name] = p
}

func (s *staticServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := "board"
	if strings.Contains(r.URL.Path, "/d/") {
		name = "item"
	}
	s.mu.RLock()
	p := s.pages[name]
	s.mu.RUnlock()
	if p == nil {
		http.NotFound(w, r)
		return
	}
	body, hdr := p.plain, p.plainHdr
	if p.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		body, hdr = p.gz, p.gzHdr
	}
	for k, v := range hdr {
		if k != "Date" {
			w.Header()[k] = v
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// start serves on a free loopback port until stop is called.
func (s *staticServer) start() (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return ln.Addr().String(), func() { hs.Close() }, nil
}
