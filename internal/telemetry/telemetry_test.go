package telemetry

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
)

// parsed reads a textfile back with expfmt's parser (proving it is valid
// exposition format) and flattens it into "name{l=v,...}" → value.
func parsed(t *testing.T, path string) map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fams, err := ParseText(f)
	if err != nil {
		t.Fatalf("textfile does not parse: %v", err)
	}
	out := map[string]float64{}
	for name, mf := range fams {
		if mf.GetHelp() == "" || mf.GetType() != dto.MetricType_GAUGE {
			t.Errorf("%s: help %q, type %v: want help and gauge", name, mf.GetHelp(), mf.GetType())
		}
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			sort.Strings(ls)
			key := name
			if len(ls) > 0 {
				key += "{" + strings.Join(ls, ",") + "}"
			}
			if _, dup := out[key]; dup {
				t.Errorf("duplicate series %s", key)
			}
			out[key] = m.GetGauge().GetValue()
		}
	}
	return out
}

func expect(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("missing %s", k)
		} else if g != v {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
}

var t0 = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func appView() *App {
	return &App{
		StatusTime:    map[string]time.Time{"persist:a": t0.Add(-time.Minute), "persist:b": t0.Add(-time.Hour)},
		Pending:       map[string]int{"persist:a": 2, "persist:b": 0},
		OldestPending: t0.Add(-2 * time.Hour),
		Failed:        1,
	}
}

func TestTextfileSuccessThenFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sessctl.prom")
	c := NewCollector(true, appView)
	c.Record(Apply{Time: t0, Success: true, Add: 1, Change: 2, Partitions: 5, Drift: map[string]int{"persist:a": 3, "persist:c": 0},
		Revision: "0123456789abcdef0123456789abcdef01234567", Digest: "sha256:d", StateSerial: 9})
	if err := WriteTextfile(path, c); err != nil {
		t.Fatal(err)
	}
	got := parsed(t, path)
	ts := float64(t0.Unix())
	expect(t, got, map[string]float64{
		"sessctl_last_apply_timestamp_seconds":         ts,
		"sessctl_last_apply_success":                   1,
		"sessctl_last_apply_success_timestamp_seconds": ts,
		"sessctl_apply_changes{action=add}":            1,
		"sessctl_apply_changes{action=change}":         2,
		"sessctl_apply_changes{action=destroy}":        0,
		"sessctl_partitions":                           5,
		"sessctl_state_serial":                         9,
		"sessctl_drift_findings{partition=persist:a}":  3,
		"sessctl_config_info{digest=sha256:d,revision=0123456789abcdef0123456789abcdef01234567,version=devel}": 1,
		"sessctl_app_status_timestamp_seconds{partition=persist:a}":                                            ts - 60,
		"sessctl_app_status_timestamp_seconds{partition=persist:b}":                                            ts - 3600,
		"sessctl_pending_actions{partition=persist:a}":                                                         2,
		"sessctl_oldest_pending_action_timestamp_seconds":                                                      ts - 7200,
		"sessctl_failed_actions": 1,
	})
	// Partitions without findings or pending actions have no series.
	for _, k := range []string{"sessctl_drift_findings{partition=persist:c}", "sessctl_pending_actions{partition=persist:b}"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s exported", k)
		}
	}
	// Every metric apply exports is in the file.
	for _, d := range All {
		if d.Source != Both {
			continue
		}
		found := false
		for k := range got {
			if k == d.Name || strings.HasPrefix(k, d.Name+"{") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s missing from the textfile", d.Name)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("textfile mode: %v %v, want 0644 (node-exporter runs as another user)", fi.Mode(), err)
	}

	// A failed apply that never learned the output directory: its
	// result is recorded, the rest is carried over from the last file.
	c2 := NewCollector(true, func() *App { return nil })
	c2.Record(Apply{Time: t0.Add(time.Hour), Add: 7})
	if err := WriteTextfile(path, c2); err != nil {
		t.Fatal(err)
	}
	got = parsed(t, path)
	expect(t, got, map[string]float64{
		"sessctl_last_apply_timestamp_seconds":         ts + 3600,
		"sessctl_last_apply_success":                   0,
		"sessctl_last_apply_success_timestamp_seconds": ts,
		"sessctl_apply_changes{action=add}":            7, // what the caller says it did (0 for a real failure)
		"sessctl_drift_findings{partition=persist:a}":  3,
		"sessctl_pending_actions{partition=persist:a}": 2,
		"sessctl_failed_actions":                       1,
		"sessctl_state_serial":                         9,
	})
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the textfile (no temporary left)", len(entries))
	}

	// A previous file that is not exposition format carries nothing
	// over, and is replaced by a valid one.
	if err := os.WriteFile(path, []byte("sessctl_partitions{ 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteTextfile(path, c2); err != nil {
		t.Fatal(err)
	}
	got = parsed(t, path)
	if _, ok := got["sessctl_partitions"]; ok {
		t.Error("series carried over from an invalid file")
	}
}

// Without the partition label, each per-partition metric is one series:
// drift and pending actions summed, the app's status time the oldest.
func TestTextfileAggregate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.prom")
	c := NewCollector(false, appView)
	c.Record(Apply{Time: t0, Success: true, Drift: map[string]int{"persist:a": 3, "persist:b": 4}})
	if err := WriteTextfile(path, c); err != nil {
		t.Fatal(err)
	}
	got := parsed(t, path)
	expect(t, got, map[string]float64{
		"sessctl_drift_findings":               7,
		"sessctl_pending_actions":              2,
		"sessctl_app_status_timestamp_seconds": float64(t0.Unix() - 3600),
	})
	for k := range got {
		if strings.Contains(k, "partition=") {
			t.Errorf("%s has a partition label", k)
		}
	}
}

// Partition names from status files are untrusted: invalid UTF-8 and
// overlong names become valid, bounded label values, and names that
// collide once cut are one series (a duplicate would fail the gather).
func TestTextfileHostilePartitions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.prom")
	long := strings.Repeat("é", 200) // 400 bytes
	app := &App{StatusTime: map[string]time.Time{
		long + "x": t0, long + "y": t0.Add(-time.Hour), "bad\xff\"\n}": t0, "": t0,
	}}
	c := NewCollector(true, func() *App { return app })
	if err := WriteTextfile(path, c); err != nil {
		t.Fatal(err)
	}
	got := parsed(t, path)
	cut := strings.Repeat("é", 128)
	expect(t, got, map[string]float64{
		"sessctl_app_status_timestamp_seconds{partition=" + cut + "}":    float64(t0.Unix() - 3600),
		"sessctl_app_status_timestamp_seconds{partition=bad\uFFFD\"\n}}": float64(t0.Unix()),
		"sessctl_app_status_timestamp_seconds{partition=}":               float64(t0.Unix()), // the default session ""
	})
	if len(got) != 3+1 { // + failed actions
		t.Errorf("%d series, want 4: %v", len(got), got)
	}
}

// The definitions follow Prometheus naming: valid names, counters and
// only counters end in _total, units in the name, no name twice.
func TestDefinitions(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range All {
		if seen[d.Name] {
			t.Errorf("%s defined twice", d.Name)
		}
		seen[d.Name] = true
		if !model.LegacyValidation.IsValidMetricName(d.Name) || !strings.HasPrefix(d.Name, "sessctl_") {
			t.Errorf("%s: not a valid sessctl metric name", d.Name)
		}
		if (d.Type == Counter) != strings.HasSuffix(d.Name, "_total") {
			t.Errorf("%s: a %s; _total is for counters only", d.Name, d.Type)
		}
		if strings.Contains(d.Name, "timestamp") && !strings.HasSuffix(d.Name, "_timestamp_seconds") {
			t.Errorf("%s: timestamps are in seconds", d.Name)
		}
		for _, l := range d.Labels {
			if !model.LegacyValidation.IsValidLabelName(l) {
				t.Errorf("%s: label %q", d.Name, l)
			}
		}
		if d.PerPartition != (len(d.Labels) > 0 && d.Labels[0] == "partition" && d.Source == Both) || d.PerPartition && d.Aggregate == "" {
			t.Errorf("%s: PerPartition and Aggregate disagree with its labels", d.Name)
		}
		if !Exported(d.Name) {
			t.Errorf("Exported(%s) = false", d.Name)
		}
	}
	if !Exported("sessctl_watch_cycle_duration_seconds_bucket") || Exported("sessctl_drift_findings_bucket") || Exported("sessctl_nope") {
		t.Error("Exported: histogram series wrong")
	}
}
