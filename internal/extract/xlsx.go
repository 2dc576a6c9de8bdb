package extract

import (
	"bytes"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

// scanXLSX reads every worksheet row by row (excelize streams a sheet's
// rows; its parts are bounded by openZip before it opens them).
func scanXLSX(r io.ReaderAt, size int64, allowed map[string]bool) []gongkai.Finding {
	if _, bad := openZip(r, size); bad != nil {
		return []gongkai.Finding{*bad}
	}
	data, err := readAll(r, size)
	if err != nil {
		return []gongkai.Finding{gongkai.Unchecked("", "文件无法读取")}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzippedBytes})
	if err != nil {
		return []gongkai.Finding{gongkai.Unchecked("", "文件无法打开，可能已损坏或已加密")}
	}
	defer f.Close()
	var out []gongkai.Finding
	cells := 0
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			out = append(out, gongkai.Unchecked(fmt.Sprintf("工作表“%s”", sheet), "无法读取"))
			continue
		}
		var all [][]string
		for rows.Next() {
			cols, err := rows.Columns()
			if err != nil {
				out = append(out, gongkai.Unchecked(fmt.Sprintf("工作表“%s”", sheet), "无法读取"))
				break
			}
			cells += len(cols)
			if cells > MaxCells {
				rows.Close()
				return append(out, gongkai.Unchecked("", fmt.Sprintf("单元格超过 %d 个", MaxCells)))
			}
			all = append(all, cols)
		}
		rows.Close()
		out = append(out, gongkai.ScanSheet(sheet, all, allowed)...)
	}
	return out
}
