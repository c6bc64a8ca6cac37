package main

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// hclText renders diags with hcl's own writer, the reference.
func hclText(files map[string]*hcl.File, diags hcl.Diagnostics, width uint, color bool) string {
	var buf bytes.Buffer
	_ = hcl.NewDiagnosticTextWriter(&buf, files, width, color).WriteDiagnostics(diags)
	return buf.String()
}

func ourText(files map[string]*hcl.File, diags hcl.Diagnostics, width uint, color bool) string {
	var buf bytes.Buffer
	_ = newDiagTextWriter(&buf, files, width, color).WriteDiagnostics(diags)
	return buf.String()
}

// TestDiagTextWriterMatchesHCL compares the indexed writer with hcl's on
// real configurations and on random ranges over sources with every kind
// of line break (LF, CRLF, a lone CR, a CR before CRLF, none at the end),
// multi-byte characters, empty ranges, ranges past the end and context
// ranges: the output must be the same, byte for byte.
func TestDiagTextWriterMatchesHCL(t *testing.T) {
	sources := []string{
		"partition \"persist:a\" {\n  user_agent = \"x\"\n  proxy {\n    mode = \"direct\"\n  }\n}\n",
		"partition \"persist:a\" {\r\n  user_agent = \"é☃\"\r\n}\r\n",
		"a = 1\rb = 2\n\nc = \"x\"\r\r\nd = 4",
		"x = \"👩‍👩‍👧\"\n\n\n  y = 2\n",
		"",
		"\n",
		"only = \"no newline at the end\"",
		"trailing = 1\r",
		"a {\n}\nb \"x\" \"y\" {\n  c {\n  }\n}\nd = 1\ne {\n}\nf \"z\" {\n  g = 2\n}\n",
	}
	rng := rand.New(rand.NewSource(1))
	for si, src := range sources {
		f, _ := hclsyntax.ParseConfig([]byte(src), "f.hcl", hcl.InitialPos)
		if f == nil {
			f = &hcl.File{Bytes: []byte(src)}
		}
		files := map[string]*hcl.File{"f.hcl": f}
		var diags hcl.Diagnostics
		pos := func(b int) hcl.Pos {
			return hcl.Pos{Line: 1 + strings.Count(src[:min(b, len(src))], "\n"), Column: 1, Byte: b}
		}
		for i := 0; i < 300; i++ {
			a, b := rng.Intn(len(src)+3), rng.Intn(len(src)+3)
			if a > b {
				a, b = b, a
			}
			d := &hcl.Diagnostic{Severity: hcl.DiagnosticSeverity(1 + rng.Intn(2)), Summary: "s", Detail: "some detail words that wrap at a narrow width",
				Subject: &hcl.Range{Filename: "f.hcl", Start: pos(a), End: pos(b)}}
			if rng.Intn(3) == 0 {
				c, e := rng.Intn(len(src)+1), rng.Intn(len(src)+1)
				if c > e {
					c, e = e, c
				}
				d.Context = &hcl.Range{Filename: "f.hcl", Start: pos(c), End: pos(e)}
			}
			diags = append(diags, d)
		}
		diags = append(diags,
			&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "no subject"},
			&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "other file", Subject: &hcl.Range{Filename: "missing.hcl", Start: hcl.Pos{Line: 3, Column: 1}}})
		for _, width := range []uint{0, 20} {
			for _, color := range []bool{false, true} {
				want, got := hclText(files, diags, width, color), ourText(files, diags, width, color)
				if got != want {
					t.Fatalf("source %d width %d color %v: output differs from hcl's\n--- hcl\n%s\n--- ours\n%s", si, width, color, want, got)
				}
			}
		}
	}
}

// TestDiagTextWriterExpressionValues: a diagnostic that carries its
// expression and context lists the values it refers to, as hcl does.
func TestDiagTextWriterExpressionValues(t *testing.T) {
	src := "x = upper(var.name) + local.n + local.list[0] + local.obj.a + var.nothing\n"
	f, diags := hclsyntax.ParseConfig([]byte(src), "f.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	attrs, _ := f.Body.JustAttributes()
	expr := attrs["x"].Expr
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
		"var": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a\"b"), "nothing": cty.NullVal(cty.String)}),
		"local": cty.ObjectVal(map[string]cty.Value{
			"n":    cty.NumberFloatVal(1.5),
			"list": cty.ListVal([]cty.Value{cty.True, cty.False}),
			"obj":  cty.ObjectVal(map[string]cty.Value{"a": cty.EmptyObjectVal}),
		}),
	}}
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid", Subject: expr.Range().Ptr(), Expression: expr, EvalContext: ctx}
	files := map[string]*hcl.File{"f.hcl": f}
	want, got := hclText(files, hcl.Diagnostics{d}, 0, false), ourText(files, hcl.Diagnostics{d}, 0, false)
	if got != want {
		t.Fatalf("differs from hcl's\n--- hcl\n%s\n--- ours\n%s", want, got)
	}
	if !strings.Contains(got, `with local.list[0] as true,`) || !strings.Contains(got, `var.nothing set to null.`) {
		t.Fatalf("values missing:\n%s", got)
	}
}

// TestDiagTextWriterIndexesOnce: the writer reads a file's bytes to index
// its lines once, however many diagnostics point into it (hcl's writer
// scanned the whole file for each).
func TestDiagTextWriterIndexesOnce(t *testing.T) {
	var src strings.Builder
	for i := 0; i < 2000; i++ {
		src.WriteString("a = 1\n")
	}
	f := &hcl.File{Bytes: []byte(src.String())}
	w := newDiagTextWriter(&bytes.Buffer{}, map[string]*hcl.File{"f.hcl": f}, 0, false)
	for i := 0; i < 2000; i++ {
		r := hcl.Range{Filename: "f.hcl", Start: hcl.Pos{Line: i + 1, Column: 1, Byte: 6 * i}, End: hcl.Pos{Line: i + 1, Column: 2, Byte: 6*i + 1}}
		_ = w.WriteDiagnostic(&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "w", Subject: &r})
	}
	if ix := w.lines["f.hcl"]; ix == nil || len(ix.start) != 2000 || w.indexed != 1 {
		t.Fatalf("want the file indexed once (2000 lines), indexed %d times", w.indexed)
	}
}
