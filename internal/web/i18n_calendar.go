package web

// englishCalendar translates the working-day calendar and the countdown of
// deadlines.
var englishCalendar = map[string]string{
	"逾期 %d 个工作日": "%d working days overdue",
	"公示中":        "In publicity",
	"没有未完成事项的期限因此改变。": "No open deadline changed.",
	"暂定":    "provisional",
	"期限调整":  "Deadline recounted",
	"公示期调整": "Publicity period recounted",
	"未录入年份按惯例放假（暂定）": "Presumed day off (year not entered yet)",
}
