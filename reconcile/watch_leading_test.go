package reconcile

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Leading cycles (WatchOptions.FirstSettle): a save after an idle period
// is applied without waiting for the settle interval; a save that follows
// a cycle closely, or whose tentative cycle would destroy a partition or
// finds the configuration invalid, waits for the trailing cycle. The
// settle interval here is long (2 s) so that the two paths are far apart:
// the assertions on the trailing path are lower bounds (a timer never
// fires early), the one on the leading path allows the whole interval.

const leadSettle = 2 * time.Second

func startLeading(t *testing.T, files map[string]string) (*wenv, WatchEvent) {
	t.Helper()
	w := newWenv(t, files)
	w.start(func(o *WatchOptions) { o.Settle = leadSettle; o.MaxSettle = 4 * leadSettle })
	ready := w.waitEvent("ready", func(WatchEvent) bool { return true })
	return w, ready
}

// idleSince waits until the loop, busy until at, has been idle for the
// settle interval: the next event then starts a leading cycle.
func idleSince(at time.Time) {
	if d := time.Until(at.Add(leadSettle + 10*time.Millisecond)); d > 0 {
		time.Sleep(d)
	}
}

func TestWatchLeadingCycleAppliesASaveAtOnce(t *testing.T) {
	t.Parallel()
	w, ready := startLeading(t, baseFiles())
	w.waitUA("persist:a", "A/1")
	idleSince(ready.Time)

	mustWriteAtomic(t, filepath.Join(w.cfg, "main.hcl"), wMain("A/2"))
	w.waitUA("persist:a", "A/2")
	// Which cycle applied it says so; no clock is read (a busy machine
	// once made a leading cycle look slow).
	first := w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Trigger == "change" && ev.Change == 1 })
	if !first.Leading {
		t.Fatalf("a save after an idle period was applied by a trailing cycle, want a leading one: %+v", first)
	}

	// A second save right after the cycle belongs to the same burst: it
	// waits the whole settle interval.
	saved := time.Now()
	mustWriteAtomic(t, filepath.Join(w.cfg, "main.hcl"), wMain("A/3"))
	w.waitUA("persist:a", "A/3")
	// (Asserted only when the save really came soon after the cycle: a
	// test goroutine descheduled for seconds would make it a new save.)
	second := w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Change == 1 && ev.Time.After(first.Time) })
	if second.Leading && saved.Sub(first.Time) < leadSettle/2 {
		t.Fatalf("a save %s after a cycle was applied by a leading cycle, want a trailing one (settle %s)", saved.Sub(first.Time), leadSettle)
	}
	w.waitFor("the second cycle's log line", func() bool { return w.countCycles("change") >= 2 })
	if n := w.countCycles("change"); n != 2 {
		t.Errorf("two saves gave %d change cycles, want 2:\n%s", n, w.dump())
	}
}

func TestWatchLeadingCycleNeverDestroys(t *testing.T) {
	t.Parallel()
	w, ready := startLeading(t, baseFiles())
	w.waitUA("persist:b", "B/1")
	idleSince(ready.Time)

	// Removing a block from a file that stays: a tentative cycle may be
	// looking at a file half written, so the removal waits for the
	// trailing cycle.
	onlyA := wMain("A/1")
	onlyA = onlyA[:strings.Index(onlyA, "partition \"persist:b\"")]
	mustWriteAtomic(t, filepath.Join(w.cfg, "main.hcl"), onlyA)
	ev := w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Destroy == 1 })
	if ev.Leading {
		t.Fatalf("a partition was destroyed by a leading cycle: %+v", ev)
	}
	if _, err := os.Stat(w.profilePath("persist:b")); !os.IsNotExist(err) {
		t.Errorf("profile of the removed partition still there: %v", err)
	}
}

func TestWatchLeadingCycleReportsInvalidOnce(t *testing.T) {
	t.Parallel()
	w, ready := startLeading(t, baseFiles())
	w.waitUA("persist:a", "A/1")
	idleSince(ready.Time)

	saved := time.Now()
	mustWriteAtomic(t, filepath.Join(w.cfg, "main.hcl"), strings.Replace(wMain("A/2"), "user_agent", "user_agnet", 1))
	ev := w.waitEvent("invalid", func(WatchEvent) bool { return true })
	if ev.Leading {
		t.Errorf("invalid reported by a leading cycle, want the trailing cycle's report only: %+v", ev)
	}
	w.mu.Lock()
	nd := 0
	for _, d := range w.diags {
		if d.HasErrors() {
			nd++
		}
	}
	w.mu.Unlock()
	if nd != 1 {
		t.Errorf("error diagnostics printed %d times, want once:\n%s", nd, w.dump())
	}
	idleSince(ev.Time)
	saved = time.Now()
	mustWriteAtomic(t, filepath.Join(w.cfg, "main.hcl"), wMain("A/fixed"))
	w.waitUA("persist:a", "A/fixed")
	if fix := w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Change == 1 && ev.Time.After(saved) }); !fix.Leading {
		t.Errorf("the fix was applied by a trailing cycle, want a leading one: %+v", fix)
	}
	for _, ev := range w.snapshot() {
		if ev.Kind == "invalid" && ev.Time.After(saved) {
			t.Errorf("an invalid event after the fix: %+v", ev)
		}
	}
}

func mustWriteAtomic(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp~"
	mustWrite(t, tmp, content)
	mustRename(t, tmp, path)
}

// partPaths keeps, per partition, what it adds to the watch set; shared
// files stay watched while any partition still needs them.
func TestPartPathsCountsSharedPaths(t *testing.T) {
	mk := func(name string, inputs []string, effects ...string) *Desired {
		d := &Desired{Name: name}
		for _, p := range inputs {
			d.Inputs = append(d.Inputs, schema.FileInput{Path: p})
		}
		for _, p := range effects {
			d.Effects = append(d.Effects, providers.Effect{Path: p})
		}
		return d
	}
	var pp partPaths
	a := mk("a", []string{"/c/preload.js"}, "/dl/a")
	b := mk("b", []string{"/c/preload.js", "/c/../c/words.txt"}, "/dl/b")
	pp.sync(map[string]*Desired{"a": a, "b": b})
	want := func(what string, m map[string]int, keys ...string) {
		t.Helper()
		var got []string
		for k := range m {
			got = append(got, k)
		}
		sort.Strings(got)
		sort.Strings(keys)
		if strings.Join(got, " ") != strings.Join(keys, " ") {
			t.Errorf("%s = %v, want %v", what, got, keys)
		}
	}
	want("interest", pp.interest, "/c/preload.js", "/c/words.txt", "/dl/a", "/dl/b")
	want("world", pp.world, "/dl/a", "/dl/b")
	want("dirs", pp.dirs, "/c", "/dl")
	if pp.interest["/c/preload.js"] != 2 {
		t.Errorf("shared preload counted %d times, want 2", pp.interest["/c/preload.js"])
	}

	// b changes (a new Desired): its old paths go, the new ones come;
	// a's, unchanged, are not recounted.
	b2 := mk("b", nil, "/other/b")
	pp.sync(map[string]*Desired{"a": a, "b": b2})
	want("interest", pp.interest, "/c/preload.js", "/dl/a", "/other/b")
	want("dirs", pp.dirs, "/c", "/dl", "/other")
	if pp.interest["/c/preload.js"] != 1 {
		t.Errorf("preload counted %d times after b dropped it, want 1", pp.interest["/c/preload.js"])
	}

	// a is removed and c replaces it under the same count of names.
	c := mk("c", nil, "/dl/c")
	pp.sync(map[string]*Desired{"b": b2, "c": c})
	want("interest", pp.interest, "/other/b", "/dl/c")
	want("world", pp.world, "/other/b", "/dl/c")
	want("dirs", pp.dirs, "/dl", "/other")
	pp.sync(map[string]*Desired{})
	want("interest", pp.interest)
	want("dirs", pp.dirs)
}

// A settings file caught half written can still be valid: without its
// output attribute, every profile would move to the default directory and
// back. A tentative cycle never applies a change of variables, locals,
// profiles or settings; the trailing cycle sees the whole save.
func TestWatchLeadingCycleSkipsGlobalFiles(t *testing.T) {
	t.Parallel()
	w, ready := startLeading(t, baseFiles())
	w.waitUA("persist:b", "B/1")
	idleSince(ready.Time)

	settings := filepath.Join(w.cfg, "settings.hcl")
	orig, err := os.ReadFile(settings)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(settings, 0); err != nil {
		t.Fatal(err)
	}
	// The editor's write comes 300 ms after its truncation (within the
	// settle interval): time enough for a leading cycle to look.
	time.Sleep(300 * time.Millisecond)
	mustWrite(t, settings, string(orig))
	w.waitEvent("cycle", func(ev WatchEvent) bool { return ev.Trigger == "change" })
	for _, ev := range w.snapshot() {
		if ev.Trigger == "change" && (ev.Add > 0 || ev.Destroy > 0 || ev.Change > 0) {
			t.Errorf("a cycle applied the half-written settings file: %+v\n%s", ev, w.dump())
		}
	}
	if _, err := os.Stat(w.profilePath("persist:b")); err != nil {
		t.Errorf("profile left the output directory: %v", err)
	}
}

// Events that arrive while a tentative cycle plans are judged against the
// configuration it just loaded: a preload the edit names for the first
// time, saved meanwhile, makes the cycle give way, and its content is
// applied.
func TestWatchLeadingCycleSeesNewInputsChangeMeanwhile(t *testing.T) {
	files := baseFiles()
	files["other.js"] = "// other v1\n"
	w := newWenv(t, files)
	other := filepath.Join(w.cfg, "other.js")
	var once sync.Once
	testHookBeforeDrain = func(l *loop) {
		if l.configDir != w.cfg {
			return // another test's loop
		}
		once.Do(func() {
			mustWrite(t, other, "// other v2\n")
			deadline := time.Now().Add(watchDeadline)
			for len(l.w.Events()) == 0 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond) // until the notifier queued the write
			}
		})
	}
	t.Cleanup(func() { testHookBeforeDrain = nil })
	w.start(func(o *WatchOptions) { o.Settle = 200 * time.Millisecond })
	ready := w.waitEvent("ready", func(WatchEvent) bool { return true })
	w.waitUA("persist:b", "B/1")
	if d := time.Until(ready.Time.Add(250 * time.Millisecond)); d > 0 {
		time.Sleep(d) // idle: the next save starts a tentative cycle
	}
	withPreload := strings.Replace(wMain("A/1"), "partition \"persist:b\" {\n  user_agent = \"B/1\"\n",
		"partition \"persist:b\" {\n  user_agent = \"B/2\"\n  preload \"o\" {\n    path = \"${path.config}/other.js\"\n  }\n", 1)
	mustWriteAtomic(t, filepath.Join(w.cfg, "main.hcl"), withPreload)
	want := sha256Hex([]byte("// other v2\n"))
	w.waitFor("persist:b's preload at other.js v2", func() bool {
		b, err := os.ReadFile(w.profilePath("persist:b"))
		return err == nil && strings.Contains(string(b), want)
	})
}
