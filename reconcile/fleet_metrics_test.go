package reconcile

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/actionq"
)

// The app's view for the metrics: status times by partition (bad files
// skipped, the newest of two files naming one partition), pending and
// running actions by partition with the oldest queue time, failed ones
// that were not retried.
func TestReadAppTelemetry(t *testing.T) {
	if ReadAppTelemetry("") != nil {
		t.Fatal("no output directory: want nil (nothing measured)")
	}
	out := t.TempDir()
	if a := ReadAppTelemetry(out); a == nil || len(a.StatusTime) != 0 || len(a.Pending) != 0 || a.Failed != 0 || !a.OldestPending.IsZero() {
		t.Fatalf("empty output directory: %+v", a)
	}
	st := filepath.Join(out, StatusDir)
	if err := os.MkdirAll(filepath.Join(st, actionq.ResultsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(st, "a.json"), `{"format_version": 1, "partition": "persist:a", "updated_at": "2026-11-26T01:02:03.470Z"}`)
	mustWrite(t, filepath.Join(st, "a2.json"), `{"format_version": 1, "partition": "persist:a", "updated_at": "2026-11-26T01:05:00Z"}`)
	mustWrite(t, filepath.Join(st, "b.json"), `{"format_version": 1, "partition": "persist:b", "updated_at": "yesterday"}`)
	mustWrite(t, filepath.Join(st, "c.json"), `{"format_version": 2, "partition": "persist:c", "updated_at": "2026-11-26T01:05:00Z"}`)

	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	queue := func(part string, at time.Time) string {
		e, err := actionq.Append(out, actionq.Entry{Partition: part, Action: "clear-cache"}, at)
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	result := func(id, state string) {
		mustWrite(t, filepath.Join(st, actionq.ResultsDir, id+".json"), `{"state": "`+state+`", "error": null}`)
	}
	done := queue("persist:a", t0)
	result(done, "done")
	running := queue("persist:a", t0.Add(time.Minute))
	result(running, "running")
	queue("persist:b", t0.Add(2*time.Minute)) // pending
	failed := queue("persist:b", t0.Add(3*time.Minute))
	result(failed, "failed")
	failedAgain := queue("persist:b", t0.Add(4*time.Minute))
	result(failedAgain, "failed")
	if _, err := actionq.Append(out, actionq.Entry{Partition: "persist:b", Action: "clear-cache", RetryOf: failedAgain}, t0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}

	a := ReadAppTelemetry(out)
	wantTime := time.Date(2026, 11, 26, 1, 5, 0, 0, time.UTC)
	if len(a.StatusTime) != 1 || !a.StatusTime["persist:a"].Equal(wantTime) {
		t.Errorf("status times %v, want only persist:a at %v", a.StatusTime, wantTime)
	}
	if a.Pending["persist:a"] != 1 || a.Pending["persist:b"] != 2 || len(a.Pending) != 2 {
		t.Errorf("pending %v, want persist:a 1 (running), persist:b 2 (pending, the retry)", a.Pending)
	}
	if !a.OldestPending.Equal(t0.Add(time.Minute)) {
		t.Errorf("oldest pending %v, want the running one's %v (done ones do not count)", a.OldestPending, t0.Add(time.Minute))
	}
	if a.Failed != 1 {
		t.Errorf("failed %d, want 1 (the retried failure is not counted)", a.Failed)
	}
}
