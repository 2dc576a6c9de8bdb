package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// TestReplica runs gongkai on a PostgreSQL primary with a streaming replica
// of it (--db-replica): the board is read from the replica once it has
// replayed the newest change, and from the primary while it has not, so a
// paused replica never shows a reader (or the page cache) a stale board.
func TestReplica(t *testing.T) {
	requirePostgres(t)
	pg := newPGPair(t)
	ctx := context.Background()
	replica := pg.open(t, pg.replicaPort)

	t.Setenv("GONGKAI_DB_REPLICA", pg.dsn(pg.replicaPort))
	s := launch(t, pg.dsn(pg.primaryPort), t.TempDir())

	// fresh reads the board under a URL not read before, so the page is
	// rendered (not taken from the cache), and returns it with the reads
	// it took from each pool.
	n := 0
	fresh := func() (string, float64, float64) {
		t.Helper()
		n++
		before := publicReads(t, s.Metrics)
		r := call(t, "GET", fmt.Sprintf("%s/s/xiangqian/?n=%d", s.URL, n), nil)
		if r.status != http.StatusOK {
			t.Fatalf("board: %d", r.status)
		}
		after := publicReads(t, s.Metrics)
		return r.body, after.primary - before.primary, after.replica - before.replica
	}
	onReplica := func(title string) bool {
		t.Helper()
		var c int
		if err := replica.QueryRowContext(ctx, `SELECT COUNT(*) FROM disclosures WHERE title = $1 AND state = 'published'`, title).Scan(&c); err != nil {
			t.Fatalf("query the replica: %v", err)
		}
		return c > 0
	}

	t.Run("caught up: read from the replica", func(t *testing.T) {
		title := fmt.Sprintf("副本测试公示一 %d", time.Now().UnixNano())
		_, publish := prepareItem(t, s.URL, title)
		publish()
		start := time.Now()
		for {
			body, fromPrimary, fromReplica := fresh()
			if !strings.Contains(body, title) {
				t.Fatalf("board without the item just published (reads: primary %v, replica %v)", fromPrimary, fromReplica)
			}
			if fromReplica > 0 && fromPrimary == 0 {
				t.Logf("board read from the replica %v after publication, after %d renders from the primary", time.Since(start).Round(time.Millisecond), n-1)
				break
			}
			if time.Since(start) > 15*time.Second {
				t.Fatalf("board still read from the primary 15 s after publication (last render: primary %v, replica %v)", fromPrimary, fromReplica)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("replica paused: read from the primary, never stale", func(t *testing.T) {
		if _, err := replica.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
			t.Fatal(err)
		}
		resumed := false
		resume := func() {
			if !resumed {
				resumed = true
				if _, err := replica.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
					t.Errorf("resume replay: %v", err)
				}
			}
		}
		defer resume()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			var paused bool
			if err := replica.QueryRowContext(ctx, `SELECT pg_is_wal_replay_paused()`).Scan(&paused); err != nil {
				t.Fatal(err)
			}
			if paused {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("replay did not pause")
			}
		}
		// The node has just read from the replica, so the board is cached
		// and the replica's position is known: the worst case for staleness.
		if r := call(t, "GET", s.URL+"/s/xiangqian/", nil); r.status != http.StatusOK {
			t.Fatalf("board: %d", r.status)
		}
		title := fmt.Sprintf("副本测试公示二 %d", time.Now().UnixNano())
		id, publish := prepareItem(t, s.URL, title)
		publish()
		// Give the primary's WAL time to reach the replica, where it waits.
		time.Sleep(300 * time.Millisecond)
		if onReplica(title) {
			t.Fatal("the paused replica has the item: the test shows nothing")
		}
		for i := range 3 {
			body, fromPrimary, fromReplica := fresh()
			if !strings.Contains(body, title) {
				t.Fatalf("render %d: stale board without the item (reads: primary %v, replica %v)", i+1, fromPrimary, fromReplica)
			}
			if fromReplica != 0 || fromPrimary == 0 {
				t.Fatalf("render %d: reads primary %v, replica %v; want the primary only", i+1, fromPrimary, fromReplica)
			}
		}
		if r := call(t, "GET", s.URL+"/s/xiangqian/", nil); !strings.Contains(r.body, title) {
			t.Fatal("the board cached before publication is still served")
		}
		if r := call(t, "GET", fmt.Sprintf("%s/s/xiangqian/d/%d", s.URL, id), nil); r.status != http.StatusOK || !strings.Contains(r.body, title) {
			t.Fatalf("item page while the replica is behind: %d", r.status)
		}

		resume()
		start := time.Now()
		for {
			body, fromPrimary, fromReplica := fresh()
			if !strings.Contains(body, title) {
				t.Fatalf("board without the item after resuming (reads: primary %v, replica %v)", fromPrimary, fromReplica)
			}
			if fromReplica > 0 && fromPrimary == 0 {
				t.Logf("board read from the replica again %v after replay resumed", time.Since(start).Round(time.Millisecond))
				break
			}
			if time.Since(start) > 15*time.Second {
				t.Fatalf("board still read from the primary 15 s after replay resumed")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !onReplica(title) {
			t.Fatal("replica read without the item")
		}
	})

	stopProcess(t, "gongkai", s.cmd, s.exited, syscall.SIGTERM)
}

// pgPair is a PostgreSQL primary and a streaming replica of it, on loopback
// in a temporary directory, stopped and removed when the test ends.
type pgPair struct {
	bin, dir                 string
	primaryPort, replicaPort int
}

func newPGPair(t *testing.T) *pgPair {
	t.Helper()
	bin := postgresBin(t)
	// In /tmp, not t.TempDir(): the postgres user must be able to reach it.
	dir, err := os.MkdirTemp("/tmp", "gongkai-replica-")
	if err != nil {
		t.Fatal(err)
	}
	pg := &pgPair{bin: bin, dir: dir, primaryPort: freePort(t), replicaPort: freePort(t)}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			t.Fatal("PostgreSQL refuses to run as root and there is no postgres user (scripts/test.sh creates it)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		// Also after a failure: the replica first, then its primary.
		for _, name := range []string{"replica", "primary"} {
			data := filepath.Join(dir, name)
			if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
				if out, err := pg.run("pg_ctl", "stop", "-D", data, "-m", "fast", "-w", "-t", "30"); err != nil {
					t.Errorf("stop %s: %v\n%s", name, err, out)
					_, _ = pg.run("pg_ctl", "stop", "-D", data, "-m", "immediate", "-w") // last resort; the error above is reported
				}
			}
			if t.Failed() {
				b, _ := os.ReadFile(filepath.Join(dir, name+".log"))
				t.Logf("%s log:\n%s", name, b)
			}
		}
		os.RemoveAll(dir)
	})

	primary, replica := filepath.Join(dir, "primary"), filepath.Join(dir, "replica")
	pg.must(t, "initdb", "-D", primary, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "-A", "trust", "--no-sync")
	conf := fmt.Sprintf(`
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
shared_buffers = 32MB
max_connections = 60
`, dir)
	appendFile(t, filepath.Join(primary, "postgresql.conf"), conf)
	appendFile(t, filepath.Join(primary, "pg_hba.conf"), "host replication postgres 127.0.0.1/32 trust\n")
	pg.must(t, "pg_ctl", "start", "-D", primary, "-l", filepath.Join(dir, "primary.log"), "-w", "-t", "60", "-o", fmt.Sprintf("-p %d", pg.primaryPort))
	pg.must(t, "pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(pg.primaryPort), "-U", "postgres",
		"-D", replica, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
	pg.must(t, "pg_ctl", "start", "-D", replica, "-l", filepath.Join(dir, "replica.log"), "-w", "-t", "60", "-o", fmt.Sprintf("-p %d", pg.replicaPort))

	admin, err := sql.Open("pgx", fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.primaryPort))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE gongkai`); err != nil {
		t.Fatal(err)
	}
	// The replica has the database once it has replayed its creation.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		db, _ := sql.Open("pgx", pg.dsn(pg.replicaPort))
		err := db.Ping()
		db.Close()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica has no database gongkai after 30 s: %v", err)
		}
	}
	return pg
}

func (pg *pgPair) dsn(port int) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/gongkai?sslmode=disable", port)
}

func (pg *pgPair) open(t *testing.T, port int) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", pg.dsn(port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// run runs a PostgreSQL program, as the postgres user when we are root:
// PostgreSQL refuses to run as root.
func (pg *pgPair) run(name string, args ...string) (string, error) {
	path := filepath.Join(pg.bin, name)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = pg.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (pg *pgPair) must(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := pg.run(name, args...); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// postgresBin returns the directory of the newest installed PostgreSQL's
// programs.
func postgresBin(t *testing.T) string {
	t.Helper()
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("no PostgreSQL programs in /usr/lib/postgresql/*/bin; scripts/test.sh installs them")
		}
		t.Skip("no PostgreSQL programs in /usr/lib/postgresql/*/bin; scripts/test.sh installs them")
	}
	version := func(p string) int {
		v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
		return v
	}
	sort.Slice(found, func(i, j int) bool { return version(found[i]) < version(found[j]) })
	return filepath.Dir(found[len(found)-1])
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
