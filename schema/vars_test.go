package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"
)

const precedenceConfig = `
variable "ua" {
  type    = string
  default = "from-default"
}
variable "langs" {
  type    = list(string)
  default = ["xx"]
}
variable "count" {
  type    = number
  default = 1
}
sessctl {
  electron_version = var.count
}
partition "a" {
  user_agent       = var.ua
  accept_languages = var.langs
}
`

// TestVariablePrecedence: lowest first, default < environment < var files
// (in order) < --var (in order), as documented in LoadOptions.
func TestVariablePrecedence(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.hcl":     precedenceConfig,
		"v/one.hcl":    `ua = "from-file-1"` + "\n" + `langs = ["f1"]`,
		"v/two.json":   `{"ua": "from-file-2"}`,
		"v/count.json": `{"count": 7}`,
	})
	f1, f2, fc := filepath.Join(dir, "v/one.hcl"), filepath.Join(dir, "v/two.json"), filepath.Join(dir, "v/count.json")
	env := []string{"SESSCTL_VAR_ua=from-env", `SESSCTL_VAR_langs=["e1", "e2"]`, "SESSCTL_VAR_count=3", "SESSCTL_VAR_undeclared=ignored", "OTHER=x"}
	cases := []struct {
		name  string
		opts  LoadOptions
		ua    string
		langs []string
		count int
	}{
		{"default", LoadOptions{}, "from-default", []string{"xx"}, 1},
		{"env over default", LoadOptions{Environ: env}, "from-env", []string{"e1", "e2"}, 3},
		{"file over env", LoadOptions{Environ: env, VarFiles: []string{f1}}, "from-file-1", []string{"f1"}, 3},
		{"later file wins", LoadOptions{Environ: env, VarFiles: []string{f1, f2, fc}}, "from-file-2", []string{"f1"}, 7},
		{"order of files matters", LoadOptions{VarFiles: []string{f2, f1}}, "from-file-1", []string{"f1"}, 1},
		{"--var over files", LoadOptions{Environ: env, VarFiles: []string{f1, f2}, Vars: []string{"ua=cli"}}, "cli", []string{"f1"}, 3},
		{"later --var wins", LoadOptions{Vars: []string{"ua=one", "ua=two=2", "count=9"}}, "two=2", []string{"xx"}, 9},
		// A string variable takes the text as is; a list is parsed as HCL.
		{"raw string, parsed list", LoadOptions{Vars: []string{`ua=["not", "a list"]`, `langs=["a", "b"]`}}, `["not", "a list"]`, []string{"a", "b"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Path = filepath.Join(dir, "main.hcl")
			cfg, diags := Load(opts)
			if diags.HasErrors() {
				t.Fatal(diagLines(diags))
			}
			p := cfg.Partitions[0]
			if ua(p).V != tc.ua {
				t.Errorf("ua = %q, want %q", ua(p).V, tc.ua)
			}
			if got := langs(p).Strings(); len(got) != len(tc.langs) || (len(got) > 0 && got[0] != tc.langs[0]) {
				t.Errorf("langs = %q, want %q", got, tc.langs)
			}
			if v := cfg.Settings.ElectronVersion.V; v != tc.count {
				t.Errorf("count = %d, want %d", v, tc.count)
			}
			// Var files are inputs.
			for _, f := range opts.VarFiles {
				found := false
				for _, in := range cfg.Inputs {
					found = found || in.Path == f
				}
				if !found {
					t.Errorf("var file %s missing from Inputs %v", f, cfg.Inputs)
				}
			}
		})
	}
}

func TestVariableValueRangeFromVarFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.hcl": `variable "ua" { type = string }
partition "a" { user_agent = var.ua }`,
		"v.hcl": "\nua = 5",
	})
	_, diags := Load(LoadOptions{Path: filepath.Join(dir, "main.hcl"), VarFiles: []string{filepath.Join(dir, "v.hcl")}})
	// 5 converts to "5": a number is acceptable for a string variable, as in Terraform.
	if diags.HasErrors() {
		t.Fatal(diagLines(diags))
	}
	_, diags = Load(LoadOptions{Path: filepath.Join(dir, "main.hcl"), Vars: []string{"ua"}})
	if !diags.HasErrors() {
		t.Fatal("want an error for --var without =")
	}
}

func TestLocalsAnyOrder(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.hcl": `locals { c = "${local.b}-c" }
partition "a" { user_agent = local.c }`,
		"b.hcl": `locals {
  b = "${local.a}-b"
  a = upper("a")
}`,
	})
	cfg, diags := Load(LoadOptions{Path: dir})
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	if got := ua(cfg.Partitions[0]).V; got != "A-b-c" {
		t.Errorf("got %q, want A-b-c", got)
	}
}

func TestFileFunctionsRecordInputs(t *testing.T) {
	content := "hello\n"
	dir := writeFiles(t, map[string]string{
		"main.hcl": `partition "a" {
  user_agent = chomp(file("ua.txt"))
  preload "p" {
    path   = "${path.config}/ua.txt"
    sha256 = filesha256("./ua.txt")
  }
}
partition "b" { user_agent = file("ua.txt") }`,
		"ua.txt": content,
	})
	cfg, diags := Load(LoadOptions{Path: dir})
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	sum := sha256.Sum256([]byte(content))
	want := FileInput{Path: filepath.Join(dir, "ua.txt"), SHA256: hex.EncodeToString(sum[:])}
	if len(cfg.Inputs) != 1 || cfg.Inputs[0] != want {
		t.Errorf("Inputs = %v, want [%v] (each file once)", cfg.Inputs, want)
	}
	a := find(cfg.Partitions, "a")
	if ua(a).V != "hello" || preloads(a)[0].SHA256.V != want.SHA256 {
		t.Errorf("got ua %q sha %q", ua(a).V, preloads(a)[0].SHA256.V)
	}
}
