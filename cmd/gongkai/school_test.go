package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func writeList(t *testing.T, rows [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "学校名单.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRun_schoolImport imports the county's school list from the command
// line: a list with errors prints each by row and column and imports
// nothing; a good one creates every school with its obligations.
func TestRun_schoolImport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		env := map[string]string{"GONGKAI_DB": dsn}
		getenv := func(k string) string { return env[k] }
		var out, errOut strings.Builder
		if err := run(ctx, []string{"migrate"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		b := &gongkai.Bureau{Name: "青禾县教育局"}
		if err := db.CreateBureau(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := db.RegisterSchool(ctx, nil, &gongkai.School{BureauID: b.ID, Slug: "xiangqian", Name: "祥谦小学", Code: "3136002107", Stage: "小学"}); err != nil {
			t.Fatal(err)
		}
		header := []string{"学校名称", "学校标识码", "统一社会信用代码", "网址名", "学段", "地址", "监督电话", "校长姓名", "校长用户名"}
		bad := writeList(t, [][]string{header,
			{"元坝小学", "3136003305", "", "yuanba", "小学", "", "0598-5550268", "马俊杰", "yuanba.head"},
			{"开物小学", "3136002107", "91110108551385082R", "kaiwu", "小学", "", "", "", ""},
		})
		out.Reset()
		err = run(ctx, []string{"school", "import", "--file", bad}, getenv, strings.NewReader(""), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "nothing imported") {
			t.Fatalf("a list with errors: %v", err)
		}
		for _, want := range []string{"第3行 B列 “学校标识码”：学校标识码 3136002107 已登记为祥谦小学，请核对。", "第3行 C列 “统一社会信用代码”：统一社会信用代码的校验位不对"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
		if s, _ := db.FindSchools(ctx, b.ID); len(s) != 1 {
			t.Fatalf("%d schools after a refused import", len(s))
		}

		good := writeList(t, [][]string{header,
			{"元坝小学", "3136003305", "", "yuanba", "小学", "元坝镇新街12号", "0598-5550268", "马俊杰", "yuanba.head"},
			{"开物小学", "3136001209", "91110108551385082Q", "kaiwu", "小学", "", "", "", ""},
		})
		out.Reset()
		if err := run(ctx, []string{"school", "import", "--file", good, "--bureau", "1"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
			t.Fatalf("import: %v\n%s", err, out.String())
		}
		for _, want := range []string{"created school yuanba  3136003305  元坝小学  principal yuanba.head (new account, no password yet)", "created school kaiwu", "2 schools imported into 青禾县教育局", "gongkai user reset-password --username NAME"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
		s, err := db.FindSchoolBySlug(ctx, "kaiwu")
		if err != nil || s.CreditCode != "91110108551385082Q" {
			t.Fatalf("kaiwu: %+v %v", s, err)
		}
		if obs, _ := db.FindObligations(ctx, s.ID, store.ObligationFilter{}); len(obs) == 0 {
			t.Error("an imported school has no obligations")
		}
		log, _, _ := db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: s.ID})
		if len(log) != 1 || log[0].ActorName != "命令行" || log[0].Action != gongkai.AdminSchoolsImported {
			t.Errorf("admin log %+v", log)
		}
	})
}
