package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/calendar"
	"gongkai/internal/search"
	"gongkai/internal/store"
)

// Password is the password of every bench user (clerk, principal and
// supervisor of each school); it is hashed once and the hash reused, since
// argon2id takes tens of milliseconds a time.
const Password = "gongkai-bench-2026"

// dataVersion changes whenever the generator makes different data, so that
// scripts/bench.sh does not reuse a cached data set of an older generator.
const dataVersion = 1

// GenResult is what gen writes to -out: the data set and how long it took.
type GenResult struct {
	Dialect     string           `json:"dialect"`
	DataVersion int              `json:"data_version"`
	Schools     int              `json:"schools"`
	Items       int              `json:"items"`
	Versions    int              `json:"versions"`
	Events      int              `json:"events"`
	Users       int              `json:"users"`
	BodyBytes   int64            `json:"body_bytes"` // of the current versions
	DBBytes     int64            `json:"db_bytes"`
	Now         time.Time        `json:"now"` // the moment the data is current at
	Seconds     float64          `json:"seconds"`
	Phases      []GenPhase       `json:"phases"`
	Engine      string           `json:"engine"` // SQLite or PostgreSQL version
	States      map[string]int64 `json:"states"` // items by state
}

// GenPhase is one timed step of the generator.
type GenPhase struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

type genConfig struct {
	dsn            string
	schools, items int
	years          int
	seed           uint64
	batch          int
	out            string
	now            time.Time
}

func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg genConfig
	fs := flag.NewFlagSet("bench gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.dsn, "db", "", "database: sqlite:PATH or postgres://...")
	fs.IntVar(&cfg.schools, "schools", 1000, "number of schools")
	fs.IntVar(&cfg.items, "items", 1000000, "number of published disclosures")
	fs.IntVar(&cfg.years, "years", 10, "years of history the items span")
	fs.Uint64Var(&cfg.seed, "seed", 1, "random seed")
	fs.IntVar(&cfg.batch, "batch", 0, "items per transaction (default 10000 on SQLite, 25000 on PostgreSQL)")
	fs.StringVar(&cfg.out, "out", "", "write the result as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.dsn == "" || cfg.schools <= 0 || cfg.items < cfg.schools {
		return fmt.Errorf("gen: give -db, and -items at least -schools")
	}
	cfg.now = time.Now().In(gongkai.Beijing).Truncate(time.Second)
	log := slog.New(slog.NewTextHandler(stderr, nil))
	res, err := generate(ctx, cfg, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gen: %d schools, %d items, %d versions, %d trail events on %s in %.0f s (%s)\n",
		res.Schools, res.Items, res.Versions, res.Events, res.Dialect, res.Seconds, phaseList(res.Phases))
	if cfg.out != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		return os.WriteFile(cfg.out, append(b, '\n'), 0o644)
	}
	return nil
}

func phaseList(ps []GenPhase) string {
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprintf("%s %.0f s", p.Name, p.Seconds))
	}
	return strings.Join(s, ", ")
}

// loader writes rows in bulk to one engine.
type loader interface {
	// prepare runs before the first batch: it drops the secondary indexes
	// of the bulk tables, remembering their definitions.
	prepare(ctx context.Context) error
	write(ctx context.Context, rows []*row) error
	// finish stores the index-number counters, recreates the indexes and
	// leaves the database as gongkai expects it.
	finish(ctx context.Context, seqs []indexSeq, phase func(string)) error
	size(ctx context.Context) (int64, error)
	engine(ctx context.Context) string
	Close() error
}

func generate(ctx context.Context, cfg genConfig, log *slog.Logger) (*GenResult, error) {
	start := time.Now()
	res := &GenResult{DataVersion: dataVersion, Schools: cfg.schools, Now: cfg.now, States: map[string]int64{}}
	last := start
	phase := func(name string) {
		now := time.Now()
		res.Phases = append(res.Phases, GenPhase{name, now.Sub(last).Seconds()})
		log.Info("gen phase done", "phase", name, "seconds", fmt.Sprintf("%.1f", now.Sub(last).Seconds()))
		last = now
	}

	// The schema is exactly gongkai's: its own migrations create it.
	db, err := store.Open(ctx, storeDSN(cfg.dsn), log)
	if err != nil {
		return nil, err
	}
	res.Dialect = db.Dialect()
	days, years := calendar.Seed()
	if err := db.SeedCalendar(ctx, "CN", days, years); err != nil {
		db.Close()
		return nil, err
	}
	schools := makeSchools(cfg.schools)
	o, err := createOrg(ctx, db, schools)
	db.Close()
	if err != nil {
		return nil, err
	}
	res.Users = 3 * len(schools)
	phase("schools and users")

	// TODO(feedback): feedback (objections, mailbox letters, reports,
	// requests) does not exist yet; when it does, generate it here too, e.g.
	// one case per 20 items with replies, so boards and the bureau's
	// overview are measured with it.

	plan := makePlan(cfg, schools)
	for i := range plan.seqs {
		plan.seqs[i].school = o[plan.seqs[i].school].id // index → database id
	}
	phase("plan")

	var l loader
	switch res.Dialect {
	case "sqlite":
		l, err = openSQLiteLoader(ctx, strings.TrimPrefix(cfg.dsn, "sqlite:"))
		if cfg.batch == 0 {
			cfg.batch = 10000
		}
	default:
		l, err = openPostgresLoader(ctx, cfg.dsn)
		if cfg.batch == 0 {
			cfg.batch = 25000
		}
	}
	if err != nil {
		return nil, err
	}
	defer l.Close()
	if err := l.prepare(ctx); err != nil {
		return nil, err
	}
	r := &renderer{cfg: cfg, schools: schools, org: o, cal: gongkai.NewWorkCalendar(days, years)}
	batches := renderBatches(ctx, r, plan, cfg.batch)
	done := 0
	for b := range batches {
		if b.err != nil {
			return nil, b.err
		}
		if err := l.write(ctx, b.rows); err != nil {
			return nil, err
		}
		for _, x := range b.rows {
			res.Items++
			res.Versions += len(x.versions)
			res.Events += len(x.events)
			res.BodyBytes += int64(len(x.body))
			res.States[x.state]++
		}
		done += len(b.rows)
		if done%(cfg.batch*10) == 0 || done == len(plan.items) {
			log.Info("gen rows", "items", done, "of", len(plan.items), "seconds", fmt.Sprintf("%.0f", time.Since(last).Seconds()))
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	phase("rows")
	if err := l.finish(ctx, plan.seqs, phase); err != nil {
		return nil, err
	}
	res.DBBytes, _ = l.size(ctx)
	res.Engine = l.engine(ctx)
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// storeDSN is the DSN gongkai's store opens during generation: on
// PostgreSQL without waiting for the disk at each of the thousands of small
// commits that create schools and users.
func storeDSN(dsn string) string {
	if strings.HasPrefix(dsn, "postgres") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "synchronous_commit=off"
	}
	return dsn
}

// ---- schools and users, through gongkai's store ----

type orgUser struct {
	id   int64
	name string
}

type orgSchool struct {
	id                           int64
	clerk, principal, supervisor orgUser
	depts                        map[string]int64
}

func createOrg(ctx context.Context, db *store.DB, schools []*benchSchool) ([]orgSchool, error) {
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	bureaus := map[string]int64{}
	out := make([]orgSchool, len(schools))
	for i, s := range schools {
		if _, ok := bureaus[s.county.name]; !ok {
			b := &gongkai.Bureau{Name: s.county.name + "教育局", RegionCode: "CN"}
			if err := db.CreateBureau(ctx, b); err != nil {
				return nil, fmt.Errorf("bureau %s: %w", b.Name, err)
			}
			bureaus[s.county.name] = b.ID
		}
		depts := s.styles[0].seed.Departments
		sc := &gongkai.School{BureauID: bureaus[s.county.name], Slug: s.slug, Name: s.name, FullName: s.fullName,
			Code: s.code, Address: s.address, Phone: s.phone}
		if err := db.CreateSchool(ctx, sc, depts); err != nil {
			return nil, fmt.Errorf("school %s: %w", s.slug, err)
		}
		ds, err := db.FindDepartments(ctx, sc.ID)
		if err != nil {
			return nil, err
		}
		o := orgSchool{id: sc.ID, depts: map[string]int64{}}
		for _, d := range ds {
			o.depts[d.Name] = d.ID
		}
		for _, p := range []struct {
			login string
			roles []gongkai.Role
			dept  string
			to    *orgUser
		}{
			{loginClerk, []gongkai.Role{gongkai.RoleClerk}, "财务室", &o.clerk},
			{loginPrincipal, []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleLeader}, depts[0], &o.principal},
			{loginSupervisor, []gongkai.Role{gongkai.RoleSupervisor, gongkai.RoleRepresentative}, "工会", &o.supervisor},
		} {
			u := &gongkai.User{Username: s.slug + "." + p.login, DisplayName: s.person(p.login)}
			if err := db.CreateMember(ctx, sc.ID, u, hash, p.roles, o.depts[p.dept]); err != nil {
				return nil, fmt.Errorf("user %s: %w", u.Username, err)
			}
			*p.to = orgUser{u.ID, u.DisplayName}
		}
		out[i] = o
	}
	return out, nil
}

// ---- the plan: which template each item republishes, and when ----

// Classes of trail: most items came in from the paper registers with one
// event; a fifth went through the whole procedure in gongkai; a few were
// revised once. 76×1 + 20×5 + 4×6 = 200 events per 100 items: two per item.
const (
	classLegacy = iota
	classFull
	classRevised
)

type planned struct {
	school    int32
	tmpl      int32 // index into the school's pool
	shift     int16 // years
	class     uint8
	seq       int32 // of the index number
	created   time.Time
	published time.Time
}

type indexSeq struct {
	school   int64
	year     int
	category string
	last     int
}

type plan struct {
	items []planned
	seqs  []indexSeq
}

// pool is every template a school of the kind republishes.
func pool(s *benchSchool) []*template { return s.pool }

type pair struct {
	tmpl  int32
	shift int16
}

// makePlan picks, per school, distinct (template, year shift) pairs whose
// shifted publication falls in the last cfg.years years, then orders all
// items by publication, so ids grow with time and a school's items are
// spread over the tables as in a real database.
func makePlan(cfg genConfig, schools []*benchSchool) *plan {
	from := cfg.now.AddDate(-cfg.years, 0, 0)
	latest := cfg.now.Add(-time.Hour)
	valid := map[bool][]pair{}
	for _, voc := range []bool{false, true} {
		var s *benchSchool
		for _, x := range schools {
			if x.vocational == voc {
				s = x
				break
			}
		}
		if s == nil {
			continue
		}
		for i, t := range pool(s) {
			for k := -cfg.years - 4; k <= 2; k++ {
				p := t.published.AddDate(k, 0, 0)
				if !p.Before(from) && !p.After(latest) {
					valid[voc] = append(valid[voc], pair{int32(i), int16(k)})
				}
			}
		}
	}
	var items []planned
	for i, s := range schools {
		n := cfg.items / len(schools)
		if i < cfg.items%len(schools) {
			n++
		}
		r := rand.New(rand.NewPCG(cfg.seed, uint64(i)))
		pairs := slices.Clone(valid[s.vocational])
		ts := pool(s)
		for j := range n {
			// A partial Fisher–Yates shuffle draws without repeats while
			// pairs last, then starts over.
			k := j % len(pairs)
			if k == 0 && j > 0 {
				pairs = slices.Clone(valid[s.vocational])
			}
			m := k + r.IntN(len(pairs)-k)
			pairs[k], pairs[m] = pairs[m], pairs[k]
			p := pairs[k]
			t := ts[p.tmpl]
			jitter := time.Duration(r.IntN(90)) * time.Minute
			pub := t.published.AddDate(int(p.shift), 0, 0).Add(jitter)
			if pub.After(latest) {
				pub, jitter = pub.Add(-jitter), 0
			}
			items = append(items, planned{school: int32(i), tmpl: p.tmpl, shift: p.shift,
				created: t.created.AddDate(int(p.shift), 0, 0).Add(jitter), published: pub})
		}
	}
	slices.SortStableFunc(items, func(a, b planned) int { return a.published.Compare(b.published) })
	type seqKey struct {
		school   int32
		year     int
		category string
	}
	seq := map[seqKey]int{}
	for i := range items {
		it := &items[i]
		switch c := i % 100; {
		case c < 20:
			it.class = classFull
		case c < 24:
			it.class = classRevised
		}
		t := pool(schools[it.school])[it.tmpl]
		k := seqKey{it.school, it.published.Year(), t.category}
		seq[k]++
		it.seq = int32(seq[k])
	}
	p := &plan{items: items}
	for k, v := range seq {
		p.seqs = append(p.seqs, indexSeq{int64(k.school), k.year, k.category, v})
	}
	slices.SortFunc(p.seqs, func(a, b indexSeq) int {
		if a.school != b.school {
			return int(a.school - b.school)
		}
		if a.year != b.year {
			return a.year - b.year
		}
		return strings.Compare(a.category, b.category)
	})
	return p
}

// ---- rendering rows ----

// row is one disclosure with its versions, trail and search tokens.
type row struct {
	id, schoolID                      int64
	indexNo, catalogueCode, category  string
	title, body, audience, state      string
	docNumber                         string
	departmentID, clerkID             int64
	channels, legal, contact          string
	publicityDays                     int
	publStart, publEnd                string
	endProvisional                    bool
	version                           int
	createdBy                         int64
	createdAt, updatedAt, publishedAt int64
	signedBy, signedAt                int64
	reason                            string
	titleTokens, bodyTokens           string
	versions                          []versionRow
	events                            []eventRow
}

type versionRow struct {
	version                  int
	title, body, doc, reason string
	publishedAt, createdAt   int64
	createdBy                int64
}

type eventRow struct {
	action, from, to string
	actorID          int64
	actorName, role  string
	comment          string
	version          int
	at               int64
}

type renderer struct {
	cfg     genConfig
	schools []*benchSchool
	org     []orgSchool
	cal     *gongkai.WorkCalendar
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func day(t time.Time) time.Time {
	y, m, d := t.In(gongkai.Beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, gongkai.Beijing)
}

// render makes the row of the planned item with id id, as gongkai would
// have stored it after the item's trail.
func (r *renderer) render(id int64, p *planned) *row {
	s, o := r.schools[p.school], &r.org[p.school]
	t := pool(s)[p.tmpl]
	rng := rand.New(rand.NewPCG(r.cfg.seed^uint64(id)*0x9e3779b97f4a7c15, uint64(id)))
	it := s.render(t, int(p.shift), rng)
	class := p.class
	revisedAt := p.published.Add(26*time.Hour + time.Duration(rng.IntN(300))*time.Minute)
	if class == classRevised && revisedAt.After(r.cfg.now.Add(-time.Hour)) {
		class = classFull // too fresh to have been revised
	}
	if class == classRevised && it.revisedBody == "" {
		s.revisedOf(&it, rng)
	}
	channels := make([]string, len(t.channels))
	for i, c := range t.channels {
		channels[i] = string(c)
	}
	x := &row{
		id: id, schoolID: o.id, indexNo: gongkai.IndexNumber(s.code, p.published.Year(), t.category, int(p.seq)),
		catalogueCode: t.catalogueCode, category: t.category, title: it.title, body: it.body,
		audience: string(t.audience), docNumber: it.docNumber, departmentID: o.depts[t.department], clerkID: o.clerk.id,
		channels: strings.Join(channels, ","), legal: it.legal, publicityDays: t.publicityDays, version: 1,
		createdBy: o.clerk.id, createdAt: ms(p.created), publishedAt: ms(p.published),
		signedBy: o.principal.id, signedAt: ms(p.created.Add(94 * time.Minute)),
	}
	if x.signedAt > x.publishedAt {
		x.signedAt = x.publishedAt
	}
	x.versions = []versionRow{{version: 1, title: it.title, body: it.body, doc: it.docNumber,
		publishedAt: x.publishedAt, createdAt: x.createdAt, createdBy: o.clerk.id}}
	ev := func(action gongkai.Action, from, to gongkai.State, u orgUser, role gongkai.Role, comment string, version int, at time.Time) {
		x.events = append(x.events, eventRow{string(action), string(from), string(to), u.id, u.name, string(role), comment, version, ms(at)})
	}
	periodFrom := p.published
	if class == classLegacy {
		ev(gongkai.ActionPublish, gongkai.StateChecked, gongkai.StatePublished, o.clerk, gongkai.RoleClerk, "", 1, p.published)
	} else {
		step := func(n int) time.Time {
			at := p.created.Add(time.Duration(n*47) * time.Minute)
			if at.After(p.published) {
				return p.published
			}
			return at
		}
		ev(gongkai.ActionCreate, "", gongkai.StateDraft, o.clerk, gongkai.RoleClerk, "", 1, p.created)
		ev(gongkai.ActionSubmit, gongkai.StateDraft, gongkai.StateSubmitted, o.clerk, gongkai.RoleClerk, "", 1, step(1))
		ev(gongkai.ActionApprove, gongkai.StateSubmitted, gongkai.StateApproved, o.principal, gongkai.RolePrincipal, "", 1, step(2))
		ev(gongkai.ActionCheck, gongkai.StateApproved, gongkai.StateChecked, o.supervisor, gongkai.RoleSupervisor, "", 1, step(3))
		ev(gongkai.ActionPublish, gongkai.StateChecked, gongkai.StatePublished, o.clerk, gongkai.RoleClerk, "", 1, p.published)
	}
	if class == classRevised {
		x.version, x.body, x.reason = 2, it.revisedBody, it.reason
		x.versions = append(x.versions, versionRow{version: 2, title: it.title, body: it.revisedBody, doc: it.docNumber,
			reason: it.reason, publishedAt: ms(revisedAt), createdAt: ms(revisedAt), createdBy: o.clerk.id})
		ev(gongkai.ActionRevise, gongkai.StatePublished, gongkai.StatePublished, o.clerk, gongkai.RoleClerk, it.reason, 2, revisedAt)
		periodFrom = revisedAt
	}
	// The publicity period as startPeriod sets it, and the state the
	// sweeper leaves: closed once the period is over.
	x.state, x.updatedAt = string(gongkai.StatePublished), ms(periodFrom)
	if x.publicityDays > 0 {
		start := day(periodFrom)
		end, provisional := r.cal.AddWorkdays(start.AddDate(0, 0, -1), x.publicityDays)
		x.publStart, x.publEnd, x.endProvisional = start.Format("2006-01-02"), end.Format("2006-01-02"), provisional
		if gongkai.PeriodOver(end, r.cfg.now) {
			x.state, x.updatedAt = string(gongkai.StateClosed), ms(end.AddDate(0, 0, 1).Add(time.Minute))
		}
	}
	// The tokens as store's index() makes them.
	x.titleTokens, x.bodyTokens = search.SchoolTokens(x.schoolID, x.title+" "+x.docNumber), search.SchoolTokens(x.schoolID, x.body)
	return x
}

type batch struct {
	rows []*row
	err  error
}

// renderBatches renders the plan on every core, batch by batch, and
// delivers the batches in order while the loader writes the previous one.
func renderBatches(ctx context.Context, r *renderer, p *plan, size int) <-chan batch {
	out := make(chan batch, 2)
	workers := max(1, runtime.NumCPU())
	type job struct {
		from, to int
		res      chan batch
	}
	jobs := make(chan job, workers)
	pending := make(chan chan batch, workers+1)
	for range workers {
		go func() {
			for j := range jobs {
				rows := make([]*row, 0, j.to-j.from)
				for i := j.from; i < j.to; i++ {
					rows = append(rows, r.render(int64(i+1), &p.items[i]))
				}
				j.res <- batch{rows: rows}
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(pending)
		for from := 0; from < len(p.items); from += size {
			j := job{from, min(from+size, len(p.items)), make(chan batch, 1)}
			select {
			case pending <- j.res:
			case <-ctx.Done():
				return
			}
			jobs <- j
		}
	}()
	go func() {
		defer close(out)
		for res := range pending {
			select {
			case b := <-res:
				out <- b
			case <-ctx.Done():
				out <- batch{err: ctx.Err()}
				return
			}
		}
	}()
	return out
}

// nullID maps 0 to NULL for optional foreign keys.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
