package spellcheck_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/sessctl/sessctl/providers/all"
	"github.com/sessctl/sessctl/providers/spellcheck"
	"github.com/sessctl/sessctl/reconcile"
	"github.com/sessctl/sessctl/schema"
)

// provisionEnv is a configuration directory whose settings name a state
// file, an output directory and a session data directory, all in a
// temporary directory: the path `sessctl apply` takes, with a real bbolt
// state file.
type provisionEnv struct {
	dir, cfg, sd string
	req          reconcile.Request
}

func newProvisionEnv(t *testing.T, spellcheckBody string) *provisionEnv {
	t.Helper()
	dir := t.TempDir()
	e := &provisionEnv{dir: dir, cfg: filepath.Join(dir, "cfg"), sd: filepath.Join(dir, "sd")}
	if err := os.MkdirAll(e.cfg, 0o755); err != nil {
		t.Fatal(err)
	}
	e.write(t, spellcheckBody)
	environ := []string{"HOME=" + dir, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	e.req = reconcile.Request{Load: schema.LoadOptions{Path: e.cfg, Environ: environ}, StateFlag: filepath.Join(dir, "state.db"), Environ: environ}
	return e
}

func (e *provisionEnv) write(t *testing.T, spellcheckBody string) {
	t.Helper()
	src := fmt.Sprintf("sessctl {\n  output       = %q\n  session_data = %q\n}\npartition \"persist:work\" {\n  spellcheck {\n%s  }\n}\n", filepath.Join(e.dir, "out"), e.sd, spellcheckBody)
	if err := os.WriteFile(filepath.Join(e.cfg, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (e *provisionEnv) plan(t *testing.T) *reconcile.Plan {
	t.Helper()
	p, err := reconcile.MakePlan(e.req)
	if err != nil || p.Plan == nil {
		t.Fatalf("plan: %v %v", err, p.Diags)
	}
	return p.Plan
}

func (e *provisionEnv) apply(t *testing.T) {
	t.Helper()
	if _, err := reconcile.Apply(e.plan(t)); err != nil {
		t.Fatal(err)
	}
}

// dictFile writes a generated dictionary named name into dir and returns
// its path and SHA-256.
func dictFile(t *testing.T, dir, name string, words ...string) (string, string) {
	t.Helper()
	data := spellcheck.BuildBDIC(words)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return p, hex.EncodeToString(s[:])
}

func dictBlock(lang, src, sum string) string {
	return fmt.Sprintf("    dictionary %q {\n      source = %q\n      sha256 = %q\n    }\n", lang, src, sum)
}

// TestProvisionPlanApplyDrift: the plan shows the dictionary as a file it
// writes, apply writes it byte for byte, the next plan is empty, and a
// modified or missing dictionary is drift that the next apply repairs. A
// new pin is a change of the spellChecker field.
func TestProvisionPlanApplyDrift(t *testing.T) {
	dicts := t.TempDir()
	src, sum := dictFile(t, dicts, "fr-FR-3-0.bdic", "bonjour", "sessctl")
	e := newProvisionEnv(t, "    languages = [\"fr\"]\n"+dictBlock("fr", src, sum))
	target := filepath.Join(e.sd, "Dictionaries", "fr-FR-3-0.bdic")

	p := e.plan(t)
	if len(p.Changes) != 1 || len(p.Changes[0].Effects) != 1 || p.Changes[0].Effects[0].Path != target {
		t.Fatalf("plan changes = %+v", p.Changes)
	}
	e.apply(t)
	want, _ := os.ReadFile(src)
	if got, err := os.ReadFile(target); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("provisioned file: %v (equal: %v)", err, bytes.Equal(got, want))
	}
	if p := e.plan(t); p.HasChanges() {
		t.Fatalf("plan after apply has changes: %+v", p.Changes)
	}

	for _, tc := range []struct {
		name   string
		mutate func() error
		msg    string
	}{
		{"modified", func() error { return os.WriteFile(target, []byte("BDic corrupted"), 0o644) }, "file " + target + " differs from what was written"},
		{"missing", func() error { return os.Remove(target) }, "file " + target + " is missing"},
	} {
		if err := tc.mutate(); err != nil {
			t.Fatal(err)
		}
		p := e.plan(t)
		if len(p.Changes) != 1 {
			t.Fatalf("%s: changes = %+v", tc.name, p.Changes)
		}
		var kinds []string
		for _, f := range p.Changes[0].Findings {
			kinds = append(kinds, string(f.Kind)+": "+f.Message)
		}
		if strings.Join(kinds, "\n") != string(reconcile.DriftFileModified)+": "+tc.msg {
			t.Errorf("%s: findings = %q", tc.name, kinds)
		}
		e.apply(t)
		if got, err := os.ReadFile(target); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: not repaired: %v", tc.name, err)
		}
	}

	// A new dictionary (and pin) is an intentional change of the field.
	src2, sum2 := dictFile(t, filepath.Join(dicts, "v2"), "fr-FR-3-0.bdic", "bonjour", "salut")
	e.write(t, "    languages = [\"fr\"]\n"+dictBlock("fr", src2, sum2))
	p = e.plan(t)
	if len(p.Changes) != 1 || len(p.Changes[0].Attrs) != 1 || p.Changes[0].Attrs[0].Name != spellcheck.Field || !strings.Contains(string(p.Changes[0].Attrs[0].After), sum2) {
		t.Fatalf("plan for a new pin = %+v", p.Changes)
	}
	e.apply(t)
	want2, _ := os.ReadFile(src2)
	if got, _ := os.ReadFile(target); !bytes.Equal(got, want2) {
		t.Fatal("the new dictionary was not provisioned")
	}
}

// TestProvisionRefusesBadInput: a configuration whose dictionary fails a
// check plans nothing and writes nothing.
func TestProvisionRefusesBadInput(t *testing.T) {
	src, _ := dictFile(t, t.TempDir(), "fr-FR-3-0.bdic", "bonjour")
	e := newProvisionEnv(t, dictBlock("fr", src, strings.Repeat("0", 64)))
	p, err := reconcile.MakePlan(e.req)
	if err == nil && p.Plan != nil && !p.Diags.HasErrors() {
		t.Fatal("a wrong pin was planned")
	}
	found := false
	for _, d := range p.Diags {
		found = found || strings.Contains(d.Summary, "does not match its sha256 pin")
	}
	if !found {
		t.Errorf("diagnostics = %v", p.Diags)
	}
	if _, err := os.Stat(e.sd); !os.IsNotExist(err) {
		t.Errorf("session data directory written: %v", err)
	}
}
