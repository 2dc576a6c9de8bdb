package web

// englishRedaction translates the texts of redaction.go and its templates:
// deleting personal data from a published item.
var englishRedaction = map[string]string{
	"删除个人信息":            "Delete personal data",
	"已删除个人信息":           "Personal data deleted",
	"%s 已删除个人信息":        "personal data deleted %s",
	"删除理由":              "Reason for the deletion",
	"删除后无法恢复。":          "This cannot be undone.",
	"将要删除的内容":           "What will be deleted",
	"正文":                "Text",
	"第 %d 版正文":          "Body of version %d",
	"（第 %d 版）":          " (version %d)",
	"第 %s 版中的这个附件都将删除。": "This file is deleted from version(s) %s.",
	"该附件将从系统中彻底删除：公开页面和各版本中不再提供下载，文件在没有其他事项使用时从文件存储中删除。":                           "The file is deleted from the system: no page or version offers it any more, and its bytes are deleted from the file store unless another item uses them.",
	"该版本的正文将从系统中彻底删除，改为一段说明：公开页面、历史版本、搜索和接口中都不再有这些文字。":                             "The body of this version is deleted from the system and replaced by a note: the public page, old versions, search and the API no longer hold its words.",
	"公开页面的办理记录显示“已删除个人信息”及日期；删除理由只向工作人员显示，并通知监督小组和教育局。":                            "The public trail says \"personal data deleted\" with the date; the reason is shown to staff only, and the supervision group and the bureau are notified.",
	"说明删除了哪类个人信息、为什么删除，例如：名单中误含学生身份证号码。请不要在理由中重复个人信息本身。":                           "Say what kind of personal data is deleted and why, e.g.: the list held students' ID numbers by mistake. Do not repeat the personal data itself.",
	"已公开的内容误含个人信息（如身份证号、电话、住址）时，校长可将其彻底删除：删除后无法恢复，公开页面显示“已删除个人信息”及日期，并通知监督小组和教育局。": "When published content holds personal data by mistake (ID numbers, phone numbers, addresses), the principal can delete it for good: it cannot be undone, the public page says \"personal data deleted\" with the date, and the supervision group and the bureau are notified.",
	"已删除个人信息，并已通知监督小组和教育局。":                                       "Personal data deleted; the supervision group and the bureau are notified.",
	"已删除个人信息，附件文件已从文件存储中删除，并已通知监督小组和教育局。":                         "Personal data deleted and the file removed from the file store; the supervision group and the bureau are notified.",
	"已删除个人信息，该附件不再提供下载；同一文件仍被其他事项或意见使用，文件本身保留。已通知监督小组和教育局。":       "Personal data deleted; the file is no longer offered. Another item or case uses the same file, so its bytes stay. The supervision group and the bureau are notified.",
	"已删除个人信息，该附件不再提供下载，但文件未能从文件存储中删除，错误已记录，请联系系统管理员。已通知监督小组和教育局。": "Personal data deleted and the file is no longer offered, but it could not be removed from the file store; the error was recorded, please tell the system administrator. The supervision group and the bureau are notified.",
	"请填写删除理由。":             "Please give the reason for the deletion.",
	"只有校长可以删除已公开内容中的个人信息。": "Only the principal can delete personal data from published content.",
}
