package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai"
	"gongkai/internal/testdb"
)

// TestFeedback_objectionAnsweredAndRectified is "有公示、有回音、有结果" as
// people click it. An anonymous parent on a 390×844 phone opens an item in
// its publicity period from the board of xiangqian, taps 在线提交异议, objects
// anonymously and keeps the receipt code and secret the page shows. The
// principal (objections are the leadership's to handle: CanHandleFeedback)
// at 1280×800 finds the case in the queue by its receipt, replies, plans a
// rectification, registers the corrected disclosure on the registration
// form (approval, check and publication go through the API to keep the
// test short) and marks the rectification done with that disclosure as its
// result. The parent opens 查询回执, types receipt and secret, reads the
// reply, the plan, the result and its link, and rates the answer 满意; the
// item's page then counts "异议 1 件，已答复 1 件". The form, the receipt,
// the lookup (form and case) and the staff pages are checked with axe-core.
func TestFeedback_objectionAnsweredAndRectified(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			start := time.Now()
			srv := startServer(t, dialect)
			api := newFlowAPI(t, srv.URL)
			n, year := time.Now().UnixNano()%10000, time.Now().In(gongkai.Beijing).Year()
			title := fmt.Sprintf("关于%d年教辅资料代购收费的公示（第%d号）", year, n)
			item := api.publish(title, "经家长委员会同意，本学期代购《数学同步练习》等教辅资料，每生收费 ¥48.00 元，据实结算，多退少补。", "finance")

			// The parent, on a phone, from the board to the objection form.
			phone := browser(t, 390, 844)
			itemURL := fmt.Sprintf("/s/xiangqian/d/%d", item)
			do(t, phone, "open the board", chromedp.Navigate(srv.URL+"/s/xiangqian/"), chromedp.WaitVisible(css(`main a[href="`+itemURL+`"]`)))
			do(t, phone, "open the item", chromedp.Click(css(`main a[href="`+itemURL+`"]`)), chromedp.WaitVisible(css("section.objection")))
			if s := text(t, phone, "section.objection"); !strings.Contains(s, "公示期内接受异议") {
				t.Fatalf("the item in its period does not invite objections: %q", s)
			}
			do(t, phone, "tap 在线提交异议",
				chromedp.Click(css(`section.objection a[href*="kind=objection"]`)),
				chromedp.WaitVisible(css("#fb-body")),
			)
			if s := text(t, phone, ".fb-item-title"); !strings.Contains(s, title) {
				t.Errorf("the objection form names %q, want the item", s)
			}
			if v, _ := chromedp.Run(phone, chromedp.Value(css("#fb-subject"))); !strings.Contains(v, title) {
				t.Errorf("the subject is not pre-filled with the item: %q", v)
			}
			objection := "收费标准中“每生 ¥48.00 元”与家长会上通知的 ¥38.00 元不一致，请核实并更正。"
			do(t, phone, "write the objection",
				chromedp.SendKeys(css("#fb-body"), objection),
				chromedp.Click(css("#fb-anon-yes")),
			)
			checkAccessibility(t, phone, "objection form")
			checkNoHorizontalScroll(t, phone, "objection form")
			screenshot(t, phone, "1-objection-form")
			do(t, phone, "send the objection", chromedp.Click(css(`form.fb-form button[type=submit]`)), chromedp.WaitVisible(css(".fb-receipt")))
			codes, err := chromedp.Run(phone, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.fb-code-value')).map(e => e.textContent.trim())`))
			if err != nil || len(codes) != 2 || codes[0] == "" || codes[1] == "" {
				t.Fatalf("the receipt page shows codes %q (%v), want the receipt code and the secret", codes, err)
			}
			receipt, secret := codes[0], codes[1]
			if !regexp.MustCompile(`^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$`).MatchString(receipt) {
				t.Errorf("receipt %q is not four groups of four symbols", receipt)
			}
			screenshot(t, phone, "2-receipt")
			checkAccessibility(t, phone, "receipt")
			checkNoHorizontalScroll(t, phone, "receipt")
			if page := text(t, phone, "main"); !strings.Contains(page, "查询密码只显示这一次") {
				t.Errorf("the receipt page does not say the secret is shown once")
			}
			// The receipt asks before it is left (the secret is shown once);
			// the parent has kept the codes and confirms.
			watchDialogs(t, phone).answer(true)

			// The principal, at a desk, from the queue to the case.
			desk := browser(t, 1280, 800)
			login(t, desk, srv.URL, "xiangqian.principal")
			do(t, desk, "open the queue", chromedp.Navigate(srv.URL+"/s/xiangqian/cases"), chromedp.WaitVisible(css("#fb-q")))
			flowSubmit(t, desk, "search the receipt",
				chromedp.Steps(chromedp.SendKeys(css("#fb-q"), receipt), chromedp.Click(css(`form.filters button[type=submit]`))),
				".result-count", "共 1 件")
			if s := text(t, desk, ".fb-table tbody"); !strings.Contains(s, receipt) || !strings.Contains(s, "已受理") {
				t.Fatalf("the queue row of the case: %q", s)
			}
			screenshot(t, desk, "3-queue")
			do(t, desk, "open the case", chromedp.Click(css(`.fb-table tbody td.fb-subject a`)), chromedp.WaitVisible(css(".fb-case-title")))
			caseURL, _ := chromedp.Run(desk, chromedp.Location())
			if s := text(t, desk, ".fb-facts"); !strings.Contains(s, "匿名") || !strings.Contains(s, title) {
				t.Errorf("the case page does not show an anonymous objection to the item: %q", s)
			}
			checkAccessibility(t, desk, "case page")

			reply := "经核实，家长会通知的 ¥38.00 元为去年标准，今年教辅资料增加《语文阅读》一册，实际应为 ¥48.00 元；公示中未列明明细，学校将补充公示明细。"
			flowSubmit(t, desk, "reply",
				chromedp.Steps(flowOpen("#step-reply"), chromedp.SendKeys(css("#c-reply"), reply),
					chromedp.Click(css(`form[action$="/reply"] button[type=submit]`))),
				".flash", "已答复")
			plan := "由教务处在 5 个工作日内补充公示每册教辅资料的名称、单价和数量。"
			dueDay := time.Now().In(gongkai.Beijing).AddDate(0, 0, 14)
			due := dueDay.Format("2006-01-02")
			flowSubmit(t, desk, "plan the rectification",
				chromedp.Steps(flowOpen("#step-rectify"), chromedp.SendKeys(css("#c-rectify"), plan),
					chromedp.SetValue(css("#c-rdue"), due), chromedp.Click(css(`form[action$="/rectify"] button[type=submit]`))),
				".flash", "整改方案已记录")
			screenshot(t, desk, "4-rectifying")

			// The corrected disclosure: registered on the form, then approved,
			// checked and published through the API.
			resultTitle := fmt.Sprintf("关于%d年教辅资料代购收费明细的更正公示（第%d号）", year, n)
			do(t, desk, "open the registration form from the case",
				flowOpen("#step-rectified"),
				chromedp.Click(css(`#step-rectified a[href$="/manage/new"]`)),
				chromedp.WaitVisible(css("#f-title")),
			)
			do(t, desk, "fill the registration form",
				chromedp.SetValue(css("#f-category"), "finance"),
				chromedp.SendKeys(css("#f-title"), resultTitle),
				chromedp.SetValue(css("#f-body"), "根据家长异议，补充公示教辅资料明细：\n\n| 资料 | 单价 |\n|---|--:|\n| 数学同步练习 | ¥18.00 |\n| 英语同步练习 | ¥16.00 |\n| 语文阅读 | ¥14.00 |\n| 合计 | ¥48.00 |"),
				chromedp.SetValue(css("#f-publicity_days"), "5"),
			)
			flowSubmit(t, desk, "submit the corrected disclosure", chromedp.Click(css(`button[name=do][value=submit]`)), ".review-status", "待审议")
			loc, _ := chromedp.Run(desk, chromedp.Location())
			m := regexp.MustCompile(`/s/xiangqian/manage/d/(\d+)`).FindStringSubmatch(loc)
			if m == nil {
				t.Fatalf("after submitting, the principal is at %s, want the review page", loc)
			}
			result, _ := strconv.ParseInt(m[1], 10, 64)
			api.step("xiangqian.principal", result, "approve", "")
			api.step("xiangqian.supervisor", result, "check", "明细与票据一致。")
			api.step("xiangqian.clerk", result, "publish", "")

			done := "已补充公示教辅资料明细，见更正公示。"
			do(t, desk, "back to the case", chromedp.Navigate(caseURL), chromedp.WaitVisible(css("#step-rectified")),
				flowOpen("#step-rectified"),
				chromedp.WaitReady(css(fmt.Sprintf(`#c-result option[value="%d"]`, result))))
			flowSubmit(t, desk, "rectification done",
				chromedp.Steps(chromedp.SetValue(css("#c-result"), strconv.FormatInt(result, 10)), chromedp.SendKeys(css("#c-rectified"), done),
					chromedp.Click(css(`form[action$="/rectified"] button[type=submit]`))),
				".flash", "已记录整改完成")
			if s := text(t, desk, ".review-status"); !strings.Contains(s, "已整改") {
				t.Errorf("the case after the rectification: %q, want 已整改", s)
			}
			if s := text(t, desk, ".fb-facts"); !strings.Contains(s, resultTitle) {
				t.Errorf("the case page does not link the result: %q", s)
			}
			screenshot(t, desk, "5-rectified")
			checkAccessibility(t, desk, "case page, rectified")
			do(t, desk, "the queue", chromedp.Navigate(srv.URL+"/s/xiangqian/cases?tab=all"), chromedp.WaitVisible(css(".fb-queue")))
			checkAccessibility(t, desk, "queue")

			// The parent comes back with receipt and secret.
			do(t, phone, "open 查询回执",
				chromedp.Navigate(srv.URL+"/s/xiangqian/"),
				chromedp.Click(css(`.school-nav a[href="/lookup"]`)),
				chromedp.WaitVisible(css("#receipt")),
			)
			checkAccessibility(t, phone, "lookup form")
			checkNoHorizontalScroll(t, phone, "lookup form")
			do(t, phone, "look the case up",
				chromedp.SendKeys(css("#receipt"), receipt),
				chromedp.SendKeys(css("#secret"), secret),
				chromedp.Click(css(`form[action="/lookup"] button[type=submit]`)),
				chromedp.WaitVisible(css(".fb-sender")),
			)
			page := text(t, phone, "main")
			for _, want := range []string{title, "已整改", reply, plan, done, "查看公开的整改结果",
				dueDay.Format("2006-01-02")} { // the case's table: dates in list style
				if !strings.Contains(page, want) {
					t.Errorf("the sender's page lacks %q", want)
				}
			}
			if ok, _ := chromedp.Run(phone, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector('.fb-facts a[href="/s/xiangqian/d/%d"]')`, result))); !ok {
				t.Errorf("the sender's page does not link the result disclosure %d", result)
			}
			screenshot(t, phone, "6-lookup")
			checkAccessibility(t, phone, "lookup case")
			checkNoHorizontalScroll(t, phone, "lookup case")
			do(t, phone, "rate 满意",
				chromedp.Click(css(`input[name=rating][value=satisfied]`)),
				chromedp.Click(css(`form:has(input[name=action][value=rate]) button[type=submit]`)),
				chromedp.WaitVisible(css(".fb-sender .flash")),
			)
			if s := text(t, phone, ".fb-facts"); !strings.Contains(s, "满意") {
				t.Errorf("the rating is not shown: %q", s)
			}
			if s := text(t, phone, ".fb-sender .flash"); !strings.Contains(s, "感谢您的评价") {
				t.Errorf("after rating: %q", s)
			}
			screenshot(t, phone, "7-rated")

			// The result is public, linked from the sender's page; the item
			// counts its objections.
			do(t, phone, "open the result", chromedp.Click(css(`.fb-facts a[href*="/d/`+strconv.FormatInt(result, 10)+`"]`)), chromedp.WaitVisible(css("table.meta")))
			if s := text(t, phone, "main"); !strings.Contains(s, resultTitle) {
				t.Errorf("the result link does not lead to the corrected disclosure")
			}
			do(t, phone, "the item again", chromedp.Navigate(srv.URL+itemURL), chromedp.WaitVisible(css(".objection-count")))
			if s := strings.TrimSpace(text(t, phone, ".objection-count")); s != "异议 1 件，已答复 1 件" {
				t.Errorf("the item counts %q, want 异议 1 件，已答复 1 件", s)
			}
			screenshot(t, phone, "8-item")
			t.Logf("%s: %v", dialect, time.Since(start).Round(100*time.Millisecond))
		})
	}
}

// flowSubmit takes an action that leaves the page (a form's submit) and
// waits for the next page, where sel contains want. The old page is
// marked first, so that what is still on it does not count.
func flowSubmit(t *testing.T, ctx context.Context, step string, action chromedp.Action[chromedp.Void], sel, want string) {
	t.Helper()
	do(t, ctx, step+": mark the page", chromedp.Evaluate[chromedp.Void](`window.__gkOld = true`))
	do(t, ctx, step, action)
	check := fmt.Sprintf(`!window.__gkOld && document.readyState !== 'loading' && !!document.querySelector(%q) && document.querySelector(%q).textContent.includes(%q)`, sel, sel, want)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](check))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			screenshot(t, ctx, "failed")
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.error-summary, .flash, main') || document.body).innerText.slice(0, 400)`))
			t.Fatalf("%s: no %s with %q after 30 s (%v); the page says: %s", step, sel, want, err, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// flowOpen opens a closed <details> by clicking its summary, as people do;
// one the page opened already stays open.
func flowOpen(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		open, err := chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).open`, sel))(ctx, tg)
		if err != nil || open {
			return err
		}
		_, err = chromedp.Click(css(sel+" > summary"))(ctx, tg)
		return err
	})
}

// flowAPI takes the publication steps with the demo roles' API tokens.
type flowAPI struct {
	t      *testing.T
	base   string
	tokens map[string]string
}

func newFlowAPI(t *testing.T, base string) *flowAPI {
	return &flowAPI{t: t, base: base, tokens: map[string]string{}}
}

func (a *flowAPI) call(user, method, path string, in any) []byte {
	a.t.Helper()
	tok := a.tokens[user]
	if tok == "" && user != "" {
		var out struct{ Token string }
		body := a.call("", "POST", "/api/v1/auth/token", map[string]string{"username": user, "password": "gongkai-demo"})
		if err := json.Unmarshal(body, &out); err != nil || out.Token == "" {
			a.t.Fatalf("no token for %s", user)
		}
		tok, a.tokens[user] = out.Token, out.Token
	}
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, a.base+path, body)
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
		a.t.Fatalf("%s %s as %s: %d %s", method, path, user, res.StatusCode, b)
	}
	return b
}

func (a *flowAPI) step(user string, id int64, action, comment string) {
	a.t.Helper()
	var in any
	if comment != "" {
		in = map[string]string{"comment": comment}
	}
	a.call(user, "POST", fmt.Sprintf("/api/v1/disclosures/%d/%s", id, action), in)
}

// publish takes a public item with a publicity period of five working days
// through the whole procedure and returns its id.
func (a *flowAPI) publish(title, body, category string) int64 {
	a.t.Helper()
	var d struct{ ID int64 }
	if err := json.Unmarshal(a.call("xiangqian.clerk", "POST", "/api/v1/schools/xiangqian/disclosures", map[string]any{
		"title": title, "body": body, "category": category, "audience": "public", "publicity_days": 5,
		"contact": "0598-5550117", "channels": []string{"online", "board"},
	}), &d); err != nil {
		a.t.Fatalf("create %q: %v", title, err)
	}
	if d.ID == 0 {
		a.t.Fatalf("creating %q gave no id", title)
	}
	a.step("xiangqian.clerk", d.ID, "submit", "")
	a.step("xiangqian.principal", d.ID, "approve", "")
	a.step("xiangqian.supervisor", d.ID, "check", "")
	a.step("xiangqian.clerk", d.ID, "publish", "")
	return d.ID
}
