// Package scrub removes what a file says about its author before the file is
// stored: Office document properties, PDF document information and XMP, JPEG
// EXIF (with GPS) and PNG text chunks. It refuses files that could run code
// in a reader's program: macro-enabled Office files and PDFs with JavaScript
// or launch actions. It works on bytes in memory, so the original is never
// written anywhere.
package scrub

import (
	"gongkai"
)

// Content types that Clean knows; they are the types files.Sniff decides.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

// Clean returns data without its hidden metadata, for a file whose type was
// decided by its content (ctype) and whose name the uploader gave
// (filename, read only for the extension of a macro-enabled Office file).
// A refused file yields an EINVALID *gongkai.Error whose message says why,
// in Chinese, at the form field "file". Types it does not know come back as
// they are: among them Word and Excel 97–2003 files and WPS's .wps and .et
// (compound files), whose properties live in binary streams that nothing
// here rewrites; the privacy scan holds those for a person to check
// (extract.MsgOldOffice).
func Clean(data []byte, ctype, filename string) ([]byte, error) {
	switch ctype {
	case TypeDOCX, TypeXLSX, TypePPTX:
		return cleanOOXML(data, filename)
	case TypePDF:
		return cleanPDF(data)
	case TypeJPEG:
		return cleanJPEG(data)
	case TypePNG:
		return cleanPNG(data)
	}
	return data, nil
}

// refuse is the error of a file that is not stored.
func refuse(msg string) error {
	return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"file": msg}}
}

// Messages of refusals, kept here so that tests and the web layer agree.
const (
	MsgMacro      = "文件含有宏（VBA 代码），为保护读者，不能上传。请在 Office 中另存为不含宏的 .docx 或 .xlsx 文件后再上传。"
	MsgJavaScript = "PDF 文件含有脚本或启动程序的动作（JavaScript、Launch），为保护读者，不能上传。请用“打印为 PDF”重新生成后再上传。"
	MsgPDFBroken  = "PDF 文件无法读取（可能已损坏或设有打开密码），请去掉密码或重新导出后再上传。"
	MsgZipBroken  = "Office 文件无法读取（可能已损坏），请重新保存后再上传。"
	MsgZipLarge   = "Office 文件解压后过大，请拆分后再上传。"
	MsgJPEGBroken = "JPG 图片无法读取（可能已损坏），请重新导出后再上传。"
	MsgPNGBroken  = "PNG 图片无法读取（可能已损坏），请重新导出后再上传。"
)
