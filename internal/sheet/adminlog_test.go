package sheet

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

// The admin log's export keeps every entry in its order, names schools,
// and writes what people typed as text: a subject like a formula stays one
// to read, never to run.
func TestExportAdminLog(t *testing.T) {
	at := time.Date(2026, 3, 3, 14, 5, 0, 0, gongkai.Beijing)
	entries := []gongkai.AdminEntry{
		{SchoolID: 7, ActorName: "校长甲", Action: gongkai.AdminRolesChanged, Subject: `=HYPERLINK("http://x","y")`, Detail: "角色：教职工 → 经办人", CreatedAt: at},
		{ActorName: "命令行", Action: gongkai.AdminSetup, Subject: "青禾县教育局", Detail: "行政区划代码：350121\n监督举报电话：0591-22345678", CreatedAt: at.Add(-time.Hour)},
		{ActorName: "林晓", Action: gongkai.AdminAction("later.kind"), Subject: "0591", CreatedAt: at.Add(-2 * time.Hour)},
	}
	var buf bytes.Buffer
	if err := ExportAdminLog(&buf, entries, func(id int64) string { return map[int64]string{7: "祥谦小学"}[id] }); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(AdminLogSheet)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		AdminLogHeaders,
		{"2026-03-03 14:05:00", "校长甲", "祥谦小学", "修改角色", `=HYPERLINK("http://x","y")`, "角色：教职工 → 经办人"},
		{"2026-03-03 13:05:00", "命令行", "", "初始化设置", "青禾县教育局", "行政区划代码：350121\n监督举报电话：0591-22345678"},
		{"2026-03-03 12:05:00", "林晓", "", "later.kind", "0591"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i := range want {
		for j := range want[i] {
			if j >= len(rows[i]) || rows[i][j] != want[i][j] {
				t.Errorf("row %d column %d = %q, want %q", i+1, j+1, rows[i], want[i][j])
				break
			}
		}
	}
	if formula, _ := f.GetCellFormula(AdminLogSheet, "E2"); formula != "" {
		t.Errorf("the subject became a formula: %q", formula)
	}
	if typ, _ := f.GetCellType(AdminLogSheet, "E4"); typ == excelize.CellTypeNumber {
		t.Errorf("a subject of digits became a number")
	}
}
