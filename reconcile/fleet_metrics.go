package reconcile

import (
	"path/filepath"
	"time"

	"github.com/sessctl/sessctl/internal/actionq"
	"github.com/sessctl/sessctl/internal/telemetry"
)

// FindingsByPartition counts plan's corrective drift findings by
// partition (index.json, which names no partition, is not counted).
func FindingsByPartition(plan *Plan) map[string]int {
	out := map[string]int{}
	for _, c := range plan.Changes {
		if n := len(c.Findings); n > 0 {
			out[c.Partition] += n
		}
	}
	return out
}

// recordedPartitions counts the partitions recorded once plan is applied.
func recordedPartitions(plan *Plan) int {
	n := plan.Unchanged
	for _, c := range plan.Changes {
		if c.Action != Delete {
			n++
		}
	}
	return n
}

// AppliedTelemetry is what a successful apply of plan (res; nil when the
// plan had nothing to do) reports in the metrics. configPath locates the
// configuration's Git checkout.
func AppliedTelemetry(plan *Plan, res *Applied, configPath string, at time.Time) telemetry.Apply {
	a := telemetry.Apply{Time: at, Success: true, Partitions: recordedPartitions(plan), Drift: FindingsByPartition(plan),
		Revision: telemetry.GitRevision(configPath), Digest: plan.ConfigDigest, StateSerial: plan.StateSerial}
	if res != nil {
		a.Add, a.Change, a.Destroy, a.StateSerial = res.Add, res.Change, res.Destroy, res.Serial
	}
	return a
}

// ReadAppTelemetry reads what the app's status files and the action queue
// of outDir say, for the metrics. Like the event counts, it reads at most
// maxMetricStatusFiles status files; unreadable ones are skipped (drift
// reports them). nil when outDir is "".
func ReadAppTelemetry(outDir string) *telemetry.App {
	if outDir == "" {
		return nil
	}
	app := &telemetry.App{StatusTime: map[string]time.Time{}, Pending: map[string]int{}}
	statusDir := filepath.Join(outDir, StatusDir)
	if names, err := metricStatusFiles(statusDir); err == nil {
		for _, n := range names {
			s, err := ReadAppStatus(filepath.Join(statusDir, n))
			if err != nil {
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, s.UpdatedAt)
			if err != nil {
				continue
			}
			// Two files naming one partition: the app heard from last.
			if old, ok := app.StatusTime[s.Partition]; !ok || t.After(old) {
				app.StatusTime[s.Partition] = t
			}
		}
	}
	views, err := actionq.Status(outDir, statusDir)
	if err != nil {
		return app
	}
	for _, v := range views {
		switch v.State {
		case "pending", "running":
			app.Pending[v.Partition]++
			if t, err := time.Parse(time.RFC3339Nano, v.QueuedAt); err == nil && (app.OldestPending.IsZero() || t.Before(app.OldestPending)) {
				app.OldestPending = t
			}
		case "failed":
			if len(v.RetriedBy) == 0 {
				app.Failed++
			}
		}
	}
	return app
}
