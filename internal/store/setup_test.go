package store_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func setupBureau() *gongkai.Bureau {
	return &gongkai.Bureau{Name: "青禾县教育局", DivisionCode: "350121", Phone: "0591-22345678", Address: "青禾县城关镇解放路 1 号"}
}

// A setup link works once: the first setup creates the bureau and its
// administrator and deletes every link; a second is refused however it
// comes, and changes nothing.
func TestSetup_onceWithLinks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		if ok, err := db.HasBureau(ctx); err != nil || ok {
			t.Fatalf("empty database HasBureau = %v %v", ok, err)
		}
		for _, h := range []string{"hash-a", "hash-b"} {
			if ok, err := db.CreateSetupToken(ctx, h); err != nil || !ok {
				t.Fatalf("CreateSetupToken(%s) = %v %v", h, ok, err)
			}
		}
		for h, want := range map[string]bool{"hash-a": true, "hash-b": true, "guess": false} {
			if ok, err := db.SetupTokenValid(ctx, h); err != nil || ok != want {
				t.Errorf("SetupTokenValid(%s) = %v %v, want %v", h, ok, err, want)
			}
		}
		// Bad input names its fields and keeps the links.
		err := db.Setup(ctx, "hash-a", &gongkai.Bureau{Name: "青禾县教育局", DivisionCode: "3501", Phone: "0591-ABC"}, &gongkai.User{Username: "A B", DisplayName: "张三"}, "x")
		if f := gongkai.ErrorFields(err); gongkai.ErrorCode(err) != gongkai.EINVALID || f["division_code"] == "" || f["phone"] == "" || f["username"] == "" {
			t.Fatalf("bad setup = %v %v", err, f)
		}
		if err := db.Setup(ctx, "guess", setupBureau(), &gongkai.User{Username: "qh.admin", DisplayName: "林晓"}, "x"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("setup with an unknown link = %v, want not found", err)
		}

		b, admin := setupBureau(), &gongkai.User{Username: "QH.Admin", DisplayName: "林晓"}
		if err := db.Setup(ctx, "hash-b", b, admin, "x"); err != nil {
			t.Fatal(err)
		}
		if b.ID == 0 || admin.ID == 0 || admin.Username != "qh.admin" || admin.BureauRole != gongkai.RoleBureauAdmin || admin.BureauID != b.ID {
			t.Fatalf("after setup: bureau %+v admin %+v", b, admin)
		}
		for _, h := range []string{"hash-a", "hash-b"} {
			if ok, _ := db.SetupTokenValid(ctx, h); ok {
				t.Errorf("link %s still valid after the setup", h)
			}
		}
		if err := db.Setup(ctx, "hash-a", &gongkai.Bureau{Name: "第二个教育局", DivisionCode: "350122", Phone: "0591-1234567"}, &gongkai.User{Username: "second", DisplayName: "王五"}, "x"); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("second setup with a link = %v, want conflict", err)
		}
		if err := db.Setup(ctx, "", &gongkai.Bureau{Name: "第二个教育局", DivisionCode: "350122", Phone: "0591-1234567"}, &gongkai.User{Username: "second", DisplayName: "王五"}, "x"); gongkai.ErrorCode(err) != gongkai.ECONFLICT || !strings.Contains(gongkai.ErrorMessage(err), "已完成初始设置") {
			t.Fatalf("second setup from the command line = %v, want conflict", err)
		}
		if ok, err := db.CreateSetupToken(ctx, "hash-c"); err != nil || ok {
			t.Fatalf("a link was made after the setup: %v %v", ok, err)
		}
		bs, _ := db.FindBureaus(ctx)
		if len(bs) != 1 || bs[0].DivisionCode != "350121" || bs[0].Phone != "0591-22345678" {
			t.Fatalf("bureaus after the refused setups: %+v", bs)
		}
		if _, _, err := db.FindUserForLogin(ctx, "second"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("the refused setup's administrator exists: %v", err)
		}
		log, total, err := db.FindAdminLog(ctx, store.AdminLogFilter{BureauID: b.ID})
		if err != nil || total != 1 || log[0].Action != gongkai.AdminSetup || log[0].ActorName != "林晓" ||
			!strings.Contains(log[0].Detail, "行政区划代码：350121") || !strings.Contains(log[0].Detail, "qh.admin") {
			t.Fatalf("admin log after setup: %d %+v %v", total, log, err)
		}
	})
}

// Setups racing from several links (several nodes) make exactly one bureau.
func TestSetup_concurrent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		const n = 6
		for i := range n {
			if _, err := db.CreateSetupToken(ctx, "h"+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				errs[i] = db.Setup(ctx, "h"+strconv.Itoa(i), setupBureau(), &gongkai.User{Username: "admin" + strconv.Itoa(i), DisplayName: "管理员"}, "x")
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch code := gongkai.ErrorCode(err); {
			case err == nil:
				ok++
			case code != gongkai.ECONFLICT && code != gongkai.ENOTFOUND:
				t.Errorf("racing setup: %v", err)
			}
		}
		if bs, _ := db.FindBureaus(ctx); ok != 1 || len(bs) != 1 {
			t.Fatalf("%d setups succeeded, %d bureaus", ok, len(bs))
		}
	})
}

// The bureau's particulars change with an admin log entry naming each
// change; only its administrator may change them.
func TestUpdateBureau(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		b, admin := setupBureau(), &gongkai.User{Username: "qh.admin", DisplayName: "林晓"}
		if err := db.Setup(ctx, "", b, admin, "x"); err != nil {
			t.Fatal(err)
		}
		inspector := &gongkai.User{Username: "qh.inspector", DisplayName: "陈督", BureauID: b.ID, BureauRole: gongkai.RoleInspector}
		if err := db.CreateBureauUser(ctx, nil, inspector, "x"); err != nil {
			t.Fatal(err)
		}
		ia, _ := db.LoadActor(ctx, inspector.ID)
		upd := *b
		upd.Phone, upd.ICP = "0591-87654321", "闽ICP备12345678号"
		if err := db.UpdateBureau(ctx, ia, &upd); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("inspector updated the bureau: %v", err)
		}
		aa, _ := db.LoadActor(ctx, admin.ID)
		if err := db.UpdateBureau(ctx, aa, &upd); err != nil {
			t.Fatal(err)
		}
		bad := upd
		bad.Phone = ""
		if err := db.UpdateBureau(ctx, aa, &bad); gongkai.ErrorFields(err)["phone"] == "" {
			t.Fatalf("empty phone accepted: %v", err)
		}
		if err := db.UpdateBureau(ctx, aa, &upd); err != nil { // no change: no entry
			t.Fatal(err)
		}
		got, _ := db.FindBureauByID(ctx, b.ID)
		if got.Phone != "0591-87654321" || got.ICP != "闽ICP备12345678号" {
			t.Fatalf("bureau after update: %+v", got)
		}
		log, total, _ := db.FindAdminLog(ctx, store.AdminLogFilter{BureauID: b.ID})
		if total != 3 || log[0].Action != gongkai.AdminBureauUpdated || log[0].ActorName != "林晓" ||
			log[0].Detail != "监督举报电话：0591-22345678 → 0591-87654321\nICP备案号：（空） → 闽ICP备12345678号" {
			t.Fatalf("admin log: %d %+v", total, log)
		}
		if log[1].Action != gongkai.AdminUserCreated || log[1].ActorName != "命令行" || !strings.Contains(log[1].Subject, "qh.inspector") {
			t.Errorf("user created entry: %+v", log[1])
		}
	})
}
