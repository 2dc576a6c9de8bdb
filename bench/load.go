package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// Scenarios are what wrk requests, each from a list of many paths so that
// no single page stays hot: every school's board, thousands of items.
//
// gongkai caches rendered public pages by URL, so each page is measured
// twice: with the cache warm (every path of the list fetched once right
// before its runs, then wrk draws from the same paths) and with the cache
// missed (each request a
// new URL through an extra query parameter the handlers ignore, so every one
// is rendered). Searches are always missed: readers search for many words,
// and the targets are about the search itself. Each search is still asked
// once before its runs, so that the database has read its words from disk
// as a server in use would have: otherwise the first scenario measured after
// a start pays for every cold read of the run.
type scenario struct {
	name   string
	label  string // for the tables
	paths  func(d *dataset) []string
	unique bool // every request a new URL
	warm   bool // fetch every path once before the runs (as given, without the unique parameter)
}

// The search words: a two-character word found in about two items of
// five, the four-character word the issue names (财务公示, which the demo
// vocabulary never uses, so it finds nothing after matching all three of its
// common bigrams), and a four-character word found in every monthly
// statement.
const (
	word2     = "财务"
	word4     = "财务公示"
	word4Hits = "财务公开"
)

var scenarios = []scenario{
	{"board", "board list page, cache warm", func(d *dataset) []string { return d.boards }, false, true},
	{"board-miss", "board list page, cache missed", func(d *dataset) []string { return d.boards }, true, false},
	{"item", "item page, cache warm", func(d *dataset) []string { return d.items }, false, true},
	{"item-miss", "item page, cache missed", func(d *dataset) []string { return d.items }, true, false},
	{"api", "list API, cache warm", func(d *dataset) []string { return d.apis }, false, true},
	{"search2", "search " + word2, func(d *dataset) []string { return d.searches(word2) }, true, true},
	{"search4", "search " + word4, func(d *dataset) []string { return d.searches(word4) }, true, true},
	{"search4hits", "search " + word4Hits, func(d *dataset) []string { return d.searches(word4Hits) }, true, true},
}

// staticScenarios are measured on the static server too; the "-miss"
// variants are compared with the same static page.
var staticScenarios = []string{"board", "item"}

func staticOf(scenario string) string { return strings.TrimSuffix(scenario, "-miss") }

// LoadResult is what load writes to -out for one database.
type LoadResult struct {
	Dialect     string         `json:"dialect"`
	Engine      string         `json:"engine"`
	Schools     int            `json:"schools"`
	Items       int            `json:"items"`
	Versions    int            `json:"versions"`
	Events      int            `json:"events"`
	Started     time.Time      `json:"started"`
	Seconds     float64        `json:"seconds"`
	Duration    string         `json:"duration"` // of each wrk run
	Runs        []WrkRun       `json:"runs"`
	Pages       []PageSize     `json:"pages"`
	Publication *PubResult     `json:"publication"`
	PeakRSSKB   int64          `json:"peak_rss_kb"` // VmHWM of the gongkai process
	EndRSSKB    int64          `json:"end_rss_kb"`
	GzipServed  bool           `json:"gzip_served"` // gongkai answered Accept-Encoding: gzip with gzip
	Warm        []WarmUp       `json:"warm"`
	Lists       map[string]int `json:"lists"`  // paths per scenario
	Checks      []PathCheck    `json:"checks"` // a sample of every list, fetched before the load
	Notes       []string       `json:"notes"`
}

// WarmUp is the fetch of every path of a list before its runs.
type WarmUp struct {
	Scenario string  `json:"scenario"`
	Paths    int     `json:"paths"`
	Seconds  float64 `json:"seconds"`
}

// PageSize is the HTML of one page as gongkai serves it.
type PageSize struct {
	Scenario  string `json:"scenario"`
	Path      string `json:"path"`
	Bytes     int    `json:"bytes"`      // uncompressed
	GzipBytes int    `json:"gzip_bytes"` // as sent to a client that accepts gzip; 0 when not compressed
}

// PathCheck counts the status codes of a sample of a scenario's paths.
type PathCheck struct {
	Scenario string         `json:"scenario"`
	Status   map[string]int `json:"status"`
}

type loadConfig struct {
	dsn, gongkai, wrk     string
	duration, pubDuration time.Duration
	conns                 []int
	pubWorkers            int
	out, workdir          string
	timeout               time.Duration
}

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg loadConfig
	var conns string
	fs := flag.NewFlagSet("bench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.dsn, "db", "", "database: sqlite:PATH or postgres://...")
	fs.StringVar(&cfg.gongkai, "gongkai", "bin/gongkai", "the gongkai binary to start")
	fs.StringVar(&cfg.wrk, "wrk", "wrk", "the wrk binary")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "length of each wrk run")
	fs.StringVar(&conns, "conns", "32,256", "connection counts, comma-separated")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "wrk's request timeout: slower answers count as errors")
	fs.IntVar(&cfg.pubWorkers, "pub-workers", 4, "publication test: concurrent workers, one school each")
	fs.DurationVar(&cfg.pubDuration, "pub-duration", 20*time.Second, "publication test: how long")
	fs.StringVar(&cfg.workdir, "workdir", "", "directory for path lists, logs and the attachment folder (default: a temporary one)")
	fs.StringVar(&cfg.out, "out", "", "write the result as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, c := range strings.Split(conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return fmt.Errorf("load: bad -conns %q", conns)
		}
		cfg.conns = append(cfg.conns, n)
	}
	if cfg.dsn == "" {
		return fmt.Errorf("load: give -db")
	}
	if cfg.workdir == "" {
		dir, err := os.MkdirTemp("", "gongkai-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.workdir = dir
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	res, err := load(ctx, cfg, log)
	if res != nil && cfg.out != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if werr := os.WriteFile(cfg.out, append(b, '\n'), 0o644); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// dataset is what the load is drawn from: every school and a sample of the
// items a visitor may open.
type dataset struct {
	slugs  []string
	boards []string
	items  []string
	apis   []string
	pub    []pubSchool
}

func (d *dataset) searches(word string) []string {
	out := make([]string, len(d.slugs))
	for i, s := range d.slugs {
		out[i] = "/s/" + s + "/?q=" + url.QueryEscape(word)
	}
	return out
}

// readDataset reads the lists from the database before gongkai starts.
func readDataset(ctx context.Context, dsn string, workers int, res *LoadResult) (*dataset, error) {
	driver, source := "pgx", dsn
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, source = "sqlite", "file:"+(&url.URL{Path: p}).EscapedPath()+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if driver == "sqlite" {
		var v string
		if err := db.QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&v); err == nil {
			res.Engine, res.Dialect = "SQLite "+v+" (modernc.org/sqlite)", "sqlite"
		}
	} else {
		var v string
		if err := db.QueryRowContext(ctx, `SHOW server_version`).Scan(&v); err == nil {
			res.Engine, res.Dialect = "PostgreSQL "+v, "postgres"
		}
	}
	for _, c := range []struct {
		to    *int
		query string
	}{
		{&res.Schools, `SELECT COUNT(*) FROM schools`},
		{&res.Items, `SELECT COUNT(*) FROM disclosures`},
		{&res.Versions, `SELECT COUNT(*) FROM disclosure_versions`},
		{&res.Events, `SELECT COUNT(*) FROM disclosure_events`},
	} {
		if err := db.QueryRowContext(ctx, c.query).Scan(c.to); err != nil {
			return nil, fmt.Errorf("load: %s: %w", c.query, err)
		}
	}
	d := &dataset{}
	rows, err := db.QueryContext(ctx, `SELECT id, slug FROM schools ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
		d.slugs = append(d.slugs, slug)
		d.boards = append(d.boards, "/s/"+slug+"/")
		d.apis = append(d.apis, "/api/v1/schools/"+slug+"/disclosures")
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(d.slugs) == 0 {
		return nil, fmt.Errorf("load: the database has no schools; run bench gen first")
	}
	// About 10,000 items an anonymous reader may open (about 70 % of the
	// items are public), spread evenly over the ids, so over time and
	// schools.
	step := max(1, res.Items/14000)
	rows, err = db.QueryContext(ctx, `SELECT s.slug, d.id FROM disclosures d JOIN schools s ON s.id = d.school_id
		WHERE d.audience = 'public' AND d.state IN ('published', 'closed', 'archived', 'withdrawn') AND d.id % $1 = 0 ORDER BY d.id`, step)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var slug string
		var id int64
		if err := rows.Scan(&slug, &id); err != nil {
			rows.Close()
			return nil, err
		}
		d.items = append(d.items, fmt.Sprintf("/s/%s/d/%d", slug, id))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(d.items) == 0 {
		return nil, fmt.Errorf("load: no public items found")
	}
	// The publication test's schools, spread over the list, each with
	// published items to take the title and body of a new one from.
	for i := range min(workers, len(ids)) {
		k := i * len(ids) / workers
		ps := pubSchool{slug: d.slugs[k]}
		rows, err := db.QueryContext(ctx, `SELECT title, body, category, audience, publicity_days FROM disclosures
			WHERE school_id = $1 AND state IN ('published', 'closed') ORDER BY id DESC LIMIT 50`, ids[k])
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var t pubTemplate
			if err := rows.Scan(&t.Title, &t.Body, &t.Category, &t.Audience, &t.PublicityDays); err != nil {
				rows.Close()
				return nil, err
			}
			ps.templates = append(ps.templates, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(ps.templates) == 0 {
			return nil, fmt.Errorf("load: school %s has no published items", ps.slug)
		}
		d.pub = append(d.pub, ps)
	}
	return d, nil
}

func load(ctx context.Context, cfg loadConfig, log *slog.Logger) (*LoadResult, error) {
	res := &LoadResult{Started: time.Now(), Duration: cfg.duration.String()}
	defer func() { res.Seconds = time.Since(res.Started).Seconds() }()
	d, err := readDataset(ctx, cfg.dsn, cfg.pubWorkers, res)
	if err != nil {
		return nil, err
	}
	log.Info("dataset", "engine", res.Engine, "schools", res.Schools, "items", res.Items, "sample items", len(d.items))
	lists := map[string]string{}
	for _, sc := range scenarios {
		p := filepath.Join(cfg.workdir, sc.name+".txt")
		if err := os.WriteFile(p, []byte(strings.Join(sc.paths(d), "\n")+"\n"), 0o644); err != nil {
			return nil, err
		}
		lists[sc.name] = p
		if res.Lists == nil {
			res.Lists = map[string]int{}
		}
		res.Lists[sc.name] = len(sc.paths(d))
	}
	lua := filepath.Join(cfg.workdir, "paths.lua")
	if err := os.WriteFile(lua, wrkScript, 0o644); err != nil {
		return nil, err
	}

	gk, err := startGongkai(ctx, cfg, log)
	if err != nil {
		return res, err
	}
	defer gk.stop()
	base := "http://" + gk.addr

	// Every list is sampled first: the load is only worth measuring if its
	// requests succeed.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64}}
	for _, sc := range scenarios {
		paths := sc.paths(d)
		check := PathCheck{Scenario: sc.name, Status: map[string]int{}}
		for i := 0; i < len(paths); i += max(1, len(paths)/25) {
			st, _, _, err := fetch(ctx, client, base+paths[i], false)
			if err != nil {
				return res, err
			}
			check.Status[strconv.Itoa(st)]++
		}
		res.Checks = append(res.Checks, check)
		if check.Status["200"] == 0 {
			return res, fmt.Errorf("load: no request of %s succeeded: %v", sc.name, check.Status)
		}
	}

	// The pages the static server returns, and the HTML sizes.
	static := &staticServer{}
	for _, sc := range []string{"board", "item"} {
		var paths []string
		for _, s := range scenarios {
			if s.name == sc {
				paths = s.paths(d)
			}
		}
		for i := range min(20, len(paths)) {
			p := paths[i*len(paths)/min(20, len(paths))]
			st, plain, hdr, err := fetch(ctx, client, base+p, false)
			if err != nil {
				return res, err
			}
			_, gz, gzHdr, err := fetch(ctx, client, base+p, true)
			if err != nil {
				return res, err
			}
			ps := PageSize{Scenario: sc, Path: p, Bytes: len(plain)}
			if gzHdr.Get("Content-Encoding") == "gzip" {
				ps.GzipBytes = len(gz)
				res.GzipServed = true
			}
			res.Pages = append(res.Pages, ps)
			if i == 0 && st == http.StatusOK {
				static.set(sc, plain, hdr, gz, gzHdr)
			}
		}
	}
	staticAddr, stopStatic, err := static.start()
	if err != nil {
		return res, err
	}
	defer stopStatic()

	sessions := pgSessions(ctx, cfg.dsn)
	defer sessions.close()
	measure := func(sc scenario, target string, c int) error {
		addr, pid := base, gk.cmd.Process.Pid
		if target == "static" {
			addr, pid = "http://"+staticAddr, os.Getpid()
		}
		// Slow requests of the previous run may still be running after
		// wrk gave up on them.
		settled := settle(ctx, base)
		load1 := loadAverage()
		before, cpu := sessions.count(ctx), cpuTime(pid)
		r, err := runWrk(ctx, cfg, lists[sc.name], lua, addr, c, cfg.duration, sc.unique)
		if err != nil {
			return err
		}
		r.Scenario, r.Server, r.Load1, r.Settle = sc.name, target, load1, settled.Seconds()
		if r.Requests > 0 {
			r.CPUPerRequest = float64((cpuTime(pid) - cpu).Microseconds()) / 1000 / float64(r.Requests)
		}
		if before >= 0 && target == "gongkai" {
			r.PGSessions = sessions.count(ctx) - before
		}
		res.Runs = append(res.Runs, *r)
		log.Info("wrk", "scenario", sc.name, "server", target, "conns", c, "rps", fmt.Sprintf("%.0f", r.RPS),
			"p50", r.P50, "p95", r.P95, "p99", r.P99, "errors", r.Errors, "cpu_ms", fmt.Sprintf("%.2f", r.CPUPerRequest), "load1", load1)
		return nil
	}
	// The cached pages and the searches first. Right before its runs, every
	// path of a list is fetched once, as readers would have fetched them
	// before (this also fills the database's and the kernel's caches): the
	// lists together are more than gongkai's page cache holds, so warming
	// them all at the start would leave only the last one warm.
	for _, sc := range scenarios {
		if !sc.warm {
			continue
		}
		start := time.Now()
		if err := warm(ctx, client, base, sc.paths(d)); err != nil {
			return res, err
		}
		res.Warm = append(res.Warm, WarmUp{sc.name, len(sc.paths(d)), time.Since(start).Seconds()})
		log.Info("warm", "scenario", sc.name, "paths", len(sc.paths(d)), "seconds", fmt.Sprintf("%.0f", time.Since(start).Seconds()))
		for _, c := range cfg.conns {
			if err := measure(sc, "gongkai", c); err != nil {
				return res, err
			}
			// The static server right after, so that both runs of a
			// ratio see the machine in much the same state.
			if slices.Contains(staticScenarios, sc.name) {
				if err := measure(sc, "static", c); err != nil {
					return res, err
				}
			}
		}
	}
	// Then whatever misses the cache: a request for a new URL adds an
	// entry and may evict a warm page.
	for _, c := range cfg.conns {
		for _, sc := range scenarios {
			if !sc.warm {
				if err := measure(sc, "gongkai", c); err != nil {
					return res, err
				}
			}
		}
	}
	// A search alone, one request at a time: its own latency, without
	// queueing behind others.
	for _, sc := range scenarios {
		if strings.HasPrefix(sc.name, "search") {
			if err := measure(sc, "gongkai", 1); err != nil {
				return res, err
			}
		}
	}

	var mark *pubMarker
	if cfg.pubWorkers > 0 && cfg.pubDuration > 0 {
		if mark, err = pubMark(ctx, cfg.dsn, d.pub); err != nil {
			return res, err
		}
		res.Publication, err = publish(ctx, base, d.pub, cfg.pubDuration)
		if err != nil {
			return res, err
		}
		log.Info("publication", "per_second", fmt.Sprintf("%.1f", res.Publication.PerSecond), "publish p95", res.Publication.Publish.P95, "errors", res.Publication.Errors)
	}
	res.PeakRSSKB, res.EndRSSKB = gk.rss()
	gk.stop()
	if mark != nil {
		// The cached data set goes back to what gen made, so the next run
		// measures the same data.
		if err := mark.restore(context.WithoutCancel(ctx), cfg.dsn); err != nil {
			res.Notes = append(res.Notes, "cleanup after the publication test failed: "+err.Error())
			log.Warn("cleanup after the publication test failed", "err", err)
		}
	}
	return res, nil
}

// fetch gets a page as a browser would, with or without gzip.
func fetch(ctx context.Context, c *http.Client, u string, gzip bool) (int, []byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	if gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header, err
}

// ---- the gongkai process ----

type gongkaiProcess struct {
	cmd     *exec.Cmd
	addr    string
	log     *os.File
	done    chan struct{} // closed when the process has ended
	err     error         // how it ended, once done is closed
	stopped sync.Once
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startGongkai starts the real binary, as an operator would, and waits
// until /healthz answers.
func startGongkai(ctx context.Context, cfg loadConfig, log *slog.Logger) (*gongkaiProcess, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(cfg.workdir, "gongkai.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(cfg.gongkai, "serve", "--db", cfg.dsn, "--addr", addr, "--data", filepath.Join(cfg.workdir, "data"))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = os.Environ()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("load: start gongkai: %w", err)
	}
	p := &gongkaiProcess{cmd: cmd, addr: addr, log: logf, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	exited := func() error {
		p.stopped.Do(func() { logf.Close() })
		return fmt.Errorf("load: gongkai exited before answering (log: %s)", logf.Name())
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case <-p.done:
			return nil, errors.Join(exited(), p.err)
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				log.Info("gongkai is up", "addr", addr, "pid", cmd.Process.Pid)
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("load: gongkai did not answer /healthz within 2 minutes")
		}
	}
}

// rss reads the peak (VmHWM) and current (VmRSS) resident set of gongkai.
func (p *gongkaiProcess) rss() (peak, now int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			peak = n
		case "VmRSS":
			now = n
		}
	}
	return peak, now
}

// stop ends gongkai as a service manager would, SIGTERM first.
func (p *gongkaiProcess) stop() {
	p.stopped.Do(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
		p.log.Close()
	})
}

// ---- wrk ----

// WrkRun is one wrk run as the Lua script's done() reports it.
type WrkRun struct {
	Scenario string  `json:"scenario"`
	Server   string  `json:"server"` // gongkai or static
	Conns    int     `json:"conns"`
	Threads  int     `json:"threads"`
	Seconds  float64 `json:"seconds"`
	Requests int64   `json:"requests"`
	RPS      float64 `json:"rps"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
	Bytes    int64   `json:"bytes"`
	// Errors are socket errors (connect, read, write, timeout) plus
	// responses with a status of 400 or more, as wrk counts them.
	Errors  int64 `json:"errors"`
	Connect int64 `json:"connect"`
	Read    int64 `json:"read"`
	Write   int64 `json:"write"`
	Timeout int64 `json:"timeout"`
	Status  int64 `json:"status"`
	// Load1 is the machine's one-minute load average when the run began:
	// other work on the machine shows here.
	Load1 float64 `json:"load1"`
	// PGSessions counts the PostgreSQL backends started during the run
	// (connections gongkai opened); -1 or 0 on SQLite.
	PGSessions int64 `json:"pg_sessions"`
	// CPUPerRequest is the server process's CPU time (user and system)
	// during the run divided by the requests, in milliseconds: less
	// sensitive than throughput to other work on the machine. For gongkai
	// on PostgreSQL it leaves out the database's own CPU.
	CPUPerRequest float64 `json:"cpu_ms_per_request"`
	// Settle is how long gongkai took, before the run, to answer /healthz
	// within 50 ms again after the previous run.
	Settle float64 `json:"settle_seconds"`
}

func runWrk(ctx context.Context, cfg loadConfig, list, lua, base string, conns int, d time.Duration, unique bool) (*WrkRun, error) {
	threads := min(conns, runtime.NumCPU())
	secs := max(1, int(d.Round(time.Second)/time.Second))
	mode := "same"
	if unique {
		mode = "unique"
	}
	cmd := exec.CommandContext(ctx, cfg.wrk, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", strconv.Itoa(secs)+"s",
		"--timeout", strconv.Itoa(max(1, int(cfg.timeout/time.Second)))+"s", "-s", lua, base, "--", list, mode)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("wrk: %w: %s", err, ee.Stderr)
		}
		return nil, fmt.Errorf("wrk: %w", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if j, ok := strings.CutPrefix(line, "WRKJSON "); ok {
			var r WrkRun
			if err := json.Unmarshal([]byte(j), &r); err != nil {
				return nil, fmt.Errorf("wrk: %w in %q", err, j)
			}
			r.Conns, r.Threads = conns, threads
			return &r, nil
		}
	}
	return nil, fmt.Errorf("wrk printed no result:\n%s", out)
}

// warm fetches every path once, eight at a time.
func warm(ctx context.Context, c *http.Client, base string, paths []string) error {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	next := make(chan string)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				st, _, _, err := fetch(ctx, c, base+p, true)
				if err == nil && st != http.StatusOK {
					err = fmt.Errorf("warm: %s: status %d", p, st)
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, p := range paths {
		select {
		case next <- p:
		case err := <-errs:
			close(next)
			wg.Wait()
			return err
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	return nil
}

// settle waits, up to two minutes, until gongkai answers /healthz quickly,
// and returns how long that took.
func settle(ctx context.Context, base string) time.Duration {
	begin := time.Now()
	c := &http.Client{Timeout: 5 * time.Second}
	for time.Since(begin) < 2*time.Minute && ctx.Err() == nil {
		start := time.Now()
		resp, err := c.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if time.Since(start) < 50*time.Millisecond {
				break
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	return time.Since(begin)
}

// cpuTime is the user and system CPU time a process has used, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms on Linux).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may contain spaces; fields are counted after it.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	return f
}

// sessionCounter reads how many backends PostgreSQL has started for the
// database, to show connection churn; on SQLite it counts nothing.
type sessionCounter struct{ db *sql.DB }

func pgSessions(ctx context.Context, dsn string) *sessionCounter {
	if strings.HasPrefix(dsn, "sqlite:") {
		return &sessionCounter{}
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return &sessionCounter{}
	}
	db.SetMaxOpenConns(1)
	return &sessionCounter{db: db}
}

func (s *sessionCounter) count(ctx context.Context) int64 {
	if s.db == nil {
		return -1
	}
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT sessions FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
		return -1
	}
	return n
}

func (s *sessionCounter) close() {
	if s.db != nil {
		s.db.Close()
	}
}

// ---- percentiles ----

// percentile returns the p-th percentile (0–100) of sorted durations in
// milliseconds, nearest rank.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

func sortDurations(ds []time.Duration) []time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s
}
