// Package sheet reads and writes the catalogue (校务公开目录) as an XLSX
// workbook, the form in which schools and bureaus keep such lists. It uses
// github.com/xuri/excelize/v2 to read and write the Office Open XML format,
// and checks a file's zip structure with archive/zip before excelize sees
// it, so that hostile files (zip bombs, huge sheets, formulas) are refused
// with messages that name the row and column.
package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

// Limits on an imported workbook.
const (
	MaxFileBytes     = 5 << 20  // the file as uploaded
	MaxUnzippedBytes = 50 << 20 // the sum of its zip entries, uncompressed
	MaxRatio         = 200      // uncompressed / compressed of any large entry
	MaxEntries       = 500
	MaxRows          = 2000 // data rows, after the header
	MaxColumns       = 30
	MaxProblems      = 50
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

// ImportError lists every problem found in a workbook, each naming its row
// and column where it has one. Nothing is imported when there is any.
type ImportError struct {
	Problems []string
}

func (e *ImportError) Error() string {
	return "sheet: " + strings.Join(e.Problems, "；")
}

// problems collects messages up to MaxProblems; headers name the columns
// of the sheet they are about.
type problems struct {
	headers []string
	list    []string
	more    int
}

func (p *problems) add(format string, args ...any) {
	if len(p.list) >= MaxProblems {
		p.more++
		return
	}
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

func (p *problems) at(row, col int, msg string) {
	p.add("%s", cellProblem(row, col, headerOf(p.headers, col), msg))
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	list := p.list
	if p.more > 0 {
		list = append(list, fmt.Sprintf("另有 %d 处问题未列出。", p.more))
	}
	return &ImportError{Problems: list}
}

func fail(format string, args ...any) error {
	return &ImportError{Problems: []string{fmt.Sprintf(format, args...)}}
}

func colName(col int) string {
	name, _ := excelize.ColumnNumberToName(col + 1)
	return name
}

func headerOf(headers []string, col int) string {
	if col < len(headers) {
		return headers[col]
	}
	return ""
}

// cellProblem is a message about one cell: 第5行 C列 “统一社会信用代码”：….
func cellProblem(row, col int, header, msg string) string {
	if header == "" {
		return fmt.Sprintf("第%d行 %s列：%s", row, colName(col), msg)
	}
	return fmt.Sprintf("第%d行 %s列 “%s”：%s", row, colName(col), header, msg)
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
	f, err := openWorkbook(r, size, Headers)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := readRows(f, f.GetSheetList()[0])
	if err != nil {
		return nil, err
	}
	return parseRows(rows)
}

// openWorkbook reads an uploaded workbook through every guard: its size,
// its zip structure (no bombs), no formula in any cell (named by the
// headers of its sheet), and a first sheet to read.
func openWorkbook(r io.Reader, size int64, headers []string) (*excelize.File, error) {
	if size > MaxFileBytes {
		return nil, fail("文件超过 %d MB，请删去无关内容后再导入。", MaxFileBytes>>20)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("sheet: read: %w", err)
	}
	if len(data) > MaxFileBytes {
		return nil, fail("文件超过 %d MB，请删去无关内容后再导入。", MaxFileBytes>>20)
	}
	if len(data) == 0 {
		return nil, fail("文件是空的。请选择 Excel 工作簿（.xlsx）。")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fail("这不是 Excel 工作簿（.xlsx）文件。若是 .xls 或 .csv，请在 Excel 中“另存为”.xlsx 后再导入。")
	}
	if err := checkZip(zr); err != nil {
		return nil, err
	}
	if err := checkFormulas(zr, headers); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzippedBytes, UnzipXMLSizeLimit: MaxUnzippedBytes})
	if err != nil {
		return nil, fail("无法读取该工作簿，文件可能已损坏或已加密。")
	}
	if len(f.GetSheetList()) == 0 {
		f.Close()
		return nil, fail("工作簿中没有工作表。")
	}
	return f, nil
}

// checkZip refuses archives that are not workbooks, or would unpack to far
// more than their size: the declared sizes are checked here, and archive/zip
// refuses an entry that unpacks to more than it declares.
func checkZip(zr *zip.Reader) error {
	if len(zr.File) > MaxEntries {
		return fail("工作簿结构异常（包含 %d 个部件），拒绝导入。", len(zr.File))
	}
	var total uint64
	workbook := false
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if zf.UncompressedSize64 > 1<<20 && zf.UncompressedSize64 > MaxRatio*(zf.CompressedSize64+1) {
			return fail("工作簿的压缩比异常（疑似“压缩炸弹”），拒绝导入。")
		}
		if zf.Name == "xl/workbook.xml" {
			workbook = true
		}
	}
	if total > MaxUnzippedBytes {
		return fail("工作簿解压后超过 %d MB，拒绝导入。", MaxUnzippedBytes>>20)
	}
	if !workbook {
		return fail("这不是 Excel 工作簿（.xlsx）文件。若是 .xls 或 .csv，请在 Excel 中“另存为”.xlsx 后再导入。")
	}
	return nil
}

var worksheetPath = regexp.MustCompile(`^xl/worksheets/[^/]+\.xml$`)

// checkFormulas refuses any cell with a formula, in any worksheet: an
// imported catalogue holds values, and formulas can reach outside the file.
func checkFormulas(zr *zip.Reader, headers []string) error {
	p := problems{headers: headers}
	for _, zf := range zr.File {
		if !worksheetPath.MatchString(path.Clean(zf.Name)) {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return fail("无法读取该工作簿，文件可能已损坏。")
		}
		dec := xml.NewDecoder(rc)
		cell := ""
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
					return fail("工作簿结构异常（疑似“压缩炸弹”或已损坏），拒绝导入。")
				}
				return fail("无法读取该工作簿，文件可能已损坏。")
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			switch se.Name.Local {
			case "c":
				cell = ""
				for _, a := range se.Attr {
					if a.Name.Local == "r" {
						cell = a.Value
					}
				}
			case "f":
				col, row, err := excelize.CellNameToCoordinates(cell)
				if err != nil {
					p.add("工作表含有公式，请将公式“粘贴为数值”后再导入。")
				} else {
					p.at(row, col-1, "单元格含有公式，请将公式“粘贴为数值”后再导入。")
				}
			}
		}
		rc.Close()
	}
	return p.err()
}

// readRows reads the sheet's rows, refusing more than MaxRows data rows or
// MaxColumns columns.
func readRows(f *excelize.File, sheet string) ([][]string, error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, fail("无法读取工作表“%s”。", sheet)
	}
	defer it.Close()
	var rows [][]string
	for it.Next() {
		cols, err := it.Columns()
		if err != nil {
			return nil, fail("无法读取工作表“%s”第 %d 行。", sheet, len(rows)+1)
		}
		for len(cols) > 0 && strings.TrimSpace(cols[len(cols)-1]) == "" {
			cols = cols[:len(cols)-1]
		}
		if len(cols) > MaxColumns {
			return nil, fail("第%d行有 %d 列，超过 %d 列的上限。", len(rows)+1, len(cols), MaxColumns)
		}
		rows = append(rows, cols)
		if len(rows) > MaxRows+1 {
			return nil, fail("工作表超过 %d 行，拒绝导入。", MaxRows)
		}
	}
	if err := it.Error(); err != nil {
		return nil, fail("无法读取工作表“%s”。", sheet)
	}
	return rows, nil
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
