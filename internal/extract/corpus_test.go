package extract

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

// The school's own published mobile number in the corpus: allowed.
var corpusAllowed = gongkai.AllowedPhones("0591-22345678", "13905911234")

// TestLeakCorpus scans every file of testdata/leaks and compares the
// findings with expected.txt exactly: ID numbers with valid and invalid
// check characters, 15-digit IDs, cards with and without a valid Luhn
// digit, mobile numbers (the school's own allowed), addresses and birth
// dates in roster tables; in a body, a Markdown table, an XLSX, a DOCX, a
// PDF printed by Chromium and a scanned PDF.
func TestLeakCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "leaks")
	want := map[string][]string{}
	exp, err := os.ReadFile(filepath.Join(dir, "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(exp)), "\n") {
		file, msg, _ := strings.Cut(line, "\t")
		want[file] = append(want[file], msg)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	caught, expected := 0, 0
	for _, e := range entries {
		name := e.Name()
		if name == "expected.txt" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var fs []gongkai.Finding
		if strings.HasSuffix(name, ".md") {
			fs = gongkai.ScanBody(string(data), corpusAllowed)
		} else {
			fs = gongkai.InAttachment(name, Scan(bytes.NewReader(data), int64(len(data)), "", name, corpusAllowed))
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.Message())
		}
		if !reflect.DeepEqual(got, want[name]) {
			t.Errorf("%s:\n got %q\nwant %q", name, got, want[name])
		}
		for _, g := range got {
			for _, w := range want[name] {
				if g == w {
					caught++
					break
				}
			}
		}
		expected += len(want[name])
		delete(want, name)
	}
	for name := range want {
		t.Errorf("expected findings for %s, which is not in the corpus", name)
	}
	t.Logf("leak corpus: %d of %d findings caught", caught, expected)
}

// TestPDFChineseText: the text of a PDF printed by Chromium (Type 3 fonts
// for CJK) comes out as Chinese, page by page.
func TestPDFChineseText(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "leaks", "roster.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := PDFPages(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2", len(pages))
	}
	flat := strings.ReplaceAll(pages[0], "\n", "")
	for _, w := range []string{"国家助学金名单", "林小雨", "11010519491231002X"} {
		if !strings.Contains(flat, w) {
			t.Errorf("page 1 text %q lacks %q", flat, w)
		}
	}
}

func TestScanBadFiles(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"not a pdf", "x.pdf", []byte("%PDF-1.4 garbage"), "无法自动检查"},
		{"not a zip", "x.xlsx", []byte("PK garbage"), "文件无法打开"},
		{"docx without document", "x.docx", zipOf(t, map[string]string{"a.txt": "x"}), "不是有效的 Word 文档"},
		{"zip bomb", "x.xlsx", zipOf(t, map[string]string{"xl/workbook.xml": strings.Repeat("0", 4<<20)}), "压缩比异常"},
		{"unpacks too large", "x.docx", zipOf(t, bigParts(MaxUnzippedBytes>>20+1)), "解压后超过"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Scan(bytes.NewReader(tt.data), int64(len(tt.data)), "", tt.file, nil)
			if len(fs) != 1 || fs[0].Kind != gongkai.PIIUnchecked || !strings.Contains(fs[0].Message(), tt.want) {
				t.Errorf("Scan = %v, want one notice with %q", fs, tt.want)
			}
		})
	}
	if fs := Scan(bytes.NewReader(nil), MaxFileBytes+1, "", "big.xlsx", nil); len(fs) != 1 || !strings.Contains(fs[0].Message(), "文件超过") {
		t.Errorf("a file over the limit: %v", fs)
	}
	if fs := Scan(bytes.NewReader([]byte("\x89PNG")), 4, "image/png", "a.png", nil); fs != nil {
		t.Errorf("an image: %v", fs)
	}
}

// A roster of 50,000 rows (about 2 MB as XLSX, 50 MB of sheet XML once
// unpacked) is read row by row.
func TestScanLargeWorkbook(t *testing.T) {
	if testing.Short() {
		t.Skip("large workbook")
	}
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	mustOK(t, sw.SetRow("A1", []any{"姓名", "班级", "金额", "联系电话"}))
	for r := 2; r <= 50_000; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		phone := "0591-8765432"
		if r == 49_999 {
			phone = "13812345678"
		}
		mustOK(t, sw.SetRow(cell, []any{"学生", "三年级", 1000, phone}))
	}
	mustOK(t, sw.Flush())
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	mustOK(t, err)
	fs := Scan(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "", "big.xlsx", nil)
	if len(fs) != 1 || fs[0].Message() != "工作表“Sheet1” D49999：手机号码 138****5678" {
		t.Errorf("Scan of a large workbook = %v", fs)
	}
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[n]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bigParts are n parts of 1 MB each: small enough each to pass the
// compression-ratio check, too large together.
func bigParts(n int) map[string]string {
	part := strings.Repeat("0", 1<<20)
	out := map[string]string{"word/document.xml": "<w:document/>"}
	for i := range n {
		out[fmt.Sprintf("word/media/part%d.bin", i)] = part
	}
	return out
}

// TestRegenerateCorpus writes the binary files of the corpus again
// (GONGKAI_REGEN_CORPUS=1, with Chromium at GONGKAI_CHROMIUM for the PDFs).
func TestRegenerateCorpus(t *testing.T) {
	if os.Getenv("GONGKAI_REGEN_CORPUS") == "" {
		t.Skip("set GONGKAI_REGEN_CORPUS=1 to write testdata/leaks again")
	}
	dir := filepath.Join("testdata", "leaks")
	// XLSX: a title row, then the header, in the first sheet; a note in a second.
	f := excelize.NewFile()
	mustOK(t, f.SetSheetName("Sheet1", "助学金名单"))
	rows := [][]any{
		{"2025年秋季学期国家助学金名单"},
		{"序号", "姓名", "身份证号", "家庭住址", "出生年月", "联系电话"},
		{1, "林小雨", "350102201203151239", "福州市鼓楼区东街12号", "2012.03", "13812345678"},
		{2, "陈一鸣", "350102201203151238", "", "", "13905911234"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		mustOK(t, f.SetSheetRow("助学金名单", cell, &r))
	}
	_, err := f.NewSheet("备注")
	mustOK(t, err)
	mustOK(t, f.SetCellValue("备注", "A1", "卡号 6222021234567890128"))
	mustOK(t, f.SetDocProps(&excelize.DocProperties{Creator: "gongkai test"}))
	if err := f.SaveAs(filepath.Join(dir, "roster.xlsx")); err != nil {
		t.Fatal(err)
	}
	// DOCX: two paragraphs, a roster table, a paragraph after it.
	p := func(s string) string { return `<w:p><w:r><w:t>` + html.EscapeString(s) + `</w:t></w:r></w:p>` }
	tc := func(s string) string { return `<w:tc>` + p(s) + `</w:tc>` }
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		p("助学金名单") + `<w:p/>` + p("联系人 15900001111") +
		`<w:tbl><w:tr>` + tc("姓名") + tc("出生日期") + tc("住址") + `</w:tr><w:tr>` + tc("林小雨") + tc("2012-03-15") + tc("福州市台江区八一七路1号") + `</w:tr></w:tbl>` +
		p("旧证 350102850315123") + `</w:body></w:document>`
	docx := zipOf(t, map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"_rels/.rels":         `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml":   doc,
	})
	if err := os.WriteFile(filepath.Join(dir, "roster.docx"), docx, 0o644); err != nil {
		t.Fatal(err)
	}
	chromium := os.Getenv("GONGKAI_CHROMIUM")
	if chromium == "" {
		t.Fatal("GONGKAI_CHROMIUM is not set")
	}
	printPDF := func(name, page string) {
		src := filepath.Join(t.TempDir(), "p.html")
		mustOK(t, os.WriteFile(src, []byte(`<!doctype html><meta charset="utf-8"><body style="font-family:'Noto Sans CJK SC',sans-serif">`+page), 0o644))
		out, _ := filepath.Abs(filepath.Join(dir, name))
		cmd := exec.Command(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf="+out, src)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("chromium: %v\n%s", err, b)
		}
	}
	printPDF("roster.pdf", `<h1>国家助学金名单</h1><table border="1"><tr><th>姓名</th><th>身份证号</th><th>电话</th><th>卡号</th></tr>
<tr><td>林小雨</td><td>11010519491231002X</td><td>13812345678</td><td>6222021234567890127</td></tr></table>
<p style="break-before:page">资助热线 13905911234。卡号 4111111111111111</p>`)
	// A scanned page: an image, no text.
	printPDF("scanned.pdf", `<img alt="" style="width:500px;height:300px" src="data:image/png;base64,`+grayPNG()+`">`)
}

// grayPNG is a small grey picture with dark lines, like a scanned page.
func grayPNG() string {
	m := image.NewGray(image.Rect(0, 0, 200, 120))
	for y := 0; y < 120; y++ {
		for x := 0; x < 200; x++ {
			c := uint8(230)
			if y%12 < 2 && x > 10 && x < 190 {
				c = 40
			}
			m.SetGray(x, y, color.Gray{Y: c})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		panic(err) // into memory: cannot fail
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// mustOK stops the test on an error of a step that builds its input.
func mustOK(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
