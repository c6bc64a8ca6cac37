package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/fault"
	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/reconcile"
	"github.com/sessctl/sessctl/state"
)

// The crash trials and the fault-injection trials run the real sessctl (this
// test binary, which testscript.Main put in $PATH as "sessctl") on a real
// bbolt state and a real output directory, and stop or fail it at a step
// chosen with SESSCTL_TEST_FAULT (package internal/fault): a kill after K
// file-system or state steps, or ENOSPC/EIO returned by the K-th write,
// fsync, rename, directory fsync, removal or state commit. Steps are counted
// work, not time, so a seed replays the same stopping points.
//
// After every stop they check what a crash must never break: the state file
// opens and reads (bbolt, every record decodes); every JSON file in the
// output directory parses; every profile is whole, either the content it
// had before the trial or the content the configuration asks for, never a
// mix or a prefix; index.json names only profiles that exist; and the next
// apply converges (exit 0, no temporary file left) after which a plan shows
// no changes.

// crashSeedEnv replays a run of the trials: the seed is printed on failure.
const crashSeedEnv = "SESSCTL_CRASH_SEED"

// crashWorld is one configuration directory, its state and outputs, and
// the configuration it currently asks for.
type crashWorld struct {
	t    *testing.T
	bin  string
	root string // cfg/, out/, dl/, sd/, state.db, home/
	env  []string
	seed uint64
	rng  *rand.Rand

	// The configuration: partitions p000..p(bulk-1) always exist; a tail
	// of crashTail more alternates between two sets, so that a "few" step
	// adds and deletes partitions. gen is every partition's user agent
	// (a "bulk" step bumps it: every profile changes, which takes the
	// batched write path); flip changes the user agent of the first
	// crashFlip partitions and the custom dictionary words ("few": fewer
	// than the batch threshold, one atomic write each).
	bulk      int
	gen, flip int
	alt       bool

	trial int
	where string // describes the current trial, for failures

}

const (
	crashBulk = 64 // with the tail, 67 profiles: a bulk change takes the batch (64 or more)
	crashTail = 3
	crashFlip = 10
)

// crashBinary returns the sessctl binary the trials run. Under -short it
// is this test binary, which testscript.Main put in PATH as "sessctl".
// Otherwise it is sessctl built once per test with the go command: the
// real binary starts in half the CPU time of the test binary (which links
// every test dependency and runs their init), and the trials start it
// about a thousand times. If it cannot be built, the test binary serves.
func crashBinary(t *testing.T) string {
	t.Helper()
	if !testing.Short() {
		// go test puts its own GOROOT/bin first in PATH.
		if goTool, err := exec.LookPath("go"); err == nil {
			out := filepath.Join(t.TempDir(), "sessctl"+exeSuffix())
			b, err := exec.Command(goTool, "build", "-o", out, ".").CombinedOutput()
			if err == nil {
				return out
			}
			t.Logf("building sessctl failed, running the test binary instead: %v\n%s", err, b)
		}
	}
	bin, err := exec.LookPath("sessctl")
	if err != nil {
		t.Fatalf("sessctl is not in PATH (testscript.Main puts it there): %v", err)
	}
	return bin
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

func newCrashWorld(t *testing.T, bin string, seed uint64, bulk int) *crashWorld {
	t.Helper()
	root := crashDir(t)
	w := &crashWorld{t: t, bin: bin, root: root, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x5e55c71)), bulk: bulk, gen: 1}
	home := filepath.Join(root, "home")
	w.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"NO_COLOR=1",
	}
	if err := os.MkdirAll(filepath.Join(root, "cfg"), 0o755); err != nil {
		t.Fatal(err)
	}
	return w
}

// crashDir is the directory a world lives in: on Linux, in /dev/shm when
// it is there. A killed process loses nothing the kernel already has, so
// the trials check the same thing on tmpfs as on a disk, where the fsyncs
// and the syncfs of every apply wait for the disk and for whatever else
// the machine has dirty (a single apply is about three times slower on
// this machine's ext4, and varies with the neighbours' writes).
// Durability across a power loss is not what these trials test.
func crashDir(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "linux" {
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			if d, err := os.MkdirTemp("/dev/shm", "sessctl-crash-"); err == nil {
				t.Cleanup(func() { os.RemoveAll(d) })
				return d
			}
		}
	}
	return t.TempDir()
}

// setenv sets a variable of the environment sessctl runs in.
func (w *crashWorld) setenv(key, value string) {
	for i, kv := range w.env {
		if strings.HasPrefix(kv, key+"=") {
			w.env[i] = key + "=" + value
			return
		}
	}
	w.env = append(w.env, key+"="+value)
}

func (w *crashWorld) fatalf(format string, args ...any) {
	w.t.Helper()
	w.t.Fatalf("%s=%d (%s): %s", crashSeedEnv, w.seed, w.where, fmt.Sprintf(format, args...))
}

func (w *crashWorld) path(rel string) string { return filepath.Join(w.root, rel) }

// partitions lists the partition numbers of the current configuration.
func (w *crashWorld) partitions() []int {
	var ps []int
	for i := range w.bulk {
		ps = append(ps, i)
	}
	first := w.bulk
	if w.alt {
		first += crashTail
	}
	for i := range crashTail {
		ps = append(ps, first+i)
	}
	return ps
}

// writeConfig writes cfg/main.hcl for the current generation.
func (w *crashWorld) writeConfig() {
	var b strings.Builder
	b.WriteString("sessctl {\n  output       = \"${path.config}/../out\"\n  state        = \"${path.config}/../state.db\"\n  session_data = \"${path.config}/../sd\"\n}\n")
	for _, i := range w.partitions() {
		ua := fmt.Sprintf("CrashApp/%d", w.gen)
		if i < crashFlip {
			ua += fmt.Sprintf(" flip/%d", w.flip)
		}
		fmt.Fprintf(&b, "partition \"persist:p%03d\" {\n  user_agent    = %q\n  download_path = \"${path.config}/../dl/p%03d\"\n  permissions {\n    default = \"deny\"\n  }\n", i, ua, i)
		// A custom dictionary (a side-effect file) for every tenth
		// partition and for the first of either tail, so that both tails
		// take the same number of steps.
		if i < w.bulk && i%10 == 0 || i >= w.bulk && (i-w.bulk)%crashTail == 0 {
			fmt.Fprintf(&b, "  spellcheck {\n    words = [\"crash\", \"w%d\"]\n  }\n", w.flip)
		}
		b.WriteString("}\n")
	}
	if err := os.WriteFile(w.path("cfg/main.hcl"), []byte(b.String()), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// step moves the configuration on: "bulk" changes every profile, "few"
// changes crashFlip of them and swaps the tail (adds and deletes).
func (w *crashWorld) step(kind string) {
	switch kind {
	case "bulk":
		w.gen++
	case "few":
		w.flip++
		w.alt = !w.alt
	default:
		panic(kind)
	}
	w.writeConfig()
}

// run runs sessctl with args and extra environment, and returns its
// process state and standard error.
func (w *crashWorld) run(extraEnv []string, args ...string) (*os.ProcessState, string) {
	w.t.Helper()
	cmd := exec.Command(w.bin, args...)
	cmd.Dir = w.root
	cmd.Env = append(append([]string{}, w.env...), extraEnv...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		w.fatalf("running sessctl %s: %v", strings.Join(args, " "), err)
	}
	return cmd.ProcessState, stderr.String()
}

func (w *crashWorld) apply(extraEnv ...string) (*os.ProcessState, string) {
	return w.run(extraEnv, "apply", "--auto-approve", "cfg")
}

var stepsLine = regexp.MustCompile(`sessctl-test-fault: (\d+) steps((?: \w+=\d+)*)`)

// countedApply applies the current configuration with
// SESSCTL_TEST_FAULT=count and returns the number of steps, in all and of
// each kind.
func (w *crashWorld) countedApply() (int, map[fault.Op]int) {
	w.t.Helper()
	ps, stderr := w.apply(fault.EnvVar + "=count")
	if !ps.Success() {
		w.fatalf("apply failed: %v\n%s", ps, stderr)
	}
	m := stepsLine.FindStringSubmatch(stderr)
	if m == nil {
		w.fatalf("no step count in the output of apply:\n%s", stderr)
	}
	total, _ := strconv.Atoi(m[1])
	per := map[fault.Op]int{}
	for _, kv := range strings.Fields(m[2]) {
		k, v, _ := strings.Cut(kv, "=")
		per[fault.Op(k)], _ = strconv.Atoi(v)
	}
	return total, per
}

// outputs reads every regular file under out/ and sd/ (profiles, index,
// owner file, custom dictionaries), by path relative to the root.
func (w *crashWorld) outputs() map[string][]byte {
	w.t.Helper()
	files := map[string][]byte{}
	for _, dir := range []string{"out", "sd"} {
		err := filepath.WalkDir(w.path(dir), func(p string, d os.DirEntry, err error) error {
			if errors.Is(err, os.ErrNotExist) && p == w.path(dir) {
				return filepath.SkipDir
			}
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(w.root, p)
			if fsx.IsTempName(d.Name()) {
				files[rel] = nil // a temporary, never published content
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files[rel] = b
			return nil
		})
		if err != nil {
			w.fatalf("reading %s: %v", dir, err)
		}
	}
	return files
}

// checkReadable asserts what must hold after any stop: the state opens
// and every record decodes; every JSON output parses; index.json names
// only profiles that exist, are JSON and are of the partition it says.
func (w *crashWorld) checkReadable(files map[string][]byte) {
	w.t.Helper()
	st, err := state.New(w.path("state.db"), nil)
	if err != nil {
		w.fatalf("state: %v", err)
	}
	if _, err := st.Load(); err != nil {
		w.fatalf("the state does not open: %v", err)
	}
	if _, err := st.History(0); err != nil {
		w.fatalf("the state's history does not read: %v", err)
	}
	for rel, b := range files {
		if b == nil || !strings.HasSuffix(rel, ".json") {
			continue
		}
		if !json.Valid(b) {
			w.fatalf("%s is not JSON (%d bytes): %.200q", rel, len(b), b)
		}
	}
	idx, ok := files[filepath.Join("out", reconcile.IndexFile)]
	if !ok {
		return // no apply got as far as the index yet
	}
	var index reconcile.Index
	if err := json.Unmarshal(idx, &index); err != nil {
		w.fatalf("index.json: %v", err)
	}
	for _, e := range index.Partitions {
		b := files[filepath.Join("out", e.File)]
		if b == nil {
			w.fatalf("index.json names %s for %s, which is missing", e.File, e.Partition)
		}
		var prof struct {
			Partition string `json:"partition"`
		}
		if err := json.Unmarshal(b, &prof); err != nil || prof.Partition != e.Partition {
			w.fatalf("index.json names %s for %s, which holds partition %q (%v)", e.File, e.Partition, prof.Partition, err)
		}
	}
}

// converge applies without fault and checks that it succeeds, leaves no
// temporary file and that a plan then shows no changes. It returns the
// outputs.
func (w *crashWorld) converge() map[string][]byte {
	w.t.Helper()
	if ps, stderr := w.apply(); !ps.Success() {
		w.fatalf("the apply after the stop failed: %v\n%s", ps, stderr)
	}
	if ps, stderr := w.run(nil, "plan", "--detailed-exitcode", "cfg"); ps.ExitCode() != 0 {
		w.fatalf("plan after the converging apply exited %d (want 0, no changes):\n%s", ps.ExitCode(), stderr)
	}
	files := w.outputs()
	owner := filepath.Join("out", reconcile.OwnerFile)
	for rel, b := range files {
		if b == nil {
			w.fatalf("temporary file %s left after the converging apply", rel)
		}
	}
	if _, ok := files[owner]; !ok {
		w.fatalf("no %s after the converging apply", owner)
	}
	w.checkReadable(files)
	return files
}

// checkWhole asserts that every published file after the stop is either
// what it was before the trial or what the converged apply wrote: never
// a prefix, a mix or another content.
func (w *crashWorld) checkWhole(before, stopped, after map[string][]byte) {
	w.t.Helper()
	for rel, b := range stopped {
		if b == nil {
			continue
		}
		if old, ok := before[rel]; ok && bytes.Equal(b, old) {
			continue
		}
		if nw, ok := after[rel]; ok && bytes.Equal(b, nw) {
			continue
		}
		w.fatalf("%s after the stop is neither its old nor its new content (%d bytes): %.200q", rel, len(b), b)
	}
}

// crashTailSteps is how many of an apply's last steps killStep favours:
// everything after the profiles (index.json, removals, the state commit,
// the owner file) happens there, in a few dozen steps out of hundreds.
const crashTailSteps = 30

// killStep draws the step to kill an apply of n steps at: half the time
// any step, half the time one of the last crashTailSteps.
func (w *crashWorld) killStep(n int) int {
	if w.rng.IntN(2) == 0 || n <= crashTailSteps {
		return 1 + w.rng.IntN(n)
	}
	return n - crashTailSteps + 1 + w.rng.IntN(crashTailSteps)
}

// killed reports whether the process died of SIGKILL.
func killed(ps *os.ProcessState) bool {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

func crashSeed(t *testing.T) uint64 {
	if s := os.Getenv(crashSeedEnv); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnv, s, err)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

// calibrate measures the number of steps of a "bulk" and a "few" apply.
// Both tails are applied once first, so that the directories they create
// exist as in every later apply.
func (w *crashWorld) calibrate() map[string]int {
	total, _ := w.calibrateOps()
	return total
}

func (w *crashWorld) calibrateOps() (map[string]int, map[string]map[fault.Op]int) {
	w.t.Helper()
	w.where = "first applies"
	w.writeConfig()
	w.converge()
	w.step("few")
	w.converge()
	total := map[string]int{}
	per := map[string]map[fault.Op]int{}
	for _, kind := range []string{"bulk", "few"} {
		w.where = "counting the steps of a " + kind + " apply"
		w.step(kind)
		total[kind], per[kind] = w.countedApply()
	}
	w.where = "calibrated"
	return total, per
}

// TestCrashTrials kills sessctl apply at a random step, hundreds of times,
// and checks after each kill that nothing is lost or half-written and that
// the next apply repairs everything. Two chains of trials run side by
// side on separate configurations, one per core of a small CI machine.
// -short runs a few trials in one chain.
func TestCrashTrials(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("kills with SIGKILL and reads wait statuses")
	}
	trials, chains := 200, 2
	if testing.Short() {
		trials, chains = 5, 1
	}
	seed := crashSeed(t)
	t.Logf("seed %d (replay with %s=%d)", seed, crashSeedEnv, seed)
	bin := crashBinary(t)
	var mu sync.Mutex
	kills := 0
	for c := range chains {
		t.Run(fmt.Sprint("chain", c), func(t *testing.T) {
			t.Parallel()
			n := crashChain(t, bin, seed+uint64(c), trials/chains)
			mu.Lock()
			kills += n
			mu.Unlock()
		})
	}
	t.Cleanup(func() {
		// The kill points are drawn within the measured number of steps:
		// almost every trial must have ended in a kill, or the trials
		// test nothing.
		if !t.Failed() && kills < trials*9/10 {
			t.Errorf("seed %d: only %d of %d trials were killed", seed, kills, trials)
		}
	})
}

// crashChain runs trials on one configuration and returns how many
// processes were killed. The first few kill the very first apply of a
// fresh configuration (no state file yet, no output directory); in the
// others a quarter of the killed applies are followed by a second killed
// apply before the one that must converge.
func crashChain(t *testing.T, bin string, seed uint64, trials int) int {
	w := newCrashWorld(t, bin, seed, crashBulk)
	kills := 0
	first := min(trials, 1+trials/25)
	kills += crashFirstApplies(w, first)

	steps := w.calibrate()
	before := w.converge()
	for w.trial = first + 1; w.trial <= trials; w.trial++ {
		// A third of the trials change every profile (the batch), the
		// rest a few (one atomic write each, additions and deletions):
		// these are three times cheaper and have more kinds of steps.
		kind := "few"
		if w.rng.IntN(3) == 0 {
			kind = "bulk"
		}
		w.step(kind)
		attempts := 1
		if w.rng.IntN(4) == 0 {
			attempts = 2
		}
		for a := 1; a <= attempts; a++ {
			k := w.killStep(steps[kind])
			w.where = fmt.Sprintf("trial %d: %s apply killed at step %d of %d (kill %d of %d)", w.trial, kind, k, steps[kind], a, attempts)
			if w.killedApply(k) && a == 1 {
				kills++
			}
			w.checkReadable(w.outputs())
		}
		stopped := w.outputs()
		after := w.converge()
		w.checkWhole(before, stopped, after)
		before = after
	}
	return kills
}

// killedApply runs apply with a kill at step k and reports whether the
// process was killed (it may also finish first: nothing left to do).
func (w *crashWorld) killedApply(k int) bool {
	w.t.Helper()
	ps, stderr := w.apply(fmt.Sprintf("%s=kill@%d", fault.EnvVar, k))
	switch {
	case killed(ps):
		return true
	case ps.Success():
		return false
	}
	w.fatalf("apply neither died nor succeeded: %v\n%s", ps, stderr)
	return false
}

// crashFirstApplies kills the first apply of n fresh configurations (each
// in a world of its own, with w's seed and RNG) and returns the number of
// kills.
func crashFirstApplies(w *crashWorld, n int) int {
	w.t.Helper()
	if n == 0 {
		return 0
	}
	fresh := func() *crashWorld {
		f := newCrashWorld(w.t, w.bin, w.seed, crashBulk)
		f.rng = w.rng
		f.writeConfig()
		return f
	}
	f := fresh()
	f.where = "counting the steps of a first apply"
	steps, _ := f.countedApply()
	kills := 0
	for w.trial = 1; w.trial <= n; w.trial++ {
		f := fresh()
		k := w.killStep(steps)
		f.where = fmt.Sprintf("trial %d: first apply killed at step %d of %d", w.trial, k, steps)
		if f.killedApply(k) {
			kills++
		}
		stopped := f.outputs()
		f.checkReadable(stopped)
		after := f.converge()
		f.checkWhole(nil, stopped, after)
	}
	return kills
}

// TestFaultInjection makes one step of apply fail as a full or failing
// disk would (ENOSPC or EIO from a write, an fsync, a rename, a directory
// fsync, a removal or the state commit), on both write paths (one atomic
// write per profile, and the batch for many), and checks that apply
// reports it, that nothing is half-written, that the state opens, and that
// the next apply converges.
func TestFaultInjection(t *testing.T) {
	seed := crashSeed(t)
	t.Logf("seed %d (replay with %s=%d)", seed, crashSeedEnv, seed)
	w := newCrashWorld(t, crashBinary(t), seed, crashBulk)
	// No location cache: a failure to write it is rightly ignored (it
	// only saves time), so a fault injected there would not fail the
	// apply. A file where its directory would be keeps it from being
	// written at all.
	noCache := w.path("no-cache")
	if err := os.WriteFile(noCache, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	w.setenv("XDG_CACHE_HOME", filepath.Join(noCache, "cache"))
	_, steps := w.calibrateOps()
	before := w.converge()
	ops := []fault.Op{fault.Write, fault.Fsync, fault.Rename, fault.SyncDir, fault.Remove, fault.Create, fault.Mkdir, fault.Commit}
	if testing.Short() {
		ops = []fault.Op{fault.Write, fault.Fsync, fault.Rename}
	}
	messages := map[string]string{"ENOSPC": syscall.ENOSPC.Error(), "EIO": syscall.EIO.Error()}
	for i, kind := range []string{"bulk", "few"} {
		for j, op := range ops {
			// Each kind of step fails with ENOSPC on one write path and
			// with EIO on the other.
			errno := []string{"ENOSPC", "EIO"}[(i+j)%2]
			n := steps[kind][op]
			if n == 0 {
				continue // this kind of apply takes no such step (a bulk apply removes nothing)
			}
			k := 1 + w.rng.IntN(n)
			w.where = fmt.Sprintf("%s apply, %s %s at step %d of %d", kind, op, errno, k, n)
			w.step(kind)
			ps, stderr := w.apply(fmt.Sprintf("%s=%s:%s@%d", fault.EnvVar, op, errno, k))
			if ps.ExitCode() != 1 || !strings.Contains(stderr, messages[errno]) {
				w.fatalf("apply exited %d, want 1 with %q:\n%s", ps.ExitCode(), messages[errno], stderr)
			}
			stopped := w.outputs()
			for rel, b := range stopped {
				if b == nil {
					w.fatalf("temporary file %s left by the failed apply", rel)
				}
			}
			w.checkReadable(stopped)
			after := w.converge()
			w.checkWhole(before, stopped, after)
			before = after
		}
	}
}
