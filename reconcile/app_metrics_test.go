package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The adapter's event counts are exported per partition and event; bad
// files are skipped, unknown event names are not series, a partition
// named twice is counted once.
func TestAppEventsCollector(t *testing.T) {
	out := t.TempDir()
	dir := ""
	c := NewAppEventsCollector(func() string { return dir })
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Fatalf("no output directory yet: %d series", n)
	}
	dir = out
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Fatalf("no status directory: %d series", n)
	}
	st := filepath.Join(out, StatusDir)
	if err := os.Mkdir(st, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(st, "a.json"), `{"format_version": 1, "partition": "persist:a",
		"events": {"counts": {"will-download": 3, "spellcheck-dictionary-download-failure": 1, "made-up": 99}, "recent": []}}`)
	mustWrite(t, filepath.Join(st, "b.json"), `{"format_version": 1, "partition": "persist:a", "events": {"counts": {"will-download": 7}}}`)
	mustWrite(t, filepath.Join(st, "c.json"), `{not json`)
	mustWrite(t, filepath.Join(st, ".d.json.tmp"), `{"format_version": 1, "partition": "tmp", "events": {"counts": {}}}`)
	if n := testutil.CollectAndCount(c); n != len(AppEventNames) {
		t.Fatalf("%d series, want %d (one partition, every event)", n, len(AppEventNames))
	}
	want := `
# HELP sessctl_app_session_events_total Session events the Electron app recorded since it started, by partition and event (the adapter's status files; resets when the app restarts).
# TYPE sessctl_app_session_events_total counter
`
	for _, ev := range AppEventNames {
		v := "0"
		switch ev {
		case "will-download":
			v = "3"
		case "spellcheck-dictionary-download-failure":
			v = "1"
		}
		want += `sessctl_app_session_events_total{event="` + ev + `",partition="persist:a"} ` + v + "\n"
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	// It registers and gathers (no duplicate series).
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	if _, err := reg.Gather(); err != nil {
		t.Fatal(err)
	}
}
