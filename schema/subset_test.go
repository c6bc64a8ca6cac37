package schema

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadFilesSubset(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"vars.hcl":    "variable \"ua\" {\n  default = \"V/1\"\n}\n",
		"a.hcl":       "partition \"persist:a\" {\n  user_agent = var.ua\n}\n",
		"b.hcl":       "partition \"persist:b\" {\n  user_agnet = \"x\"\n}\n", // error, not loaded below
		".hidden.hcl": "partition \"persist:h\" {\n}\n",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(filepath.Dir(dir), "outside.hcl")
	os.WriteFile(outside, []byte("partition \"persist:o\" {\n}\n"), 0o644)
	defer os.Remove(outside)

	cfg, diags := LoadFiles(LoadOptions{Path: dir}, []string{"a.hcl", "vars.hcl", ".hidden.hcl", "../outside.hcl", "missing.hcl", "a.hcl"})
	if diags.HasErrors() {
		t.Fatalf("diagnostics: %v", diags)
	}
	if len(cfg.Partitions) != 1 || cfg.Partitions[0].Name != "persist:a" || ua(cfg.Partitions[0]).V != "V/1" {
		t.Fatalf("partitions = %+v, want only persist:a with the variable's value", cfg.Partitions)
	}
	// Same directory and diagnostic file names as a full Load.
	full, _ := Load(LoadOptions{Path: dir})
	if cfg.Dir != full.Dir {
		t.Errorf("Dir = %q, want %q", cfg.Dir, full.Dir)
	}
	want := filepath.Join(dir, "a.hcl")
	if got := cfg.Partitions[0].DeclRange.Filename; got != want {
		t.Errorf("range file name = %q, want %q (as Load names it)", got, want)
	}
	if len(cfg.Files) != 2 {
		t.Errorf("Files = %v, want a.hcl and vars.hcl", cfg.Files)
	}
	// The file with an error is reported only when it is loaded.
	if _, d := LoadFiles(LoadOptions{Path: dir}, []string{"b.hcl"}); !d.HasErrors() {
		t.Errorf("b.hcl loaded without its error")
	}
	if _, d := LoadFiles(LoadOptions{Path: filepath.Join(dir, "a.hcl")}, []string{"a.hcl"}); !d.HasErrors() {
		t.Errorf("a file path was accepted as the configuration directory")
	}
}
