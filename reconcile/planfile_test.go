package reconcile

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/schema"
	"github.com/sessctl/sessctl/state"
)

// planFileCases are the configurations the saved-plan tests run: the
// examples directory, each example alone, and the partition that sets
// every family in both syntaxes.
func planFileCases(t *testing.T) map[string]func(dst string) string {
	t.Helper()
	cases := map[string]func(dst string) string{
		"examples": func(dst string) string {
			copyTree(t, filepath.Join("..", "examples"), dst)
			return dst
		},
	}
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*.hcl"))
	for _, f := range files {
		base := filepath.Base(f)
		cases["examples/"+base] = func(dst string) string {
			copyTree(t, filepath.Join("..", "examples"), dst)
			return filepath.Join(dst, base)
		}
	}
	for _, variant := range []string{"hcl", "json"} {
		cases["allfamilies/"+variant] = func(dst string) string {
			copyTree(t, filepath.Join("testdata", "allfamilies", "files"), filepath.Join(dst, "files"))
			copyTree(t, filepath.Join("testdata", "allfamilies", variant), dst)
			return dst
		}
	}
	return cases
}

// outputsOf returns every file under dir (relative path -> bytes).
func outputsOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// recordedState returns the state's partition records as JSON, lineage
// and times left out (they differ between any two applies).
func recordedState(t *testing.T, path string) string {
	t.Helper()
	st, err := state.New(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(snap.Partitions))
	for k := range snap.Partitions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		rec := *snap.Partitions[k]
		rec.AppliedAt = time.Time{}
		j, _ := json.Marshal(rec)
		b.WriteString(k + " " + string(j) + "\n")
	}
	b.WriteString("config_digest " + snap.Meta.ConfigDigest + "\noutput " + snap.Meta.OutputDir + "\n")
	return b.String()
}

// TestSavedPlanAppliesLikeDirectApply: apply(plan file) and
// apply(configuration) write byte-identical profiles, index.json and
// recorded state, for every example and every family. A plan file that
// re-encoded the profile fields (indenting, HTML escapes) once made the
// adapter reject the digest and the next plan show a change.
func TestSavedPlanAppliesLikeDirectApply(t *testing.T) {
	for name, setup := range planFileCases(t) {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			cfgPath := setup(filepath.Join(root, "cfg"))
			environ := []string{"HOME=" + root, "XDG_CACHE_HOME=" + filepath.Join(root, "cache"), "XDG_STATE_HOME=" + filepath.Join(root, "xdg")}
			req := Request{Load: schema.LoadOptions{Path: cfgPath, Environ: environ},
				StateFlag: filepath.Join(root, "state", "state.db"), Environ: environ}
			run := func(viaFile bool) (map[string]string, string) {
				if err := os.RemoveAll(filepath.Join(root, "state")); err != nil {
					t.Fatal(err)
				}
				p, err := MakePlan(req)
				if err != nil || p.Diags.HasErrors() {
					t.Fatalf("plan: %v %v", err, p.Diags)
				}
				plan := p.Plan
				if viaFile {
					pf := filepath.Join(root, "saved.plan")
					if err := WritePlanFile(pf, plan); err != nil {
						t.Fatal(err)
					}
					if plan, err = ReadPlanFile(pf); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := Apply(plan); err != nil {
					t.Fatal(err)
				}
				// The next plan of the same configuration is empty.
				again, err := MakePlan(Request{Load: req.Load, StateFlag: req.StateFlag, Environ: req.Environ, NoFastPath: true})
				if err != nil || again.Plan == nil {
					t.Fatalf("plan after apply: %v %v", err, again.Diags)
				}
				if again.Plan.HasChanges() {
					t.Errorf("plan after apply (via file %v) has changes: %+v", viaFile, again.Plan.Changes)
				}
				outs := outputsOf(t, filepath.Join(root, "state", "profiles"))
				// The owner file names the state's lineage, new in each run.
				o := ReadOwner(filepath.Join(root, "state", "profiles"))
				if o == nil || o.Config != ConfigIdentity("", cfgPath) || o.State != req.StateFlag {
					t.Errorf("owner file = %+v", o)
				}
				delete(outs, OwnerFile)
				return outs, recordedState(t, req.StateFlag)
			}
			directOut, directState := run(false)
			fileOut, fileState := run(true)
			if len(directOut) == 0 {
				t.Fatal("direct apply wrote nothing")
			}
			for k, v := range directOut {
				if fileOut[k] != v {
					t.Errorf("%s differs:\n--- direct\n%s\n--- plan file\n%s", k, v, fileOut[k])
				}
			}
			if len(fileOut) != len(directOut) {
				t.Errorf("plan file apply wrote %d files, direct apply %d", len(fileOut), len(directOut))
			}
			if directState != fileState {
				t.Errorf("recorded state differs:\n--- direct\n%s\n--- plan file\n%s", directState, fileState)
			}
		})
	}
}

// TestPlanFileRefusals: a plan file edited by hand, of another format, of
// another sessctl build, or whose fields do not match their digest is
// refused before anything is applied.
func TestPlanFileRefusals(t *testing.T) {
	e := newEnv(t, map[string]string{"cfg/main.hcl": `partition "persist:a" {
  proxy {
    mode         = "fixed_servers"
    rules        = "http://proxy.corp:8080"
    bypass_rules = ["<local>"]
  }
}
`})
	p := e.plan()
	pf := filepath.Join(e.dir, "p.plan")
	if err := WritePlanFile(pf, p.Plan); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(pf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(good, []byte(`"<local>"`)) || bytes.Contains(good, []byte(`\u003c`)) {
		t.Fatalf("plan file does not keep <local> as written: %s", good)
	}
	if !IsPlanFile(pf) {
		t.Fatal("IsPlanFile = false for a saved plan")
	}
	var h planFileHeader
	if err := json.Unmarshal(good, &h); err != nil {
		t.Fatal(err)
	}
	rewrite := func(mut func(h *planFileHeader)) []byte {
		c := h
		mut(&c)
		b, err := marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	reseal := func(h *planFileHeader) {
		sum := sha256Hex(h.Plan)
		h.Checksum = "sha256:" + sum
	}
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"edited", "do not match its checksum", bytes.Replace(good, []byte("proxy.corp"), []byte("proxy.evil"), 1)},
		{"truncated", "not a saved sessctl plan", good[:len(good)/2]},
		{"format 1", "plan_format 1 is not supported", []byte(`{"kind": "sessctl-plan", "format_version": 1, "changes": []}`)},
		{"other build", "made by sessctl", rewrite(func(h *planFileHeader) { h.Version = "v0.0.1 abc sessctl-engine-0" })},
		{"fields not matching digest", "do not match its digest", rewrite(func(h *planFileHeader) {
			h.Plan = json.RawMessage(strings.ReplaceAll(string(h.Plan), "proxy.corp", "proxy.evil"))
			reseal(h)
		})},
		{"shown attribute not what is applied", "differs from the profile field", rewrite(func(h *planFileHeader) {
			h.Plan = json.RawMessage(strings.Replace(string(h.Plan), "proxy.corp", "proxy.evil", 1))
			reseal(h)
		})},
		{"unknown member", "cannot be read", rewrite(func(h *planFileHeader) {
			h.Plan = json.RawMessage(strings.Replace(string(h.Plan), `{"format_version"`, `{"surprise":1,"format_version"`, 1))
			reseal(h)
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(pf, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ReadPlanFile(pf)
			if err == nil || !errors.Is(err, ErrPlanFile) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ReadPlanFile = %v; want a refusal containing %q", err, c.want)
			}
		})
	}
	// Stale: a plan made before another apply is refused by Apply.
	if err := os.WriteFile(pf, good, 0o600); err != nil {
		t.Fatal(err)
	}
	e.apply()
	saved, err := ReadPlanFile(pf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(saved); !errors.Is(err, ErrStalePlan) {
		t.Fatalf("Apply(stale plan) = %v; want ErrStalePlan", err)
	}
}

// TestReencodedFieldIsNamed: a record whose bytes differ from the desired
// profile only in encoding (as plan files of format 1 recorded them)
// gives an update whose attribute says it is the same value, and drift
// names it the same way.
func TestReencodedFieldIsNamed(t *testing.T) {
	d := &Desired{Name: "persist:a", Fields: map[string]json.RawMessage{
		"proxy": json.RawMessage(`{"mode":"fixed_servers","proxyBypassRules":"<local>"}`),
		"other": json.RawMessage(`1`),
	}}
	d.Digest = contentDigest(d.Fields)
	rec := &Record{Name: "persist:a", File: ProfileFileName("persist:a"), Revision: 3, Fields: map[string]json.RawMessage{
		"proxy": json.RawMessage(`{"mode":"fixed_servers","proxyBypassRules":"\u003clocal\u003e"}`),
		"other": json.RawMessage(`2`),
	}}
	c := diffPartition(d, rec, t.TempDir())
	if c == nil || len(c.Attrs) != 2 {
		t.Fatalf("change = %+v", c)
	}
	byName := map[string]AttrChange{}
	for _, a := range c.Attrs {
		byName[a.Name] = a
	}
	if !byName["proxy"].Reencoded || byName["other"].Reencoded {
		t.Errorf("Reencoded: proxy %v (want true), other %v (want false)", byName["proxy"].Reencoded, byName["other"].Reencoded)
	}
	r := NewDriftReport(&Plan{Changes: []*Change{c}})
	if len(r.Intentional) != 1 || strings.Join(r.Intentional[0].Reencoded, ",") != "proxy" {
		t.Errorf("drift intentional = %+v; want proxy listed as re-encoded", r.Intentional)
	}
}

func TestSameJSONValue(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{`"<local>"`, `"\u003clocal\u003e"`, true},
		{`{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, true},
		{`1`, `1.0`, true},
		{`1`, `2`, false},
		{`"1"`, `1`, false},
		{`[1,2]`, `[2,1]`, false},
		{`{"a":null}`, `{}`, false},
		{`not json`, `not json`, false},
	} {
		if got := SameJSONValue(json.RawMessage(c.a), json.RawMessage(c.b)); got != c.want {
			t.Errorf("SameJSONValue(%s, %s) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
