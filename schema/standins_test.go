package schema

import (
	"reflect"

	"github.com/hashicorp/hcl/v2"
)

// Stand-in families. schema cannot import the setting families (they
// import schema), yet its tests need a language with every block kind
// (Single, Labelled, List, nested) to test parsing, merging, for_each,
// ranges and range shifting. So the tests register stand-ins through the
// same RegisterFamily the real families use, with the real families'
// names and attributes, which keeps the fixtures under testdata/decode
// readable as real configurations. They only decode (a family's meaning
// is tested in its own package); providers/all's TestSchemaFixtures loads
// the same fixtures with the real families, so a stand-in that drifted
// from its family fails there.

// testUAFam stands in for providers/useragent.
type testUAFam struct {
	UserAgent       Value[string]
	AcceptLanguages StringList
}

var testUAKey = RegisterFamily(FamilySpec[*testUAFam]{
	Name:  "useragent",
	Attrs: []AttrSpec{{Name: "user_agent"}, {Name: "accept_languages"}},
	Decode: func(d *Decoder, b Body) *testUAFam {
		f := &testUAFam{UserAgent: d.String(b, "user_agent"), AcceptLanguages: d.StringList(b, "accept_languages", true)}
		if !f.UserAgent.Set && !f.AcceptLanguages.Set {
			return nil
		}
		return f
	},
})

// ua returns p's user_agent (unset when p has none).
func ua(p *Partition) Value[string] {
	if f := testUAKey.Of(p); f != nil {
		return f.UserAgent
	}
	return Value[string]{}
}

// langs returns p's accept_languages.
func langs(p *Partition) StringList {
	if f := testUAKey.Of(p); f != nil {
		return f.AcceptLanguages
	}
	return StringList{}
}

// famValues returns p's family values, for the reflective walks of the
// tests (flatten, fill).
func famValues(p *Partition) []reflect.Value {
	var out []reflect.Value
	for _, v := range p.fams {
		if v != nil && !reflect.ValueOf(v).IsNil() {
			out = append(out, reflect.ValueOf(v))
		}
	}
	return out
}

// setAllFamilies gives p a zero value of every registered family, for
// TestShiftRangesCoversModel's filler.
func setAllFamilies(p *Partition) {
	p.fams = make([]any, len(families))
	for i, f := range families {
		p.fams[i] = reflect.New(f.typ.Elem()).Interface()
	}
}

// Proxy stands in for providers/proxy's Spec.
type Proxy struct {
	Mode        Value[string]
	Rules       Value[string]
	BypassRules StringList
	PacScript   Value[string]
	DeclRange   hcl.Range
}

type testProxyFam struct{ Proxy *Proxy }

var testProxyKey = RegisterFamily(FamilySpec[*testProxyFam]{
	Name: "proxy",
	Blocks: []*BlockSpec{{Type: "proxy", Attrs: []AttrSpec{
		{Name: "mode"}, {Name: "rules"}, {Name: "bypass_rules"}, {Name: "pac_script"}}}},
	Decode: func(d *Decoder, b Body) *testProxyFam {
		blk, ok := b.Single("proxy")
		if !ok {
			return nil
		}
		return &testProxyFam{&Proxy{
			Mode:        d.String(blk.Body, "mode"),
			Rules:       d.String(blk.Body, "rules"),
			BypassRules: d.StringList(blk.Body, "bypass_rules", true),
			PacScript:   d.String(blk.Body, "pac_script"),
			DeclRange:   blk.DefRange,
		}}
	},
})

// proxyOf returns p's proxy block (nil when it has none).
func proxyOf(p *Partition) *Proxy {
	if f := testProxyKey.Of(p); f != nil {
		return f.Proxy
	}
	return nil
}

// Preload stands in for providers/preload's Block.
type Preload struct {
	ID        string
	IDRange   hcl.Range
	Path      Value[string]
	Type      Value[string]
	SHA256    Value[string]
	DeclRange hcl.Range
}

type testPreloadFam struct{ Preloads []*Preload }

var testPreloadKey = RegisterFamily(FamilySpec[*testPreloadFam]{
	Name: "preload",
	Blocks: []*BlockSpec{{Type: "preload", Kind: Labelled, LabelName: "id", Attrs: []AttrSpec{
		{Name: "path"}, {Name: "type"}, {Name: "sha256"}}}},
	Decode: func(d *Decoder, b Body) *testPreloadFam {
		pls := DecodeLabelled(b, "preload", func(blk Block) *Preload {
			return &Preload{ID: blk.Label, IDRange: blk.LabelRange, Path: d.String(blk.Body, "path"),
				Type: d.String(blk.Body, "type"), SHA256: d.String(blk.Body, "sha256"), DeclRange: blk.DefRange}
		})
		if len(pls) == 0 {
			return nil
		}
		return &testPreloadFam{pls}
	},
})

// preloads returns p's preload blocks.
func preloads(p *Partition) []*Preload {
	if f := testPreloadKey.Of(p); f != nil {
		return f.Preloads
	}
	return nil
}

// Spellcheck stands in for providers/spellcheck's Spec.
type Spellcheck struct {
	Enabled       Value[bool]
	Languages     StringList
	DictionaryURL Value[string]
	Words         StringList
	DeclRange     hcl.Range
}

type testSpellFam struct{ Spellcheck *Spellcheck }

var _ = RegisterFamily(FamilySpec[*testSpellFam]{
	Name: "spellcheck",
	Blocks: []*BlockSpec{{Type: "spellcheck", Attrs: []AttrSpec{
		{Name: "enabled"}, {Name: "languages"}, {Name: "dictionary_url"}, {Name: "words"}}}},
	Decode: func(d *Decoder, b Body) *testSpellFam {
		blk, ok := b.Single("spellcheck")
		if !ok {
			return nil
		}
		return &testSpellFam{&Spellcheck{
			Enabled:       d.Bool(blk.Body, "enabled"),
			Languages:     d.StringList(blk.Body, "languages", false),
			DictionaryURL: d.String(blk.Body, "dictionary_url"),
			Words:         d.StringList(blk.Body, "words", false),
			DeclRange:     blk.DefRange,
		}}
	},
})

// Permissions stands in for providers/permission's Spec.
type Permissions struct {
	Default   Value[string]
	Rules     []*PermissionRule
	DeclRange hcl.Range
}

// PermissionRule stands in for providers/permission's RuleSpec.
type PermissionRule struct {
	Name          string
	NameRange     hcl.Range
	Permissions   StringList
	Origins       StringList
	Decision      Value[string]
	Handler       Value[string]
	MediaTypes    StringList
	ExternalURLs  StringList
	MainFrameOnly Value[bool]
	DeclRange     hcl.Range
}

type testPermFam struct{ Permissions *Permissions }

var _ = RegisterFamily(FamilySpec[*testPermFam]{
	Name: "permissions",
	Blocks: []*BlockSpec{{Type: "permissions", Attrs: []AttrSpec{{Name: "default"}},
		Blocks: []*BlockSpec{{Type: "rule", Kind: Labelled, LabelName: "name", Attrs: []AttrSpec{
			{Name: "permissions"}, {Name: "origins"}, {Name: "decision"}, {Name: "handler"},
			{Name: "media_types"}, {Name: "external_urls"}, {Name: "main_frame_only"}}}}}},
	Decode: func(d *Decoder, b Body) *testPermFam {
		blk, ok := b.Single("permissions")
		if !ok {
			return nil
		}
		return &testPermFam{&Permissions{
			Default: d.String(blk.Body, "default"),
			Rules: DecodeLabelled(blk.Body, "rule", func(r Block) *PermissionRule {
				return &PermissionRule{Name: r.Label, NameRange: r.LabelRange,
					Permissions: d.StringList(r.Body, "permissions", false), Origins: d.StringList(r.Body, "origins", false),
					Decision: d.String(r.Body, "decision"), Handler: d.String(r.Body, "handler"),
					MediaTypes: d.StringList(r.Body, "media_types", false), ExternalURLs: d.StringList(r.Body, "external_urls", false),
					MainFrameOnly: d.Bool(r.Body, "main_frame_only"), DeclRange: r.DefRange}
			}),
			DeclRange: blk.DefRange,
		}}
	},
})

// Serial stands in for providers/serialsel's Spec.
type Serial struct {
	Selects   []*SerialSelect
	DeclRange hcl.Range
}

// SerialSelect stands in for providers/serialsel's SelectSpec.
type SerialSelect struct {
	VendorID     Value[NumStr]
	ProductID    Value[NumStr]
	SerialNumber Value[string]
	PortName     Value[string]
	DeclRange    hcl.Range
}

type testSerialFam struct{ Serial *Serial }

var testSerialKey = RegisterFamily(FamilySpec[*testSerialFam]{
	Name: "serial",
	Blocks: []*BlockSpec{{Type: "serial", Blocks: []*BlockSpec{{Type: "select", Kind: List, Attrs: []AttrSpec{
		{Name: "vendor_id"}, {Name: "product_id"}, {Name: "serial_number"}, {Name: "port_name"}}}}}},
	Decode: func(d *Decoder, b Body) *testSerialFam {
		blk, ok := b.Single("serial")
		if !ok {
			return nil
		}
		s := &Serial{DeclRange: blk.DefRange}
		for _, sel := range blk.Body.List("select") {
			s.Selects = append(s.Selects, &SerialSelect{VendorID: d.NumStr(sel.Body, "vendor_id"),
				ProductID: d.NumStr(sel.Body, "product_id"), SerialNumber: d.String(sel.Body, "serial_number"),
				PortName: d.String(sel.Body, "port_name"), DeclRange: sel.DefRange})
		}
		return &testSerialFam{s}
	},
})

// serialOf returns p's serial block (nil when it has none).
func serialOf(p *Partition) *Serial {
	if f := testSerialKey.Of(p); f != nil {
		return f.Serial
	}
	return nil
}
