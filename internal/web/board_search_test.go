package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongkai"
)

// TestBoard_searchNumbersSnippetsCounts: on the public board a parent finds
// an item by its 索引号 or its 文号; each match shows where the words occur,
// marked, with everything the writer typed escaped; and the categories
// count the search's matches, their links keeping the search.
func TestBoard_searchNumbersSnippetsCounts(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		fees := h.publishWith(h.school, "2026年秋季学期收费项目公示", func(d *gongkai.Disclosure) {
			d.Category, d.DocNumber = "fees", "祥谦小〔2026〕12号"
			d.Body = "## 收费依据\n\n按照物价部门批复，本学期代收**作业本费**每生 <b>¥12</b> 元，其余项目不收费。"
		})
		h.publishWith(h.school, "十月财务收支公示", func(d *gongkai.Disclosure) { d.Body = "本月收费收入与支出情况如下。" })
		h.publishWith(h.school, "十一月财务收支公示", nil)
		anon := h.client("")
		get := func(q string, extra ...string) string {
			t.Helper()
			resp, body := h.get(anon, "/s/xq/?q="+url.QueryEscape(q)+strings.Join(extra, ""))
			wantStatus(t, "search "+q, resp, body, 200)
			return body
		}

		for _, q := range []string{fees.IndexNo, fees.DocNumber} {
			body := get(q)
			if !strings.Contains(body, "共 1 条") || !strings.Contains(body, `href="/s/xq/d/`) || !strings.Contains(body, "收费项目") {
				t.Errorf("search %q does not find the item alone", q)
			}
		}

		body := get("收费")
		for _, want := range []string{
			"2026年秋季学期<mark>收费</mark>项目公示",
			// Markdown's marks left out, the HTML typed into the body escaped, the cut marked.
			`<p class="snippet">`,
			"本学期代收作业本费每生 &lt;b&gt;¥12&lt;/b&gt; 元，其余项目不<mark>收费</mark>。",
			"本月<mark>收费</mark>收入与支出情况如下。",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("search 收费 lacks %q", want)
			}
		}
		if strings.Contains(body, "<b>¥12</b>") || strings.Contains(body, "**") {
			t.Errorf("the snippet shows the body's markup unescaped")
		}
		counts := catCounts(body)
		if counts["全部"] != "2" || counts["收费公示"] != "1" || counts["财务管理"] != "1" {
			t.Errorf("categories beside the search 收费: %v, want 全部 2, 收费公示 1, 财务管理 1", counts)
		}
		if !strings.Contains(body, `href="/s/xq/?cat=fees&amp;q=%E6%94%B6%E8%B4%B9"`) {
			t.Errorf("the category link drops the search")
		}
		if c := catCounts(get("收费", "&cat=finance")); c["财务管理"] != "1" || c["收费公示"] != "1" {
			t.Errorf("in a category the counts still follow the whole search: %v", c)
		}
		if c := catCounts(get("财务收支")); c["全部"] != "2" || c["财务管理"] != "2" || c["收费公示"] != "" {
			t.Errorf("categories beside the search 财务收支: %v", c)
		}
	})
}

var catCount = regexp.MustCompile(`<li><a href="[^"]*"(?: aria-current="page")?><span>([^<]+)</span><span class="count">(\d+)</span>`)

// catCounts are the board's categories with the numbers beside them.
func catCounts(body string) map[string]string {
	out := map[string]string{}
	for _, m := range catCount.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}
