package hostcanon

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOneDefinition keeps this package the only place in providers/ that
// formats IPv6 addresses or converts names to punycode. It is a syntactic
// guard, not a proof: it flags non-test functions outside this package
// that
//   - write hex digits and colons (a "0123456789abcdef" table, or
//     strconv.FormatUint/AppendUint/FormatInt/AppendInt in base 16,
//     together with a ':' or "::" literal; or a "%x:%x" format): an IPv6
//     formatter;
//   - call String, StringExpanded or AppendTo on an address straight from
//     netip.ParseAddr, MustParseAddr, AddrFrom16 or AddrFromSlice: netip's
//     IPv6 formatter, which prints IPv4-mapped addresses unlike Chromium;
//   - use the RFC 3492 bootstring constants damp (700) and skew (38), or
//     have "punycode" in their name: a punycode encoder;
//
// and files that import golang.org/x/net/idna.
func TestOneDefinition(t *testing.T) {
	root := filepath.Join("..", "..")
	found, err := duplicateDefinitions(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("%s: host canonicalisation outside providers/internal/hostcanon; call hostcanon instead", f)
	}
}

// TestOneDefinitionFlags shows that the guard catches each shape it looks
// for.
func TestOneDefinitionFlags(t *testing.T) {
	for name, src := range map[string]string{
		"hex table": `package p
func f(a [16]byte) string {
	const hexd = "0123456789abcdef"
	b := []byte{hexd[a[0]>>4]}
	return string(append(b, ':', ':'))
}`,
		"FormatUint": `package p
import "strconv"
func f(x []uint16) (s string) {
	for _, v := range x { s += strconv.FormatUint(uint64(v), 16) + ":" }
	return s
}`,
		"netip": `package p
import "net/netip"
func f(h string) string {
	a, err := netip.ParseAddr(h)
	if err != nil { return h }
	return a.String()
}`,
		"Sprintf": `package p
import "fmt"
func f(a, b uint16) string { return fmt.Sprintf("%x:%x", a, b) }`,
		"bootstring": `package p
func adapt(delta, n int) int { return delta/700 + 38*n }`,
		"named": `package p
func punycodeLabel(s string) string { return s }`,
		"import": `package p
import "golang.org/x/net/idna"
var _ = idna.Lookup`,
	} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name+".go", src, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := inspectFile(fset, f); len(got) == 0 {
			t.Errorf("%s: not flagged", name)
		}
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "ok.go", `package p
import ("net/netip"; "strconv")
func quote(c byte) string { return "\\x" + string("0123456789abcdef"[c>>4]) }
func port(p int) string { return ":" + strconv.Itoa(p) }
func v4(a netip.Addr) bool { return a.Is4() }`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := inspectFile(fset, f); len(got) != 0 {
		t.Errorf("innocent code flagged: %v", got)
	}
}

func duplicateDefinitions(root string) ([]string, error) {
	self, err := filepath.Abs(".")
	if err != nil {
		return nil, err
	}
	var found []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if abs, _ := filepath.Abs(path); abs == self || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		found = append(found, inspectFile(fset, f)...)
		return nil
	})
	return found, err
}

func inspectFile(fset *token.FileSet, f *ast.File) []string {
	var found []string
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "golang.org/x/net/idna" {
			found = append(found, fset.Position(imp.Pos()).String()+" imports "+p)
		}
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		if why := inspectFunc(fn); why != "" {
			found = append(found, fset.Position(fn.Pos()).String()+" "+fn.Name.Name+": "+why)
		}
	}
	return found
}

func inspectFunc(fn *ast.FuncDecl) string {
	if strings.Contains(strings.ToLower(fn.Name.Name), "punycode") {
		return "named punycode"
	}
	var hex, colon, damp, skew bool
	addrs := map[string]bool{} // identifiers holding a netip address
	netipCall := func(e ast.Expr) bool {
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return false
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok || pkg.Name != "netip" {
			return false
		}
		switch sel.Sel.Name {
		case "ParseAddr", "MustParseAddr", "AddrFrom16", "AddrFromSlice":
			return true
		}
		return false
	}
	formats := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			switch n.Kind {
			case token.STRING:
				v, _ := strconv.Unquote(n.Value)
				lv := strings.ToLower(v)
				groups := strings.Contains(lv, "%x:") || strings.Contains(lv, ":%x")
				hex = hex || groups || strings.Contains(lv, "0123456789abcdef")
				colon = colon || groups || v == ":" || strings.Contains(v, "::")
			case token.CHAR:
				colon = colon || n.Value == "':'"
			case token.INT:
				damp = damp || n.Value == "700"
				skew = skew || n.Value == "38"
			}
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 && netipCall(n.Rhs[0]) {
				if id, ok := n.Lhs[0].(*ast.Ident); ok {
					addrs[id.Name] = true
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "FormatUint", "AppendUint", "FormatInt", "AppendInt":
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "strconv" && len(n.Args) > 0 {
					if lit, ok := n.Args[len(n.Args)-1].(*ast.BasicLit); ok && lit.Value == "16" {
						hex = true
					}
				}
			case "String", "StringExpanded", "AppendTo":
				if id, ok := sel.X.(*ast.Ident); ok && addrs[id.Name] || netipCall(sel.X) {
					formats = true
				}
			}
		}
		return true
	})
	switch {
	case hex && colon:
		return "formats hex groups with colons (an IPv6 formatter)"
	case formats:
		return "formats a netip address (netip's IPv6 formatter)"
	case damp && skew:
		return "uses RFC 3492 damp and skew (a punycode encoder)"
	}
	return ""
}
