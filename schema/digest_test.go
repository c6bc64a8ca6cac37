package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInputDigest(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.hcl":   `partition "a" { user_agent = file("ua.txt") }`,
		"ua.txt":     "x",
		"notes.txt":  "not configuration",
		"v/vars.hcl": `a = 1`,
	})
	base := LoadOptions{Path: dir, Environ: []string{"SESSCTL_VAR_a=1", "SESSCTL_VAR_b=2", "HOME=/root"}, Host: testHost}
	digest := func(t *testing.T, o LoadOptions) string {
		t.Helper()
		d, err := InputDigest(o)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	want := digest(t, base)
	if len(want) != 64 {
		t.Fatalf("digest %q is not hex SHA-256", want)
	}

	same := map[string]func(){
		"repeat":            func() {},
		"file() input":      func() { os.WriteFile(filepath.Join(dir, "ua.txt"), []byte("changed"), 0o644) },
		"non-config file":   func() { os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("changed"), 0o644) },
		"hidden file":       func() { os.WriteFile(filepath.Join(dir, ".#main.hcl"), []byte("lock"), 0o644) },
		"env order":         func() { base.Environ = []string{"HOME=/root", "SESSCTL_VAR_b=2", "SESSCTL_VAR_a=1"} },
		"unrelated env var": func() { base.Environ = append(base.Environ, "PATH=/bin") },
	}
	for _, name := range []string{"repeat", "file() input", "non-config file", "hidden file", "env order", "unrelated env var"} {
		same[name]()
		if got := digest(t, base); got != want {
			t.Errorf("%s changed the digest", name)
		}
	}

	changes := []struct {
		name string
		opts func() LoadOptions
		prep func()
	}{
		{"config bytes", nil, func() { os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(`partition "b" {}`), 0o644) }},
		{"new config file", nil, func() { os.WriteFile(filepath.Join(dir, "extra.hcl.json"), []byte(`{}`), 0o644) }},
		{"var file", func() LoadOptions { o := base; o.VarFiles = []string{filepath.Join(dir, "v/vars.hcl")}; return o }, nil},
		{"var value", func() LoadOptions { o := base; o.Vars = []string{"a=2"}; return o }, nil},
		{"var order", func() LoadOptions { o := base; o.Vars = []string{"a=2", "a=3"}; return o }, nil},
		{"env value", func() LoadOptions {
			o := base
			o.Environ = []string{"SESSCTL_VAR_a=9", "SESSCTL_VAR_b=2"}
			return o
		}, nil},
		{"host name", func() LoadOptions { o := base; o.Host.Name = "other"; return o }, nil},
		{"host os", func() LoadOptions { o := base; o.Host.OS = "darwin"; return o }, nil},
	}
	seen := map[string]string{want: "base"}
	for _, c := range changes {
		if c.prep != nil {
			c.prep()
		}
		o := base
		if c.opts != nil {
			o = c.opts()
		}
		got := digest(t, o)
		if prev, dup := seen[got]; dup {
			t.Errorf("%s: digest equals the one after %s", c.name, prev)
		}
		seen[got] = c.name
	}

	vo := base
	vo.VarFiles = []string{filepath.Join(dir, "v/vars.hcl")}
	before := digest(t, vo)
	os.WriteFile(filepath.Join(dir, "v/vars.hcl"), []byte(`a = 2`), 0o644)
	if digest(t, vo) == before {
		t.Error("var file bytes do not change the digest")
	}

	if _, err := InputDigest(LoadOptions{Path: filepath.Join(dir, "missing")}); err == nil {
		t.Error("no error for a missing configuration path")
	}
	vo.VarFiles = []string{filepath.Join(dir, "nope.hcl")}
	if _, err := InputDigest(vo); err == nil || !strings.Contains(err.Error(), "nope.hcl") {
		t.Errorf("missing var file: err = %v", err)
	}
}
