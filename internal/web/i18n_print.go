package web

// englishPrint translates the print button and the printed registration
// form of the review page (partials/print-button.html, reg-sheet.html).
var englishPrint = map[string]string{
	"打印本页":  "Print this page",
	"不设公示期": "No publicity period",
	"签发日期":  "Signed on",
}
