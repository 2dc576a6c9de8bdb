package web

// englishUploads translates what the upload fields say about the files'
// hidden information.
var englishUploads = map[string]string{
	"上传时自动去掉文件中的作者、单位、拍摄地点等隐藏信息；含宏的 Office 文件和含脚本的 PDF 不能上传。": "Hidden information such as the author, organisation and where a photo was taken is removed on upload; Office files with macros and PDFs with scripts cannot be uploaded.",
	"上传时自动去掉文件中的作者、单位、拍摄地点等隐藏信息。":                             "Hidden information such as the author, organisation and where a photo was taken is removed on upload.",
}
