package reconcile

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sessctl/sessctl/internal/telemetry"
)

// WatchMetrics are the Prometheus metrics of a watch loop. Observe feeds
// them from the loop's events, so the loop itself knows nothing of
// Prometheus. Names, help and labels come from internal/telemetry.
type WatchMetrics struct {
	cycles      *prometheus.CounterVec
	errors      *prometheus.CounterVec
	drift       prometheus.Counter
	repaired    prometheus.Counter
	applied     *prometheus.CounterVec
	duration    prometheus.Histogram
	lastSuccess prometheus.Gauge
	serial      *prometheus.CounterVec
	fleet       *telemetry.Collector
	configPath  string
}

// FleetOptions configures the metrics watch shares with apply's textfile
// (internal/telemetry: the last apply, drift, the app, the actions).
type FleetOptions struct {
	// PerPartition keeps the partition label (--metrics-per-partition).
	PerPartition bool
	// OutDir returns the output directory of the last cycle ("" while
	// unknown); called at scrape time.
	OutDir func() string
	// ConfigPath locates the configuration's Git checkout (revision).
	ConfigPath string
}

// NewWatchMetrics creates the metrics and registers them with reg.
func NewWatchMetrics(reg prometheus.Registerer, fo FleetOptions) *WatchMetrics {
	t := telemetry.WatchCycles
	m := &WatchMetrics{
		cycles:   prometheus.NewCounterVec(t.CounterOpts(), t.Labels),
		errors:   prometheus.NewCounterVec(telemetry.WatchErrors.CounterOpts(), telemetry.WatchErrors.Labels),
		drift:    prometheus.NewCounter(telemetry.WatchDriftFound.CounterOpts()),
		repaired: prometheus.NewCounter(telemetry.WatchDriftRepaired.CounterOpts()),
		applied:  prometheus.NewCounterVec(telemetry.WatchPartitionsApplied.CounterOpts(), telemetry.WatchPartitionsApplied.Labels),
		duration: prometheus.NewHistogram(telemetry.WatchCycleDuration.HistogramOpts(
			[]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30})),
		lastSuccess: prometheus.NewGauge(telemetry.WatchLastSuccess.GaugeOpts()),
		serial:      prometheus.NewCounterVec(telemetry.WatchSerialHotplug.CounterOpts(), telemetry.WatchSerialHotplug.Labels),
		configPath:  fo.ConfigPath,
	}
	var app func() *telemetry.App
	if fo.OutDir != nil {
		app = func() *telemetry.App { return ReadAppTelemetry(fo.OutDir()) }
	}
	m.fleet = telemetry.NewCollector(fo.PerPartition, app)
	reg.MustRegister(m.cycles, m.errors, m.drift, m.repaired, m.applied, m.duration, m.lastSuccess, m.serial, m.fleet)
	return m
}

// Observe updates the metrics from one watch event.
func (m *WatchMetrics) Observe(ev WatchEvent) {
	switch ev.Kind {
	case "cycle":
		// The shared metrics first: a scrape that sees the counters
		// move sees them too.
		m.fleet.Record(telemetry.Apply{Time: ev.Time, Success: true, Add: ev.Add, Change: ev.Change, Destroy: ev.Destroy,
			Partitions: ev.Unchanged + ev.Add + ev.Change, Drift: ev.Findings,
			Revision: telemetry.GitRevision(m.configPath), Digest: ev.ConfigDigest, StateSerial: ev.StateSerial})
		m.cycles.WithLabelValues(ev.Trigger, "ok").Inc()
		m.duration.Observe(ev.Duration.Seconds())
		m.drift.Add(float64(ev.Drift))
		m.repaired.Add(float64(ev.Repaired))
		m.applied.WithLabelValues("add").Add(float64(ev.Add))
		m.applied.WithLabelValues("change").Add(float64(ev.Change))
		m.applied.WithLabelValues("destroy").Add(float64(ev.Destroy))
		m.lastSuccess.Set(float64(ev.Time.UnixNano()) / 1e9)
	case "invalid":
		m.fleet.Record(telemetry.Apply{Time: ev.Time})
		m.cycles.WithLabelValues(ev.Trigger, "invalid").Inc()
		m.errors.WithLabelValues("invalid").Inc()
		m.duration.Observe(ev.Duration.Seconds())
	case "error":
		m.fleet.Record(telemetry.Apply{Time: ev.Time})
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
