package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/ledger"
	"gongkai/internal/store"
)

// harnessWitness is the harness site's witness, its key in a temporary
// directory.
func harnessWitness(tb testing.TB, db *store.DB) Witness {
	tb.Helper()
	w, err := ledger.OpenWitness(db, tb.TempDir(), "https://jyj.example.cn", nil)
	must(tb, err)
	return w
}

// The witness endpoint answers the protocol in plain text: refusals with
// their statuses, the size it holds as text/x.tlog.size, never a 500.
func TestWitness_endpoint(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		skey, vkey, err := note.GenerateKey(rand.Reader, "xq.example.cn/s/xq/log")
		must(t, err)
		v, err := note.NewVerifier(vkey)
		must(t, err)
		must(t, h.db.RegisterLedgerKey(ctx, store.LedgerKey{SchoolID: h.school.ID, Origin: v.Name(), VKey: vkey, KeyHash: v.KeyHash()}, false))
		signer, err := note.NewSigner(skey)
		must(t, err)
		sign := func(n int64, root tlog.Hash) string {
			b, err := note.Sign(&note.Note{Text: torchwood.Checkpoint{Origin: v.Name(), Tree: tlog.Tree{N: n, Hash: root}}.String()}, signer)
			must(t, err)
			return string(b)
		}
		c := h.client("")
		add := func(body string) (*http.Response, string) {
			return h.do(c, "POST", "/witness/add-checkpoint", "text/plain", strings.NewReader(body), nil)
		}
		resp, body := add("old 0\n\n" + sign(1, tlog.Hash{1}))
		if resp.StatusCode != 200 || !strings.HasPrefix(body, "— jyj.example.cn/witness ") {
			t.Fatalf("first checkpoint: %d %q", resp.StatusCode, body)
		}
		_, key := h.get(c, "/witness/key")
		wv, err := ledger.CosignatureVerifier(key)
		must(t, err)
		if _, err := note.Open([]byte(sign(1, tlog.Hash{1})+body), note.VerifierList(wv)); err != nil {
			t.Errorf("the cosignature does not verify with /witness/key: %v", err)
		}
		resp, body = add("old 0\n\n" + sign(2, tlog.Hash{2}))
		if resp.StatusCode != 409 || resp.Header.Get("Content-Type") != "text/x.tlog.size" || body != "1\n" {
			t.Errorf("stale old size: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		for _, tt := range []struct {
			name, body string
			status     int
		}{
			{"empty", "", 400},
			{"garbage", "\x00\xff\n\n\x00", 400},
			{"unknown log", "old 0\n\nelsewhere.example/log\n1\n" + tlog.Hash{}.String() + "\n\n— x AAAA\n", 404},
			{"too large", strings.Repeat("x", ledger.MaxWitnessRequest+10), 413},
			{"forged proof", "old 1\n" + tlog.Hash{7}.String() + "\n\n" + sign(3, tlog.Hash{3}), 422},
		} {
			resp, body := add(tt.body)
			if resp.StatusCode != tt.status {
				t.Errorf("%s: %d %q, want %d", tt.name, resp.StatusCode, body, tt.status)
			}
		}
		// The forged proof left its alarm on the bureau's dashboard.
		_, page := h.get(h.client("bureau.inspector"), "/bureau/")
		if !strings.Contains(page, "某校存证日志出现分叉，见证已拒绝签名") || !strings.Contains(page, "祥谦小学") {
			t.Errorf("the dashboard shows no alarm")
		}
		if _, page := h.get(h.client("bureau.admin"), "/bureau/"); strings.Count(page, `class="witness-alarm"`) != 1 {
			t.Errorf("the dashboard shows %d alarms, want 1", strings.Count(page, `class="witness-alarm"`))
		}
	})
}

// The bureau's administrator registers a school log of another site; bad
// input comes back with its field errors, in Chinese.
func TestWitness_registerLog(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		_, vkey, err := note.GenerateKey(rand.Reader, "remote.example.cn/s/yuanba/log")
		must(t, err)
		admin := h.client("bureau.admin")
		for _, tt := range []struct {
			name, origin, key, want string
		}{
			{"empty", "", "", "请填写存证日志的名称"},
			{"spaces", "a b", vkey, "日志名称不能含空格或加号"},
			{"not a key", "remote.example.cn/s/yuanba/log", "hello", "公钥格式不对"},
			{"another name", "remote.example.cn/s/other/log", vkey, "这个公钥的名称与日志名称不一致"},
		} {
			resp, body := h.post(admin, "/bureau/witness/logs", url.Values{"origin": {tt.origin}, "key": {tt.key}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tt.want) || !strings.Contains(body, fmt.Sprintf(`value="%s"`, tt.origin)) {
				t.Errorf("%s: %d, want 422 with %q and the input kept", tt.name, resp.StatusCode, tt.want)
			}
		}
		resp, _ := h.post(admin, "/bureau/witness/logs", url.Values{"origin": {"remote.example.cn/s/yuanba/log"}, "key": {vkey}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("register: %d", resp.StatusCode)
		}
		if resp, body := h.post(admin, "/bureau/witness/logs", url.Values{"origin": {"remote.example.cn/s/yuanba/log"}, "key": {vkey}}); resp.StatusCode != 422 || !strings.Contains(body, "已经登记过了") {
			t.Errorf("a second registration: %d", resp.StatusCode)
		}
		_, page := h.get(h.client("bureau.inspector"), "/bureau/witness")
		page = html.UnescapeString(page)
		if !strings.Contains(page, "remote.example.cn/s/yuanba/log") || !strings.Contains(page, "jyj.example.cn/witness+") {
			t.Errorf("the witness page lists neither the log nor the witness key")
		}
		if strings.Contains(page, `action="/bureau/witness/logs"`) {
			t.Error("the inspector is offered the registration form")
		}
		entries, _, err := h.db.FindAdminLog(context.Background(), store.AdminLogFilter{BureauID: h.bureau.ID})
		must(t, err)
		if len(entries) == 0 || entries[0].Action != gongkai.AdminWitnessLogAdded {
			t.Errorf("the admin log does not record the registration")
		}
	})
}
