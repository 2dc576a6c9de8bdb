package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// fbPost sends a multipart form, with files, as the feedback forms do.
func (h *harness) fbPost(c *http.Client, path string, fields url.Values, files map[string][]byte) (*http.Response, string) {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("file", name)
		must(h.t, err)
		fw.Write(data)
	}
	must(h.t, mw.Close())
	return h.do(c, http.MethodPost, path, mw.FormDataContentType(), &buf, nil)
}

var codePattern = regexp.MustCompile(`fb-code-value">([^<]+)</p>`)

// fbCodes reads the receipt code and the secret off a receipt page.
func fbCodes(t *testing.T, body string) (receipt, secret string) {
	t.Helper()
	m := codePattern.FindAllStringSubmatch(body, -1)
	if len(m) != 2 {
		t.Fatalf("receipt page shows %d codes, want the receipt and the secret", len(m))
	}
	return m[0][1], m[1][1]
}

var urlAttr = regexp.MustCompile(`(?:href|action|src)="([^"]*)"`)

// noSecretInURLs fails when the secret shows in a link, a form's target or
// a redirect: it may travel in POST bodies only.
func noSecretInURLs(t *testing.T, secret string, resp *http.Response, body string) {
	t.Helper()
	if strings.Contains(resp.Header.Get("Location"), secret) {
		t.Errorf("the secret is in a redirect: %s", resp.Header.Get("Location"))
	}
	for _, m := range urlAttr.FindAllStringSubmatch(body, -1) {
		if strings.Contains(html.UnescapeString(m[1]), secret) {
			t.Errorf("the secret is in a URL of the page: %s", m[1])
		}
	}
}

// fbCase finds a case by its receipt and secret, as its sender would.
func (h *harness) fbCase(receipt, secret string) *gongkai.Feedback {
	h.t.Helper()
	f, err := h.db.LookupFeedback(context.Background(), receipt, secret)
	must(h.t, err)
	return f
}

// fbSubmit sends a case from the public form and returns its codes.
func (h *harness) fbSubmit(t *testing.T, c *http.Client, fields url.Values) (receipt, secret string) {
	t.Helper()
	resp, body := h.fbPost(c, "/s/xq/feedback", fields, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("submit %v: %d\n%s", fields, resp.StatusCode, errorSummary(body))
	}
	return fbCodes(t, body)
}

var summaryPattern = regexp.MustCompile(`(?s)<div class="error-summary".*?</div>|<p class="error">[^<]*</p>`)

func errorSummary(body string) string {
	return strings.Join(summaryPattern.FindAllString(body, -1), "\n")
}

const fbPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func TestFeedback_anonymousObjection(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		item := h.published[gongkai.AudiencePublic]
		anon := h.client("")

		// The item page offers the online form first in its objection box.
		_, page := h.get(anon, itemPath(h.school, item))
		formURL := fmt.Sprintf("/s/xq/feedback/new?kind=objection&amp;d=%d", item.ID)
		if !strings.Contains(page, formURL) || !strings.Contains(page, "在线提交异议") {
			t.Fatalf("item page has no online objection button")
		}
		if i, j := strings.Index(page, "在线提交异议"), strings.Index(page, "监督电话</"); j >= 0 && i > j {
			t.Errorf("the online button is not first in the objection box")
		}
		resp, form := h.get(anon, html.UnescapeString(formURL))
		if resp.StatusCode != 200 || !strings.Contains(form, "对《"+item.Title+"》的异议") || !strings.Contains(form, "我们不记录您的姓名、联系方式、IP 地址或设备信息") {
			t.Fatalf("objection form: %d", resp.StatusCode)
		}

		resp, body := h.fbPost(anon, "/s/xq/feedback", url.Values{"kind": {"objection"}, "d": {fmt.Sprint(item.ID)},
			"subject": {"对公示金额有异议"}, "body": {"第三项金额与通知不符。"}, "anonymous": {"1"}, "name": {"不该保存的名字"}},
			map[string][]byte{"证据.pdf": []byte(fbPDF)})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("submit: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("receipt page Cache-Control %q, want no-store", cc)
		}
		if ck := resp.Header.Values("Set-Cookie"); len(ck) > 0 {
			t.Errorf("an anonymous submission set cookies: %v", ck)
		}
		receipt, secret := fbCodes(t, body)
		noSecretInURLs(t, secret, resp, body)
		if !strings.Contains(body, "请截图或打印本页保存") || !strings.Contains(body, `href="/lookup"`) {
			t.Errorf("receipt page lacks the keep note or the lookup link")
		}
		f := h.fbCase(receipt, secret)
		if f.SenderName != "" || f.SenderID != 0 || !f.Anonymous || f.DisclosureID != item.ID {
			t.Errorf("stored case %+v, want anonymous without a name, about item %d", f, item.ID)
		}
		if len(f.Messages) == 0 || len(f.Messages[0].Attachments) != 1 {
			t.Errorf("the attachment was not kept with the case")
		}

		// The principal handles it: queue, case page, every step.
		pc := h.client("xq.principal")
		_, queue := h.get(pc, "/s/xq/cases")
		if !strings.Contains(queue, "对公示金额有异议") || !strings.Contains(queue, receipt) {
			t.Fatalf("principal's queue does not list the case")
		}
		caseURL := fmt.Sprintf("/s/xq/cases/%d", f.ID)
		resp, cp := h.get(pc, caseURL)
		if resp.StatusCode != 200 || !strings.Contains(cp, "匿名") || !strings.Contains(cp, "证据.pdf") || strings.Contains(cp, "不该保存的名字") {
			t.Fatalf("case page: %d", resp.StatusCode)
		}
		deps, err := h.db.FindDepartments(context.Background(), h.school.ID)
		must(t, err)
		result := h.publishItem(h.school, "关于公示金额的更正说明", gongkai.AudiencePublic)
		due := time.Now().In(gongkai.Beijing).AddDate(0, 0, 20).Format("2006-01-02")
		steps := []struct {
			action string
			form   url.Values
			flash  string
		}{
			{"assign", url.Values{"department": {fmt.Sprint(deps[0].ID)}, "assignee": {fmt.Sprint(h.users["xq.clerk"].ID)}, "comment": {"请财务室核实"}}, "已交办"},
			{"note", url.Values{"comment": {"内部：先查原始凭证"}}, "备注已保存"},
			{"reply", url.Values{"comment": {"经核实，第三项金额有误，将更正。"}}, "已答复"},
			{"rectify", url.Values{"comment": {"更正后重新公示。"}, "due": {due}}, "整改方案已记录"},
			{"rectified", url.Values{"result_id": {fmt.Sprint(result.ID)}, "comment": {"已发布更正说明。"}}, "已记录整改完成"},
		}
		for _, st := range steps {
			resp, body := h.post(pc, caseURL+"/"+st.action, st.form)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != caseURL {
				t.Fatalf("%s: %d %s\n%s", st.action, resp.StatusCode, resp.Header.Get("Location"), errorSummary(body))
			}
		}
		_, cp = h.get(pc, caseURL)
		for _, want := range []string{"已整改", "内部：先查原始凭证", "内部", result.Title, "经核实，第三项金额有误"} {
			if !strings.Contains(cp, want) {
				t.Errorf("case page lacks %q", want)
			}
		}

		// The sender reads it back with the receipt, rates it.
		resp, lp := h.post(anon, "/lookup", url.Values{"receipt": {receipt}, "secret": {secret}})
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("lookup: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		noSecretInURLs(t, secret, resp, lp)
		for _, want := range []string{"经核实，第三项金额有误，将更正。", "已整改", fmt.Sprintf(`href="/s/xq/d/%d"`, result.ID), "评价答复"} {
			if !strings.Contains(lp, want) {
				t.Errorf("lookup page lacks %q", want)
			}
		}
		if strings.Contains(lp, "内部：先查原始凭证") {
			t.Errorf("the sender sees an internal note")
		}
		resp, lp = h.fbPost(anon, "/lookup/act", url.Values{"receipt": {receipt}, "secret": {secret}, "action": {"rate"}, "rating": {"satisfied"}}, nil)
		if resp.StatusCode != 200 || !strings.Contains(lp, "感谢您的评价") || !strings.Contains(lp, "您的评价</th><td>满意") {
			t.Fatalf("rate: %d", resp.StatusCode)
		}
		noSecretInURLs(t, secret, resp, lp)
		if ck := resp.Header.Values("Set-Cookie"); len(ck) > 0 {
			t.Errorf("the sender's step set cookies: %v", ck)
		}

		// The item shows its objections, answered.
		_, page = h.get(h.client(""), itemPath(h.school, item))
		if !strings.Contains(page, "异议 1 件，已答复 1 件") {
			t.Errorf("item page does not count the answered objection")
		}
	})
}

func TestFeedback_lookupRefusals(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		receipt, secret := h.fbSubmit(t, h.client(""), url.Values{"kind": {"opinion"}, "subject": {"食堂意见"}, "body": {"希望增加蔬菜。"}, "anonymous": {"1"}})
		tests := []struct {
			name, receipt, secret string
			status                int
			want                  string
		}{
			{"wrong secret", receipt, "wrong-secret-0000", 404, "回执码或查询密码不正确"},
			{"unknown receipt", "ABCD-EFGH-JKMN-PQRS", secret, 404, "回执码或查询密码不正确"},
			{"empty", "", "", 422, "请输入回执码"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.post(h.client(""), "/lookup", url.Values{"receipt": {tt.receipt}, "secret": {tt.secret}})
				if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
					t.Fatalf("%d, want %d with %q", resp.StatusCode, tt.status, tt.want)
				}
				if tt.receipt != "" && !strings.Contains(body, `value="`+tt.receipt+`"`) {
					t.Errorf("the typed receipt is not kept")
				}
				if tt.secret != "" && strings.Contains(body, tt.secret) {
					t.Errorf("the typed secret is shown back")
				}
			})
		}
		// Guessing is limited: the same receipt again and again.
		last := 0
		for i := 0; i < 12; i++ {
			resp, _ := h.post(h.client(""), "/lookup", url.Values{"receipt": {receipt}, "secret": {fmt.Sprintf("guess-%d", i)}})
			last = resp.StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Errorf("12 quick wrong secrets: last %d, want 429", last)
		}
	})
}

func TestFeedback_namedOpinion(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		parent := h.client("xq.parent")
		_, form := h.get(parent, "/s/xq/feedback/new?kind=opinion")
		if !strings.Contains(form, `value="`+h.users["xq.parent"].DisplayName+`"`) {
			t.Errorf("the form does not offer the signed-in parent's name")
		}
		resp, body := h.fbPost(parent, "/s/xq/feedback", url.Values{"kind": {"opinion"}, "subject": {"校车接送时间"}, "body": {"建议放学校车提前十分钟。"},
			"anonymous": {"0"}, "name": {"王家长"}, "contact": {"13800000000"}}, nil)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("submit: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		receipt, secret := fbCodes(t, body)
		f := h.fbCase(receipt, secret)
		mine := fmt.Sprintf("/s/xq/feedback/%d", f.ID)
		if !strings.Contains(body, `href="`+mine+`"`) {
			t.Errorf("the receipt does not link the named sender to their case")
		}
		_, work := h.get(parent, "/work")
		if !strings.Contains(work, "我的来信") || !strings.Contains(work, "校车接送时间") || !strings.Contains(work, mine) {
			t.Errorf("工作台 does not list the parent's letter")
		}
		tests := []struct {
			user   string
			status int
		}{{"xq.parent", 200}, {"other.parent", 404}, {"xq.staff", 404}, {"nobody", 404}}
		for _, tt := range tests {
			resp, body := h.get(h.client(tt.user), mine)
			if resp.StatusCode != tt.status {
				t.Errorf("%s on the sender's page: %d, want %d", tt.user, resp.StatusCode, tt.status)
			}
			if tt.status == 200 && (!strings.Contains(body, "建议放学校车提前十分钟") || strings.Contains(body, `name="secret"`)) {
				t.Errorf("the sender's page does not show the letter, or asks for the secret")
			}
		}
		// The signed-in sender adds a message without the secret.
		resp, body = h.fbPost(parent, "/lookup/act", url.Values{"school": {"xq"}, "id": {fmt.Sprint(f.ID)}, "action": {"message"}, "body": {"另外，雨天请提前通知。"}}, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != mine {
			t.Fatalf("message: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), errorSummary(body))
		}
		resp, _ = h.fbPost(h.client("other.parent"), "/lookup/act", url.Values{"school": {"xq"}, "id": {fmt.Sprint(f.ID)}, "action": {"message"}, "body": {"冒充"}}, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("another parent's message: %d, want 404", resp.StatusCode)
		}
		_, cp := h.get(h.client("xq.principal"), fmt.Sprintf("/s/xq/cases/%d", f.ID))
		if !strings.Contains(cp, "王家长") || !strings.Contains(cp, "13800000000") || !strings.Contains(cp, "另外，雨天请提前通知。") || strings.Contains(cp, "冒充") {
			t.Errorf("the principal does not see the named sender and their message")
		}
	})
}

func TestFeedback_leadershipReport(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		_, form := h.get(h.client(""), "/s/xq/feedback/new?kind=report")
		if !strings.Contains(form, `value="1" id="fb-anon-yes" checked`) || !strings.Contains(form, "直接转青禾县教育局办理") {
			t.Errorf("the report form is not anonymous by default or does not say where reports about the leadership go")
		}
		resp, body := h.fbPost(h.client(""), "/s/xq/feedback", url.Values{"kind": {"report"}, "about": {"leadership"}, "subject": {"校长违规收费"},
			"body": {"今年秋季多收资料费。"}, "anonymous": {"1"}}, nil)
		if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "已直接转交青禾县教育局办理") {
			t.Fatalf("report: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		f := h.fbCase(fbCodes(t, body))
		caseURL := fmt.Sprintf("/s/xq/cases/%d", f.ID)
		tests := []struct {
			user, path string
			status     int
			listed     bool
		}{
			{"xq.principal", "/s/xq/cases?tab=all", 200, false},
			{"xq.supervisor", "/s/xq/cases?tab=all", 200, false},
			{"xq.principal", caseURL, 404, false},
			{"xq.supervisor", caseURL, 404, false},
			{"xq.leader", caseURL, 404, false},
			{"other.principal", caseURL, 404, false},
			{"other.supervisor", caseURL, 404, false},
			{"xq.parent", caseURL, 404, false},
			{"bureau.admin", "/bureau/cases", 200, true},
			{"bureau.inspector", "/bureau/cases", 200, true},
			{"bureau.admin", caseURL, 200, true},
			{"xq.principal", "/bureau/cases", 404, false},
		}
		for _, tt := range tests {
			t.Run(tt.user+tt.path, func(t *testing.T) {
				resp, body := h.get(h.client(tt.user), tt.path)
				if resp.StatusCode != tt.status {
					t.Fatalf("%d, want %d", resp.StatusCode, tt.status)
				}
				if got := strings.Contains(body, "校长违规收费"); got != tt.listed {
					t.Errorf("shows the report: %v, want %v", got, tt.listed)
				}
			})
		}
		// The bureau handles it.
		resp, body = h.post(h.client("bureau.admin"), caseURL+"/reply", url.Values{"comment": {"已立案调查。"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("bureau reply: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		resp, _ = h.post(h.client("xq.principal"), caseURL+"/reply", url.Values{"comment": {"没有的事。"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("the principal replying to a report about the leadership: %d, want 404", resp.StatusCode)
		}
	})
}

func TestFeedback_formErrors(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		huge := strings.Repeat("长", gongkai.MaxFeedbackBody) + "尾"
		item := h.published[gongkai.AudiencePublic]
		tests := []struct {
			name    string
			fields  url.Values
			status  int
			want    []string
			notWant []string
		}{
			{"huge body", url.Values{"kind": {"opinion"}, "subject": {"很长的意见"}, "body": {huge}, "anonymous": {"0"}, "name": {"李四"}}, 422,
				[]string{"内容不能超过 20000 字", `value="很长的意见"`, huge + "</textarea>", `value="李四"`}, nil},
			{"script in the subject", url.Values{"kind": {"opinion"}, "subject": {`<script>alert("x")</script>`}, "body": {"正文"}, "anonymous": {"1"}}, 422,
				[]string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "网页代码或脚本"}, []string{`<script>alert`}},
			{"no subject", url.Values{"kind": {"mailbox"}, "subject": {""}, "body": {"正文"}, "anonymous": {"1"}}, 422, []string{"请填写主题", `href="#fb-subject"`}, nil},
			{"report without whom", url.Values{"kind": {"report"}, "subject": {"问题"}, "body": {"正文"}, "anonymous": {"1"}}, 422, []string{"请选择举报对象"}, nil},
			{"report about staff without a name", url.Values{"kind": {"report"}, "about": {"staff"}, "subject": {"问题"}, "body": {"正文"}, "anonymous": {"1"}}, 422, []string{"请填写被举报教职工的姓名"}, nil},
			{"objection without an item", url.Values{"kind": {"objection"}, "subject": {"异议"}, "body": {"正文"}}, 422, []string{"通过意见箱反映"}, nil},
			{"objection to another school's item", url.Values{"kind": {"objection"}, "d": {fmt.Sprint(h.otherItem.ID)}, "subject": {"异议"}, "body": {"正文"}}, 404, nil, nil},
			{"unknown kind", url.Values{"kind": {"praise"}, "subject": {"表扬"}, "body": {"正文"}}, 422, nil, nil},
			{"bad email", url.Values{"kind": {"objection"}, "d": {fmt.Sprint(item.ID)}, "subject": {"异议"}, "body": {"正文"}, "anonymous": {"0"}, "email": {"not an address"}}, 422,
				[]string{"电子邮箱格式不正确", `value="not an address"`}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.fbPost(h.client(""), "/s/xq/feedback", tt.fields, nil)
				if resp.StatusCode != tt.status {
					t.Fatalf("%d, want %d\n%s", resp.StatusCode, tt.status, errorSummary(body))
				}
				for _, w := range tt.want {
					if !strings.Contains(body, w) {
						t.Errorf("page lacks %.80q", w)
					}
				}
				for _, w := range tt.notWant {
					if strings.Contains(body, w) {
						t.Errorf("page has %.80q", w)
					}
				}
			})
		}
		// Markup that is allowed is shown as text everywhere.
		receipt, secret := h.fbSubmit(t, h.client(""), url.Values{"kind": {"opinion"}, "subject": {"分数 a<b 与 <i>斜体</i>"}, "body": {"正文 <b>粗</b>"}, "anonymous": {"1"}})
		f := h.fbCase(receipt, secret)
		for _, path := range []string{"/s/xq/cases", fmt.Sprintf("/s/xq/cases/%d", f.ID)} {
			_, body := h.get(h.client("xq.principal"), path)
			if strings.Contains(body, "<i>斜体</i>") || strings.Contains(body, "<b>粗</b>") || !strings.Contains(body, "a&lt;b 与 &lt;i&gt;斜体&lt;/i&gt;") {
				t.Errorf("%s does not escape the sender's text", path)
			}
		}
	})
}

func TestFeedback_objectionAfterPeriod(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		item := h.published[gongkai.AudiencePublic]
		h.srv.now = func() time.Time { return time.Now().AddDate(0, 2, 0) }
		path := fmt.Sprintf("/s/xq/feedback/new?kind=objection&d=%d", item.ID)
		resp, body := h.get(h.client(""), path)
		if resp.StatusCode != 200 || !strings.Contains(body, "公示期已于") || !strings.Contains(body, "通过意见箱反映") || strings.Contains(body, `name="body"`) {
			t.Fatalf("form after the period: %d, want the explanation and no form", resp.StatusCode)
		}
		if !strings.Contains(body, fmt.Sprintf(`href="/s/xq/feedback/new?kind=opinion&amp;d=%d"`, item.ID)) {
			t.Errorf("no way to the opinion box")
		}
		end := item.PublicityEnd.In(gongkai.Beijing)
		day := fmt.Sprintf("%d年%d月%d日", end.Year(), end.Month(), end.Day())
		if !strings.Contains(body, "公示期已于 "+day+" 结束") {
			t.Errorf("the explanation does not give the period's end, %s", day)
		}
		// An English reader gets the date as English pages write it.
		req, _ := http.NewRequest("GET", h.ts.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
		en, err := h.client("").Do(req)
		must(t, err)
		enBody, _ := io.ReadAll(en.Body)
		en.Body.Close()
		if want := "ended on " + end.Format("2006-01-02") + ","; !strings.Contains(string(enBody), want) || strings.Contains(string(enBody), day) {
			t.Errorf("English page: want %q and no Chinese date", want)
		}
		// Labels end with the colon of the reader's language.
		if !strings.Contains(body, "公示事项：<a") || !strings.Contains(string(enBody), "Item: <a") || strings.Contains(string(enBody), "：<a") {
			t.Errorf("labels: want 公示事项：in Chinese, \"Item: \" in English")
		}
		resp, body = h.fbPost(h.client(""), "/s/xq/feedback", url.Values{"kind": {"objection"}, "d": {fmt.Sprint(item.ID)}, "subject": {"迟到的异议"}, "body": {"正文"}}, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "公示期已于") {
			t.Fatalf("late objection: %d", resp.StatusCode)
		}
		cases, _, err := h.db.FindFeedback(context.Background(), h.bureau.ID, h.school.ID, store.FeedbackFilter{})
		must(t, err)
		if len(cases) != 0 {
			t.Errorf("a late objection was stored")
		}
	})
}

func TestFeedback_queueOverdueAndEscalation(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		anon := h.client("")
		receipt, secret := h.fbSubmit(t, anon, url.Values{"kind": {"mailbox"}, "subject": {"操场照明"}, "body": {"晚上操场太暗。"}, "anonymous": {"1"}})
		f := h.fbCase(receipt, secret)
		later := time.Now().AddDate(0, 1, 0)
		h.db.Now = func() time.Time { return later }
		h.srv.now = func() time.Time { return later }

		tests := []struct {
			user, path string
			status     int
			want       []string
		}{
			{"xq.principal", "/s/xq/cases", 200, []string{"操场照明", `class="fb-overdue"`, "已逾期"}},
			{"xq.principal", "/s/xq/cases?tab=overdue", 200, []string{"操场照明", `class="fb-overdue"`}},
			{"xq.supervisor", "/s/xq/cases?tab=all", 200, []string{"操场照明", "已过天数"}},
			{"xq.supervisor", "/s/xq/cases", 200, []string{"没有等待您办理的来信"}},
			{"xq.principal", "/work", 200, []string{"已逾期", "操场照明", fmt.Sprintf("/s/xq/cases/%d", f.ID)}},
			{"xq.parent", "/s/xq/cases", 403, nil},
			{"other.principal", "/s/xq/cases", 403, nil},
		}
		for _, tt := range tests {
			t.Run(tt.user+tt.path, func(t *testing.T) {
				resp, body := h.get(h.client(tt.user), tt.path)
				if resp.StatusCode != tt.status {
					t.Fatalf("%d, want %d", resp.StatusCode, tt.status)
				}
				for _, w := range tt.want {
					if !strings.Contains(body, w) {
						t.Errorf("page lacks %q", w)
					}
				}
			})
		}
		// The sender may take the overdue case to the bureau.
		resp, body := h.post(anon, "/lookup", url.Values{"receipt": {receipt}, "secret": {secret}})
		if resp.StatusCode != 200 || !strings.Contains(body, "学校已超过答复期限") {
			t.Fatalf("lookup of an overdue case offers no escalation: %d", resp.StatusCode)
		}
		resp, body = h.fbPost(anon, "/lookup/act", url.Values{"receipt": {receipt}, "secret": {secret}, "action": {"escalate"}}, nil)
		if resp.StatusCode != 200 || !strings.Contains(body, "已提请教育局督办") {
			t.Fatalf("escalate: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		_, body = h.get(h.client("bureau.admin"), "/bureau/cases")
		if !strings.Contains(body, "操场照明") || !strings.Contains(body, "督办") {
			t.Errorf("the bureau's queue lacks the escalated case")
		}
	})
}

func TestFeedback_requestsAndQA(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		receipt, secret := h.fbSubmit(t, h.client(""), url.Values{"kind": {"request"}, "subject": {"公开课后服务费支出明细"}, "body": {"想了解用途。"}, "anonymous": {"1"}})
		f := h.fbCase(receipt, secret)
		_, qa := h.get(h.client(""), "/s/xq/qa")
		if !strings.Contains(qa, "公开课后服务费支出明细") || !strings.Contains(qa, "0 人支持") || !strings.Contains(qa, "登录后支持") || strings.Contains(qa, "想了解用途") {
			t.Errorf("Q&A page does not list the request as the public may see it")
		}
		support := fmt.Sprintf("/s/xq/feedback/%d/support", f.ID)
		resp, _ := h.post(h.client("xq.parent"), support, nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/s/xq/qa") {
			t.Fatalf("support: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		h.post(h.client("xq.parent"), support, nil) // twice counts once
		_, qa = h.get(h.client("xq.staff"), "/s/xq/qa")
		if !strings.Contains(qa, "1 人支持") {
			t.Errorf("supporters not counted once")
		}
		resp, _ = h.post(h.client(""), support, nil)
		if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous support: %d", resp.StatusCode)
		}

		// Answered and published as Q&A, the question anonymised.
		pc := h.client("xq.principal")
		caseURL := fmt.Sprintf("/s/xq/cases/%d", f.ID)
		for _, st := range []struct {
			action string
			form   url.Values
		}{
			{"reply", url.Values{"comment": {"课后服务费全部用于教师补助和材料。"}}},
			{"publish_qa", url.Values{"qa_question": {"课后服务费用在哪里？"}, "qa_answer": {"全部用于教师补助和材料。"}}},
		} {
			resp, body := h.post(pc, caseURL+"/"+st.action, st.form)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d\n%s", st.action, resp.StatusCode, errorSummary(body))
			}
		}
		_, qa = h.get(h.client(""), "/s/xq/qa")
		if !strings.Contains(qa, "课后服务费用在哪里？") || !strings.Contains(qa, "全部用于教师补助和材料。") {
			t.Errorf("Q&A page lacks the published answer")
		}
	})
}

func TestFeedback_settingsAndTemplates(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		pc := h.client("xq.principal")
		resp, body := h.post(pc, "/s/xq/manage/feedback", url.Values{"days_objection": {"0"}, "days_opinion": {"5"}, "days_mailbox": {"5"},
			"days_report": {"15"}, "days_request": {"20"}, "support_threshold": {"8"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="0"`) || !strings.Contains(body, "答复期限须为 1–60 个工作日") {
			t.Fatalf("bad days: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		resp, _ = h.post(pc, "/s/xq/manage/feedback", url.Values{"days_objection": {"3"}, "days_opinion": {"5"}, "days_mailbox": {"5"},
			"days_report": {"15"}, "days_request": {"20"}, "support_threshold": {"8"}, "notify_email": {"office@xq.example.cn"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save settings: %d", resp.StatusCode)
		}
		_, body = h.get(h.client(""), "/s/xq/feedback/new?kind=request")
		if !strings.Contains(body, "20 个工作日内答复") || !strings.Contains(body, "支持人数达到 8 人") {
			t.Errorf("the request form does not use the school's settings")
		}
		resp, _ = h.post(pc, "/s/xq/manage/feedback/templates", url.Values{"title": {"已转交"}, "kind": {""}, "body": {"您的来信已转交有关处室办理。"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create template: %d", resp.StatusCode)
		}
		resp, body = h.post(pc, "/s/xq/manage/feedback/templates", url.Values{"title": {""}, "body": {"无名模板正文"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写模板名称") || !strings.Contains(body, "无名模板正文") {
			t.Errorf("template without a title: %d", resp.StatusCode)
		}
		tpls, err := h.db.FindReplyTemplates(context.Background(), h.school.ID)
		must(t, err)
		if len(tpls) != 1 {
			t.Fatalf("%d templates, want 1", len(tpls))
		}
		receipt, secret := h.fbSubmit(t, h.client(""), url.Values{"kind": {"opinion"}, "subject": {"图书角"}, "body": {"希望增加图书。"}, "anonymous": {"1"}})
		f := h.fbCase(receipt, secret)
		_, body = h.get(pc, fmt.Sprintf("/s/xq/cases/%d?template=%d", f.ID, tpls[0].ID))
		if !strings.Contains(body, "您的来信已转交有关处室办理。</textarea>") {
			t.Errorf("the chosen template does not fill the reply")
		}
		for _, u := range []string{"xq.clerk", "xq.supervisor", "other.principal"} {
			resp, _ := h.get(h.client(u), "/s/xq/manage/feedback")
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s on the settings: %d, want 403", u, resp.StatusCode)
			}
		}
	})
}

var matrixFeedbackPages sync.Map // *harness → map[string]string

// matrixFeedbackValues gives the authorisation matrix path values for the
// feedback pages of school xq: a named opinion with a file, sent by
// xq.parent (which the leadership, the supervision group and the bureau
// see as staff), a disclosure request to support, and a reply template.
func (h *harness) matrixFeedbackValues(t *testing.T, pattern string) map[string]string {
	t.Helper()
	if !strings.Contains(pattern, "/feedback/{id}") && !strings.Contains(pattern, "/cases/{id}") && !strings.Contains(pattern, "/templates/{id}") {
		return nil
	}
	v, ok := matrixFeedbackPages.Load(h)
	if !ok {
		ctx := context.Background()
		st, err := h.srv.blobs.Put(ctx, strings.NewReader(fbPDF), "b.pdf", gongkai.MaxAttachmentBytes)
		must(t, err)
		f, _, err := h.db.CreateFeedback(ctx, h.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion, SenderID: h.users["xq.parent"].ID,
			Subject: "建议增加课后阅读时间", Body: "希望每天增加半小时阅读。", Attachments: []gongkai.Attachment{
				{Filename: "b.pdf", ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}}})
		must(t, err)
		full, err := h.db.FindFeedbackByID(ctx, h.school.ID, f.ID)
		must(t, err)
		req, _, err := h.db.CreateFeedback(ctx, h.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindRequest, Anonymous: true,
			Subject: "公开食堂采购价格", Body: "想了解食堂采购价格。"})
		must(t, err)
		tpl := &store.ReplyTemplate{SchoolID: h.school.ID, Title: "已收到", Body: "您的来信已收到。"}
		must(t, h.db.SaveReplyTemplate(ctx, tpl))
		v = map[string]string{"case": fmt.Sprint(f.ID), "att": fmt.Sprint(full.Messages[0].Attachments[0].ID),
			"request": fmt.Sprint(req.ID), "template": fmt.Sprint(tpl.ID)}
		matrixFeedbackPages.Store(h, v)
	}
	ids := v.(map[string]string)
	switch {
	case strings.HasSuffix(pattern, "/support"):
		return map[string]string{"id": ids["request"]}
	case strings.Contains(pattern, "/templates/{id}"):
		// A template of its own per call: deleting one that is gone
		// answers 404.
		tpl := &store.ReplyTemplate{SchoolID: h.school.ID, Title: "已收到", Body: "您的来信已收到。"}
		must(t, h.db.SaveReplyTemplate(context.Background(), tpl))
		return map[string]string{"id": fmt.Sprint(tpl.ID)}
	case strings.Contains(pattern, "/files/{att}"):
		return map[string]string{"id": ids["case"], "att": ids["att"], "name": "b.pdf"}
	}
	return map[string]string{"id": ids["case"], "action": "note"}
}
