package web

// englishDisclosure translates what the recall of a submission shows.
var englishDisclosure = map[string]string{
	"撤回提交": "Recall submission",
	"只有本事项的经办人可以撤回提交。": "Only the item's own clerk may recall its submission.",
	"已撤回提交，可以修改后重新提交。": "Submission recalled: change the form and submit it again.",
}
