package web

// englishLedger translates the verifiable record (存证): the log's
// messages, its proofs and keys.
var englishLedger = map[string]string{
	"学校已有存证密钥。":    "The school already has a log key.",
	"应为整数。":        "Must be a whole number.",
	"超出范围。":        "Out of range.",
	"存证密钥尚未生成。":    "The log key has not been created yet.",
	"没有这个分片。":      "No such tile.",
	"日志还没有可证明的条目。": "The log has no entries to prove yet.",
	"学校还没有存证密钥。":   "The school has no log key yet.",
	"存证日志还是空的。":    "The log is still empty.",
	"存证":           "Verifiable record",
	"本校发布、修订和撤回的每一项都记入只增不改的存证日志，由本校签名、教育局见证；任何人都可以核验公开内容是否被改动。": "Every item this school publishes, revises or withdraws is entered in an append-only log, signed by the school and witnessed by the bureau; anyone can check that nothing published was changed.",
	"日志公钥":          "Log key",
	"最新检查点":         "Latest checkpoint",
	"公钥文件":          "Key file",
	"公钥指纹":          "Key fingerprint",
	"教育局见证签名有效（%s）": "The bureau's witness signature holds (%s)",
	"教育局尚未见证这个检查点":  "The bureau has not yet witnessed this checkpoint",
}
