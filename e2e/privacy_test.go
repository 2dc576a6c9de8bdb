package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

// TestPrivacy_warnAndMaskOnPhone: a clerk on a 390×844 phone saves an aid
// roster with an ID number and a parent's mobile number; the edit page
// warns, naming each place with the value masked; one click masks the body;
// the item then goes to review. The desk layout is looked at too.
func TestPrivacy_warnAndMaskOnPhone(t *testing.T) {
	dialect := testdb.Dialects()[len(testdb.Dialects())-1] // PostgreSQL when there is one
	srv := startServer(t, dialect)
	phone := browser(t, 390, 844)
	login(t, phone, srv.URL, "xiangqian.clerk")
	body := "2025年秋季学期国家助学金拟资助学生名单：\n\n| 姓名 | 班级 | 身份证号 | 资助金额 |\n|---|---|---|--:|\n| 林小雨 | 三(2)班 | 350102201203151239 | ¥1,000.00 |\n\n如有疑问请联系王老师 13812345678。"
	do(t, phone, "fill the registration form",
		chromedp.Navigate(srv.URL+"/s/xiangqian/manage/new"),
		chromedp.WaitVisible(css("#f-title")),
		chromedp.SetValue(css("#f-category"), "aid"),
		chromedp.SendKeys(css("#f-title"), "2025年秋季学期国家助学金拟资助名单"),
		chromedp.SetValue(css("#f-body"), body),
		chromedp.SetValue(css("#f-publicity_days"), "5"),
	)
	flowSubmit(t, phone, "save the draft", chromedp.Click(css(`button.secondary[name=do][value=save]`)), "#privacy", "个人信息提示")
	panel := text(t, phone, "#privacy")
	for _, want := range []string{"发现 2 处个人信息", "表格第 1 行“身份证号”列：身份证号 3501**********1239", "正文第 7 行：手机号码 138****5678"} {
		if !strings.Contains(panel, want) {
			t.Errorf("the warning lacks %q: %q", want, panel)
		}
	}
	if strings.Contains(panel, "350102201203151239") {
		t.Error("the warning shows the ID number")
	}
	do(t, phone, "scroll to the warning", chromedp.ScrollIntoView(css("#privacy")))
	screenshot(t, phone, "1-warning")
	checkNoHorizontalScroll(t, phone, "edit page with a warning")
	checkAccessibility(t, phone, "edit page with a warning")

	desk := browser(t, 1280, 800)
	login(t, desk, srv.URL, "xiangqian.clerk")
	loc, err := chromedp.Run(phone, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	edit := regexp.MustCompile(`/s/xiangqian/manage/d/\d+/edit`).FindString(loc)
	if edit == "" {
		t.Fatalf("after saving the clerk is at %s", loc)
	}
	do(t, desk, "open the draft on a desk", chromedp.Navigate(srv.URL+edit), chromedp.WaitVisible(css("#privacy")))
	screenshot(t, desk, "1-warning-desk")

	// Submitting is refused with the places named.
	flowSubmit(t, phone, "submit", chromedp.Click(css(`button[name=do][value=submit]`)), ".error-summary", "身份证号")
	screenshot(t, phone, "2-refused")

	flowSubmit(t, phone, "mask in one click", chromedp.Click(css(`.privacy-mask button`)), ".flash", "已遮盖正文中的 2 处个人信息")
	screenshot(t, phone, "3-masked")
	if n, err := chromedp.Run(phone, chromedp.Evaluate[int](`document.querySelectorAll('#privacy').length`)); err != nil || n != 0 {
		t.Errorf("the warning stays after masking (%d, %v)", n, err)
	}
	masked, err := chromedp.Run(phone, chromedp.Value(css("#f-body")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(masked, "| 3501**********1239 |") || !strings.Contains(masked, "138****5678") || strings.Contains(masked, "13812345678") {
		t.Errorf("body after masking: %q", masked)
	}
	flowSubmit(t, phone, "submit after masking", chromedp.Click(css(`button[name=do][value=submit]`)), ".review-status", "待审议")
	screenshot(t, phone, "4-submitted")

	// A number that may be public: the principal lets it stand with a
	// reason, which the review page then shows.
	do(t, phone, "a draft with a staff member's phone",
		chromedp.Navigate(srv.URL+"/s/xiangqian/manage/new"),
		chromedp.WaitVisible(css("#f-title")),
		chromedp.SetValue(css("#f-category"), "aid"),
		chromedp.SendKeys(css("#f-title"), "资助政策咨询方式"),
		chromedp.SetValue(css("#f-body"), "资助政策咨询：资助专干王老师 13912345678。"),
	)
	flowSubmit(t, phone, "save it", chromedp.Click(css(`button.secondary[name=do][value=save]`)), "#privacy", "139****5678")
	loc, err = chromedp.Run(phone, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	review := strings.TrimSuffix(regexp.MustCompile(`/s/xiangqian/manage/d/\d+/edit`).FindString(loc), "/edit")
	logout(t, phone)
	login(t, phone, srv.URL, "xiangqian.principal")
	do(t, phone, "open the review page", chromedp.Navigate(srv.URL+review), chromedp.WaitVisible(css("#privacy")), flowOpen(".privacy-override"),
		chromedp.SendKeys(css(".privacy-override textarea"), "王老师为学校资助专干，本人同意公开工作手机。"))
	screenshot(t, phone, "5-override")
	flowSubmit(t, phone, "override", chromedp.Click(css(".privacy-override button")), "#privacy", "校长已确认可以公开")
	if s := text(t, phone, "#privacy"); !strings.Contains(s, "本人同意公开工作手机") || strings.Contains(s, "不能提交审议") {
		t.Errorf("after the override the panel says %q", s)
	}
	screenshot(t, phone, "6-overridden")
	checkAccessibility(t, phone, "review page with an override")
}
