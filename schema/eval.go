package schema

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// evaluator turns attributes of a rawBody into typed Values in one
// evaluation context, collecting diagnostics into its loader.
type evaluator struct {
	l   *loader
	ctx *hcl.EvalContext
	// wasNull is set by value when the last expression evaluated to null.
	wasNull bool
	// allowSensitive lets value return a value marked sensitive (and sets
	// sensitive); otherwise such a value is an error at its expression.
	allowSensitive, sensitive bool
}

// sensitiveMark is the cty mark of values that derive from a variable
// declared sensitive = true. cty carries marks through attribute and index
// access, operators, function calls and string templates, so a local or a
// template built from such a variable is sensitive too.
type markKind string

const sensitiveMark markKind = "sensitive"

// isSensitive reports whether any part of v carries the sensitive mark.
func isSensitive(v cty.Value) bool {
	return v.ContainsMarked() && v.HasMarkDeep(sensitiveMark)
}

// unmarkDeep returns v without marks. Most values carry none: they are
// returned as they are, after a walk, instead of being rebuilt by
// UnmarkDeep, which copied every value of every partition.
func unmarkDeep(v cty.Value) cty.Value {
	if !v.ContainsMarked() {
		return v
	}
	v, _ = v.UnmarkDeep()
	return v
}

// sensitiveDiag is the error for a sensitive value used where sessctl
// would have to show it. It never includes the value.
func sensitiveDiag(rng hcl.Range, where string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Sensitive value not allowed here",
		Detail: fmt.Sprintf("This expression derives from a variable declared sensitive = true, and %s shows its value in plans, state and logs. "+
			"Only attributes whose reference entry says they accept sensitive values keep them secret; use a variable that is not sensitive here.", where),
		Subject: rng.Ptr(),
	}
}

func (l *loader) evaluator(ctx *hcl.EvalContext) *evaluator { return &evaluator{l: l, ctx: ctx} }

// value evaluates expr; ok is false when it failed or is null (unset).
func (e *evaluator) value(expr hcl.Expression) (cty.Value, bool) {
	e.wasNull = false
	v, d := expr.Value(e.ctx)
	e.l.diags = append(e.l.diags, d...)
	if d.HasErrors() {
		return cty.NilVal, false
	}
	if big := checkValueSize(v, expr.Range(), "this expression"); big != nil {
		e.l.diags = append(e.l.diags, big)
		return cty.NilVal, false
	}
	e.sensitive = isSensitive(v)
	if e.sensitive && !e.allowSensitive {
		e.l.diags = append(e.l.diags, sensitiveDiag(expr.Range(), "this attribute"))
		return cty.NilVal, false
	}
	v = unmarkDeep(v)
	if v.IsNull() {
		e.wasNull = true
		return v, false
	}
	if !v.IsWhollyKnown() {
		// Nothing in sessctl's scope is unknown unless an earlier error
		// replaced it; that error was reported where it happened.
		return v, false
	}
	return v, true
}

// typeError reports a value of the wrong type.
func (e *evaluator) typeError(name string, rng hcl.Range, want string, got cty.Value) {
	e.l.diags = append(e.l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Incorrect attribute value type",
		Detail:   fmt.Sprintf("Inappropriate value for attribute %q: %s required, got %s.", name, want, got.Type().FriendlyName()),
		Subject:  rng.Ptr(),
	})
}

// exact reports whether expr is a plain quoted string literal whose bytes
// between the quotes are v. It reads the source, so it works for both
// syntaxes; strings containing template introducers are never exact (in
// JSON they were templates that happened to evaluate to their own text).
func (l *loader) exact(expr hcl.Expression, v string) bool {
	r := expr.Range()
	f := l.sources[r.Filename]
	if f == nil {
		return false
	}
	b := f.Bytes
	if r.Start.Byte < 0 || r.End.Byte > len(b) || r.End.Byte-r.Start.Byte != len(v)+2 {
		return false
	}
	src := b[r.Start.Byte:r.End.Byte]
	if src[0] != '"' || src[len(src)-1] != '"' || string(src[1:len(src)-1]) != v {
		return false
	}
	return !strings.Contains(v, "${") && !strings.Contains(v, "%{")
}

func (e *evaluator) str(b *rawBody, name string) Value[string] {
	a := e.attr(b, name)
	if a == nil {
		return Value[string]{}
	}
	return e.strExpr(name, a.Expr)
}

func (e *evaluator) strExpr(name string, expr hcl.Expression) Value[string] {
	v, ok := e.value(expr)
	if !ok {
		return Value[string]{}
	}
	sv, err := convert.Convert(v, cty.String)
	if err != nil || sv.IsNull() {
		e.typeError(name, expr.Range(), "string", v)
		return Value[string]{}
	}
	s := sv.AsString()
	if e.sensitive {
		return Value[string]{V: s, Set: true, Range: expr.Range(), Sensitive: true}
	}
	return Value[string]{V: s, Set: true, Range: expr.Range(), Exact: e.l.exact(expr, s)}
}

func (e *evaluator) boolean(b *rawBody, name string) Value[bool] {
	a := e.attr(b, name)
	if a == nil {
		return Value[bool]{}
	}
	v, ok := e.value(a.Expr)
	if !ok {
		return Value[bool]{}
	}
	bv, err := convert.Convert(v, cty.Bool)
	if err != nil || bv.IsNull() {
		e.typeError(name, a.Expr.Range(), "bool", v)
		return Value[bool]{}
	}
	return Value[bool]{V: bv.True(), Set: true, Range: a.Expr.Range()}
}

func (e *evaluator) numberVal(name string, expr hcl.Expression) (*big.Float, bool) {
	v, ok := e.value(expr)
	if !ok {
		return nil, false
	}
	nv, err := convert.Convert(v, cty.Number)
	if err != nil || nv.IsNull() {
		e.typeError(name, expr.Range(), "number", v)
		return nil, false
	}
	return nv.AsBigFloat(), true
}

func (e *evaluator) number(b *rawBody, name string) Value[float64] {
	a := e.attr(b, name)
	if a == nil {
		return Value[float64]{}
	}
	f, ok := e.numberVal(name, a.Expr)
	if !ok {
		return Value[float64]{}
	}
	x, _ := f.Float64()
	if math.IsInf(x, 0) {
		e.l.diags = append(e.l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Number out of range",
			Detail:   fmt.Sprintf("The value of %q does not fit in a 64-bit floating-point number.", name),
			Subject:  a.Expr.Range().Ptr(),
		})
		return Value[float64]{}
	}
	return Value[float64]{V: x, Set: true, Range: a.Expr.Range()}
}

func (e *evaluator) integer(b *rawBody, name string) Value[int] {
	a := e.attr(b, name)
	if a == nil {
		return Value[int]{}
	}
	f, ok := e.numberVal(name, a.Expr)
	if !ok {
		return Value[int]{}
	}
	if !f.IsInt() {
		e.l.diags = append(e.l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("Inappropriate value for attribute %q: a whole number is required, got %s.", name, f.Text('g', -1)),
			Subject:  a.Expr.Range().Ptr(),
		})
		return Value[int]{}
	}
	i, acc := f.Int64()
	if acc != big.Exact || i > math.MaxInt32 || i < math.MinInt32 {
		e.l.diags = append(e.l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Number out of range",
			Detail:   fmt.Sprintf("The value of %q must be between %d and %d.", name, math.MinInt32, math.MaxInt32),
			Subject:  a.Expr.Range().Ptr(),
		})
		return Value[int]{}
	}
	return Value[int]{V: int(i), Set: true, Range: a.Expr.Range()}
}

// numStrOf converts a number or string value.
func (e *evaluator) numStrOf(name string, expr hcl.Expression, v cty.Value, rng hcl.Range, exactOK bool) (Value[NumStr], bool) {
	switch v.Type() {
	case cty.Number:
		return Value[NumStr]{V: NumStr{Text: numberText(v.AsBigFloat()), IsNumber: true}, Set: true, Range: rng}, true
	case cty.String:
		s := v.AsString()
		return Value[NumStr]{V: NumStr{Text: s}, Set: true, Range: rng, Exact: exactOK && e.l.exact(expr, s)}, true
	}
	e.typeError(name, rng, "number or string", v)
	return Value[NumStr]{}, false
}

func (e *evaluator) numStr(b *rawBody, name string) Value[NumStr] {
	a := e.attr(b, name)
	if a == nil {
		return Value[NumStr]{}
	}
	v, ok := e.value(a.Expr)
	if !ok {
		return Value[NumStr]{}
	}
	out, _ := e.numStrOf(name, a.Expr, v, a.Expr.Range(), true)
	return out
}

// numStrList decodes a list whose items are numbers or strings.
func (e *evaluator) numStrList(b *rawBody, name string) ([]Value[NumStr], hcl.Range) {
	a := e.attr(b, name)
	if a == nil {
		return nil, hcl.Range{}
	}
	rng := a.Expr.Range()
	if elems, d := hcl.ExprList(a.Expr); !d.HasErrors() {
		out := make([]Value[NumStr], 0, len(elems))
		for _, el := range elems {
			v, ok := e.value(el)
			if !ok {
				continue
			}
			if x, ok := e.numStrOf(name, el, v, el.Range(), true); ok {
				out = append(out, x)
			}
		}
		return out, rng
	}
	v, ok := e.value(a.Expr)
	if !ok {
		return nil, hcl.Range{}
	}
	ty := v.Type()
	if !(ty.IsListType() || ty.IsTupleType() || ty.IsSetType()) {
		e.typeError(name, rng, "list of numbers or strings", v)
		return nil, hcl.Range{}
	}
	out := make([]Value[NumStr], 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, el := it.Element()
		if el.IsNull() {
			e.typeError(name, rng, "list of numbers or strings without null items", el)
			continue
		}
		if x, ok := e.numStrOf(name, nil, el, rng, false); ok {
			out = append(out, x)
		}
	}
	return out, rng
}

// strList decodes a list of strings; when allowString, a single string is
// accepted too (FromString).
func (e *evaluator) strList(b *rawBody, name string, allowString bool) StringList {
	a := e.attr(b, name)
	if a == nil {
		return StringList{}
	}
	want := "list of strings"
	if allowString {
		want = "string or list of strings"
	}
	rng := a.Expr.Range()
	if elems, d := hcl.ExprList(a.Expr); !d.HasErrors() {
		out := StringList{Set: true, Range: rng, Items: make([]Value[string], 0, len(elems))}
		for _, el := range elems {
			v, ok := e.value(el)
			if !ok {
				if e.wasNull {
					e.typeError(name, el.Range(), "string (not null) for each item", v)
				}
				continue
			}
			sv, err := convert.Convert(v, cty.String)
			if err != nil || sv.IsNull() {
				e.typeError(name, el.Range(), "string for each item", v)
				continue
			}
			s := sv.AsString()
			out.Items = append(out.Items, Value[string]{V: s, Set: true, Range: el.Range(), Exact: e.l.exact(el, s)})
		}
		return out
	}
	v, ok := e.value(a.Expr)
	if !ok {
		return StringList{}
	}
	ty := v.Type()
	if ty == cty.String && allowString {
		s := v.AsString()
		return StringList{Set: true, Range: rng, FromString: true,
			Items: []Value[string]{{V: s, Set: true, Range: rng, Exact: e.l.exact(a.Expr, s)}}}
	}
	if !(ty.IsListType() || ty.IsTupleType() || ty.IsSetType()) {
		e.typeError(name, rng, want, v)
		return StringList{}
	}
	out := StringList{Set: true, Range: rng, Items: make([]Value[string], 0, v.LengthInt())}
	for it := v.ElementIterator(); it.Next(); {
		_, el := it.Element()
		sv, err := convert.Convert(el, cty.String)
		if err != nil || sv.IsNull() {
			e.typeError(name, rng, want, v)
			return StringList{}
		}
		out.Items = append(out.Items, Value[string]{V: sv.AsString(), Set: true, Range: rng})
	}
	return out
}

// numberText renders a number as decimal text. Whole numbers are exact
// (big.Int); others go through float64, which is plenty for IDs that must
// be whole anyway. big.Float's shortest formatting at cty's 512-bit
// precision is two orders of magnitude slower.
func numberText(f *big.Float) string {
	if f.IsInt() {
		i, _ := f.Int(nil)
		return i.String()
	}
	x, _ := f.Float64()
	return strconv.FormatFloat(x, 'g', -1, 64)
}
