package telemetry

import (
	"math"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sessctl/sessctl/internal/buildinfo"
)

// Apply is what one apply (or watch cycle) did.
type Apply struct {
	// Time is when it ended.
	Time    time.Time
	Success bool
	// Add, Change and Destroy count the partitions it applied (0 on
	// failure).
	Add, Change, Destroy int
	// The rest is known only after a success.
	//
	// Partitions counts the partitions recorded afterwards.
	Partitions int
	// Drift counts the corrective findings by partition.
	Drift map[string]int
	// Revision is the Git commit of the configuration's checkout ("" when
	// none); Digest the configuration's input digest.
	Revision, Digest string
	StateSerial      uint64
}

// App is what the Electron app's status files and the action queue of an
// output directory say.
type App struct {
	// StatusTime is each partition's status file's updated_at.
	StatusTime map[string]time.Time
	// Pending counts the pending or running actions by partition.
	Pending map[string]int
	// OldestPending is when the oldest of them was queued (zero: none).
	OldestPending time.Time
	// Failed counts failed actions not retried.
	Failed int
}

// MaxLabelBytes bounds a label value taken from a file (a partition name
// from a status file): longer values are cut at a UTF-8 boundary.
const MaxLabelBytes = 256

// LabelValue makes s a label value: valid UTF-8, at most MaxLabelBytes.
func LabelValue(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > MaxLabelBytes {
		s = strings.ToValidUTF8(s[:MaxLabelBytes], "")
	}
	return s
}

// Collector exports the metrics of the last apply and of the app (every
// Def whose Source is Both). Record feeds it the applies; the app's view
// is read at collection time from the function given to NewCollector.
type Collector struct {
	perPartition bool
	app          func() *App
	version      string
	descs        map[*Def]*prometheus.Desc

	mu   sync.Mutex
	last *Apply // the last apply, successful or not
	good *Apply // the last successful one
}

// NewCollector returns a collector. perPartition=false exports the
// PerPartition metrics without their partition label, aggregated. app
// (may be nil, or return nil while the output directory is unknown) is
// called at each collection.
func NewCollector(perPartition bool, app func() *App) *Collector {
	c := &Collector{perPartition: perPartition, app: app, version: buildinfo.Read().Version, descs: map[*Def]*prometheus.Desc{}}
	for _, d := range All {
		if d.Source == Both {
			c.descs[d] = d.Desc(perPartition)
		}
	}
	return c
}

// Record sets the last apply.
func (c *Collector) Record(a Apply) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = &a
	if a.Success {
		c.good = &a
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range All {
		if d.Source == Both {
			ch <- c.descs[d]
		}
	}
}

// groups of metrics measured together: a failed apply measures only the
// first; the app's view may be unknown.
var (
	lastGroup = []*Def{LastApplyTimestamp, LastApplySuccess, ApplyChanges}
	goodGroup = []*Def{LastApplySuccessTimestamp, Partitions, DriftFindings, ConfigInfo, StateSerial}
	appGroup  = []*Def{AppStatusTimestamp, PendingActions, OldestPendingAction, FailedActions}
)

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.collect(ch)
}

// collect sends the metrics and returns the names of the groups it
// measured (what a textfile must not carry over from its last version).
func (c *Collector) collect(ch chan<- prometheus.Metric) map[string]bool {
	c.mu.Lock()
	last, good := c.last, c.good
	c.mu.Unlock()
	measured := map[string]bool{}
	mark := func(g []*Def) {
		for _, d := range g {
			measured[d.Name] = true
		}
	}
	gauge := func(d *Def, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(c.descs[d], prometheus.GaugeValue, v, labels...)
	}
	// byPartition exports one series per partition, or their aggregate.
	byPartition := func(d *Def, m map[string]float64, agg func(acc, v float64) float64) {
		// Partition names cut to the same label value are one series.
		byLabel := map[string]float64{}
		for p, v := range m {
			l := LabelValue(p)
			if old, ok := byLabel[l]; ok {
				v = agg(old, v)
			}
			byLabel[l] = v
		}
		if c.perPartition {
			for l, v := range byLabel {
				gauge(d, v, l)
			}
			return
		}
		first, acc := true, 0.0
		for _, v := range byLabel {
			if first {
				acc, first = v, false
			} else {
				acc = agg(acc, v)
			}
		}
		if !first {
			gauge(d, acc)
		}
	}
	sum := func(a, b float64) float64 { return a + b }
	least := func(a, b float64) float64 { return math.Min(a, b) }
	if last != nil {
		mark(lastGroup)
		gauge(LastApplyTimestamp, unix(last.Time))
		ok := 0.0
		if last.Success {
			ok = 1
		}
		gauge(LastApplySuccess, ok)
		gauge(ApplyChanges, float64(last.Add), "add")
		gauge(ApplyChanges, float64(last.Change), "change")
		gauge(ApplyChanges, float64(last.Destroy), "destroy")
	}
	if good != nil {
		mark(goodGroup)
		gauge(LastApplySuccessTimestamp, unix(good.Time))
		gauge(Partitions, float64(good.Partitions))
		drift := map[string]float64{}
		for p, n := range good.Drift {
			if n > 0 {
				drift[p] = float64(n)
			}
		}
		byPartition(DriftFindings, drift, sum)
		gauge(ConfigInfo, 1, LabelValue(good.Revision), LabelValue(good.Digest), LabelValue(c.version))
		gauge(StateSerial, float64(good.StateSerial))
	}
	var app *App
	if c.app != nil {
		app = c.app()
	}
	if app != nil {
		mark(appGroup)
		ts := map[string]float64{}
		for p, t := range app.StatusTime {
			ts[p] = unix(t)
		}
		byPartition(AppStatusTimestamp, ts, least)
		pend := map[string]float64{}
		for p, n := range app.Pending {
			if n > 0 {
				pend[p] = float64(n)
			}
		}
		byPartition(PendingActions, pend, sum)
		if !app.OldestPending.IsZero() {
			gauge(OldestPendingAction, unix(app.OldestPending))
		}
		gauge(FailedActions, float64(app.Failed))
	}
	return measured
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
