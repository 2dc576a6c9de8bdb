package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/store"
)

func TestRun_userResetPassword(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "g.db")
	env := map[string]string{"GONGKAI_DB": dsn, "GONGKAI_DATA": t.TempDir(), "GONGKAI_PASSWORD": "a long enough password"}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	if err := run(ctx, []string{"demo"}, getenv, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(ctx, []string{"user", "reset-password", "--username", "xiangqian.clerk", "--base-url", "https://gongkai.example.cn/"}, getenv, nil, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`https://gongkai\.example\.cn/password/([A-Za-z0-9_-]+)\n`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output %q has no link", out.String())
	}
	db, err := store.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	link, err := db.FindPasswordLink(ctx, m[1])
	if err != nil || link.User.Username != "xiangqian.clerk" {
		t.Fatalf("the printed link: %+v %v", link, err)
	}
	hash, _ := auth.HashPassword("set from the command line")
	_, th := auth.NewToken()
	if _, err := db.UsePasswordLink(ctx, m[1], hash, th, "", 0); err != nil {
		t.Fatal(err)
	}
	if _, h, _ := db.FindUserForLogin(ctx, "xiangqian.clerk"); !auth.CheckPassword(h, "set from the command line") {
		t.Error("the link did not set the password")
	}
	// The admin log has the reset, as done on the command line, without the token.
	u, _, _ := db.FindUserForLogin(ctx, "xiangqian.clerk")
	a, _ := db.LoadActor(ctx, u.ID)
	entries, _, err := db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: a.Memberships[0].SchoolID, Action: gongkai.AdminPasswordReset})
	if err != nil || len(entries) != 1 || entries[0].ActorName != "命令行" || strings.Contains(entries[0].Detail, m[1]) {
		t.Errorf("admin log %+v %v", entries, err)
	}
	if err := run(ctx, []string{"user", "reset-password", "--username", "no.such.person"}, getenv, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "no.such.person") {
		t.Errorf("unknown user: %v", err)
	}
}
