package web

// english translates the Chinese UI texts. Chinese is the source language:
// a text without an entry shows in Chinese. Each group of pages keeps its
// own dictionary file.
var english = mergeDicts(englishCommon, englishPeople, englishPublic, englishManage, englishMembers, englishApi, englishFeedback, englishNotify, englishObligations, englishOrders, englishSurveys, englishCatalogue, englishDashboard, englishReports, englishCalendar, englishSetup, englishSchools, englishDoors, englishRevision, englishRosters, englishUploads, englishRedaction, englishPrivacy, englishReceipt, englishDisclosure, englishUX, englishMessages, englishPrint, englishLedger, englishNotice, englishVerify, englishWitness, englishPosting)

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
	"您没有访问此页面的权限。":   "You may not open this page.",
	"请先登录。":          "Please sign in first.",
	"请求来自其他网站，已拒绝。请回到本站页面重新操作。": "The request came from another website and was refused. Please go back to this site's page and try again.",
	"表单无法解析。": "The form could not be read.",

	// Layout.
	"跳到正文":     "Skip to content",
	"学校信息公开平台": "School information disclosure",
	"账号与显示":    "Account and display",
	"主管单位":     "Supervising authority",
	"学校栏目":     "School sections",
	"校内工作":     "School work",

	// Login, joining, the account.
	"密码":       "Password",
	"家长首次使用？":  "A parent here for the first time?",
	"凭班级邀请码加入": "Join with your class's invitation code",
	"演示账号（密码均为 gongkai-demo）": "Demo accounts (the password of each is gongkai-demo)",
	"教育局管理员":                  "Bureau administrator",
	"督查员":                     "Inspector",
	"用户名或密码不正确。":              "Wrong username or password.",
	"请输入用户名和密码。":              "Please enter your username and password.",
	"登录尝试过于频繁，请稍后再试。":         "Too many sign-in attempts; please try again later.",
	"操作过于频繁，请稍后再试。":           "Too many attempts; please try again later.",
	"您已退出登录。":                 "You have signed out.",
	"家长加入":                    "Join as a parent",
	"凭班主任发放的邀请码加入学校，即可查看校内公开的内容。": "Join the school with the invitation code from your class teacher to read what it discloses to its community.",
	"例如：王小明家长":    "For example: Wang Xiaoming's parent",
	"至少 10 个字符。":  "At least 10 characters.",
	"再次输入密码":      "Password again",
	"加入":          "Join",
	"请输入邀请码。":     "Please enter the invitation code.",
	"两次输入的密码不一致。": "The two passwords differ.",
	"我的账号":        "My account",
	"修改密码":        "Change password",
	"当前密码":        "Current password",
	"新密码":         "New password",
	"至少 10 个字符，可以是一句好记的话。": "At least 10 characters; a sentence you will remember works well.",
	"再次输入新密码":              "New password again",
	"当前密码不正确。":             "The current password is wrong.",
	"两次输入的新密码不一致。":         "The two new passwords differ.",
	"密码已修改，其他设备上的登录已退出。":   "Password changed; you have been signed out on your other devices.",

	// The error page.
	"您填写的内容": "What you entered",
	"无法识别的字符显示为 �。请复制需要的内容，返回上一页改正后重新提交。": "Characters that could not be read show as �. Copy what you need, go back, correct it and send it again.",
}
