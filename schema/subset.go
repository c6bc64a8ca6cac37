package schema

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// LoadFiles is Load restricted to some configuration files of the
// directory opts.Path: only the files whose base names are listed are
// read, parsed and decoded, with the same directory (path.config), the
// same diagnostic file names and the same variable values as a full Load.
// reconcile's long-lived Engine (sessctl watch) uses it to re-decode only
// the files that changed plus the files declaring variables, locals,
// profiles and settings; cross-file checks (duplicate partition names
// between loaded and unloaded files, unused profiles) are the caller's
// job. Names that are not configuration files of the directory are
// ignored.
func LoadFiles(opts LoadOptions, names []string) (cfg *Config, diags hcl.Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			cfg = nil
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Internal error while loading the configuration",
				Detail:   fmt.Sprintf("sessctl hit a bug (%v). Please report it with the configuration that triggers it.", r),
			})
		}
	}()
	dir, files, err := configFiles(opts.Path)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read configuration", Detail: err.Error()}}
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	var srcs []srcFile
	var paths []string
	for _, f := range files {
		if !want[baseName(f.path)] {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read configuration file", Detail: err.Error()}}
		}
		srcs = append(srcs, srcFile{name: f.name, bytes: b, json: strings.HasSuffix(f.path, ".json")})
		paths = append(paths, f.path)
	}
	cfg, diags = loadSources(dir, srcs, opts)
	if cfg != nil {
		cfg.Files = paths
	}
	return cfg, diags
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
