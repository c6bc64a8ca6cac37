package reconcile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recoverEnv applies twoPartitions twice (the second time with a change,
// so that revisions are not all 1) and returns the env and its locations.
func recoverEnv(t *testing.T) (*env, Locations) {
	t.Helper()
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	e.apply()
	e.write(map[string]string{"cfg/main.hcl": strings.Replace(twoPartitions, "Work/1.0", "Work/2.0", 1)})
	e.apply()
	p := e.plan()
	return e, p.Loc
}

// TestRecoverRebuildsDamagedState: a state that does not open is kept
// aside byte for byte, rebuilt from the outputs with the profiles'
// revisions, and the next plan shows no changes.
func TestRecoverRebuildsDamagedState(t *testing.T) {
	for _, damage := range []string{"garbage", "missing", "empty"} {
		t.Run(damage, func(t *testing.T) {
			e, loc := recoverEnv(t)
			before, err := readState(loc.StatePath)
			if err != nil {
				t.Fatal(err)
			}
			var damaged []byte
			switch damage {
			case "garbage":
				damaged = []byte("not a bbolt file at all")
				err = os.WriteFile(loc.StatePath, damaged, 0o600)
			case "missing":
				err = os.Remove(loc.StatePath)
			case "empty":
				damaged = []byte{}
				err = os.WriteFile(loc.StatePath, damaged, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			if damage == "garbage" {
				if _, err := MakePlan(e.req); err == nil || !strings.Contains(err.Error(), "sessctl state recover") {
					t.Fatalf("plan on a damaged state: %v; want an error naming 'sessctl state recover'", err)
				}
			}
			res, err := RecoverState(loc, "", false)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(res.Partitions, ","); got != "persist:work,tmp" {
				t.Errorf("recovered %q", got)
			}
			if damage == "missing" {
				if res.MovedAside != "" {
					t.Errorf("MovedAside = %q for a missing state", res.MovedAside)
				}
			} else if kept, err := os.ReadFile(res.MovedAside); err != nil || string(kept) != string(damaged) {
				t.Errorf("damaged state not kept aside as it was: %q %v", kept, err)
			}
			after, err := readState(loc.StatePath)
			if err != nil {
				t.Fatal(err)
			}
			for name, rec := range before.Records {
				got := after.Records[name]
				if got == nil || got.Revision != rec.Revision || got.ProfileSHA256 != rec.ProfileSHA256 || contentDigest(got.Fields) != contentDigest(rec.Fields) {
					t.Errorf("partition %q: recovered %+v, want %+v", name, got, rec)
				}
			}
			if after.Config != loc.Config || after.OutputDir != loc.OutputDir {
				t.Errorf("recovered owner %q output %q", after.Config, after.OutputDir)
			}
			if p := e.plan(); p.Plan.HasChanges() {
				t.Errorf("plan after recover: %q (index stale %v)", actions(p.Plan), p.Plan.IndexStale)
			}
			// And the loop goes on: a change applies at the next revision.
			e.write(map[string]string{"cfg/main.hcl": strings.Replace(twoPartitions, "Work/1.0", "Work/3.0", 1)})
			e.apply()
			if st, _ := readState(loc.StatePath); st.Records["persist:work"].Revision != before.Records["persist:work"].Revision+1 {
				t.Errorf("revision after recover+apply = %d", st.Records["persist:work"].Revision)
			}
		})
	}
}

// TestRecoverRefuses: a readable state, an edited profile or an index that
// names a file outside the directory: nothing is written.
func TestRecoverRefuses(t *testing.T) {
	t.Run("readable state", func(t *testing.T) {
		_, loc := recoverEnv(t)
		if _, err := RecoverState(loc, "", false); !errors.Is(err, ErrStateReadable) {
			t.Fatalf("err = %v", err)
		}
	})
	for name, mutate := range map[string]func(t *testing.T, out string){
		"edited profile": func(t *testing.T, out string) {
			p := filepath.Join(out, ProfileFileName("tmp"))
			b, _ := os.ReadFile(p)
			if err := os.WriteFile(p, []byte(strings.Replace(string(b), "Tmp/1.0", "Evil/1.0", 1)), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"escaping index": func(t *testing.T, out string) {
			p := filepath.Join(out, IndexFile)
			b, _ := os.ReadFile(p)
			s := strings.Replace(string(b), ProfileFileName("tmp"), "../../cfg/main.hcl", 1)
			if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"no index": func(t *testing.T, out string) {
			if err := os.Remove(filepath.Join(out, IndexFile)); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, loc := recoverEnv(t)
			damaged := []byte("garbage")
			if err := os.WriteFile(loc.StatePath, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			mutate(t, loc.OutputDir)
			if _, err := RecoverState(loc, "", false); err == nil {
				t.Fatal("recover succeeded")
			}
			if b, err := os.ReadFile(loc.StatePath); err != nil || string(b) != string(damaged) {
				t.Errorf("state touched by a refused recovery: %q %v", b, err)
			}
			if m, _ := filepath.Glob(loc.StatePath + ".damaged-*"); len(m) != 0 {
				t.Errorf("refused recovery moved the state: %v", m)
			}
		})
	}
}

// An apply removes the temporary files a killed apply left in the output
// directory, and only those; drift lists files sessctl did not write.
func TestApplyRemovesOwnLeftovers(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	e.apply()
	out := e.outDir()
	ours := []string{"." + ProfileFileName("tmp") + ".tmp-0123456789abcdef", ".index.json.tmp-fedcba9876543210", "." + OwnerFile + ".tmp-00000000ffffffff"}
	theirs := []string{".notes.txt.tmp-0123456789abcdef", ".p-x.json.tmp-short", "README", ".index.json.tmp-0123456789ABCDEF"}
	for _, n := range append(append([]string{}, ours...), theirs...) {
		if err := os.WriteFile(filepath.Join(out, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := readState(e.req.StateFlag)
	if got, want := strings.Join(UnknownOutputFiles(out, st.Records), ","), strings.Join([]string{".index.json.tmp-0123456789ABCDEF", ".notes.txt.tmp-0123456789abcdef", ".p-x.json.tmp-short", "README"}, ","); got != want {
		t.Errorf("unknown files = %s, want %s", got, want)
	}
	e.write(map[string]string{"cfg/main.hcl": strings.Replace(twoPartitions, "Work/1.0", "Work/2.0", 1)})
	e.apply()
	for _, n := range ours {
		if _, err := os.Lstat(filepath.Join(out, n)); !os.IsNotExist(err) {
			t.Errorf("leftover %s not removed (%v)", n, err)
		}
	}
	for _, n := range theirs {
		if _, err := os.Lstat(filepath.Join(out, n)); err != nil {
			t.Errorf("%s removed: %v", n, err)
		}
	}
}

// Watch's engine applies like reconcile.Apply: it records the owner in the
// state and the output directory, refuses another configuration's state,
// and removes its own leftover temporary files.
func TestEngineApplyRecordsOwner(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	eng := NewEngine(e.req)
	p, err := eng.Plan(false)
	if err != nil || p.Plan == nil {
		t.Fatal(err)
	}
	if _, err := eng.Apply(p); err != nil {
		t.Fatal(err)
	}
	id := ConfigIdentity("", e.req.Load.Path)
	if o := ReadOwner(e.outDir()); o == nil || o.Config != id || o.State != e.req.StateFlag || o.Lineage == "" {
		t.Fatalf("owner after the engine's first apply = %+v", o)
	}
	if st, _ := readState(e.req.StateFlag); st.Config != id {
		t.Fatalf("state owner = %q, want %q", st.Config, id)
	}
	leftover := filepath.Join(e.outDir(), "."+ProfileFileName("tmp")+".tmp-0123456789abcdef")
	if err := os.WriteFile(leftover, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.write(map[string]string{"cfg/main.hcl": strings.Replace(twoPartitions, "Work/1.0", "Work/2.0", 1)})
	if p, err = eng.Plan(true); err != nil || p.Plan == nil {
		t.Fatal(err)
	}
	if _, err := eng.Apply(p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(leftover); !os.IsNotExist(err) {
		t.Errorf("engine apply left %s (%v)", leftover, err)
	}
	other := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	other.req.StateFlag = e.req.StateFlag
	if _, err := NewEngine(other.req).Plan(false); !errors.Is(err, ErrOwnedByOther) {
		t.Fatalf("engine plan of another configuration on this state: %v, want ErrOwnedByOther", err)
	}
}

// Reading commands create nothing: planning writes no location cache; the
// apply that follows does (the next plan's fast path needs it).
func TestPlanWritesNoCache(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": twoPartitions})
	cache := filepath.Join(e.dir, "cache")
	e.plan()
	if _, err := os.Stat(cache); !os.IsNotExist(err) {
		t.Fatalf("plan created %s (%v)", cache, err)
	}
	e.apply()
	if m, _ := filepath.Glob(filepath.Join(cache, "sessctl", "locations", "*.json")); len(m) != 1 {
		t.Fatalf("apply remembered %d locations, want 1", len(m))
	}
	if p := e.plan(); !p.FastPath {
		t.Error("the plan after an apply did not take the fast path")
	}
}

// A state that went missing (or was emptied) while its profiles remain is
// not silently started afresh, which would restart every revision at 1:
// plan points at state recover, and --take-ownership starts anew.
func TestLostStateIsNotStartedAfresh(t *testing.T) {
	for _, lose := range []string{"deleted", "emptied"} {
		t.Run(lose, func(t *testing.T) {
			e, loc := recoverEnv(t)
			var err error
			if lose == "deleted" {
				err = os.Remove(loc.StatePath)
			} else {
				err = os.WriteFile(loc.StatePath, nil, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = MakePlan(e.req)
			if !errors.Is(err, ErrOwnedByOther) || !strings.Contains(err.Error(), "sessctl state recover") {
				t.Fatalf("plan with a lost state: %v; want a refusal naming state recover", err)
			}
			e.req.TakeOwnership = true
			if p := e.plan(); len(p.Plan.Changes) != 2 {
				t.Fatalf("with --take-ownership: %q", actions(p.Plan))
			}
		})
	}
}
