package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"gongkai/internal/testdb"
)

// instance is a gongkai serve on 127.0.0.1:0 in a process of its own: the
// test binary run again as gongkai (TestMain).
type instance struct {
	base   string
	env    map[string]string
	stderr *syncBuffer
}

func startInstance(t *testing.T, env map[string]string, args ...string) *instance {
	t.Helper()
	stderr := newSyncBuffer()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = []string{asGongkai + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve ended with %v\n%s", err, stderr.String())
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("the server did not stop")
		}
	})
	listening := regexp.MustCompile(`"msg":"gongkai listening","url":"(http://127\.0\.0\.1:\d+)"`)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			return &instance{base: m[1], env: env, stderr: stderr}
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\n%s", err, stderr.String())
		default:
		}
	}
	t.Fatalf("server did not start:\n%s", stderr.String())
	return nil
}

func (in *instance) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(in.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}

// rawDB opens an instance's database behind gongkai's back.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err = sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	} else {
		db, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The tamper drill, between two gongkai processes with databases of their
// own: a school instance whose checkpoints the bureau's instance witnesses
// over HTTP. A published row changed behind gongkai's back makes
// `gongkai verify` fail naming the item; a log whose last entry was
// replaced is refused by the witness, which raises the alarm on the
// bureau's dashboard.
func TestWitness_tamperDrill(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) { tamperDrill(t, dialect) })
	}
}

func tamperDrill(t *testing.T, dialect string) {
	ctx := context.Background()
	// The bureau's instance, set up from empty.
	bureauDSN := testdb.New(t, dialect)
	benv := map[string]string{"GONGKAI_DB": bureauDSN, "GONGKAI_DATA": t.TempDir(), "GONGKAI_PASSWORD": "bureau password 2026"}
	if err := run(ctx, []string{"setup", "--bureau", "青禾县教育局", "--region", "350121", "--phone", "0591-22000000", "--admin", "jyj.admin", "--name", "林文"},
		func(k string) string { return benv[k] }, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	bureau := startInstance(t, benv)
	witnessKey := strings.TrimSpace(bureau.get(t, "/witness/key"))

	// The school's instance (the demo county), pushing to the bureau's witness.
	schoolDSN := testdb.New(t, dialect)
	senv := map[string]string{"GONGKAI_DB": schoolDSN, "GONGKAI_DATA": t.TempDir()}
	school := startInstance(t, senv, "--demo", "--witness-url", bureau.base+"/witness", "--witness-key", witnessKey)
	// The school's log key is made at start, in the background.
	var origin, logKey string
	for deadline := time.Now().Add(30 * time.Second); logKey == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var schools []map[string]string
		if err := json.Unmarshal([]byte(school.get(t, "/api/v1/schools")), &schools); err != nil {
			t.Fatal(err)
		}
		for _, s := range schools {
			if s["slug"] == "xiangqian" {
				origin, logKey = s["log_origin"], s["log_key"]
			}
		}
	}
	if logKey == "" {
		t.Fatal("no log key for xiangqian")
	}
	// The bureau registers the school's log; the school's next push is cosigned.
	var out bytes.Buffer
	if err := run(ctx, []string{"witness", "add-log", "--origin", origin, "--key", logKey}, func(k string) string { return benv[k] }, nil, &out, io.Discard); err != nil {
		t.Fatalf("witness add-log: %v", err)
	}
	name, _, _ := strings.Cut(witnessKey, "+")
	var checkpoint string
	for deadline := time.Now().Add(40 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if checkpoint = school.get(t, "/s/xiangqian/log/checkpoint"); strings.Contains(checkpoint, "— "+name+" ") {
			break
		}
	}
	if !strings.Contains(checkpoint, "— "+name+" ") {
		t.Fatalf("the school's checkpoint never carried the witness's cosignature:\n%s\n%s", checkpoint, school.stderr.String())
	}

	// An honest log verifies, cosignature included; the state is saved.
	state := t.TempDir()
	verify := func() (string, error) {
		var out bytes.Buffer
		err := run(ctx, []string{"verify", "--server", school.base, "--slug", "xiangqian", "--witness-key", witnessKey, "--state", state}, func(string) string { return "" }, nil, &out, io.Discard)
		return out.String(), err
	}
	report, err := verify()
	t.Logf("verify of the honest log:\n%s", report)
	if err != nil || !strings.Contains(report, "结果：一致") || !strings.Contains(report, "见证副署：有效") {
		t.Fatalf("verify of an honest log: %v\n%s", err, report)
	}

	tamperRow(t, school, schoolDSN, verify)
	tamperLog(t, bureau, school, schoolDSN, origin, checkpoint, verify)
}

// tamperRow changes a published item's body in the database.
func tamperRow(t *testing.T, school *instance, dsn string, verify func() (string, error)) {
	var list struct {
		Items []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(school.get(t, "/api/v1/schools/xiangqian/disclosures?per_page=5")), &list); err != nil || len(list.Items) == 0 {
		t.Fatalf("published items: %v", err)
	}
	item := list.Items[0]
	db := rawDB(t, dsn)
	if _, err := db.Exec(`UPDATE disclosures SET body = body || $1 WHERE id = $2`, "（金额改为 ¥9,999.00）", item.ID); err != nil {
		t.Fatal(err)
	}
	report, err := verify()
	t.Logf("verify after the row was changed:\n%s", report)
	if err == nil {
		t.Fatalf("verify passed a changed body:\n%s", report)
	}
	if want := fmt.Sprintf("事项 %d（%s）", item.ID, item.Title); !strings.Contains(report, want) || !strings.Contains(report, "正文") {
		t.Errorf("the report does not name the item %q and its body:\n%s", want, report)
	}
	// Asked about that item alone, the check fails too; asked about another, it passes.
	one := func(id int64) error {
		return run(context.Background(), []string{"verify", "--server", school.base, "--slug", "xiangqian", "--item", fmt.Sprint(id), "--state", ""}, func(string) string { return "" }, nil, io.Discard, io.Discard)
	}
	if err := one(item.ID); err == nil {
		t.Error("verify --item passed the changed item")
	}
	if len(list.Items) > 1 {
		if err := one(list.Items[1].ID); err != nil {
			t.Errorf("verify --item of an untouched item: %v", err)
		}
	}
}

// tamperLog replaces the last entry of the school's log (its hashes too,
// the head moved back), then lets the school sign the rewritten tree.
func tamperLog(t *testing.T, bureau, school *instance, dsn, origin, cosigned string, verify func() (string, error)) {
	db := rawDB(t, dsn)
	var schoolID, size int64
	if err := db.QueryRow(`SELECT s.id, h.size FROM schools s JOIN ledger_heads h ON h.school_id = s.id WHERE s.slug = 'xiangqian'`).Scan(&schoolID, &size); err != nil {
		t.Fatal(err)
	}
	last := size - 1
	var disclosureID int64
	var entry []byte
	if err := db.QueryRow(`SELECT disclosure_id, entry FROM ledger_entries WHERE school_id = $1 AND idx = $2`, schoolID, last).Scan(&disclosureID, &entry); err != nil {
		t.Fatal(err)
	}
	first := tlog.StoredHashIndex(0, last)
	forged := bytes.Replace(entry, []byte(`"version":`), []byte(`"version":9`), 1)
	reader := tlog.HashReaderFunc(func(ids []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ids))
		for i, id := range ids {
			var h []byte
			if err := db.QueryRow(`SELECT hash FROM ledger_hashes WHERE school_id = $1 AND id = $2`, schoolID, id).Scan(&h); err != nil {
				return nil, err
			}
			copy(out[i][:], h)
		}
		return out, nil
	})
	for _, q := range []string{
		`DELETE FROM ledger_entries WHERE school_id = $1 AND idx >= $2`,
		`DELETE FROM ledger_hashes WHERE school_id = $1 AND id >= $2`,
	} {
		arg := last
		if strings.Contains(q, "ledger_hashes") {
			arg = first
		}
		if _, err := db.Exec(q, schoolID, arg); err != nil {
			t.Fatal(err)
		}
	}
	hashes, err := tlog.StoredHashes(last, forged, reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := tlog.RecordHash(forged)
	if _, err := db.Exec(`INSERT INTO ledger_entries (school_id, idx, disclosure_id, version, action, entry, leaf_hash, created_at) VALUES ($1, $2, $3, 1, 'publish', $4, $5, 0)`,
		schoolID, last, disclosureID, forged, leaf[:]); err != nil {
		t.Fatal(err)
	}
	for i, h := range hashes {
		if _, err := db.Exec(`INSERT INTO ledger_hashes (school_id, id, hash) VALUES ($1, $2, $3)`, schoolID, first+int64(i), h[:]); err != nil {
			t.Fatal(err)
		}
	}
	// The checkpoint goes too, so that the school's sequencer signs the new tree.
	if _, err := db.Exec(`DELETE FROM ledger_checkpoints WHERE school_id = $1`, schoolID); err != nil {
		t.Fatal(err)
	}
	var forgedNote string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(school.base + "/s/xiangqian/log/checkpoint")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && string(b) != cosigned {
				forgedNote = string(b)
				break
			}
		}
	}
	if forgedNote == "" {
		t.Fatal("the school never signed the rewritten tree")
	}
	// Submitted by hand too: the witness refuses it.
	resp, err := http.Post(bureau.base+"/witness/add-checkpoint", "text/plain", strings.NewReader(fmt.Sprintf("old %d\n\n%s", size, forgedNote)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || resp.Header.Get("Content-Type") != "text/x.tlog.size" || string(b) != fmt.Sprintf("%d\n", size) {
		t.Errorf("the witness answered the rewritten tree %d %q %q, want 409 with the size it cosigned", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	// The bureau's administrator sees the alarm on the dashboard.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = c.PostForm(bureau.base+"/login", url.Values{"username": {"jyj.admin"}, "password": {"bureau password 2026"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("signing in to the bureau's site: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = c.Get(bureau.base + "/bureau/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "某校存证日志出现分叉，见证已拒绝签名") || !strings.Contains(string(page), origin) {
		h1 := regexp.MustCompile(`<h1[^>]*>[^<]*`).FindString(string(page))
		t.Errorf("the bureau's dashboard (%d, %q) shows no alarm; the witness logged:\n%s", resp.StatusCode, h1, grepLines(bureau.stderr.String(), "witness"))
	}
	// And the reader's own check fails: no cosignature, and a log that is
	// not the one verified before.
	report, err := verify()
	t.Logf("verify after the log was rewritten:\n%s", report)
	if err == nil || !strings.Contains(report, "没有见证") || !strings.Contains(report, "不一致") {
		t.Errorf("verify of the rewritten log: %v\n%s", err, report)
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
