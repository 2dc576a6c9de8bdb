#!/usr/bin/env bash
# Runs golangci-lint with .golangci.yml on the given packages (./... if none).
#
#   scripts/lint.sh                   every package
#   scripts/lint.sh ./internal/store  some packages only
#
# The linter is built once from a pinned version with `go install` and kept in
# the cache, one binary per Go version (a linter built by an older Go refuses
# newer code). It is not a tool in go.mod: its hundreds of modules would then
# be part of gongkai's module graph and go.sum.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"

version=v2.15.0
bin="${XDG_CACHE_HOME:-$HOME/.cache}/gongkai/golangci-lint-$version-$(go env GOVERSION)/golangci-lint"
if [[ ! -x $bin ]]; then
	if [[ ! -e /etc/ssl/certs/ca-certificates.crt ]]; then # module downloads
		apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
		((EUID == 0)) || apt=(sudo "${apt[@]}")
		"${apt[@]}" update
		"${apt[@]}" install -y --no-install-recommends ca-certificates
	fi
	echo "lint.sh: building golangci-lint $version once (a few minutes), cached in $(dirname "$bin")"
	mkdir -p "$(dirname "$bin")"
	# Built into a directory of its own and moved into place last, so an
	# interrupted build never leaves a broken binary in the cache.
	build=$(mktemp -d "$(dirname "$bin")/build.XXXXXX")
	trap 'rm -rf "$build"' EXIT
	GOBIN="$build" GOFLAGS= go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
	mv "$build/golangci-lint" "$bin"
fi
"$bin" run "${@:-./...}"
