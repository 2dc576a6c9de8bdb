package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The publication test: workers, one school each, take new items through
// the whole procedure over the JSON API as the school's clerk, principal and
// supervisor would, for a fixed time.

type pubSchool struct {
	slug      string
	templates []pubTemplate
}

// pubTemplate is an existing item whose text a new one reuses.
type pubTemplate struct {
	Title         string `json:"title"`
	Body          string `json:"body"`
	Category      string `json:"category"`
	Audience      string `json:"audience"`
	PublicityDays int    `json:"publicity_days"`
}

// PubResult is the outcome of the publication test.
type PubResult struct {
	Workers      int        `json:"workers"`
	Seconds      float64    `json:"seconds"`
	Publications int        `json:"publications"`
	PerSecond    float64    `json:"per_second"`
	Errors       int        `json:"errors"`
	FirstError   string     `json:"first_error,omitempty"`
	Steps        []StepStat `json:"steps"` // create, submit, approve, check, publish
	Publish      StepStat   `json:"publish"`
	Procedure    StepStat   `json:"procedure"` // the five requests of one item
}

// StepStat are the latencies of one step, in milliseconds.
type StepStat struct {
	Name  string  `json:"name"`
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

var pubSteps = []string{"create", "submit", "approve", "check", "publish"}

func stepStat(name string, ds []time.Duration) StepStat {
	s := sortDurations(ds)
	st := StepStat{Name: name, Count: len(s), P50: percentile(s, 50), P95: percentile(s, 95), P99: percentile(s, 99)}
	if len(s) > 0 {
		st.Max = float64(s[len(s)-1].Microseconds()) / 1000
	}
	return st
}

type apiClient struct {
	base string
	c    *http.Client
}

// call sends JSON and decodes the answer into out; it returns the time the
// request took.
func (a *apiClient) call(ctx context.Context, path, token string, in, out any, want int) (time.Duration, error) {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", a.base+path, body)
	if err != nil {
		return 0, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	resp, err := a.c.Do(req)
	if err != nil {
		return 0, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	if resp.StatusCode != want {
		return took, fmt.Errorf("POST %s: %s: %.300s", path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return took, fmt.Errorf("POST %s: %w", path, err)
		}
	}
	return took, nil
}

func (a *apiClient) login(ctx context.Context, username string) (string, error) {
	var tok struct {
		Token string `json:"token"`
	}
	_, err := a.call(ctx, "/api/v1/auth/token", "", map[string]string{"username": username, "password": Password}, &tok, http.StatusOK)
	return tok.Token, err
}

// publish runs the workers for d and collects their timings.
func publish(ctx context.Context, base string, schools []pubSchool, d time.Duration) (*PubResult, error) {
	type worker struct {
		steps     [5][]time.Duration
		procedure []time.Duration
		errors    int
		firstErr  error
	}
	ws := make([]*worker, len(schools))
	// Sign in first, outside the measured time (argon2id is slow on
	// purpose and login is rate-limited).
	tokens := make([][3]string, len(schools))
	for i, s := range schools {
		a := &apiClient{base: base, c: &http.Client{Timeout: time.Minute}}
		for j, login := range []string{loginClerk, loginPrincipal, loginSupervisor} {
			t, err := a.login(ctx, s.slug+"."+login)
			if err != nil {
				return nil, fmt.Errorf("publication test: sign in as %s.%s: %w", s.slug, login, err)
			}
			tokens[i][j] = t
		}
	}
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i, s := range schools {
		w := &worker{}
		ws[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &apiClient{base: base, c: &http.Client{Timeout: time.Minute}}
			clerk, principal, supervisor := tokens[i][0], tokens[i][1], tokens[i][2]
			r := rand.New(rand.NewPCG(uint64(i), 99))
			for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				t := s.templates[r.IntN(len(s.templates))]
				in := t
				in.Title = strings.TrimSpace(t.Title)
				var created struct {
					ID int64 `json:"id"`
				}
				var took [5]time.Duration
				var err error
				took[0], err = a.call(ctx, "/api/v1/schools/"+url.PathEscape(s.slug)+"/disclosures", clerk, in, &created, http.StatusCreated)
				for k, step := range []struct {
					action, token string
				}{{"submit", clerk}, {"approve", principal}, {"check", supervisor}, {"publish", clerk}} {
					if err != nil {
						break
					}
					took[k+1], err = a.call(ctx, fmt.Sprintf("/api/v1/disclosures/%d/%s", created.ID, step.action), step.token, nil, nil, http.StatusOK)
				}
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					w.errors++
					if w.firstErr == nil {
						w.firstErr = err
					}
					continue
				}
				var total time.Duration
				for k, t := range took {
					w.steps[k] = append(w.steps[k], t)
					total += t
				}
				w.procedure = append(w.procedure, total)
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	elapsed := time.Since(start)
	res := &PubResult{Workers: len(schools), Seconds: elapsed.Seconds()}
	var steps [5][]time.Duration
	var procedure []time.Duration
	for _, w := range ws {
		for k := range steps {
			steps[k] = append(steps[k], w.steps[k]...)
		}
		procedure = append(procedure, w.procedure...)
		res.Errors += w.errors
		if w.firstErr != nil && res.FirstError == "" {
			res.FirstError = w.firstErr.Error()
		}
	}
	for k, name := range pubSteps {
		res.Steps = append(res.Steps, stepStat(name, steps[k]))
	}
	res.Publish = res.Steps[4]
	res.Procedure = stepStat("procedure", procedure)
	res.Publications = len(procedure)
	res.PerSecond = float64(len(procedure)) / elapsed.Seconds()
	return res, nil
}

// ---- putting the cached data set back ----

// pubMarker remembers the data set before the publication test.
type pubMarker struct {
	maxID     int64
	schoolIDs []int64
	seqs      [][4]any // school_id, year, category, last
}

func openDB(dsn string) (*sql.DB, bool, error) {
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: p}).EscapedPath()+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
		if err != nil {
			return nil, true, err
		}
		db.SetMaxOpenConns(1)
		return db, true, nil
	}
	db, err := sql.Open("pgx", dsn)
	return db, false, err
}

func pubMark(ctx context.Context, dsn string, schools []pubSchool) (*pubMarker, error) {
	db, _, err := openDB(dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	m := &pubMarker{}
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM disclosures`).Scan(&m.maxID); err != nil {
		return nil, err
	}
	for _, s := range schools {
		var id int64
		if err := db.QueryRowContext(ctx, `SELECT id FROM schools WHERE slug = $1`, s.slug).Scan(&id); err != nil {
			return nil, err
		}
		m.schoolIDs = append(m.schoolIDs, id)
		rows, err := db.QueryContext(ctx, `SELECT school_id, year, category, last FROM index_sequences WHERE school_id = $1`, id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var school int64
			var year, last int
			var cat string
			if err := rows.Scan(&school, &year, &cat, &last); err != nil {
				rows.Close()
				return nil, err
			}
			m.seqs = append(m.seqs, [4]any{school, year, cat, last})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// restore deletes what the publication test added: the items after
// maxID with every row that refers to them (found by their disclosure_id
// column, so tables added later are covered), the API sessions, and the
// index-number counters it advanced.
func (m *pubMarker) restore(ctx context.Context, dsn string) error {
	db, isSQLite, err := openDB(dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var tables []string
	q := `SELECT table_name FROM information_schema.columns WHERE column_name = 'disclosure_id' AND table_schema = current_schema()`
	if isSQLite {
		q = `SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'disclosure_id'`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { tx.Rollback() }()
	if !isSQLite {
		// Deleting an item makes PostgreSQL look for rows that refer to it,
		// and the tables that do have no index on disclosure_id alone: a
		// scan of millions of rows per deleted item. The referring rows go
		// first, so the checks can be skipped where we may (the bench's own
		// server, as its superuser).
		if _, err := tx.ExecContext(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			tx.Rollback()
			if tx, err = db.BeginTx(ctx, nil); err != nil {
				return err
			}
		}
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE disclosure_id > $1`, m.maxID); err != nil {
			return fmt.Errorf("delete from %s: %w", t, err)
		}
	}
	if isSQLite {
		if _, err := tx.ExecContext(ctx, `DELETE FROM disclosures_fts WHERE rowid > $1`, m.maxID); err != nil {
			return err
		}
	}
	for _, s := range []string{`DELETE FROM disclosures WHERE id > $1`, `DELETE FROM sessions WHERE $1 >= 0`} {
		if _, err := tx.ExecContext(ctx, s, m.maxID); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	for _, id := range m.schoolIDs {
		if _, err := tx.ExecContext(ctx, `DELETE FROM index_sequences WHERE school_id = $1`, id); err != nil {
			return err
		}
	}
	for _, s := range m.seqs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO index_sequences (school_id, year, category, last) VALUES ($1, $2, $3, $4)`, s[:]...); err != nil {
			return err
		}
	}
	return tx.Commit()
}
