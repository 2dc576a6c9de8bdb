package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// schoolList writes a school list for upload.
func schoolList(t *testing.T, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "学校名单.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSchools_pages walks the bureau's school pages and the school's
// profile as their users click them, on a phone and at a desk: the list, a
// refused form, an import preview with errors and one without, the
// profile and the public guide; each without sideways scrolling and with
// its screenshot in e2e/artifacts/.
func TestSchools_pages(t *testing.T) {
	srv := startServer(t, "sqlite")
	header := []string{"学校名称", "学校标识码", "统一社会信用代码", "网址名", "学段", "地址", "监督电话", "校长姓名", "校长用户名"}
	for i, size := range [][2]int{{390, 844}, {1280, 800}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			ctx := browser(t, size[0], size[1])
			look := func(name string) {
				t.Helper()
				checkNoHorizontalScroll(t, ctx, name)
				checkAccessibility(t, ctx, name)
				screenshot(t, ctx, name)
			}
			login(t, ctx, srv.URL, "bureau.admin")
			do(t, ctx, "school list", chromedp.Navigate(srv.URL+"/bureau/schools"), chromedp.WaitVisible(css("table.schools-admin")))
			if s := text(t, ctx, "table.schools-admin"); !strings.Contains(s, "祥谦小学") || !strings.Contains(s, "平安职业技术学校") {
				t.Fatalf("the list lacks the demo schools: %q", s)
			}
			look("1-list")

			do(t, ctx, "a refused form",
				chromedp.Navigate(srv.URL+"/bureau/schools/new"),
				chromedp.WaitVisible(css("#f-name")),
				chromedp.SendKeys(css("#f-name"), "石门小学"),
				chromedp.SendKeys(css("#f-slug"), "xiangqian"),
				chromedp.SendKeys(css("#f-code"), "313600550"),
				chromedp.SendKeys(css("#f-credit_code"), "91110108551385082R"),
				chromedp.SendKeys(css("#f-phone"), "0598-TEL"),
				chromedp.Click(css(`form.school-form button[type=submit]`)),
				chromedp.WaitVisible(css(".error-summary")),
			)
			if s := text(t, ctx, "form.school-form"); !strings.Contains(s, "已被祥谦小学使用") || !strings.Contains(s, "校验位不对") || !strings.Contains(s, "10 位数字") {
				t.Errorf("the refused form: %q", s)
			}
			look("2-form-errors")

			bad := schoolList(t, [][]string{header,
				{"石门小学", "3136005501", "", fmt.Sprintf("shimen%d", i), "小学", "青禾县石门镇石门街3号", "0598-5550411", "", ""},
				{"翠屏小学", "3136002107", "91110108551385082R", "cuiping", "小学", "", "0598-ABC", "廖秀兰", ""},
			})
			do(t, ctx, "preview with errors",
				chromedp.Navigate(srv.URL+"/bureau/schools"),
				chromedp.WaitVisible(css("#import-file")),
				chromedp.SetUploadFiles(css("#import-file"), []string{bad}),
				chromedp.Click(css(`form[action="/bureau/schools/import"] button`)),
				chromedp.WaitVisible(css("table.import-preview")),
			)
			if s := text(t, ctx, ".import-problems"); !strings.Contains(s, "第3行 C列 “统一社会信用代码”") {
				t.Errorf("the preview's problems: %q", s)
			}
			look("3-import-errors")

			good := schoolList(t, [][]string{header,
				{"石门小学", fmt.Sprintf("313600550%d", i), "", fmt.Sprintf("shimen%d", i), "小学", "青禾县石门镇石门街3号", "0598-5550411", "廖秀兰", fmt.Sprintf("shimen%d.principal", i)},
				{"翠屏幼儿园", fmt.Sprintf("313600660%d", i), []string{"9144030071526726XG", ""}[i], fmt.Sprintf("cuiping%d", i), "幼儿园", "青禾县城关镇翠屏路8号", "0598-5550522", "", ""},
			})
			do(t, ctx, "preview without errors",
				chromedp.Navigate(srv.URL+"/bureau/schools"),
				chromedp.WaitVisible(css("#import-file")),
				chromedp.SetUploadFiles(css("#import-file"), []string{good}),
				chromedp.Click(css(`form[action="/bureau/schools/import"] button`)),
				chromedp.WaitVisible(css(`form[action="/bureau/schools/import/confirm"]`)),
			)
			look("4-import-preview")
			do(t, ctx, "confirm", chromedp.Click(css(`form[action="/bureau/schools/import/confirm"] button`)), chromedp.WaitVisible(css(".imported-schools")))
			if s := text(t, ctx, "main"); !strings.Contains(s, "已新建 2 所学校") || !strings.Contains(s, "待设置密码") {
				t.Errorf("the import's result: %q", s)
			}
			look("5-imported")
			do(t, ctx, "edit page", chromedp.Navigate(srv.URL+fmt.Sprintf("/bureau/schools/cuiping%d", i)), chromedp.WaitVisible(css("#f-name")))
			look("6-edit")
			logout(t, ctx)

			login(t, ctx, srv.URL, "xiangqian.principal")
			do(t, ctx, "profile",
				chromedp.Navigate(srv.URL+"/s/xiangqian/manage/profile"),
				chromedp.WaitVisible(css("#p-guide")),
				chromedp.SetValue(css("#p-admission_phone"), "0598-5550118"),
				chromedp.SetValue(css("#p-office_hours"), "周一至周五 8:00–12:00，14:30–17:30"),
				chromedp.SetValue(css("#p-guide"), "## 转学\n\n- 携带户口簿和原学校学籍证明到教导处办理；\n- 5 个工作日内答复。\n\n## 学生资助\n\n每学期开学后两周内向班主任提交申请表。"),
				chromedp.Click(css(`form.profile-form button[type=submit]`)),
				chromedp.WaitVisible(css(".flash")),
			)
			look("7-profile")
			logout(t, ctx)
			do(t, ctx, "guide", chromedp.Navigate(srv.URL+"/s/xiangqian/guide"), chromedp.WaitVisible(css(".guide-body")))
			if s := text(t, ctx, "main"); !strings.Contains(s, "携带户口簿") || !strings.Contains(s, "0598-5550118") {
				t.Errorf("the guide page: %q", s)
			}
			look("8-guide")
		})
	}
}
