// Package adapters holds the code that runs inside the applications sessctl
// configures. Its only Go file is this test, which runs the Electron
// adapter's own checks (adapters/electron: `tsc` against Electron's type
// definitions, then node's test runner) so that the project's single test
// command, `go test ./...`, covers them too.
package adapters

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
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
	if testing.Short() {
		t.Skip("-short: the adapter (npm ci, tsc, node --test) is tested in the full suite")
	}
	t.Parallel()
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

// TestElectronAdapterOnExamples runs a real `sessctl apply` on the
// repository's examples and applies its output with the adapter
// (test/apply-dir.js, recording sessions): every partition must be applied
// without a refusal or a field error, so a field a provider starts to render
// that the adapter does not know, or a change of the digest or file format,
// fails here. It needs node only: the adapter has no runtime dependencies.
func TestElectronAdapterOnExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the adapter is tested in the full suite")
	}
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node is required to test adapters/electron: %v", err)
		}
		t.Skip("node not on PATH: adapters/electron is not tested (set CI=true to make this a failure)")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go tool not on PATH: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "sessctl")
	if out, err := exec.CommandContext(ctx, goTool, "build", "-o", bin, "../cmd/sessctl").CombinedOutput(); err != nil {
		t.Fatalf("go build ../cmd/sessctl: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, bin, "apply", "--auto-approve", "--no-color", "--state", filepath.Join(tmp, "state", "state.db"), "../examples")
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(tmp, "cache"), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sessctl apply ../examples: %v\n%s", err, out)
	}
	profiles := filepath.Join(tmp, "state", "profiles")
	if m := regexp.MustCompile(`(?m)^Profiles: (.+)$`).FindSubmatch(out); m != nil {
		profiles = strings.TrimSpace(string(m[1]))
	}

	var index struct {
		Partitions []struct {
			Partition string `json:"partition"`
			Revision  int    `json:"revision"`
			Digest    string `json:"digest"`
		} `json:"partitions"`
	}
	raw, err := os.ReadFile(filepath.Join(profiles, "index.json"))
	if err != nil {
		t.Fatalf("sessctl wrote no index.json: %v\n%s", err, out)
	}
	if err := json.Unmarshal(raw, &index); err != nil || len(index.Partitions) == 0 {
		t.Fatalf("index.json: %v (%d partitions)", err, len(index.Partitions))
	}

	run := exec.CommandContext(ctx, node, filepath.Join("test", "apply-dir.js"), profiles)
	run.Dir = electronDir
	var stderr bytes.Buffer
	run.Stderr = &stderr
	stdout, err := run.Output()
	if err != nil {
		t.Fatalf("node test/apply-dir.js: %v\n%s", err, stderr.String())
	}
	var got struct {
		Result struct {
			Applied  []string `json:"applied"`
			Rejected []string `json:"rejected"`
			Problem  *string  `json:"problem"`
		} `json:"result"`
		Partitions map[string]struct {
			Status struct {
				State    string            `json:"state"`
				Revision int               `json:"revision"`
				Digest   string            `json:"digest"`
				Errors   []json.RawMessage `json:"errors"`
				Rejected json.RawMessage   `json:"rejected"`
			} `json:"status"`
			Calls []string `json:"calls"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("apply-dir output: %v\n%s", err, stdout)
	}
	if got.Result.Problem != nil || len(got.Result.Rejected) > 0 {
		t.Errorf("problem %v, rejected %v", got.Result.Problem, got.Result.Rejected)
	}
	var want []string
	for _, e := range index.Partitions {
		want = append(want, e.Partition)
		p, ok := got.Partitions[e.Partition]
		if !ok {
			t.Errorf("partition %q: no status", e.Partition)
			continue
		}
		st := p.Status
		if st.State != "applied" || st.Revision != e.Revision || st.Digest != e.Digest || len(st.Errors) > 0 {
			t.Errorf("partition %q: state %s revision %d digest %s (index: %d %s), errors %s, rejected %s",
				e.Partition, st.State, st.Revision, st.Digest, e.Revision, e.Digest, st.Errors, st.Rejected)
		}
		if len(p.Calls) == 0 {
			t.Errorf("partition %q: the adapter made no Electron call", e.Partition)
		}
	}
	sort.Strings(want)
	applied := append([]string(nil), got.Result.Applied...)
	sort.Strings(applied)
	if strings.Join(applied, "\n") != strings.Join(want, "\n") {
		t.Errorf("applied %q, index.json lists %q", applied, want)
	}
}
