package web

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

// The annual report as a spreadsheet.

// writeReportXLSX writes the report as one sheet a clerk can paste from:
// section headings, then each table with its header; numbers as numbers.
func writeReportXLSX(w http.ResponseWriter, doc reportDoc, filename string) error {
	x := excelize.NewFile()
	defer x.Close()
	sh, err := newReportSheet(x)
	if err != nil {
		return err
	}
	if err := sh.put([]any{doc.Title}, sh.title); err != nil {
		return err
	}
	if err := sh.put([]any{"数据生成日期", doc.Made.In(gongkai.Beijing).Format("2006-01-02")}, 0); err != nil {
		return err
	}
	for _, sec := range doc.Sections {
		if err := sh.section(sec); err != nil {
			return err
		}
	}
	if err := x.SetColWidth(reportSheetName, "A", "A", 36); err != nil {
		return err
	}
	if err := x.SetColWidth(reportSheetName, "B", "L", 14); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", xlsxType)
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"; filename*=UTF-8''`+url.PathEscape(doc.Title+".xlsx"))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(buf.Bytes())
	return err
}

const reportSheetName = "年度报告"

// reportSheet writes the report's rows one after another.
type reportSheet struct {
	x                *excelize.File
	row              int
	bold, title, pct int // styles
}

func newReportSheet(x *excelize.File) (*reportSheet, error) {
	if err := x.SetSheetName("Sheet1", reportSheetName); err != nil {
		return nil, err
	}
	sh := &reportSheet{x: x, row: 1}
	var err error
	if sh.bold, err = x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	if sh.title, err = x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}); err != nil {
		return nil, err
	}
	sh.pct, err = x.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	return sh, err
}

// put writes a row of cells, in the style when it is not 0.
func (sh *reportSheet) put(cells []any, style int) error {
	cell, _ := excelize.CoordinatesToCellName(1, sh.row)
	if err := sh.x.SetSheetRow(reportSheetName, cell, &cells); err != nil {
		return err
	}
	if style != 0 {
		end, _ := excelize.CoordinatesToCellName(max(len(cells), 1), sh.row)
		if err := sh.x.SetCellStyle(reportSheetName, cell, end, style); err != nil {
			return err
		}
	}
	sh.row++
	return nil
}

// section writes a section after an empty row: its title, paragraphs,
// what was written and its tables.
func (sh *reportSheet) section(sec reportSection) error {
	sh.row++
	if err := sh.put([]any{sec.Title}, sh.bold); err != nil {
		return err
	}
	for _, p := range sec.Paras {
		if err := sh.put([]any{p}, 0); err != nil {
			return err
		}
	}
	if sec.Written != "" {
		if err := sh.put([]any{sec.Written}, 0); err != nil {
			return err
		}
	}
	for _, t := range sec.Tables {
		if err := sh.table(t); err != nil {
			return err
		}
	}
	return nil
}

// table writes a table: its caption, its head in bold and its rows, with
// numbers as numbers and shares as percentages.
func (sh *reportSheet) table(t reportTable) error {
	if t.Caption != "" {
		if err := sh.put([]any{t.Caption}, 0); err != nil {
			return err
		}
	}
	head := make([]any, len(t.Head))
	for i, h := range t.Head {
		head[i] = h
	}
	if err := sh.put(head, sh.bold); err != nil {
		return err
	}
	for _, cells := range t.Rows {
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = c.Text
			if c.IsNum {
				vals[i] = c.Num
			}
		}
		if err := sh.put(vals, 0); err != nil {
			return err
		}
		for i, c := range cells {
			if c.Pct {
				name, _ := excelize.CoordinatesToCellName(i+1, sh.row-1)
				if err := sh.x.SetCellStyle(reportSheetName, name, name, sh.pct); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
