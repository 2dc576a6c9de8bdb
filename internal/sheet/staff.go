package sheet

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

// StaffHeaders are the columns of a staff list (教职工名单), in order.
var StaffHeaders = []string{"姓名", "用户名", "角色", "处室"}

// StaffSheetName is the name of the sheet a staff export writes.
const StaffSheetName = "教职工名单"

// staffColumn is the column of each field of gongkai.StaffEntry.
var staffColumn = map[string]int{"display_name": 0, "username": 1, "roles": 2, "department": 3}

// StaffCell names the column of an entry's field for messages: "B", "用户名".
func StaffCell(field string) (col, header string) {
	c, ok := staffColumn[field]
	if !ok {
		return "", ""
	}
	return colName(c), StaffHeaders[c]
}

// StaffProblem writes one problem of an entry as the catalogue import
// does: 第3行 B列 “用户名”：….
func StaffProblem(line int, field, msg string) string {
	col, header := StaffCell(field)
	if col == "" {
		return fmt.Sprintf("第%d行：%s", line, msg)
	}
	return fmt.Sprintf("第%d行 %s列 “%s”：%s", line, col, header, msg)
}

// ImportStaff reads a staff list from the first sheet of a workbook, after
// the guards every import passes (size, zip bomb, formulas, rows). Problems
// of the file as a whole come back as an *ImportError; problems of single
// rows are left in each entry's Problems, for the preview to show next to
// the row, and never stop the reading of the other rows. Blank rows are
// skipped.
func ImportStaff(r io.Reader, size int64) ([]gongkai.StaffEntry, error) {
	rows, err := readWorkbook(r, size, StaffHeaders)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fail("工作表是空的：第1行应为表头（%s）。", strings.Join(StaffHeaders, "、"))
	}
	p := problems{headers: StaffHeaders}
	head := rows[0]
	for i, h := range StaffHeaders {
		got := ""
		if i < len(head) {
			got = strings.TrimSpace(head[i])
		}
		switch {
		case got == "":
			p.add("第1行 %s列：缺少表头“%s”。请使用导出的名单作为模板。", colName(i), h)
		case got != h:
			p.add("第1行 %s列：表头应为“%s”，而不是“%s”。请使用导出的名单作为模板。", colName(i), h, got)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	var out []gongkai.StaffEntry
	for i, row := range rows[1:] {
		cell := func(c int) string {
			if c < len(row) {
				return strings.TrimSpace(row[c])
			}
			return ""
		}
		if strings.Join(row, "") == "" || strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		e := gongkai.StaffEntry{Line: i + 2, DisplayName: cell(0), Username: cell(1), Department: cell(3)}
		roles, unknown := gongkai.ParseRoleLabels(cell(2))
		e.Roles = roles
		if len(unknown) > 0 {
			e.Problem("roles", fmt.Sprintf("不认识的角色“%s”。可填：%s，用顿号分隔。", strings.Join(unknown, "、"), roleChoices()))
		}
		for c := len(StaffHeaders); c < len(row); c++ {
			if strings.TrimSpace(row[c]) != "" {
				e.Problem("extra", fmt.Sprintf("%s列有内容，但名单只有 %d 列（%s）。", colName(c), len(StaffHeaders), strings.Join(StaffHeaders, "、")))
				break
			}
		}
		gongkai.ValidateStaffEntry(&e)
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, fail("名单中没有人员：第2行起每行一人（%s）。", strings.Join(StaffHeaders, "、"))
	}
	return out, nil
}

func roleChoices() string {
	labels := make([]string, len(gongkai.SchoolRoles))
	for i, r := range gongkai.SchoolRoles {
		labels[i] = r.Label()
	}
	return strings.Join(labels, "、")
}

// StaffRow is one member as a staff export writes them.
type StaffRow struct {
	DisplayName, Username string
	Roles                 []gongkai.Role
	Department            string
}

// ExportStaff writes a staff list in the columns ImportStaff reads.
func ExportStaff(w io.Writer, rows []StaffRow) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", StaffSheetName); err != nil {
		return err
	}
	for i, h := range StaffHeaders {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(StaffSheetName, cell, h); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}}})
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(StaffSheetName, "A1", colName(len(StaffHeaders)-1)+"1", bold); err != nil {
		return err
	}
	for i, wd := range []float64{14, 22, 30, 16} {
		c := colName(i)
		if err := f.SetColWidth(StaffSheetName, c, c, wd); err != nil {
			return err
		}
	}
	if err := f.SetPanes(StaffSheetName, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, r := range rows {
		// Strings are written as strings: a name starting with "=" stays text.
		for j, v := range []string{r.DisplayName, r.Username, gongkai.RoleLabels(r.Roles), r.Department} {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			if err := f.SetCellStr(StaffSheetName, cell, v); err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}
