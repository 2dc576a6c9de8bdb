package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gongkai"
	"gongkai/internal/ledger"
)

// errVerifyFailed makes gongkai verify exit nonzero once the report says
// what did not match.
var errVerifyFailed = errors.New("verification failed")

// runVerify is `gongkai verify`: it checks a school's log from the
// outside, over HTTP only, and prints a short report.
func runVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gongkai verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o ledger.VerifyOptions
	fs.StringVar(&o.Server, "server", getenv("GONGKAI_SERVER"), "the site, e.g. https://gongkai.example.cn")
	fs.StringVar(&o.Slug, "slug", "", "the school (the part after /s/ in its address); may be left out when the site has one school")
	fs.Int64Var(&o.Item, "item", 0, "check only this item (its number in /s/{slug}/d/{id}); default: every published item")
	fs.StringVar(&o.WitnessKey, "witness-key", getenv("GONGKAI_WITNESS_KEY"), "the bureau's witness key (its /witness/key): the checkpoint must carry its cosignature")
	fs.StringVar(&o.StateDir, "state", defaultVerifyState(), "where the checkpoint of the last run is kept, to prove the log only grew since")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Server == "" {
		return fmt.Errorf("usage: gongkai verify --server URL [--slug SLUG] [--item ID] [--witness-key KEY] [--state DIR]")
	}
	r, err := ledger.Verify(ctx, o)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	printVerifyReport(stdout, r, o)
	if len(r.Problems) > 0 {
		return errVerifyFailed
	}
	return nil
}

func defaultVerifyState() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "gongkai", "verify")
}

func printVerifyReport(w io.Writer, r *ledger.VerifyReport, o ledger.VerifyOptions) {
	fmt.Fprintf(w, "日志 %s：已签名 %d 条，逐条核对 %d 条\n", r.Origin, r.Size, r.Entries)
	switch {
	case o.WitnessKey == "":
		fmt.Fprintln(w, "见证副署：未核对（未给 --witness-key）")
	case r.Cosigned:
		fmt.Fprintln(w, "见证副署：有效")
	}
	if r.Consistent > 0 {
		fmt.Fprintf(w, "与上次核验时的 %d 条一致：日志只增未改\n", r.Consistent)
	}
	removed := 0
	for _, it := range r.Items {
		switch {
		case len(it.Mismatches) > 0:
			fmt.Fprintf(w, "✗ 事项 %d（%s）存证 #%d：不符：%v\n", it.ID, it.Title, it.Index, it.Mismatches)
		case !it.Removed.IsZero():
			removed++
			fmt.Fprintf(w, "· 事项 %d 存证 #%d：已依法删除个人信息 %s\n", it.ID, it.Index, gongkai.ChineseDate(it.Removed))
		}
	}
	fmt.Fprintf(w, "已核对 %d 个已发布事项，其中 %d 个已依法删除个人信息\n", len(r.Items), removed)
	if len(r.Problems) == 0 {
		fmt.Fprintln(w, "结果：一致")
		return
	}
	fmt.Fprintf(w, "结果：发现 %d 处不符\n", len(r.Problems))
	for _, p := range r.Problems {
		fmt.Fprintln(w, "  - "+p)
	}
}
