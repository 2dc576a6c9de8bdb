package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/store"
)

// setupFlags are the particulars `gongkai setup` takes, as the setup page
// does.
type setupFlags struct {
	bureau, region, phone, address, sponsor, icp, psb string
	admin, name, password                             string
}

func (f *setupFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&f.bureau, "bureau", "", "the bureau's name, e.g. 青禾县教育局")
	fs.StringVar(&f.region, "region", "", "行政区划代码 of the county, 6 digits, e.g. 350121")
	fs.StringVar(&f.phone, "phone", "", "监督举报电话, shown in every page's footer")
	fs.StringVar(&f.address, "address", "", "the bureau's address (optional)")
	fs.StringVar(&f.sponsor, "sponsor", "", "主办单位 in the footer (optional; the bureau when empty)")
	fs.StringVar(&f.icp, "icp", "", "ICP备案号 (optional)")
	fs.StringVar(&f.psb, "psb", "", "公安备案号 (optional)")
	fs.StringVar(&f.admin, "admin", "", "username of the first bureau administrator")
	fs.StringVar(&f.name, "name", "", "the administrator's name (姓名)")
	fs.StringVar(&f.password, "password", "", "the administrator's password (prefer GONGKAI_PASSWORD or standard input)")
}

// run sets the county up from the command line, as the setup page does.
func (f *setupFlags) run(ctx context.Context, db *store.DB, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if has, err := db.HasBureau(ctx); err != nil {
		return err
	} else if has {
		return errors.New("已完成初始设置，不能再次设置 (the county is set up already; sign in as its bureau administrator)")
	}
	b := &gongkai.Bureau{Name: f.bureau, DivisionCode: f.region, Phone: f.phone, Address: f.address, Sponsor: f.sponsor, ICP: f.icp, PSB: f.psb}
	admin := &gongkai.User{Username: f.admin, DisplayName: f.name}
	// Check the particulars before asking for a password.
	fe := gongkai.FieldErrors{}
	if err := b.Validate(); err != nil {
		for k, v := range gongkai.ErrorFields(err) {
			fe.Add(k, v)
		}
	}
	if msg := gongkai.ValidateUsername(strings.ToLower(strings.TrimSpace(admin.Username))); msg != "" {
		fe.Add("username", msg)
	}
	if msg := gongkai.ValidateDisplayName(admin.DisplayName); msg != "" {
		fe.Add("display_name", msg)
	}
	if err := fe.Err(); err != nil {
		return flagErrors(err)
	}
	pw, err := readPassword(f.password, getenv, stdin, stdout)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := db.Setup(ctx, "", b, admin, hash); err != nil {
		if gongkai.ErrorCode(err) == gongkai.EINVALID {
			return flagErrors(err)
		}
		return err
	}
	fmt.Fprintf(stdout, "初始设置已完成：%s，管理员 %s。下一步：登录后新建本县的学校。\n", b.Name, admin.Username)
	fmt.Fprintf(stdout, "Setup done: %s with its administrator %s. Next: sign in and create the county's schools.\n", b.Name, admin.Username)
	return nil
}

// setupFlagNames name the command's flags by the fields of the domain's
// messages.
var setupFlagNames = map[string]string{
	"name": "--bureau", "division_code": "--region", "phone": "--phone", "address": "--address", "sponsor": "--sponsor",
	"icp": "--icp", "psb": "--psb", "username": "--admin", "display_name": "--name",
}

// flagErrors writes a validation error's messages one a line, each after
// the flag it is about.
func flagErrors(err error) error {
	fields := gongkai.ErrorFields(err)
	var lines []string
	for _, k := range []string{"name", "division_code", "phone", "address", "sponsor", "icp", "psb", "username", "display_name"} {
		if msg := fields[k]; msg != "" {
			lines = append(lines, setupFlagNames[k]+": "+msg)
		}
	}
	if len(lines) == 0 {
		return err
	}
	return errors.New(strings.Join(lines, "\n"))
}

// readPassword takes a password from the flag, GONGKAI_PASSWORD or a line
// of standard input, in that order, and checks it.
func readPassword(flagValue string, getenv func(string) string, stdin io.Reader, stdout io.Writer) (string, error) {
	pw := flagValue
	if pw == "" {
		pw = getenv("GONGKAI_PASSWORD")
	}
	if pw == "" && stdin != nil {
		fmt.Fprint(stdout, "Password: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("no password given")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if pw == "" {
		return "", fmt.Errorf("no password given")
	}
	if msg := gongkai.ValidatePassword(pw); msg != "" {
		return "", errors.New(msg)
	}
	return pw, nil
}

// offerSetup makes a setup link when the county is not set up yet and
// prints it once on standard output; only its hash is kept, and it goes to
// no log. Each start without a bureau adds a link; any works until one is
// used.
func offerSetup(ctx context.Context, db *store.DB, baseURL string, stdout io.Writer) error {
	token, hash := auth.NewToken()
	created, err := db.CreateSetupToken(ctx, hash)
	if err != nil || !created {
		return err
	}
	fmt.Fprintf(stdout, "\n本系统尚未设置。请在浏览器中打开下面的链接，填写教育局信息并设置第一个管理员账号（链接只显示这一次，用过即失效）：\n")
	fmt.Fprintf(stdout, "gongkai is not set up yet. Open this link in a browser to enter the bureau's particulars and its first administrator (shown only this once; it works until used):\n\n")
	fmt.Fprintf(stdout, "    %s/setup/%s\n\n", strings.TrimRight(baseURL, "/"), token)
	if strings.Contains(baseURL, "//0.0.0.0") || strings.Contains(baseURL, "//[::]") {
		fmt.Fprintf(stdout, "（从其他电脑打开时，请把地址换成本服务器的 IP 或域名；--base-url 可指定。）\n")
		fmt.Fprintf(stdout, "(From another computer, put this server's IP address or domain in the link; --base-url sets it.)\n\n")
	}
	return nil
}
