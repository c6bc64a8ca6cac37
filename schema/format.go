package schema

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src in canonical HCL layout (hclwrite.Format: aligned
// equals signs, normalised indentation and spacing). Files with syntax
// errors are refused: formatting a tree the parser could not read could
// change its meaning, so the diagnostics are returned and the result is
// nil. JSON files (*.hcl.json, *.json) are returned unchanged.
func Format(src []byte, filename string) ([]byte, hcl.Diagnostics) {
	if strings.HasSuffix(filename, ".json") {
		return src, nil
	}
	if diags := checkNesting(src, filename); diags.HasErrors() {
		return nil, diags
	}
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	// "${" in a partition label is a template when the partition has
	// for_each; Load decides, fmt only needs to know the layout is sound.
	l := &loader{templLabels: make(map[labelKey]hcl.Diagnostics)}
	diags = l.setAsideLabelTemplates(f, diags)
	if diags.HasErrors() {
		return nil, diags
	}
	return hclwrite.Format(src), nil
}
