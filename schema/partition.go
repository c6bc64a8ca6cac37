package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/sessctl/sessctl/internal/warning"
)

// decodePartitions merges profiles into each partition block, expands
// for_each, evaluates, and checks names. The work per block is its own size
// plus its profiles' sizes; for_each instances share one merged body and
// one parent context, so expansion is linear in the number of instances.
//
// items are the partition blocks in file order; a streamed span's blocks
// are parsed only when the loop reaches it and dropped after it (see
// load_stream.go). ok is false when a streamed span could not be used;
// the caller then loads again without streaming.
func (l *loader) decodePartitions(items []partItem, profiles map[string]*profileDef) (out []*Partition, ok bool) {
	names := newNameIndex(len(items))
	add := func(p *Partition) {
		if p == nil {
			return
		}
		d := checkPartitionName(p.Name, p.NameRange)
		for _, x := range d {
			warning.ForPartition(x, p.Name)
		}
		l.diags = append(l.diags, d...)
		if d.HasErrors() {
			return
		}
		if d := names.add(p.Name, p.NameRange); d.HasErrors() {
			l.diags = append(l.diags, d...)
			return
		}
		out = append(out, p)
		if l.stream != nil && l.opts.OnPartition != nil {
			l.opts.OnPartition(l.cfg, p)
		}
	}
	decode := func(b *hcl.Block) {
		own, d := decodeRaw(b.Body, partitionSpec)
		l.diags = append(l.diags, d...)
		inst := l.instanceOf(b)
		l.checkPartitionRefs(own, refScope{each: own.attrs["for_each"] != nil, locals: true}, inst)
		mark := len(l.diags)
		used, merged := l.applyProfiles(own, profiles)
		labelRange := b.LabelRanges[0]
		if own.attrs["for_each"] == nil && l.profileNeedsEach(used, profiles, b.Labels[0], labelRange) {
			return
		}
		templDiags := l.templLabels[keyOf(labelRange)]
		fe := own.attrs["for_each"]
		if fe == nil {
			l.diags = append(l.diags, templDiags...)
			if len(templDiags) > 0 {
				return
			}
			name, ok := l.plainLabel(b)
			if !ok {
				return
			}
			if inst != nil && !l.opts.Instance(inst) {
				return
			}
			p := l.evalPartition(merged, l.ctx)
			p.Name, p.NameRange, p.DeclRange, p.Profiles = name, labelRange, b.DefRange, used
			// The profile list's warnings belong to this partition (a
			// for_each block's belong to all its instances: only the
			// settings block's list acknowledges those).
			for _, d := range l.diags[mark:] {
				warning.ForPartition(d, p.Name)
			}
			add(p)
			return
		}
		label, ok := l.labelTemplate(b)
		if !ok {
			return
		}
		if inst != nil {
			for _, tr := range label.Variables() {
				if n := localName(tr); n != "" {
					inst.BodyLocals = sortedSet(append(append([]string(nil), inst.BodyLocals...), n))
				}
			}
		}
		l.forEach(fe, func(key, value cty.Value, n int) {
			if inst != nil {
				in := *inst
				in.Key, in.Value, in.Count = key, value, n
				if !l.opts.Instance(&in) {
					return
				}
			}
			each := cty.ObjectVal(map[string]cty.Value{"key": key, "value": value})
			ctx := l.ctx.NewChild()
			ctx.Variables = map[string]cty.Value{"each": each}
			nv, d := label.Value(ctx)
			l.diags = append(l.diags, d...)
			if d.HasErrors() {
				return
			}
			if isSensitive(nv) {
				l.diags = append(l.diags, sensitiveDiag(labelRange, "a partition label"))
				return
			}
			nv = unmarkDeep(nv)
			ns, err := convert.Convert(nv, cty.String)
			if err != nil || ns.IsNull() || !ns.IsKnown() {
				l.diags = append(l.diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid partition name",
					Detail:   fmt.Sprintf("The partition label must evaluate to a string; it is %s for each.key = %s.", nv.Type().FriendlyName(), each.GetAttr("key").GoString()),
					Subject:  labelRange.Ptr(),
				})
				return
			}
			p := l.evalPartition(merged, ctx)
			p.Name, p.NameRange, p.DeclRange, p.Profiles = ns.AsString(), labelRange, b.DefRange, used
			if key.Type() == cty.String && key.IsKnown() && !key.IsNull() {
				p.EachKey = key.AsString()
			}
			add(p)
		})
	}
	for _, it := range items {
		if it.block != nil {
			decode(it.block)
			continue
		}
		blocks, ok := l.stream.open(it.span, l)
		if !ok {
			return nil, false
		}
		for _, b := range blocks {
			decode(b)
		}
		l.stream.close(it.span)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, true
}

// labelTemplate returns the label of a for_each partition as a template
// expression. Native syntax: the label's source (quotes included) parsed as
// a quoted template, so escapes mean what they mean in any string. JSON:
// the decoded key parsed as a template, as JSON strings are.
func (l *loader) labelTemplate(b *hcl.Block) (hcl.Expression, bool) {
	rng := b.LabelRanges[0]
	f := l.sources[rng.Filename]
	if _, native := b.Body.(*hclsyntax.Body); native && f != nil && rng.Start.Byte >= 0 && rng.End.Byte <= len(f.Bytes) && rng.Start.Byte < rng.End.Byte {
		src := f.Bytes[rng.Start.Byte:rng.End.Byte]
		expr, d := hclsyntax.ParseExpression(src, rng.Filename, rng.Start)
		isTemplate := false
		switch expr.(type) {
		case *hclsyntax.TemplateExpr, *hclsyntax.TemplateWrapExpr:
			isTemplate = true
		}
		if d.HasErrors() || !isTemplate {
			l.diags = append(l.diags, d...)
			if !d.HasErrors() {
				l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid partition label", Detail: "The label of a for_each partition must be a quoted string template.", Subject: rng.Ptr()})
			}
			return nil, false
		}
		return expr, true
	}
	expr, d := hclsyntax.ParseTemplate([]byte(b.Labels[0]), rng.Filename, hcl.Pos{Line: rng.Start.Line, Column: rng.Start.Column + 1, Byte: rng.Start.Byte + 1})
	l.diags = append(l.diags, d...)
	if d.HasErrors() {
		return nil, false
	}
	return expr, true
}

// forEach evaluates a for_each expression and calls fn with each.key and
// each.value of every instance, in key order.
// fn is also told how many instances there are.
func (l *loader) forEach(attr *hcl.Attribute, fn func(key, value cty.Value, n int)) {
	if l.badExprs[attr.Expr] {
		return
	}
	v, d := attr.Expr.Value(l.ctx)
	l.diags = append(l.diags, d...)
	if d.HasErrors() {
		return
	}
	if isSensitive(v) {
		l.diags = append(l.diags, sensitiveDiag(attr.Expr.Range(), "for_each (its keys name partitions and blocks)"))
		return
	}
	v = unmarkDeep(v)
	bad := func(detail string) {
		l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each argument", Detail: detail, Subject: attr.Expr.Range().Ptr()})
	}
	if v.IsNull() {
		bad("for_each is null; it must be a map, an object, or a set of strings.")
		return
	}
	if !v.IsWhollyKnown() {
		return // an earlier error made it unknown
	}
	ty := v.Type()
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		n := v.LengthInt()
		for it := v.ElementIterator(); it.Next(); {
			k, val := it.Element()
			fn(k, val, n)
		}
	case ty.IsSetType():
		if !ty.ElementType().Equals(cty.String) {
			bad(fmt.Sprintf("for_each is a set of %s; a set must hold strings (they become each.key and each.value).", ty.ElementType().FriendlyName()))
			return
		}
		n := v.LengthInt()
		for it := v.ElementIterator(); it.Next(); {
			_, val := it.Element()
			if val.IsNull() {
				bad("for_each holds a null string; every element must be a string.")
				return
			}
			fn(val, val, n)
		}
	case ty.IsListType() || ty.IsTupleType():
		bad(fmt.Sprintf("for_each is a %s; it must be a map, an object, or a set of strings. Convert a list of names with toset(...), so that each name is an instance key.", ty.FriendlyName()))
	default:
		bad(fmt.Sprintf("for_each is a %s; it must be a map, an object, or a set of strings.", ty.FriendlyName()))
	}
}

// applyProfiles resolves `profiles = [...]` and merges those profiles,
// then own, in that order (later wins).
func (l *loader) applyProfiles(own *rawBody, profiles map[string]*profileDef) ([]string, *rawBody) {
	attr := own.attrs["profiles"]
	if attr == nil {
		return nil, own
	}
	elems, d := hcl.ExprList(attr.Expr)
	if d.HasErrors() {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid profiles list",
			Detail:   "profiles must be a list of profile references written out, such as [profile.corporate, profile.kiosk].",
			Subject:  attr.Expr.Range().Ptr(),
		})
		return nil, own
	}
	var used []string
	var merged *rawBody
	seen := make(map[string]bool, len(elems))
	for _, el := range elems {
		tr, d := hcl.AbsTraversalForExpr(el)
		name := ""
		if !d.HasErrors() && len(tr) == 2 && tr.RootName() == "profile" {
			if step, ok := tr[1].(hcl.TraverseAttr); ok {
				name = step.Name
			}
		}
		if name == "" {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid profile reference",
				Detail:   "Each item of profiles must be a reference of the form profile.NAME.",
				Subject:  el.Range().Ptr(),
			})
			continue
		}
		p := profiles[name]
		if p == nil {
			detail := fmt.Sprintf("No profile named %q is declared.", name)
			if s := suggest(name, profileNames(profiles)); s != "" {
				detail += fmt.Sprintf(" Did you mean %q?", s)
			}
			l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared profile", Detail: detail, Subject: el.Range().Ptr()})
			continue
		}
		if seen[name] {
			l.diags = append(l.diags, warning.New(warning.ProfileListedTwice, el.Range(),
				"Profile listed twice",
				fmt.Sprintf("profile.%s is already in the list; it is merged once, at its first position.", name)))
			continue
		}
		seen[name] = true
		used = append(used, name)
		merged = mergeRaw(merged, p.body)
	}
	return used, mergeRaw(merged, own)
}

func profileNames(m map[string]*profileDef) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// suggest returns the candidate closest to name when it is close enough to
// be a typo (the same threshold hcl uses for attribute names).
func suggest(name string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein.Distance(name, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// evalPartition evaluates a merged partition body in ctx.
func (l *loader) evalPartition(b *rawBody, ctx *hcl.EvalContext) *Partition {
	e := l.evaluator(ctx)
	p := &Partition{
		Cache:          e.boolean(b, "cache"),
		IgnoreDrift:    e.strList(b, "ignore_drift", false),
		IgnoreWarnings: e.warningCodes(b),
	}
	e.decodeFamilies(p, b)
	return p
}

func (b *rawBody) single(typ string) *rawBlock {
	if g := b.blocks[typ]; g != nil {
		return g.single
	}
	return nil
}

func (b *rawBody) labelled(typ string) []*rawBlock {
	if g := b.blocks[typ]; g != nil {
		return g.labelled
	}
	return nil
}

func (b *rawBody) list(typ string) []*rawBlock {
	if g := b.blocks[typ]; g != nil {
		return g.list
	}
	return nil
}

// profileNeedsEach reports (and diagnoses) a partition without for_each
// that uses a profile referencing each.*.
func (l *loader) profileNeedsEach(used []string, profiles map[string]*profileDef, name string, rng hcl.Range) bool {
	for _, u := range used {
		if p := profiles[u]; p != nil && p.eachRef != nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Reference to each outside for_each",
				Detail: fmt.Sprintf("profile.%s uses each.key or each.value, which exist only in partitions with for_each, and partition %q (%s) has no for_each. Use the profile only in for_each partitions, or replace each.* in it.",
					u, name, rng),
				Subject: p.eachRef,
			})
			return true
		}
	}
	return false
}

// plainLabel returns the name of a partition without for_each. Native
// syntax already refused template sequences in it (hcl's "Invalid string
// literal") and turned "$${" into "${". A JSON label gets the same
// treatment, so that one configuration means the same in both syntaxes.
func (l *loader) plainLabel(b *hcl.Block) (string, bool) {
	label := b.Labels[0]
	if _, native := b.Body.(*hclsyntax.Body); native || !strings.ContainsAny(label, "{") {
		return label, true
	}
	rng := b.LabelRanges[0]
	expr, d := hclsyntax.ParseTemplate([]byte(label), rng.Filename, hcl.Pos{Line: rng.Start.Line, Column: rng.Start.Column + 1, Byte: rng.Start.Byte + 1})
	if !d.HasErrors() {
		if t, ok := expr.(*hclsyntax.TemplateExpr); ok && t.IsStringLiteral() {
			if v, d := expr.Value(nil); !d.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
				return v.AsString(), true
			}
		}
	}
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid string literal",
		Detail:   `Template sequences are not allowed in the label of a partition without for_each. To include a literal "${" or "%{", write "$${" or "%%{".`,
		Subject:  rng.Ptr(),
	})
	return "", false
}
