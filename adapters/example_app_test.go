package adapters

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

type packageJSON struct {
	Name            string            `json:"name"`
	License         string            `json:"license"`
	Main            string            `json:"main"`
	Scripts         map[string]string `json:"scripts"`
	Engines         map[string]string `json:"engines"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
}

func readPackage(t *testing.T, path string) packageJSON {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// The example app is runnable as documented (npm install, npm start): it
// depends on the adapter by a path that exists, starts Electron 45 on its
// main.js, and main.js calls only what the adapter exports. The adapter's
// engines accept the Node that Electron 45's tooling requires (22.12).
func TestExampleAppPackage(t *testing.T) {
	app := filepath.Join("..", "examples", "electron-app")
	pkg := readPackage(t, filepath.Join(app, "package.json"))
	adapter := readPackage(t, filepath.Join("electron", "package.json"))
	dep := pkg.Dependencies[adapter.Name]
	if !strings.HasPrefix(dep, "file:") {
		t.Fatalf("example depends on %s as %q; want a file: path", adapter.Name, dep)
	}
	target, err := filepath.Abs(filepath.Join(app, strings.TrimPrefix(dep, "file:")))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Abs("electron")
	if target != want {
		t.Errorf("example's %s points at %s, want the adapter at %s", adapter.Name, target, want)
	}
	if pkg.Scripts["start"] != "electron ." || pkg.Main != "main.js" {
		t.Errorf("start script %q, main %q; want \"electron .\" on main.js", pkg.Scripts["start"], pkg.Main)
	}
	if v := pkg.DevDependencies["electron"]; !strings.HasPrefix(strings.TrimLeft(v, "^~"), "45.") {
		t.Errorf("example's electron = %q, want 45.x", v)
	}
	for _, p := range []packageJSON{pkg, adapter} {
		if p.License != "Apache-2.0" {
			t.Errorf("%s: license %q, want Apache-2.0 (the repository's LICENSE)", p.Name, p.License)
		}
	}
	if !nodeRangeAccepts(t, adapter.Engines["node"], 22, 12) {
		t.Errorf("adapter engines.node %q does not accept Node 22.12", adapter.Engines["node"])
	}
	src, err := os.ReadFile(filepath.Join(app, pkg.Main))
	if err != nil {
		t.Fatal(err)
	}
	exports, err := os.ReadFile(filepath.Join("electron", "index.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\bsessctl\.(\w+)`).FindAllStringSubmatch(string(src), -1) {
		if !regexp.MustCompile(`\b` + m[1] + `\b`).Match(exports) {
			t.Errorf("main.js calls sessctl.%s, which the adapter's index.js does not export", m[1])
		}
	}
}

// nodeRangeAccepts understands the ">=MAJOR[.MINOR]" ranges the adapter
// uses; anything else fails the test so that a new form is looked at.
func nodeRangeAccepts(t *testing.T, r string, major, minor int) bool {
	t.Helper()
	m := regexp.MustCompile(`^>=\s*(\d+)(?:\.(\d+))?(?:\.\d+)?$`).FindStringSubmatch(strings.TrimSpace(r))
	if m == nil {
		t.Fatalf("engines.node %q: not a >= range this test understands", r)
	}
	maj, _ := strconv.Atoi(m[1])
	mi := 0
	if m[2] != "" {
		mi, _ = strconv.Atoi(m[2])
	}
	return major > maj || (major == maj && minor >= mi)
}
