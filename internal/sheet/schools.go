package sheet

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

// The county's school list (学校名单): one school a row, with the principal
// to give it. Columns are found by their headers, so a list kept by hand
// may order them as it likes and leave out the optional ones; an export
// writes them all, in the order of SchoolHeaders.

// SchoolHeaders are the columns of the school list, in the order an export
// writes them.
var SchoolHeaders = []string{"学校名称", "学校全称", "学校标识码", "统一社会信用代码", "网址名", "学段", "地址", "监督电话", "校长姓名", "校长用户名"}

// SchoolSheetName is the name of the sheet an export writes.
const SchoolSheetName = "学校名单"

// requiredSchoolHeaders must be in every list.
var requiredSchoolHeaders = []string{"学校名称", "学校标识码", "网址名", "学段"}

// schoolField is the validation field (gongkai.School.Validate) of each
// header, and the other way round.
var schoolField = map[string]string{
	"学校名称": "name", "学校全称": "full_name", "学校标识码": "code", "统一社会信用代码": "credit_code", "网址名": "slug",
	"学段": "stage", "地址": "address", "监督电话": "phone", "校长姓名": "principal_name", "校长用户名": "principal_username",
}

// SchoolHeaderOf returns the header of a validation field, "" for none.
func SchoolHeaderOf(field string) string {
	for h, f := range schoolField {
		if f == field {
			return h
		}
	}
	return ""
}

// Problem is one thing wrong with a list: in a cell (Row and Col from 1),
// or in the whole file (Row 0).
type Problem struct {
	Row, Col int
	Header   string
	Message  string
}

// String reads 第5行 D列 “统一社会信用代码”：….
func (p Problem) String() string {
	if p.Row == 0 {
		return p.Message
	}
	if p.Col == 0 {
		return fmt.Sprintf("第%d行：%s", p.Row, p.Message)
	}
	return cellProblem(p.Row, p.Col-1, p.Header, p.Message)
}

// SchoolList is a parsed school list: every school row, and every problem
// by row and column. Nothing may be imported while there is a problem.
type SchoolList struct {
	Rows     []gongkai.SchoolListRow
	Problems []Problem
	columns  map[string]int // header → column, from 1
}

// Add records a problem with a field of a row (the database's findings,
// such as a code another school has).
func (l *SchoolList) Add(row int, field, msg string) {
	h := SchoolHeaderOf(field)
	l.Problems = append(l.Problems, Problem{Row: row, Col: l.columns[h], Header: h, Message: msg})
	// Row by row, left to right, whoever found them.
	sort.SliceStable(l.Problems, func(i, j int) bool {
		a, b := l.Problems[i], l.Problems[j]
		return a.Row < b.Row || (a.Row == b.Row && a.Col < b.Col)
	})
}

// RowProblems returns the problems of one row.
func (l *SchoolList) RowProblems(row int) []Problem {
	var out []Problem
	for _, p := range l.Problems {
		if p.Row == row {
			out = append(out, p)
		}
	}
	return out
}

// Messages returns every problem as a line.
func (l *SchoolList) Messages() []string {
	out := make([]string, len(l.Problems))
	for i, p := range l.Problems {
		out[i] = p.String()
	}
	return out
}

// ReadSchools reads a school list through the guards of every import (size,
// zip bombs, formulas, MaxRows rows). A file that cannot be read at all is
// an *ImportError; otherwise the list holds its rows and their problems.
func ReadSchools(r io.Reader, size int64) (*SchoolList, error) {
	rows, err := readWorkbook(r, size, nil)
	if err != nil {
		return nil, err
	}
	return parseSchools(rows)
}

func parseSchools(rows [][]string) (*SchoolList, error) {
	if len(rows) == 0 {
		return nil, fail("工作表是空的：第1行应为表头（%s）。", strings.Join(SchoolHeaders, "、"))
	}
	l := &SchoolList{columns: map[string]int{}}
	var head problems
	for i, h := range rows[0] {
		h = strings.TrimSpace(h)
		switch _, known := schoolField[h]; {
		case h == "":
		case !known:
			head.add("第1行 %s列：无法识别的表头“%s”。可用的表头：%s。", colName(i), h, strings.Join(SchoolHeaders, "、"))
		case l.columns[h] != 0:
			head.add("第1行 %s列：表头“%s”重复。", colName(i), h)
		default:
			l.columns[h] = i + 1
		}
	}
	for _, h := range requiredSchoolHeaders {
		if l.columns[h] == 0 {
			head.add("第1行：缺少表头“%s”。", h)
		}
	}
	if err := head.err(); err != nil {
		return nil, err
	}
	seen := map[string]map[string]int{"slug": {}, "code": {}, "credit_code": {}}
	for i, cols := range rows[1:] {
		rowNo := i + 2
		cell := func(h string) string {
			c := l.columns[h]
			if c == 0 || c > len(cols) {
				return ""
			}
			return strings.TrimSpace(cols[c-1])
		}
		empty := true
		for _, v := range cols {
			if strings.TrimSpace(v) != "" {
				empty = false
			}
		}
		if empty {
			continue
		}
		row := gongkai.SchoolListRow{Row: rowNo, School: gongkai.School{
			Name: cell("学校名称"), FullName: cell("学校全称"), Code: cell("学校标识码"), CreditCode: cell("统一社会信用代码"),
			Slug: cell("网址名"), Stage: cell("学段"), Address: cell("地址"), Phone: cell("监督电话"),
		}, PrincipalName: cell("校长姓名"), PrincipalUsername: strings.ToLower(cell("校长用户名"))}
		row.School.Normalize()
		fe := gongkai.FieldErrors{}
		if err := row.School.ValidateRegistration(); err != nil {
			for k, v := range gongkai.ErrorFields(err) {
				fe.Add(k, v)
			}
		}
		switch {
		case row.PrincipalUsername != "":
			if msg := gongkai.ValidateUsername(row.PrincipalUsername); msg != "" {
				fe.Add("principal_username", msg)
			}
			if msg := gongkai.ValidateDisplayName(row.PrincipalName); row.PrincipalName == "" {
				fe.Add("principal_name", "填写校长用户名时，请同时填写校长姓名。")
			} else if msg != "" {
				fe.Add("principal_name", msg)
			}
		case row.PrincipalName != "":
			fe.Add("principal_username", "请为校长"+row.PrincipalName+"填写用户名（登录用），或把校长姓名留空。")
		}
		for field, v := range map[string]string{"slug": row.School.Slug, "code": row.School.Code, "credit_code": row.School.CreditCode} {
			if v == "" || fe[field] != "" {
				continue
			}
			if first, dup := seen[field][v]; dup {
				fe.Add(field, fmt.Sprintf("与第%d行重复。", first))
			} else {
				seen[field][v] = rowNo
			}
		}
		// In the order of the columns, so the preview reads left to right.
		for _, h := range SchoolHeaders {
			if msg := fe[schoolField[h]]; msg != "" {
				l.Add(rowNo, schoolField[h], msg)
			}
		}
		l.Rows = append(l.Rows, row)
	}
	if len(l.Rows) == 0 {
		return nil, fail("工作表中只有表头，没有学校。")
	}
	return l, nil
}

// ExportSchools writes the schools as a school list that ReadSchools reads
// back; principals gives the principal (name, username) of a school by id.
func ExportSchools(w io.Writer, schools []*gongkai.School, principals map[int64][2]string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SchoolSheetName); err != nil {
		return err
	}
	header := make([]any, len(SchoolHeaders))
	for i, h := range SchoolHeaders {
		header[i] = h
	}
	if err := f.SetSheetRow(SchoolSheetName, "A1", &header); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}}})
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(SchoolSheetName, "A1", colName(len(SchoolHeaders)-1)+"1", bold); err != nil {
		return err
	}
	for i, wd := range []float64{20, 28, 14, 24, 14, 16, 32, 18, 10, 20} {
		if err := f.SetColWidth(SchoolSheetName, colName(i), colName(i), wd); err != nil {
			return err
		}
	}
	// Codes are text: 学校标识码 keeps its digits, a credit code its letters.
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	if err := f.SetColStyle(SchoolSheetName, "A:J", text); err != nil {
		return err
	}
	if err := f.SetPanes(SchoolSheetName, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, s := range schools {
		p := principals[s.ID]
		row := []string{s.Name, s.FullName, s.Code, s.CreditCode, s.Slug, s.Stage, s.Address, s.Phone, p[0], p[1]}
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			if err := f.SetCellStr(SchoolSheetName, cell, v); err != nil {
				return err
			}
		}
	}
	return f.Write(w)
}
