package schema

import (
	"fmt"
	"math/big"
	"reflect"
	"sync"

	"github.com/hashicorp/hcl/v2"
)

// Setting families declare their part of the partition language here, in
// their own package, with RegisterFamily: the attributes and blocks they
// own (with one line of documentation each) and how those decode into the
// family's typed value. The loader knows the language itself (files,
// variables, locals, functions, profiles, for_each, merging, diagnostics)
// and checks, merges and evaluates a family's blocks like any other; it
// never names a family. See docs/adding-a-family.md.

// BlockKind says how repeated blocks of one type combine in a body and
// when profiles merge into a partition.
type BlockKind int

const (
	// Single: at most one per body; profiles merge it attribute by
	// attribute.
	Single BlockKind = iota
	// Labelled: one label, unique per body; profiles merge it by label.
	Labelled
	// List: repeated, unlabelled, ordered; a later source that has any
	// replaces the whole list.
	List
)

// AttrSpec is an attribute a family owns.
type AttrSpec struct {
	Name string
	// Doc says in one line what the attribute sets (docs are generated
	// from it).
	Doc string
	// Type is the type Decode reads the attribute as ("string", "list of
	// strings", …). Families leave it empty: Families fills it in by
	// running Decode, so the docs say what the code accepts.
	Type string
}

// BlockSpec is a block a family owns.
type BlockSpec struct {
	Type string
	Kind BlockKind
	// LabelName names the label of a Labelled block in messages.
	LabelName string
	Doc       string
	Attrs     []AttrSpec
	Blocks    []*BlockSpec
}

// FamilySpec declares a setting family's part of the partition language.
type FamilySpec[T any] struct {
	// Name is the family's name, as providers.Provider.Family returns it.
	Name   string
	Attrs  []AttrSpec
	Blocks []*BlockSpec
	// Decode evaluates the family's attributes and blocks of a partition
	// body (the partition's own merged with its profiles') and returns the
	// family's value: nil when the partition does not use the family.
	// Errors are reported through d. T is a pointer to the family's own
	// struct; every hcl.Range in it (also inside Value, StringList, slices
	// and pointed-to structs, not maps) is a source range that
	// Partition.ShiftRanges moves.
	Decode func(d *Decoder, b Body) T
}

// Key reads a registered family's value from a decoded partition.
type Key[T any] struct{ idx int }

// Of returns the family's value for p (the zero T when p does not use it).
func (k Key[T]) Of(p *Partition) T {
	var zero T
	if p == nil || k.idx >= len(p.fams) {
		return zero
	}
	v, _ := p.fams[k.idx].(T)
	return v
}

// Set sets the family's value of p (tests build partitions this way).
func (k Key[T]) Set(p *Partition, v T) {
	for len(p.fams) <= k.idx {
		p.fams = append(p.fams, nil)
	}
	p.fams[k.idx] = v
}

// family is a registered FamilySpec without its type.
type family struct {
	name   string
	attrs  []AttrSpec
	blocks []*BlockSpec
	decode func(d *Decoder, b Body) any
	// typ is T, the pointer type of the family's value.
	typ reflect.Type
}

var famMu sync.Mutex

// families are the registered families in registration order; Partition
// values are indexed alike.
var families []*family

// RegisterFamily adds a family to the partition language. Families
// register from an init func, before any configuration is loaded. It
// panics when a name is taken: that is a programming error, found by the
// first test that loads anything.
func RegisterFamily[T any](spec FamilySpec[T]) Key[T] {
	famMu.Lock()
	defer famMu.Unlock()
	if spec.Name == "" || spec.Decode == nil {
		panic("schema.RegisterFamily: a family needs a Name and a Decode func")
	}
	// A pointer, so that ShiftRanges can move the ranges inside it.
	if reflect.TypeOf((*T)(nil)).Elem().Kind() != reflect.Pointer {
		panic(fmt.Sprintf("schema.RegisterFamily(%q): the family value must be a pointer", spec.Name))
	}
	taken := map[string]bool{}
	for _, a := range partitionSpec.attrs {
		taken[a] = true
	}
	for _, b := range partitionSpec.blocks {
		taken[b.typ] = true
	}
	for _, f := range families {
		if f.name == spec.Name {
			panic(fmt.Sprintf("schema.RegisterFamily: family %q registered twice", spec.Name))
		}
	}
	attrs := append([]string(nil), partitionSpec.attrs...)
	blocks := append([]*blockSpec(nil), partitionSpec.blocks...)
	for _, a := range spec.Attrs {
		if taken[a.Name] {
			panic(fmt.Sprintf("schema.RegisterFamily(%q): attribute %q is taken", spec.Name, a.Name))
		}
		taken[a.Name] = true
		attrs = append(attrs, a.Name)
	}
	for _, b := range spec.Blocks {
		if taken[b.Type] {
			panic(fmt.Sprintf("schema.RegisterFamily(%q): block %q is taken", spec.Name, b.Type))
		}
		taken[b.Type] = true
		blocks = append(blocks, b.internal())
	}
	partitionSpec = newBody(attrs, blocks...)
	decode := spec.Decode
	families = append(families, &family{name: spec.Name, attrs: spec.Attrs, blocks: spec.Blocks,
		decode: func(d *Decoder, b Body) any { return decode(d, b) }, typ: reflect.TypeOf((*T)(nil)).Elem()})
	return Key[T]{idx: len(families) - 1}
}

func (b *BlockSpec) internal() *blockSpec {
	kind := map[BlockKind]blockKind{Single: kindSingle, Labelled: kindLabelled, List: kindList}[b.Kind]
	attrs := make([]string, len(b.Attrs))
	for i, a := range b.Attrs {
		attrs[i] = a.Name
	}
	inner := make([]*blockSpec, len(b.Blocks))
	for i, x := range b.Blocks {
		inner[i] = x.internal()
	}
	return &blockSpec{typ: b.Type, kind: kind, labelName: b.LabelName, body: newBody(attrs, inner...)}
}

// FamilyDoc is a registered family's language, for generated docs.
type FamilyDoc struct {
	Name   string
	Attrs  []AttrSpec
	Blocks []*BlockSpec
}

// Families lists the registered families in registration order, each
// attribute with the type its Decode reads it as (empty when Decode never
// reads a declared attribute, which is a bug of the family).
func Families() []FamilyDoc {
	famMu.Lock()
	defer famMu.Unlock()
	out := make([]FamilyDoc, len(families))
	for i, f := range families {
		types := f.attrTypes()
		root := &BlockSpec{Attrs: f.attrs, Blocks: f.blocks}
		typed := withTypes(root, "", types)
		out[i] = FamilyDoc{Name: f.name, Attrs: typed.Attrs, Blocks: typed.Blocks}
	}
	return out
}

// attrTypes runs f's Decode on a synthetic body that holds one empty
// instance of every block f declares, recording the type each attribute
// is read as, keyed by block path ("" for partition attributes,
// "permissions/rule") and attribute name. Empty bodies are never
// evaluated, so this needs no configuration.
func (f *family) attrTypes() map[string]map[string]string {
	paths := map[*rawBody]string{}
	var build func(blocks []*BlockSpec, path string) *rawBody
	build = func(blocks []*BlockSpec, path string) *rawBody {
		b := &rawBody{}
		paths[b] = path
		for _, bs := range blocks {
			p := bs.Type
			if path != "" {
				p = path + "/" + bs.Type
			}
			blk := &rawBlock{label: "x", body: build(bs.Blocks, p)}
			if b.blocks == nil {
				b.blocks = map[string]*rawBlocks{}
			}
			switch bs.Kind {
			case Single:
				b.blocks[bs.Type] = &rawBlocks{single: blk}
			case Labelled:
				b.blocks[bs.Type] = &rawBlocks{labelled: []*rawBlock{blk}}
			case List:
				b.blocks[bs.Type] = &rawBlocks{list: []*rawBlock{blk}}
			}
		}
		return b
	}
	root := build(f.blocks, "")
	types := map[string]map[string]string{}
	d := &Decoder{e: &evaluator{l: &loader{}, ctx: &hcl.EvalContext{}}, note: func(b *rawBody, name, typ string) {
		p, ok := paths[b]
		if !ok {
			return
		}
		if types[p] == nil {
			types[p] = map[string]string{}
		}
		types[p][name] = typ
	}}
	f.decode(d, Body{root})
	return types
}

// withTypes copies b with the recorded types filled in.
func withTypes(b *BlockSpec, path string, types map[string]map[string]string) *BlockSpec {
	out := *b
	out.Attrs = make([]AttrSpec, len(b.Attrs))
	for i, a := range b.Attrs {
		a.Type = types[path][a.Name]
		out.Attrs[i] = a
	}
	out.Blocks = make([]*BlockSpec, len(b.Blocks))
	for i, inner := range b.Blocks {
		p := inner.Type
		if path != "" {
			p = path + "/" + inner.Type
		}
		out.Blocks[i] = withTypes(inner, p, types)
	}
	return &out
}

// ReleaseFamilies drops p's decoded values of every family not named in
// keep: Key.Of then returns the zero value for them. Only for a partition
// whose profile is built and whose family values nobody reads again (a
// one-shot plan keeps 10,000 partitions' profiles, not their settings).
func (p *Partition) ReleaseFamilies(keep map[string]bool) {
	for i, f := range families {
		if i < len(p.fams) && !keep[f.name] {
			p.fams[i] = nil
		}
	}
}

// decodeFamilies evaluates every registered family's part of b into p.
func (e *evaluator) decodeFamilies(p *Partition, b *rawBody) {
	if len(families) == 0 {
		return
	}
	d := &Decoder{e: e}
	p.fams = make([]any, len(families))
	for i, f := range families {
		p.fams[i] = f.decode(d, Body{b})
	}
}

// Body is an unevaluated partition body, or the body of one of its blocks,
// as a family's Decode reads it.
type Body struct{ raw *rawBody }

// Block is one block of a Body.
type Block struct {
	// Label and LabelRange are set for Labelled blocks.
	Label      string
	LabelRange hcl.Range
	// DefRange is the block's header.
	DefRange hcl.Range
	Body     Body
}

func wrap(b *rawBlock) Block {
	return Block{Label: b.label, LabelRange: b.labelRange, DefRange: b.defRange, Body: Body{b.body}}
}

// Single returns the Single block typ of b.
func (b Body) Single(typ string) (Block, bool) {
	if b.raw == nil {
		return Block{}, false
	}
	if x := b.raw.single(typ); x != nil {
		return wrap(x), true
	}
	return Block{}, false
}

// Labelled returns the Labelled blocks typ of b, in order of first
// appearance (profiles first).
func (b Body) Labelled(typ string) []Block {
	if b.raw == nil {
		return nil
	}
	var out []Block
	for _, x := range b.raw.labelled(typ) {
		out = append(out, wrap(x))
	}
	return out
}

// DecodeLabelled decodes each Labelled block typ of b with one, in order
// (profiles' first, merged by label); nil when b has none.
func DecodeLabelled[T any](b Body, typ string, one func(Block) T) []T {
	var out []T
	for _, blk := range b.Labelled(typ) {
		out = append(out, one(blk))
	}
	return out
}

// List returns the List blocks typ of b, in order.
func (b Body) List(typ string) []Block {
	if b.raw == nil {
		return nil
	}
	var out []Block
	for _, x := range b.raw.list(typ) {
		out = append(out, wrap(x))
	}
	return out
}

// Decoder evaluates attributes for a family's Decode, with the
// partition's variables, locals, functions and each.*, reporting type
// errors as diagnostics of the load.
type Decoder struct {
	e *evaluator
	// note, when set, records what each attribute is read as (Families).
	note func(b *rawBody, name, typ string)
}

func (d *Decoder) noted(b Body, name, typ string) *rawBody {
	if d.note != nil {
		d.note(b.raw, name, typ)
	}
	return b.raw
}

// String evaluates a string attribute.
func (d *Decoder) String(b Body, name string) Value[string] {
	return d.e.str(d.noted(b, name, "string"), name)
}

// SensitiveString evaluates a string attribute that may derive from a
// variable declared sensitive = true (Value.Sensitive then says so). Every
// other Decoder method refuses such a value with an error at its
// expression, so a family only receives secrets it asked for.
func (d *Decoder) SensitiveString(b Body, name string) Value[string] {
	d.e.allowSensitive = true
	defer func() { d.e.allowSensitive, d.e.sensitive = false, false }()
	return d.e.str(d.noted(b, name, "string (may be sensitive)"), name)
}

// Bool evaluates a bool attribute.
func (d *Decoder) Bool(b Body, name string) Value[bool] {
	return d.e.boolean(d.noted(b, name, "bool"), name)
}

// Int evaluates a whole-number attribute.
func (d *Decoder) Int(b Body, name string) Value[int] {
	return d.e.integer(d.noted(b, name, "whole number"), name)
}

// Number evaluates a number attribute.
func (d *Decoder) Number(b Body, name string) Value[float64] {
	return d.e.number(d.noted(b, name, "number"), name)
}

// NumStr evaluates an attribute that is a number or a string (USB IDs).
func (d *Decoder) NumStr(b Body, name string) Value[NumStr] {
	return d.e.numStr(d.noted(b, name, "number or string"), name)
}

// NumStrList evaluates a list of numbers or strings.
func (d *Decoder) NumStrList(b Body, name string) ([]Value[NumStr], hcl.Range) {
	return d.e.numStrList(d.noted(b, name, "list of numbers or strings"), name)
}

// StringList evaluates a list of strings; allowString also accepts one
// string (which the family then splits as Chromium does).
func (d *Decoder) StringList(b Body, name string, allowString bool) StringList {
	typ := "list of strings"
	if allowString {
		typ = "string or list of strings"
	}
	return d.e.strList(d.noted(b, name, typ), name, allowString)
}

// shiftFamilies moves the ranges of p's family values (ShiftRanges).
// Family values are walked by reflection: every hcl.Range in them, at any
// depth, is a source range.
func (s shifter) families(p *Partition) {
	for _, v := range p.fams {
		if v != nil {
			s.walk(reflect.ValueOf(v))
		}
	}
}

var famRangeType = reflect.TypeOf(hcl.Range{})
var famBigFloatType = reflect.TypeOf(big.Float{})

func (s shifter) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			s.walk(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == famRangeType {
			if v.CanAddr() {
				s.r(v.Addr().Interface().(*hcl.Range))
			}
			return
		}
		if v.Type() == famBigFloatType {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				s.walk(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			s.walk(v.Index(i))
		}
	}
}
