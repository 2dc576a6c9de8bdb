#!/usr/bin/env bash
# Runs every test the way CI does: against a throwaway PostgreSQL and headless
# Chromium, installing from Debian only the tools that are missing.
#
#   scripts/test.sh                        all packages
#   scripts/test.sh -run TestX -v          extra arguments go to `go test`
#   PKGS=./internal/store scripts/test.sh  some packages only
#
# If GONGKAI_TEST_POSTGRES is already set, that server is used and none is started.
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
command -v npm >/dev/null || missing+=(npm) # fetches axe-core for the accessibility checks
if [[ -z ${GONGKAI_TEST_POSTGRES:-} ]] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
	missing+=(postgresql)
fi
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

# --- Throwaway PostgreSQL ------------------------------------------------------
pgdir=
pgbin=

# PostgreSQL refuses to run as root, so root runs it as the postgres user.
as_postgres() {
	if ((EUID == 0)); then
		(cd "$pgdir" && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

cleanup() {
	local rc=$?
	if [[ -n $pgdir ]]; then
		if as_postgres "$pgbin/pg_ctl" status -D "$pgdir/data" >/dev/null 2>&1; then
			as_postgres "$pgbin/pg_ctl" stop -D "$pgdir/data" -m fast >/dev/null ||
				as_postgres "$pgbin/pg_ctl" stop -D "$pgdir/data" -m immediate >/dev/null || true
		fi
		rm -rf "$pgdir"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z ${GONGKAI_TEST_POSTGRES:-} ]]; then
	pgbin=$(dirname "$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
	# In /tmp, not $TMPDIR: the postgres user must be able to reach it.
	pgdir=$(mktemp -d /tmp/gongkai-pg.XXXXXX)
	if ((EUID == 0)); then
		id -u postgres >/dev/null 2>&1 ||
			useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
				--shell /usr/sbin/nologin postgres
		chown postgres: "$pgdir"
	fi
	as_postgres "$pgbin/initdb" -D "$pgdir/data" -U postgres -E UTF8 --locale=C.UTF-8 -A trust \
		--no-sync >"$pgdir/initdb.log" || { cat "$pgdir/initdb.log"; exit 1; }
	# Durability is worthless for a database that is deleted in a minute.
	cat >>"$pgdir/data/postgresql.conf" <<-EOF
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$pgdir'
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		shared_buffers = 32MB
		max_connections = 200
	EOF

	# Pick a random free port; if another process takes it first, try another.
	port=
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		if as_postgres "$pgbin/pg_ctl" start -D "$pgdir/data" -l "$pgdir/server.log" \
			-o "-p $p" -w -t 60 >/dev/null; then
			port=$p
			break
		fi
	done
	if [[ -z $port ]]; then
		echo "test.sh: PostgreSQL did not start:" >&2
		tail -n 20 "$pgdir/server.log" >&2 || true
		exit 1
	fi
	for _ in $(seq 50); do
		"$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
		sleep 0.2
	done
	"$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port"
	"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres gongkai_test

	export GONGKAI_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/gongkai_test?sslmode=disable"
	export GONGKAI_TEST_POSTGRES_ADMIN="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	echo "test.sh: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $pgdir)"
else
	echo "test.sh: using GONGKAI_TEST_POSTGRES from the environment"
fi

# --- Tests ---------------------------------------------------------------------
read -ra pkgs <<<"${PKGS:-./...}"
status=0
go test -count=1 -race -timeout 30m "$@" "${pkgs[@]}" || status=$?
echo "test.sh: test artefacts (screenshots) are written to $PWD/e2e/artifacts/"
exit "$status"
