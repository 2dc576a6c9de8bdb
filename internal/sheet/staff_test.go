package sheet

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"gongkai"
)

func staffHeader() []any { return []any{"姓名", "用户名", "角色", "处室"} }

func TestStaff_roundTrip(t *testing.T) {
	rows := []StaffRow{
		{DisplayName: "林晓红", Username: "lin.xiaohong", Roles: []gongkai.Role{gongkai.RoleClerk, gongkai.RoleLeader}, Department: "财务室"},
		{DisplayName: "=陈志远", Username: "chen.zhiyuan", Roles: []gongkai.Role{gongkai.RoleStaff}},
	}
	var buf bytes.Buffer
	if err := ExportStaff(&buf, rows); err != nil {
		t.Fatal(err)
	}
	entries, err := ImportStaff(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(rows) {
		t.Fatalf("%d entries, want %d", len(entries), len(rows))
	}
	for i, e := range entries {
		r := rows[i]
		if e.DisplayName != r.DisplayName || e.Username != r.Username || !slices.Equal(e.Roles, r.Roles) || e.Department != r.Department || len(e.Problems) > 0 {
			t.Errorf("row %d: got %+v, want %+v", i+2, e, r)
		}
		if e.Line != i+2 {
			t.Errorf("line %d, want %d", e.Line, i+2)
		}
	}
}

func TestStaff_rowProblems(t *testing.T) {
	data := book(t, [][]any{staffHeader(),
		{"王芳", "wang.fang", "经办人、领导小组", "办公室"},
		{"", "", "", ""}, // blank rows are skipped
		{"赵磊", "Zhao Lei!", "会计、教职工", ""},
		{"孙丽", "sun.li", "", "", "多余"},
	})
	entries, err := ImportStaff(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3 (the blank row skipped)", len(entries))
	}
	var all []string
	for _, e := range entries {
		for f, m := range e.Problems {
			all = append(all, StaffProblem(e.Line, f, m))
		}
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		"第4行 B列 “用户名”：用户名须为",
		"第4行 C列 “角色”：不认识的角色“会计”",
		"第5行 C列 “角色”：请至少填写一个角色",
		"第5行：E列有内容",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("problems:\n%s\nwant one containing %q", text, want)
		}
	}
	if len(entries[0].Problems) != 0 {
		t.Errorf("a good row has problems: %v", entries[0].Problems)
	}
}

func TestStaff_importRefuses(t *testing.T) {
	bigRows := [][]any{staffHeader()}
	for i := 0; i < MaxRows+1; i++ {
		bigRows = append(bigRows, []any{"教师", "t" + strings.Repeat("x", 3), "教职工", ""})
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"formula", book(t, [][]any{staffHeader(), {"王芳", "wang.fang", "=A1", ""}}), "第2行 C列 “角色”：单元格含有公式"},
		{"too big", append(book(t, [][]any{staffHeader()}), make([]byte, MaxFileBytes)...), "超过 5 MB"},
		{"zip bomb", zipOf(t, map[string][]byte{"xl/workbook.xml": []byte("<workbook/>"), "xl/worksheets/sheet1.xml": bytes.Repeat([]byte{' '}, 60<<20)}), "压缩"},
		{"too many rows", book(t, bigRows), "超过 2000 行"},
		{"not a workbook", []byte("姓名,用户名\n"), "不是 Excel 工作簿"},
		{"wrong header", book(t, [][]any{{"姓名", "账号", "角色", "处室"}, {"王芳", "wang.fang", "经办人", ""}}), "第1行 B列：表头应为“用户名”，而不是“账号”"},
		{"no one", book(t, [][]any{staffHeader()}), "名单中没有人员"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := ImportStaff(bytes.NewReader(tc.data), int64(len(tc.data)))
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("got %d entries, err %v; want an ImportError", len(entries), err)
			}
			if all := strings.Join(ie.Problems, "\n"); !strings.Contains(all, tc.want) {
				t.Errorf("problems:\n%s\nwant one containing %q", all, tc.want)
			}
		})
	}
}
