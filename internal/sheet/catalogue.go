// Package sheet reads and writes the catalogue (校务公开目录) as an XLSX
// workbook, the form in which schools and bureaus keep such lists. It uses
// github.com/xuri/excelize/v2 to read and write the Office Open XML format,
// and checks a file's zip structure with archive/zip before excelize sees
// it, so that hostile files (zip bombs, huge sheets, formulas) are refused
// with messages that name the row and column.
package sheet

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

// Headers are the columns of the catalogue sheet, in order.
var Headers = []string{"编码", "公开事项", "类别", "公开范围", "公示期（工作日）", "频次", "截止日", "截止月日", "春季学期截止", "秋季学期截止", "事项后工作日", "责任处室", "法律依据", "频次说明"}

// SheetName is the name of the sheet an export writes.
const SheetName = "公开目录"

// column of each validation field key (see gongkai.ValidateCatalogueItem).
var fieldColumn = map[string]int{
	"code": 0, "name": 1, "category": 2, "audience": 3, "publicity_days": 4, "frequency": 5, "due_day": 6,
	"due_month_day": 7, "term_due": 8, "due_workdays": 10, "department": 11, "legal_basis": 12, "frequency_text": 13,
}

// ExportCatalogue writes the items as a workbook with one sheet.
func ExportCatalogue(w io.Writer, items []gongkai.CatalogueItem) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	header := make([]any, len(Headers))
	for i, h := range Headers {
		header[i] = h
	}
	if err := f.SetSheetRow(SheetName, "A1", &header); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}}})
	if err != nil {
		return err
	}
	last := colName(len(Headers) - 1)
	if err := f.SetCellStyle(SheetName, "A1", last+"1", bold); err != nil {
		return err
	}
	widths := []float64{18, 32, 14, 12, 10, 10, 8, 10, 12, 12, 12, 12, 30, 28}
	for i, wd := range widths {
		c := colName(i)
		if err := f.SetColWidth(SheetName, c, c, wd); err != nil {
			return err
		}
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": month-days stay text
	if err != nil {
		return err
	}
	if err := f.SetColStyle(SheetName, "H:J", text); err != nil {
		return err
	}
	if err := f.SetPanes(SheetName, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, c := range items {
		cat, _ := gongkai.CategoryByCode(c.Category)
		catName := cat.Name
		if catName == "" {
			catName = c.Category
		}
		sc := c.Schedule
		row := []any{c.Code, c.Name, catName, c.Audience.Label(), c.PublicityDays, sc.Frequency.Label(), "", "", "", "", "", c.Department, c.LegalBasis, c.Frequency}
		switch sc.Frequency {
		case gongkai.FreqMonthly, gongkai.FreqQuarterly:
			row[6] = sc.DueDay
		case gongkai.FreqYearly:
			row[7] = sc.DueMonthDay
		case gongkai.FreqTerm:
			row[8], row[9] = sc.TermDue[0], sc.TermDue[1]
		case gongkai.FreqEvent:
			row[10] = sc.DueWorkdays
		}
		// Strings are written as strings: a name starting with "=" stays text.
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			var err error
			switch v := v.(type) {
			case string:
				err = f.SetCellStr(SheetName, cell, v)
			case int:
				err = f.SetCellInt(SheetName, cell, int64(v))
			}
			if err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}

// ImportCatalogue reads a workbook written by ExportCatalogue, or kept by
// hand in its columns, from the first sheet. size is the upload's size as
// declared; the reader is read to at most MaxFileBytes+1 in any case. It
// returns an *ImportError listing every problem found (up to MaxProblems).
func ImportCatalogue(r io.Reader, size int64) ([]gongkai.CatalogueItem, error) {
	rows, err := readWorkbook(r, size, Headers)
	if err != nil {
		return nil, err
	}
	return parseRows(rows)
}

func parseRows(rows [][]string) ([]gongkai.CatalogueItem, error) {
	p := problems{headers: Headers}
	if len(rows) == 0 {
		return nil, fail("工作表是空的：第1行应为表头（%s）。", strings.Join(Headers, "、"))
	}
	head := rows[0]
	for i, h := range Headers {
		got := ""
		if i < len(head) {
			got = strings.TrimSpace(head[i])
		}
		if got != h {
			if got == "" {
				p.add("第1行 %s列：缺少表头“%s”。", colName(i), h)
			} else {
				p.add("第1行 %s列：表头应为“%s”，而不是“%s”。", colName(i), h, got)
			}
		}
	}
	for i := len(Headers); i < len(head); i++ {
		if strings.TrimSpace(head[i]) != "" {
			p.add("第1行 %s列：多余的列“%s”，请删去。", colName(i), strings.TrimSpace(head[i]))
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	var items []gongkai.CatalogueItem
	seen := map[string]int{}
	for i, cols := range rows[1:] {
		rowNo := i + 2
		cell := func(c int) string {
			if c < len(cols) {
				return strings.TrimSpace(cols[c])
			}
			return ""
		}
		empty := true
		for c := range cols {
			if cell(c) != "" {
				empty = false
			}
		}
		if empty {
			continue
		}
		for c := len(Headers); c < len(cols); c++ {
			if cell(c) != "" {
				p.add("第%d行 %s列：表头之外的列有内容，请删去。", rowNo, colName(c))
			}
		}
		it := gongkai.CatalogueItem{Code: cell(0), Name: cell(1), Department: cell(11), LegalBasis: cell(12), Frequency: cell(13)}
		bad := map[int]bool{}
		mark := func(c int, msg string) {
			if !bad[c] {
				bad[c] = true
				p.at(rowNo, c, msg)
			}
		}
		if it.Code == "" {
			mark(0, "编码不能为空。")
		}
		var ok bool
		if it.Category, ok = categoryOf(cell(2)); !ok {
			mark(2, fmt.Sprintf("无法识别的类别“%s”。可填：%s。", cell(2), categoryNames()))
		}
		if it.Audience, ok = audienceOf(cell(3)); !ok {
			mark(3, fmt.Sprintf("无法识别的公开范围“%s”。可填：对外公开、校内公开、教职工、领导小组。", cell(3)))
		}
		it.PublicityDays = intCell(cell(4), 4, mark)
		if it.Schedule.Frequency, ok = frequencyOf(cell(5)); !ok {
			mark(5, fmt.Sprintf("无法识别的频次“%s”。可填：长期公开、每月、每季度、每学期、每年、按事项。", cell(5)))
		}
		it.Schedule.DueDay = intCell(cell(6), 6, mark)
		it.Schedule.DueMonthDay = monthDay(cell(7))
		it.Schedule.TermDue = [2]string{monthDay(cell(8)), monthDay(cell(9))}
		it.Schedule.DueWorkdays = intCell(cell(10), 10, mark)
		if err := gongkai.ValidateCatalogueItem(&it); err != nil {
			fields := gongkai.ErrorFields(err)
			for _, k := range []string{"code", "name", "category", "audience", "publicity_days", "frequency", "due_day", "due_month_day", "term_due", "due_workdays", "department", "legal_basis", "frequency_text"} {
				msg, has := fields[k]
				if !has {
					continue
				}
				c := fieldColumn[k]
				if k == "term_due" && strings.HasPrefix(msg, "秋季") {
					c = 9
				}
				mark(c, msg)
			}
		}
		if it.Code != "" {
			if first, dup := seen[it.Code]; dup {
				mark(0, fmt.Sprintf("编码“%s”与第%d行重复。", it.Code, first))
			} else {
				seen[it.Code] = rowNo
			}
		}
		items = append(items, it)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fail("工作表中只有表头，没有公开事项。")
	}
	return items, nil
}

func intCell(v string, col int, mark func(int, string)) int {
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		if f, ferr := strconv.ParseFloat(v, 64); ferr == nil && f == float64(int(f)) && f >= -1e6 && f <= 1e6 {
			return int(f)
		}
		mark(col, fmt.Sprintf("“%s”不是整数。", v))
		return 0
	}
	return n
}

var monthDayRE = regexp.MustCompile(`^(\d{1,2})\s*(?:-|/|月)\s*(\d{1,2})\s*日?$`)

// monthDay reads 9-30, 09/30 or 9月30日 as "09-30"; anything else is left
// for validation to refuse.
func monthDay(v string) string {
	m := monthDayRE.FindStringSubmatch(v)
	if m == nil {
		return v
	}
	mo, _ := strconv.Atoi(m[1])
	d, _ := strconv.Atoi(m[2])
	return fmt.Sprintf("%02d-%02d", mo, d)
}

func categoryOf(v string) (string, bool) {
	for _, c := range gongkai.Categories {
		if v == c.Code || v == c.Name || strings.EqualFold(v, c.NameEN) {
			return c.Code, true
		}
	}
	return v, false
}

func categoryNames() string {
	names := make([]string, len(gongkai.Categories))
	for i, c := range gongkai.Categories {
		names[i] = c.Name
	}
	return strings.Join(names, "、")
}

func audienceOf(v string) (gongkai.Audience, bool) {
	for _, a := range gongkai.Audiences {
		if v == string(a) || v == a.Label() {
			return a, true
		}
	}
	return gongkai.Audience(v), false
}

func frequencyOf(v string) (gongkai.Frequency, bool) {
	if v == "" {
		return gongkai.FreqNone, true
	}
	for _, f := range gongkai.Frequencies {
		if v == string(f) || v == f.Label() {
			return f, true
		}
	}
	return gongkai.Frequency(v), false
}
