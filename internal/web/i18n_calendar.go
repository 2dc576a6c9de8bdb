package web

// englishCalendar translates the working-day calendar and the countdown of
// deadlines.
var englishCalendar = map[string]string{
	"逾期 %d 个工作日":      "%d working days overdue",
	"没有未完成事项的期限因此改变。": "No open deadline changed.",
	"期限调整":            "Deadline recounted",
	"公示期调整":           "Publicity period recounted",
	"暂定放假":            "Provisional day off",
	"暂定":              "provisional",
	"该年的期限按周一至周五推算，元旦、劳动节和国庆节（10月1日至3日）按惯例放假，均标为暂定。": "Deadlines in this year count Monday to Friday as working days, with New Year's Day, Labour Day and National Day (1–3 October) off by custom, and are marked provisional.",
}
