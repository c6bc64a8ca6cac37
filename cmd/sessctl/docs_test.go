package main

// The CLI reference (docs/cli/*.md) and the man pages (docs/man/*.1) are
// generated from the cobra commands and checked in. TestCLIDocs regenerates
// them into a temp dir and fails when the checked-in copies differ.
//
// After adding or changing a command or flag, rewrite them with:
//
//	go test ./cmd/sessctl -run TestCLIDocs -update-docs
//
// (or SESSCTL_UPDATE_DOCS=1 go test ./cmd/sessctl -run TestCLIDocs).

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/spf13/cobra/doc"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/cli and docs/man from the cobra commands")

// generateCLIDocs writes the Markdown reference into cliDir and the man
// pages into manDir. The output depends only on the commands: no
// generation date in either.
func generateCLIDocs(t *testing.T, cliDir, manDir string) {
	t.Helper()
	rootCmd.DisableAutoGenTag = true
	for _, d := range []string{cliDir, manDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := doc.GenMarkdownTree(rootCmd, cliDir); err != nil {
		t.Fatal(err)
	}
	// A fixed date: GenManHeader uses time.Now() when Date is nil.
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	header := &doc.GenManHeader{Title: "SESSCTL", Section: "1", Source: "sessctl", Manual: "sessctl manual", Date: &date}
	if err := doc.GenManTree(rootCmd, header, manDir); err != nil {
		t.Fatal(err)
	}
}

// generated lists the generated files of dir (README.md in docs/cli is
// hand-written and not compared).
func generated(t *testing.T, dir, ext string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	files, err := filepath.Glob(filepath.Join(dir, "*"+ext))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f) == "README.md" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(f)] = b
	}
	return m
}

func TestCLIDocs(t *testing.T) {
	repoCLI := filepath.Join("..", "..", "docs", "cli")
	repoMan := filepath.Join("..", "..", "docs", "man")
	tmp := t.TempDir()
	cliDir, manDir := filepath.Join(tmp, "cli"), filepath.Join(tmp, "man")
	generateCLIDocs(t, cliDir, manDir)

	update := *updateDocs || os.Getenv("SESSCTL_UPDATE_DOCS") != ""
	for _, d := range []struct{ got, repo, ext string }{{cliDir, repoCLI, ".md"}, {manDir, repoMan, ".1"}} {
		got, have := generated(t, d.got, d.ext), generated(t, d.repo, d.ext)
		if update {
			if err := os.MkdirAll(d.repo, 0o755); err != nil {
				t.Fatal(err)
			}
			for name := range have {
				if _, ok := got[name]; !ok {
					if err := os.Remove(filepath.Join(d.repo, name)); err != nil {
						t.Fatal(err)
					}
				}
			}
			for name, b := range got {
				if err := os.WriteFile(filepath.Join(d.repo, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		var names []string
		for name := range got {
			names = append(names, name)
		}
		for name := range have {
			if _, ok := got[name]; !ok {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			g, okG := got[name]
			h, okH := have[name]
			switch {
			case !okH:
				t.Errorf("%s is missing from %s", name, d.repo)
			case !okG:
				t.Errorf("%s in %s is no longer generated", name, d.repo)
			case !bytes.Equal(g, h):
				t.Errorf("%s in %s is out of date", name, d.repo)
			}
		}
	}
	if t.Failed() {
		t.Log("regenerate with: go test ./cmd/sessctl -run TestCLIDocs -update-docs")
	}
}
