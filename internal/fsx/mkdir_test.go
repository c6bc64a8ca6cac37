package fsx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sessctl/sessctl/internal/fault"
)

// mkdirAll reports exactly the directories it created (deepest first,
// whose parents a Batch must sync), takes one fault step per call that
// creates something and none otherwise, whether only the last directory
// was missing (the fast path), several, or none.
func TestMkdirAllMissingAndSteps(t *testing.T) {
	root := t.TempDir()
	steps := 0
	testHook = func(op fault.Op, _ string) error {
		if op == fault.Mkdir {
			steps++
		}
		return nil
	}
	defer func() { testHook = nil }()
	j := func(p ...string) string { return filepath.Join(append([]string{root}, p...)...) }
	for _, tt := range []struct {
		dir   string
		want  []string
		steps int
	}{
		{j("a", "b", "c"), []string{j("a", "b", "c"), j("a", "b"), j("a")}, 1},
		{j("a", "b", "d"), []string{j("a", "b", "d")}, 1},
		{j("a", "b", "d"), nil, 0},
		{j("a") + "/./b/../b/e/", []string{j("a", "b", "e")}, 1},
		{root, nil, 0},
	} {
		steps = 0
		got, err := mkdirAll(tt.dir, 0o755)
		if err != nil || !slices.Equal(got, tt.want) || steps != tt.steps {
			t.Errorf("mkdirAll(%s) = %q, %v with %d steps; want %q with %d", tt.dir, got, err, steps, tt.want, tt.steps)
		}
		if fi, err := os.Stat(tt.dir); err != nil || !fi.IsDir() {
			t.Errorf("%s is not a directory after mkdirAll: %v", tt.dir, err)
		}
	}
	// A fault at the step creates nothing.
	testHook = func(op fault.Op, _ string) error {
		if op == fault.Mkdir {
			return errors.New("injected")
		}
		return nil
	}
	if _, err := mkdirAll(j("x"), 0o755); err == nil {
		t.Errorf("mkdirAll with an injected fault succeeded")
	}
	if _, err := os.Stat(j("x")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the injected fault left %s: %v", j("x"), err)
	}
}

// createExcl never opens an existing file, and the file it returns is
// an ordinary blocking one that writes, chmods and closes.
func TestCreateExcl(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	f, err := createExcl(p)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := fmt.Fprintf(f, "line %d\n", i); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Chmod(0o640); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "line 0\nline 1\nline 2\n" {
		t.Errorf("content %q", got)
	}
	if _, err := createExcl(p); !errors.Is(err, fs.ErrExist) {
		t.Errorf("createExcl over an existing file: %v, want fs.ErrExist", err)
	}
}
