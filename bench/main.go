// Command bench is gongkai's load benchmark (`make bench`, driven by
// scripts/bench.sh):
//
//	bench gen    -db DSN -schools 1000 -items 1000000 -out gen.json
//	bench load   -db DSN -gongkai bin/gongkai -out results.json
//	bench report -results sqlite.json,postgres.json -gen ... -md BENCHMARKS.md
//
// gen bulk-loads a large, realistic data set through gongkai's own
// migrations; load starts the real gongkai binary on it, drives it with wrk
// and a publication test, and measures a static server that returns the same
// bytes; report prints one table and writes BENCHMARKS.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

const usage = `bench — gongkai's load benchmark (make bench)

  bench gen    -db DSN -schools N -items N [-years 10] -out gen.json
  bench load   -db DSN -gongkai PATH [-wrk wrk] [-duration 10s] [-conns 32,256] -out results.json
  bench report -results a.json,b.json [-gen a.json,b.json] [-md BENCHMARKS.md]
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch args[0] {
	case "gen":
		return runGen(ctx, args[1:], stdout, stderr)
	case "load":
		return runLoad(ctx, args[1:], stdout, stderr)
	case "report":
		return runReport(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
}
