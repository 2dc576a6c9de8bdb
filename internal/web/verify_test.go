package web

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"gongkai"
	"gongkai/internal/ledger"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// signLogs gives the harness's schools their log keys and signs their
// logs as they stand, as the sequencer does after each publication.
func signLogs(t *testing.T, h *harness) *ledger.Sequencer {
	t.Helper()
	keys, err := ledger.OpenKeyring(t.TempDir())
	must(t, err)
	seq := &ledger.Sequencer{DB: h.db, Keys: keys, Host: "gongkai.test"}
	ctx := context.Background()
	must(t, seq.EnsureKeys(ctx))
	for _, s := range []*gongkai.School{h.school, h.other} {
		_, err := seq.Sign(ctx, s.ID)
		must(t, err)
	}
	h.db.OnLedgerAppend = seq.Appended
	return seq
}

// tamper changes the database behind gongkai's back, as someone with
// access to the database server could.
func tamper(t *testing.T, dsn, query string, args ...any) {
	t.Helper()
	driver, src := "pgx", dsn
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, src = "sqlite", "file:"+p+"?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, src)
	must(t, err)
	defer db.Close()
	res, err := db.Exec(query, args...)
	must(t, err)
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("tamper changed %d rows", n)
	}
}

// checks is the server's check list as a reader reads it, marks and words.
func checks(page string) string {
	i := strings.Index(page, `id="server-check"`)
	j := strings.Index(page, `id="browser-check"`)
	if i < 0 || j < i {
		return ""
	}
	return strings.Join(strings.Fields(pageText(page[i:j])), " ")
}

// A published item shows 已存证 #N linking to its verify page, which the
// server checks against the signed log: ✓ for the signature, the inclusion
// and the content, with the key, its fingerprint, the checkpoint's size and
// every entry of the item.
func TestVerify_publishedItem(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		signLogs(t, h)
		d := h.published[gongkai.AudiencePublic]
		recs, err := h.db.FindLedgerRecords(ctx, h.school.ID, d.ID)
		must(t, err)
		if len(recs) != 1 {
			t.Fatalf("%d entries for the item", len(recs))
		}
		item := fmt.Sprintf("/s/xq/d/%d", d.ID)
		_, page := h.get(h.client(""), item)
		mark := fmt.Sprintf(`<a href="%s/verify">已存证 #%d</a>`, item, recs[0].Index)
		if !strings.Contains(page, mark) {
			t.Fatalf("the item page lacks %s", mark)
		}
		resp, page := h.get(h.client(""), item+"/verify")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("verify page: %d", resp.StatusCode)
		}
		got := checks(page)
		for _, want := range []string{"服务器已核验", "✓ 通过：签名有效", "✓ 通过：条目在日志中（共 4 条）", "✓ 通过：内容与存证一致"} {
			if !strings.Contains(got, want) {
				t.Errorf("the server's check says %q, want %q", got, want)
			}
		}
		if strings.Contains(got, "✗") || strings.Contains(pageText(page), "不一致") {
			t.Errorf("a faithful item fails a check: %q", got)
		}
		keys, err := h.db.FindLedgerKeys(ctx, h.school.ID)
		must(t, err)
		fp, err := ledger.KeyFingerprint(keys[0].VKey)
		must(t, err)
		text := html.UnescapeString(page)
		for _, want := range []string{keys[0].VKey, fp, string(recs[0].Entry), fmt.Sprintf("%x", recs[0].LeafHash[:]), "暂无见证签名", "gongkai.test/s/xq/log"} {
			if !strings.Contains(text, want) {
				t.Errorf("the verify page does not show %q", want)
			}
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q: a cached check would hide a later change", cc)
		}

		// A witness's cosignature is listed by its name.
		cosign(t, h, "bureau.test/witness")
		_, page = h.get(h.client(""), item+"/verify")
		if !strings.Contains(page, "<li><code>bureau.test/witness</code></li>") || strings.Contains(pageText(page), "暂无见证签名") {
			t.Error("the page does not list the witness's cosignature")
		}
		if got := checks(page); !strings.Contains(got, "✓ 通过：签名有效") {
			t.Errorf("with a cosignature the check says %q", got)
		}

		// A revision and a withdrawal each add an entry; the page lists all.
		h.reviseAndPublish(t, d.ID, "更正：收费标准以此为准。")
		h.act(h.school, d.ID, "principal", gongkai.ActionWithdraw, "通知有误，撤回")
		recs, err = h.db.FindLedgerRecords(ctx, h.school.ID, d.ID)
		must(t, err)
		if len(recs) != 3 {
			t.Fatalf("%d entries after a revision and a withdrawal", len(recs))
		}
		_, page = h.get(h.client(""), item)
		if !strings.Contains(page, fmt.Sprintf("已存证 #%d", recs[2].Index)) {
			t.Errorf("the item page does not show its latest entry #%d", recs[2].Index)
		}
		_, page = h.get(h.client(""), item+"/verify")
		rows := regexp.MustCompile(`<td data-label="步骤">([^<]+)</td>`).FindAllStringSubmatch(page, -1)
		var steps []string
		for _, r := range rows {
			steps = append(steps, r[1])
		}
		if strings.Join(steps, " ") != "发布 修订 撤回" {
			t.Errorf("entries listed %q, want 发布 修订 撤回", steps)
		}
		if got := checks(page); !strings.Contains(got, "服务器已核验") || !strings.Contains(got, "内容与存证一致") {
			t.Errorf("after the revision and withdrawal the check says %q", got)
		}
	})
}

// reviseAndPublish revises a published item's body through the procedure.
func (h *harness) reviseAndPublish(t *testing.T, id int64, body string) {
	t.Helper()
	ctx := context.Background()
	d, err := h.db.FindDisclosureByID(ctx, h.school.ID, id)
	must(t, err)
	_, err = h.db.StartRevision(ctx, h.school.ID, id, h.actor("xq.clerk"), "更正", &store.Revision{Title: d.Title, Body: body})
	must(t, err)
	for _, step := range []struct {
		role string
		a    gongkai.Action
	}{{"clerk", gongkai.ActionSubmit}, {"principal", gongkai.ActionApprove}, {"supervisor", gongkai.ActionCheck}, {"clerk", gongkai.ActionPublish}} {
		_, err := h.db.ActRevision(ctx, h.school.ID, id, h.actor("xq."+step.role), step.a, "")
		must(t, err)
	}
}

// The tamper drill, the verify page's half: a body changed directly in the
// database is caught by the server's check, in red, in words.
func TestVerify_tamperedBody(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		h := newHarness(t, dsn)
		signLogs(t, h)
		d := h.published[gongkai.AudiencePublic]
		path := fmt.Sprintf("/s/xq/d/%d/verify", d.ID)
		if _, page := h.get(h.client(""), path); !strings.Contains(checks(page), "服务器已核验") {
			t.Fatalf("before the change: %q", checks(page))
		}
		tamper(t, dsn, `UPDATE disclosures SET body = $1 WHERE school_id = $2 AND id = $3`, "收费标准：每生每学期 900 元。", h.school.ID, d.ID)
		resp, page := h.get(h.client(""), path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("verify page after the change: %d", resp.StatusCode)
		}
		got := checks(page)
		for _, want := range []string{"服务器核验未通过", "内容与存证不一致：正文已被改动", "✗ 未通过：内容与存证不一致：正文已被改动", "✓ 通过：签名有效"} {
			if !strings.Contains(got, want) {
				t.Errorf("after the change the check says %q, want %q", got, want)
			}
		}
		if !strings.Contains(page, `class="verify-result verify-bad"`) || !strings.Contains(page, `<p class="verify-alarm" role="alert">内容与存证不一致：正文已被改动</p>`) {
			t.Error("the mismatch is not the page's red alarm")
		}
		if strings.Contains(got, "服务器已核验") {
			t.Error("the page still says 服务器已核验")
		}
		// In English too.
		req, err := http.NewRequest(http.MethodGet, h.ts.URL+path, nil)
		must(t, err)
		req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
		resp, err = h.client("").Do(req)
		must(t, err)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		must(t, err)
		page = string(b)
		if resp.StatusCode != http.StatusOK || !strings.Contains(checks(page), "Content differs from the record: Text changed") {
			t.Errorf("in English the check says %q", checks(page))
		}

		// A checkpoint changed after signing: its signature no longer holds.
		c, err := h.db.FindCheckpoint(context.Background(), h.school.ID)
		must(t, err)
		lines := strings.SplitN(c.Note, "\n", 4)
		lines[1] = "9999"
		tamper(t, dsn, `UPDATE ledger_checkpoints SET note = $1 WHERE school_id = $2`, strings.Join(lines, "\n"), h.school.ID)
		_, page = h.get(h.client(""), path)
		if got := checks(page); !strings.Contains(got, "✗ 未通过：签名无效") || strings.Contains(got, "签名有效") || strings.Contains(got, "条目在日志中") {
			t.Errorf("with a forged checkpoint the check says %q", got)
		}
		if !strings.Contains(page, "检查点的签名不成立") {
			t.Error("the checkpoint's panel does not say its signature fails")
		}
	})
}

// A redacted body is a lawful removal: the check says 已依法删除个人信息
// with the date, never a mismatch.
func TestVerify_redacted(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		signLogs(t, h)
		d := h.published[gongkai.AudiencePublic]
		_, err := h.db.Redact(context.Background(), h.school.ID, d.ID, h.actor("xq.principal"),
			store.RedactRequest{Target: gongkai.RedactBody, Version: 1, Reason: "正文误含家长手机号码"}, h.srv.blobs)
		must(t, err)
		_, page := h.get(h.client(""), fmt.Sprintf("/s/xq/d/%d/verify", d.ID))
		got := checks(page)
		today := time.Now().In(gongkai.Beijing)
		want := fmt.Sprintf("✓ 通过：已依法删除个人信息（%d年%d月%d日）", today.Year(), today.Month(), today.Day())
		if !strings.Contains(got, want) || !strings.Contains(got, "服务器已核验") {
			t.Errorf("after a redaction the check says %q, want %q", got, want)
		}
		if strings.Contains(got, "不一致") || strings.Contains(got, "✗") {
			t.Errorf("a redaction reads as a change: %q", got)
		}
		if !strings.Contains(page, `"text_removed":"`+today.Format(time.DateOnly)+`"`) {
			t.Error("the page does not tell the browser's check when the body was removed")
		}
	})
}

// The verify page answers 404 where the item page does: items of other
// audiences to readers who may not see them, drafts, unknown items, items
// of another school under this school's address.
func TestVerify_notFound(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		signLogs(t, h)
		staff := h.published[gongkai.AudienceStaff]
		for _, tc := range []struct {
			who, path string
			want      int
		}{
			{"", fmt.Sprintf("/s/xq/d/%d/verify", staff.ID), http.StatusNotFound},
			{"xq.parent", fmt.Sprintf("/s/xq/d/%d/verify", staff.ID), http.StatusNotFound},
			{"other.staff", fmt.Sprintf("/s/xq/d/%d/verify", staff.ID), http.StatusNotFound},
			{"xq.staff", fmt.Sprintf("/s/xq/d/%d/verify", staff.ID), http.StatusOK},
			{"", fmt.Sprintf("/s/xq/d/%d/verify", h.draft.ID), http.StatusNotFound},
			{"", fmt.Sprintf("/s/xq/d/%d/verify", h.otherItem.ID), http.StatusNotFound},
			{"", "/s/xq/d/999999/verify", http.StatusNotFound},
			{"", "/s/xq/d/abc/verify", http.StatusNotFound},
		} {
			resp, page := h.get(h.client(tc.who), tc.path)
			if resp.StatusCode != tc.want {
				t.Errorf("%s as %q: %d, want %d", tc.path, tc.who, resp.StatusCode, tc.want)
			}
			if tc.want == http.StatusNotFound && strings.Contains(page, "存证条目") {
				t.Errorf("%s as %q shows the entry", tc.path, tc.who)
			}
		}
		// The item page of a staff item shows the mark to staff only.
		item := fmt.Sprintf("/s/xq/d/%d", staff.ID)
		if _, page := h.get(h.client("xq.staff"), item); !strings.Contains(page, item+"/verify") {
			t.Error("staff do not see the mark on a staff item")
		}
	})
}

// Before the log's first checkpoint the page says the entry waits for the
// signature, and claims no check it could not run.
func TestVerify_unsigned(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.published[gongkai.AudiencePublic]
		resp, page := h.get(h.client(""), fmt.Sprintf("/s/xq/d/%d/verify", d.ID))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("verify page before any checkpoint: %d", resp.StatusCode)
		}
		got := checks(page)
		if !strings.Contains(got, "等待签名") || strings.Contains(got, "服务器已核验") || strings.Contains(got, "签名有效") {
			t.Errorf("before the first checkpoint the check says %q", got)
		}
		if !strings.Contains(got, "内容与存证一致") {
			t.Errorf("the content check does not run before the signature: %q", got)
		}
	})
}

// cosign adds a cosignature by a new key named name to the school's
// checkpoint, as the witness does.
func cosign(t *testing.T, h *harness, name string) {
	t.Helper()
	ctx := context.Background()
	c, err := h.db.FindCheckpoint(ctx, h.school.ID)
	must(t, err)
	skey, _, err := note.GenerateKey(rand.Reader, name)
	must(t, err)
	w, err := note.NewSigner(skey)
	must(t, err)
	keys, err := h.db.FindLedgerKeys(ctx, h.school.ID)
	must(t, err)
	v, err := note.NewVerifier(keys[0].VKey)
	must(t, err)
	n, err := note.Open([]byte(c.Note), note.VerifierList(v))
	must(t, err)
	signed, err := note.Sign(n, w)
	must(t, err)
	ok, err := h.db.AddCosignatures(ctx, h.school.ID, c.Size, c.Root, string(signed))
	must(t, err)
	if !ok {
		t.Fatal("the checkpoint moved")
	}
}

// With the bureau's witness on this site, the page checks its cosignature
// too: one that holds is said so; a checkpoint not yet witnessed waits,
// and fails nothing.
func TestVerify_witnessCosignature(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		wit, err := ledger.OpenWitness(h.db, t.TempDir(), "jyj.example.cn", nil)
		must(t, err)
		h.srv.cfg.Witness = wit
		d := h.published[gongkai.AudiencePublic]
		signLogs(t, h)
		page := func() string {
			_, p := h.get(h.client(""), fmt.Sprintf("/s/xq/d/%d/verify", d.ID))
			return checks(p)
		}
		if got := page(); !strings.Contains(got, "教育局尚未见证这个检查点") || !strings.Contains(got, "服务器已核验") {
			t.Errorf("before the witness cosigned: %q", got)
		}
		key, err := ledger.CosignatureVerifier(wit.Key())
		must(t, err)
		p := &ledger.Pusher{DB: h.db, Witness: wit, Key: key}
		must(t, p.Push(ctx, h.school.ID))
		if got := page(); !strings.Contains(got, "✓ 通过：教育局见证签名有效（") {
			t.Errorf("after the witness cosigned: %q", got)
		}
		// Another witness's key does not count as the bureau's.
		other, err := ledger.OpenWitness(h.db, t.TempDir(), "other.example.cn", nil)
		must(t, err)
		h.srv.cfg.Witness = other
		if got := page(); strings.Contains(got, "见证签名有效") {
			t.Errorf("a cosignature checked with another witness's key holds: %q", got)
		}
	})
}
