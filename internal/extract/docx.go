package extract

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"gongkai"
)

// scanDOCX reads the paragraphs and tables of word/document.xml: archive/zip
// and encoding/xml are enough, and stream it.
func scanDOCX(r io.ReaderAt, size int64, allowed map[string]bool) []gongkai.Finding {
	zr, bad := openZip(r, size)
	if bad != nil {
		return []gongkai.Finding{*bad}
	}
	for _, zf := range zr.File {
		if zf.Name != "word/document.xml" {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return []gongkai.Finding{gongkai.Unchecked("", "文件无法读取")}
		}
		defer rc.Close()
		paras, tables, err := readDocument(rc)
		if err != nil {
			return []gongkai.Finding{gongkai.Unchecked("", "文件无法读取，可能已损坏")}
		}
		out := gongkai.ScanParagraphs(paras, allowed)
		for i, t := range tables {
			out = append(out, gongkai.ScanDocTable(i+1, t, allowed)...)
		}
		return out
	}
	return []gongkai.Finding{gongkai.Unchecked("", "不是有效的 Word 文档")}
}

// readDocument returns the paragraphs outside tables and the tables (rows of
// cells; a cell's paragraphs joined by newlines; a table inside a cell is
// read as the cell's text).
func readDocument(rd io.Reader) (paras []string, tables [][][]string, err error) {
	dec := xml.NewDecoder(io.LimitReader(rd, MaxUnzippedBytes))
	var (
		depth int // nesting of w:tbl
		para  strings.Builder
		inT   bool
		cell  []string
		row   []string
		table [][]string
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "tbl":
				depth++
				if depth == 1 {
					table = nil
				}
			case "tr":
				if depth == 1 {
					row = nil
				}
			case "tc":
				if depth == 1 {
					cell = nil
				}
			case "p":
				para.Reset()
			case "t":
				inT = true
			case "tab":
				para.WriteByte('\t')
			case "br", "cr":
				para.WriteByte('\n')
			}
		case xml.CharData:
			if inT {
				para.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inT = false
			case "p":
				if depth == 0 {
					// Empty paragraphs are spacing: 第 N 段 counts what a reader sees.
					if strings.TrimSpace(para.String()) != "" {
						paras = append(paras, para.String())
					}
				} else {
					cell = append(cell, para.String())
				}
			case "tc":
				if depth == 1 {
					row = append(row, strings.Join(cell, "\n"))
				}
			case "tr":
				if depth == 1 {
					table = append(table, row)
				}
			case "tbl":
				if depth == 1 {
					tables = append(tables, table)
				}
				depth--
			}
		}
	}
	return paras, tables, nil
}
