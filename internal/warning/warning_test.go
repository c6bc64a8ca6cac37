package warning

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// repoGoFiles parses every non-test Go file of the module.
func repoGoFiles(t *testing.T) map[string]*ast.File {
	t.Helper()
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	out := map[string]*ast.File{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "node_modules", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("found only %d Go files: wrong root?", len(out))
	}
	return out
}

// Every warning sessctl prints must carry a code: outside this package,
// no code builds a warning diagnostic itself (a composite literal with
// Severity: hcl.DiagWarning, or Diag(hcl.DiagWarning, …)); they go through
// New or providers.Warnf, which require a code of the table.
func TestWarningsAreBuiltWithCodes(t *testing.T) {
	for name, f := range repoGoFiles(t) {
		if strings.HasPrefix(name, "internal/warning/") {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Severity" && isDiagWarning(n.Value) {
					t.Errorf("%s: builds a warning without a code (Severity: hcl.DiagWarning); use warning.New", name)
				}
			case *ast.CallExpr:
				if len(n.Args) > 0 && isDiagWarning(n.Args[0]) {
					t.Errorf("%s: builds a warning without a code (%s(hcl.DiagWarning, …)); use warning.New", name, exprName(n.Fun))
				}
			}
			return true
		})
	}
}

func isDiagWarning(e ast.Expr) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && s.Sel.Name == "DiagWarning"
}

func exprName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprName(e.X) + "." + e.Sel.Name
	}
	return "?"
}

// Every code of the table that is not retired is raised somewhere: a
// code nobody raises would be documented for nothing.
func TestEveryCodeIsRaised(t *testing.T) {
	names := map[Code]string{}
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			for i, n := range vs.Names {
				lit := vs.Values[i].(*ast.BasicLit)
				names[Code(strings.Trim(lit.Value, `"`))] = n.Name
			}
		}
	}
	used := map[string]bool{}
	for name, f := range repoGoFiles(t) {
		if strings.HasPrefix(name, "internal/warning/") {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := s.X.(*ast.Ident); ok && id.Name == "warning" {
					used[s.Sel.Name] = true
				}
			}
			return true
		})
	}
	for _, in := range All() {
		name, ok := names[in.Code]
		if !ok {
			t.Errorf("%s is in the table but has no constant in codes.go", in.Code)
			continue
		}
		if !in.Retired && !used[name] {
			t.Errorf("%s (warning.%s) is never raised; mark it Retired instead of deleting it", in.Code, name)
		}
		if in.Family == "" || in.Title == "" || in.Acknowledge == "" {
			t.Errorf("%s: family, title and acknowledge must all be written", in.Code)
		}
	}
	if len(names) != len(All()) {
		t.Errorf("codes.go has %d constants and the table %d entries", len(names), len(All()))
	}
}

func TestAcknowledgeMarksACopy(t *testing.T) {
	d := New(ProxyLocal, hcl.Range{Filename: "a.hcl"}, "s", "d")
	shared := hcl.Diagnostics{d}
	marked := Acknowledge(hcl.Diagnostics{d}, func(*hcl.Diagnostic, Code) bool { return true })
	if !Acknowledged(marked[0]) {
		t.Fatal("not marked")
	}
	if Acknowledged(shared[0]) {
		t.Fatal("the shared diagnostic was marked: another partition's copy would be hidden too")
	}
	// Of two copies, Dedupe keeps the unacknowledged one.
	if got := Dedupe(hcl.Diagnostics{marked[0], d}); len(got) != 1 || Acknowledged(got[0]) {
		t.Fatalf("Dedupe kept %v", got)
	}
	if got := Dedupe(hcl.Diagnostics{d, marked[0]}); len(got) != 1 || Acknowledged(got[0]) {
		t.Fatalf("Dedupe kept %v", got)
	}
	// Errors are never acknowledged, even with an Extra.
	e := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "e", Extra: &Extra{Code: ProxyLocal, Acknowledged: true}}
	if CodeOf(e) != "" || Acknowledged(e) {
		t.Fatal("an error reads as a coded warning")
	}
	if shown, n := Split(hcl.Diagnostics{marked[0], e}); len(shown) != 1 || n != 1 {
		t.Fatalf("Split = %v, %d", shown, n)
	}
}

func TestNewRejectsUnknownCodes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted a code that is not in the table")
		}
	}()
	New("W999", hcl.Range{}, "s", "d")
}

// TestDedupeCounts: Dedupe records how many identical diagnostics each
// kept one stands for, adds counts when deduplicated lists are merged and
// deduplicated again (schema's, then the build's), leaves the inputs
// unchanged, and never touches another tool's Extra.
func TestDedupeCounts(t *testing.T) {
	a := New(ProxyLocal, hcl.Range{Filename: "a.hcl"}, "s", "d")
	b := New(ProxyLocal, hcl.Range{Filename: "b.hcl"}, "s", "d")
	plain := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "e"}
	got := Dedupe(hcl.Diagnostics{a, b, a, plain, a, plain})
	if len(got) != 3 || CountOf(got[0]) != 3 || CountOf(got[1]) != 1 || CountOf(got[2]) != 2 {
		t.Fatalf("counts = %d %d %d (len %d), want 3 1 2", CountOf(got[0]), CountOf(got[1]), CountOf(got[2]), len(got))
	}
	if CountOf(a) != 1 || plain.Extra != nil || CodeOf(got[0]) != ProxyLocal {
		t.Fatal("Dedupe changed its inputs or lost the code")
	}
	again := Dedupe(hcl.Diagnostics{got[0], a, got[1]})
	if CountOf(again[0]) != 4 || CountOf(again[1]) != 1 {
		t.Fatalf("merged counts = %d %d, want 4 1", CountOf(again[0]), CountOf(again[1]))
	}
	type other struct{}
	foreign := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "f", Extra: other{}}
	if got := Dedupe(hcl.Diagnostics{foreign, foreign}); len(got) != 1 || got[0].Extra != (other{}) {
		t.Fatal("another tool's Extra was replaced")
	}
}
