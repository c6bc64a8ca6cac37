// Package familytest helps a setting family's tests load configurations
// through the real loader, where the family's declared language is
// checked, merged and evaluated.
package familytest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Load writes files (name → content) into a new temporary directory and
// loads it as a configuration.
func Load(tb testing.TB, files map[string]string) (*schema.Config, hcl.Diagnostics) {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return schema.Load(schema.LoadOptions{Path: dir})
}

// MustLoad is Load that fails the test on error diagnostics.
func MustLoad(tb testing.TB, files map[string]string) *schema.Config {
	tb.Helper()
	cfg, diags := Load(tb, files)
	if diags.HasErrors() {
		tb.Fatalf("loading %v: %v", keys(files), diags)
	}
	return cfg
}

// One loads a configuration of exactly one partition and returns the
// provider context and the partition, as a family's Compile takes them.
func One(tb testing.TB, files map[string]string) (*providers.Context, *schema.Partition) {
	tb.Helper()
	cfg := MustLoad(tb, files)
	if len(cfg.Partitions) != 1 {
		tb.Fatalf("%d partitions", len(cfg.Partitions))
	}
	return providers.NewContext(cfg), cfg.Partitions[0]
}

// DiagLines renders diagnostics one a line as "SEVERITY SUMMARY @LINE:COL",
// for tables of expected diagnostics.
func DiagLines(diags hcl.Diagnostics) string {
	var got []string
	for _, d := range diags {
		sev := "warning"
		if d.Severity == hcl.DiagError {
			sev = "error"
		}
		at := "@?"
		if d.Subject != nil {
			at = fmt.Sprintf("@%d:%d", d.Subject.Start.Line, d.Subject.Start.Column)
		}
		got = append(got, fmt.Sprintf("%s %s %s", sev, d.Summary, at))
	}
	return strings.Join(got, "\n")
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
