package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gongkai/internal/testdb"
)

// gongkai setup sets the county up once from the command line; the second
// time it is refused and changes nothing.
func TestRun_setup(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		env := map[string]string{"GONGKAI_DB": dsn, "GONGKAI_DATA": t.TempDir()}
		getenv := func(k string) string { return env[k] }
		ctx := context.Background()
		args := []string{"setup", "--bureau", "青禾县教育局", "--region", "350121", "--phone", "0591-22345678", "--admin", "qh.admin", "--name", "林晓",
			"--address", "青禾县城关镇解放路 1 号", "--sponsor", "青禾县人民政府", "--icp", "闽ICP备12345678号", "--psb", "闽公网安备 35012102000123号"}

		// Bad particulars are named by their flags, before any password.
		var out bytes.Buffer
		bad := append([]string{}, args...)
		bad[4], bad[6] = "3501", "0591-ABC"
		err := run(ctx, bad, getenv, strings.NewReader(""), &out, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--region: 行政区划代码须为 6 位数字") || !strings.Contains(err.Error(), "--phone: 监督举报电话只能包含数字") {
			t.Fatalf("bad setup: %v", err)
		}
		// The password comes on standard input here; a short one is refused.
		if err := run(ctx, args, getenv, strings.NewReader("short\n"), &out, io.Discard); err == nil || !strings.Contains(err.Error(), "10") {
			t.Fatalf("short password: %v", err)
		}
		out.Reset()
		if err := run(ctx, args, getenv, strings.NewReader("a long enough password\n"), &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "初始设置已完成") || !strings.Contains(out.String(), "qh.admin") {
			t.Fatalf("setup output: %q", out.String())
		}
		// A second setup, by command or by another county's particulars, is refused.
		env["GONGKAI_PASSWORD"] = "another long password"
		other := append([]string{}, args...)
		other[2], other[10] = "白沙县教育局", "second.admin"
		err = run(ctx, other, getenv, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "已完成初始设置") {
			t.Fatalf("second setup: %v", err)
		}
		// The administrator set up is the one who signs in; a bureau user
		// created afterwards is written to the admin log.
		if err := run(ctx, []string{"user", "create", "--username", "qh.inspector", "--name", "陈督", "--bureau-role", "inspector"}, getenv, nil, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		base, stop := startServe(t, env)
		defer stop()
		c := signedIn(t, base, "qh.admin", "a long enough password")
		if c == nil {
			t.Fatal("the administrator set up on the command line cannot sign in")
		}
		if signedIn(t, base, "second.admin", "another long password") != nil {
			t.Fatal("the refused setup's administrator signs in")
		}
		body := getBody(t, c, base+"/bureau/log")
		for _, want := range []string{"初始化设置", "命令行", "新建账号", "陈督（qh.inspector）"} {
			if !strings.Contains(body, want) {
				t.Errorf("admin log lacks %q", want)
			}
		}
		if body := getBody(t, http.DefaultClient, base+"/"); !strings.Contains(body, "闽ICP备12345678号") || strings.Contains(body, "白沙县") {
			t.Errorf("home page footer after the setups:\n%s", body)
		}
	})
}

// gongkai serve on an empty database prints a setup link on standard
// output, and nowhere else; the link opens the setup page, and sets the
// county up; each start adds a link, and any works until one is used.
func TestRun_serveSetupLink(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		env := map[string]string{"GONGKAI_DB": dsn, "GONGKAI_DATA": t.TempDir(), "GONGKAI_LOG_LEVEL": "debug"}
		link := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/setup/([A-Za-z0-9_-]{43})\n`)
		ctx, cancel := context.WithCancel(context.Background())
		stdout, stderr := newSyncBuffer(), newSyncBuffer()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, strings.NewReader(""), stdout, stderr)
		}()
		var m []string
		for deadline := time.Now().Add(60 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			m = link.FindStringSubmatch(stdout.String())
			select {
			case err := <-done:
				t.Fatalf("run ended early: %v\n%s", err, stderr.String())
			default:
			}
		}
		if m == nil {
			t.Fatalf("no setup link printed:\n%s\n%s", stdout.String(), stderr.String())
		}
		base, token := m[1], m[2]
		if !strings.Contains(stdout.String(), "本系统尚未设置") {
			t.Errorf("the link is not explained:\n%s", stdout.String())
		}
		// A second start (a second node) adds its own link.
		_, stop2 := startServe(t, env)
		stop2()

		if body := getBody(t, http.DefaultClient, m[0][:len(m[0])-1]); !strings.Contains(body, "设置向导") {
			t.Fatalf("the printed link does not open the setup page:\n%s", body)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.PostForm(base+"/setup/"+token, url.Values{"name": {"青禾县教育局"}, "division_code": {"350121"}, "phone": {"0591-22345678"},
			"username": {"qh.admin"}, "display_name": {"林晓"}, "password": {"a long enough password"}, "password2": {"a long enough password"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Request.URL.Path != "/bureau/" || !strings.Contains(string(b), "初始设置已完成") {
			t.Fatalf("setup through the printed link: %d %s\n%s", resp.StatusCode, resp.Request.URL, b)
		}
		resp, _ = http.Get(base + "/setup/" + token)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("the used link: %d, want 404", resp.StatusCode)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("shutdown: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("server did not shut down")
		}
		if strings.Contains(stderr.String(), token) {
			t.Errorf("the setup token is in the log:\n%s", stderr.String())
		}
		if !strings.Contains(stderr.String(), "/setup/…") {
			t.Errorf("the setup requests were not logged (debug):\n%s", stderr.String())
		}
		// Once set up, a start prints no link.
		out, stop3 := startServeOutput(t, env)
		stop3()
		if strings.Contains(out(), "/setup/") {
			t.Errorf("a start after setup printed a link:\n%s", out())
		}
	})
}

// startServe runs gongkai serve on a free port with the environment and
// returns its address and a function that stops it.
func startServe(t *testing.T, env map[string]string) (string, func()) {
	t.Helper()
	out, stop := startServeOutput(t, env)
	m := regexp.MustCompile(`"url":"(http://127\.0\.0\.1:\d+)"`).FindStringSubmatch(out())
	if m == nil {
		stop()
		t.Fatal("no address logged")
	}
	return m[1], stop
}

// startServeOutput runs gongkai serve until /healthz answers and returns its
// standard output and log so far, and a function that stops it.
func startServeOutput(t *testing.T, env map[string]string) (func() string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, strings.NewReader(""), stdout, stderr)
	}()
	listening := regexp.MustCompile(`"url":"(http://127\.0\.0\.1:\d+)"`)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			if resp, err := http.Get(m[1] + "/healthz"); err == nil {
				resp.Body.Close()
				break
			}
		}
	}
	stop := func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("server did not shut down")
		}
	}
	return func() string { return stdout.String() + stderr.String() }, stop
}

// signedIn returns a client signed in with the password, or nil.
func signedIn(t *testing.T, base, username, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil
	}
	return c
}

func getBody(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
