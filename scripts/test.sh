#!/usr/bin/env bash
# Runs every test the way CI does: against a throwaway PostgreSQL, a throwaway
# MinIO (S3) and headless Chromium, installing from Debian only the tools that
# are missing.
#
#   scripts/test.sh                        all packages
#   scripts/test.sh -run TestX -v          extra arguments go to `go test`
#   PKGS=./internal/store scripts/test.sh  some packages only
#
# If GONGKAI_TEST_POSTGRES is already set, that server is used and none is started;
# the same for GONGKAI_TEST_S3 (s3://KEY:SECRET@HOST:PORT/BUCKET?secure=false).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"

export GONGKAI_CHROMIUM="${GONGKAI_CHROMIUM:-/usr/bin/chromium}"

# --- Tools ---------------------------------------------------------------------
missing=()
command -v gcc >/dev/null || missing+=(gcc libc6-dev) # go test -race needs cgo
[[ -e /etc/ssl/certs/ca-certificates.crt ]] || missing+=(ca-certificates) # module downloads
[[ -x $GONGKAI_CHROMIUM ]] || missing+=(chromium)
# Without a CJK font, screenshots show Chinese as boxes.
[[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]] || missing+=(fonts-noto-cjk)
# The printed notices' PDF embeds a TrueType Chinese font (fpdf reads no .ttc
# nor CFF); the tests read the PDFs back with pdftoppm and pdftotext.
[[ -e ${GONGKAI_PDF_FONT:-/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf} ]] || missing+=(fonts-droid-fallback)
if ! command -v pdftoppm >/dev/null || ! command -v pdftotext >/dev/null; then missing+=(poppler-utils); fi
command -v npm >/dev/null || missing+=(npm) # fetches axe-core for the accessibility checks
# Needed also with GONGKAI_TEST_POSTGRES set: e2e's replica test runs its own clusters.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
# e2e's two-node test puts nginx in front of two gongkai processes.
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if ((${#missing[@]})); then
	echo "test.sh: installing ${missing[*]}"
	# The lock timeout makes us wait for another apt run instead of failing.
	apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
	((EUID == 0)) || apt=(sudo "${apt[@]}")
	"${apt[@]}" update
	"${apt[@]}" install -y --no-install-recommends "${missing[@]}"
fi

# --- axe-core: the accessibility engine the browser tests run in each page --------
axe_version=4.14.1
axe_dir="${XDG_CACHE_HOME:-$HOME/.cache}/gongkai/axe-core-$axe_version"
if [[ ! -f $axe_dir/node_modules/axe-core/axe.min.js ]]; then
	echo "test.sh: installing axe-core $axe_version from npm"
	npm install --silent --prefix "$axe_dir" --no-audit --no-fund "axe-core@$axe_version" >/dev/null
fi
export GONGKAI_AXE="$axe_dir/node_modules/axe-core/axe.min.js"

# --- Throwaway MinIO: a real S3 server for the attachment store ----------------
# Not in Debian, so it is built from a pinned source version, once, into the
# cache (about 3 minutes on 2 cores, 150 MB), in the background while
# PostgreSQL starts; it is started after that. MinIO is AGPLv3: it runs as a
# separate test process and is never linked into gongkai.
minio_version=v0.0.0-20260212201848-7aac2a2c5b7c
minio_bin="${XDG_CACHE_HOME:-$HOME/.cache}/gongkai/minio-$minio_version/minio"
minio_build= # directory of a build in progress
minio_build_pid=
minio_dir=
minio_pid=

# Answers whether MinIO on 127.0.0.1:$1 says it is alive.
minio_live() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$1"
		printf 'GET /minio/health/live HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
		IFS= read -r status <&3
		[[ $status == *" 200 "* ]]
	) 2>/dev/null
}

start_minio() {
	if [[ -n $minio_build_pid ]]; then
		if ! wait "$minio_build_pid"; then
			echo "test.sh: building MinIO failed:" >&2
			tail -n 30 "$minio_build/build.log" >&2 || true
			exit 1
		fi
		minio_build_pid=
		echo "test.sh: MinIO built in $((SECONDS - minio_build_start)) s, cached in $(dirname "$minio_bin")"
		rm -rf "$minio_build"
		minio_build=
	fi
	minio_dir=$(mktemp -d "${TMPDIR:-/tmp}/gongkai-minio.XXXXXX")
	local user=gongkai password p port=
	password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	# Pick two random free ports (API, console); if another process takes
	# one first, MinIO exits and we try others.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		(exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null && continue
		MINIO_ROOT_USER=$user MINIO_ROOT_PASSWORD=$password MINIO_UPDATE=off \
			"$minio_bin" server --quiet --address "127.0.0.1:$p" --console-address "127.0.0.1:$((p + 1))" \
			"$minio_dir/data" >"$minio_dir/server.log" 2>&1 &
		minio_pid=$!
		for _ in $(seq 150); do
			minio_live "$p" && { port=$p; break 2; }
			running "$minio_pid" || break
			sleep 0.2
		done
		stop_minio
	done
	if [[ -z $port ]]; then
		echo "test.sh: MinIO did not start:" >&2
		tail -n 20 "$minio_dir/server.log" >&2 || true
		exit 1
	fi
	export GONGKAI_TEST_S3="s3://$user:$password@127.0.0.1:$port/gongkai-test?secure=false"
	echo "test.sh: MinIO $minio_version on 127.0.0.1:$port (data in $minio_dir)"
}

stop_minio() {
	[[ -n $minio_pid ]] || return 0
	terminate TERM "$minio_pid"
	minio_pid=
}

# Answers whether process $1 runs (not exited, nor a zombie).
running() {
	local stat
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# Stops our child $2 with signal $1, sent to $3 (default: the child itself; a
# negative id is its process group), and after 10 s with KILL; then reaps it.
terminate() {
	local sig=$1 pid=$2 target=${3:-$2}
	kill -"$sig" -- "$target" 2>/dev/null || true
	for _ in $(seq 50); do
		running "$pid" || break
		sleep 0.2
	done
	if running "$pid"; then
		kill -KILL -- "$target" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

if [[ -z ${GONGKAI_TEST_S3:-} && ! -x $minio_bin ]]; then
	echo "test.sh: building MinIO $minio_version in the background (about 3 minutes, once)"
	mkdir -p "$(dirname "$minio_bin")"
	minio_build=$(mktemp -d "$(dirname "$minio_bin")/build.XXXXXX")
	minio_build_start=$SECONDS
	# It builds into a directory of its own and moves the binary into place
	# last, so an interrupted build never leaves a broken binary in the cache.
	# setsid gives it a process group of its own, so that cleanup stops the go
	# command and its compilers together.
	setsid bash -c 'GOBIN="$1" GOFLAGS= go install "github.com/minio/minio@$2" && mv "$1/minio" "$3"' \
		build "$minio_build" "$minio_version" "$minio_bin" >"$minio_build/build.log" 2>&1 &
	minio_build_pid=$!
fi

# --- Throwaway PostgreSQL ------------------------------------------------------
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

cleanup() {
	local rc=$?
	# SIGINT, as from a terminal: the go command stops its compilers and
	# removes its work directory.
	[[ -z $minio_build_pid ]] || terminate INT "$minio_build_pid" "-$minio_build_pid"
	[[ -z $minio_build ]] || rm -rf "$minio_build"
	stop_minio
	[[ -z $minio_dir ]] || rm -rf "$minio_dir"
	if [[ -n $pg_home ]]; then
		pg_stop
		rm -rf "$pg_home"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z ${GONGKAI_TEST_POSTGRES:-} ]]; then
	pg_find
	# In /tmp, not $TMPDIR: the postgres user must be able to reach it.
	pg_home=$(mktemp -d /tmp/gongkai-pg.XXXXXX)
	pg_own
	pg_init --no-sync
	# Durability is worthless for a database that is deleted in a minute.
	cat >>"$pg_home/data/postgresql.conf" <<-EOF
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$pg_home'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		shared_buffers = 32MB
		max_connections = 200
	EOF
	pg_start 60
	port=$pg_port
	"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres gongkai_test

	export GONGKAI_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/gongkai_test?sslmode=disable"
	export GONGKAI_TEST_POSTGRES_ADMIN="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	echo "test.sh: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $pg_home)"
else
	echo "test.sh: using GONGKAI_TEST_POSTGRES from the environment"
fi

# --- Throwaway MinIO, continued: started once built ----------------------------
if [[ -z ${GONGKAI_TEST_S3:-} ]]; then
	start_minio
else
	echo "test.sh: using GONGKAI_TEST_S3 from the environment"
fi

# --- Tests ---------------------------------------------------------------------
read -ra pkgs <<<"${PKGS:-./...}"
status=0
go test -count=1 -race -timeout 30m "$@" "${pkgs[@]}" || status=$?
echo "test.sh: test artefacts (screenshots) are written to $PWD/e2e/artifacts/"
exit "$status"
