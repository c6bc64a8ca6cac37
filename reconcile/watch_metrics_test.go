package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sessctl/sessctl/internal/actionq"
	"github.com/sessctl/sessctl/internal/telemetry"
)

// gathered flattens a registry into "name{labels} value" lines.
func gathered(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			sort.Strings(ls)
			key := mf.GetName()
			if len(ls) > 0 {
				key += "{" + strings.Join(ls, ",") + "}"
			}
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[key+"_count"] = float64(m.Histogram.GetSampleCount())
				out[key+"_sum"] = m.Histogram.GetSampleSum()
				for _, b := range m.Histogram.GetBucket() {
					out[fmt.Sprintf("%s_bucket{le=%g}", key, b.GetUpperBound())] = float64(b.GetCumulativeCount())
				}
			}
		}
	}
	return out
}

func TestWatchMetricsObserve(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewWatchMetrics(reg, FleetOptions{PerPartition: true})
	at := time.Unix(1795654960, 500_000_000)
	for _, ev := range []WatchEvent{
		{Kind: "cycle", Trigger: "start", Time: at, Duration: 3 * time.Millisecond, Add: 2},
		{Kind: "cycle", Trigger: "change", Time: at.Add(time.Second), Duration: 40 * time.Millisecond, Change: 1, Unchanged: 1, Drift: 2, Repaired: 2,
			Findings: map[string]int{"persist:a": 2}, ConfigDigest: "sha256:abc", StateSerial: 7},
		{Kind: "invalid", Trigger: "change", Time: at.Add(2 * time.Second), Duration: 2 * time.Millisecond},
		{Kind: "error", Trigger: "retry", Time: at.Add(3 * time.Second), Duration: 200 * time.Millisecond},
		{Kind: "watch-error"},
		{Kind: "serial-port-added", Port: "ttyACM0"},
		{Kind: "ready"},
	} {
		m.Observe(ev)
	}
	got := gathered(t, reg)
	want := map[string]float64{
		"sessctl_watch_cycles_total{outcome=ok,trigger=start}":       1,
		"sessctl_watch_cycles_total{outcome=ok,trigger=change}":      1,
		"sessctl_watch_cycles_total{outcome=invalid,trigger=change}": 1,
		"sessctl_watch_cycles_total{outcome=error,trigger=retry}":    1,
		"sessctl_watch_errors_total{kind=invalid}":                   1,
		"sessctl_watch_errors_total{kind=error}":                     1,
		"sessctl_watch_errors_total{kind=watch}":                     1,
		"sessctl_watch_drift_found_total":                            2,
		"sessctl_watch_drift_repaired_total":                         2,
		"sessctl_watch_partitions_applied_total{action=add}":         2,
		"sessctl_watch_partitions_applied_total{action=change}":      1,
		"sessctl_watch_serial_hotplug_total{event=added}":            1,
		"sessctl_watch_last_success_timestamp_seconds":               1795654961.5, // the last ok cycle, not the later failures
		"sessctl_watch_cycle_duration_seconds_count":                 4,
		"sessctl_watch_cycle_duration_seconds_bucket{le=0.001}":      0,
		"sessctl_watch_cycle_duration_seconds_bucket{le=0.0025}":     1, // 2 ms
		"sessctl_watch_cycle_duration_seconds_bucket{le=0.005}":      2, // + 3 ms
		"sessctl_watch_cycle_duration_seconds_bucket{le=0.05}":       3, // + 40 ms
		"sessctl_watch_cycle_duration_seconds_bucket{le=0.25}":       4, // + 200 ms
		// The metrics apply's textfile shares: the last cycle failed,
		// so it changed nothing; the rest is the last good cycle's.
		"sessctl_last_apply_timestamp_seconds":                           1795654963.5,
		"sessctl_last_apply_success":                                     0,
		"sessctl_apply_changes{action=change}":                           0,
		"sessctl_last_apply_success_timestamp_seconds":                   1795654961.5,
		"sessctl_drift_findings{partition=persist:a}":                    2,
		"sessctl_partitions":                                             2,
		"sessctl_state_serial":                                           7,
		"sessctl_config_info{digest=sha256:abc,revision=,version=devel}": 1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if s := got["sessctl_watch_cycle_duration_seconds_sum"]; s < 0.2449 || s > 0.2451 {
		t.Errorf("duration sum = %v, want 0.245", s)
	}
}

// watch's registry exports every metric internal/telemetry defines, and
// nothing else of sessctl's: the names apply's textfile uses are the
// names watch serves.
func TestWatchRegistryExportsEveryDefinition(t *testing.T) {
	out := t.TempDir()
	st := filepath.Join(out, StatusDir)
	if err := os.Mkdir(st, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(st, "a.json"), `{"format_version": 1, "partition": "persist:a", "updated_at": "2026-11-26T01:05:00Z", "events": {"counts": {}}}`)
	if _, err := actionq.Append(out, actionq.Entry{Partition: "persist:a", Action: "clear-cache"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	m := NewWatchMetrics(reg, FleetOptions{PerPartition: true, OutDir: func() string { return out }})
	reg.MustRegister(NewAppEventsCollector(func() string { return out }))
	m.Observe(WatchEvent{Kind: "cycle", Trigger: "start", Time: time.Now(), Findings: map[string]int{"persist:a": 1}})
	m.Observe(WatchEvent{Kind: "invalid", Trigger: "change", Time: time.Now()})
	m.Observe(WatchEvent{Kind: "serial-port-added"})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, mf := range mfs {
		got[mf.GetName()] = true
		if !telemetry.Exported(mf.GetName()) {
			t.Errorf("watch exports %s, which internal/telemetry does not define", mf.GetName())
		}
	}
	for _, d := range telemetry.All {
		if !got[d.Name] {
			t.Errorf("watch does not export %s", d.Name)
		}
	}
}
