package reconcile

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sessctl/sessctl/internal/telemetry"
)

// AppEventNames are the Session events the Electron adapter counts
// (adapters/electron/lib/events.js EVENT_NAMES; docs/electron-adapter.md
// "Events"). The metric has a series for each of them and no other, so a
// status file cannot grow the number of series.
var AppEventNames = []string{
	"will-download", "extension-loaded", "extension-unloaded", "extension-ready", "preconnect",
	"spellcheck-dictionary-initialized", "spellcheck-dictionary-download-begin",
	"spellcheck-dictionary-download-success", "spellcheck-dictionary-download-failure",
	"select-serial-port", "display-media-request", "serial-port-added", "serial-port-removed", "serial-port-revoked",
	"hid-device-added", "hid-device-removed", "hid-device-revoked",
	"usb-device-added", "usb-device-removed", "usb-device-revoked", "preload-error",
}

// maxMetricStatusFiles bounds the status files one scrape reads.
const maxMetricStatusFiles = 10000

// metricStatusFiles lists the status files of statusDir the metrics read:
// regular *.json files not starting with ".", the first
// maxMetricStatusFiles the directory lists, sorted by name.
func metricStatusFiles(statusDir string) ([]string, error) {
	entries, err := os.ReadDir(statusDir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
		if len(names) == maxMetricStatusFiles {
			break
		}
	}
	sort.Strings(names)
	return names, nil
}

// AppEventsCollector exports the adapter's event counts at scrape time:
// sessctl_app_session_events_total{partition, event}, read from the
// status files in outDir()/status. The counts are the app's since it
// started, so they reset when the app restarts, as Prometheus counters may.
type AppEventsCollector struct {
	outDir func() string
	desc   *prometheus.Desc
}

// NewAppEventsCollector returns a collector reading the status files of
// the output directory outDir returns ("" while unknown). outDir is called
// from the scraping goroutine.
func NewAppEventsCollector(outDir func() string) *AppEventsCollector {
	return &AppEventsCollector{outDir: outDir, desc: telemetry.AppSessionEvents.Desc(true)}
}

// Describe implements prometheus.Collector.
func (c *AppEventsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector. Unreadable status files are
// skipped (drift reports them); a partition named by two files is
// counted once, from the first file by name.
func (c *AppEventsCollector) Collect(ch chan<- prometheus.Metric) {
	dir := c.outDir()
	if dir == "" {
		return
	}
	names, err := metricStatusFiles(filepath.Join(dir, StatusDir))
	if err != nil {
		return
	}
	seen := map[string]bool{}
	for _, n := range names {
		s, err := ReadAppStatus(filepath.Join(dir, StatusDir, n))
		if err != nil || s.Events == nil {
			continue
		}
		part := telemetry.LabelValue(s.Partition)
		if seen[part] {
			continue
		}
		seen[part] = true
		for _, ev := range AppEventNames {
			m, err := prometheus.NewConstMetric(c.desc, prometheus.CounterValue, float64(s.Events.Counts[ev]), part, ev)
			if err == nil {
				ch <- m
			}
		}
	}
}
