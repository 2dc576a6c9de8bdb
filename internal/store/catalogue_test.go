package store_test

import (
	"context"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func findItem(t *testing.T, db *store.DB, schoolID int64, code string) *gongkai.CatalogueItem {
	t.Helper()
	items, err := db.FindCatalogue(context.Background(), schoolID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range items {
		if items[i].Code == code {
			return &items[i]
		}
	}
	return nil
}

func bureauAdmin(t *testing.T, f *fixture) *gongkai.Actor {
	t.Helper()
	u := &gongkai.User{Username: "bureau-admin", DisplayName: "管理员", BureauID: f.bureau.ID, BureauRole: gongkai.RoleBureauAdmin}
	if err := f.db.CreateUser(context.Background(), u, "x"); err != nil {
		t.Fatal(err)
	}
	a, err := f.db.LoadActor(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func canteen() gongkai.CatalogueItem {
	return gongkai.CatalogueItem{Code: "canteen", Name: "食堂膳食费收支", Category: "fees", Audience: gongkai.AudienceCommunity, PublicityDays: 5,
		Frequency: "每月10日前", Department: "总务处", Schedule: gongkai.Schedule{Frequency: gongkai.FreqMonthly, DueDay: 10}}
}

func TestCatalogue_SchoolItems(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		principal := f.actors[gongkai.RolePrincipal]

		it := canteen()
		if err := f.db.SaveCatalogueItem(ctx, f.school.ID, principal, &it); err != nil {
			t.Fatal(err)
		}
		got := findItem(t, f.db, f.school.ID, "canteen")
		if got == nil || got.Schedule.DueDay != 10 || got.Position != len(gongkai.DefaultCatalogue) {
			t.Fatalf("saved: %+v", got)
		}
		// Update by code.
		it = canteen()
		it.Name, it.Schedule = "食堂收支", gongkai.Schedule{Frequency: gongkai.FreqQuarterly, DueDay: 0}
		if err := f.db.SaveCatalogueItem(ctx, f.school.ID, principal, &it); err != nil {
			t.Fatal(err)
		}
		if got := findItem(t, f.db, f.school.ID, "canteen"); got.Name != "食堂收支" || got.Schedule.Frequency != gongkai.FreqQuarterly {
			t.Fatalf("updated: %+v", got)
		}

		refused := []struct {
			name  string
			actor *gongkai.Actor
			edit  func(*gongkai.CatalogueItem)
			code  string
			field string
		}{
			{"clerk", f.actors[gongkai.RoleClerk], nil, gongkai.EFORBIDDEN, ""},
			{"other school's principal", f.outsider, nil, gongkai.EFORBIDDEN, ""},
			{"day 31", principal, func(c *gongkai.CatalogueItem) { c.Schedule.DueDay = 31 }, gongkai.EINVALID, "due_day"},
			{"02-29", principal, func(c *gongkai.CatalogueItem) {
				c.Schedule = gongkai.Schedule{Frequency: gongkai.FreqYearly, DueMonthDay: "02-29"}
			}, gongkai.EINVALID, "due_month_day"},
			{"short publicity", principal, func(c *gongkai.CatalogueItem) { c.PublicityDays = 3 }, gongkai.EINVALID, "publicity_days"},
			{"bad audience", principal, func(c *gongkai.CatalogueItem) { c.Audience = "world" }, gongkai.EINVALID, "audience"},
			{"bad code", principal, func(c *gongkai.CatalogueItem) { c.Code = "食堂" }, gongkai.EINVALID, "code"},
		}
		for _, tc := range refused {
			it := canteen()
			it.Code = "x-" + it.Code
			if tc.edit != nil {
				tc.edit(&it)
			}
			err := f.db.SaveCatalogueItem(ctx, f.school.ID, tc.actor, &it)
			if gongkai.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
			if tc.field != "" && gongkai.ErrorFields(err)[tc.field] == "" {
				t.Errorf("%s: fields %v, want one for %s", tc.name, gongkai.ErrorFields(err), tc.field)
			}
		}
		if findItem(t, f.db, f.school.ID, "x-canteen") != nil {
			t.Fatal("a refused item was saved")
		}

		// Delete: refused while a disclosure refers to it.
		d := &gongkai.Disclosure{Title: "食堂收支", Body: "食堂收支情况如下。", Category: "fees", CatalogueCode: "canteen",
			Audience: gongkai.AudienceCommunity, PublicityDays: 5, Channels: []gongkai.Channel{"online"}}
		if err := f.db.CreateDisclosure(ctx, f.school.ID, f.actors[gongkai.RoleClerk], d); err != nil {
			t.Fatal(err)
		}
		if err := f.db.DeleteCatalogueItem(ctx, f.school.ID, principal, "canteen"); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("delete an item in use: %v", err)
		}
		if err := f.db.DeleteCatalogueItem(ctx, f.school.ID, principal, "disclosure-meeting"); err != nil {
			t.Fatalf("delete unused: %v", err)
		}
		if err := f.db.DeleteCatalogueItem(ctx, f.school.ID, principal, "disclosure-meeting"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("delete again: %v", err)
		}
		if err := f.db.DeleteCatalogueItem(ctx, f.school.ID, f.actors[gongkai.RoleClerk], "plan"); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("clerk deletes: %v", err)
		}
	})
}

func TestCatalogue_Import(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		principal := f.actors[gongkai.RolePrincipal]
		plan := gongkai.DefaultCatalogue[0]
		plan.Name = "学校三年发展规划"
		bad := canteen()
		bad.Schedule.DueDay = 30
		// One bad item: nothing is imported.
		err := f.db.ImportCatalogue(ctx, f.school.ID, principal, []gongkai.CatalogueItem{plan, canteen(), bad})
		if gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("import with a bad item: %v", err)
		}
		if findItem(t, f.db, f.school.ID, "plan").Name != gongkai.DefaultCatalogue[0].Name {
			t.Fatal("a refused import changed an item")
		}
		// Duplicate codes: refused too.
		if err := f.db.ImportCatalogue(ctx, f.school.ID, principal, []gongkai.CatalogueItem{canteen(), canteen()}); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("duplicate codes: %v", err)
		}
		if err := f.db.ImportCatalogue(ctx, f.school.ID, principal, []gongkai.CatalogueItem{plan, canteen()}); err != nil {
			t.Fatal(err)
		}
		items, _ := f.db.FindCatalogue(ctx, f.school.ID)
		if len(items) != len(gongkai.DefaultCatalogue)+1 || findItem(t, f.db, f.school.ID, "plan").Name != "学校三年发展规划" {
			t.Fatalf("after import: %d items", len(items))
		}
	})
}

func TestCatalogue_Bureau(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		admin := bureauAdmin(t, f)
		principal := f.actors[gongkai.RolePrincipal]

		// A school's own item of the same code becomes the bureau's.
		own := canteen()
		own.Name = "本校食堂"
		if err := f.db.SaveCatalogueItem(ctx, f.school.ID, principal, &own); err != nil {
			t.Fatal(err)
		}
		it := canteen()
		if err := f.db.SaveBureauCatalogueItem(ctx, f.bureau.ID, principal, &it); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("principal saves a bureau item: %v", err)
		}
		if err := f.db.SaveBureauCatalogueItem(ctx, f.bureau.ID, admin, &it); err != nil {
			t.Fatal(err)
		}
		for _, s := range []*gongkai.School{f.school, f.other} {
			got := findItem(t, f.db, s.ID, "canteen")
			if got == nil || !got.Required || got.Name != "食堂膳食费收支" {
				t.Fatalf("school %s: %+v", s.Slug, got)
			}
		}
		// The school cannot drop it, but editing keeps it required.
		if err := f.db.DeleteCatalogueItem(ctx, f.school.ID, principal, "canteen"); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("school deletes a required item: %v", err)
		}
		edit := canteen()
		edit.Department = "后勤处"
		if err := f.db.SaveCatalogueItem(ctx, f.school.ID, principal, &edit); err != nil {
			t.Fatal(err)
		}
		if got := findItem(t, f.db, f.school.ID, "canteen"); !got.Required || got.Department != "后勤处" {
			t.Fatalf("after the school's edit: %+v", got)
		}
		// A new school of the bureau gets it too.
		third := &gongkai.School{BureauID: f.bureau.ID, Slug: "third", Name: "第三小学", Code: "3501210003"}
		if err := f.db.CreateSchool(ctx, third, nil); err != nil {
			t.Fatal(err)
		}
		if got := findItem(t, f.db, third.ID, "canteen"); got == nil || !got.Required {
			t.Fatalf("new school: %+v", got)
		}
		list, err := f.db.FindBureauCatalogue(ctx, f.bureau.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("bureau catalogue: %v %v", list, err)
		}
		// A bad import changes nothing anywhere.
		bad := canteen()
		bad.Code, bad.Schedule = "works2", gongkai.Schedule{Frequency: gongkai.FreqEvent}
		good := canteen()
		good.Code = "uniform"
		if err := f.db.ImportBureauCatalogue(ctx, f.bureau.ID, admin, []gongkai.CatalogueItem{good, bad}); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("bad bureau import: %v", err)
		}
		if findItem(t, f.db, f.other.ID, "uniform") != nil {
			t.Fatal("refused bureau import reached a school")
		}
		// No longer required: schools keep their copy and may drop it.
		if err := f.db.DeleteBureauCatalogueItem(ctx, f.bureau.ID, admin, "canteen"); err != nil {
			t.Fatal(err)
		}
		if got := findItem(t, f.db, f.other.ID, "canteen"); got == nil || got.Required {
			t.Fatalf("after release: %+v", got)
		}
		if err := f.db.DeleteCatalogueItem(ctx, f.school.ID, principal, "canteen"); err != nil {
			t.Fatalf("delete released item: %v", err)
		}
	})
}
