package reconcile

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/benchcfg"
	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/schema"
)

// env is one configuration directory with its own state, output and cache.
type env struct {
	t   *testing.T
	dir string
	req Request
}

func newEnv(t *testing.T, files map[string]string) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, dir: dir}
	e.write(files)
	environ := []string{"HOME=" + dir, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	e.req = Request{
		Load:      schema.LoadOptions{Path: filepath.Join(dir, "cfg"), Environ: environ},
		StateFlag: filepath.Join(dir, "state", "state.db"),
		Environ:   environ,
	}
	return e
}

func (e *env) write(files map[string]string) {
	for name, content := range files {
		p := filepath.Join(e.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			e.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) plan() *Planned {
	e.t.Helper()
	p, err := MakePlan(e.req)
	if err != nil {
		e.t.Fatal(err)
	}
	if p.Diags.HasErrors() {
		e.t.Fatalf("diagnostics: %v", p.Diags)
	}
	return p
}

func (e *env) apply() *Applied {
	e.t.Helper()
	res, err := Apply(e.plan().Plan)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *env) outDir() string { return filepath.Join(e.dir, "state", "profiles") }

const twoPartitions = `
partition "persist:work" {
  user_agent = "Work/1.0"
  permissions { default = "deny" }
}
partition "tmp" {
  user_agent = "Tmp/1.0"
  permissions { default = "deny" }
}
`

func actions(p *Plan) string {
	var b strings.Builder
	for _, c := range p.Changes {
		b.WriteString(c.Action.String() + " " + c.Partition + ";")
	}
	return b.String()
}

func TestApplyThenNoOpUsesFastPath(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	p := e.plan()
	if got, want := actions(p.Plan), "create persist:work;create tmp;"; got != want {
		t.Fatalf("first plan = %q, want %q", got, want)
	}
	if p.FastPath {
		t.Fatal("first plan cannot take the fast path")
	}
	if res := e.apply(); res.Add != 2 || res.Serial != 1 {
		t.Fatalf("apply = %+v, want 2 added at serial 1", res)
	}
	p = e.plan()
	if p.Plan.HasChanges() || !p.FastPath {
		t.Fatalf("second plan: changes=%v fast=%v, want none via the fast path", actions(p.Plan), p.FastPath)
	}
	// The fast path and the full evaluation agree.
	e.req.NoFastPath = true
	if p := e.plan(); p.Plan.HasChanges() || p.FastPath {
		t.Fatalf("full plan after apply: %q", actions(p.Plan))
	}
}

func TestEditedReferencedFileDefeatsFastPath(t *testing.T) {
	e := newEnv(t, map[string]string{
		"cfg/main.hcl": `partition "persist:work" {
  user_agent = trimspace(file("ua.txt"))
  permissions { default = "deny" }
}`,
		"cfg/ua.txt": "Work/1.0\n",
	})
	e.apply()
	e.write(map[string]string{"cfg/ua.txt": "Work/2.0\n"})
	p := e.plan()
	if p.FastPath {
		t.Fatal("a file read by file() changed: the fast path must not decide")
	}
	if got := actions(p.Plan); got != "update persist:work;" {
		t.Fatalf("plan = %q, want the partition updated", got)
	}
	if a := p.Plan.Changes[0].Attrs; len(a) != 1 || a[0].Name != "userAgent" || string(a[0].After) != `"Work/2.0"` {
		t.Fatalf("attrs = %+v, want userAgent -> Work/2.0", a)
	}
}

func TestDriftIsRepaired(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	e.apply()
	work := filepath.Join(e.outDir(), ProfileFileName("persist:work"))
	before, err := os.ReadFile(work)
	if err != nil {
		t.Fatal(err)
	}
	// Someone edits one profile and deletes the other.
	if err := os.WriteFile(work, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(e.outDir(), ProfileFileName("tmp"))); err != nil {
		t.Fatal(err)
	}
	p := e.plan()
	if p.FastPath {
		t.Fatal("drift must defeat the fast path")
	}
	if got := actions(p.Plan); got != "update persist:work;update tmp;" {
		t.Fatalf("plan = %q", got)
	}
	for _, c := range p.Plan.Changes {
		if len(c.Attrs) != 0 || len(c.Drift) != 1 || c.Revision != 1 {
			t.Fatalf("%s: attrs=%v drift=%v revision=%d: want drift only, revision kept", c.Partition, c.Attrs, c.Drift, c.Revision)
		}
	}
	e.apply()
	after, err := os.ReadFile(work)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Fatalf("repaired profile differs from the original:\n%s\nwant\n%s", after, before)
	}
	if p := e.plan(); p.Plan.HasChanges() {
		t.Fatalf("after repair: %q", actions(p.Plan))
	}
}

// A crash after the profiles were written but before the state
// transaction leaves files that state does not know: the next plan still
// plans them (state never claims them) and the apply converges.
func TestCrashBeforeStateCommitConverges(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	p := e.plan()
	var writes []*Change
	writes = append(writes, p.Plan.Changes...)
	if err := fsx.MkdirAll(e.outDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := writeProfiles(e.outDir(), writes, func([]*Record) {}); err != nil {
		t.Fatal(err)
	}
	// "Crash": no index, no state commit.
	p = e.plan()
	if got := actions(p.Plan); got != "create persist:work;create tmp;" {
		t.Fatalf("plan after crash = %q, want both still created", got)
	}
	e.apply()
	if p := e.plan(); p.Plan.HasChanges() {
		t.Fatalf("not converged: %q", actions(p.Plan))
	}
}

func TestSavedPlanRefusedWhenStateMoved(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	stale := e.plan().Plan
	e.apply()
	if _, err := Apply(stale); err == nil || !strings.Contains(err.Error(), "stale") {
		t.Fatalf("stale plan applied: err=%v", err)
	}
}

func TestRemovedPartitionIsDeleted(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	e.apply()
	e.write(map[string]string{"cfg/main.hcl": `partition "persist:work" {
  user_agent = "Work/1.0"
  permissions { default = "deny" }
}`})
	p := e.plan()
	if got := actions(p.Plan); got != "delete tmp;" {
		t.Fatalf("plan = %q", got)
	}
	e.apply()
	if _, err := os.Stat(filepath.Join(e.outDir(), ProfileFileName("tmp"))); !os.IsNotExist(err) {
		t.Fatalf("profile of the removed partition still exists: %v", err)
	}
	idx, _ := os.ReadFile(filepath.Join(e.outDir(), IndexFile))
	if strings.Contains(string(idx), `"tmp"`) || !strings.Contains(string(idx), `"persist:work"`) {
		t.Fatalf("index.json after delete:\n%s", idx)
	}
}

func TestRevisionMovesOnlyWithContent(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	e.apply()
	e.write(map[string]string{"cfg/main.hcl": strings.Replace(twoPartitions, "Work/1.0", "Work/1.1", 1)})
	e.apply()
	st, err := ReadState(e.req.StateFlag)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records["persist:work"].Revision != 2 || st.Records["tmp"].Revision != 1 {
		t.Fatalf("revisions work=%d tmp=%d, want 2 and 1", st.Records["persist:work"].Revision, st.Records["tmp"].Revision)
	}
	body, _ := os.ReadFile(filepath.Join(e.outDir(), ProfileFileName("persist:work")))
	if !strings.Contains(string(body), `"revision": 2`) {
		t.Fatalf("profile does not carry revision 2:\n%s", body)
	}
}

func TestProfileFileNameStaysInside(t *testing.T) {
	names := []string{"", "persist:", "persist:..", "../../etc/passwd", "persist:a/b", "a\x00b", "persist:Foo",
		"persist:foo", strings.Repeat("x", 5000), "persist:über", "persist:a\\b", ".", ".."}
	seen := map[string]string{}
	for _, n := range names {
		f := ProfileFileName(n)
		if err := fsx.CheckName(f); err != nil {
			t.Errorf("ProfileFileName(%q) = %q: %v", n, f, err)
		}
		if len(f) > 100 {
			t.Errorf("ProfileFileName(%q) is %d bytes long", n, len(f))
		}
		if other, ok := seen[f]; ok && other != n {
			t.Errorf("%q and %q share the file %q", n, other, f)
		}
		seen[f] = n
	}
}

// Build runs partitions in parallel: the result must not depend on the
// number of workers (run with -race to catch providers sharing state).
func TestBuildIsDeterministicAcrossWorkers(t *testing.T) {
	dir := t.TempDir()
	if err := benchcfg.Generate(dir, 200, true); err != nil {
		t.Fatal(err)
	}
	cfg, diags := schema.Load(schema.LoadOptions{Path: dir})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	digests := func(procs int) map[string]string {
		prev := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(prev)
		desired, diags := Build(cfg)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		out := map[string]string{}
		for k, d := range desired {
			out[k] = d.Digest
		}
		return out
	}
	one, many := digests(1), digests(8)
	if len(one) != 200 || len(many) != 200 {
		t.Fatalf("built %d and %d partitions, want 200", len(one), len(many))
	}
	for k, v := range one {
		if many[k] != v {
			t.Errorf("%s: digest %s with 1 worker, %s with 8", k, v, many[k])
		}
	}
}

// An edited index.json defeats the fast path and is rewritten by apply.
func TestEditedIndexIsRewritten(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	e.apply()
	idx := filepath.Join(e.outDir(), IndexFile)
	want, err := os.ReadFile(idx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(idx, []byte(`{"format_version": 1, "partitions": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p := e.plan()
	if p.FastPath || !p.Plan.IndexStale || len(p.Plan.Changes) != 0 {
		t.Fatalf("fast=%v indexStale=%v changes=%q; want a full plan that rewrites only the index", p.FastPath, p.Plan.IndexStale, actions(p.Plan))
	}
	e.apply()
	got, _ := os.ReadFile(idx)
	if string(got) != string(want) {
		t.Fatalf("index after apply:\n%s\nwant\n%s", got, want)
	}
	if p := e.plan(); !p.FastPath || p.Plan.HasChanges() {
		t.Fatalf("after repair: fast=%v changes=%v", p.FastPath, p.Plan.HasChanges())
	}
}

// plan, apply and watch warn alike about ignore_drift entries that do
// nothing: Build checks them against the partition's own fields.
func TestIgnoreDriftCheckedByBuild(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(`partition "persist:w" {
  user_agent   = "W/1"
  ignore_drift = ["userAgent", "userAgnt", "cache"]
  permissions { default = "deny" }
}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := schema.Load(schema.LoadOptions{Path: dir})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	_, diags = Build(cfg)
	var got []string
	for _, d := range diags {
		got = append(got, d.Summary)
	}
	want := []string{
		`ignore_drift names "userAgnt", which is not a field of this partition's profile`,
		`ignore_drift has no effect on the core profile field "cache"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("diagnostics:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
