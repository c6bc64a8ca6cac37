package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
	dir, srcs, paths, diags := readSubset(opts, names)
	if diags != nil {
		return nil, diags
	}
	cfg, diags = loadSources(dir, srcs, opts)
	if cfg != nil {
		cfg.Files = paths
	}
	return cfg, diags
}

// readSubset reads the configuration files of opts.Path named in names
// (see LoadFiles). diags is non-nil only on failure.
func readSubset(opts LoadOptions, names []string) (dir string, srcs []srcFile, paths []string, diags hcl.Diagnostics) {
	// The directory is not listed: with thousands of files, stat-ing
	// every one would cost what this function exists to save. Names are
	// checked against the rule configFiles applies instead.
	path := opts.Path
	if path == "" {
		path = "."
	}
	dir, err := filepath.Abs(path)
	if err != nil {
		return "", nil, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read configuration", Detail: err.Error()}}
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", nil, nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read configuration",
			Detail: fmt.Sprintf("LoadFiles needs a configuration directory; %s is not one", path)}}
	}
	sorted := append([]string(nil), names...)
	sort.Strings(sorted) // ReadDir order, as configFiles
	var files []configFile
	for i, n := range sorted {
		if (i > 0 && sorted[i-1] == n) || !isConfigName(n) || n != filepath.Base(n) {
			continue
		}
		full := filepath.Join(dir, n)
		if st, err := os.Stat(full); err != nil || !st.Mode().IsRegular() {
			continue
		}
		files = append(files, configFile{path: full, name: filepath.Join(path, n)})
	}
	for _, f := range files {
		b, diags := readSource(f.path, f.name)
		if diags.HasErrors() {
			return "", nil, nil, diags
		}
		srcs = append(srcs, srcFile{name: f.name, bytes: b, json: strings.HasSuffix(f.path, ".json")})
		paths = append(paths, f.path)
	}
	return dir, srcs, paths, nil
}
