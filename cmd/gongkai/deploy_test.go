package main

import (
	"bufio"
	"flag"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDeploy_envExample: the example configuration of the systemd unit
// names every flag of `gongkai serve` by its GONGKAI_* variable and nothing
// else, and its settings reach the configuration.
func TestDeploy_envExample(t *testing.T) {
	f, err := os.Open("../../deploy/gongkai.env.example")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	named := map[string]bool{}
	set := map[string]string{}
	line := regexp.MustCompile(`^(#?)(GONGKAI_[A-Z_]+)=(.*)$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		named[m[2]] = true
		if m[1] == "" {
			set[m[2]] = m[3]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	var cfg config
	fs := flag.NewFlagSet("gongkai serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.flags(fs, func(k string) string { return set[k] })
	flags := map[string]bool{}
	fs.VisitAll(func(fl *flag.Flag) {
		name := "GONGKAI_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		flags[name] = true
		if !named[name] {
			t.Errorf("the example does not mention --%s (%s)", fl.Name, name)
		}
	})
	for name := range named {
		if !flags[name] {
			t.Errorf("the example names %s, which is no flag of gongkai serve", name)
		}
	}
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if cfg.addr != "127.0.0.1:8080" || cfg.db != "sqlite:/var/lib/gongkai/gongkai.db" || cfg.data != "/var/lib/gongkai" {
		t.Errorf("the example sets addr %q, db %q, data %q", cfg.addr, cfg.db, cfg.data)
	}
}
