package schema

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// The partition language is described once, as data (bodySpec), and used
// three ways: to build the hcl.BodySchema each body is checked against (so
// hcl reports unknown names with its "Did you mean" suggestion, in both
// syntaxes), to decode a body into an unevaluated rawBody, and to merge
// profiles into partitions before anything is evaluated. Merging
// expressions rather than values keeps each value's range pointing at the
// source that won and lets a for_each partition merge once and evaluate
// per instance.

// blockKind says how repeated blocks of one type combine.
type blockKind int

const (
	// kindSingle: at most one per body (a settings block); profiles merge it
	// per attribute.
	kindSingle blockKind = iota
	// kindLabelled: one label, unique per body (block "ID"); profiles
	// merge it by label.
	kindLabelled
	// kindList: repeated, unlabelled, ordered (a rule list); a later
	// source that has any replaces the whole list.
	kindList
)

type blockSpec struct {
	typ       string
	kind      blockKind
	labelName string // for kindLabelled, used in messages
	body      *bodySpec
}

type bodySpec struct {
	attrs  []string
	blocks []*blockSpec
	schema *hcl.BodySchema
}

func newBody(attrs []string, blocks ...*blockSpec) *bodySpec {
	s := &bodySpec{attrs: attrs, blocks: blocks, schema: &hcl.BodySchema{}}
	for _, a := range attrs {
		s.schema.Attributes = append(s.schema.Attributes, hcl.AttributeSchema{Name: a})
	}
	for _, b := range blocks {
		h := hcl.BlockHeaderSchema{Type: b.typ}
		if b.kind == kindLabelled {
			h.LabelNames = []string{b.labelName}
		}
		s.schema.Blocks = append(s.schema.Blocks, h)
	}
	return s
}

func (s *bodySpec) block(typ string) *blockSpec {
	for _, b := range s.blocks {
		if b.typ == typ {
			return b
		}
	}
	return nil
}

// partitionSpec is the body of `partition` and `profile` blocks.
var partitionSpec = newBody(
	[]string{"cache", "ignore_drift", "ignore_warnings", "profiles", "for_each"},
)

// settingsSpec is the `sessctl {}` block.
var settingsSpec = newBody([]string{"name", "state", "output", "session_data", "electron_version", "ignore_warnings"})

// variableSpec is the `variable "NAME" {}` block.
var variableSpec = newBody([]string{"type", "default", "description", "sensitive"},
	&blockSpec{typ: "validation", kind: kindList, body: newBody([]string{"condition", "error_message"})},
)

// topSchema is the top level of a configuration file.
var topSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "sessctl"},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "profile", LabelNames: []string{"name"}},
		{Type: "partition", LabelNames: []string{"name"}},
	},
}

// rawBody is a body checked against its spec but not evaluated.
type rawBody struct {
	attrs  map[string]*hcl.Attribute
	blocks map[string]*rawBlocks
}

// rawBlocks holds the blocks of one type in a body.
type rawBlocks struct {
	single   *rawBlock   // kindSingle
	labelled []*rawBlock // kindLabelled, in order of first appearance
	list     []*rawBlock // kindList
}

type rawBlock struct {
	label      string
	labelRange hcl.Range
	defRange   hcl.Range
	body       *rawBody
}

func (b *rawBlocks) byLabel(label string) *rawBlock {
	for _, x := range b.labelled {
		if x.label == label {
			return x
		}
	}
	return nil
}

// decodeRaw checks body against spec and returns its unevaluated form.
func decodeRaw(body hcl.Body, spec *bodySpec) (*rawBody, hcl.Diagnostics) {
	content, diags := body.Content(spec.schema)
	rb := &rawBody{attrs: content.Attributes}
	if len(content.Blocks) == 0 {
		return rb, diags
	}
	rb.blocks = make(map[string]*rawBlocks)
	// Labelled-block duplicate detection uses a map per type so a body with
	// many labelled blocks stays linear.
	seen := make(map[string]map[string]*rawBlock)
	for _, blk := range content.Blocks {
		bs := spec.block(blk.Type)
		if bs == nil {
			continue // cannot happen: Content only returns schema blocks
		}
		inner, d := decodeRaw(blk.Body, bs.body)
		diags = append(diags, d...)
		rblk := &rawBlock{defRange: blk.DefRange, body: inner}
		group := rb.blocks[blk.Type]
		if group == nil {
			group = &rawBlocks{}
			rb.blocks[blk.Type] = group
		}
		switch bs.kind {
		case kindSingle:
			if group.single != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("Duplicate %s block", blk.Type),
					Detail: fmt.Sprintf("Only one %s block is allowed here; the first one is at %s. Merge their attributes into one block.",
						blk.Type, group.single.defRange),
					Subject: blk.DefRange.Ptr(),
				})
				continue
			}
			group.single = rblk
		case kindLabelled:
			rblk.label = blk.Labels[0]
			rblk.labelRange = blk.LabelRanges[0]
			m := seen[blk.Type]
			if m == nil {
				m = make(map[string]*rawBlock)
				seen[blk.Type] = m
			}
			if prev := m[rblk.label]; prev != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("Duplicate %s block %q", blk.Type, rblk.label),
					Detail: fmt.Sprintf("A %s block labelled %q is already defined at %s. Each label may appear once per body.",
						blk.Type, rblk.label, prev.defRange),
					Subject: rblk.labelRange.Ptr(),
				})
				continue
			}
			m[rblk.label] = rblk
			group.labelled = append(group.labelled, rblk)
		case kindList:
			group.list = append(group.list, rblk)
		}
	}
	return rb, diags
}

// mergeRaw returns over merged onto base without modifying either: later
// (over) wins per attribute, single blocks merge per attribute, labelled
// blocks merge by label keeping the position of first appearance, and a
// list block type present in over replaces base's list.
func mergeRaw(base, over *rawBody) *rawBody {
	if base == nil {
		return over
	}
	if over == nil {
		return base
	}
	out := &rawBody{attrs: make(map[string]*hcl.Attribute, len(base.attrs)+len(over.attrs))}
	for k, a := range base.attrs {
		out.attrs[k] = a
	}
	for k, a := range over.attrs {
		out.attrs[k] = a
	}
	if len(base.blocks) == 0 && len(over.blocks) == 0 {
		return out
	}
	out.blocks = make(map[string]*rawBlocks, len(base.blocks)+len(over.blocks))
	for typ, g := range base.blocks {
		out.blocks[typ] = g
	}
	for typ, og := range over.blocks {
		bg := out.blocks[typ]
		if bg == nil {
			out.blocks[typ] = og
			continue
		}
		out.blocks[typ] = mergeGroup(bg, og)
	}
	return out
}

func mergeGroup(bg, og *rawBlocks) *rawBlocks {
	g := &rawBlocks{}
	switch {
	case bg.single != nil || og.single != nil:
		switch {
		case bg.single == nil:
			g.single = og.single
		case og.single == nil:
			g.single = bg.single
		default:
			g.single = &rawBlock{defRange: og.single.defRange, body: mergeRaw(bg.single.body, og.single.body)}
		}
	case len(og.list) > 0 || len(bg.list) > 0:
		g.list = bg.list
		if len(og.list) > 0 {
			g.list = og.list
		}
	}
	if len(bg.labelled) > 0 || len(og.labelled) > 0 {
		g.labelled = make([]*rawBlock, 0, len(bg.labelled)+len(og.labelled))
		index := make(map[string]int, len(bg.labelled)+len(og.labelled))
		for _, b := range bg.labelled {
			index[b.label] = len(g.labelled)
			g.labelled = append(g.labelled, b)
		}
		for _, o := range og.labelled {
			if i, ok := index[o.label]; ok {
				prev := g.labelled[i]
				g.labelled[i] = &rawBlock{label: o.label, labelRange: o.labelRange, defRange: o.defRange, body: mergeRaw(prev.body, o.body)}
				continue
			}
			index[o.label] = len(g.labelled)
			g.labelled = append(g.labelled, o)
		}
	}
	return g
}
