package sheet

import (
	"io"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

// AdminLogHeaders are the columns of the admin log's export.
var AdminLogHeaders = []string{"时间", "操作人", "学校", "操作", "对象", "详情"}

// AdminLogSheet is the name of the admin log's sheet.
const AdminLogSheet = "管理日志"

// ExportAdminLog writes admin log entries, one a row, newest first as
// given; schoolName names an entry's school (0 is the bureau itself). Every
// value is written as text, so that a subject beginning with "=" is never
// a formula when the file is opened.
func ExportAdminLog(w io.Writer, entries []gongkai.AdminEntry, schoolName func(id int64) string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", AdminLogSheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(AdminLogSheet)
	if err != nil {
		return err
	}
	for i, wd := range []float64{18, 14, 22, 16, 26, 60} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	header := make([]any, len(AdminLogHeaders))
	for i, h := range AdminLogHeaders {
		header[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, e := range entries {
		school := ""
		if e.SchoolID != 0 {
			school = schoolName(e.SchoolID)
		}
		row := []any{}
		for _, v := range []string{e.CreatedAt.In(gongkai.Beijing).Format("2006-01-02 15:04:05"), e.ActorName, school, e.Action.Label(), e.Subject, e.Detail} {
			// A string cell is stored as a shared or inline string, never
			// read as a formula or a number.
			row = append(row, excelize.Cell{StyleID: wrap, Value: v})
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
