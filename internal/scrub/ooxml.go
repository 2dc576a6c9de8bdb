package scrub

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"path"
	"regexp"
	"strings"
)

// maxPart bounds one part of an Office package that Clean decompresses to
// rewrite, and maxParts all of them together; the other parts are copied
// still compressed, so a zip bomb costs no more than this.
const (
	maxPart  = 48 << 20
	maxParts = 96 << 20
)

// macroExts are the extensions of macro-enabled Office files and add-ins.
var macroExts = map[string]bool{
	".docm": true, ".dotm": true, ".xlsm": true, ".xltm": true, ".xlam": true,
	".pptm": true, ".potm": true, ".ppsm": true, ".ppam": true, ".sldm": true,
}

// macroTypes are content types (lowercase) that only macro-enabled packages
// declare: the main part of a .docm/.xlsm/.pptm, the VBA project, Word's VBA
// data and Excel 4.0 macro sheets, which run without VBA.
var macroTypes = []string{"macroenabled", "vbaproject", "vbadata", "macrosheet"}

// Fixed property parts: the document properties a package keeps are
// replaced by these empty ones, which every Office program opens.
const (
	emptyCore   = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></cp:coreProperties>`
	emptyCustom = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>`
)

var (
	// appProps are the elements of docProps/app.xml that name people,
	// organisations or paths on the author's computer.
	appProps = regexp.MustCompile(`(?s)<(?:\w+:)?(Company|Manager|HyperlinkBase|Template)\b[^>]*?(?:/>|>.*?</(?:\w+:)?(?:Company|Manager|HyperlinkBase|Template)>)`)
	// authorAttrs are the attributes that name the author of a comment or of
	// a tracked change in Word, and the person records of modern comments.
	authorAttrs = regexp.MustCompile(`\b((?:\w+:)?(?:author|initials|userId|providerId|displayName))="[^"]*"`)
	// personAttrs name the comment authors of PowerPoint (commentAuthors.xml).
	personAttrs = regexp.MustCompile(`\b((?:\w+:)?(?:name|initials))="[^"]*"`)
	// xlAuthors are the author names of legacy Excel comments.
	xlAuthors = regexp.MustCompile(`(?s)<((?:\w+:)?author)>.*?</(?:\w+:)?author>`)
	// absPath is where Excel last saved the workbook (C:\Users\name\…).
	absPath = regexp.MustCompile(`<(?:\w+:)?absPath\b[^>]*?(?:/>|>.*?</(?:\w+:)?absPath>)`)
)

// cleanOOXML refuses macro-enabled packages and rewrites the parts that name
// people; every other part is copied as it was, still compressed.
func cleanOOXML(data []byte, filename string) ([]byte, error) {
	if macroExts[strings.ToLower(path.Ext(filename))] {
		return nil, refuse(MsgMacro)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, refuse(MsgZipBroken)
	}
	// Part names are case-insensitive (OPC); two parts of one name would be
	// read differently by different programs.
	seen := map[string]bool{}
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if seen[name] {
			return nil, refuse(MsgZipBroken)
		}
		seen[name] = true
		base := path.Base(name)
		if base == "vbaproject.bin" || base == "vbadata.xml" || strings.Contains(name, "macrosheets/") {
			return nil, refuse(MsgMacro)
		}
		if name == "[content_types].xml" {
			b, err := readPart(f)
			if err != nil {
				return nil, err
			}
			lower := bytes.ToLower(b)
			for _, t := range macroTypes {
				if bytes.Contains(lower, []byte(t)) {
					return nil, refuse(MsgMacro)
				}
			}
		}
	}

	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	budget := int64(maxParts)
	for _, f := range zr.File {
		rewrite := rewriterOf(f.Name)
		fh := zip.FileHeader{Name: f.Name, Method: f.Method, Flags: f.Flags,
			CRC32: f.CRC32, CompressedSize64: f.CompressedSize64, UncompressedSize64: f.UncompressedSize64,
			// 1980-01-01 00:00, the first DOS date: when the author edited
			// which part says nothing that readers need.
			ModifiedDate: 0x21} //nolint:staticcheck // SA1019: Modified would add an extended-timestamp field, more metadata
		if rewrite == nil {
			w, err := zw.CreateRaw(&fh)
			if err != nil {
				return nil, err
			}
			r, err := f.OpenRaw()
			if err != nil {
				return nil, refuse(MsgZipBroken)
			}
			if _, err := io.Copy(w, r); err != nil {
				return nil, refuse(MsgZipBroken)
			}
			continue
		}
		b, err := readPart(f)
		if err != nil {
			return nil, err
		}
		if budget -= int64(len(b)); budget < 0 {
			return nil, refuse(MsgZipLarge)
		}
		fh = zip.FileHeader{Name: f.Name, Method: zip.Deflate, ModifiedDate: 0x21} //nolint:staticcheck // SA1019: as above
		w, err := zw.CreateHeader(&fh)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(rewrite(b)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// rewriterOf returns how to clean the part of a name (part names are
// case-insensitive), or nil to copy it as it is.
func rewriterOf(name string) func([]byte) []byte {
	name = strings.ToLower(name)
	switch {
	case name == "docprops/core.xml":
		return func([]byte) []byte { return []byte(emptyCore) }
	case name == "docprops/custom.xml":
		return func([]byte) []byte { return []byte(emptyCustom) }
	case name == "docprops/app.xml":
		return func(b []byte) []byte { return appProps.ReplaceAll(b, nil) }
	case !strings.HasSuffix(name, ".xml"):
		return nil
	case strings.HasPrefix(name, "ppt/") && strings.Contains(name, "commentauthors"):
		return func(b []byte) []byte { return personAttrs.ReplaceAll(b, []byte(`$1=""`)) }
	case name == "xl/workbook.xml":
		return func(b []byte) []byte { return absPath.ReplaceAll(b, nil) }
	case strings.HasPrefix(name, "xl/") && strings.Contains(path.Base(name), "comments"):
		return func(b []byte) []byte {
			return authorAttrs.ReplaceAll(xlAuthors.ReplaceAll(b, []byte(`<$1></$1>`)), []byte(`$1=""`))
		}
	case strings.HasPrefix(name, "word/"), strings.HasPrefix(name, "ppt/comments"),
		strings.HasPrefix(name, "xl/persons/"), strings.HasPrefix(name, "xl/threadedcomments/"):
		return func(b []byte) []byte { return authorAttrs.ReplaceAll(b, []byte(`$1=""`)) }
	}
	return nil
}

// readPart decompresses one part, at most maxPart bytes of it.
func readPart(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxPart {
		return nil, refuse(MsgZipLarge)
	}
	r, err := f.Open()
	if err != nil {
		return nil, refuse(MsgZipBroken)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxPart+1))
	if err != nil {
		return nil, refuse(MsgZipBroken)
	}
	if len(b) > maxPart {
		return nil, refuse(MsgZipLarge)
	}
	return b, nil
}
