// Package e2e drives gongkai in headless Chromium, as its users would:
// a real gongkai process on loopback, a real browser, screenshots kept in
// e2e/artifacts/ for people to look at.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

var binary string // the gongkai binary built for these tests

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gongkai-e2e-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "gongkai")
	build := exec.Command("go", "build", "-o", binary, "gongkai/cmd/gongkai")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build gongkai:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running gongkai process.
type server struct {
	URL     string
	Metrics string // the metrics listener's /metrics
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has exited
}

// startServer runs `gongkai serve --demo` on a free loopback port against
// a fresh database of the dialect and waits until it listens.
func startServer(t *testing.T, dialect string) *server {
	t.Helper()
	return launch(t, testdb.New(t, dialect), t.TempDir())
}

// launch runs `gongkai serve --demo` on a free loopback port against the
// database dsn with its files under data, and waits until it listens. The
// process is stopped when the test ends, unless it has exited before.
func launch(t *testing.T, dsn, data string) *server {
	t.Helper()
	s, _ := launchUntil(t, dsn, data, true, regexp.MustCompile(`running at (\S+)`))
	return s
}

// launchUntil runs `gongkai serve`, with the demo or on the database as it
// is, and waits for the first line of its standard output that ready
// matches: its first group is the server's address, and the line's matches
// are returned.
func launchUntil(t *testing.T, dsn, data string, demo bool, ready *regexp.Regexp) (*server, []string) {
	t.Helper()
	metrics := freeAddr(t)
	args := []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", metrics, "--db", dsn, "--data", data, "--log-level", "warn"}
	if demo {
		args = append(args, "--demo")
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "GONGKAI_DB=", "GONGKAI_ADDR=", "GONGKAI_DEMO=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(t.TempDir(), "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, exited: make(chan struct{}), Metrics: "http://" + metrics + "/metrics"}
	go func() { cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-s.exited
		}
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logFile.Name())
			t.Logf("server log:\n%s", b)
		}
	})
	found := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := ready.FindStringSubmatch(sc.Text()); m != nil {
				found <- m
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout) // keeps the pipe from filling; ends with the process
	}()
	select {
	case m := <-found:
		s.URL = strings.TrimSpace(m[1])
		return s, m
	case <-s.exited:
		t.Fatalf("gongkai exited before it was ready: %v", cmd.ProcessState)
	case <-time.After(120 * time.Second):
		t.Fatal("gongkai was not ready within 2 minutes")
	}
	return nil, nil
}

// freeAddr is a loopback address with a port free at the moment, for a
// listener whose address the server does not print (--metrics-addr).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// browser returns a chromedp context for a fresh headless Chromium with the
// viewport, closed when the test ends.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	path := os.Getenv("GONGKAI_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("GONGKAI_TEST_POSTGRES") != "" {
			t.Fatalf("Chromium not found at %s; make test installs it", path)
		}
		t.Skipf("Chromium not found at %s; make test installs it", path)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A guard against a hung browser, not a speed limit: under -race, with
	// other packages' tests on the same cores, a whole flow with its
	// accessibility checks has taken over three minutes.
	ctx, cancelTimeout := context.WithTimeout(ctx, 10*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// screenshot saves a full-page PNG under e2e/artifacts/.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := "artifacts"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+"_"+name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// do runs chromedp steps and fails the test with the step's name.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		screenshot(t, ctx, "failed")
		t.Fatalf("%s: %v", step, err)
	}
}
