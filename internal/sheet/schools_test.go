package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

func TestSchools_roundTrip(t *testing.T) {
	schools := []*gongkai.School{
		{ID: 1, Slug: "xiangqian", Name: "祥谦小学", FullName: "青禾县祥谦小学", Code: "0136002107", CreditCode: "91110108551385082Q",
			Stage: "小学", Address: "青禾县祥谦镇祥谦街56号", Phone: "0598-5550117"},
		{ID: 2, Slug: "pingan", Name: "=平安职业技术学校", Code: "3136004401", Stage: "中等职业学校"},
	}
	var buf bytes.Buffer
	if err := ExportSchools(&buf, schools, map[int64][2]string{1: {"郑海燕", "xiangqian.principal"}}); err != nil {
		t.Fatal(err)
	}
	l, err := ReadSchools(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("read of an export: %v", err)
	}
	if len(l.Problems) != 0 || len(l.Rows) != 2 {
		t.Fatalf("rows %d, problems %v", len(l.Rows), l.Messages())
	}
	for i, s := range schools {
		want := *s
		want.ID = 0
		if !reflect.DeepEqual(l.Rows[i].School, want) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, l.Rows[i].School, want)
		}
	}
	if r := l.Rows[0]; r.Row != 2 || r.PrincipalName != "郑海燕" || r.PrincipalUsername != "xiangqian.principal" {
		t.Errorf("principal row %+v", r)
	}
}

func TestSchools_problemsByRowAndColumn(t *testing.T) {
	data := book(t, [][]any{
		{"学校名称", "学校标识码", "统一社会信用代码", "网址名", "学段", "地址", "监督电话", "校长姓名", "校长用户名"},
		{"祥谦小学", "3136002107", "91110108551385082Q", "xiangqian", "小学", "", "0598-5550117", "", ""},
		{"元坝小学", "313600330", "91110108551385082R", "yuanba", "小学", "", "0598-555O268", "马俊杰", ""},
		{"开物小学", "3136002107", "", "xiangqian", "大学", "", "", "", "Kai Wu"},
		{},
		{"平安职校", "3136004401", "", "pingan", "中等职业学校", "", "", "", ""},
	})
	l, err := ReadSchools(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"第3行 B列 “学校标识码”：学校标识码须为 10 位数字。",
		"第3行 C列 “统一社会信用代码”：统一社会信用代码的校验位不对，请核对最后一位。",
		"第3行 G列 “监督电话”：监督电话只能包含数字、空格、横线和括号，例如 0591-22345678 或 13812345678。",
		"第3行 I列 “校长用户名”：请为校长马俊杰填写用户名（登录用），或把校长姓名留空。",
		"第4行 B列 “学校标识码”：与第2行重复。",
		"第4行 D列 “网址名”：与第2行重复。",
		"第4行 E列 “学段”：请从列表中选择学段：" + strings.Join(gongkai.Stages, "、") + "。",
		"第4行 H列 “校长姓名”：填写校长用户名时，请同时填写校长姓名。",
		"第4行 I列 “校长用户名”：用户名须为 3–40 位小写字母、数字、点、横线或下划线，以字母或数字开头。",
	}
	if got := l.Messages(); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(l.Rows) != 4 || l.Rows[3].Row != 6 {
		t.Errorf("rows: %d, last %d", len(l.Rows), l.Rows[len(l.Rows)-1].Row)
	}
	if len(l.RowProblems(2)) != 0 || len(l.RowProblems(3)) != 4 {
		t.Errorf("row problems: %v %v", l.RowProblems(2), l.RowProblems(3))
	}
	// The database's findings land in the column of their field.
	l.Add(6, "credit_code", "已登记为开物小学。")
	if got := l.Problems[len(l.Problems)-1].String(); got != "第6行 C列 “统一社会信用代码”：已登记为开物小学。" {
		t.Errorf("added problem: %s", got)
	}
}

func TestSchools_refused(t *testing.T) {
	header := []any{"学校名称", "学校标识码", "网址名", "学段"}
	big := func() []byte {
		f := excelize.NewFile()
		sw, _ := f.NewStreamWriter("Sheet1")
		check := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		check(sw.SetRow("A1", header))
		for i := 0; i < 10000; i++ {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			check(sw.SetRow(cell, []any{fmt.Sprintf("第%d小学", i), fmt.Sprintf("31%08d", i), fmt.Sprintf("s%d", i), "小学"}))
		}
		check(sw.Flush())
		var buf bytes.Buffer
		_, err := f.WriteTo(&buf)
		check(err)
		return buf.Bytes()
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"formula", book(t, [][]any{header, {"祥谦小学", "=1+1", "xiangqian", "小学"}}), "第2行 B列：单元格含有公式"},
		{"10,000 rows", big(), "工作表超过 2000 行，拒绝导入。"},
		{"missing header", book(t, [][]any{{"学校名称", "网址名", "学段"}, {"祥谦小学", "xiangqian", "小学"}}), "缺少表头“学校标识码”"},
		{"unknown header", book(t, [][]any{{"学校名称", "学校标识码", "网址名", "学段", "校训"}}), "无法识别的表头“校训”"},
		{"only a header", book(t, [][]any{header}), "没有学校"},
		{"not a workbook", []byte("学校名称,学校标识码\n"), "这不是 Excel 工作簿"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSchools(bytes.NewReader(tt.data), int64(len(tt.data)))
			var ie *ImportError
			if !errors.As(err, &ie) || !strings.Contains(strings.Join(ie.Problems, "\n"), tt.want) {
				t.Fatalf("ReadSchools = %v, want %q", err, tt.want)
			}
		})
	}
}
