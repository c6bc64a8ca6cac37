package all

import (
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// TestSchemaFixtures loads schema's decode fixtures with the real
// families. schema's own tests decode them with stand-ins declared like
// the real families (schema cannot import the families); a stand-in that
// keeps an attribute or block a family no longer has fails here.
func TestSchemaFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "schema", "testdata", "decode", "*.hcl*"))
	if err != nil || len(files) < 10 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	for _, f := range files {
		cfg, diags := schema.Load(schema.LoadOptions{Path: f, Host: schema.Host{Name: "h1", OS: "linux", Arch: "amd64"}})
		if diags.HasErrors() {
			t.Errorf("%s: %v", filepath.Base(f), diags)
			continue
		}
		if len(cfg.Partitions) == 0 {
			t.Errorf("%s: no partitions", filepath.Base(f))
		}
	}
}

// TestSchemaNamesNoFamily: the language core names no setting family.
// Every name a registered family declares at the partition level (its
// family name, attributes and block types) is searched, outside comments,
// in schema's non-test sources: in string literals as a word, in
// identifiers case-insensitively without underscores.
func TestSchemaNamesNoFamily(t *testing.T) {
	var names []string
	for _, f := range schema.Families() {
		names = append(names, f.Name)
		for _, a := range f.Attrs {
			names = append(names, a.Name)
		}
		for _, b := range f.Blocks {
			names = append(names, b.Type)
		}
	}
	if len(names) < 20 {
		t.Fatalf("only %d family names: %v", len(names), names)
	}
	words := make([]*regexp.Regexp, len(names))
	for i, n := range names {
		words[i] = regexp.MustCompile(`\b` + regexp.QuoteMeta(n) + `\b`)
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", "schema", "*.go"))
	checked := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(path, -1, len(src)), src, nil, 0)
		for {
			pos, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			for i, n := range names {
				bad := false
				switch tok {
				case token.STRING:
					bad = words[i].MatchString(lit)
				case token.IDENT:
					bad = strings.Contains(strings.ToLower(lit), strings.ReplaceAll(n, "_", ""))
				}
				if bad {
					t.Errorf("%s: %q names the family name %q", fset.Position(pos), lit, n)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d files", checked)
	}
}

// TestFieldViews: every profile field a family renders for the examples
// has a view declared by that family, under a name the family declares
// in the language (or hidden on create: derived, not written).
func TestFieldViews(t *testing.T) {
	declared := map[string]bool{}
	for _, f := range schema.Families() {
		for _, a := range f.Attrs {
			declared[a.Name] = true
		}
		for _, b := range f.Blocks {
			declared[b.Type] = true
		}
	}
	cfg, diags := schema.Load(schema.LoadOptions{Path: filepath.Join("..", "..", "examples")})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx := providers.NewContext(cfg)
	rendered := 0
	for _, p := range providers.All() {
		views := map[string]providers.FieldView{}
		if v, ok := p.(providers.Viewer); ok {
			for _, fv := range v.FieldViews() {
				views[fv.Field] = fv
				if !declared[fv.HCL] && !fv.HiddenOnCreate {
					t.Errorf("%s: field %s is shown as %q, which the family does not declare", p.Family(), fv.Field, fv.HCL)
				}
			}
		}
		for _, part := range cfg.Partitions {
			res, _ := p.Build(ctx, part)
			for field, v := range res.Fields {
				if v == nil {
					continue
				}
				rendered++
				if _, ok := views[field]; !ok {
					t.Errorf("%s renders %s for %s without a FieldView", p.Family(), field, part.Name)
				}
			}
		}
	}
	if rendered < 13 {
		t.Errorf("the examples render only %d fields", rendered)
	}
}
