// Package adapters holds the code that runs inside the applications sessctl
// configures. Its only Go file is this test, which runs the Electron
// adapter's own checks (adapters/electron: `tsc` against Electron's type
// definitions, then node's test runner) so that the project's single test
// command, `go test ./...`, covers them too.
package adapters

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const electronDir = "electron"

// TestElectronAdapter installs the adapter's development dependencies when
// they are missing or older than package-lock.json (npm ci, without the
// Electron binary, which only its types are needed from), type-checks the
// package and runs its node tests. Without node and npm on PATH it skips,
// unless CI=true, where a missing toolchain is a failure.
func TestElectronAdapter(t *testing.T) {
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node and npm are required to test adapters/electron (node: %v, npm: %v)", errNode, errNpm)
		}
		t.Skip("node or npm not on PATH: adapters/electron is not tested (set CI=true to make this a failure)")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env := append(os.Environ(),
		// electron's install script would download a ~100 MB binary; the
		// adapter only needs electron.d.ts.
		"ELECTRON_SKIP_BINARY_DOWNLOAD=1",
		"npm_config_audit=false",
		"npm_config_fund=false",
		"npm_config_update_notifier=false",
	)
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = electronDir
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		start := time.Now()
		err := cmd.Run()
		t.Logf("%s %s (%.1fs)", filepath.Base(name), strings.Join(args, " "), time.Since(start).Seconds())
		if err != nil {
			t.Fatalf("%s %s in adapters/electron failed: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out.String())
		}
	}

	if needsInstall(t) {
		run(npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	}
	tsc := filepath.Join("node_modules", "typescript", "bin", "tsc")
	run(node, tsc, "--noEmit", "-p", ".")

	// Test files are passed explicitly: node 20 reads a directory argument
	// of --test as a directory, node 22 as a glob pattern.
	files, err := filepath.Glob(filepath.Join(electronDir, "test", "*.test.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files under adapters/electron/test (%v)", err)
	}
	args := []string{"--test"}
	for _, f := range files {
		rel, _ := filepath.Rel(electronDir, f)
		args = append(args, rel)
	}
	run(node, args...)
}

// needsInstall reports whether node_modules is missing or was installed
// from an older package-lock.json (npm keeps a copy of the lock it
// installed from in node_modules/.package-lock.json).
func needsInstall(t *testing.T) bool {
	lock, err := os.Stat(filepath.Join(electronDir, "package-lock.json"))
	if err != nil {
		t.Fatalf("adapters/electron/package-lock.json: %v", err)
	}
	installed, err := os.Stat(filepath.Join(electronDir, "node_modules", ".package-lock.json"))
	if errors.Is(err, os.ErrNotExist) {
		return true
	}
	if err != nil {
		t.Fatalf("adapters/electron/node_modules: %v", err)
	}
	if _, err := os.Stat(filepath.Join(electronDir, "node_modules", "typescript", "bin", "tsc")); err != nil {
		return true
	}
	return lock.ModTime().After(installed.ModTime())
}
