package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestSkipLoadsOnlyKeptBlocks: a selective load (LoadOptions.Skip) decodes
// exactly the partitions of the blocks it keeps, identical to the same
// partitions of a whole load (ranges included, so diagnostics point at the
// right lines of the real file), with the settings and globals of the whole
// configuration, and parses no skipped block.
func TestSkipLoadsOnlyKeptBlocks(t *testing.T) {
	dir, src := generatedMain(t, 500, false)
	main := filepath.Join(dir, "main.hcl")
	// Globals between partitions, a profile used by a kept partition, a
	// second file with a kept and a skipped partition, a for_each block.
	src = bytes.Replace(src, []byte("partition \"persist:p250\" {"), []byte(
		"locals {\n  ua = \"Mixed/${var.v}\"\n}\n\nvariable \"v\" {\n  default = \"1\"\n}\n\nprofile \"mp\" {\n  user_agent = local.ua\n}\n\n"+
			"partition \"persist:fe-${each.key}\" {\n  for_each = { a = 1, b = 2 }\n  profiles = [profile.mp]\n}\n\npartition \"persist:p250\" {"), 1)
	if err := os.WriteFile(main, src, 0o644); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "second.hcl")
	if err := os.WriteFile(second, []byte("partition \"persist:z1\" {\n  profiles = [profile.mp]\n}\n\npartition \"persist:z2\" {\n  cache = false\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	whole, diags := Load(LoadOptions{Path: dir})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	keep := map[string]bool{"persist:p0": true, "persist:p251": true, "persist:p499": true, "persist:fe-a": true, "persist:fe-b": true, "persist:z1": true}
	blocks := map[string][]TopBlock{}
	for _, f := range []string{main, second} {
		b, _ := os.ReadFile(f)
		bs, ok := SplitBlocks(b)
		if !ok {
			t.Fatal("split")
		}
		blocks[f] = bs
	}
	keptAt := map[string]map[int]bool{main: {}, second: {}}
	for _, p := range whole.Partitions {
		if keep[p.Name] {
			f := main
			if strings.HasSuffix(p.DeclRange.Filename, "second.hcl") {
				f = second
			}
			keptAt[f][p.DeclRange.Start.Byte] = true
		}
	}
	var asked []string
	withStreamSpans(t, 16<<10, 2)
	srcs := map[string][]byte{main: src}
	got, gd := Load(LoadOptions{Path: dir, Sources: srcs, Skip: func(path string, b TopBlock) bool {
		asked = append(asked, path)
		return !keptAt[path][b.Start]
	}})
	if got == nil || gd.HasErrors() {
		t.Fatalf("selective load failed: %v", gd)
	}
	var want []*Partition
	for _, p := range whole.Partitions {
		if keep[p.Name] {
			want = append(want, p)
		}
	}
	if !reflect.DeepEqual(got.Partitions, want) {
		t.Errorf("partitions differ")
		diffLines(t, flatten(got.Partitions), flatten(want))
	}
	if !reflect.DeepEqual(got.Settings, whole.Settings) || !reflect.DeepEqual(got.Files, whole.Files) {
		t.Errorf("settings or files differ")
	}
	seen := map[string]bool{}
	for _, p := range asked {
		seen[p] = true
	}
	if len(seen) != 2 || !seen[main] || !seen[second] {
		t.Errorf("Skip was asked with paths %v, want %s and %s", seen, main, second)
	}
	streamStats.Lock()
	parsed := streamStats.parsed
	streamStats.Unlock()
	if parsed > 5 {
		t.Errorf("%d spans parsed for 5 runs of kept partition blocks", parsed)
	}
	// Ranges are the whole file's: a diagnostic renders the real line.
	var sb strings.Builder
	d := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "x", Subject: &got.Partitions[len(got.Partitions)-2].NameRange}
	hcl.NewDiagnosticTextWriter(&sb, got.Sources, 78, false).WriteDiagnostics(hcl.Diagnostics{d})
	if !strings.Contains(sb.String(), `partition "persist:p499"`) {
		t.Errorf("diagnostic renders the wrong line:\n%s", sb.String())
	}
	// A JSON file cannot be cut into blocks: nothing, no diagnostics.
	if err := os.WriteFile(filepath.Join(dir, "x.hcl.json"), []byte(`{"partition": {"persist:j": {}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, d := Load(LoadOptions{Path: dir, Skip: func(string, TopBlock) bool { return true }}); c != nil || d != nil {
		t.Errorf("selective load of a JSON configuration = %v, %v; want nil, nil", c != nil, d)
	}
}
