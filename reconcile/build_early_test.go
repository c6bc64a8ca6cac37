package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/benchcfg"
	"github.com/sessctl/sessctl/schema"
)

// TestEarlyBuildIdentical: building each partition while a streamed load
// decodes (LoadAndBuild, the one-shot plan) gives exactly the profiles
// and diagnostics of loading whole and building after, with warnings in
// every partition, a profile and a file() input from a second file, and a
// plan of the same configuration agrees field for field.
func TestEarlyBuildIdentical(t *testing.T) {
	n := 400 // about 640 KB: streamed in several spans
	if testing.Short() {
		n = 120
	}
	dir := t.TempDir()
	if err := benchcfg.Generate(dir, n, false); err != nil {
		t.Fatal(err)
	}
	if err := benchcfg.AddWarnings(dir); err != nil {
		t.Fatal(err)
	}
	main := filepath.Join(dir, "main.hcl")
	src, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	ua := "  user_agent       = \"BenchApp/1.0 (p7)\"\n"
	if !strings.Contains(string(src), ua) {
		t.Fatalf("no %q in the generated configuration", ua)
	}
	src = []byte(strings.Replace(string(src), ua, "  profiles = [profile.extra]\n", 1))
	if err := os.WriteFile(main, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "words.txt"), []byte("alpha"), 0o644); err != nil {
		t.Fatal(err)
	}
	extra := "profile \"extra\" {\n  user_agent = \"Extra/${trimspace(file(\"words.txt\"))}\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "zz.hcl"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := schema.LoadOptions{Path: dir}

	wantCfg, wantDiags := schema.Load(opts)
	if wantDiags.HasErrors() {
		t.Fatal(wantDiags)
	}
	want, bd := Build(wantCfg)
	wantDiags = append(wantDiags, bd...)

	gotCfg, got, gotDiags := LoadAndBuild(opts)
	if len(gotCfg.Partitions) != n || len(got) != n {
		t.Fatalf("%d partitions, %d profiles; want %d", len(gotCfg.Partitions), len(got), n)
	}
	if warnings := len(gotDiags); warnings < n {
		t.Fatalf("%d diagnostics, want a warning per partition (%d)", warnings, n)
	}
	if !reflect.DeepEqual(diagStrings(gotDiags), diagStrings(wantDiags)) {
		t.Errorf("diagnostics differ:\n%v\nwant:\n%v", diagStrings(gotDiags)[:3], diagStrings(wantDiags)[:3])
	}
	if !reflect.DeepEqual(gotCfg.Inputs, wantCfg.Inputs) {
		t.Errorf("inputs %v, want %v", gotCfg.Inputs, wantCfg.Inputs)
	}
	for name, w := range want {
		g := got[name]
		if g == nil {
			t.Fatalf("no profile for %q", name)
		}
		if g.Digest != w.Digest || !reflect.DeepEqual(g.Fields, w.Fields) || !reflect.DeepEqual(g.Effects, w.Effects) ||
			!reflect.DeepEqual(g.Inputs, w.Inputs) || !reflect.DeepEqual(g.IgnoreDrift, w.IgnoreDrift) {
			gj, _ := json.Marshal(g.Fields)
			wj, _ := json.Marshal(w.Fields)
			t.Fatalf("%s differs:\n%s\n%v\nwant:\n%s\n%v", name, gj, g.Inputs, wj, w.Inputs)
		}
	}
	if ua := string(got["persist:p7"].Fields["userAgent"]); !strings.Contains(ua, "Extra/alpha") {
		t.Errorf("persist:p7 user agent %s, want the profile's from file()", ua)
	}
	// A plan made the CLI's way (streamed, built early) is the plan made
	// the watch engine's way, change for change.
	plans := map[bool][]byte{}
	for _, stream := range []bool{false, true} {
		req := Request{Load: opts, StateFlag: filepath.Join(dir, "state.db"), NoFastPath: true}
		req.Load.Stream = stream
		p, err := MakePlan(req)
		if err != nil || p.Diags.HasErrors() {
			t.Fatalf("stream=%v: %v %v", stream, err, p.Diags)
		}
		b, err := json.Marshal(p.Plan.Changes)
		if err != nil {
			t.Fatal(err)
		}
		plans[stream] = b
	}
	if !bytes.Equal(plans[true], plans[false]) {
		t.Errorf("the streamed plan differs from the whole-load plan")
	}
	// Streamed and built early: the decoded settings are released.
	released := 0
	for _, p := range gotCfg.Partitions {
		if reflect.DeepEqual(p, wantByName(wantCfg, p.Name)) {
			continue
		}
		released++
	}
	if released != n {
		t.Errorf("%d of %d partitions released their decoded settings", released, n)
	}
}

func wantByName(cfg *schema.Config, name string) *schema.Partition {
	for _, p := range cfg.Partitions {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func diagStrings(diags hcl.Diagnostics) []string {
	out := make([]string, len(diags))
	for i, d := range diags {
		r := ""
		if d.Subject != nil {
			r = d.Subject.String()
		}
		out[i] = fmt.Sprint(d.Severity) + "|" + d.Summary + "|" + d.Detail + "|" + r
	}
	return out
}
