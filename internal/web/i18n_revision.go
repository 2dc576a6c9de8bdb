package web

// englishRevision translates the texts of revision.go and its templates:
// the revision form, the revision's page, the mark of a pending revision
// and who signed and checked each version.
var englishRevision = map[string]string{
	"修订审核中":      "Revision under review",
	"放弃修订":       "Abandon the revision",
	"修订稿":        "Draft revision",
	"修订待审议":      "Revision awaiting review",
	"修订已签发":      "Revision signed",
	"修订已审核":      "Revision checked",
	"签发人":        "Signed by",
	"审核人":        "Checked by",
	"第 %d 版修订":   "Revision to version %d",
	"第 %d 版修订稿":  "Draft of version %d",
	"修改修订稿":      "Edit the draft revision",
	"保存修订稿":      "Save the draft revision",
	"查看修订":       "View the revision",
	"修订于":        "Revised",
	"修订稿没有附件。":   "The draft revision has no attachments.",
	"修订稿已被退回修改。": "The draft revision was returned for changes.",
	"修订办理记录":     "Steps of the revision",
	"修订稿已保存。":    "The draft revision was saved.",
	"以下为修订版本发布后读者看到的样子":                         "This is how readers will see the revision once it is published",
	"现行第 %d 版仍在公开栏显示，标注“修订审核中”":                 "The current version %d stays on the board, marked “Revision under review”",
	"本事项的修订稿正在审核，须经校长签发、监督小组审核后发布；在此之前以下为现行版本。": "A revision of this item is under review: it is published only once the principal has signed it and the supervision group has checked it. Until then, what follows is the current version.",
	"退回修改、放弃修订须写明理由；提出审议意见须填写意见内容。其他操作的意见可不填。":  "Returning or abandoning needs a reason; a review comment needs its text. Other steps may go without a comment.",
	"已发布的事项不能直接修改。修订稿须经领导小组审议、校长签发、监督小组审核后才能发布；发布前公开栏继续显示现行版本，并标注“修订审核中”。发布后原版本仍可查阅，修订理由向读者公开，公示期自发布之日起重新计算。": "A published item is never changed in place. A draft revision is published only after the leadership group's review, the principal's signature and the supervision group's check; until then the board keeps showing the current version, marked “Revision under review”. Once published, the old version stays readable, the reason is shown to readers and the publicity period starts again.",
	"修订已提交审议。":           "The revision was submitted for review.",
	"修订已签发。":             "The revision was signed.",
	"修订已退回修改。":           "The revision was returned for changes.",
	"修订审核通过。":            "The revision passed the check.",
	"修订版本已发布，公示期重新计算。":   "The revision was published; the publicity period starts again.",
	"已放弃修订，公开栏继续显示现行版本。": "The revision was abandoned; the board keeps showing the current version.",
	"已生成修订稿（第 %d 版）。提交审议、经校长签发和监督小组审核后方可发布，在此之前公开栏仍显示现行版本。": "Draft revision (version %d) saved. It can be published once submitted, signed by the principal and checked by the supervision group; until then the board shows the current version.",
}
