package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"gongkai/internal/demo"
	"gongkai/internal/testdb"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while
// the test reads.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// TestRun_serveDemo starts the real server through run() on a free port with
// the demo data, waits for /healthz, signs in as a demo account, and shuts
// down gracefully when the context ends.
func TestRun_serveDemo(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx, cancel := context.WithCancel(context.Background())
		dataDir := t.TempDir()
		env := map[string]string{"GONGKAI_DB": dsn, "GONGKAI_DATA": dataDir}
		stdout, stderr := newSyncBuffer(), newSyncBuffer()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, strings.NewReader(""), stdout, stderr)
		}()
		addr := regexp.MustCompile(`running at (http://127\.0\.0\.1:\d+)`)
		var base string
		for deadline := time.Now().Add(60 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if m := addr.FindStringSubmatch(stdout.String()); m != nil {
				base = m[1]
			}
			select {
			case err := <-done:
				t.Fatalf("run ended early: %v\n%s", err, stderr.String())
			default:
			}
		}
		if base == "" {
			t.Fatalf("server did not start:\n%s", stderr.String())
		}
		resp, err := http.Get(base + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz: %v %v", resp, err)
		}
		resp.Body.Close()
		// gongkai healthcheck, as the container's HEALTHCHECK runs it: with
		// the wildcard address the server listens on there.
		port := base[strings.LastIndex(base, ":")+1:]
		var hc bytes.Buffer
		if err := run(ctx, []string{"healthcheck", "--addr", "0.0.0.0:" + port}, func(string) string { return "" }, nil, &hc, io.Discard); err != nil || !strings.Contains(hc.String(), "ok") {
			t.Fatalf("healthcheck of a running server: %v %q", err, hc.String())
		}
		// Prometheus metrics answer on their own listener, not on the site's.
		if resp, err := http.Get(base + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
			t.Fatalf("/metrics on the site's listener: %v %v, want 404", resp, err)
		} else {
			resp.Body.Close()
		}
		m := regexp.MustCompile(`"metrics listening","url":"(http://127\.0\.0\.1:\d+/metrics)"`).FindStringSubmatch(stderr.String())
		if m == nil {
			t.Fatalf("no metrics listener logged:\n%s", stderr.String())
		}
		resp, err = http.Get(m[1])
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("metrics listener: %v %v", resp, err)
		}
		mb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(mb), `gongkai_http_requests_total{route="GET /healthz",status="200"}`) {
			t.Errorf("the metrics listener does not count the site's requests:\n%.500s", mb)
		}
		if !strings.Contains(stdout.String(), "xiangqian") || !strings.Contains(stdout.String(), "gongkai-demo") {
			t.Errorf("demo accounts not printed:\n%s", stdout.String())
		}
		// The login page of the demo lists every demo account.
		resp, err = http.Get(base + "/login")
		if err != nil {
			t.Fatal(err)
		}
		lb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, a := range demo.Accounts() {
			if !strings.Contains(string(lb), "<code>"+a.Username+"</code>") {
				t.Errorf("the demo's login page does not list %s", a.Username)
			}
		}
		// The demo's publications are in the school's log, signed at start.
		var checkpoint string
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if resp, err := http.Get(base + "/s/xiangqian/log/checkpoint"); err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					checkpoint = string(b)
					break
				}
			}
		}
		if !regexp.MustCompile(`^127\.0\.0\.1:\d+/s/xiangqian/log\n[1-9]\d*\n`).MatchString(checkpoint) {
			t.Errorf("no signed checkpoint of the demo school's log: %q", checkpoint)
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err = c.PostForm(base+"/login", url.Values{"username": {"xiangqian.clerk"}, "password": {"gongkai-demo"}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("demo login: %v %v", resp, err)
		}
		resp.Body.Close()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("shutdown: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("server did not shut down")
		}
		if err := run(context.Background(), []string{"healthcheck"}, func(k string) string { return map[string]string{"GONGKAI_ADDR": "127.0.0.1:" + port}[k] }, nil, io.Discard, io.Discard); err == nil {
			t.Error("healthcheck passed after the server stopped")
		}
		if strings.Contains(stderr.String(), `"level":"ERROR"`) {
			t.Errorf("errors logged:\n%s", stderr.String())
		}
		// The log's key is rotated offline; the new key file is under --data.
		var out bytes.Buffer
		if err := run(context.Background(), []string{"ledger", "rotate-key", "--school", "xiangqian"}, func(k string) string { return env[k] }, nil, &out, io.Discard); err != nil {
			t.Fatalf("rotate-key: %v", err)
		}
		keys, _ := filepath.Glob(filepath.Join(dataDir, "ledger-keys", "*.key"))
		if !strings.Contains(out.String(), "/s/xiangqian/log+") || len(keys) < 2 {
			t.Errorf("rotate-key printed %q and left %d key files", out.String(), len(keys))
		}
		if err := run(context.Background(), []string{"ledger", "rotate-key", "--school", "nowhere"}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard); err == nil {
			t.Error("rotating the key of a school that does not exist passed")
		}
	})
}

func TestRun_userCreateAndMigrate(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "g.db")
	env := map[string]string{"GONGKAI_DB": dsn, "GONGKAI_DATA": t.TempDir(), "GONGKAI_PASSWORD": "a long enough password"}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	ctx := context.Background()
	if err := run(ctx, []string{"demo"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"migrate"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"user", "create", "--username", "new.clerk", "--name", "新经办人", "--school", "xiangqian", "--role", "clerk,staff"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "created user new.clerk") {
		t.Fatalf("output %q", out.String())
	}
	// The password may also come on standard input; a short one is refused.
	delete(env, "GONGKAI_PASSWORD")
	err := run(ctx, []string{"user", "create", "--username", "short.pw", "--name", "甲", "--school", "xiangqian", "--role", "staff"}, getenv, strings.NewReader("short\n"), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "10") {
		t.Fatalf("short password accepted: %v", err)
	}
	if err := run(ctx, []string{"user", "create", "--username", "x.y", "--name", "乙", "--school", "nope", "--role", "staff"}, getenv, strings.NewReader("another long password\n"), io.Discard, io.Discard); err == nil {
		t.Fatal("unknown school accepted")
	}
	if err := run(ctx, []string{"bogus"}, getenv, nil, io.Discard, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}

	// A backup is a database gongkai opens with the demo's users in it.
	backup := filepath.Join(t.TempDir(), "backup.db")
	out.Reset()
	if err := run(ctx, []string{"backup", "--to", backup}, getenv, nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "backup written") {
		t.Fatalf("backup: %v %q", err, out.String())
	}
	env["GONGKAI_DB"] = "sqlite:" + backup
	env["GONGKAI_PASSWORD"] = "a long enough password"
	if err := run(ctx, []string{"user", "create", "--username", "new.clerk", "--name", "新经办人", "--school", "xiangqian", "--role", "clerk"}, getenv, nil, io.Discard, io.Discard); err == nil {
		t.Fatal("the backup lacks the user created before it")
	}
	if err := run(ctx, []string{"backup", "--to", backup}, getenv, nil, io.Discard, io.Discard); err == nil {
		t.Fatal("a backup over an existing file was not refused")
	}
}

// TestRun_version runs `gongkai version` as a user would: the first line
// names gongkai and its version, the last the Go release and the platform,
// and no database is opened for it.
func TestRun_version(t *testing.T) {
	getenv := func(k string) string {
		if k == "GONGKAI_DB" {
			return "postgres://nowhere.invalid/none" // would fail if opened
		}
		return ""
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !strings.HasPrefix(lines[0], "gongkai ") || len(lines[0]) <= len("gongkai ") {
		t.Errorf("first line %q, want gongkai and the version", lines[0])
	}
	if want := runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH; lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
	if err := run(context.Background(), []string{"version", "--json"}, getenv, nil, io.Discard, io.Discard); err == nil {
		t.Error("gongkai version --json accepted")
	}
	out.Reset()
	if err := run(context.Background(), nil, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"gongkai version", "gongkai healthcheck"} {
		if !strings.Contains(out.String(), "\n  "+cmd+" ") {
			t.Errorf("usage does not list %q:\n%s", cmd, out.String())
		}
	}
}
