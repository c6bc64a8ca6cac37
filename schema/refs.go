package schema

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// refScope says which root names an expression may reference.
type refScope struct {
	each    bool // inside a for_each partition or a profile
	profile bool // the profiles attribute
	locals  bool // false while evaluating locals (they check their own)
}

// checkRefs reports references to names that do not exist, before any
// evaluation, with the closest existing name as a suggestion. hcl's own
// messages for these ("Unsupported attribute", "Unknown variable") do not
// say what exists. An expression with a bad reference is marked so that it
// is not evaluated (which would report the same problem again).
func (l *loader) checkRefs(expr hcl.Expression, scope refScope) {
	l.checkTraversals(expr, expr.Variables(), scope)
}

// checkTraversals is checkRefs with expr's traversals at hand.
func (l *loader) checkTraversals(expr hcl.Expression, vars []hcl.Traversal, scope refScope) {
	for _, tr := range vars {
		if d := l.checkRef(tr, scope); d != nil {
			l.diags = append(l.diags, d)
			l.badExprs[expr] = true
		}
	}
}

func (l *loader) checkRef(tr hcl.Traversal, scope refScope) *hcl.Diagnostic {
	rng := tr.SourceRange()
	bad := func(summary, detail string) *hcl.Diagnostic {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: &rng}
	}
	name := ""
	if len(tr) > 1 {
		switch s := tr[1].(type) {
		case hcl.TraverseAttr:
			name = s.Name
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() {
				name = s.Key.AsString()
			}
		}
	}
	withSuggestion := func(detail, name string, candidates []string) string {
		if s := suggest(name, candidates); s != "" {
			return detail + fmt.Sprintf(" Did you mean %q?", s)
		}
		return detail
	}
	switch root := tr.RootName(); root {
	case "var":
		if name == "" || l.vars[name] != nil {
			return nil
		}
		names := make([]string, 0, len(l.vars))
		for n := range l.vars {
			names = append(names, n)
		}
		sort.Strings(names)
		return bad("Reference to undeclared input variable", withSuggestion(
			fmt.Sprintf("No variable named %q is declared; declare it with a variable %q {} block.", name, name), name, names))
	case "local":
		if !scope.locals || name == "" || l.localNames[name] {
			return nil
		}
		names := make([]string, 0, len(l.localNames))
		for n := range l.localNames {
			names = append(names, n)
		}
		sort.Strings(names)
		return bad("Reference to undeclared local value", withSuggestion(fmt.Sprintf("No local value named %q is defined.", name), name, names))
	case "path":
		if name == "" || name == "config" {
			return nil
		}
		return bad("Unsupported attribute", fmt.Sprintf("path has one attribute, path.config (the configuration directory); there is no path.%s.", name))
	case "host":
		if name == "" || name == "name" || name == "os" || name == "arch" {
			return nil
		}
		return bad("Unsupported attribute", withSuggestion(fmt.Sprintf("host has the attributes name, os and arch; there is no host.%s.", name), name, []string{"name", "os", "arch"}))
	case "each":
		if scope.each {
			if name == "" || name == "key" || name == "value" {
				return nil
			}
			return bad("Unsupported attribute", fmt.Sprintf("each has the attributes key and value; there is no each.%s.", name))
		}
		return bad("Reference to each outside for_each", "each.key and each.value exist only in a partition block that has for_each (and in the profiles it uses).")
	case "profile":
		if scope.profile {
			return nil
		}
		return bad("Invalid reference to a profile", "profile.NAME can only be used as an item of profiles = [...], which merges the profile into the partition.")
	default:
		known := []string{"var", "local", "path", "host"}
		if scope.each {
			known = append(known, "each")
		}
		return bad("Unknown variable", withSuggestion(fmt.Sprintf("There is no variable named %q. Expressions can use var, local, path, host, and each inside for_each.", root), root, known))
	}
}

// checkBodyRefs checks every attribute of a raw body and its nested
// blocks, in source order. The profiles attribute is skipped (applyProfiles
// checks it statically) and for_each is checked without each in scope.
func (l *loader) checkBodyRefs(b *rawBody, scope refScope) {
	l.checkPartitionRefs(b, scope, nil)
}

// checkPartitionRefs is checkBodyRefs that also files, in the same walk,
// the locals the body reads in in (when not nil): those of for_each in
// ForEachLocals, the others in BodyLocals (LoadOptions.Instance).
func (l *loader) checkPartitionRefs(b *rawBody, scope refScope, in *Instance) {
	for _, a := range bodyAttrs(b) {
		if a.Name == "profiles" {
			continue
		}
		s := scope
		if a.Name == "for_each" {
			s.each = false
		}
		vars := a.Expr.Variables()
		l.checkTraversals(a.Expr, vars, s)
		if in == nil {
			continue
		}
		for _, tr := range vars {
			switch n := localName(tr); {
			case n == "":
			case a.Name == "for_each":
				in.ForEachLocals = append(in.ForEachLocals, n)
			default:
				in.BodyLocals = append(in.BodyLocals, n)
			}
		}
	}
	if in != nil {
		in.ForEachLocals, in.BodyLocals = sortedSet(in.ForEachLocals), sortedSet(in.BodyLocals)
	}
}

// instanceOf is what LoadOptions.Instance is told of partition block b,
// without its locals (checkPartitionRefs) and each.*; nil without the
// option.
func (l *loader) instanceOf(b *hcl.Block) *Instance {
	if l.opts.Instance == nil {
		return nil
	}
	return &Instance{Path: l.paths[b.DefRange.Filename], Start: b.DefRange.Start.Byte, Local: l.local}
}

// localName is the local a traversal reads ("" when it reads none).
func localName(tr hcl.Traversal) string {
	if tr.RootName() != "local" || len(tr) < 2 {
		return ""
	}
	if a, ok := tr[1].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return "*" // local["x"]: some local
}

// local returns a local's value (cty.NilVal when it has none).
func (l *loader) local(name string) cty.Value {
	v, ok := l.ctx.Variables["local"]
	if !ok || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
		return cty.NilVal
	}
	return v.GetAttr(name)
}

func sortedSet(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// bodyAttrs returns the attributes of b and of its nested blocks, in
// source order.
func bodyAttrs(b *rawBody) []*hcl.Attribute {
	var attrs []*hcl.Attribute
	var collect func(b *rawBody)
	collect = func(b *rawBody) {
		if b == nil {
			return
		}
		for _, a := range b.attrs {
			attrs = append(attrs, a)
		}
		for _, g := range b.blocks {
			if g.single != nil {
				collect(g.single.body)
			}
			for _, x := range g.labelled {
				collect(x.body)
			}
			for _, x := range g.list {
				collect(x.body)
			}
		}
	}
	collect(b)
	sort.Slice(attrs, func(i, j int) bool {
		a, b := attrs[i].Range, attrs[j].Range
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return attrs
}

// attr returns the attribute name of b unless its expression has a
// reference error already reported.
func (e *evaluator) attr(b *rawBody, name string) *hcl.Attribute {
	a := b.attrs[name]
	if a == nil || e.l.badExprs[a.Expr] {
		return nil
	}
	return a
}

// firstEachRef returns the range of the first (in source order) reference
// to each.* in a body, or nil.
func firstEachRef(b *rawBody) *hcl.Range {
	var first *hcl.Range
	var walk func(b *rawBody)
	walk = func(b *rawBody) {
		if b == nil {
			return
		}
		for _, a := range b.attrs {
			for _, tr := range a.Expr.Variables() {
				if tr.RootName() == "each" {
					r := tr.SourceRange()
					if first == nil || r.Start.Byte < first.Start.Byte {
						first = &r
					}
				}
			}
		}
		for _, g := range b.blocks {
			if g.single != nil {
				walk(g.single.body)
			}
			for _, x := range g.labelled {
				walk(x.body)
			}
			for _, x := range g.list {
				walk(x.body)
			}
		}
	}
	walk(b)
	return first
}
