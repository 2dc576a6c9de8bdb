#!/usr/bin/env bash
# Builds the release (make release) and runs each binary the way a county's
# server would, the arm64 and loong64 ones under Debian's qemu-user:
# `gongkai version`, `gongkai migrate`, `gongkai setup`, then `gongkai serve`
# on a free loopback port until /healthz answers ok and / shows the bureau,
# then SIGTERM, after which it must exit cleanly. Each architecture's run is
# timed. Where possible (root, and unshare(1) may mount) the binaries run
# with the time zone database hidden and TZ=Asia/Shanghai, as on a minimal
# server or in a container from scratch: gongkai must not need it.
#
#   scripts/release-smoke.sh                    build, then amd64 arm64 loong64
#   SMOKE_ARCHS='arm64' scripts/release-smoke.sh   some architectures only
#   SMOKE_SKIP_BUILD=1     use the binaries already in dist/ (of VERSION)
#   SMOKE_SKIP_SETUP=1     no `gongkai setup`, and no check of the bureau's name on /
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"

archs=${SMOKE_ARCHS:-amd64 arm64 loong64}
bureau=青禾县教育局
password=smoke-test-password-1 # 12 characters or more

# --- Tools ---------------------------------------------------------------------
declare -A emulator=([amd64]='' [arm64]=qemu-aarch64 [loong64]=qemu-loongarch64)
missing=()
command -v make >/dev/null || missing+=(make)
command -v sha256sum >/dev/null || missing+=(coreutils)
for arch in $archs; do
	[[ -v "emulator[$arch]" ]] || { echo "release-smoke: unknown architecture $arch" >&2; exit 2; }
	emu=${emulator[$arch]}
	# Debian 12's qemu-user (QEMU 7.2) has qemu-loongarch64, as well as qemu-aarch64.
	if [[ -n $emu ]] && ! command -v "$emu" >/dev/null && [[ $(uname -m) != "${emu#qemu-}" ]]; then
		missing+=(qemu-user)
	fi
done
if ((${#missing[@]})); then
	echo "release-smoke: installing ${missing[*]}"
	apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
	((EUID == 0)) || apt=(sudo "${apt[@]}")
	"${apt[@]}" update
	"${apt[@]}" install -y --no-install-recommends "${missing[@]}"
fi

# --- Build -----------------------------------------------------------------------
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
# seconds_since START: the time since START (an $EPOCHREALTIME), in seconds
# with one decimal.
seconds_since() {
	local now=${EPOCHREALTIME/[.,]/} then=${1/[.,]/} d
	d=$(((now - then) / 100000))
	echo "$((d / 10)).$((d % 10))"
}

if [[ -z ${SMOKE_SKIP_BUILD:-} ]]; then
	start=$EPOCHREALTIME
	make release VERSION="$version"
	echo "release-smoke: make release took $(seconds_since "$start") s"
fi
(cd dist && sha256sum --quiet -c SHA256SUMS)

# --- Helpers ---------------------------------------------------------------------
# zoneless runs a command with /usr/share/zoneinfo hidden under an empty
# tmpfs in a mount namespace of its own, when this machine allows it.
zoneless=()
export TZ=Asia/Shanghai # what a server in China is set to
if [[ ! -d /usr/share/zoneinfo ]]; then
	echo "release-smoke: this machine has no time zone database (TZ=$TZ)"
elif ((EUID == 0)) && command -v unshare >/dev/null &&
	unshare --mount --propagation private sh -c 'mount -t tmpfs none /usr/share/zoneinfo' 2>/dev/null; then
	zoneless=(unshare --mount --propagation private sh -c 'mount -t tmpfs none /usr/share/zoneinfo && exec "$@"' sh)
	"${zoneless[@]}" test ! -e "/usr/share/zoneinfo/$TZ" || { echo "release-smoke: hiding the zone database failed" >&2; exit 1; }
	echo "release-smoke: running without a time zone database (TZ=$TZ, /usr/share/zoneinfo empty)"
else
	echo "release-smoke: cannot hide the time zone database here (needs root and unshare); running with it"
fi
unset GOROOT # a binary built with -trimpath would otherwise look for $GOROOT/lib/time/zoneinfo.zip

# Answers whether process $1 runs (not exited, nor a zombie).
running() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# http_get PORT PATH FILE: writes the response body to FILE and prints the
# status code. HTTP/1.0, so the body ends when the connection closes.
http_get() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nAccept-Language: zh-CN\r\n\r\n' "$2" "$1" >&3
		IFS=' ' read -r _ code _ <&3
		while IFS= read -r line <&3 && [[ $line != $'\r' ]]; do :; done
		cat <&3 >"$3"
		echo "$code"
	) 2>/dev/null
}

fail() {
	echo "release-smoke: $arch: $*" >&2
	[[ -n $tmp ]] || exit 1
	for f in "$tmp"/*.log; do
		[[ -s $f ]] && { echo "--- $f"; tail -n 20 "$f"; } >&2
	done
	exit 1
}

tmp=
server=
cleanup() {
	local rc=$?
	if [[ -n $server ]] && running "$server"; then
		kill -KILL "$server" 2>/dev/null || true
	fi
	[[ -z $tmp ]] || rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Smoke test, one architecture after another -----------------------------------
summary=()
for arch in $archs; do
	bin=dist/gongkai-$version-linux-$arch
	[[ -x $bin ]] || { echo "release-smoke: $bin is missing" >&2; exit 1; }
	emu=${emulator[$arch]}
	[[ $(uname -m) == "${emu#qemu-}" ]] && emu= # native
	gk=("${zoneless[@]}" ${emu:+"$emu"} "$bin")
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/gongkai-smoke.XXXXXX")
	export GONGKAI_DB="sqlite:$tmp/gongkai.db" GONGKAI_DATA="$tmp/data"
	start=$EPOCHREALTIME
	echo "release-smoke: $arch${emu:+ (under $emu)}"

	"${gk[@]}" version >"$tmp/version.log" 2>&1 || fail "gongkai version failed"
	read -r first <"$tmp/version.log"
	[[ $first == "gongkai $version" ]] || fail "gongkai version says '$first', want 'gongkai $version'"
	grep -qx "go[0-9.]* linux/$arch" "$tmp/version.log" || fail "gongkai version does not name linux/$arch"

	"${gk[@]}" migrate >"$tmp/migrate.log" 2>&1 || fail "gongkai migrate failed"
	grep -q "migrations are up to date" "$tmp/migrate.log" || fail "gongkai migrate said nothing"

	if [[ -z ${SMOKE_SKIP_SETUP:-} ]]; then
		"${gk[@]}" setup --bureau "$bureau" --region 350121 --phone 0591-12345678 \
			--admin admin --name 管理员 --password "$password" </dev/null >"$tmp/setup.log" 2>&1 ||
			fail "gongkai setup failed"
	fi

	# A random free port; if another process takes it first, gongkai exits
	# and another is tried.
	port=
	for _ in 1 2 3 4 5; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		"${gk[@]}" serve --addr "127.0.0.1:$p" </dev/null >"$tmp/serve.log" 2>&1 &
		server=$!
		for _ in $(seq 600); do # 60 s: migrations and start-up are slow under emulation
			running "$server" || break
			[[ $(http_get "$p" /healthz "$tmp/healthz") == 200 ]] && { port=$p; break 2; }
			sleep 0.1
		done
		running "$server" && fail "gongkai serve did not answer /healthz within 60 s"
		wait "$server" || true
		server=
		grep -q "address already in use" "$tmp/serve.log" || fail "gongkai serve exited"
	done
	[[ -n $port ]] || fail "no free port found"
	[[ $(<"$tmp/healthz") == ok ]] || fail "/healthz answered '$(<"$tmp/healthz")'"
	"${gk[@]}" healthcheck --addr "0.0.0.0:$port" >"$tmp/healthcheck.log" 2>&1 ||
		fail "gongkai healthcheck failed"

	code=$(http_get "$port" / "$tmp/home.html")
	[[ $code == 200 ]] || fail "/ answered $code"
	if [[ -z ${SMOKE_SKIP_SETUP:-} ]]; then
		grep -q "$bureau" "$tmp/home.html" || fail "/ does not show $bureau"
	fi

	kill -TERM "$server"
	for _ in $(seq 300); do
		running "$server" || break
		sleep 0.1
	done
	running "$server" && fail "gongkai serve did not stop within 30 s of SIGTERM"
	status=0
	wait "$server" || status=$?
	server=
	((status == 0)) || fail "gongkai serve exited with status $status after SIGTERM"
	grep -q '"msg":"shutting down"' "$tmp/serve.log" || fail "gongkai serve did not log its shutdown"
	if grep -q '"level":"ERROR"' "$tmp/serve.log"; then
		fail "gongkai serve logged errors"
	fi

	took=$(seconds_since "$start")
	summary+=("$arch${emu:+ under $emu}: ${took} s")
	echo "release-smoke: $arch ok in $took s"
	rm -rf "$tmp"
	tmp=
done

echo "release-smoke: all good (gongkai $version)"
printf '  %s\n' "${summary[@]}"
