// Package telemetry defines every Prometheus metric sessctl exports, once:
// its name, type, help and labels. `sessctl apply --metrics-textfile`
// (a node-exporter textfile) and `sessctl watch --metrics-addr` (/metrics)
// build their metrics from these definitions, so the two cannot export
// different names; the metric reference in docs/fleet.md is generated
// from them, and the alert rules and dashboard in contrib/ are tested
// against them.
package telemetry

import (
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// Type is a metric's Prometheus type.
type Type string

// Metric types.
const (
	Gauge     Type = "gauge"
	Counter   Type = "counter"
	Histogram Type = "histogram"
)

// Source says which commands export a metric.
type Source string

// Sources.
const (
	// Both: apply's textfile and watch's /metrics.
	Both Source = "apply, watch"
	// WatchOnly: counters and histograms of a long-running watch (a
	// textfile written by one apply has no history to count).
	WatchOnly Source = "watch"
)

// Def is one exported metric.
type Def struct {
	Name   string
	Type   Type
	Help   string
	Labels []string
	Source Source
	// PerPartition is set when the metric has a "partition" label that
	// --metrics-per-partition=false removes (the value is then
	// aggregated over the host: Aggregate says how).
	PerPartition bool
	Aggregate    string
}

// Desc returns the metric's descriptor; perPartition=false drops the
// partition label of a PerPartition metric.
func (d *Def) Desc(perPartition bool) *prometheus.Desc {
	return prometheus.NewDesc(d.Name, d.Help, d.labels(perPartition), nil)
}

func (d *Def) labels(perPartition bool) []string {
	if !d.PerPartition || perPartition {
		return d.Labels
	}
	var out []string
	for _, l := range d.Labels {
		if l != "partition" {
			out = append(out, l)
		}
	}
	return out
}

// GaugeOpts, CounterOpts and HistogramOpts return the options of the
// client_golang metric (Help and Name from the definition).
func (d *Def) GaugeOpts() prometheus.GaugeOpts {
	d.must(Gauge)
	return prometheus.GaugeOpts{Name: d.Name, Help: d.Help}
}

// CounterOpts: see GaugeOpts.
func (d *Def) CounterOpts() prometheus.CounterOpts {
	d.must(Counter)
	return prometheus.CounterOpts{Name: d.Name, Help: d.Help}
}

// HistogramOpts: see GaugeOpts.
func (d *Def) HistogramOpts(buckets []float64) prometheus.HistogramOpts {
	d.must(Histogram)
	return prometheus.HistogramOpts{Name: d.Name, Help: d.Help, Buckets: buckets}
}

func (d *Def) must(t Type) {
	if d.Type != t {
		panic(fmt.Sprintf("telemetry: %s is a %s, not a %s", d.Name, d.Type, t))
	}
}

// The metrics of the last apply (or watch cycle) and of the app. Every
// one is exported by both apply's textfile and watch.
var (
	LastApplyTimestamp = &Def{Name: "sessctl_last_apply_timestamp_seconds", Type: Gauge, Source: Both,
		Help: "Unix time the last apply (or watch cycle) ended, successful or not."}
	LastApplySuccess = &Def{Name: "sessctl_last_apply_success", Type: Gauge, Source: Both,
		Help: "1 if the last apply (or watch cycle) left the profiles matching the configuration, 0 if it failed (invalid configuration, lock timeout, write error)."}
	LastApplySuccessTimestamp = &Def{Name: "sessctl_last_apply_success_timestamp_seconds", Type: Gauge, Source: Both,
		Help: "Unix time of the last successful apply (or watch cycle)."}
	ApplyChanges = &Def{Name: "sessctl_apply_changes", Type: Gauge, Source: Both, Labels: []string{"action"},
		Help: "Partitions the last apply (or watch cycle) added, changed or destroyed, by action (add, change, destroy); 0 after a failure."}
	Partitions = &Def{Name: "sessctl_partitions", Type: Gauge, Source: Both,
		Help: "Partitions recorded after the last successful apply (or watch cycle)."}
	DriftFindings = &Def{Name: "sessctl_drift_findings", Type: Gauge, Source: Both, Labels: []string{"partition"}, PerPartition: true, Aggregate: "sum",
		Help: "Corrective drift findings the last successful apply (or watch cycle) found, and repaired, by partition (only partitions with findings)."}
	ConfigInfo = &Def{Name: "sessctl_config_info", Type: Gauge, Source: Both, Labels: []string{"revision", "digest", "version"},
		Help: "Always 1: the configuration last applied successfully (revision: Git commit of the configuration's checkout, empty outside one; digest: sessctl's input digest) and sessctl's version."}
	StateSerial = &Def{Name: "sessctl_state_serial", Type: Gauge, Source: Both,
		Help: "Serial of the state after the last successful apply (or watch cycle): it grows by one with each apply that changed something."}
	AppStatusTimestamp = &Def{Name: "sessctl_app_status_timestamp_seconds", Type: Gauge, Source: Both, Labels: []string{"partition"}, PerPartition: true, Aggregate: "min (the partition heard from longest ago)",
		Help: "Unix time the Electron app last wrote the partition's status file (updated_at; the adapter rewrites it at least every readbackMs while watching)."}
	PendingActions = &Def{Name: "sessctl_pending_actions", Type: Gauge, Source: Both, Labels: []string{"partition"}, PerPartition: true, Aggregate: "sum",
		Help: "Queued one-shot actions the app has not finished (pending or running), by partition (only partitions with some)."}
	OldestPendingAction = &Def{Name: "sessctl_oldest_pending_action_timestamp_seconds", Type: Gauge, Source: Both,
		Help: "Unix time the oldest pending or running action was queued (absent when none is)."}
	FailedActions = &Def{Name: "sessctl_failed_actions", Type: Gauge, Source: Both,
		Help: "Queued actions that failed and have not been retried (sessctl action retry)."}
)

// The metrics only a running watch exports.
var (
	WatchCycles = &Def{Name: "sessctl_watch_cycles_total", Type: Counter, Source: WatchOnly, Labels: []string{"trigger", "outcome"},
		Help: "Watch cycles run, by what woke them (start, change, resync, retry, stale) and outcome (ok, invalid, error)."}
	WatchErrors = &Def{Name: "sessctl_watch_errors_total", Type: Counter, Source: WatchOnly, Labels: []string{"kind"},
		Help: "Failed cycles (error: plan or apply failed; invalid: the configuration has errors; watch: the notifier failed)."}
	WatchDriftFound = &Def{Name: "sessctl_watch_drift_found_total", Type: Counter, Source: WatchOnly,
		Help: "Corrective drift findings seen by cycles (the world moved away from what was applied)."}
	WatchDriftRepaired = &Def{Name: "sessctl_watch_drift_repaired_total", Type: Counter, Source: WatchOnly,
		Help: "Corrective drift findings repaired by an apply."}
	WatchPartitionsApplied = &Def{Name: "sessctl_watch_partitions_applied_total", Type: Counter, Source: WatchOnly, Labels: []string{"action"},
		Help: "Partitions applied by watch cycles, by action (add, change, destroy)."}
	WatchCycleDuration = &Def{Name: "sessctl_watch_cycle_duration_seconds", Type: Histogram, Source: WatchOnly,
		Help: "Duration of watch cycles, from plan start to apply end."}
	WatchLastSuccess = &Def{Name: "sessctl_watch_last_success_timestamp_seconds", Type: Gauge, Source: WatchOnly,
		Help: "Unix time of the last cycle that left the profiles matching the configuration."}
	WatchSerialHotplug = &Def{Name: "sessctl_watch_serial_hotplug_total", Type: Counter, Source: WatchOnly, Labels: []string{"event"},
		Help: "Serial ports that appeared (added) or disappeared (removed)."}
	AppSessionEvents = &Def{Name: "sessctl_app_session_events_total", Type: Counter, Source: WatchOnly, Labels: []string{"partition", "event"},
		Help: "Session events the Electron app recorded since it started, by partition and event (the adapter's status files; resets when the app restarts)."}
)

// All lists every metric sessctl defines, apply's first.
var All = []*Def{
	LastApplyTimestamp, LastApplySuccess, LastApplySuccessTimestamp, ApplyChanges, Partitions, DriftFindings,
	ConfigInfo, StateSerial, AppStatusTimestamp, PendingActions, OldestPendingAction, FailedActions,
	WatchCycles, WatchErrors, WatchDriftFound, WatchDriftRepaired, WatchPartitionsApplied, WatchCycleDuration,
	WatchLastSuccess, WatchSerialHotplug, AppSessionEvents,
}

// Exported reports whether name is a series name sessctl exports: a
// metric's name, or for a histogram its _bucket, _sum and _count series.
func Exported(name string) bool {
	for _, d := range All {
		if name == d.Name {
			return true
		}
		if d.Type == Histogram {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				if name == d.Name+s {
					return true
				}
			}
		}
	}
	return false
}

// Reference renders the metric reference (a Markdown table) of docs/fleet.md.
func Reference() string {
	var b strings.Builder
	b.WriteString("| metric | type | labels | exported by | meaning |\n|---|---|---|---|---|\n")
	for _, d := range All {
		labels := "—"
		if len(d.Labels) > 0 {
			labels = "`" + strings.Join(d.Labels, "`, `") + "`"
		}
		help := d.Help
		if d.PerPartition {
			help += " With `--metrics-per-partition=false`: no `partition` label, " + d.Aggregate + " over the partitions."
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", d.Name, d.Type, labels, d.Source, strings.ReplaceAll(help, "|", "\\|"))
	}
	return b.String()
}
