# shellcheck shell=bash
# A PostgreSQL cluster of our own, for scripts/test.sh (a throwaway one) and
# scripts/bench.sh (a kept one). Sourced, not run. The caller sets pg_home,
# the directory that holds the cluster's data/ and server.log; pg_find sets
# pgbin and pg_start sets pg_port.

pg_home=
pgbin=
pg_port=

# pg_find picks the newest PostgreSQL installed from Debian.
pg_find() {
	pgbin=$(dirname "$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
}

# as_postgres runs a command as the postgres user when we are root, since
# PostgreSQL refuses to run as root, from inside pg_home, which that user
# can reach.
as_postgres() {
	if ((EUID == 0)); then
		(cd "$pg_home" && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# pg_own gives pg_home to the postgres user, creating the user if needed.
pg_own() {
	((EUID == 0)) || return 0
	id -u postgres >/dev/null 2>&1 ||
		useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
			--shell /usr/sbin/nologin postgres
	chown postgres: "$pg_home"
}

# pg_init makes a cluster in pg_home/data; more initdb arguments may follow.
pg_init() {
	as_postgres "$pgbin/initdb" -D "$pg_home/data" -U postgres -E UTF8 --locale=C.UTF-8 -A trust "$@" \
		>"$pg_home/initdb.log" || {
		cat "$pg_home/initdb.log"
		return 1
	}
}

# pg_start starts the cluster on a random free loopback port, waiting up to
# $1 seconds for it, and sets pg_port. If another process takes the port
# first, it tries another.
pg_start() {
	local timeout=$1 p
	pg_port=
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
		if as_postgres "$pgbin/pg_ctl" start -D "$pg_home/data" -l "$pg_home/server.log" \
			-o "-p $p" -w -t "$timeout" >/dev/null; then
			pg_port=$p
			break
		fi
	done
	if [[ -z $pg_port ]]; then
		echo "PostgreSQL did not start:" >&2
		tail -n 20 "$pg_home/server.log" >&2 || true
		return 1
	fi
	for _ in $(seq 50); do
		"$pgbin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && return 0
		sleep 0.2
	done
	"$pgbin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"
}

# pg_stop stops the cluster if it runs, fast, or at once if that fails.
pg_stop() {
	[[ -n $pg_home && -n $pgbin ]] || return 0
	if as_postgres "$pgbin/pg_ctl" status -D "$pg_home/data" >/dev/null 2>&1; then
		as_postgres "$pgbin/pg_ctl" stop -D "$pg_home/data" -m fast >/dev/null ||
			as_postgres "$pgbin/pg_ctl" stop -D "$pg_home/data" -m immediate >/dev/null || true
	fi
}
