package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	_ "github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/text/unicode/norm"
	_ "modernc.org/sqlite"

	"gongkai/internal/search"
)

// docs is a small corpus of disclosure titles and bodies. Its id is its index + 1.
var docs = []struct{ title, body string }{
	{"关于2025年秋季学期收费项目及标准的公示", "根据省物价局文件，现将我校2025年秋季学期收费项目及收费标准予以公示，公示期为５个工作日。"},
	{"9月份财务收支月报表", "本月财务收入合计１２３４５６元，支出合计９８７６５元，详见附件ＰＤＦ。"},
	{"国家助学金发放名单公示", "经学生申请、班级评议、学校审核，拟向以下学生发放2025年国家助学金。"},
	{"大宗物资采购结果公示", "学校食堂大宗物资（大米、食用油）采购项目已完成，中标供应商为某某粮油公司。"},
	{"开展同伴互助学习活动的通知", "为营造良好学风，学校决定在各年级开展同伴互助学习活动。"},
	{"关于校务公开工作的实施意见", "为进一步推进校务公开，保障师生知情权，制定本意见。"},
	{"2025年度部门预算公开", "按照财政部门要求，现公开本校2025年度部门预算及“三公”经费预算。"},
	{"教辅材料征订情况说明", "本学期教辅材料由学生自愿征订，学校不统一收费。"},
	{"学生食堂膳食委员会成员名单", "膳食委员会由家长代表、教师代表和学生代表组成，负责监督食堂饭菜质量与价格。"},
	{"校服采购单一来源公示", "因校服款式需与往年保持一致，拟采用单一来源方式采购。"},
	{"后勤管理处搬迁通知", "即日起后勤管理处迁至新行政楼二楼办公。"},
	{"第三季度财务公示", "现将第三季度学校财务收支情况公示如下。"},
	{"关于规范教育收费行为的通知", "严禁以任何名义向学生收取择校费、赞助费。"},
	{"寒假安全致家长的一封信", "请家长加强对孩子的安全教育，注意防火、防溺水。"},
	{"2025-2026学年校历", "本学年第一学期于９月１日开学，１月２３日结束。"},
	{"学生资助政策简介", "我校建立了国家助学金、免学费、校内奖学金等多元资助体系。"},
	{"营养改善计划食品采购公告", "现就营养改善计划食品配送服务进行公开招标。"},
	{"教师招聘面试成绩公布", "面试成绩已公布，请考生登录网站查询。"},
	{"食堂餐费收取标准", "学生早餐３元、午餐８元，按月收取，不另收费。"},
	{"Wi-Fi网络维护公告", "校园WiFi将于周六维护，期间网络中断约２小时。"},
	{"校园开放日活动安排", "欢迎家长来校参观，活动当天请携带身份证。"},
	{"财务制度汇编", "本汇编收录学校财务管理、资产管理、采购管理等制度。"},
	{"关于公开征集办学意见的通知", "学校面向全体师生及家长公开征集意见，截止时间为10月31日。"},
	{"学生意外伤害保险说明", "保险为自愿参加，学校不代收保险费。"},
	{"图书采购清单（第二批）", "本批采购图书共１２００册，清单见附件Excel表格。"},
	{"少年宫兴趣班收费公示", "兴趣班按照成本收费，收费标准经教育局核准。"},
	{"食品安全自查报告", "学校每月开展食品安全自查，发现问题立即整改。"},
	{"校车服务公司招标结果", "经公开招标，确定校车服务由某某交通公司提供。"},
	{"班主任工作手册", "班主任应每周召开班会，关心学生学习与生活。"},
	{"教职工代表大会决议", "大会审议通过了学校章程修订案和财务工作报告。"},
	{"党史学习教育专题", "坚持学习学习再学习，把学习成果转化为办学实效。"},
}

// engineCases are the queries run on both engines. all lists the substrings that
// a matching document must contain (in its title or its body, after NFKC and
// lower-casing); when nil, they are the query's whitespace-separated fields.
var engineCases = []struct {
	q   string
	all []string
}{
	{q: "财务"}, {q: "采购"}, {q: "助学"}, {q: "助学金"}, {q: "学金"}, {q: "财务公示"},
	{q: "收费 标准"}, {q: "互助学习"}, {q: "学习学习"}, {q: "单一来源"}, {q: "膳食委员会"},
	{q: "2025年"}, {q: "９月"}, {q: "wifi"}, {q: "ＰＤＦ"}, {q: "excel"}, {q: "1200"},
	{q: "公"}, {q: "费"}, {q: "学"}, {q: "月"},
	// Hostile input: operators and quotes are text, so these find what the rest says.
	{q: `"财务"`, all: []string{"财务"}},
	{q: `"财务`, all: []string{"财务"}},
	{q: `财务*`, all: []string{"财务"}},
	{q: `'财务':*`, all: []string{"财务"}},
	{q: `\财务\`, all: []string{"财务"}},
	{q: `-财务`, all: []string{"财务"}},
	{q: `^财务`, all: []string{"财务"}},
	{q: `(财务)`, all: []string{"财务"}},
	{q: `《财务》`, all: []string{"财务"}},
	{q: `财务 & 公示`, all: []string{"财务", "公示"}},
	{q: `财务 | 采购`, all: []string{"财务", "采购"}},
	{q: `财务 -公示`, all: []string{"财务", "公示"}},
	{q: `!财务 {title body}:公示`, all: []string{"财务", "title", "body公示"}},
	{q: `"财务" OR "采购"`, all: []string{"财务", "or", "采购"}},
	{q: `财务 AND 公示`, all: []string{"财务", "and", "公示"}},
	{q: `NEAR(财务 公示)`, all: []string{"near财务", "公示"}},
	{q: `title:财务`, all: []string{"title财务"}},
	{q: "财务\x00", all: []string{"财务"}},
	{q: strings.Repeat("财务 ", 10000), all: []string{"财务"}},
	{q: strings.Repeat("财务公示", 10000), all: []string{strings.Repeat("财务公示", 8)}},
	{q: strings.Repeat(`"财务" AND `, 5000), all: []string{"财务", "and"}},
}

func normalize(s string) string { return strings.ToLower(norm.NFKC.String(s)) }

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// truth returns the ids of the documents that contain every substring in all.
func truth(all []string) []int64 {
	var ids []int64
	for i, d := range docs {
		title, body := normalize(d.title), normalize(d.body)
		if len(all) > 0 && !slices.ContainsFunc(all, func(s string) bool {
			return !strings.Contains(title, s) && !strings.Contains(body, s)
		}) {
			ids = append(ids, int64(i+1))
		}
	}
	return ids
}

// prefixTruth returns the ids of the documents in which the CJK character c occurs
// where a prefix query on bigrams can see it: followed by another CJK character, or
// alone. Where c only ends a CJK run ("办公。") it is the suffix of a bigram, and
// neither engine can search token suffixes; see the package comment.
func prefixTruth(c rune) []int64 {
	visible := func(s string) bool {
		rs := []rune(normalize(s))
		for i, r := range rs {
			if r == c && (i+1 < len(rs) && isCJK(rs[i+1]) || i == 0 || !isCJK(rs[i-1])) {
				return true
			}
		}
		return false
	}
	var ids []int64
	for i, d := range docs {
		if visible(d.title) || visible(d.body) {
			ids = append(ids, int64(i+1))
		}
	}
	return ids
}

// checkEngine runs engineCases and the hostile inputs through match and compares
// the ids with the substring ground truth.
func checkEngine(t *testing.T, match func(expr string) ([]int64, error), expr func(search.Query) string) {
	t.Helper()
	var missedSuffix []string
	for _, tc := range engineCases {
		q := search.ParseQuery(tc.q)
		all := tc.all
		if all == nil {
			all = strings.Fields(normalize(tc.q))
		}
		want := truth(all)
		if rs := []rune(tc.q); len(rs) == 1 && isCJK(rs[0]) {
			want = prefixTruth(rs[0])
			for _, id := range truth(all) {
				if !slices.Contains(want, id) {
					missedSuffix = append(missedSuffix, fmt.Sprintf("%s in %d %s", tc.q, id, docs[id-1].title))
				}
			}
		}
		got, err := match(expr(q))
		if err != nil {
			t.Errorf("query %.40q as %.100q: %v", tc.q, expr(q), err)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("query %.40q as %.100q: ids %v, want %v", tc.q, expr(q), got, want)
		}
	}
	for _, in := range hostile {
		if _, err := match(expr(search.ParseQuery(in))); err != nil {
			t.Errorf("hostile query %.40q as %.100q: %v", in, expr(search.ParseQuery(in)), err)
		}
	}
	// The corpus holds one such case on purpose (11: "……二楼办公。"), so that this
	// known limitation stays visible rather than being hidden by friendly data.
	t.Logf("1-character queries miss a character that only ends a CJK run: %q", missedSuffix)
}

func TestFTS5_matchesSubstrings(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "search.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mustExec(t, db, `CREATE VIRTUAL TABLE t USING fts5(title, body, content='', contentless_delete=1,
		tokenize='unicode61 remove_diacritics 0')`)
	// Every document is indexed for the searched school and again for a
	// school whose number starts with the same digit, whose rows must never
	// be found.
	for i, d := range docs {
		for _, school := range []int64{searchedSchool, otherSchool} {
			mustExec(t, db, `INSERT INTO t(rowid, title, body) VALUES ($1, $2, $3)`,
				rowID(school, i), search.SchoolTokens(school, d.title), search.SchoolTokens(school, d.body))
		}
	}
	checkEngine(t, func(expr string) ([]int64, error) {
		if expr == "" {
			return nil, nil // an empty MATCH is a syntax error; callers skip it
		}
		return queryIDs(ctx, db, `SELECT rowid FROM t WHERE t MATCH $1 ORDER BY rowid`, expr)
	}, func(q search.Query) string { return q.FTS5ForSchool(searchedSchool) })
}

func TestPostgres_matchesSubstrings(t *testing.T) {
	url := os.Getenv("GONGKAI_TEST_POSTGRES")
	if url == "" {
		t.Skip("GONGKAI_TEST_POSTGRES is not set to a PostgreSQL connection URL; skipping the PostgreSQL search test")
	}
	ctx := context.Background()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// One connection, so that the session settings below apply to every query.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	table := fmt.Sprintf("search_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := conn.ExecContext(ctx, `CREATE TEMPORARY TABLE `+table+
		` (id bigint PRIMARY KEY, tsv tsvector NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := conn.ExecContext(ctx, `DROP TABLE IF EXISTS `+table); err != nil {
			t.Errorf("drop %s: %v", table, err)
		}
	})
	for i, d := range docs {
		for _, school := range []int64{searchedSchool, otherSchool} {
			// Title and body weighted apart as the store does; weights do not change
			// which rows match.
			if _, err := conn.ExecContext(ctx, `INSERT INTO `+table+` (id, tsv) VALUES ($1,
				setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B'))`,
				rowID(school, i), search.SchoolTokens(school, d.title), search.SchoolTokens(school, d.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Go through the GIN index, as a large table would: the planner would scan 31 rows.
	for _, s := range []string{`CREATE INDEX ON ` + table + ` USING gin (tsv)`, `SET enable_seqscan = off`} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _, _ = conn.ExecContext(ctx, `RESET enable_seqscan`) })
	checkEngine(t, func(expr string) ([]int64, error) {
		if expr == "" {
			return nil, nil
		}
		rows, err := conn.QueryContext(ctx,
			`SELECT id FROM `+table+` WHERE tsv @@ to_tsquery('simple', $1) ORDER BY id`, expr)
		if err != nil {
			return nil, err
		}
		return scanIDs(rows)
	}, func(q search.Query) string { return q.TSQueryForSchool(searchedSchool) })
}

// The engine tests index every document for two schools whose tokens start
// alike ("s7x…", "s71x…") and search one of them.
const searchedSchool, otherSchool = 7, 71

// rowID numbers the searched school's documents from 1, as the ground truth
// does, and the other school's far above.
func rowID(school int64, i int) int64 {
	if school == searchedSchool {
		return int64(i + 1)
	}
	return int64(100000 + i + 1)
}

func mustExec(tb testing.TB, db *sql.DB, query string, args ...any) {
	tb.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

func queryIDs(ctx context.Context, db *sql.DB, query string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanIDs(rows)
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
