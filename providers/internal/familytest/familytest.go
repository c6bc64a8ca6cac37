// Package familytest helps a setting family's tests load configurations
// through the real loader, where the family's declared language is
// checked, merged and evaluated.
package familytest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"

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

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
