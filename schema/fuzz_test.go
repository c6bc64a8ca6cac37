package schema

import (
	"sort"
	"strings"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary bytes to the loader as a native or JSON file,
// with an arbitrary --var and environment value. Load must never panic
// (loadSources is called directly, without Load's recover guard, so that a
// panic fails the fuzzer), and a configuration without errors must satisfy
// the loader's promises. The seed corpus is in testdata/fuzz/FuzzLoad; more
// seeds come from the decode fixtures and the bad-input table.
func FuzzLoad(f *testing.F) {
	for _, tc := range badCases {
		for name, src := range tc.files {
			if strings.HasSuffix(name, ".hcl") || strings.HasSuffix(name, ".json") {
				f.Add([]byte(src), strings.HasSuffix(name, ".json"), "x=1")
			}
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte, asJSON bool, varText string) {
		name := "main.hcl"
		if asJSON {
			name = "main.hcl.json"
		}
		opts := LoadOptions{
			Path:    dir,
			Vars:    []string{varText},
			Environ: []string{"SESSCTL_VAR_" + varText},
			Host:    testHost,
		}
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 60*time.Second { // a hang bound, not a latency target
				t.Errorf("took %v", d)
			}
		}()
		cfg, diags := loadSources(dir, []srcFile{{name: name, bytes: src, json: asJSON}}, opts)
		for _, d := range diags {
			if d.Summary == "" {
				t.Errorf("diagnostic without summary: %#v", d)
			}
		}
		if cfg == nil || diags.HasErrors() {
			return
		}
		if !sort.SliceIsSorted(cfg.Partitions, func(i, j int) bool { return cfg.Partitions[i].Name < cfg.Partitions[j].Name }) {
			t.Error("partitions not sorted by name")
		}
		names := newNameIndex(len(cfg.Partitions))
		for _, p := range cfg.Partitions {
			if d := checkPartitionName(p.Name, p.NameRange); d.HasErrors() {
				t.Errorf("accepted bad name %q: %v", p.Name, diagLines(d))
			}
			if d := names.add(p.Name, p.NameRange); d.HasErrors() {
				t.Errorf("accepted duplicate %q", p.Name)
			}
		}
		if !asJSON {
			Format(src, name)
		}
	})
}
