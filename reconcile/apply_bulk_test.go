package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/providers"
)

// An apply of bulkWrites partitions or more stages every file and syncs
// the file system once (fsx.Batch). It must leave exactly what the
// per-file path leaves: every profile and side effect in place with the
// recorded content, no temporary file, and a state the next plan finds
// up to date without parsing.
func TestBulkApplyIsCompleteAndConverges(t *testing.T) {
	n := bulkWrites + 36
	req := benchEnv(t, n, false)
	p := mustPlan(t, req)
	if len(p.Plan.Changes) != n {
		t.Fatalf("%d changes, want %d", len(p.Plan.Changes), n)
	}
	if _, err := Apply(p.Plan); err != nil {
		t.Fatal(err)
	}
	snap, err := readState(p.Plan.StatePath)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Records) != n {
		t.Fatalf("%d records, want %d", len(snap.Records), n)
	}
	dirs := map[string]bool{p.Plan.OutputDir: true}
	effects := 0
	for _, rec := range snap.Records {
		if sum, err := fileSHA256(filepath.Join(p.Plan.OutputDir, rec.File)); err != nil || sum != rec.ProfileSHA256 {
			t.Errorf("%s: profile %s: sha %s, %v; recorded %s", rec.Name, rec.File, sum, err, rec.ProfileSHA256)
		}
		for _, eff := range rec.Effects {
			effects++
			st, err := os.Stat(eff.Path)
			switch {
			case err != nil:
				t.Errorf("%s: effect %s: %v", rec.Name, eff.Path, err)
			case eff.Kind == providers.EffectMkdir && !st.IsDir():
				t.Errorf("%s: %s is not a directory", rec.Name, eff.Path)
			case eff.Kind == providers.EffectWriteFile:
				if sum, _ := fileSHA256(eff.Path); sum != eff.SHA256 {
					t.Errorf("%s: %s has sha %s, recorded %s", rec.Name, eff.Path, sum, eff.SHA256)
				}
			}
			dirs[filepath.Dir(eff.Path)] = true
		}
	}
	if effects == 0 {
		t.Fatal("the generated configuration has no side effects: the test checks nothing of them")
	}
	for d := range dirs {
		assertNoTemps(t, d)
	}
	again := mustPlan(t, req)
	if again.Plan.HasChanges() || !again.FastPath {
		t.Errorf("plan after a bulk apply: changes %v, fast path %v; want none, fast", again.Plan.HasChanges(), again.FastPath)
	}
}

// A bulk apply that fails while putting the files in place (here a
// directory squats on one profile's name) reports the error, commits no
// state, leaves no temporary file, and the next apply converges.
func TestBulkApplyFailureConverges(t *testing.T) {
	req := benchEnv(t, bulkWrites, false)
	p := mustPlan(t, req)
	squat := filepath.Join(p.Plan.OutputDir, p.Plan.Changes[len(p.Plan.Changes)/2].File)
	if err := os.MkdirAll(filepath.Join(squat, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(p.Plan); err == nil || !strings.Contains(err.Error(), "rename") {
		t.Fatalf("apply onto a squatted profile name: err = %v, want a rename error", err)
	}
	assertNoTemps(t, p.Plan.OutputDir)
	if snap, err := readState(p.Plan.StatePath); err != nil || len(snap.Records) != 0 {
		t.Fatalf("state after the failed apply: %d records, %v; want none", len(snap.Records), err)
	}
	if err := os.RemoveAll(squat); err != nil {
		t.Fatal(err)
	}
	p = mustPlan(t, req)
	if _, err := Apply(p.Plan); err != nil {
		t.Fatal(err)
	}
	if again := mustPlan(t, req); again.Plan.HasChanges() {
		t.Errorf("the apply after the failure did not converge")
	}
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if fsx.IsTempName(e.Name()) {
			t.Errorf("temporary file left in %s: %s", dir, e.Name())
		}
	}
}
