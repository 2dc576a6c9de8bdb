package web

// englishDoors translates the inspector's read-only bureau pages, the
// refusals of oversized bodies and of text that is not UTF-8.
var englishDoors = map[string]string{
	"此处的事项为全县各校必须公开的事项，由教育局管理员维护。": "These items must be disclosed by every school of the bureau; the bureau's administrator keeps them.",
	"本局尚未要求统一公开的事项。":               "The bureau requires no items of all its schools yet.",
	"由教育局管理员在国务院办公厅发布通知后录入。":       "The bureau's administrator enters them once the State Council's notice is out.",
	"提交的内容过大": "Too much sent",
	"提交的内容超过 %d MB 上限，未被接收。请删减内容或附件后重新提交。": "What was sent is over the limit of %d MB and was not taken in. Please send less, or fewer files.",
	"提交的内容超过 %d KB 上限，未被接收。请删减内容后重新提交。":    "What was sent is over the limit of %d KB and was not taken in. Please send less.",
	"附件合计超过 %d MB，未被接收。请删减附件后重新提交。":        "The files together are over %d MB and were not taken in. Please send fewer or smaller files.",
}
