// Package search turns text into the tokens that both database engines index, and a
// user's query into the matching SQLite FTS5 expression or PostgreSQL tsquery.
//
// Neither engine can segment Chinese: FTS5's unicode61 tokenizer and PostgreSQL's
// default parser both treat a whole run of ideographs as one word, and the trigram
// tokenizer cannot find 2-character words. So the application tokenises: every run of
// CJK characters becomes overlapping bigrams, and a query term becomes a phrase of its
// own bigrams. A phrase of overlapping bigrams matches exactly where the term occurs
// as a substring, so search finds every 2-character word without a dictionary, and
// both back ends return the same rows (measurements: notes/tech-stack-measurements.md §3).
//
// Known differences from substring search, all rare in practice:
//   - A 1-character CJK term is a prefix query on the bigrams, so it misses the
//     character where it is only the last character of a CJK run ("办公。"). Neither
//     engine can search a token suffix.
//   - Latin letters and digits are matched as words (a short last word as a prefix),
//     not as substrings: "2025" does not find "x2025".
//   - Phrase positions ignore separators, so a term can match across punctuation:
//     "财务，务公示" contains the phrase "财务 务公 公示".
package search

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxTerms is the number of whitespace-separated terms a query keeps; the rest are
// ignored, so one request cannot build an arbitrarily large expression.
const MaxTerms = 8

// MaxTermRunes is the length at which a query term is cut. It also keeps every
// lexeme far below PostgreSQL's 2 KB tsquery word limit, which would be an error.
const MaxTermRunes = 32

// shortPrefix is the longest Latin word at the end of a term that is searched as a
// prefix: a user who has typed "pd" most likely means "pdf", while a longer word is
// usually complete and a prefix would only add noise ("2025" finding "20251").
const shortPrefix = 2

// Tokens returns the text to index (or to search for) for text: NFKC-normalised so
// that full-width letters and digits equal half-width ones, lower-cased, each CJK run
// as overlapping bigrams ("校务公开" → "校务 务公 公开"), a 1-character run as itself,
// and runs of other letters and digits as words. Everything else separates tokens.
// The tokens are separated by single spaces, which both SQLite's unicode61 tokenizer
// and PostgreSQL's 'simple' configuration split on again.
func Tokens(text string) string { return tokens("", text) }

// SchoolTokens returns Tokens(text) with every token marked as the school's:
// "s12x财务" instead of "财务". Each school then has its own words in the index,
// so a search walks only that school's postings, however many schools share
// the database (a common bigram such as 公开 occurs in nearly every item of
// every school). The x ends the number, so no two schools' tokens collide.
func SchoolTokens(schoolID int64, text string) string { return tokens(schoolPrefix(schoolID), text) }

func schoolPrefix(schoolID int64) string { return "s" + strconv.FormatInt(schoolID, 10) + "x" }

func tokens(prefix, text string) string {
	var b strings.Builder
	b.Grow(len(text) * 2)
	scan(norm.NFKC.String(text), func(tok []byte, _ bool) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(prefix)
		b.Write(tok)
	})
	return b.String()
}

type class uint8

const (
	separator class = iota
	cjk
	word
)

func classify(r rune) class {
	switch {
	// U+30FC (katakana-hiragana prolonged sound mark) has the Common script, but it
	// belongs inside katakana words such as コーヒー.
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == 'ー':
		return cjk
	// Only letters and numbers: these are the categories (L*, N*) that unicode61 keeps
	// by default, so FTS5 never sees a token it would itself drop as a separator.
	case unicode.IsLetter(r) || unicode.IsNumber(r):
		return word
	}
	return separator
}

// scan calls emit for each token of the NFKC-normalised s, with short set when the
// token may be searched as a prefix: a 1-character CJK run or a short Latin word.
// tok is only valid during the call, so Tokens can write it without allocating.
func scan(s string, emit func(tok []byte, short bool)) {
	var (
		bigram, wordBuf []byte
		prev            rune // the last CJK rune of the current run
		run, wordRunes  int
	)
	endRun := func() {
		if run == 1 {
			emit(utf8.AppendRune(bigram[:0], prev), true)
		}
		run = 0
	}
	endWord := func() {
		if wordRunes > 0 {
			emit(wordBuf, wordRunes <= shortPrefix)
		}
		wordBuf, wordRunes = wordBuf[:0], 0
	}
	for _, r := range s {
		switch classify(r) {
		case cjk:
			endWord()
			if run > 0 {
				bigram = utf8.AppendRune(utf8.AppendRune(bigram[:0], prev), r)
				emit(bigram, false)
			}
			prev = r
			run++
		case word:
			endRun()
			wordBuf = utf8.AppendRune(wordBuf, unicode.ToLower(r))
			wordRunes++
		default:
			endRun()
			endWord()
		}
	}
	endRun()
	endWord()
}

// Query is a parsed search query: an AND of terms, each a phrase of tokens. The zero
// Query is empty. Build one with ParseQuery.
type Query struct {
	terms []term
}

type term struct {
	tokens []string
	prefix bool // the last token is matched as a prefix
}

// ParseQuery splits q on whitespace into at most MaxTerms terms of at most
// MaxTermRunes runes each and tokenises every term like Tokens. Terms that contain
// nothing searchable (punctuation, operators, quotes) and repeated terms are dropped,
// so that they neither take a slot nor reach the database. A term whose last token
// is a 1-character CJK run or a Latin word of up to two characters ends in a prefix,
// so "公" finds "公示" and "9月" finds "9月份" (indexed as "9 月份").
func ParseQuery(q string) Query {
	var out Query
	for f := range strings.FieldsSeq(q) {
		if len(out.terms) == MaxTerms {
			break
		}
		t := parseTerm(f)
		if len(t.tokens) > 0 && !out.has(t) {
			out.terms = append(out.terms, t)
		}
	}
	return out
}

func parseTerm(s string) term {
	// Cut before normalising to bound the work, and again after, because NFKC can
	// expand one rune into many ("㍿" → "株式会社").
	s = truncate(norm.NFKC.String(truncate(s, MaxTermRunes)), MaxTermRunes)
	var t term
	scan(s, func(tok []byte, short bool) {
		t.tokens = append(t.tokens, string(tok))
		t.prefix = short
	})
	return t
}

func truncate(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

func (q Query) has(t term) bool {
	for _, u := range q.terms {
		if u.prefix == t.prefix && slices.Equal(u.tokens, t.tokens) {
			return true
		}
	}
	return false
}

// Empty reports whether nothing searchable is left, in which case FTS5 and TSQuery
// return "" and the caller must not run a full-text query at all (an empty MATCH is
// a syntax error in FTS5).
func (q Query) Empty() bool { return len(q.terms) == 0 }

// FTS5 returns the expression for `WHERE tbl MATCH $1` on a table tokenised with
// unicode61: one double-quoted phrase per term, joined with AND, for example
// `"财务 务公 公示" AND "收费"`, and `"公"*` for a prefix. Only letters, digits and
// spaces ever appear between the quotes, so user input cannot inject operators
// (AND, NEAR, column filters, ^, *): inside a string FTS5 treats them as text.
// It returns "" when q is empty.
func (q Query) FTS5() string { return q.fts5("") }

func (q Query) fts5(prefix string) string {
	var b strings.Builder
	for i, t := range q.terms {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('"')
		for j, tok := range t.tokens {
			if j > 0 {
				b.WriteByte(' ')
			}
			// Tokens never contain quotes; doubling them keeps that true even if the
			// tokenizer changes.
			b.WriteString(prefix)
			b.WriteString(strings.ReplaceAll(tok, `"`, `""`))
		}
		b.WriteByte('"')
		if t.prefix {
			// After a string, * makes its last token a prefix: `"9 月"*`.
			b.WriteByte('*')
		}
	}
	return b.String()
}

// TSQuery returns the text for `tsv @@ to_tsquery('simple', $1)`: per term the
// single-quoted lexemes joined with <-> (adjacent positions, like an FTS5 phrase),
// the terms joined with &, for example `('财务' <-> '务公' <-> '公示') & '收费'`, and
// `'公':*` for a prefix. Every lexeme is quoted, so tsquery operators in user input
// (& | ! <-> : *) stay text. It returns "" when q is empty.
func (q Query) TSQuery() string { return q.tsquery("") }

func (q Query) tsquery(prefix string) string {
	var b strings.Builder
	for i, t := range q.terms {
		if i > 0 {
			b.WriteString(" & ")
		}
		if len(t.tokens) > 1 {
			b.WriteByte('(')
		}
		for j, tok := range t.tokens {
			if j > 0 {
				b.WriteString(" <-> ")
			}
			b.WriteByte('\'')
			b.WriteString(prefix)
			// Inside a quoted tsquery lexeme a quote is doubled and a backslash
			// escapes; tokens contain neither, but escaping keeps it safe regardless.
			b.WriteString(tsEscaper.Replace(tok))
			b.WriteByte('\'')
			if t.prefix && j == len(t.tokens)-1 {
				b.WriteString(":*")
			}
		}
		if len(t.tokens) > 1 {
			b.WriteByte(')')
		}
	}
	return b.String()
}

var tsEscaper = strings.NewReplacer(`'`, `''`, `\`, `\\`)

// FTS5ForSchool returns the FTS5 MATCH expression of q over the tokens of
// SchoolTokens(schoolID, ...), or "" when nothing searchable remains.
func (q Query) FTS5ForSchool(schoolID int64) string { return q.fts5(schoolPrefix(schoolID)) }

// TSQueryForSchool returns the to_tsquery text of q over the lexemes of
// SchoolTokens(schoolID, ...), or "" when nothing searchable remains.
func (q Query) TSQueryForSchool(schoolID int64) string { return q.tsquery(schoolPrefix(schoolID)) }
