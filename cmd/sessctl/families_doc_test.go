package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/schema"
)

// familiesDoc renders docs/family-reference.md from the families'
// declarations (schema.RegisterFamily): what each one adds to the
// partition language, with the one-line docs written beside the code.
func familiesDoc() []byte {
	var b bytes.Buffer
	b.WriteString(`# Setting family reference

<!-- Generated from the families' declarations (schema.RegisterFamily) by
     go test ./cmd/sessctl -run TestFamiliesDoc -update-docs
     Do not edit by hand. -->

What each setting family that declares itself adds to ` + "`partition`" + ` and ` + "`profile`" + `
blocks, generated from the declaration in its package, so it cannot drift from the code (the
types are what each family's decoder reads). The language itself (files, variables, locals,
profiles, for_each) is in [language.md](language.md); [families.md](families.md) explains what
Electron does with each setting. Adding a family: [adding-a-family.md](adding-a-family.md).
`)
	fams := schema.Families()
	sort.Slice(fams, func(i, j int) bool { return fams[i].Name < fams[j].Name })
	for _, f := range fams {
		fmt.Fprintf(&b, "\n## %s\n", f.Name)
		if len(f.Attrs) > 0 {
			b.WriteString("\n| attribute | type | sets |\n|---|---|---|\n")
			for _, a := range f.Attrs {
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", a.Name, a.Type, cell(a.Doc))
			}
		}
		for _, blk := range f.Blocks {
			writeBlockDoc(&b, blk, "")
		}
	}
	return b.Bytes()
}

func writeBlockDoc(b *bytes.Buffer, blk *schema.BlockSpec, parent string) {
	head := blk.Type
	switch blk.Kind {
	case schema.Labelled:
		head += ` "` + strings.ToUpper(blk.LabelName) + `"`
	case schema.List:
		head += " (repeated, in order)"
	}
	if parent != "" {
		head = parent + " > " + head
	}
	fmt.Fprintf(b, "\n`%s { }`: %s\n", head, blk.Doc)
	if len(blk.Attrs) > 0 {
		b.WriteString("\n| attribute | type | sets |\n|---|---|---|\n")
		for _, a := range blk.Attrs {
			fmt.Fprintf(b, "| `%s` | %s | %s |\n", a.Name, a.Type, cell(a.Doc))
		}
	}
	for _, inner := range blk.Blocks {
		writeBlockDoc(b, inner, head)
	}
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func TestFamiliesDoc(t *testing.T) {
	checkGeneratedDoc(t, "family-reference.md", "TestFamiliesDoc", familiesDoc())
	// Every attribute and block has a doc, and every declared attribute
	// is read by the family's Decode (a type was recorded): one that is
	// not would be accepted and silently ignored.
	for _, f := range schema.Families() {
		for _, a := range f.Attrs {
			checkAttrDoc(t, f.Name, "", a)
		}
		var walk func(blk *schema.BlockSpec, path string)
		walk = func(blk *schema.BlockSpec, path string) {
			if blk.Doc == "" {
				t.Errorf("family %s: block %s has no doc", f.Name, path)
			}
			for _, a := range blk.Attrs {
				checkAttrDoc(t, f.Name, path+".", a)
			}
			for _, inner := range blk.Blocks {
				walk(inner, path+"."+inner.Type)
			}
		}
		for _, blk := range f.Blocks {
			walk(blk, blk.Type)
		}
	}
}

func checkAttrDoc(t *testing.T, family, prefix string, a schema.AttrSpec) {
	t.Helper()
	if a.Doc == "" {
		t.Errorf("family %s: attribute %s%s has no doc", family, prefix, a.Name)
	}
	if a.Type == "" {
		t.Errorf("family %s: attribute %s%s is declared but its Decode never reads it", family, prefix, a.Name)
	}
}
