#!/usr/bin/env bash
# Runs gongkai's load benchmark (make bench): generates a large data set for
# SQLite and PostgreSQL (once; it is cached), starts the real gongkai on each,
# drives it with wrk and a publication test, prints the tables and writes
# BENCHMARKS.md. Installs from Debian only the tools that are missing.
#
#   scripts/bench.sh                  1,000 schools, 1,000,000 items
#   SCALE=small scripts/bench.sh      20 schools, 20,000 items (development)
#
# Environment: BENCH_CACHE (where data sets are kept), BENCH_DBS
# (sqlite,postgres), BENCH_DURATION (10s a wrk run), BENCH_CONNS (32,256),
# BENCH_PUB_WORKERS (4), BENCH_PUB_DURATION (20s), BENCH_MD (the Markdown
# file written; BENCHMARKS.md at full scale, none by default at small scale).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v go >/dev/null || PATH="/usr/local/go/bin:$PATH"

scale=${SCALE:-full}
case $scale in
full) schools=1000 items=1000000 md_default=BENCHMARKS.md ;;
small) schools=20 items=20000 md_default= ;;
*)
	echo "bench.sh: SCALE must be full or small, not '$scale'" >&2
	exit 2
	;;
esac
md=${BENCH_MD-$md_default}
dbs=${BENCH_DBS:-sqlite,postgres}
if ((EUID == 0)); then
	# Not under /root: the postgres user must reach the cached data directory.
	cache=${BENCH_CACHE:-/var/tmp/gongkai-bench}
else
	cache=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gongkai/bench}
fi

# --- Tools ---------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
if [[ $dbs == *postgres* ]] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
	missing+=(postgresql)
fi
if ((${#missing[@]})); then
	echo "bench.sh: installing ${missing[*]}"
	# The lock timeout makes us wait for another apt run instead of failing.
	apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
	((EUID == 0)) || apt=(sudo "${apt[@]}")
	"${apt[@]}" update
	"${apt[@]}" install -y --no-install-recommends "${missing[@]}"
fi

# --- Build ---------------------------------------------------------------------
work=$(mktemp -d /tmp/gongkai-bench.XXXXXX)
# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh

cleanup() {
	local rc=$?
	pg_stop
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "bench.sh: building gongkai and the bench program"
go build -o "$work/gongkai" ./cmd/gongkai
go build -o "$work/bench" ./bench
rev=$(git describe --always --dirty 2>/dev/null || echo unknown)

# A data set is reused only if the same generator made it at the same scale.
version=$(cat bench/content.go bench/gen*.go internal/demo/content.go internal/search/search.go internal/store/migrations/*/*.sql | sha256sum | cut -c1-12)
dir=$cache/$scale-$schools-$items-$version
mkdir -p "$dir"
# Data sets of an older generator at this scale will not be used again.
for old in "$cache/$scale-$schools-$items-"*; do
	if [[ $old != "$dir" && -d $old ]]; then
		echo "bench.sh: removing $old (made by another version of the generator)"
		rm -rf "$old"
	fi
done
echo "bench.sh: scale $scale ($schools schools, $items items), data sets in $dir"

results=()
gens=()
cached=()
backups=()

# now prints the time in seconds with fractions, for the backup timings.
now() { date +%s.%N; }
# backup_line records one backup and restore as a JSON object.
backup_line() { # dialect method seconds bytes restore_method restore_seconds
	printf '{"dialect":"%s","method":"%s","seconds":%s,"bytes":%s,"restore_method":"%s","restore_seconds":%s}' "$@"
}

# --- SQLite --------------------------------------------------------------------
if [[ $dbs == *sqlite* ]]; then
	if [[ -f $dir/gen-sqlite.json && -f $dir/sqlite/gongkai.db ]]; then
		echo "bench.sh: SQLite: reusing the data set generated before"
		cached+=(sqlite)
	else
		rm -rf "$dir/sqlite" "$dir/gen-sqlite.json"
		mkdir -p "$dir/sqlite"
		echo "bench.sh: SQLite: generating the data set"
		"$work/bench" gen -db "sqlite:$dir/sqlite/gongkai.db" -schools "$schools" -items "$items" -out "$work/gen-sqlite.json"
		mv "$work/gen-sqlite.json" "$dir/gen-sqlite.json"
	fi
	gens+=("$dir/gen-sqlite.json")
	echo "bench.sh: SQLite: load"
	mkdir -p "$work/sqlite"
	"$work/bench" load -db "sqlite:$dir/sqlite/gongkai.db" -gongkai "$work/gongkai" -workdir "$work/sqlite" \
		-duration "${BENCH_DURATION:-10s}" -conns "${BENCH_CONNS:-32,256}" \
		-pub-workers "${BENCH_PUB_WORKERS:-4}" -pub-duration "${BENCH_PUB_DURATION:-20s}" -out "$work/results-sqlite.json"
	results+=("$work/results-sqlite.json")

	echo "bench.sh: SQLite: backup and restore"
	t0=$(now)
	"$work/gongkai" backup --db "sqlite:$dir/sqlite/gongkai.db" --to "$work/backup.db" >/dev/null
	t1=$(now)
	bytes=$(stat -c %s "$work/backup.db")
	# Restoring is putting the copy in place; gongkai then opens it (and
	# checks its migrations) before it serves.
	t2=$(now)
	cp "$work/backup.db" "$work/restored.db"
	"$work/gongkai" migrate --db "sqlite:$work/restored.db" >/dev/null
	t3=$(now)
	backups+=("$(backup_line sqlite "gongkai backup (VACUUM INTO)" "$(awk "BEGIN { print $t1 - $t0 }")" "$bytes" \
		"copy the file back, gongkai migrate" "$(awk "BEGIN { print $t3 - $t2 }")")")
	rm -f "$work/backup.db" "$work/restored.db"
fi

# --- PostgreSQL ----------------------------------------------------------------
if [[ $dbs == *postgres* ]]; then
	pg_find
	pg_home=$dir/pg
	major=$("$pgbin/postgres" --version | awk '{print $3}' | cut -d. -f1)
	if [[ ! -f $dir/gen-postgres.json || "$(cat "$pg_home/data/PG_VERSION" 2>/dev/null)" != "$major" ]]; then
		rm -rf "$pg_home" "$dir/gen-postgres.json"
		mkdir -p "$pg_home"
		pg_own
		pg_init
		# A server sized for this machine, durable as in production (fsync
		# and synchronous commits stay on); the generator turns synchronous
		# commits off for its own session only.
		mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
		as_postgres tee -a "$pg_home/data/postgresql.conf" >/dev/null <<-EOF
			listen_addresses = '127.0.0.1'
			unix_socket_directories = ''
			max_connections = 200
			shared_buffers = $((mem_kb / 1024 / 8))MB
			effective_cache_size = $((mem_kb / 1024 / 2))MB
			maintenance_work_mem = 1GB
			work_mem = 16MB
			max_wal_size = 8GB
			checkpoint_timeout = 15min
		EOF
	else
		echo "bench.sh: PostgreSQL: reusing the data set generated before"
		cached+=(postgres)
	fi
	pg_start 300
	port=$pg_port
	dsn="postgres://postgres@127.0.0.1:$port/gongkai_bench?sslmode=disable"
	echo "bench.sh: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $pg_home)"
	if [[ ! -f $dir/gen-postgres.json ]]; then
		"$pgbin/dropdb" -h 127.0.0.1 -p "$port" -U postgres --if-exists gongkai_bench
		"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres gongkai_bench
		echo "bench.sh: PostgreSQL: generating the data set"
		"$work/bench" gen -db "$dsn" -schools "$schools" -items "$items" -out "$work/gen-postgres.json"
		mv "$work/gen-postgres.json" "$dir/gen-postgres.json"
	fi
	gens+=("$dir/gen-postgres.json")
	echo "bench.sh: PostgreSQL: load"
	mkdir -p "$work/postgres"
	"$work/bench" load -db "$dsn" -gongkai "$work/gongkai" -workdir "$work/postgres" \
		-duration "${BENCH_DURATION:-10s}" -conns "${BENCH_CONNS:-32,256}" \
		-pub-workers "${BENCH_PUB_WORKERS:-4}" -pub-duration "${BENCH_PUB_DURATION:-20s}" -out "$work/results-postgres.json"
	results+=("$work/results-postgres.json")

	echo "bench.sh: PostgreSQL: backup and restore"
	t0=$(now)
	"$pgbin/pg_dump" -h 127.0.0.1 -p "$port" -U postgres -Fc -f "$work/pg.dump" gongkai_bench
	t1=$(now)
	bytes=$(stat -c %s "$work/pg.dump")
	"$pgbin/dropdb" -h 127.0.0.1 -p "$port" -U postgres --if-exists gongkai_restore
	"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres gongkai_restore
	t2=$(now)
	"$pgbin/pg_restore" -h 127.0.0.1 -p "$port" -U postgres -j "$(nproc)" -d gongkai_restore "$work/pg.dump"
	t3=$(now)
	"$pgbin/dropdb" -h 127.0.0.1 -p "$port" -U postgres gongkai_restore
	backups+=("$(backup_line postgres "pg_dump -Fc" "$(awk "BEGIN { print $t1 - $t0 }")" "$bytes" \
		"pg_restore -j $(nproc) into an empty database" "$(awk "BEGIN { print $t3 - $t2 }")")")
	rm -f "$work/pg.dump"
fi

# --- Report --------------------------------------------------------------------
join() { local IFS=,; echo "$*"; }
mkdir -p "$cache/last-$scale"
cp "${results[@]}" "$cache/last-$scale/"
if ((${#backups[@]})); then
	(IFS=,; echo "[${backups[*]}]") >"$work/backups.json"
	cp "$work/backups.json" "$cache/last-$scale/"
fi
report=("$work/bench" report -results "$(join "${results[@]}")" -gen "$(join "${gens[@]}")" \
	-scale "$scale" -rev "$rev" -cached "$(join "${cached[@]+"${cached[@]}"}")")
if ((${#backups[@]})); then
	report+=(-backups "$work/backups.json")
fi
echo
if [[ -n $md ]]; then
	"${report[@]}" -md "$md"
	echo
	echo "bench.sh: wrote $md; raw results in $cache/last-$scale/"
else
	"${report[@]}" -md "$cache/last-$scale/BENCHMARKS.md"
	echo
	echo "bench.sh: wrote $cache/last-$scale/BENCHMARKS.md (set BENCH_MD to write elsewhere)"
fi
