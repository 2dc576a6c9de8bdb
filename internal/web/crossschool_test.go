package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestCrossSchool_changesNothing calls every route that changes something
// named by an id in its path with the id of a thing of school xq, as every
// member of school "other" on their own school's path (and on the API,
// whose paths name no school), and checks that the answer is what a
// missing id gets — so nobody learns that the id exists — and that no row
// of the database changed. A route added later is covered by being in the
// route table.
func TestCrossSchool_changesNothing(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.attachPublic(t)
		// Obligations are made when a school's calendar is first read.
		h.get(h.client("xq.principal"), "/s/xq/obligations")
		h.get(h.client("other.principal"), "/s/other/obligations")
		var obligation string
		must(t, h.db.Pool().QueryRow(`SELECT CAST(id AS TEXT) FROM obligations WHERE school_id = $1 ORDER BY id LIMIT 1`, h.school.ID).Scan(&obligation))
		ids := []string{"{id}", "{att}", "{user}"}
		tested := 0
		for _, rt := range h.srv.routes() {
			if rt.method == http.MethodGet || !slices.ContainsFunc(ids, func(p string) bool { return strings.Contains(rt.pattern, p) }) {
				continue
			}
			tested++
			t.Run(rt.method+"_"+rt.pattern, func(t *testing.T) {
				path := h.fillPath(t, rt.method, rt.pattern)
				if strings.Contains(rt.pattern, "/obligations/{id}") {
					path = strings.Replace(path, "/obligations/"+strings.Split(strings.TrimPrefix(path, "/s/xq/obligations/"), "/")[0]+"/", "/obligations/"+obligation+"/", 1)
				}
				missing := h.fillMissing(t, rt.method, rt.pattern)
				if strings.Contains(rt.pattern, "{slug}") {
					path = strings.Replace(path, "/xq/", "/other/", 1)
					missing = strings.Replace(missing, "/xq/", "/other/", 1)
				}
				before := dumpDatabase(t, h)
				for _, role := range []string{"principal", "leader", "supervisor", "clerk", "staff", "representative", "parent"} {
					user := "other." + role
					want, _ := h.crossCall(t, user, rt, missing)
					got, loc := h.crossCall(t, user, rt, path)
					if got != want {
						t.Errorf("%s %s as %s: %d %s, but a missing id gets %d", rt.method, path, user, got, loc, want)
					}
					if got < 400 {
						t.Errorf("%s %s as %s: %d %s, want it refused as if the id did not exist", rt.method, path, user, got, loc)
					}
				}
				if after := dumpDatabase(t, h); after != before {
					t.Errorf("%s %s by members of another school changed the database:\n%s", rt.method, path, diffLines(before, after))
				}
			})
		}
		if tested < 20 {
			t.Fatalf("only %d routes tested", tested)
		}
	})
}

// crossCall is call with a body that every form of these routes would
// accept from their own school: each field a step may require, filled.
func (h *harness) crossCall(t *testing.T, user string, rt route, path string) (int, string) {
	t.Helper()
	if rt.method == http.MethodGet || strings.HasSuffix(rt.pattern, "/attachments") || strings.HasSuffix(rt.pattern, "/files") {
		return h.call(t, user, rt, path)
	}
	fields := map[string]string{"reason": "跨校测试理由", "comment": "跨校测试意见", "body": "跨校测试内容", "text": "跨校测试答复",
		"title": "跨校测试标题", "note": "跨校测试备注", "reply": "跨校测试答复", "answer": "跨校测试答复", "roles": "staff",
		"summary": "跨校测试", "category": "finance", "audience": "public", "publicity_days": "5"}
	var c *http.Client
	header := http.Header{}
	var ctype, body string
	if rt.api {
		c = h.client("")
		header.Set("Authorization", "Bearer "+h.apiToken(user))
		b, _ := json.Marshal(fields)
		ctype, body = "application/json", string(b)
	} else {
		c = h.client(user)
		form := url.Values{}
		for k, v := range fields {
			form.Set(k, v)
		}
		ctype, body = "application/x-www-form-urlencoded", form.Encode()
	}
	resp, _ := h.do(c, rt.method, path, ctype, strings.NewReader(body), header)
	return resp.StatusCode, resp.Header.Get("Location")
}

// fillMissing is fillPath with every id replaced by one that exists nowhere.
func (h *harness) fillMissing(t *testing.T, method, pattern string) string {
	t.Helper()
	for _, p := range []string{"{id}", "{att}", "{user}"} {
		pattern = strings.ReplaceAll(pattern, p, "987654321")
	}
	return h.fillPath(t, method, pattern)
}

// dumpDatabase is every row of every table but the ones a request may
// write without changing anything (sessions' last use, rate limits), in a
// stable order.
func dumpDatabase(t *testing.T, h *harness) string {
	t.Helper()
	ctx := context.Background()
	db := h.db.Pool()
	var out []string
	for _, table := range surveyTables(t, db, h.db.Dialect()) {
		if table == "sessions" || table == "rate_limits" {
			continue
		}
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		must(t, err)
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(t, rows.Scan(ptrs...))
			var b strings.Builder
			b.WriteString(table)
			for i, v := range vals {
				fmt.Fprintf(&b, " %s=%s", cols[i], stringOf(v))
			}
			out = append(out, b.String())
		}
		must(t, rows.Err())
		rows.Close()
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// diffLines lists the lines only in a (-) or only in b (+).
func diffLines(a, b string) string {
	as, bs := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for _, l := range as {
		if !slices.Contains(bs, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bs {
		if !slices.Contains(as, l) {
			out = append(out, "+ "+l)
		}
	}
	if len(out) > 20 {
		out = append(out[:20], "…")
	}
	return strings.Join(out, "\n")
}
