package web

// englishUX translates the folded staff menu, the work page's own queue,
// the bureau's entries, search snippets and upload messages.
var englishUX = map[string]string{
	"菜单": "Menu",
	"栏目": "Sections",

	// The bureau's one entry to its supervision work.
	"来信督办件": "Cases with the bureau",

	// Uploads: old Office and WPS files, content against name.
	"PDF、图片、Word、Excel 或 WPS 文件，每个文件不超过 %d MB。":                                    "PDF, images, Word, Excel or WPS files, up to %d MB each.",
	"只能上传 PDF、图片（PNG/JPG/GIF/WebP）、Word（DOCX/DOC）、Excel（XLSX/XLS）或 WPS（WPS/ET）文件。": "Only PDF, images (PNG/JPG/GIF/WebP), Word (DOCX/DOC), Excel (XLSX/XLS) or WPS (WPS/ET) files can be uploaded.",
	"文件的内容与文件名不符（扩展名所说的文件类型与文件实际内容不一致），为保护读者，不能上传。请用原程序重新保存后再上传。":                  "The file's content does not match its name (its extension names another kind of file than it holds); to protect readers it cannot be uploaded. Please save it again in the program that made it and upload it again.",
	"旧版 Word/Excel 或 WPS 文件，无法检查其中的个人信息，也无法去除作者等隐藏信息；建议另存为 DOCX/XLSX 或 PDF 后上传":    "an old Word/Excel or WPS file: it cannot be checked for personal data, nor can its hidden information such as the author be removed; better save it as DOCX/XLSX or PDF and upload that",
}
