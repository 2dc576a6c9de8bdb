package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"filippo.io/torchwood"

	"gongkai/internal/testdb"
)

// TestWitness_alarmOnDashboard: a school's own key signs a tree that does
// not extend the one the bureau's witness cosigned (as a school that
// rewrote its log would); the witness refuses, and the bureau's
// administrator finds the red alarm on the dashboard, with the evidence, on
// a phone and at a desk, and the witness page lists the school's log.
func TestWitness_alarmOnDashboard(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			data := t.TempDir()
			srv := launch(t, testdb.New(t, dialect), data)
			forgeCheckpoint(t, srv.URL, data)
			for _, size := range [][2]int{{390, 844}, {1280, 800}} {
				ctx := browser(t, size[0], size[1])
				login(t, ctx, srv.URL, "bureau.admin")
				do(t, ctx, "open the dashboard", chromedp.Navigate(srv.URL+"/bureau/"), chromedp.WaitVisible(css(".witness-alarms")))
				alert := text(t, ctx, ".witness-alarms")
				if !strings.Contains(alert, "某校存证日志出现分叉，见证已拒绝签名") || !strings.Contains(alert, "/log") {
					t.Errorf("the alarm says %q", alert)
				}
				checkAccessibility(t, ctx, "dashboard with an alarm")
				checkNoHorizontalScroll(t, ctx, "dashboard with an alarm")
				screenshot(t, ctx, fmt.Sprintf("dashboard_%d", size[0]))
				do(t, ctx, "open the witness page", chromedp.Click(css(`a[href="/bureau/witness"]`)), chromedp.WaitVisible(css("table.witness-logs")))
				checkAccessibility(t, ctx, "witness page")
				checkNoHorizontalScroll(t, ctx, "witness page")
				screenshot(t, ctx, fmt.Sprintf("witness_%d", size[0]))
			}
		})
	}
}

// forgeCheckpoint signs, with a school's key from --data, a bigger tree
// with an unrelated root and submits it with a proof that cannot hold.
func forgeCheckpoint(t *testing.T, base, data string) {
	t.Helper()
	// The schools' keys are made in the background at the first start.
	var signer note.Signer
	for deadline := time.Now().Add(60 * time.Second); signer == nil && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(data, "ledger-keys", "*.key"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			if s, err := note.NewSigner(strings.TrimSpace(string(b))); err == nil && strings.HasSuffix(s.Name(), "/s/xiangqian/log") {
				signer = s
			}
		}
	}
	if signer == nil {
		t.Fatal("no key of xiangqian under --data")
	}
	post := func(body string) (int, string) {
		resp, err := http.Post(base+"/witness/add-checkpoint", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// Wait until the witness has cosigned the school's log, and learn its size.
	var known int64
	for deadline := time.Now().Add(60 * time.Second); known == 0 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		signed, err := note.Sign(&note.Note{Text: torchwood.Checkpoint{Origin: signer.Name(), Tree: tlog.Tree{N: 1 << 20, Hash: tlog.Hash{1}}}.String()}, signer)
		if err != nil {
			t.Fatal(err)
		}
		if status, body := post("old 0\n\n" + string(signed)); status == http.StatusConflict {
			known, _ = strconv.ParseInt(strings.TrimSpace(body), 10, 64)
		}
	}
	if known == 0 {
		t.Fatal("the witness never cosigned the school's log")
	}
	signed, err := note.Sign(&note.Note{Text: torchwood.Checkpoint{Origin: signer.Name(), Tree: tlog.Tree{N: known + 3, Hash: tlog.Hash{3}}}.String()}, signer)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := post(fmt.Sprintf("old %d\n%s\n\n%s", known, tlog.Hash{9}, signed)); status != http.StatusUnprocessableEntity {
		t.Fatalf("the witness answered a forged proof %d %q, want 422", status, body)
	}
}
