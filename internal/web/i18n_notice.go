package web

// englishNotice translates the printed notice (notice.go, notice.html,
// notice-nofont.html) and its links on the item page.
var englishNotice = map[string]string{
	"打印公告":   "Print notice",
	"下载 PDF": "Download PDF",
	"尚未存证":   "Not yet on the record",
	"存证 #%d": "Record #%d",
	"扫码核验":   "Scan to verify",
	"扫码核验：本公告与网上存证是否一致": "Scan to check this notice against its record online",
	"网上原文":      "Online",
	"返回公告页面":    "Back to the item",
	"暂不能生成 PDF": "No PDF for now",
	"服务器未安装中文字体，暂不能生成 PDF；请使用浏览器打印。": "The server has no Chinese font installed, so it cannot make the PDF for now; please print from your browser.",
}
