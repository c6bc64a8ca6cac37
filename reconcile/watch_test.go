package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	_ "github.com/sessctl/sessctl/providers/all"
	"github.com/sessctl/sessctl/providers/serialsel"
	"github.com/sessctl/sessctl/schema"
	"github.com/sessctl/sessctl/serial"
	"github.com/sessctl/sessctl/state"
)

// Every wait in these tests polls a condition until a deadline; none
// sleeps a fixed time and hopes. The deadline is generous because CI
// machines can be slow; a passing run returns as soon as the condition
// holds.
const watchDeadline = 30 * time.Second

// wenv is a configuration directory watched by a running Watch.
type wenv struct {
	t      *testing.T
	dir    string // root: cfg/, out/, state/ below
	cfg    string
	out    string
	state  string
	req    Request
	mu     sync.Mutex
	events []WatchEvent
	diags  []hcl.Diagnostics
	cancel context.CancelFunc
	done   chan error
	opts   WatchOptions
}

const wPreload = "// v1\nwindow.x = 1;\n"

func wMain(ua string) string {
	return fmt.Sprintf(`partition "persist:a" {
  user_agent = %q
  preload "main" {
    path = "${path.config}/preload.js"
  }
}

partition "persist:b" {
  user_agent = "B/1"
}
`, ua)
}

func newWenv(t *testing.T, files map[string]string) *wenv {
	t.Helper()
	dir := t.TempDir()
	w := &wenv{t: t, dir: dir, cfg: filepath.Join(dir, "cfg"), out: filepath.Join(dir, "out"), state: filepath.Join(dir, "state", "state.db")}
	if err := os.MkdirAll(w.cfg, 0o755); err != nil {
		t.Fatal(err)
	}
	settings := fmt.Sprintf("sessctl {\n  output = %q\n}\n", w.out)
	if err := os.WriteFile(filepath.Join(w.cfg, "settings.hcl"), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		w.write(name, content)
	}
	environ := []string{"HOME=" + dir, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	w.req = Request{Load: schema.LoadOptions{Path: w.cfg, Environ: environ}, StateFlag: w.state, Environ: environ}
	return w
}

func (w *wenv) write(name, content string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.cfg, name), []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// start runs Watch in the background with options adjusted by tune and
// waits for the ready event.
func (w *wenv) start(tune func(*WatchOptions)) {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.done = make(chan error, 1)
	w.opts = WatchOptions{
		Engine:   NewEngine(w.req),
		Settle:   50 * time.Millisecond,
		RetryMin: 10 * time.Millisecond,
		RetryMax: 80 * time.Millisecond,
		Log: func(ev WatchEvent) {
			w.mu.Lock()
			w.events = append(w.events, ev)
			w.mu.Unlock()
		},
		Diags: func(_ *schema.Config, d hcl.Diagnostics) {
			w.mu.Lock()
			w.diags = append(w.diags, d)
			w.mu.Unlock()
		},
	}
	if tune != nil {
		tune(&w.opts)
	}
	go func() { w.done <- Watch(ctx, w.opts) }()
	w.t.Cleanup(w.stop)
	w.waitEvent("ready", func(WatchEvent) bool { return true })
}

func (w *wenv) stop() {
	if w.cancel == nil {
		return
	}
	w.cancel()
	w.cancel = nil
	select {
	case err := <-w.done:
		if err != nil {
			w.t.Errorf("Watch returned %v", err)
		}
	case <-time.After(watchDeadline):
		w.t.Errorf("Watch did not stop within %s of cancel", watchDeadline)
	}
}

func (w *wenv) snapshot() []WatchEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]WatchEvent(nil), w.events...)
}

// waitFor polls cond until it holds or the deadline passes.
func (w *wenv) waitFor(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(watchDeadline)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out waiting for %s; events:\n%s", what, w.dump())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (w *wenv) waitEvent(kind string, match func(WatchEvent) bool) WatchEvent {
	w.t.Helper()
	var got WatchEvent
	w.waitFor("event "+kind, func() bool {
		for _, ev := range w.snapshot() {
			if ev.Kind == kind && match(ev) {
				got = ev
				return true
			}
		}
		return false
	})
	return got
}

func (w *wenv) dump() string {
	var b strings.Builder
	for _, ev := range w.snapshot() {
		j, _ := json.Marshal(ev)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

func (w *wenv) profilePath(name string) string {
	return filepath.Join(w.out, ProfileFileName(name))
}

// profile reads a profile file as JSON (nil when missing or invalid).
func (w *wenv) profile(name string) map[string]any {
	b, err := os.ReadFile(w.profilePath(name))
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

func (w *wenv) waitUA(name, ua string) {
	w.t.Helper()
	w.waitFor(fmt.Sprintf("%s userAgent %q", name, ua), func() bool {
		p := w.profile(name)
		return p != nil && p["userAgent"] == ua
	})
}

func (w *wenv) countCycles(trigger string) int {
	n := 0
	for _, ev := range w.snapshot() {
		if (ev.Kind == "cycle" || ev.Kind == "invalid" || ev.Kind == "error") && ev.Trigger == trigger {
			n++
		}
	}
	return n
}

func baseFiles() map[string]string {
	return map[string]string{"main.hcl": wMain("A/1"), "preload.js": wPreload}
}

func TestWatchAppliesOnStartAndEditInPlace(t *testing.T) {
	w := newWenv(t, baseFiles())
	w.start(nil)
	w.waitUA("persist:a", "A/1")
	w.waitUA("persist:b", "B/1")
	start := w.snapshot()[0]
	if start.Kind != "cycle" || start.Trigger != "start" || start.Add != 2 {
		t.Fatalf("first event = %+v, want a start cycle adding 2 partitions", start)
	}
	bBefore, err := os.Stat(w.profilePath("persist:b"))
	if err != nil {
		t.Fatal(err)
	}
	// Edit in place (truncate and write the same inode), as `echo >` does.
	f, err := os.OpenFile(filepath.Join(w.cfg, "main.hcl"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(wMain("A/2")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	w.waitUA("persist:a", "A/2")
	ev := w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Trigger == "change" && ev.Change == 1 })
	if len(ev.Partitions) != 1 || ev.Partitions[0] != "persist:a" {
		t.Errorf("cycle partitions = %v, want [persist:a]", ev.Partitions)
	}
	// The cycle did not rewrite the unchanged profile (a write replaces
	// the file by rename: a new inode).
	if bAfter, err := os.Stat(w.profilePath("persist:b")); err != nil || !os.SameFile(bBefore, bAfter) || !bAfter.ModTime().Equal(bBefore.ModTime()) {
		t.Errorf("the profile of unchanged persist:b was rewritten by the cycle that changed persist:a (%v)", err)
	}
	// The loop's own writes (profiles, index.json, temp files) never
	// wake it: no change cycle names a path in the output directory.
	for _, ev := range w.snapshot() {
		if ev.Kind != "cycle" {
			continue
		}
		for _, p := range ev.Paths {
			if strings.HasPrefix(p, w.out) {
				t.Errorf("cycle woken by its own write %s: %+v", p, ev)
			}
		}
	}
	// The lock is held only during applies: another writer gets it now.
	st, err := state.New(w.state, nil)
	if err != nil {
		t.Fatal(err)
	}
	lk, err := st.AcquireLock(context.Background(), 5*time.Second, "test")
	if err != nil {
		t.Fatalf("the writer lock is not free between cycles: %v", err)
	}
	lk.Release()
}

func TestWatchAtomicSaves(t *testing.T) {
	cases := []struct {
		name string
		save func(t *testing.T, dir, content string)
	}{
		{"rename (vim, JetBrains)", func(t *testing.T, dir, content string) {
			// vim with backupcopy=no and JetBrains "safe write": write a
			// sibling, then rename it over the original.
			tmp := filepath.Join(dir, "main.hcl___jb_tmp___")
			mustWrite(t, tmp, content)
			mustRename(t, tmp, filepath.Join(dir, "main.hcl"))
		}},
		{"sed -i", func(t *testing.T, dir, content string) {
			// GNU sed -i writes ./sedXXXXXX in the same directory and
			// renames it over the file (sed/execute.c, output_missing_newline
			// and ck_rename).
			tmp := filepath.Join(dir, "sedAb12Cd")
			mustWrite(t, tmp, content)
			mustRename(t, tmp, filepath.Join(dir, "main.hcl"))
		}},
		{"delete then recreate", func(t *testing.T, dir, content string) {
			if err := os.Remove(filepath.Join(dir, "main.hcl")); err != nil {
				t.Fatal(err)
			}
			mustWrite(t, filepath.Join(dir, "main.hcl"), content)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWenv(t, baseFiles())
			w.start(nil)
			w.waitUA("persist:a", "A/1")
			tc.save(t, w.cfg, wMain("A/2"))
			w.waitUA("persist:a", "A/2")
			tc.save(t, w.cfg, wMain("A/3"))
			w.waitUA("persist:a", "A/3")
		})
	}
}

func TestWatchDeleteLeavesLastGoodState(t *testing.T) {
	// A cycle may run between the delete and the recreate of the only
	// partition file: the configuration is then invalid or lacks the
	// partitions; the profiles of the last good state must survive an
	// invalid state.
	w := newWenv(t, baseFiles())
	w.start(nil)
	w.waitUA("persist:a", "A/1")
	before, _ := os.ReadFile(w.profilePath("persist:a"))
	mustWrite(t, filepath.Join(w.cfg, "settings.hcl"), "this is { not hcl")
	w.waitEvent("invalid", func(WatchEvent) bool { return true })
	after, _ := os.ReadFile(w.profilePath("persist:a"))
	if string(before) != string(after) {
		t.Fatalf("an invalid configuration changed the profile:\n%s\n->\n%s", before, after)
	}
}

func TestWatchBurstOfSavesGivesFewCycles(t *testing.T) {
	w := newWenv(t, baseFiles())
	// A settle interval long enough that a loaded CI machine still writes
	// the 100 saves within it; the property is that the cycles do not
	// follow the saves one to one.
	w.start(func(o *WatchOptions) { o.Settle = 300 * time.Millisecond; o.MaxSettle = 10 * time.Second })
	w.waitUA("persist:a", "A/1")
	for i := 0; i < 100; i++ {
		mustWrite(t, filepath.Join(w.cfg, "main.hcl"), wMain(fmt.Sprintf("A/burst-%d", i)))
	}
	w.waitUA("persist:a", "A/burst-99")
	w.waitFor("the cycle after the burst to be logged", func() bool { return w.countCycles("change") >= 1 })
	if n := w.countCycles("change"); n > 2 {
		t.Fatalf("100 saves gave %d cycles, want 1 or 2:\n%s", n, w.dump())
	}
}

func TestWatchInvalidEditThenFix(t *testing.T) {
	w := newWenv(t, baseFiles())
	w.start(nil)
	w.waitUA("persist:a", "A/1")
	before, _ := os.ReadFile(w.profilePath("persist:a"))
	mustWrite(t, filepath.Join(w.cfg, "main.hcl"), strings.Replace(wMain("A/2"), "user_agent", "user_agnet", 1))
	ev := w.waitEvent("invalid", func(WatchEvent) bool { return true })
	if ev.Diagnostics == 0 {
		t.Errorf("invalid event without error count: %+v", ev)
	}
	w.mu.Lock()
	nd := len(w.diags)
	w.mu.Unlock()
	if nd == 0 {
		t.Errorf("no diagnostics were handed to the Diags callback")
	}
	if after, _ := os.ReadFile(w.profilePath("persist:a")); string(after) != string(before) {
		t.Fatalf("an invalid edit changed the profile")
	}
	mustWrite(t, filepath.Join(w.cfg, "main.hcl"), wMain("A/fixed"))
	w.waitUA("persist:a", "A/fixed")
}

func TestWatchRepairsTamperedProfile(t *testing.T) {
	w := newWenv(t, baseFiles())
	w.start(nil)
	w.waitUA("persist:b", "B/1")
	good, _ := os.ReadFile(w.profilePath("persist:b"))
	mustWrite(t, w.profilePath("persist:b"), strings.Replace(string(good), "B/1", "Evil/1", 1))
	w.waitFor("the tampered profile to be rewritten", func() bool {
		b, _ := os.ReadFile(w.profilePath("persist:b"))
		return string(b) == string(good)
	})
	ev := w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Drift > 0 })
	if ev.Repaired != ev.Drift || ev.Add+ev.Change+ev.Destroy != 1 {
		t.Errorf("repair cycle = %+v, want drift repaired on one partition", ev)
	}
	// Deleted, then replaced by a symlink: both repaired.
	if err := os.Remove(w.profilePath("persist:b")); err != nil {
		t.Fatal(err)
	}
	w.waitFor("the deleted profile to come back", func() bool {
		b, _ := os.ReadFile(w.profilePath("persist:b"))
		return string(b) == string(good)
	})
	target := filepath.Join(w.dir, "elsewhere.json")
	mustWrite(t, target, "{}")
	tmp := w.profilePath("persist:b") + ".lnk"
	if err := os.Symlink(target, tmp); err != nil {
		t.Fatal(err)
	}
	mustRename(t, tmp, w.profilePath("persist:b"))
	w.waitFor("the symlink to be replaced by the profile", func() bool {
		st, err := os.Lstat(w.profilePath("persist:b"))
		b, _ := os.ReadFile(w.profilePath("persist:b"))
		return err == nil && st.Mode().IsRegular() && string(b) == string(good)
	})
	if b, _ := os.ReadFile(target); string(b) != "{}" {
		t.Errorf("repair wrote through the symlink into %s: %s", target, b)
	}
}

func TestWatchDetectsChangedPreload(t *testing.T) {
	w := newWenv(t, baseFiles())
	w.start(nil)
	w.waitUA("persist:a", "A/1")
	// vim-style save of the preload: new file renamed over it.
	tmp := filepath.Join(w.cfg, "preload.js.swp~")
	mustWrite(t, tmp, "// v2\nwindow.x = 2;\n")
	mustRename(t, tmp, filepath.Join(w.cfg, "preload.js"))
	ev := w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Trigger == "change" && ev.Drift > 0 })
	if len(ev.Partitions) != 1 || ev.Partitions[0] != "persist:a" {
		t.Errorf("preload change applied to %v, want [persist:a]", ev.Partitions)
	}
	// The state now records the new digest: a plan shows no drift.
	p, err := MakePlan(w.req)
	if err != nil || p.Plan == nil {
		t.Fatalf("plan: %v %v", err, p.Diags)
	}
	if r := NewDriftReport(p.Plan); r.HasDrift() {
		t.Fatalf("drift after the watch re-recorded the preload: %+v", r.Corrective)
	}
}

func TestWatchRetriesFailedApplyWithBackoff(t *testing.T) {
	w := newWenv(t, baseFiles())
	var mu sync.Mutex
	fails := 3
	w.start(func(o *WatchOptions) {
		o.Lock = func(ctx context.Context, path string) (func(), error) {
			mu.Lock()
			defer mu.Unlock()
			if fails > 0 {
				fails--
				return nil, errors.New("lock unavailable (test)")
			}
			return func() {}, nil
		}
	})
	w.waitUA("persist:a", "A/1")
	var retries []time.Duration
	for _, ev := range w.snapshot() {
		if ev.Kind == "error" {
			retries = append(retries, ev.Retry)
		}
	}
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}
	if fmt.Sprint(retries) != fmt.Sprint(want) {
		t.Fatalf("retry delays = %v, want %v (doubling from RetryMin)", retries, want)
	}
	ev := w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Trigger == "retry" })
	if ev.Add != 2 {
		t.Errorf("successful retry = %+v, want 2 partitions added", ev)
	}
}

func TestWatchBackoffIsCapped(t *testing.T) {
	l := &loop{o: WatchOptions{RetryMin: time.Second, RetryMax: 5 * time.Second, Log: func(WatchEvent) {}}}
	var got []time.Duration
	for i := 0; i < 6; i++ {
		l.fail(WatchEvent{}, time.Now(), errors.New("x"))
		got = append(got, l.retryIn)
	}
	want := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("backoff = %v, want %v", got, want)
	}
}

// portList is a PortLister tests change while the loop polls it.
type portList struct {
	mu    sync.Mutex
	ports []serial.Port
}

func (p *portList) ListPorts() ([]serial.Port, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return serial.Static(p.ports).ListPorts()
}

func (p *portList) set(ports ...serial.Port) {
	p.mu.Lock()
	p.ports = ports
	p.mu.Unlock()
}

func TestWatchSerialHotplug(t *testing.T) {
	files := baseFiles()
	files["serial.hcl"] = `partition "persist:arduino" {
  serial {
    select {
      vendor_id = "0x2341"
    }
  }
}
`
	w := newWenv(t, files)
	ports := &portList{}
	w.start(func(o *WatchOptions) { o.Devices = serialsel.NewHotplug(ports); o.SerialPoll = 10 * time.Millisecond })
	// 0x2341 is 9025 in decimal, the form Electron reports
	// (docs/electron-facts.md §7).
	arduino := serial.Port{PortName: "ttyACM0", Path: "/dev/ttyACM0", VendorID: "9025", ProductID: "67"}
	other := serial.Port{PortName: "ttyUSB0", Path: "/dev/ttyUSB0", VendorID: "1027", ProductID: "24577"}
	ports.set(other)
	ev := w.waitEvent("serial-port-added", func(ev WatchEvent) bool { return ev.Port == "ttyUSB0" })
	if len(ev.Partitions) != 0 {
		t.Errorf("a port no rule selects changed the selection of %v", ev.Partitions)
	}
	ports.set(other, arduino)
	ev = w.waitEvent("serial-port-added", func(ev WatchEvent) bool { return ev.Port == "ttyACM0" })
	if fmt.Sprint(ev.Partitions) != "[persist:arduino]" {
		t.Errorf("selection changed for %v, want [persist:arduino]", ev.Partitions)
	}
	ports.set(other)
	ev = w.waitEvent("serial-port-removed", func(ev WatchEvent) bool { return ev.Port == "ttyACM0" })
	if fmt.Sprint(ev.Partitions) != "[persist:arduino]" {
		t.Errorf("selection changed for %v, want [persist:arduino]", ev.Partitions)
	}
}

func TestWatchStopsOnCancel(t *testing.T) {
	w := newWenv(t, baseFiles())
	w.start(nil)
	w.stop()
	evs := w.snapshot()
	if last := evs[len(evs)-1]; last.Kind != "stopped" {
		t.Fatalf("last event = %+v, want stopped", last)
	}
}

func TestWatchPartialReloadOnlyDecodesChangedFile(t *testing.T) {
	files := baseFiles()
	files["vars.hcl"] = "variable \"ua\" {\n  default = \"V/1\"\n}\n"
	for i := 0; i < 5; i++ {
		files[fmt.Sprintf("p%d.hcl", i)] = fmt.Sprintf("partition \"persist:p%d\" {\n  user_agent = var.ua\n}\n", i)
	}
	w := newWenv(t, files)
	w.start(nil)
	w.waitUA("persist:p3", "V/1")
	mustWrite(t, filepath.Join(w.cfg, "p3.hcl"), "partition \"persist:p3\" {\n  user_agent = \"${var.ua}-edited\"\n}\n")
	w.waitUA("persist:p3", "V/1-edited")
	ev := w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Trigger == "change" && ev.Change == 1 })
	if ev.Reload != "partial" {
		t.Errorf("reload = %q, want partial (only a partition-only file changed)", ev.Reload)
	}
	// A duplicate name across files is the full load's to report.
	mustWrite(t, filepath.Join(w.cfg, "p4.hcl"), "partition \"persist:p3\" {\n}\n")
	w.waitEvent("invalid", func(WatchEvent) bool { return true })
	// Changing a global file reloads everything and reaches every file.
	mustWrite(t, filepath.Join(w.cfg, "p4.hcl"), "partition \"persist:p4\" {\n  user_agent = var.ua\n}\n")
	mustWrite(t, filepath.Join(w.cfg, "vars.hcl"), "variable \"ua\" {\n  default = \"V/2\"\n}\n")
	w.waitUA("persist:p0", "V/2")
	w.waitUA("persist:p3", "V/2-edited")
	w.waitUA("persist:p4", "V/2")
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// A referenced file saved together with one partition file: the partial
// reload must also rebuild the cached partitions of other files that read
// it, so that no profile keeps the old preload's digest.
func TestWatchPartialReloadRebuildsSharedInput(t *testing.T) {
	files := map[string]string{"preload.js": wPreload}
	for _, n := range []string{"p1", "p2"} {
		files[n+".hcl"] = fmt.Sprintf("partition \"persist:%s\" {\n  user_agent = \"%s/1\"\n  preload \"main\" {\n    path = \"${path.config}/preload.js\"\n  }\n}\n", n, n)
	}
	w := newWenv(t, files)
	w.start(nil)
	w.waitUA("persist:p2", "p2/1")
	before := w.profile("persist:p2")["preloads"]
	mustWrite(t, filepath.Join(w.cfg, "preload.js"), "// v2\nwindow.x = 2;\n")
	mustWrite(t, filepath.Join(w.cfg, "p1.hcl"), strings.Replace(files["p1.hcl"], "p1/1", "p1/2", 1))
	w.waitUA("persist:p1", "p1/2")
	w.waitFor("persist:p2's profile to carry the new preload", func() bool {
		p := w.profile("persist:p2")
		return p != nil && fmt.Sprint(p["preloads"]) != fmt.Sprint(before)
	})
	w.waitFor("a plan with no changes", func() bool {
		p, err := MakePlan(w.req)
		return err == nil && p.Plan != nil && !p.Plan.HasChanges()
	})
}

// deafWatcher is a Watcher that never reports anything: only the
// periodic resync can notice changes.
type deafWatcher struct {
	ev chan string
	er chan error
}

func newDeafWatcher() (Watcher, error) {
	return &deafWatcher{ev: make(chan string), er: make(chan error)}, nil
}
func (d *deafWatcher) Add(string) error      { return nil }
func (d *deafWatcher) Remove(string) error   { return nil }
func (d *deafWatcher) Events() <-chan string { return d.ev }
func (d *deafWatcher) Errors() <-chan error  { return d.er }
func (d *deafWatcher) Close() error          { return nil }

// With every event lost, the jittered periodic resync still finds and
// repairs drift and applies edits: the loop is level-triggered.
func TestWatchResyncCatchesMissedEvents(t *testing.T) {
	w := newWenv(t, baseFiles())
	w.start(func(o *WatchOptions) { o.NewWatcher = newDeafWatcher; o.Resync = 100 * time.Millisecond })
	w.waitUA("persist:b", "B/1")
	good, _ := os.ReadFile(w.profilePath("persist:b"))
	mustWrite(t, w.profilePath("persist:b"), strings.Replace(string(good), "B/1", "Evil/1", 1))
	mustWrite(t, filepath.Join(w.cfg, "main.hcl"), wMain("A/resynced"))
	w.waitUA("persist:a", "A/resynced")
	w.waitUA("persist:b", "B/1")
	if n := w.countCycles("change"); n != 0 {
		t.Fatalf("%d change cycles with a deaf watcher", n)
	}
	w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Trigger == "resync" && ev.Drift > 0 })
}

// A partition file deleted then recreated more slowly than the settle
// interval: the cycle in between is deferred, nothing is destroyed. A
// file that stays gone has its partitions destroyed after the grace. An
// emptied file is treated alike: an editor that truncates the file and
// writes it again in place can be caught between the two.
func TestWatchDeleteGrace(t *testing.T) {
	for _, tc := range []struct {
		name   string
		vanish func(path string) error
	}{
		{"deleted", os.Remove},
		{"emptied", func(path string) error { return os.Truncate(path, 0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			files := baseFiles()
			files["c.hcl"] = "partition \"persist:c\" {\n  user_agent = \"C/1\"\n}\n"
			w := newWenv(t, files)
			w.start(func(o *WatchOptions) { o.DeleteGrace = 3 * time.Second })
			w.waitUA("persist:c", "C/1")
			cfile := filepath.Join(w.cfg, "c.hcl")
			if err := tc.vanish(cfile); err != nil {
				t.Fatal(err)
			}
			w.waitEvent("deferred", func(ev WatchEvent) bool { return len(ev.Paths) == 1 && ev.Paths[0] == cfile })
			mustWrite(t, cfile, strings.Replace(files["c.hcl"], "C/1", "C/2", 1))
			w.waitUA("persist:c", "C/2")
			w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Trigger == "grace" })
			for _, ev := range w.snapshot() {
				if ev.Destroy > 0 {
					t.Fatalf("a partition was destroyed while its file was briefly %s: %+v", tc.name, ev)
				}
			}
			if err := tc.vanish(cfile); err != nil {
				t.Fatal(err)
			}
			ev := w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Destroy == 1 })
			if ev.Trigger != "grace" {
				t.Errorf("destroyed by a %q cycle, want the grace cycle", ev.Trigger)
			}
			if _, err := os.Stat(w.profilePath("persist:c")); !os.IsNotExist(err) {
				t.Errorf("profile of the removed partition still there: %v", err)
			}
		})
	}
}

// A save prints the warnings it brings, not again those of the whole
// configuration: a full reload (a global file edited) does not repeat a
// warning printed before; a new warning is printed; one that went away
// and came back is printed again.
func TestWatchPrintsEachWarningOnce(t *testing.T) {
	files := baseFiles()
	files["globals.hcl"] = "locals {\n  ua = \"G/1\"\n}\n"
	w := newWenv(t, files)
	w.start(nil)
	w.waitUA("persist:a", "A/1")
	// persist:a and persist:b have no permissions block: one warning
	// each, printed by the start cycle.
	countWarn := func(part string) int {
		w.mu.Lock()
		defer w.mu.Unlock()
		n := 0
		for _, ds := range w.diags {
			for _, d := range ds {
				if d.Severity == hcl.DiagWarning && strings.Contains(d.Summary, part) && strings.Contains(d.Summary, "no permissions block") {
					n++
				}
			}
		}
		return n
	}
	if countWarn("persist:b") != 1 {
		t.Fatalf("start printed the persist:b warning %d times, want once", countWarn("persist:b"))
	}
	cycles := func() int { return w.countCycles("change") }
	edit := func(name, content string) {
		t.Helper()
		n := cycles()
		mustWriteAtomic(t, filepath.Join(w.cfg, name), content)
		w.waitFor("the cycle of "+name, func() bool { return cycles() > n })
	}
	// A global file: full reload, nothing new to say.
	edit("globals.hcl", "locals {\n  ua = \"G/2\"\n}\n")
	if n := countWarn("persist:b"); n != 1 {
		t.Errorf("a full reload printed the persist:b warning again (%d times in all)", n)
	}
	// persist:b gets permissions: its warning goes away...
	withPerms := strings.Replace(wMain("A/1"), "  user_agent = \"B/1\"\n", "  user_agent = \"B/1\"\n  permissions {\n    default = \"deny\"\n  }\n", 1)
	edit("main.hcl", withPerms)
	edit("globals.hcl", "locals {\n  ua = \"G/3\"\n}\n")
	// ...and comes back: printed again.
	edit("main.hcl", wMain("A/1"))
	if n := countWarn("persist:b"); n != 2 {
		t.Errorf("the persist:b warning printed %d times in all, want 2 (once at start, once when it came back)", n)
	}
	if n := countWarn("persist:a"); n > 2 {
		t.Errorf("the unchanged persist:a warning printed %d times", n)
	}
}
