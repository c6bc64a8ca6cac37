// Package layering holds the test of the import rules between sessctl's
// packages (docs/adding-a-family.md, README "How it works").
package layering

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/sessctl/sessctl/"

// forbidden maps a package directory (relative to the module root) to the
// packages its non-test files must not import directly.
var forbidden = map[string][]string{
	// The CLI takes the state lock and reads the state through reconcile.
	"cmd/sessctl": {"state"},
	// Watch learns of serial hotplug through the family that owns serial
	// selection (providers.DeviceWatcher).
	"reconcile": {"serial"},
	// The language core knows no family.
	"schema": {"providers", "reconcile", "state", "serial"},
	// The status page renders and serves what the CLI reads for it.
	"internal/statuspage": {"providers", "reconcile", "state", "serial", "schema"},
}

func TestImports(t *testing.T) {
	root := filepath.Join("..", "..")
	for dir, bad := range forbidden {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range bad {
					if path == module+b || strings.HasPrefix(path, module+b+"/") {
						t.Errorf("%s imports %s", filepath.Join(dir, filepath.Base(f)), path)
					}
				}
			}
		}
	}
}

// TestReconcileFunctionLength: reconcile keeps one plan implementation in
// small pieces; no function there grows past ~80 lines (issue 12).
func TestReconcileFunctionLength(t *testing.T) {
	const limit = 80
	files, err := filepath.Glob(filepath.Join("..", "..", "reconcile", "*.go"))
	if err != nil || len(files) < 10 {
		t.Fatalf("reconcile sources: %v %v", files, err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			if n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1; n > limit {
				t.Errorf("%s: %s is %d lines (limit %d): split it", filepath.Base(f), fd.Name.Name, n, limit)
			}
		}
	}
}
