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
	"strings"

	"github.com/xuri/excelize/v2"
)

// The guards every imported workbook passes, whatever its columns: size,
// zip structure (zip bombs), formulas, rows and columns.

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

// ImportError lists every problem found in a workbook, each naming its row
// and column where it has one. Nothing is imported when there is any.
type ImportError struct {
	Problems []string
}

func (e *ImportError) Error() string {
	return "sheet: " + strings.Join(e.Problems, "；")
}

// problems collects messages up to MaxProblems.
type problems struct {
	headers []string // the sheet's columns, to name them in messages
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
	header := ""
	if col < len(p.headers) {
		header = p.headers[col]
	}
	p.add("%s", cellProblem(row, col, header, msg))
}

// cellProblem is a message about one cell: 第5行 C列 “统一社会信用代码”：….
func cellProblem(row, col int, header, msg string) string {
	if header == "" {
		return fmt.Sprintf("第%d行 %s列：%s", row, colName(col), msg)
	}
	return fmt.Sprintf("第%d行 %s列 “%s”：%s", row, colName(col), header, msg)
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

// readWorkbook reads the rows of the first sheet of an uploaded workbook
// after the guards: at most MaxFileBytes as uploaded (size is the upload's
// declared size; the reader is read to at most MaxFileBytes+1 in any
// case), a sound zip of at most MaxUnzippedBytes without suspicious
// compression, no formula in any cell, at most MaxRows data rows and
// MaxColumns columns. headers name the columns in messages.
func readWorkbook(r io.Reader, size int64, headers []string) ([][]string, error) {
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
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fail("工作簿中没有工作表。")
	}
	return readRows(f, sheets[0])
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
			if errors.Is(err, io.EOF) {
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
