package web

// englishReceipt translates the receipt card (receipt.go and
// feedback-receipt.html): its QR code, copy buttons and leave warning.
var englishReceipt = map[string]string{
	"复制回执码":                  "Copy the receipt code",
	"复制查询密码":                 "Copy the password",
	"回执码已复制到剪贴板。":            "The receipt code is on the clipboard.",
	"查询密码已复制到剪贴板。":           "The password is on the clipboard.",
	"无法自动复制，请长按文字选择后复制。":     "Could not copy automatically; press and hold the text to select and copy it.",
	"查询回执二维码":                "QR code of the receipt lookup",
	"扫码打开“查询回执”":             "Scan to open the receipt lookup,",
	"再输入查询密码":                "then enter the password",
	"凭回执码和查询密码查看办理进度和答复":     "Follow the case and read the reply with the receipt code and password",
	"离开、刷新或关闭本页后，查询密码不会再显示。": "Once you leave, reload or close this page, the password is not shown again.",
	"在手机上，截屏即可把上面的回执卡保存为图片；二维码里只有回执码，没有查询密码。": "On a phone, a screenshot keeps the receipt card above as a picture; the QR code holds only the receipt code, not the password.",
	"查询密码只显示这一次，离开本页后将无法再次查看。确定离开吗？":          "The password is shown only this once and cannot be seen again after you leave. Leave this page?",
}
