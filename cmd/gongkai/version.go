package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is the release's name, set by `make release` with
// -ldflags '-X main.version=...'. A plain `go build` leaves it empty and
// the version is taken from what the go command recorded in the binary.
var version string

// buildInfo is what a binary says about itself.
type buildInfo struct {
	Version  string // the release, e.g. v1.2.0, or the short commit
	Revision string // the full commit, when built from a git checkout
	Time     string // the commit's time, RFC 3339
	Modified bool   // built from a checkout with uncommitted changes
	Go       string // the Go release that built it
	Platform string // GOOS/GOARCH
}

// readBuildInfo combines the version set at link time with the build
// information the go command embeds: the module's version when installed
// with `go install gongkai/cmd/gongkai@v...`, the VCS stamp when built in a
// checkout.
func readBuildInfo(linked string, bi *debug.BuildInfo, ok bool) buildInfo {
	info := buildInfo{Version: linked, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if ok && bi != nil {
		info.Go = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Revision = s.Value
			case "vcs.time":
				info.Time = s.Value
			case "vcs.modified":
				info.Modified = s.Value == "true"
			}
		}
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
	}
	if info.Version == "" && info.Revision != "" {
		info.Version = info.Revision[:min(len(info.Revision), 7)]
		if info.Modified {
			info.Version += "-dirty"
		}
	}
	if info.Version == "" {
		info.Version = "unknown"
	}
	return info
}

func currentBuildInfo() buildInfo {
	bi, ok := debug.ReadBuildInfo()
	return readBuildInfo(version, bi, ok)
}

// write prints the version on the first line, the rest below it:
//
//	gongkai v1.2.0
//	commit 98a033f5… (2026-12-04T22:59:00Z)
//	go1.26.8 linux/loong64
func (b buildInfo) write(w io.Writer) {
	fmt.Fprintf(w, "gongkai %s\n", b.Version)
	if b.Revision != "" {
		var extra []string
		if b.Time != "" {
			extra = append(extra, b.Time)
		}
		if b.Modified {
			extra = append(extra, "uncommitted changes")
		}
		line := "commit " + b.Revision
		if len(extra) > 0 {
			line += " (" + strings.Join(extra, ", ") + ")"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "%s %s\n", b.Go, b.Platform)
}
