package main

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestReadBuildInfo(t *testing.T) {
	vcs := func(rev, time, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: time}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "98a033f5067b6d297814bcee00159cd3dc17485e"
	tests := []struct {
		name   string
		linked string
		bi     *debug.BuildInfo
		want   string // what `gongkai version` prints, with GO for the Go line
	}{
		{"release: the linked version, the commit and its time",
			"v1.2.0", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-12-04T22:59:00Z", "false")},
			"gongkai v1.2.0\ncommit " + rev + " (2026-12-04T22:59:00Z)\ngo1.26.8 GO\n"},
		{"go build in a checkout with changes: the short commit, dirty",
			"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-12-04T22:59:00Z", "true")},
			"gongkai 98a033f-dirty\ncommit " + rev + " (2026-12-04T22:59:00Z, uncommitted changes)\ngo1.26.8 GO\n"},
		{"go install of a tagged module: the module's version",
			"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.3.0"}},
			"gongkai v1.3.0\ngo1.26.8 GO\n"},
		{"built without VCS stamping",
			"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"gongkai unknown\ngo1.26.8 GO\n"},
		{"no build information at all",
			"", nil,
			"gongkai unknown\n" + runtime.Version() + " GO\n"},
	}
	platform := runtime.GOOS + "/" + runtime.GOARCH
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			readBuildInfo(tt.linked, tt.bi, tt.bi != nil).write(&out)
			if want := strings.Replace(tt.want, "GO", platform, 1); out.String() != want {
				t.Errorf("got\n%s\nwant\n%s", out.String(), want)
			}
		})
	}
}
