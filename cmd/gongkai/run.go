package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/calendar"
	"gongkai/internal/demo"
	"gongkai/internal/files"
	"gongkai/internal/ledger"
	"gongkai/internal/notice"
	"gongkai/internal/notify"
	"gongkai/internal/store"
	"gongkai/internal/web"
)

const usage = `gongkai — 校务公开 (school affairs disclosure)

Usage:
  gongkai serve   [--addr 127.0.0.1:8080] [--db sqlite:data/gongkai.db] [--data data] [--files file:|s3://...] [--demo]
                  [--db-replica postgres://...]    a streaming replica for public reads
                  [--smtp smtp://USER:PASS@HOST:587] [--mail-from ADDRESS] [--base-url https://...]
                  [--metrics-addr 127.0.0.1:9090]  Prometheus metrics on their own listener (off by default)
                  [--trusted-proxies 127.0.0.1]    proxies in front whose X-Forwarded-For names the client
                  [--witness-url URL --witness-key VKEY]  the bureau's witness on another gongkai (default: this one's)
  gongkai setup   --bureau 青禾县教育局 --region 350121 --phone 0591-xxxxxxx --admin USERNAME --name 姓名
                  [--address ...] [--sponsor 主办单位] [--icp ICP备案号] [--psb 公安备案号]
                  [--password PW]                 (or GONGKAI_PASSWORD, or typed on standard input)
                                                  set up the county: its bureau and first administrator, once
  gongkai migrate [--db ...]
  gongkai demo    [--db ...] [--data ...]          load the demo county (idempotent)
  gongkai backup  --to FILE [--db sqlite:...]      a consistent copy of a SQLite database, taken while serving
  gongkai user create --username NAME --name 姓名 (--school SLUG --role clerk[,leader...] | --bureau-role bureau_admin|inspector [--bureau ID])
                      [--password PW]               (or GONGKAI_PASSWORD, or typed on standard input)
  gongkai user reset-password --username NAME [--base-url https://...] [--smtp ...]
                      prints a one-time link (24 hours) to set a new password; e-mails it too with --smtp
  gongkai version                                  the version, its commit, the Go release and the platform
  gongkai healthcheck [--addr 127.0.0.1:8080]      asks the server at --addr for /healthz; exit status 0 if it answers ok
  gongkai school import --file F.xlsx [--bureau ID]  the county's school list: all schools or, on any error, none
  gongkai witness add-log --origin ORIGIN --key VKEY [--bureau ID]
                      the bureau witnesses the log of a school on another gongkai (its /s/{slug}/log/key)
  gongkai verify  --server URL [--slug SLUG] [--item ID] [--witness-key VKEY] [--state DIR]
                      checks a school's log from the outside: signatures, every entry, every published
                      item's inclusion and content, consistency with the last run; exit status 1 on a mismatch
  gongkai ledger rotate-key --school SLUG [--data data]  a new signing key for the school's log (存证); the old one is retired

Every flag can also be set in the environment as GONGKAI_<FLAG>, e.g. GONGKAI_DB=postgres://...
`

// config is what the flags and GONGKAI_* variables set.
type config struct {
	addr           string
	metricsAddr    string
	db             string
	dbReplica      string
	data           string
	files          string
	demo           bool
	secureCookies  bool
	logLevel       string
	smtp           string
	mailFrom       string
	baseURL        string
	memoryLimit    int // MiB; 0: none
	pageCache      int // MiB
	trustedProxies string
	witnessURL     string // the bureau's witness on another instance; empty: this instance's
	witnessKey     string // its cosignature verifier key
	pdfFont        string
}

func (c *config) flags(fs *flag.FlagSet, getenv func(string) string) {
	env := func(name, def string) string {
		if v := getenv("GONGKAI_" + name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.addr, "addr", env("ADDR", "127.0.0.1:8080"), "listen address")
	fs.StringVar(&c.trustedProxies, "trusted-proxies", env("TRUSTED_PROXIES", ""), "addresses or prefixes of the proxies in front (e.g. 127.0.0.1 for nginx on this machine) whose X-Forwarded-For names the client; empty: none")
	fs.StringVar(&c.metricsAddr, "metrics-addr", env("METRICS_ADDR", ""), "listen address for Prometheus metrics at /metrics, apart from the site (empty: no metrics served)")
	c.db = env("DB", "sqlite:data/gongkai.db")
	fs.Var(redacted{&c.db}, "db", "database: sqlite:PATH or postgres://...")
	c.dbReplica = env("DB_REPLICA", "")
	fs.Var(redacted{&c.dbReplica}, "db-replica", "PostgreSQL streaming replica for public reads (`postgres://...`); used only when it has replayed every change a page needs")
	fs.StringVar(&c.data, "data", env("DATA", "data"), "directory for attachments")
	c.files = env("FILES", "")
	fs.Var(redacted{&c.files}, "files", "where attachments live (`store`): file: (under --data) or s3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET?secure=false&region=...")
	fs.BoolVar(&c.demo, "demo", env("DEMO", "") == "true" || env("DEMO", "") == "1", "load the demo county and show demo accounts")
	fs.BoolVar(&c.secureCookies, "secure-cookies", env("SECURE_COOKIES", "") == "true", "mark cookies Secure (behind HTTPS)")
	fs.StringVar(&c.logLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error")
	c.smtp = env("SMTP", "")
	fs.Var(redacted{&c.smtp}, "smtp", "mail server `url` for notifications: smtp://USER:PASS@HOST:587?starttls=required|opportunistic|none or smtps://USER:PASS@HOST:465; empty: no e-mail")
	fs.StringVar(&c.mailFrom, "mail-from", env("MAIL_FROM", ""), "sender address of notification e-mail, e.g. noreply@school.example.cn")
	fs.StringVar(&c.baseURL, "base-url", env("BASE_URL", ""), "public address of the site, for links in e-mail, e.g. https://gongkai.example.cn")
	fs.StringVar(&c.pdfFont, "pdf-font", env("PDF_FONT", notice.DefaultFont), "TrueType font (.ttf, not .ttc or CFF .otf) with Chinese characters for the PDF of printed notices (Debian: fonts-droid-fallback); without one, notices print from the browser only")
	// A soft limit keeps a small machine's memory flat under a rush of
	// readers: the garbage collector works harder instead of the heap
	// doubling. Go's own GOMEMLIMIT, when set, is left to rule.
	memDefault := 160
	if getenv("GOMEMLIMIT") != "" {
		memDefault = 0
	}
	if v, err := strconv.Atoi(env("MEMORY_LIMIT", "")); err == nil {
		memDefault = v
	}
	cacheDefault := 48
	if v, err := strconv.Atoi(env("PAGE_CACHE", "")); err == nil && v > 0 {
		cacheDefault = v
	}
	fs.StringVar(&c.witnessURL, "witness-url", env("WITNESS_URL", ""), "the bureau's witness when it runs on another gongkai (`url` of its /witness, C2SP tlog-witness); empty: this instance's own witness")
	fs.StringVar(&c.witnessKey, "witness-key", env("WITNESS_KEY", ""), "the cosignature verifier key of --witness-url (the line its /witness/key serves)")
	fs.IntVar(&c.pageCache, "page-cache", cacheDefault, "memory for rendered public pages in MiB, kept gzipped (about 20,000 pages in 48)")
	fs.IntVar(&c.memoryLimit, "memory-limit", memDefault, "soft limit of gongkai's heap in MiB (0: none; GOMEMLIMIT, when set, is used instead)")
}

// redacted is a string flag whose value, printed as the default by -h and
// after a bad flag, has its secret key hidden.
type redacted struct{ s *string }

func (v redacted) String() string {
	if v.s == nil {
		return ""
	}
	return files.Redact(*v.s)
}

func (v redacted) Set(s string) error { *v.s = s; return nil }

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, args := args[0], args[1:]
	if cmd == "verify" {
		return runVerify(ctx, args, getenv, stdout, stderr)
	}
	if cmd == "version" {
		if len(args) > 0 {
			return fmt.Errorf("usage: gongkai version")
		}
		currentBuildInfo().write(stdout)
		return nil
	}
	var cfg config
	fs := flag.NewFlagSet("gongkai "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, getenv)
	var user userFlags
	var setup setupFlags
	var backupTo string
	if cmd == "backup" {
		fs.StringVar(&backupTo, "to", "", "the new file to write the copy to")
	}
	userCmd := ""
	if cmd == "setup" {
		setup.flags(fs)
	}
	if cmd == "user" {
		if len(args) == 0 || (args[0] != "create" && args[0] != "reset-password") {
			return fmt.Errorf("usage: gongkai user create ... | gongkai user reset-password --username NAME")
		}
		userCmd, args = args[0], args[1:]
		user.flags(fs)
	}
	var school schoolFlags
	if cmd == "school" {
		if len(args) == 0 || args[0] != "import" {
			return fmt.Errorf("usage: gongkai school import --file F.xlsx [--bureau ID]")
		}
		args = args[1:]
		school.flags(fs)
	}
	var witness witnessFlags
	if cmd == "witness" {
		if len(args) == 0 || args[0] != "add-log" {
			return fmt.Errorf("usage: gongkai witness add-log --origin ORIGIN --key VKEY [--bureau ID]")
		}
		args = args[1:]
		witness.flags(fs)
	}
	var ledgerCmd ledgerFlags
	if cmd == "ledger" {
		if len(args) == 0 || args[0] != "rotate-key" {
			return fmt.Errorf("usage: gongkai ledger rotate-key --school SLUG")
		}
		args = args[1:]
		ledgerCmd.flags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return fmt.Errorf("bad --log-level %q", cfg.logLevel)
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))

	switch cmd {
	case "serve", "migrate", "demo", "user", "backup", "setup", "school", "witness", "ledger":
	case "healthcheck":
		return healthcheck(ctx, cfg.addr, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
	db, err := store.Open(ctx, cfg.db, log)
	if err != nil {
		return err
	}
	defer db.Close()
	days, years := calendar.Seed()
	if err := db.SeedCalendar(ctx, "CN", days, years); err != nil {
		return err
	}
	switch cmd {
	case "migrate":
		fmt.Fprintln(stdout, "migrations are up to date")
		return nil
	case "user":
		if userCmd == "reset-password" {
			return resetPassword(ctx, cfg, db, user.username, stdout, log)
		}
		return user.create(ctx, db, getenv, stdin, stdout)
	case "setup":
		return setup.run(ctx, db, getenv, stdin, stdout)
	case "school":
		return school.importList(ctx, db, stdout)
	case "witness":
		return witness.addLog(ctx, db, stdout)
	case "ledger":
		return ledgerCmd.rotateKey(ctx, cfg, db, log, stdout)
	case "backup":
		start := time.Now()
		if err := db.Backup(ctx, backupTo); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backup written to %s in %.1f s; copy the attachments (--data or the S3 bucket) and the log keys (--data/ledger-keys) as well\n", backupTo, time.Since(start).Seconds())
		return nil
	}
	blobs, err := files.Open(ctx, cfg.files, cfg.data)
	if err != nil {
		return err
	}
	log.Info("attachments", "store", fmt.Sprint(blobs))
	if cmd == "demo" || cfg.demo {
		start := time.Now()
		if err := demo.Load(ctx, db, blobs, time.Now()); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		log.Info("demo data ready", "ms", time.Since(start).Milliseconds())
		if cmd == "demo" {
			printDemoAccounts(stdout, "")
			return nil
		}
	}
	return serve(ctx, cfg, db, blobs, log, stdout)
}

func serve(ctx context.Context, cfg config, db *store.DB, blobs files.Store, log *slog.Logger, stdout io.Writer) error {
	if cfg.memoryLimit > 0 {
		debug.SetMemoryLimit(int64(cfg.memoryLimit) << 20)
	}
	if cfg.dbReplica != "" {
		if err := db.AttachReplica(ctx, cfg.dbReplica); err != nil {
			return err
		}
	}
	dispatcher, err := notify.New(notify.Config{SMTP: cfg.smtp, From: cfg.mailFrom, BaseURL: cfg.baseURL}, db, log)
	if err != nil {
		return err
	}
	proxies, err := web.ParseTrustedProxies(cfg.trustedProxies)
	if err != nil {
		return err
	}
	webCfg := web.Config{Demo: cfg.demo, SecureCookies: cfg.secureCookies, PageCacheMB: cfg.pageCache, BaseURL: cfg.baseURL, TrustedProxies: proxies, PDFFont: cfg.pdfFont}
	if cfg.demo {
		for _, a := range demo.Accounts() {
			webCfg.DemoAccounts = append(webCfg.DemoAccounts, web.DemoAccount{Group: a.Group, Username: a.Username, Roles: a.Roles, Department: a.Department})
		}
	}
	if dispatcher.MailEnabled() {
		webCfg.Mail = dispatcher
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	// The logs' and the witness's names take the site's host: --base-url,
	// or the address it listens on.
	host := cfg.baseURL
	if host == "" {
		host = url
	}
	wit, err := ledger.OpenWitness(db, witnessKeyDir(cfg), host, log)
	if err != nil {
		_ = ln.Close() // the witness's error is the one to report
		return err
	}
	webCfg.Witness = wit
	srv, err := web.New(webCfg, db, blobs, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of 20 MB on slow school networks
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	var mln net.Listener
	var ms *http.Server
	if cfg.metricsAddr != "" {
		if mln, ms, err = metricsServer(cfg.metricsAddr, srv); err != nil {
			_ = ln.Close() // the metrics listener's error is the one to report
			return err
		}
	}
	log.Info("gongkai listening", "url", url, "db", db.Dialect(), "version", currentBuildInfo().Version)
	if mln != nil {
		log.Info("metrics listening", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	if cfg.demo {
		printDemoAccounts(stdout, url)
	} else {
		base := cfg.baseURL
		if base == "" {
			base = url
		}
		if err := offerSetup(ctx, db, base, stdout); err != nil {
			return err
		}
	}
	seq, err := newSequencer(cfg, db, host, log)
	if err != nil {
		return err
	}
	push, err := newPusher(cfg, db, wit, log)
	if err != nil {
		return err
	}
	seq.AfterSign = push.AfterSign
	// The background work stops with ctx; serve returns only once it has,
	// so the database is never closed under a delivery in flight.
	var background sync.WaitGroup
	background.Go(func() { seq.Run(ctx, 5*time.Second) })  // the schools' log keys and checkpoints
	background.Go(func() { push.Run(ctx, 5*time.Second) }) // the witness's cosignatures
	background.Go(func() { housekeeping(ctx, db, blobs, log) })
	background.Go(func() { db.Listen(ctx) }) // other nodes' changes drop this node's cached pages
	// Notifications, e-mail and webhooks from the outbox; overdue cases; the weekly digest.
	background.Go(func() { dispatcher.Run(ctx) })
	defer background.Wait()
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	servers := []*http.Server{hs}
	if ms != nil {
		go func() { errc <- ms.Serve(mln) }()
		servers = append(servers, ms)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}

// metricsServer listens on addr for Prometheus at /metrics and nothing
// else. The metrics are not on the site's listener: they tell how busy
// each route is and how the database pools fare, which is the operator's
// business, and a scraper needs no way through nginx to reach them.
func metricsServer(addr string, srv *web.Server) (net.Listener, *http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", srv.MetricsHandler())
	return ln, &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}, nil
}

// housekeeping closes publicity periods as they end and drops expired
// sessions and uploaded school lists, once a minute.
func housekeeping(ctx context.Context, db *store.DB, blobs files.Store, log *slog.Logger) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if closed, err := db.CloseEndedPeriods(ctx); err != nil {
			if ctx.Err() == nil {
				log.Error("close ended periods", "err", err)
			}
		} else if len(closed) > 0 {
			log.Info("publicity periods ended", "items", len(closed))
		}
		if _, err := db.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			log.Error("delete expired sessions", "err", err)
		}
		// An uploaded school list holds principals' names: kept a day at most.
		if _, err := db.DeleteExpiredSchoolImports(ctx); err != nil && ctx.Err() == nil {
			log.Error("delete expired school imports", "err", err)
		}
		// Sign-in buckets refill within minutes; an idle one is a full one.
		if _, err := db.DeleteIdleRateLimits(ctx, time.Hour); err != nil && ctx.Err() == nil {
			log.Error("delete idle rate limits", "err", err)
		}
		// A redacted file that the file store could not delete at once.
		if _, err := db.RetryRedactedFiles(ctx, blobs); err != nil && ctx.Err() == nil {
			log.Error("delete redacted files", "err", err)
		}
		obligationsDaily(ctx, db, log)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func printDemoAccounts(w io.Writer, url string) {
	if url != "" {
		fmt.Fprintf(w, "\ngongkai is running at %s\n", url)
	}
	fmt.Fprintf(w, "\nDemo accounts (password %s):\n", demo.Password)
	fmt.Fprintln(w, "  bureau.admin            教育局管理员 (bureau administrator)")
	fmt.Fprintln(w, "  bureau.inspector        教育局督查员 (bureau inspector)")
	for _, s := range demo.Schools() {
		fmt.Fprintf(w, "  %-22s  %s: ", s.Slug+".*", s.Name)
		var names []string
		for _, p := range s.People {
			names = append(names, p.Login)
		}
		fmt.Fprintln(w, strings.Join(names, " "))
	}
	fmt.Fprintln(w, "  e.g. xiangqian.clerk, xiangqian.principal, xiangqian.parent")
	fmt.Fprintln(w)
}

type userFlags struct {
	username, name, school, roles, bureauRole, password string
	bureau                                              int64
}

func (u *userFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&u.username, "username", "", "sign-in name")
	fs.StringVar(&u.name, "name", "", "display name (姓名)")
	fs.StringVar(&u.school, "school", "", "school slug")
	fs.StringVar(&u.roles, "role", "", "comma-separated school roles: principal, leader, supervisor, clerk, staff, representative, parent")
	fs.StringVar(&u.bureauRole, "bureau-role", "", "bureau_admin or inspector")
	fs.Int64Var(&u.bureau, "bureau", 0, "bureau id for a bureau role (default: the first bureau)")
	fs.StringVar(&u.password, "password", "", "password (prefer GONGKAI_PASSWORD or standard input)")
}

func (u *userFlags) create(ctx context.Context, db *store.DB, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	pw := u.password
	if pw == "" {
		pw = getenv("GONGKAI_PASSWORD")
	}
	if pw == "" {
		fmt.Fprint(stdout, "Password: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("no password given")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if msg := gongkai.ValidatePassword(pw); msg != "" {
		return errors.New(msg)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	user := &gongkai.User{Username: u.username, DisplayName: u.name}
	switch {
	case u.bureauRole != "":
		user.BureauRole = gongkai.Role(u.bureauRole)
		user.BureauID = u.bureau
		if user.BureauID == 0 {
			bs, err := db.FindBureaus(ctx)
			if err != nil {
				return err
			}
			if len(bs) == 0 {
				return fmt.Errorf("no bureau exists yet")
			}
			user.BureauID = bs[0].ID
		}
		err = db.CreateBureauUser(ctx, nil, user, hash) // written to the admin log
	case u.school != "":
		school, err2 := db.FindSchoolBySlug(ctx, u.school)
		if err2 != nil {
			return fmt.Errorf("school %q: %w", u.school, err2)
		}
		var roles []gongkai.Role
		for _, r := range strings.Split(u.roles, ",") {
			if r = strings.TrimSpace(r); r != "" {
				roles = append(roles, gongkai.Role(r))
			}
		}
		err = db.CreateMember(ctx, school.ID, user, hash, roles, 0)
	default:
		return fmt.Errorf("give --school and --role, or --bureau-role")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %s (id %d)\n", user.Username, user.ID)
	return nil
}

// obligationsDaily, once a day on one node, creates the obligations of the
// coming three months for every school and sends the reminders of those
// due soon or overdue.
func obligationsDaily(ctx context.Context, db *store.DB, log *slog.Logger) {
	ok, err := db.ClaimSweep(ctx, "obligations", 24*time.Hour)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			log.Error("obligations sweep", "err", err)
		}
		return
	}
	schools, err := db.FindSchools(ctx, 0)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("obligations: schools", "err", err)
		}
		return
	}
	today := db.Now()
	for _, s := range schools {
		if _, err := db.EnsureObligations(ctx, s.ID, today, today.AddDate(0, 3, 0)); err != nil && ctx.Err() == nil {
			log.Error("ensure obligations", "school", s.Slug, "err", err)
		}
	}
	if n, err := db.RemindObligations(ctx); err != nil && ctx.Err() == nil {
		log.Error("remind obligations", "err", err)
	} else if n > 0 {
		log.Info("obligation reminders", "events", n)
	}
}
