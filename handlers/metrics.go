package handlers

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/labstack/echo/v4"

	"rounds/models"
	"rounds/models/store"
)

// metrics counts requests and their latency by route, and reports the
// outbox by status at each scrape, in Prometheus's text format; the Go
// runtime's and the process's own figures (go_*, process_*) follow.
type metrics struct {
	set *vm.Set
}

var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

func init() { vm.ExposeMetadata(true) } // # TYPE lines, so that histograms are read as such

func newMetrics(db *store.Store) *metrics {
	m := &metrics{set: vm.NewSet()}
	m.set.RegisterMetricsWriter(func(w io.Writer) {
		vm.WriteCounterUint64(w, "rounds_db_retries_total", uint64(db.Retries()))
		counts, err := models.OutboxCounts(context.Background(), db)
		if err != nil {
			return // the scrape goes on without them; the log has the database's error
		}
		statuses := make([]string, 0, len(counts))
		for s := range counts {
			statuses = append(statuses, s)
		}
		slices.Sort(statuses)
		for _, s := range statuses {
			vm.WriteGaugeUint64(w, `rounds_outbox_messages{status="`+s+`"}`, uint64(counts[s]))
		}
	})
	return m
}

// metricMethods are the methods counted by name; any other is "other", so
// that a client cannot make up label values.
var metricMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions}

func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status, _ = classify(err)
		}
		route := c.Path() // a pattern of the route table, never the path asked for
		if route == "" {
			route = "unmatched"
		}
		method := c.Request().Method
		if !slices.Contains(metricMethods, method) {
			method = "other"
		}
		labels := `{method="` + method + `",route="` + route
		m.set.GetOrCreateCounter(`rounds_http_requests_total` + labels + `",status="` + strconv.Itoa(status) + `"}`).Inc()
		m.set.GetOrCreatePrometheusHistogramExt(`rounds_http_request_duration_seconds`+labels+`"}`, latencyBuckets).UpdateDuration(start)
		return err
	}
}

func (h *Handler) metricsPage(c echo.Context) error {
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	h.metrics.set.WritePrometheus(w)
	vm.WriteProcessMetrics(w)
	return nil
}
