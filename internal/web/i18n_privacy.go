package web

// englishPrivacy translates the personal-data warning (privacy.go,
// privacy.html). The findings themselves name places in the Chinese text
// and stay in Chinese.
var englishPrivacy = map[string]string{
	"个人信息提示": "Personal data",
	"发现 %d 处个人信息，不能提交审议。": "Personal data found in %d places: the item cannot be submitted for review.",
	"助学金等名单只公开姓名、班级、资助等级和金额，不得公开身份证号、银行卡号、电话、住址和出生日期。": "Rosters such as student aid show only name, class, aid level and amount; never ID-card numbers, bank cards, phone numbers, addresses or birth dates.",
	"校长确认可以公开":      "Principal confirms it may be published",
	"理由（监督小组审核时可见）": "Reason (shown to the supervision group when they check)",
	"确认并记录理由":       "Confirm and record the reason",
	"一键遮盖正文中的个人信息":  "Mask the personal data in the text",
	"例如身份证号显示为 3501**********123X，手机号码显示为 138****5678。": "For example an ID number shows as 3501**********123X and a mobile number as 138****5678.",
	"附件无法直接遮盖：请删除含有个人信息的附件，上传处理过的文件；无法自动检查的附件请人工核对。":    "Attachments cannot be masked here: delete an attachment with personal data and upload a cleaned file; check by hand any attachment that could not be checked automatically.",
	"确需公开的，可请校长确认并填写理由。":                                "If it must be published, the principal can confirm it with a reason.",
	"校长已确认可以公开":  "Confirmed by the principal",
	"（当前版本已无此项）": "(no longer in the current version)",
	"理由：":        "Reason: ",
	"校长确认个人信息提示": "Principal confirmed personal data",
	"已记录校长确认及理由，监督小组审核时可见。": "The principal's confirmation and reason are recorded; the supervision group will see them.",
	"另有 %d 处未列出。":           "%d more not listed.",
	"正文中没有需要遮盖的个人信息。":       "No personal data to mask in the text.",

	// The registration form.
	"填写个人信息保护影响评估": "Fill in the personal-information impact assessment",
}
