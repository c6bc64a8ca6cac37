package reconcile

import (
	"github.com/prometheus/client_golang/prometheus"
)

// WatchMetrics are the Prometheus metrics of a watch loop. Observe feeds
// them from the loop's events, so the loop itself knows nothing of
// Prometheus.
type WatchMetrics struct {
	cycles      *prometheus.CounterVec
	errors      *prometheus.CounterVec
	drift       prometheus.Counter
	repaired    prometheus.Counter
	applied     *prometheus.CounterVec
	duration    prometheus.Histogram
	lastSuccess prometheus.Gauge
	serial      *prometheus.CounterVec
}

// NewWatchMetrics creates the metrics and registers them with reg.
func NewWatchMetrics(reg prometheus.Registerer) *WatchMetrics {
	m := &WatchMetrics{
		cycles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sessctl_watch_cycles_total",
			Help: "Watch cycles run, by what woke them (start, change, resync, retry, stale) and outcome (ok, invalid, error)."},
			[]string{"trigger", "outcome"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sessctl_watch_errors_total",
			Help: "Failed cycles (error: plan or apply failed; invalid: the configuration has errors; watch: the notifier failed)."},
			[]string{"kind"}),
		drift: prometheus.NewCounter(prometheus.CounterOpts{Name: "sessctl_watch_drift_found_total",
			Help: "Corrective drift findings seen by cycles (the world moved away from what was applied)."}),
		repaired: prometheus.NewCounter(prometheus.CounterOpts{Name: "sessctl_watch_drift_repaired_total",
			Help: "Corrective drift findings repaired by an apply."}),
		applied: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sessctl_watch_partitions_applied_total",
			Help: "Partitions applied by watch cycles, by action (add, change, destroy)."}, []string{"action"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sessctl_watch_cycle_duration_seconds",
			Help:    "Duration of watch cycles, from plan start to apply end.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "sessctl_watch_last_success_timestamp_seconds",
			Help: "Unix time of the last cycle that left the profiles matching the configuration."}),
		serial: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sessctl_watch_serial_hotplug_total",
			Help: "Serial ports that appeared (added) or disappeared (removed)."}, []string{"event"}),
	}
	reg.MustRegister(m.cycles, m.errors, m.drift, m.repaired, m.applied, m.duration, m.lastSuccess, m.serial)
	return m
}

// Observe updates the metrics from one watch event.
func (m *WatchMetrics) Observe(ev WatchEvent) {
	switch ev.Kind {
	case "cycle":
		m.cycles.WithLabelValues(ev.Trigger, "ok").Inc()
		m.duration.Observe(ev.Duration.Seconds())
		m.drift.Add(float64(ev.Drift))
		m.repaired.Add(float64(ev.Repaired))
		m.applied.WithLabelValues("add").Add(float64(ev.Add))
		m.applied.WithLabelValues("change").Add(float64(ev.Change))
		m.applied.WithLabelValues("destroy").Add(float64(ev.Destroy))
		m.lastSuccess.Set(float64(ev.Time.UnixNano()) / 1e9)
	case "invalid":
		m.cycles.WithLabelValues(ev.Trigger, "invalid").Inc()
		m.errors.WithLabelValues("invalid").Inc()
		m.duration.Observe(ev.Duration.Seconds())
	case "error":
		m.cycles.WithLabelValues(ev.Trigger, "error").Inc()
		m.errors.WithLabelValues("error").Inc()
		m.duration.Observe(ev.Duration.Seconds())
	case "watch-error":
		m.errors.WithLabelValues("watch").Inc()
	case "serial-port-added":
		m.serial.WithLabelValues("added").Inc()
	case "serial-port-removed":
		m.serial.WithLabelValues("removed").Inc()
	}
}
