package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gongkai/internal/demo"
	"gongkai/internal/testdb"
)

// TestNodes runs two gongkai nodes on one PostgreSQL database behind nginx,
// as a city would: a session made on one node works on the other, the
// sign-in limit per username is one for all nodes, a change published on
// one node drops the other's cached board at once (LISTEN/NOTIFY), and
// nginx spreads requests over both.
func TestNodes(t *testing.T) {
	requirePostgres(t)
	nginxBin := requireTool(t, "nginx", "/usr/sbin/nginx")
	dsn := testdb.New(t, "postgres")
	data := t.TempDir() // shared storage for attachments, as in production
	a := launch(t, dsn, data)
	b := launch(t, dsn, data) // after A: the demo data is loaded once
	lb := startNginx(t, nginxBin, a, b)
	nodeOf := map[string]string{hostPort(t, a.URL): "A", hostPort(t, b.URL): "B"}

	t.Run("session works on either node", func(t *testing.T) {
		form := url.Values{"username": {"xiangqian.clerk"}, "password": {demo.Password}, "next": {"/work"}}
		resp := call(t, "POST", lb.url+"/login", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
		if resp.status != http.StatusSeeOther {
			t.Fatalf("sign in through nginx: %d %s", resp.status, resp.body)
		}
		var cookie string
		for _, c := range resp.header.Values("Set-Cookie") {
			if strings.HasPrefix(c, "gk_session=") {
				cookie, _, _ = strings.Cut(c, ";")
			}
		}
		if cookie == "" {
			t.Fatalf("no session cookie in %v", resp.header)
		}
		served := map[string]int{}
		for range 4 {
			r := call(t, "GET", lb.url+"/work", nil, "Cookie", cookie)
			served[nodeOf[r.header.Get("X-Upstream")]]++
			if r.status != http.StatusOK {
				t.Fatalf("/work through nginx from node %s: %d, want 200 signed in", nodeOf[r.header.Get("X-Upstream")], r.status)
			}
		}
		if served["A"] == 0 || served["B"] == 0 {
			t.Fatalf("nginx sent the signed-in requests to %v, want both nodes", served)
		}
		for name, s := range map[string]*server{"A": a, "B": b} {
			if r := call(t, "GET", s.URL+"/work", nil, "Cookie", cookie); r.status != http.StatusOK {
				t.Fatalf("/work on node %s directly: %d, want 200", name, r.status)
			}
		}
	})

	t.Run("sign-in slowdown shared", func(t *testing.T) {
		// Each guesser's address is stopped by the node it talks to; the
		// failures per name add up in the database, so a name guessed at
		// on A and on B is slowed down on either, though neither node saw
		// enough failures alone.
		try := func(s *server, from string) (int, time.Duration) {
			d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
			c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
			req, _ := http.NewRequest("POST", s.URL+"/api/v1/auth/token", jsonBody(map[string]string{"username": "xiangqian.teacher", "password": "guess"}))
			req.Header.Set("Content-Type", "application/json")
			began := time.Now()
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode, time.Since(began)
		}
		for i := range 5 {
			if st, _ := try(a, "127.0.0.2"); st != http.StatusUnauthorized {
				t.Fatalf("wrong password %d on A: %d, want 401", i+1, st)
			}
		}
		if st, _ := try(a, "127.0.0.2"); st != http.StatusTooManyRequests {
			t.Fatalf("6th quick try from one address on A: %d, want 429", st)
		}
		for i := range 5 {
			if st, _ := try(b, "127.0.0.3"); st != http.StatusUnauthorized {
				t.Fatalf("wrong password %d on B: %d, want 401", i+1, st)
			}
		}
		st, took := try(b, "127.0.0.4")
		if st != http.StatusUnauthorized || took < 200*time.Millisecond {
			t.Fatalf("a fresh address on B after 10 failures on A and B: %d in %v, want 401 slowed down (the count per name must be shared by the nodes)", st, took)
		}
	})

	t.Run("publish on A, B shows it at once", func(t *testing.T) {
		board := b.URL + "/s/xiangqian/"
		title := fmt.Sprintf("两节点测试公示 %d", time.Now().UnixNano())
		id, publish := prepareItem(t, a.URL, title)
		// B renders the board and caches it for anonymous readers.
		first := call(t, "GET", board, nil)
		if first.status != http.StatusOK || strings.Contains(first.body, title) {
			t.Fatalf("board on B before publication: %d, shows the item: %v", first.status, strings.Contains(first.body, title))
		}
		before := publicReads(t, b.Metrics)
		if again := call(t, "GET", board, nil); again.status != http.StatusOK || publicReads(t, b.Metrics) != before {
			t.Fatalf("board on B read the database again: not served from its cache")
		}
		// A reader polls B's board while A publishes, to see when B learns
		// of the change: the cached board (before) or a fresh one (after).
		// B must drop its cached board within limit of A's answer; the
		// fresh board then takes what rendering takes on a busy machine.
		const limit = 100 * time.Millisecond
		type sighting struct {
			at          time.Time // the fresh board arrived
			asked, prev time.Time // it was asked for; the last stale one was
			reads       int
			err         error
		}
		seen := make(chan sighting, 1)
		go func() {
			giveUp := time.Now().Add(30 * time.Second)
			var prev time.Time
			for reads := 1; ; reads++ {
				asked := time.Now()
				resp, err := http.Get(board)
				if err != nil {
					seen <- sighting{err: err}
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode == http.StatusOK && strings.Contains(string(body), title) {
					seen <- sighting{at: time.Now(), asked: asked, prev: prev, reads: reads}
					return
				}
				prev = asked
				if time.Now().After(giveUp) {
					seen <- sighting{reads: reads}
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		sent := time.Now()
		publish()
		answered := time.Now()
		got := <-seen
		if got.err != nil {
			t.Fatalf("read the board on B: %v", got.err)
		}
		if got.at.IsZero() {
			t.Fatalf("board on B without the item 30 s after A answered the publication (%d reads)", got.reads)
		}
		if got.asked.Sub(answered) > limit {
			t.Fatalf("board on B still without the item when asked %v after A answered the publication (read %d; the one before %v after)",
				got.asked.Sub(answered), got.reads, got.prev.Sub(answered))
		}
		// Reads of the cached board take well under a millisecond; the
		// fresh one includes rendering it.
		r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
		t.Logf("publication on A took %v; B dropped its cached board between %v and %v after A answered (read %d of B's board), "+
			"and its fresh board arrived %v after A answered", r(answered.Sub(sent)), r(got.prev.Sub(answered)), r(got.asked.Sub(answered)),
			got.reads, r(got.at.Sub(answered)))
		if r := call(t, "GET", fmt.Sprintf("%s/s/xiangqian/d/%d", b.URL, id), nil); r.status != http.StatusOK || !strings.Contains(r.body, title) {
			t.Fatalf("item page on B: %d", r.status)
		}
	})

	t.Run("nginx alternates and every request succeeds", func(t *testing.T) {
		var order []string
		for i := range 20 {
			path := "/s/xiangqian/"
			if i%2 == 1 {
				path = "/api/v1/schools/xiangqian/disclosures"
			}
			r := call(t, "GET", lb.url+path, nil)
			if r.status != http.StatusOK {
				t.Fatalf("request %d (%s) through nginx: %d %s", i+1, path, r.status, r.body)
			}
			order = append(order, nodeOf[r.header.Get("X-Upstream")])
		}
		for i := 1; i < len(order); i++ {
			if order[i] == order[i-1] || order[i] == "" {
				t.Fatalf("nginx served %v, want A and B in turn", order)
			}
		}
	})

	stopProcess(t, "nginx", lb.cmd, lb.exited, syscall.SIGTERM)
	stopProcess(t, "node B", b.cmd, b.exited, syscall.SIGTERM)
	stopProcess(t, "node A", a.cmd, a.exited, syscall.SIGTERM)
}

// requirePostgres skips a test that needs PostgreSQL where none is set up,
// and fails it in CI, where one must be.
func requirePostgres(t *testing.T) {
	t.Helper()
	if os.Getenv("GONGKAI_TEST_POSTGRES") == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("GONGKAI_TEST_POSTGRES is not set in CI; scripts/test.sh sets it")
		}
		t.Skip("GONGKAI_TEST_POSTGRES is not set; make test sets it")
	}
}

// requireTool returns the path of a program, skipping the test when it is
// missing (failing in CI or under make test, which installs it).
func requireTool(t *testing.T, name string, fallback string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if _, err := os.Stat(fallback); err == nil {
		return fallback
	}
	if os.Getenv("CI") != "" || os.Getenv("GONGKAI_TEST_POSTGRES") != "" {
		t.Fatalf("%s not found; scripts/test.sh installs it", name)
	}
	t.Skipf("%s not found; scripts/test.sh installs it", name)
	return ""
}

// balancer is nginx in front of the nodes.
type balancer struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// startNginx runs nginx in the foreground with a generated configuration:
// round robin over the nodes on a free loopback port, every file it writes
// in a temporary directory. Each response names the node that served it in
// X-Upstream.
func startNginx(t *testing.T, bin string, nodes ...*server) *balancer {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	var upstream strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&upstream, "    server %s max_fails=0;\n", hostPort(t, n.URL))
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must reach the temporary directory
	}
	conf := fmt.Sprintf(`daemon off;
%s
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 256; }
http {
  access_log %[2]s/access.log;
  client_body_temp_path %[2]s/client_body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
  upstream gongkai {
%[3]s    keepalive 8;
  }
  server {
    listen 127.0.0.1:%[4]d;
    location / {
      proxy_pass http://gongkai;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_next_upstream off;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`, user, dir, upstream.String(), port)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", confPath)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	lb := &balancer{url: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(lb.exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-lb.exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-lb.exited
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx output:\n%s\nnginx error log:\n%s", out.String(), log)
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-lb.exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s\n%s", cmd.ProcessState, out.String(), log)
		default:
		}
		if resp, err := http.Get(lb.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return lb
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("nginx did not answer within 20 s")
		}
	}
}

// stopProcess sends sig and checks that the process exits, and exits well.
func stopProcess(t *testing.T, name string, cmd *exec.Cmd, exited chan struct{}, sig os.Signal) {
	t.Helper()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Errorf("signal %s: %v", name, err)
	}
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Errorf("%s did not exit within 15 s of %v", name, sig)
		return
	}
	if !cmd.ProcessState.Success() {
		t.Errorf("%s exited with %v after %v", name, cmd.ProcessState, sig)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func hostPort(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

type response struct {
	status int
	header http.Header
	body   string
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// call makes one request; header holds name, value pairs.
func call(t *testing.T, method, target string, body io.Reader, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, target, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// publicReads returns the node's count of reads for public pages, by pool
// (gongkai_db_reads_total in /metrics): unchanged after a request means
// the page came from the node's cache.
func publicReads(t *testing.T, metrics string) (reads struct{ primary, replica float64 }) {
	t.Helper()
	r := call(t, "GET", metrics, nil)
	if r.status != http.StatusOK {
		t.Fatalf("/metrics: %d", r.status)
	}
	for _, line := range strings.Split(r.body, "\n") {
		var v float64
		if _, err := fmt.Sscanf(line, `gongkai_db_reads_total{pool="primary"} %g`, &v); err == nil {
			reads.primary = v
		} else if _, err := fmt.Sscanf(line, `gongkai_db_reads_total{pool="replica"} %g`, &v); err == nil {
			reads.replica = v
		}
	}
	return reads
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

// prepareItem takes a new item of the demo school xiangqian through the
// procedure on the node at base, up to the last step, with the API tokens
// of the demo roles, and returns its id and a func that publishes it.
func prepareItem(t *testing.T, base, title string) (int64, func()) {
	t.Helper()
	token := func(user string) string {
		r := call(t, "POST", base+"/api/v1/auth/token", jsonBody(map[string]string{"username": user, "password": demo.Password}),
			"Content-Type", "application/json")
		var out struct{ Token string }
		if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &out) != nil || out.Token == "" {
			t.Fatalf("token for %s: %d %s", user, r.status, r.body)
		}
		return out.Token
	}
	clerk, leader, principal, supervisor := token("xiangqian.clerk"), token("xiangqian.leader"), token("xiangqian.principal"), token("xiangqian.supervisor")
	api := func(tok, method, path string, in any) string {
		t.Helper()
		var body io.Reader
		if in != nil {
			body = jsonBody(in)
		}
		r := call(t, method, base+path, body, "Authorization", "Bearer "+tok, "Content-Type", "application/json")
		if r.status != http.StatusOK && r.status != http.StatusCreated {
			t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
		}
		return r.body
	}
	var d struct{ ID int64 }
	created := api(clerk, "POST", "/api/v1/schools/xiangqian/disclosures", map[string]any{
		"title": title, "body": "## 收入\n\n合计 ¥12,000.00 元。", "catalogue_code": "monthly-finance",
		"contact": "0591-5550023", "channels": []string{"online", "board"}, "publicity_days": 5,
	})
	if err := json.Unmarshal([]byte(created), &d); err != nil || d.ID == 0 {
		t.Fatalf("create: %s", created)
	}
	item := fmt.Sprintf("/api/v1/disclosures/%d", d.ID)
	api(clerk, "POST", item+"/submit", nil)
	api(leader, "POST", item+"/comment", map[string]string{"comment": "同意公开"})
	api(principal, "POST", item+"/approve", nil)
	api(supervisor, "POST", item+"/check", map[string]string{"comment": "审核无误"})
	return d.ID, func() { api(clerk, "POST", item+"/publish", nil) }
}
