package web

// english translates the Chinese UI texts. Chinese is the source language:
// a text without an entry shows in Chinese. Each group of pages keeps its
// own dictionary file.
var english = mergeDicts(englishCommon, englishPublic, englishManage, englishMembers, englishApi)

func mergeDicts(ds ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, d := range ds {
		for k, v := range d {
			out[k] = v
		}
	}
	return out
}

// englishCommon translates the layout, errors and account pages.
var englishCommon = map[string]string{
	"校务公开":         "School Affairs Disclosure",
	"首页":           "Home",
	"登录":           "Sign in",
	"退出":           "Sign out",
	"工作台":          "My work",
	"大字模式":         "Large text",
	"标准字号":         "Standard text",
	"页面不存在":        "Page not found",
	"无权访问":         "Access denied",
	"请先登录":         "Please sign in",
	"操作过于频繁":       "Too many requests",
	"服务器出错了":       "Something went wrong",
	"请求有误":         "Bad request",
	"页面不存在或您无权查看。": "The page does not exist or you may not view it.",
	"返回首页":         "Back to home",
	"错误已记录，我们会尽快处理。": "The error has been recorded and will be looked into.",
}
