package web

import "gongkai"

// englishSetup translates the setup page, the bureau's settings, the admin
// log and the footer.
var englishSetup = map[string]string{
	// The footer.
	"地址":     "Address",
	"监督举报电话": "Phone for complaints",
	"主办单位":   "Run by",

	// The home page of a county not set up.
	"本平台尚未完成初始设置": "This platform is not set up yet",
	"校务公开平台已经安装，但还没有设置教育局。管理员可以用以下任一方式完成设置：":                         "The platform is installed, but no education bureau has been set up. An administrator can set it up in either of these ways:",
	"打开首次启动时服务器输出的设置链接（形如 http://服务器地址/setup/…），按设置向导填写教育局信息和管理员账号。": "Open the setup link the server printed when it first started (like http://server-address/setup/…) and enter the bureau's particulars and the administrator's account in the setup wizard.",
	"或在服务器上运行命令：":                           "Or run this command on the server:",
	"设置链接丢失时，重新启动 gongkai serve 会输出一个新的链接。": "If the setup link is lost, restarting gongkai serve prints a new one.",

	// The setup page.
	"设置向导":    "Setup wizard",
	"已完成初始设置": "Setup is complete",
	"本县的校务公开平台已经设置好，设置链接不能再使用。请用教育局管理员账号登录。":               "This county's disclosure platform is set up already, and setup links no longer work. Please sign in with a bureau administrator's account.",
	"欢迎使用校务公开平台。请填写本县教育局的信息，并设置第一个教育局管理员账号。完成后，这个设置链接即失效。": "Welcome to the school affairs disclosure platform. Enter your county education bureau's particulars and set up its first administrator's account. Once you finish, this setup link stops working.",
	"请检查标红的项目。": "Please check the fields marked in red.",
	"教育局":       "Education bureau",
	"教育局管理员":    "Bureau administrator",
	"管理员新建学校、设置各校校长账号，并查看管理日志。": "The administrator creates the schools, sets up their principals' accounts and reads the admin log.",
	"（必填）": "(required)",
	"完成设置": "Finish setup",
	"初始设置已完成。下一步：新建本县的学校，再由各校校长添加教职工。": "Setup is complete. Next: create the county's schools; each school's principal then adds the staff.",

	// The bureau's particulars.
	"教育局名称": "Bureau name",
	"例如：青禾县教育局。显示在本县各校页面的底部（主管单位）。": "For example: 青禾县教育局. Shown at the foot of every school's pages (supervising authority).",
	"行政区划代码": "Administrative division code",
	"本县（区、市）的 6 位代码，例如 350121。":  "The county's (district's, city's) 6-digit code, e.g. 350121.",
	"群众对校务公开的监督举报电话，显示在每个页面的底部。": "The phone number for complaints about school affairs disclosure, shown at the foot of every page.",
	"可不填。":         "Optional.",
	"网站备案信息（页面底部）": "Website registration (page footer)",
	"以下三项显示在每个页面的底部，未设置的不显示。":       "These three are shown at the foot of every page; what is not set is left out.",
	"不填则显示教育局名称。":                   "When empty, the bureau's name is shown.",
	"ICP备案号":                        "ICP licence number",
	"例如：闽ICP备12345678号-1。可不填。":      "For example: 闽ICP备12345678号-1. Optional.",
	"公安备案号":                         "Public security registration number",
	"例如：闽公网安备 35012102000123号。可不填。": "For example: 闽公网安备 35012102000123号. Optional.",
	"请填写教育局名称（不超过 60 字），例如 青禾县教育局。": "Please enter the bureau's name (at most 60 characters), e.g. 青禾县教育局.",
	"行政区划代码须为 6 位数字，例如 350121。":     "The administrative division code is 6 digits, e.g. 350121.",
	"地址不超过 120 字。":                  "The address has at most 120 characters.",
	"请填写监督举报电话，它显示在每个页面的底部。":        "Please enter the phone number for complaints; it is shown at the foot of every page.",
	"监督举报电话只能包含数字、空格、横线和括号，例如 0591-22345678 或 13812345678。": "The phone for complaints may hold only digits, spaces, dashes and brackets, e.g. 0591-22345678 or 13812345678.",
	"监督举报电话不超过 60 个字符。":                                     "The phone for complaints has at most 60 characters.",
	"主办单位不超过 60 字。":                                         "Run by has at most 60 characters.",
	"ICP备案号的格式如 闽ICP备12345678号，可不填。":                        "An ICP licence number reads like 闽ICP备12345678号; it is optional.",
	"公安备案号的格式如 闽公网安备 35012102000123号，可不填。":                  "A public security registration number reads like 闽公网安备 35012102000123号; it is optional.",

	// The bureau's settings.
	"教育局信息": "Bureau particulars",
	"这些信息显示在本县各校每个页面的底部。每次修改都记入管理日志。": "These particulars are shown at the foot of every page of the county's schools. Every change is written to the admin log.",
	"教育局信息已保存。":          "The bureau's particulars were saved.",
	"只有教育局管理员可以修改教育局信息。": "Only a bureau administrator may change the bureau's particulars.",

	// The admin log.
	"管理日志":       "Admin log",
	"全部（含教育局）":   "All (the bureau too)",
	"操作类型":       "Kind of change",
	"全部操作":       "All changes",
	"记录":         "Entries",
	"管理日志，最新的在前": "Admin log, newest first",
	"时间":         "Time",
	"操作人":        "By",
	"对象":         "Subject",
	"详情":         "Detail",
	"本县教育局和各校的每一项管理操作都记录在这里：谁、何时、改了什么。记录只能增加，不能修改或删除。": "Every administrative change of the county's bureau and schools is recorded here: who, when, what changed. Entries are only ever added; none can be changed or removed.",
	"本校的每一项管理操作都记录在这里：谁、何时、改了什么。记录只能增加，不能修改或删除。":       "Every administrative change of this school is recorded here: who, when, what changed. Entries are only ever added; none can be changed or removed.",
	"没有符合筛选条件的记录。": "No entries match the filter.",
	"暂无管理操作记录。":    "No administrative changes yet.",
	"学校不存在或您无权查看。": "The school does not exist or you may not view it.",
}

// adminActionEnglish names the kinds of change of the admin log in English.
// It is keyed by the action, not by its Chinese label, because the labels
// (停用账号, 重置密码 …) are also the names of the buttons that make the
// change, and a button says the act ("Deactivate the account") where the
// log says what happened ("Account deactivated").
var adminActionEnglish = map[gongkai.AdminAction]string{
	gongkai.AdminSetup:            "Setup",
	gongkai.AdminBureauUpdated:    "Bureau particulars changed",
	gongkai.AdminSchoolCreated:    "School created",
	gongkai.AdminSchoolsImported:  "School list imported",
	gongkai.AdminSchoolUpdated:    "School particulars changed",
	gongkai.AdminSchoolDeactivate: "School deactivated",
	gongkai.AdminSchoolReactivate: "School reactivated",
	gongkai.AdminMemberAdded:      "Member added",
	gongkai.AdminMembersImported:  "Staff list imported",
	gongkai.AdminRolesChanged:     "Roles changed",
	gongkai.AdminMemberDeactivate: "Account deactivated",
	gongkai.AdminMemberReactivate: "Account reactivated",
	gongkai.AdminPasswordReset:    "Password reset",
	gongkai.AdminInvitation:       "Invitation sent",
	gongkai.AdminCalendarEdited:   "Working-day calendar changed",
	gongkai.AdminCatalogueEdited:  "Catalogue changed",
	gongkai.AdminUserCreated:      "Account created",
	gongkai.AdminWitnessLogAdded:  "Log registered with the witness",
}
