package web

// englishDoors translates the inspector's read-only bureau pages, the
// refusals of oversized bodies and of text that is not UTF-8.
var englishDoors = map[string]string{
	"此处的事项为本局所有学校必须公开的事项，由教育局管理员维护。": "These items must be disclosed by every school of the bureau; the bureau's administrator keeps them.",
	"本局尚未要求统一公开的事项。":                 "The bureau requires no items of all its schools yet.",
	"由教育局管理员在国务院办公厅发布通知后录入。":         "The bureau's administrator enters them once the State Council's notice is out.",
}
