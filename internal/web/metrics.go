package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gongkai/internal/store"
)

// metrics are labelled by route pattern and status only: never by path
// values, client or user, so they cannot identify anyone.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics(db *store.DB) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gongkai_http_requests_total", Help: "HTTP requests by route pattern and status.",
	}, []string{"route", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gongkai_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route"})
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.Pool(), db.Dialect()))
	// Public reads by the pool that served them: with a replica, how much of
	// the board it takes; the primary serves whatever it has not replayed yet.
	for _, pool := range []string{"primary", "replica"} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gongkai_db_reads_total", Help: "Reads for public pages by the database pool that served them.",
			ConstLabels: prometheus.Labels{"pool": pool},
		}, func() float64 {
			primary, replica := db.PublicReads()
			if pool == "replica" {
				return float64(replica)
			}
			return float64(primary)
		}))
	}
	if rp := db.ReplicaPool(); rp != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(rp, "postgres_replica"))
	}
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// MetricsHandler serves the Prometheus metrics; gongkai serve puts it on a
// listener of its own (--metrics-addr), never on the site's.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler }

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.Ping(r.Context()); err != nil {
		s.log.Error("health: database", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return nil
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
	return nil
}
