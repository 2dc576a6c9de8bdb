package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

func TestCatalogue_roundTrip(t *testing.T) {
	items := append([]gongkai.CatalogueItem(nil), gongkai.DefaultCatalogue...)
	items = append(items, gongkai.CatalogueItem{Code: "canteen", Name: "=食堂膳食费收支", Category: "fees", Audience: gongkai.AudienceCommunity,
		PublicityDays: 5, Frequency: "每月", Department: "总务处", Schedule: gongkai.Schedule{Frequency: gongkai.FreqMonthly, DueDay: 0}})
	var buf bytes.Buffer
	if err := ExportCatalogue(&buf, items); err != nil {
		t.Fatal(err)
	}
	got, err := ImportCatalogue(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("import of an export: %v", err)
	}
	if len(got) != len(items) {
		t.Fatalf("got %d items, want %d", len(got), len(items))
	}
	for i := range items {
		want := items[i]
		if err := gongkai.ValidateCatalogueItem(&want); err != nil {
			t.Fatalf("default item %s invalid: %v", want.Code, err)
		}
		// The sheet does not carry the roster settings: they are set on the
		// catalogue page, and an import keeps each item's own.
		want.Roster = gongkai.RosterRule{}
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("item %d:\n got %+v\nwant %+v", i, got[i], want)
		}
	}
}

// book builds a workbook from rows; cells starting with "=" become formulas.
func book(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if s, ok := v.(string); ok && strings.HasPrefix(s, "=") {
				if err := f.SetCellFormula("Sheet1", cell, s[1:]); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := f.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func header() []any {
	out := make([]any, len(Headers))
	for i, h := range Headers {
		out[i] = h
	}
	return out
}

func good() []any {
	return []any{"canteen", "食堂膳食费收支", "收费公示", "校内公开", 5, "每月", 10, "", "", "", "", "总务处", "", "每月10日前"}
}

func with(row []any, col int, v any) []any {
	out := append([]any(nil), row...)
	out[col] = v
	return out
}

func TestCatalogue_importRefuses(t *testing.T) {
	bigRows := [][]any{header()}
	for i := 0; i < MaxRows+1; i++ {
		bigRows = append(bigRows, with(good(), 0, "c"+strings.Repeat("x", i%3)+string(rune('a'+i%26))))
	}
	wide := append(header(), make([]any, MaxColumns)...)
	wide[len(wide)-1] = "x"
	cases := []struct {
		name string
		data []byte
		want []string // each must appear in some problem
	}{
		{"not a zip", []byte("编码,公开事项\nplan,计划\n"), []string{"不是 Excel 工作簿"}},
		{"zip without workbook", zipOf(t, map[string][]byte{"a.txt": []byte("hi")}), []string{"不是 Excel 工作簿"}},
		{"zip bomb", zipOf(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook/>"), "xl/worksheets/sheet1.xml": bytes.Repeat([]byte{' '}, 60<<20)}), []string{"压缩"}},
		{"too big", append(book(t, [][]any{header(), good()}), make([]byte, MaxFileBytes)...), []string{"超过 5 MB"}},
		{"wrong header", book(t, [][]any{with(header(), 3, "范围"), good()}), []string{"第1行 D列：表头应为“公开范围”，而不是“范围”"}},
		{"missing header", book(t, [][]any{header()[:13], good()}), []string{"第1行 N列：缺少表头“频次说明”"}},
		{"formula", book(t, [][]any{header(), good(), with(with(good(), 0, "other"), 4, "=1+4")}), []string{"第3行 E列 “公示期（工作日）”：单元格含有公式"}},
		{"too many rows", book(t, bigRows), []string{"超过 2000 行"}},
		{"too many columns", book(t, [][]any{wide, good()}), []string{"超过 30 列"}},
		{"empty code and bad audience", book(t, [][]any{header(), with(good(), 0, ""), with(with(good(), 0, "x"), 3, "全世界")}),
			[]string{"第2行 A列 “编码”：编码不能为空", "第3行 D列 “公开范围”：无法识别的公开范围“全世界”"}},
		{"duplicate code", book(t, [][]any{header(), good(), good()}), []string{"第3行 A列 “编码”：编码“canteen”与第2行重复"}},
		{"publicity below minimum", book(t, [][]any{header(), with(good(), 4, 2)}), []string{"第2行 E列 “公示期（工作日）”：“收费公示”类事项的公示期不得少于 5 个工作日"}},
		{"day not every month", book(t, [][]any{header(), with(good(), 6, 31)}), []string{"第2行 G列 “截止日”：截止日须在 1–28 日之间"}},
		{"feb 29", book(t, [][]any{header(), with(with(good(), 5, "每年"), 7, "02-29")}), []string{"第2行 H列 “截止月日”：2月29日并非每年都有"}},
		{"autumn term", book(t, [][]any{header(), with(with(with(good(), 5, "每学期"), 8, "02-25"), 9, "09-31")}), []string{"第2行 J列 “秋季学期截止”：秋季学期：9月没有31日"}},
		{"event workdays", book(t, [][]any{header(), with(with(good(), 5, "按事项"), 10, "abc")}), []string{"第2行 K列 “事项后工作日”：“abc”不是整数"}},
		{"unknown frequency", book(t, [][]any{header(), with(good(), 5, "偶尔")}), []string{"第2行 F列 “频次”：无法识别的频次“偶尔”"}},
		{"header only", book(t, [][]any{header()}), []string{"没有公开事项"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items, err := ImportCatalogue(bytes.NewReader(tc.data), int64(len(tc.data)))
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("got %d items, err %v; want an ImportError", len(items), err)
			}
			if items != nil {
				t.Errorf("items returned with an error")
			}
			all := strings.Join(ie.Problems, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems:\n%s\nwant one containing %q", all, w)
				}
			}
		})
	}
}

func TestCatalogue_importAccepts(t *testing.T) {
	// Labels or codes; month-days as 9月30日; blank lines skipped.
	data := book(t, [][]any{header(),
		{"plan", "学校工作计划", "decisions", "public", 0, "yearly", "", "9月30日", "", "", "", "办公室", "", ""},
		{},
		{"fees", "收费", "收费公示", "对外公开", 5, "每学期", "", "", "2/25", "08-25", "", "财务室", "", ""},
	})
	items, err := ImportCatalogue(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Schedule.DueMonthDay != "09-30" || items[1].Schedule.TermDue != [2]string{"02-25", "08-25"} || items[1].Category != "fees" {
		t.Fatalf("got %+v", items)
	}
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
