package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
	"github.com/sessctl/sessctl/state"
)

// Watcher is what the watch loop needs of a file-system notifier: watch
// directories (never single files: editors replace files by rename, which
// a watch on the file itself would lose) and deliver the paths that
// changed. NewFSWatcher is the fsnotify implementation; tests may fake it.
type Watcher interface {
	// Add watches a directory; adding one already watched is a no-op.
	Add(dir string) error
	// Remove stops watching a directory.
	Remove(dir string) error
	// Events delivers the path of every entry created, written, removed,
	// renamed or chmod-ed in a watched directory.
	Events() <-chan string
	// Errors delivers watcher failures (queue overflow): the loop then
	// resynchronises, since events may have been lost.
	Errors() <-chan error
	Close() error
}

// WatchEvent is one line of the watch log. Kind is what happened:
//
//	ready                the first cycle finished; watching
//	cycle                a cycle planned (and applied what differed)
//	invalid              the configuration has errors; nothing was changed
//	deferred             a configuration file vanished; the partitions it
//	                     declared are destroyed only if it is still gone
//	                     after DeleteGrace
//	error                planning or applying failed; retried after Retry
//	serial-port-added    a serial port appeared
//	serial-port-removed  a serial port disappeared
//	watch-error          the notifier failed (events may be lost; resync)
//	stopped              the loop ended (signal)
type WatchEvent struct {
	Time time.Time `json:"time"`
	Kind string    `json:"event"`
	// Trigger says what woke the cycle: start, change, resync, retry.
	Trigger string `json:"trigger,omitempty"`
	// Leading is set on what a leading (tentative) cycle logs: the first
	// save after an idle period, applied FirstSettle after its event.
	Leading bool `json:"leading,omitempty"`
	// Paths are the changed paths that woke it (first ten).
	Paths    []string      `json:"paths,omitempty"`
	Duration time.Duration `json:"-"`
	// Add, Change and Destroy count partitions applied; Unchanged the rest.
	Add       int `json:"add"`
	Change    int `json:"change"`
	Destroy   int `json:"destroy"`
	Unchanged int `json:"unchanged"`
	// Drift counts corrective findings; Repaired those applied.
	Drift    int `json:"drift"`
	Repaired int `json:"repaired"`
	// Partitions are the partitions applied, or whose serial selection
	// changed (first twenty).
	Partitions []string `json:"partitions,omitempty"`
	// Port is the serial port (serial-port-* only).
	Port string `json:"port,omitempty"`
	// Reload is how much of the configuration was decoded: none, partial,
	// full.
	Reload string `json:"reload,omitempty"`
	Error  string `json:"error,omitempty"`
	// Diagnostics counts the configuration's error diagnostics (invalid).
	Diagnostics int `json:"diagnostics,omitempty"`
	// Retry is the delay before the next attempt (error only).
	Retry time.Duration `json:"-"`
	// Findings counts Drift by partition; ConfigDigest and StateSerial
	// are the configuration's and the state's after a cycle (metrics
	// only).
	Findings     map[string]int `json:"-"`
	ConfigDigest string         `json:"-"`
	StateSerial  uint64         `json:"-"`
}

// MarshalJSON adds the durations in milliseconds.
func (e WatchEvent) MarshalJSON() ([]byte, error) {
	type plain WatchEvent
	return json.Marshal(struct {
		plain
		DurationMS float64 `json:"duration_ms"`
		RetryMS    float64 `json:"retry_ms,omitempty"`
	}{plain(e), float64(e.Duration.Microseconds()) / 1000, float64(e.Retry.Microseconds()) / 1000})
}

// WatchOptions configures Watch. Zero values take the documented defaults.
type WatchOptions struct {
	Engine *Engine
	// NewWatcher creates the notifier (default NewFSWatcher).
	NewWatcher func() (Watcher, error)
	// Settle is how long the loop waits after an event for more events
	// before it runs a cycle (default 50ms). A burst of saves closer
	// together than Settle gives one cycle; MaxSettle (default 1s) bounds
	// the wait under a continuous stream of events.
	Settle, MaxSettle time.Duration
	// FirstSettle (default 5ms) replaces Settle for the first event after
	// the loop has been idle for Settle: a single save is applied at
	// once instead of after the settle interval. Such a leading cycle is
	// tentative: if it finds the configuration invalid, a file other than
	// partition blocks changed (variables, locals, profiles, settings),
	// it would destroy a partition, or more events arrive before it
	// applies, it is dropped without a word and the usual cycle follows
	// Settle after the last event. A burst of saves therefore gives at
	// most two cycles. A value of Settle or more turns leading cycles
	// off.
	FirstSettle time.Duration
	// Resync is the period of the full resynchronisation (default 5m),
	// jittered by ±10% so that a fleet does not resync in step.
	Resync time.Duration
	// RetryMin and RetryMax bound the exponential backoff after a failed
	// cycle (defaults 500ms and 1m).
	RetryMin, RetryMax time.Duration
	// Devices reports device hotplug (serial ports, through the serial
	// selection provider) for the watch log; nil disables polling.
	Devices providers.DeviceWatcher
	// SerialPoll is the device polling interval (default 2s).
	SerialPoll time.Duration
	// DeleteGrace is how long a cycle that would destroy partitions
	// because a configuration file vanished waits for the file to come
	// back (default 1s): tools that save by delete-then-recreate must
	// not destroy sessions for the instant the file is missing.
	DeleteGrace time.Duration
	// Lock takes the writer lock for one apply and returns its release
	// (default: state's advisory lock, waiting up to LockTimeout).
	Lock        func(ctx context.Context, statePath string) (func(), error)
	LockTimeout time.Duration
	// Log receives every event (required).
	Log func(WatchEvent)
	// Diags receives configuration diagnostics with their sources.
	Diags func(cfg *schema.Config, diags hcl.Diagnostics)
}

func (o *WatchOptions) defaults() {
	if o.NewWatcher == nil {
		o.NewWatcher = NewFSWatcher
	}
	if o.Settle <= 0 {
		o.Settle = 50 * time.Millisecond
	}
	if o.FirstSettle <= 0 {
		o.FirstSettle = 5 * time.Millisecond
	}
	if o.MaxSettle <= 0 {
		o.MaxSettle = time.Second
	}
	if o.MaxSettle < o.Settle {
		o.MaxSettle = o.Settle
	}
	if o.Resync <= 0 {
		o.Resync = 5 * time.Minute
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 500 * time.Millisecond
	}
	if o.RetryMax <= 0 {
		o.RetryMax = time.Minute
	}
	if o.SerialPoll <= 0 {
		o.SerialPoll = 2 * time.Second
	}
	if o.DeleteGrace <= 0 {
		o.DeleteGrace = time.Second
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = 30 * time.Second
	}
	if o.Lock == nil {
		timeout := o.LockTimeout
		o.Lock = func(ctx context.Context, statePath string) (func(), error) {
			st, err := state.New(statePath, nil)
			if err != nil {
				return nil, err
			}
			lk, err := st.AcquireLock(ctx, timeout, "watch")
			if err != nil {
				return nil, err
			}
			return func() { _ = lk.Release() }, nil
		}
	}
	if o.Log == nil {
		o.Log = func(WatchEvent) {}
	}
	if o.Diags == nil {
		o.Diags = func(*schema.Config, hcl.Diagnostics) {}
	}
}

// Watch applies the configuration once, then keeps applying it whenever
// the configuration, a referenced file or the output directory changes,
// until ctx is cancelled. It is level-triggered: events only wake the
// loop, and each cycle plans everything against the world as it is. It
// returns nil when ctx ends, or an error when watching cannot start.
func Watch(ctx context.Context, o WatchOptions) error {
	o.defaults()
	if o.Engine == nil {
		return errors.New("watch: no engine")
	}
	w, err := o.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	l := &loop{o: o, w: w, watched: map[string]bool{}}
	if !l.start(ctx) {
		o.Log(WatchEvent{Time: time.Now(), Kind: "stopped"})
		return nil
	}
	return l.run(ctx)
}

// start runs the first cycle and warms the caches, then logs "ready" with
// the watched directories. It reports false when ctx ended meanwhile.
func (l *loop) start(ctx context.Context) bool {
	l.refreshWatches()
	l.cycle(ctx, "start", nil)
	l.warm(ctx)
	if ctx.Err() != nil {
		return false
	}
	ready := WatchEvent{Time: time.Now(), Kind: "ready"}
	l.lastActivity = ready.Time // idle from the moment ready is logged
	for d := range l.watched {
		ready.Paths = append(ready.Paths, d)
	}
	sort.Strings(ready.Paths)
	l.o.Log(ready)
	return true
}

// run is the loop after start: notifier events arm the settle timer,
// timers run cycles (settled changes, retries, the grace before a
// destroy, the periodic resync), until ctx ends.
func (l *loop) run(ctx context.Context) error {
	o, w := l.o, l.w
	l.settle = newStoppedTimer()
	retry := newStoppedTimer()
	grace := newStoppedTimer()
	resync := time.NewTimer(jitter(o.Resync))
	defer resync.Stop()
	var serialC <-chan time.Time
	if o.Devices != nil {
		t := time.NewTicker(o.SerialPoll)
		defer t.Stop()
		serialC = t.C
	}
	timed := func(trigger string) {
		start := time.Now()
		l.cycle(ctx, trigger, nil)
		l.afterCycle(start)
	}
	for {
		if l.retryIn > 0 {
			resetTimer(retry, l.retryIn)
			l.retryIn = 0
		} else if l.backoff == 0 {
			retry.Stop() // a later cycle succeeded: no retry pending
		}
		if l.graceIn > 0 {
			resetTimer(grace, l.graceIn)
			l.graceIn = 0
		}
		select {
		case <-ctx.Done():
			o.Log(WatchEvent{Time: time.Now(), Kind: "stopped"})
			return nil
		case p, ok := <-w.Events():
			if !ok {
				return errors.New("watch: the file-system notifier stopped")
			}
			l.event(p)
		case err, ok := <-w.Errors():
			if !ok {
				return errors.New("watch: the file-system notifier stopped")
			}
			o.Log(WatchEvent{Time: time.Now(), Kind: "watch-error", Error: err.Error()})
			l.lost = true // events may be lost: check everything
			l.leading = false
			resetTimer(l.settle, o.Settle)
		case <-l.settle.C:
			l.settled(ctx)
		case <-retry.C:
			timed("retry")
		case <-grace.C:
			timed("grace")
		case <-resync.C:
			timed("resync")
			resync.Reset(jitter(o.Resync))
		case <-serialC:
			l.pollSerial()
		}
	}
}

// settled runs the cycle for the paths that settled: the leading cycle of
// a burst, or the usual one.
func (l *loop) settled(ctx context.Context) {
	start := time.Now()
	paths := l.pending
	l.pending = nil
	if l.leading {
		l.leading = false
		first := l.firstPending
		if !l.cycleLeading(ctx, paths) {
			// Dropped: the usual cycle follows, Settle after the last
			// event, for the same paths; MaxSettle still counts from the
			// first of them.
			l.pending = mergePaths(paths, l.pending)
			l.firstPending = first
			l.armTrailing(time.Now())
		}
	} else {
		l.cycle(ctx, "change", paths)
	}
	l.afterCycle(start)
}

// event takes one path from the notifier: a relevant one is remembered
// and (re)arms the settle timer.
func (l *loop) event(p string) bool {
	if !l.relevant(p) {
		return false
	}
	now := time.Now()
	if len(l.pending) == 0 {
		l.firstPending = now
		// The first event after an idle period starts a tentative
		// cycle almost at once; events that keep coming within
		// FirstSettle of each other extend it, up to Settle after the
		// first, after which the wait is the usual trailing one.
		l.leading = l.o.FirstSettle < l.o.Settle && now.Sub(l.lastActivity) >= l.o.Settle
	}
	if len(l.pending) < 10 && !contains(l.pending, p) {
		l.pending = append(l.pending, p)
	}
	l.markDirty(p)
	l.lastActivity = now
	if l.leading && now.Sub(l.firstPending)+l.o.FirstSettle <= l.o.Settle {
		resetTimer(l.settle, l.o.FirstSettle)
		return true
	}
	l.leading = false
	l.armTrailing(now)
	return true
}

// armTrailing waits Settle after the last event, but no longer than
// MaxSettle after the first.
func (l *loop) armTrailing(now time.Time) {
	wait := l.o.Settle
	if rest := l.o.MaxSettle - now.Sub(l.firstPending); rest < wait {
		wait = max(rest, 0)
	}
	resetTimer(l.settle, wait)
}

// logCycle logs the outcome of a cycle; the loop is busy until then.
func (l *loop) logCycle(ev WatchEvent) {
	l.lastActivity = ev.Time
	l.o.Log(ev)
}

// afterCycle notes the end of a cycle: events that arrived while it ran
// (taken by drainEvents) wait for a trailing cycle, and the next event
// counts as a burst's unless Settle passes after the cycle's log line
// (or after now, for a cycle dropped without one).
func (l *loop) afterCycle(start time.Time) {
	if l.lastActivity.Before(start) {
		l.lastActivity = time.Now()
	}
	if len(l.pending) > 0 {
		l.leading = false
		l.armTrailing(l.lastActivity)
	}
}

// drainEvents takes the events that are already queued, without waiting,
// and says whether any of them was relevant.
func (l *loop) drainEvents() bool {
	any := false
	for {
		select {
		case p, ok := <-l.w.Events():
			if !ok {
				return any
			}
			if l.event(p) {
				any = true
			}
		default:
			return any
		}
	}
}

// cycleLeading runs a tentative cycle (see WatchOptions.FirstSettle). It
// returns false when the cycle was dropped before writing anything.
func (l *loop) cycleLeading(ctx context.Context, paths []string) bool {
	l.tentative = true
	defer func() { l.tentative = false }()
	return l.cycle(ctx, "change", paths) != cycleDropped
}

func mergePaths(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, p := range b {
		if len(out) < 10 && !contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

type loop struct {
	o       WatchOptions
	w       Watcher
	watched map[string]bool
	// interest are the exact paths whose events wake the loop, beside
	// configuration files in the configuration directory and the paths
	// of the partitions (parts).
	interest map[string]bool
	// parts are the partitions' paths: files they read, and effect paths
	// (download directories, dictionaries) that, with the output
	// directory, make up what the engine's world check covers.
	parts partPaths
	// missing are watched-for directories that do not exist yet.
	missing   map[string]bool
	configDir string
	outDir    string
	// complete is set when every directory the world check needs is
	// watched (the engine may then trust events, see Engine.Observe).
	complete bool
	// dirty are the relevant paths seen since the last cycle; dirtyAll
	// replaces them when there were too many; lost is set after a
	// notifier error.
	dirty          map[string]bool
	dirtyAll, lost bool
	backoff        time.Duration
	retryIn        time.Duration
	// deferred is set while a cycle waits for a vanished configuration
	// file (DeleteGrace); graceIn asks the loop to arm the timer.
	deferred bool
	graceIn  time.Duration

	// Debounce: the settle timer, the paths that woke it (first ten),
	// when the first of them and the last event or cycle happened, and
	// whether the timer runs a tentative leading cycle.
	settle       *time.Timer
	pending      []string
	firstPending time.Time
	lastActivity time.Time
	leading      bool
	tentative    bool
	// warned are the warnings printed since the last full reload (see
	// unseen).
	warned map[string]bool
}

// unseen returns the diagnostics to print: every error, and the warnings
// not printed before (by file, line and text), so that a save does not
// repeat the warnings of the whole configuration each time it is
// reloaded. A full reload's warnings replace the remembered ones, so a
// warning that went away and came back is printed again.
func (l *loop) unseen(diags hcl.Diagnostics, full bool) hcl.Diagnostics {
	var out hcl.Diagnostics
	now := map[string]bool{}
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d)
			continue
		}
		k := d.Summary + "\x00" + d.Detail
		if d.Subject != nil {
			k += "\x00" + d.Subject.Filename + "\x00" + strconv.Itoa(d.Subject.Start.Line)
		}
		now[k] = true
		if !l.warned[k] {
			out = append(out, d)
		}
	}
	if diags.HasErrors() {
		return out // an invalid load says nothing of what stays
	}
	if full || l.warned == nil {
		l.warned = now
	} else {
		for k := range now {
			l.warned[k] = true
		}
	}
	return out
}

// testHookBeforeDrain, when set by a test, runs in a tentative cycle after
// planning, before queued events are drained.
var testHookBeforeDrain func(*loop)

// cycleResult is how one planning attempt ended.
type cycleResult int

const (
	cycleDone    cycleResult = iota // applied, or nothing to apply, or logged a failure
	cycleStale                      // another writer applied meanwhile: plan again
	cycleDropped                    // a tentative cycle gave way to the trailing one
)

// cycle plans and applies once. Planning runs without the lock; the lock
// is held only around the apply. A cycle whose context ends before the
// apply starts is abandoned; an apply that started is finished.
func (l *loop) cycle(ctx context.Context, trigger string, paths []string) cycleResult {
	for attempt := 0; attempt < 3; attempt++ {
		if r := l.cycleOnce(ctx, trigger, paths); r != cycleStale {
			return r
		}
		trigger = "stale" // another writer applied meanwhile: plan again now
	}
	return cycleDone
}

// warm re-checks the world once the watches are in place, so that the
// engine can trust events from then on: without it, the first change
// after start would pay for checking every profile by content (the start
// cycle ran before the output directory was watched). It logs nothing
// unless the world changed meanwhile, which a normal cycle then applies.
func (l *loop) warm(ctx context.Context) {
	if !l.complete || ctx.Err() != nil {
		return
	}
	e := l.o.Engine
	e.Observe(nil, true)
	p, err := e.Plan(true)
	if err == nil && p.Plan != nil && p.Plan.HasChanges() {
		l.cycle(ctx, "start", nil)
	}
}

// cycleOnce plans and applies once. A tentative cycle (l.tentative) is
// dropped, silently and before writing anything, when its outcome could
// be an artefact of a save still in progress: an invalid configuration,
// a changed global file, a destroyed partition, or more events queued
// before the apply.
func (l *loop) cycleOnce(ctx context.Context, trigger string, paths []string) cycleResult {
	e := l.o.Engine
	start := time.Now()
	ev := WatchEvent{Kind: "cycle", Trigger: trigger, Paths: paths, Leading: l.tentative}
	full := trigger == "resync" || l.lost || l.dirtyAll
	e.Observe(l.dirtyPaths(), l.complete)
	l.dirty, l.dirtyAll, l.lost = nil, false, false
	p, err := e.Plan(full)
	ev.Reload = e.LastStats.Reload
	if err != nil {
		if l.tentative {
			return cycleDropped
		}
		l.fail(ev, start, err)
		return cycleDone
	}
	if l.tentative && (p.Diags.HasErrors() || p.Plan == nil || e.LastStats.Reload == "full" ||
		hasDeletes(p.Plan) && len(e.LastStats.FilesGone) == 0 && !l.deferred) {
		// Only edits of partition blocks and referenced files are
		// applied tentatively: a variables, locals or settings file
		// caught half written can be valid and mean something else
		// (no output attribute: every profile moves to the default
		// directory). A vanished (or emptied) file goes on to the
		// deferral below, which the trailing cycle could no longer
		// tell: this cycle's load already forgot the file.
		return cycleDropped
	}
	if ds := l.unseen(p.Diags, ev.Reload == "full"); len(ds) > 0 {
		l.o.Diags(p.Config, ds)
	}
	if p.Diags.HasErrors() || p.Plan == nil {
		l.invalid(ev, p.Diags, start)
		return cycleDone
	}
	plan := p.Plan
	ev.Drift = CountFindings(plan)
	ev.Findings = FindingsByPartition(plan)
	ev.Unchanged = plan.Unchanged
	if gone := e.LastStats.FilesGone; hasDeletes(plan) && trigger != "grace" && (len(gone) > 0 || l.deferred) {
		l.deferDestroy(ev, gone, start)
		return cycleDone
	}
	if l.tentative && plan.HasChanges() && ctx.Err() == nil {
		// Events queued meanwhile mean the save is still going on.
		// They are judged against the paths of the configuration just
		// loaded (a preload it names for the first time is one).
		if testHookBeforeDrain != nil {
			testHookBeforeDrain(l)
		}
		l.refreshWatches()
		if l.drainEvents() {
			return cycleDropped
		}
	}
	if trigger == "grace" || !hasDeletes(plan) {
		l.deferred = false
	}
	if plan.HasChanges() {
		if r, done := l.apply(ctx, &ev, p, start); done {
			return r
		}
	}
	l.backoff = 0
	l.refreshWatches()
	if e.snap != nil {
		ev.ConfigDigest, ev.StateSerial = e.snap.ConfigDigest, e.snap.Serial
	}
	ev.Time, ev.Duration = time.Now(), time.Since(start)
	l.logCycle(ev)
	return cycleDone
}

// invalid logs a cycle whose configuration has errors.
func (l *loop) invalid(ev WatchEvent, diags hcl.Diagnostics, start time.Time) {
	ev.Kind = "invalid"
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			ev.Diagnostics++
		}
	}
	ev.Time, ev.Duration = time.Now(), time.Since(start)
	l.logCycle(ev)
	l.refreshWatches() // a new referenced file may fix it
}

// deferDestroy holds back a cycle that would destroy the partitions of a
// vanished file: a delete-then-recreate save gets time to finish. Other
// cycles meanwhile wait for the grace cycle too.
func (l *loop) deferDestroy(ev WatchEvent, gone []string, start time.Time) {
	if !l.deferred {
		l.deferred = true
		l.graceIn = l.o.DeleteGrace
	}
	ev.Kind = "deferred"
	ev.Paths = gone
	ev.Retry = l.o.DeleteGrace
	ev.Time, ev.Duration = time.Now(), time.Since(start)
	l.logCycle(ev)
}

// apply takes the state lock and applies p, recording what it did in ev.
// done is true when the cycle ends here (abandoned, failed, or stale),
// with r its result.
func (l *loop) apply(ctx context.Context, ev *WatchEvent, p *Planned, start time.Time) (r cycleResult, done bool) {
	if ctx.Err() != nil {
		return cycleDone, true // abandoned before anything was written
	}
	release, err := l.o.Lock(ctx, p.Plan.StatePath)
	if err != nil {
		if ctx.Err() == nil {
			l.fail(*ev, start, err)
		}
		return cycleDone, true
	}
	res, err := l.o.Engine.Apply(p)
	release()
	if errors.Is(err, ErrStalePlan) {
		return cycleStale, true
	}
	if err != nil {
		l.fail(*ev, start, err)
		return cycleDone, true
	}
	ev.Add, ev.Change, ev.Destroy = res.Add, res.Change, res.Destroy
	ev.Repaired = ev.Drift
	for _, c := range p.Plan.Changes {
		if len(ev.Partitions) < 20 {
			ev.Partitions = append(ev.Partitions, c.Partition)
		}
	}
	return cycleDone, false
}

func (l *loop) fail(ev WatchEvent, start time.Time, err error) {
	if l.backoff == 0 {
		l.backoff = l.o.RetryMin
	} else {
		l.backoff = min(l.backoff*2, l.o.RetryMax)
	}
	l.retryIn = l.backoff
	ev.Kind = "error"
	ev.Error = err.Error()
	ev.Retry = l.backoff
	ev.Time, ev.Duration = time.Now(), time.Since(start)
	l.logCycle(ev)
}

// refreshWatches computes the directories to watch from the engine's last
// good configuration and adds the missing ones. A directory that does not
// exist yet is replaced by its nearest existing ancestor, so that its
// creation wakes the loop.
func (l *loop) refreshWatches() {
	e := l.o.Engine
	interest := map[string]bool{}
	dirs := map[string]bool{}
	addFile := func(p string) {
		if p == "" {
			return
		}
		p = filepath.Clean(p)
		interest[p] = true
		dirs[filepath.Dir(p)] = true
	}
	cfgPath, _ := filepath.Abs(e.req.Load.Path)
	if st, err := os.Stat(cfgPath); err == nil && !st.IsDir() {
		addFile(cfgPath)
		l.configDir = ""
	} else {
		l.configDir = cfgPath
		dirs[cfgPath] = true
	}
	for _, vf := range e.req.Load.VarFiles {
		if abs, err := filepath.Abs(vf); err == nil {
			addFile(abs)
		}
	}
	if cfg := e.Config(); cfg != nil {
		for _, in := range cfg.Inputs {
			addFile(in.Path)
		}
	}
	l.parts.sync(e.Desired())
	for d := range l.parts.dirs {
		dirs[d] = true
	}
	if out := e.Locations().OutputDir; out != "" {
		l.outDir = filepath.Clean(out)
		dirs[l.outDir] = true
	}
	l.interest = interest
	missing := map[string]bool{}
	l.missing = missing
	const maxDirs = 4096 // inotify watches are a per-user resource
	n := 0
	complete := true
	for _, d := range sortedKeys(dirs) {
		if n >= maxDirs {
			complete = false
			break
		}
		target := nearestExisting(d)
		if target == "" {
			complete = false
			continue
		}
		if target != d {
			missing[d] = true // its creation is a change
			complete = false
		}
		// Add every cycle: a directory deleted and recreated lost its
		// watch, and re-adding a live watch is a no-op.
		if err := l.w.Add(target); err == nil {
			l.watched[target] = true
			n++
		} else {
			complete = false
		}
	}
	l.complete = complete
}

// partPaths are the paths the desired partitions make the loop watch:
// the files their providers read (interest) and the paths of their side
// effects (world, and interest too), with the directories holding them,
// each counted once per partition that needs it. sync updates them for
// the partitions whose Desired changed since the last call, so that a
// cycle that changed one partition of 10,000 costs one partition's paths
// and a pass over the names.
type partPaths struct {
	of                    map[string]partEntry
	interest, world, dirs map[string]int
}

type partEntry struct {
	d      *Desired
	inputs []string // cleaned
	effect []string // cleaned
}

func (pp *partPaths) sync(desired map[string]*Desired) {
	if pp.of == nil {
		pp.of = make(map[string]partEntry, len(desired))
		pp.interest, pp.world, pp.dirs = map[string]int{}, map[string]int{}, map[string]int{}
	}
	for name, d := range desired {
		old, ok := pp.of[name]
		if ok && old.d == d {
			continue
		}
		if ok {
			pp.count(old, -1)
		}
		pe := partEntry{d: d}
		for _, in := range d.Inputs {
			if in.Path != "" {
				pe.inputs = append(pe.inputs, filepath.Clean(in.Path))
			}
		}
		for _, eff := range d.Effects {
			if eff.Path != "" {
				pe.effect = append(pe.effect, filepath.Clean(eff.Path))
			}
		}
		pp.count(pe, +1)
		pp.of[name] = pe
	}
	if len(pp.of) > len(desired) {
		for name, pe := range pp.of {
			if _, ok := desired[name]; !ok {
				pp.count(pe, -1)
				delete(pp.of, name)
			}
		}
	}
}

func (pp *partPaths) count(pe partEntry, delta int) {
	bump := func(m map[string]int, k string) {
		if m[k] += delta; m[k] <= 0 {
			delete(m, k)
		}
	}
	for _, p := range pe.inputs {
		bump(pp.interest, p)
		bump(pp.dirs, filepath.Dir(p))
	}
	for _, p := range pe.effect {
		bump(pp.interest, p)
		bump(pp.world, p)
		bump(pp.dirs, filepath.Dir(p))
	}
}

// interesting says whether events for p wake the loop (besides
// configuration files and the output directory).
func (l *loop) interesting(p string) bool {
	return l.interest[p] || l.parts.interest[p] > 0
}

// markDirty remembers a relevant path of the world (output directory,
// effect paths) for the engine's next plan. Configuration and referenced
// files need no such note: the engine compares them by stamp and digest
// every cycle.
func (l *loop) markDirty(p string) {
	p = filepath.Clean(p)
	if l.dirtyAll || !(filepath.Dir(p) == l.outDir || l.parts.world[p] > 0) {
		return
	}
	if len(l.dirty) >= 10000 {
		l.dirty, l.dirtyAll = nil, true
		return
	}
	if l.dirty == nil {
		l.dirty = map[string]bool{}
	}
	l.dirty[p] = true
}

func (l *loop) dirtyPaths() []string {
	out := make([]string, 0, len(l.dirty))
	for p := range l.dirty {
		out = append(out, p)
	}
	return out
}

func nearestExisting(d string) string {
	for {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// relevant filters events: configuration files of the configuration
// directory, referenced files, effect paths, and files of the output
// directory whose content differs from what was written. Editor swap and
// backup files, sessctl's own temporary files and its own writes do not
// wake the loop.
func (l *loop) relevant(p string) bool {
	p = filepath.Clean(p)
	dir, base := filepath.Dir(p), filepath.Base(p)
	if fsx.IsTempName(base) {
		return false
	}
	if dir == l.outDir && !l.interesting(p) {
		e := l.o.Engine
		if !e.Owns(p) {
			return false // not ours (the adapter's status/, other files)
		}
		st, err := os.Lstat(p)
		if err != nil || !st.Mode().IsRegular() {
			return true
		}
		if e.OwnWrite(p, st) {
			return false
		}
		want, _ := e.WrittenSHA(p)
		got, err := fileSHA256(p)
		return err != nil || got != want
	}
	if l.interesting(p) {
		return true
	}
	for q := range l.missing { // a directory on the way to a referenced file appeared
		if q == p || strings.HasPrefix(q, p+string(filepath.Separator)) {
			return true
		}
	}
	if dir == l.configDir && !strings.HasPrefix(base, ".") && (strings.HasSuffix(base, ".hcl") || strings.HasSuffix(base, ".hcl.json")) {
		return true
	}
	return false
}

// pollSerial asks the device watcher what appeared or went and logs it,
// with the partitions whose selection changed.
func (l *loop) pollSerial() {
	events := l.o.Devices.Poll(func(yield func(name, digest string, fields map[string]json.RawMessage)) {
		for name, d := range l.o.Engine.Desired() {
			yield(name, d.Digest, d.Fields)
		}
	})
	now := time.Now()
	for _, e := range events {
		l.o.Log(WatchEvent{Time: now, Kind: e.Kind, Port: e.Device, Partitions: e.Partitions})
	}
}

func hasDeletes(p *Plan) bool {
	for _, c := range p.Changes {
		if c.Action == Delete {
			return true
		}
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
}

func newStoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// resetTimer restarts t (Go 1.23+ timers need no draining).
func resetTimer(t *time.Timer, d time.Duration) { t.Reset(d) }
