package useragent

import (
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/schema"
)

// Sub-ranges into hostile exact literals must never panic.
func FuzzAcceptLanguages(f *testing.F) {
	f.Add("en-US,,fr ,\x00")
	f.Add("é,ü")
	f.Fuzz(func(t *testing.T, s string) {
		v := schema.Value[string]{V: s, Set: true, Exact: true, Range: hcl.Range{Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 3 + len(s), Byte: 2 + len(s)}}}
		AcceptLanguages(schema.StringList{Set: true, Items: []schema.Value[string]{v}})
		_ = AcceptLanguageHeader(s)
	})
}
