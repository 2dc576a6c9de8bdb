package web

// englishNotify translates the notifications page and the header's count.
var englishNotify = map[string]string{
	"通知":     "Notifications",
	"条未读":    "unread",
	"共 %d 条": "%d in all",
	"新通知 %d 条，查看后即标为已读": "%d new, marked as read now that you have seen them",
	"新":    "New",
	"暂无通知": "No notifications",
	"有新的意见、来信待您办理，或您的来信有了答复时，会在这里提醒您。": "You are told here when feedback or a letter waits for you, or when your own letter has been answered.",
}
