package notice_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/internal/notice"
	"gongkai/internal/notice/noticetest"
	"gongkai/internal/qrcode/qrcodetest"
)

const hash = "3f1c0e9a5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468"

func sample(body string) *notice.Notice {
	return &notice.Notice{
		School:  "青禾县祥谦小学",
		Heading: "校务公开 · 每月财务收支",
		Meta:    [][2]string{{"索引号：", "3501210001-2026-0042"}, {"文号：", "祥小〔2026〕7号"}},
		Title:   "2026年2月财务收支情况公示",
		Trail:   "经领导小组审议 · 校长签发 · 监督小组审核 · 2026-03-03 发布",
		Signers: "签发人：林校长（2026-03-02） · 审核人：陈老师（2026-03-03）",
		Body:    body,
		Files:   []string{"2026年2月收支明细.xlsx", "票据扫描.pdf"}, FilesLabel: "附件：",
		Period:    "公示期：2026-03-03 至 2026-03-09",
		Objection: "如有异议，请于2026年3月9日前通过以下方式反映：",
		Ways:      []string{"在线提交：https://gongkai.example.cn/s/xq/feedback/new?kind=objection&d=42", "监督电话：0591-5550023"},
		QR:        "https://gongkai.example.cn/s/xq/d/42/verify",
		QRLabel:   "扫码核验：网上存证与本公告是否一致",
		Record:    []string{"存证 #12 · SHA-256", hash},
		Lang:      "zh-CN",
	}
}

const body = `根据《中小学校财务制度》，现将本校2026年2月财务收支情况公示如下。

## 一、收入

| 项目 | 金额（元） |
|---|--:|
| 财政拨款 | ¥128,400.00 |
| 其他收入 | ¥1,250.00 |

## 二、支出

1. 办公费 ¥3,200.00，用于购买教学用纸和打印耗材。
2. 维修费 ¥12,800.00（教学楼屋面防水），经 [招标公告](https://gongkai.example.cn/s/xq/d/40) 确定施工单位。

> 以上数据已经学校财务室核对。
`

// TestPDF_readsBack renders a notice and reads it back as a reader would:
// one A4 page with ink on it, its words in the text, and a QR code that
// opens the verify page.
func TestPDF_readsBack(t *testing.T) {
	m := notice.NewMaker(noticetest.Font(t))
	n := sample(body)
	start := time.Now()
	pdf, err := m.PDF(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("made in %v, %d bytes", time.Since(start), len(pdf))
	if len(pdf) > 400_000 {
		t.Errorf("the notice is %d bytes: is the font embedded whole rather than its subset?", len(pdf))
	}
	pages := noticetest.Pages(t, pdf, 150)
	if len(pages) != 1 {
		t.Errorf("%d pages, want 1", len(pages))
	}
	// A4 is 210 × 297 mm: 1240 × 1754 pixels at 150 dpi.
	if b := pages[0].Bounds(); abs(b.Dx()-1240) > 1 || abs(b.Dy()-1754) > 1 {
		t.Errorf("the page is %d × %d pixels at 150 dpi, want A4 (1240 × 1754)", b.Dx(), b.Dy())
	}
	if ink := noticetest.Ink(pages[0]); ink < 0.01 {
		t.Errorf("the page is blank (%.4f ink)", ink)
	}
	text := noticetest.Text(t, pdf)
	for _, want := range []string{"青禾县祥谦小学", "2026年2月财务收支情况公示", "经领导小组审议 · 校长签发 · 监督小组审核", "公示期：2026-03-03 至 2026-03-09",
		"¥128,400.00", "招标公告", "（https://gongkai.example.cn/s/xq/d/40）", "票据扫描.pdf", "监督电话：0591-5550023", "存证 #12", hash[:32], hash[32:]} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	got, err := qrcodetest.Decode(pages[0], false)
	if err != nil || got != n.QR {
		t.Errorf("the QR code on the page reads %q (%v), want %q", got, err, n.QR)
	}
	if dir := os.Getenv("GONGKAI_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "notice.pdf"), pdf, 0o644)
	}
}

// TestPDF_longBodyBreaksPages: a long roster runs over pages, its header
// row repeated, and the record comes last, whole.
func TestPDF_longBodyBreaksPages(t *testing.T) {
	var b strings.Builder
	b.WriteString("| 序号 | 姓名 | 班级 | 资助金额 |\n|--:|---|---|--:|\n")
	for i := 1; i <= 90; i++ {
		b.WriteString("| " + strconv.Itoa(i) + " | 学生" + strconv.Itoa(i) + " | 三年级（2）班 | ¥500.00 |\n")
	}
	pdf, err := notice.NewMaker(noticetest.Font(t)).PDF(sample(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	pages := noticetest.Pages(t, pdf, 100)
	if len(pages) < 3 {
		t.Fatalf("%d pages for 90 rows, want 3 or more", len(pages))
	}
	text := noticetest.Text(t, pdf)
	if c := strings.Count(text, "资助金额"); c != len(pages) {
		t.Errorf("the header row is printed %d times on %d pages", c, len(pages))
	}
	for _, want := range []string{"学生90", "存证 #12"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q", want)
		}
	}
	last := pages[len(pages)-1]
	if got, err := qrcodetest.Decode(last, false); err != nil || got != sample("").QR {
		t.Errorf("the last page's QR code reads %q (%v)", got, err)
	}
}

// TestMaker_noFont: without a usable TrueType font no notice is made, and
// the error says so.
func TestMaker_noFont(t *testing.T) {
	dir := t.TempDir()
	ttc := filepath.Join(dir, "a.ttc")
	otf := filepath.Join(dir, "a.otf")
	must(t, os.WriteFile(ttc, []byte("ttcf\x00\x02\x00\x00\x00\x00\x00\x02"), 0o644))
	must(t, os.WriteFile(otf, []byte("OTTO\x00\x0b\x00\x80\x00\x03\x00\x30"), 0o644))
	for _, path := range []string{"", filepath.Join(dir, "missing.ttf"), ttc, otf} {
		_, err := notice.NewMaker(path).PDF(sample(body))
		if !errors.Is(err, notice.ErrNoFont) {
			t.Errorf("font %q: err = %v, want ErrNoFont", path, err)
		}
	}
}

// TestMaker_cachesTheSameNotice: the same notice is made once; a changed
// one anew.
func TestMaker_cachesTheSameNotice(t *testing.T) {
	m := notice.NewMaker(noticetest.Font(t))
	a, err := m.PDF(sample(body))
	must(t, err)
	start := time.Now()
	b, err := m.PDF(sample(body))
	must(t, err)
	if again := time.Since(start); &a[0] != &b[0] {
		t.Errorf("the same notice was made again (%v)", again)
	}
	n := sample(body)
	n.Notice = "本事项已撤回。撤回理由：数据有误。"
	c, err := m.PDF(n)
	must(t, err)
	if &c[0] == &a[0] {
		t.Error("a withdrawn notice was served from the cache of the published one")
	}
	if !strings.Contains(noticetest.Text(t, c), "本事项已撤回") {
		t.Error("the withdrawn notice does not say so")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func abs(n int) int { return max(n, -n) }
