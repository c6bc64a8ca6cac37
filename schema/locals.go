package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// local is one local value: its expression, the locals it references, and
// its evaluation state.
type local struct {
	attr  *hcl.Attribute
	deps  []localRef
	state int // 0 new, 1 evaluating, 2 done
	value cty.Value
}

type localRef struct {
	name string
	rng  hcl.Range
}

// evalLocals evaluates every `locals {}` attribute in dependency order and
// returns the `local` object. Each local is evaluated once, in a context
// whose `local` object holds only the locals it references, so the work is
// linear in the size of the expressions rather than quadratic in the
// number of locals.
func (l *loader) evalLocals(blocks []*hcl.Block) cty.Value {
	locals := make(map[string]*local)
	var order []string
	for _, b := range blocks {
		attrs, d := b.Body.JustAttributes()
		l.diags = append(l.diags, d...)
		list := make([]*hcl.Attribute, 0, len(attrs))
		for _, a := range attrs {
			list = append(list, a)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Range.Start.Byte < list[j].Range.Start.Byte })
		for _, a := range list {
			if prev := locals[a.Name]; prev != nil {
				l.diags = append(l.diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate local value",
					Detail:   fmt.Sprintf("local.%s is already defined at %s.", a.Name, prev.attr.NameRange),
					Subject:  a.NameRange.Ptr(),
				})
				continue
			}
			locals[a.Name] = &local{attr: a, deps: localRefs(a.Expr)}
			order = append(order, a.Name)
		}
	}
	l.localNames = make(map[string]bool, len(locals))
	for n := range locals {
		l.localNames[n] = true
	}
	for _, n := range order {
		l.checkRefs(locals[n].attr.Expr, refScope{})
	}
	if len(locals) == 0 {
		return cty.EmptyObjectVal
	}
	names := make([]string, 0, len(locals))
	for n := range locals {
		names = append(names, n)
	}
	sort.Strings(names)

	var stack []string
	var visit func(name string) cty.Value
	visit = func(name string) cty.Value {
		lc := locals[name]
		switch lc.state {
		case 2:
			return lc.value
		case 1:
			// stack holds the path from the first local on the cycle.
			start := 0
			for i, s := range stack {
				if s == name {
					start = i
				}
			}
			cycle := append(append([]string{}, stack[start:]...), name)
			for i := range cycle {
				cycle[i] = "local." + cycle[i]
			}
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cycle in local values",
				Detail:   fmt.Sprintf("These local values refer to each other in a loop, so none can be computed: %s. Break the loop by computing one of them without the others.", strings.Join(cycle, " → ")),
				Subject:  lc.attr.NameRange.Ptr(),
			})
			return cty.DynamicVal
		}
		lc.state = 1
		stack = append(stack, name)
		deps := make(map[string]cty.Value, len(lc.deps))
		for _, r := range lc.deps {
			if _, done := deps[r.name]; done {
				continue
			}
			if locals[r.name] == nil {
				detail := fmt.Sprintf("No local value named %q is defined.", r.name)
				if s := suggest(r.name, names); s != "" {
					detail += fmt.Sprintf(" Did you mean %q?", s)
				}
				l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared local value", Detail: detail, Subject: r.rng.Ptr()})
				deps[r.name] = cty.DynamicVal
				continue
			}
			deps[r.name] = visit(r.name)
		}
		stack = stack[:len(stack)-1]
		if l.badExprs[lc.attr.Expr] {
			lc.value, lc.state = cty.DynamicVal, 2
			return lc.value
		}
		ctx := l.ctx.NewChild()
		ctx.Variables = map[string]cty.Value{"local": cty.ObjectVal(deps)}
		v, d := lc.attr.Expr.Value(ctx)
		l.diags = append(l.diags, d...)
		if d.HasErrors() {
			v = cty.DynamicVal
		} else if big := checkValueSize(v, lc.attr.Expr.Range(), "local."+name); big != nil {
			l.diags = append(l.diags, big)
			v = cty.DynamicVal
		}
		lc.value, lc.state = v, 2
		return v
	}
	vals := make(map[string]cty.Value, len(locals))
	for _, n := range order {
		vals[n] = visit(n)
	}
	return cty.ObjectVal(vals)
}

// localRefs returns the local values an expression references.
func localRefs(expr hcl.Expression) []localRef {
	var out []localRef
	for _, tr := range expr.Variables() {
		if tr.RootName() != "local" || len(tr) < 2 {
			continue
		}
		switch step := tr[1].(type) {
		case hcl.TraverseAttr:
			out = append(out, localRef{step.Name, tr.SourceRange()})
		case hcl.TraverseIndex:
			if step.Key.Type() == cty.String && step.Key.IsKnown() && !step.Key.IsNull() {
				out = append(out, localRef{step.Key.AsString(), tr.SourceRange()})
			}
		}
	}
	return out
}
