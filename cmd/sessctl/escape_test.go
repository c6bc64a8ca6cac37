package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestSnippetControlCharacters: a NUL byte or an escape sequence in a
// configuration line is printed escaped in a diagnostic's snippet, never
// raw to the terminal.
func TestSnippetControlCharacters(t *testing.T) {
	src := []byte("partition \"a\" {\n  bogus = \"a\x00b\x1b[31m\x7f\"\n}\n")
	f, diags := hclsyntax.ParseConfig(src, "m.hcl", hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	rng := hcl.Range{Filename: "m.hcl", Start: hcl.Pos{Line: 2, Column: 3, Byte: 18}, End: hcl.Pos{Line: 2, Column: 8, Byte: 23}}
	var out bytes.Buffer
	printDiagsFiles(&out, map[string]*hcl.File{"m.hcl": f}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unsupported argument", Subject: &rng}})
	got := out.String()
	if !strings.Contains(got, `bogus = "a\x00b\x1b[31m\x7f"`) {
		t.Errorf("snippet not escaped:\n%q", got)
	}
	for _, c := range []byte{0, 0x1b, 0x7f} {
		if bytes.IndexByte(out.Bytes(), c) >= 0 {
			t.Errorf("raw control byte %#x in the output", c)
		}
	}
}
