package search_test

import (
	"regexp"
	"strings"
	"testing"

	"gongkai/internal/search"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bigrams", "校务公开", "校务 务公 公开"},
		{"two characters", "财务", "财务"},
		{"one-character run", "《月》", "月"},
		{"one character between digits", "9月1日", "9 月 1 日"},
		{"mixed chinese latin digits", "关于2025年秋季学期收费", "关于 2025 年秋 秋季 季学 学期 期收 收费"},
		{"full-width digits", "２０２５年", "2025 年"},
		{"full-width latin lower-cased", "ＰＤＦ附件Excel", "pdf 附件 excel"},
		{"chinese punctuation separates", "《财务》“公示”，收支。", "财务 公示 收支"},
		{"ideographic space", "财务\u3000公示", "财务 公示"},
		{"latin punctuation", "Wi-Fi, COVID-19!", "wi fi covid 19"},
		{"repeated characters", "哈哈哈", "哈哈 哈哈"},
		{"kana and hangul", "コーヒー 학교", "コー ーヒ ヒー 학교"},
		{"halfwidth katakana", "ｶﾀｶﾅ", "カタ タカ カナ"},
		{"compatibility ideograph", "\uF900", "豈"},
		{"emoji and symbols separate", "财务😀公示→", "财务 公示"},
		{"control and invalid bytes", "财\x00务\xff公", "财 务 公"},
		{"empty", "", ""},
		{"only separators", " 。，“”《》&|!<->'\"\\:* ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := search.Tokens(tt.in); got != tt.want {
				t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name, in  string
		fts5, tsq string
	}{
		{"two characters", "财务", `"财务"`, `'财务'`},
		{"four characters", "财务公示", `"财务 务公 公示"`, `('财务' <-> '务公' <-> '公示')`},
		{"two terms", "收费 标准", `"收费" AND "标准"`, `'收费' & '标准'`},
		{"one character is a prefix", "公", `"公"*`, `'公':*`},
		{"trailing character is a prefix", "９月", `"9 月"*`, `('9' <-> '月':*)`},
		{"short latin is a prefix", "PD", `"pd"*`, `'pd':*`},
		{"long latin is a word", "Excel", `"excel"`, `'excel'`},
		{"number is a word", "2025", `"2025"`, `'2025'`},
		{"punctuation inside a term", "《财务》", `"财务"`, `'财务'`},
		{"ideographic space splits terms", "收费\u3000标准", `"收费" AND "标准"`, `'收费' & '标准'`},
		{"repeated terms once", "财务 财务 ＦＩＮ fin", `"财务" AND "fin"`, `'财务' & 'fin'`},
		{"operators are words", "财务 AND OR NOT 公示", `"财务" AND "and" AND "or"* AND "not" AND "公示"`,
			`'财务' & 'and' & 'or':* & 'not' & '公示'`},
		{"operator-only terms dropped", `财务 & | ! <-> " * : 公示`, `"财务" AND "公示"`, `'财务' & '公示'`},
		{"quotes stripped", `"财务" '公示'`, `"财务" AND "公示"`, `'财务' & '公示'`},
		{"near and column filter", `NEAR(财务 title:公示)`, `"near 财务" AND "title 公示"`,
			`('near' <-> '财务') & ('title' <-> '公示')`},
		{"empty", "", "", ""},
		{"only separators", ` " ' \ : * &|!<-> ( ) `, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := search.ParseQuery(tt.in)
			if got := q.FTS5(); got != tt.fts5 {
				t.Errorf("FTS5() = %q, want %q", got, tt.fts5)
			}
			if got := q.TSQuery(); got != tt.tsq {
				t.Errorf("TSQuery() = %q, want %q", got, tt.tsq)
			}
			if got, want := q.Empty(), tt.fts5 == ""; got != want {
				t.Errorf("Empty() = %v, want %v", got, want)
			}
		})
	}
}

func TestParseQuery_limits(t *testing.T) {
	t.Run("at most MaxTerms terms", func(t *testing.T) {
		q := search.ParseQuery("a1 b2 c3 d4 e5 f6 g7 h8 i9 j10")
		if got := strings.Count(q.FTS5(), " AND ") + 1; got != search.MaxTerms {
			t.Errorf("%d terms in %q, want %d", got, q.FTS5(), search.MaxTerms)
		}
	})
	t.Run("unsearchable terms take no slot", func(t *testing.T) {
		q := search.ParseQuery(strings.Repeat(`" `, 100) + "财务")
		if got := q.FTS5(); got != `"财务"` {
			t.Errorf("FTS5() = %q", got)
		}
	})
	t.Run("term cut at MaxTermRunes", func(t *testing.T) {
		q := search.ParseQuery(strings.Repeat("财", 1000))
		// 32 characters make 31 bigrams.
		if got := strings.Count(q.FTS5(), "财财"); got != search.MaxTermRunes-1 {
			t.Errorf("%d bigrams, want %d", got, search.MaxTermRunes-1)
		}
	})
	t.Run("expansion by NFKC is cut too", func(t *testing.T) {
		q := search.ParseQuery(strings.Repeat("ﷺ", 100)) // each expands to 18 runes
		if got := len([]rune(strings.ReplaceAll(strings.Trim(q.FTS5(), `"*`), " ", ""))); got > search.MaxTermRunes {
			t.Errorf("%d runes survive, want at most %d", got, search.MaxTermRunes)
		}
	})
}

// hostile are inputs written to break an FTS5 or tsquery expression. The engine
// tests run them against the real databases as well.
var hostile = []string{
	`"`, `""`, `"""`, `*`, `'`, `''`, `\`, `\\`, `:`, `:*`, `&|!<->`, `<2>`, `^`, `-`, `+`, `(`, `)`,
	`AND`, `OR`, `NOT`, `AND OR NOT`, `NEAR(`, `NEAR(财务 公示, 2)`, `财务 NEAR/2 公示`,
	`"财务`, `财务"`, `"财务" OR "采购"`, `财务*`, `财务 *`, `* 财务`, `财务'`, `'财务':*`, `财务:*A`,
	`\财务`, `财务\`, `title:财务`, `{title body}:财务`, `-财务`, `+财务`, `^财务`, `财务 -公示`,
	`财务 & 公示`, `财务 | 采购`, `!财务`, `(财务)`, `财务<->公示`, `财务 <2> 公示`, `'; DROP TABLE t; --`,
	"财务\x00公示", "\xff\xfe财务", "\u200b", "\u0301", "财\u0301务", "𫠠", "𰀀公", "ﷺ",
	strings.Repeat(`"`, 100000),
	strings.Repeat("财务 ", 10000),
	strings.Repeat("财务公示", 10000),
	strings.Repeat("a", 100000),
	strings.Repeat(`"财务" AND `, 5000),
}

var (
	ftsPhrase = `"[\p{L}\p{N}]+( [\p{L}\p{N}]+)*"\*?`
	validFTS5 = regexp.MustCompile(`^(` + ftsPhrase + `( AND ` + ftsPhrase + `)*)?$`)

	tsLexeme   = `'[\p{L}\p{N}]+'`
	tsTerm     = `(` + tsLexeme + `(:\*)?|\(` + tsLexeme + `( <-> ` + tsLexeme + `)+(:\*)?\))`
	validTSQry = regexp.MustCompile(`^(` + tsTerm + `( & ` + tsTerm + `)*)?$`)
)

// checkExpressions fails unless both expressions have exactly the shape that
// Query documents: quoted letters and digits, and only the operators it adds.
func checkExpressions(t *testing.T, in string) {
	t.Helper()
	q := search.ParseQuery(in)
	fts, tsq := q.FTS5(), q.TSQuery()
	if !validFTS5.MatchString(fts) {
		t.Errorf("ParseQuery(%.40q).FTS5() = %.200q: not a plain AND of phrases", in, fts)
	}
	if !validTSQry.MatchString(tsq) {
		t.Errorf("ParseQuery(%.40q).TSQuery() = %.200q: not a plain & of phrases", in, tsq)
	}
	if (fts == "") != q.Empty() || (tsq == "") != q.Empty() {
		t.Errorf("ParseQuery(%.40q): Empty() = %v, FTS5 %q, TSQuery %q", in, q.Empty(), fts, tsq)
	}
	if n := strings.Count(fts, " AND ") + 1; n > search.MaxTerms {
		t.Errorf("ParseQuery(%.40q): %d terms", in, n)
	}
}

func TestParseQuery_hostile(t *testing.T) {
	for _, in := range hostile {
		checkExpressions(t, in)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, in := range hostile {
		f.Add(in)
	}
	f.Fuzz(checkExpressions)
}

func BenchmarkTokens(b *testing.B) {
	text := strings.Repeat("关于2025年秋季学期收费项目及标准的公示，详见附件PDF。", 100)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		search.Tokens(text)
	}
}
