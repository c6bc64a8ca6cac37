package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// EnvVarPrefix prefixes environment variables that set input variables:
// SESSCTL_VAR_name=value.
const EnvVarPrefix = "SESSCTL_VAR_"

// variable is a declared input variable and the value it ends up with.
type variable struct {
	name        string
	declRange   hcl.Range
	typ         cty.Type
	defaults    *typeexpr.Defaults
	def         cty.Value
	hasDefault  bool
	validations []*rawBlock
	// sensitive is `sensitive = true`: the value is marked (sensitiveMark)
	// so that it only reaches attributes that keep it secret.
	sensitive bool

	value    cty.Value
	hasValue bool
	// source says where value came from, for messages; rng points at it
	// when it came from a file.
	source string
	rng    *hcl.Range
}

func (l *loader) declareVariables(blocks []*hcl.Block) {
	l.vars = make(map[string]*variable, len(blocks))
	for _, b := range blocks {
		name := b.Labels[0]
		if prev := l.vars[name]; prev != nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate variable",
				Detail:   fmt.Sprintf("Variable %q is already declared at %s.", name, prev.declRange),
				Subject:  b.LabelRanges[0].Ptr(),
			})
			continue
		}
		if !hclsyntax.ValidIdentifier(name) {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid variable name",
				Detail:   fmt.Sprintf("%q cannot be referenced as var.NAME: a name must start with a letter or underscore and contain only letters, digits, underscores and dashes.", name),
				Subject:  b.LabelRanges[0].Ptr(),
			})
			continue
		}
		raw, d := decodeRaw(b.Body, variableSpec)
		l.diags = append(l.diags, d...)
		v := &variable{name: name, declRange: b.DefRange, typ: cty.DynamicPseudoType, validations: raw.list("validation")}
		if a := raw.attrs["type"]; a != nil {
			ty, defs, d := typeexpr.TypeConstraintWithDefaults(typeExpr(a.Expr))
			l.diags = append(l.diags, d...)
			if !d.HasErrors() {
				v.typ, v.defaults = ty, defs
			}
		}
		if a := raw.attrs["default"]; a != nil {
			val, d := a.Expr.Value(nil)
			l.diags = append(l.diags, d...)
			if !d.HasErrors() {
				if cv, err := v.convert(val); err != nil {
					l.diags = append(l.diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid default value for variable",
						Detail:   fmt.Sprintf("The default of variable %q does not match its type %s: %s.", name, typeexpr.TypeString(v.typ), err),
						Subject:  a.Expr.Range().Ptr(),
					})
				} else if !cv.IsNull() {
					v.def, v.hasDefault = cv, true
				}
			}
		}
		for _, k := range []string{"description", "sensitive"} {
			if a := raw.attrs[k]; a != nil {
				want := cty.String
				if k == "sensitive" {
					want = cty.Bool
				}
				val, d := a.Expr.Value(nil)
				l.diags = append(l.diags, d...)
				if !d.HasErrors() {
					if cv, err := convert.Convert(val, want); err == nil {
						if k == "sensitive" && !cv.IsNull() && cv.IsKnown() {
							v.sensitive = cv.True()
						}
					} else {
						l.diags = append(l.diags, &hcl.Diagnostic{
							Severity: hcl.DiagError,
							Summary:  "Incorrect attribute value type",
							Detail:   fmt.Sprintf("Inappropriate value for attribute %q: %s required.", k, want.FriendlyName()),
							Subject:  a.Expr.Range().Ptr(),
						})
					}
				}
			}
		}
		l.vars[name] = v
	}
}

// typeExpr returns the expression of a type constraint. In JSON syntax the
// constraint is written as a string ("list(string)"); it is parsed as a
// native expression, as Terraform does.
func typeExpr(expr hcl.Expression) hcl.Expression {
	if _, native := expr.(hclsyntax.Expression); native {
		return expr
	}
	v, d := expr.Value(nil)
	if d.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return expr
	}
	r := expr.Range()
	parsed, d := hclsyntax.ParseExpression([]byte(v.AsString()), r.Filename, hcl.Pos{Line: r.Start.Line, Column: r.Start.Column + 1, Byte: r.Start.Byte + 1})
	if d.HasErrors() {
		return expr
	}
	return parsed
}

// convert applies the variable's type defaults and converts to its type.
func (v *variable) convert(val cty.Value) (cty.Value, error) {
	val = unmarkDeep(val)
	if v.defaults != nil && !val.IsNull() {
		val = v.defaults.Apply(val)
	}
	return convert.Convert(val, v.typ)
}

func (l *loader) varNames() string {
	names := make([]string, 0, len(l.vars))
	for n := range l.vars {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "The configuration declares no variables."
	}
	return "Declared variables: " + strings.Join(names, ", ") + "."
}

// set records a value for a variable; later calls win.
func (v *variable) set(val cty.Value, source string, rng *hcl.Range) {
	v.value, v.hasValue, v.source, v.rng = val, true, source, rng
}

// rawMode reports whether command-line and environment text is taken
// literally (primitive types and untyped variables) rather than parsed as an
// HCL expression (collections and objects), as Terraform does.
func (v *variable) rawMode() bool {
	return v.typ == cty.DynamicPseudoType || v.typ.IsPrimitiveType()
}

// parseText turns command-line or environment text into a value.
func (l *loader) parseText(v *variable, text, source string) (cty.Value, bool) {
	if v.rawMode() {
		return cty.StringVal(text), true
	}
	d := checkNesting([]byte(text), source)
	var expr hclsyntax.Expression
	if !d.HasErrors() {
		expr, d = hclsyntax.ParseExpression([]byte(text), source, hcl.InitialPos)
	}
	if !d.HasErrors() {
		val, d2 := expr.Value(nil)
		d = append(d, d2...)
		if !d.HasErrors() {
			return val, true
		}
	}
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid value for variable",
		Detail: fmt.Sprintf("The value of variable %q given by %s is not a valid HCL expression for type %s: %s. Write it as in a .hcl file, for example [\"a\", \"b\"] or {k = \"v\"}.",
			v.name, source, typeexpr.TypeString(v.typ), firstError(d)),
		Subject: v.declRange.Ptr(),
	})
	return cty.NilVal, false
}

func firstError(d hcl.Diagnostics) string {
	for _, x := range d {
		if x.Severity == hcl.DiagError {
			if x.Detail != "" {
				return x.Summary + ": " + x.Detail
			}
			return x.Summary
		}
	}
	return "invalid"
}

// assignVariables applies the values in precedence order (lowest first:
// default, environment, var files, --var), converts them, runs validations
// and builds the `var` object.
func (l *loader) assignVariables() {
	// Environment: in the order given; a later duplicate entry wins, as for
	// os.Getenv on most platforms. Undeclared names are ignored: the
	// environment is shared with other programs and configurations.
	for _, kv := range l.opts.Environ {
		if !strings.HasPrefix(kv, EnvVarPrefix) {
			continue
		}
		name, text, ok := strings.Cut(kv[len(EnvVarPrefix):], "=")
		v := l.vars[name]
		if !ok || v == nil {
			continue
		}
		src := "the environment variable " + EnvVarPrefix + name
		if val, ok := l.parseText(v, text, src); ok {
			v.set(val, src, nil)
		}
	}
	for _, path := range l.opts.VarFiles {
		l.readVarFile(path)
	}
	for _, kv := range l.opts.Vars {
		name, text, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid --var option",
				Detail:   fmt.Sprintf("--var %q must have the form NAME=VALUE.", kv),
			})
			continue
		}
		v := l.vars[name]
		if v == nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("--var sets %q, but no variable of that name is declared. %s", name, l.varNames()),
			})
			continue
		}
		src := fmt.Sprintf("--var %s=...", name)
		if val, ok := l.parseText(v, text, src); ok {
			v.set(val, src, nil)
		}
	}

	vals := make(map[string]cty.Value, len(l.vars))
	names := make([]string, 0, len(l.vars))
	for n := range l.vars {
		names = append(names, n)
	}
	sort.Strings(names) // deterministic diagnostic order
	for _, n := range names {
		v := l.vars[n]
		val := v.def
		switch {
		case v.hasValue:
			cv, err := v.convert(v.value)
			if err != nil {
				subject := v.declRange.Ptr()
				if v.rng != nil {
					subject = v.rng
				}
				l.diags = append(l.diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid value for variable",
					Detail:   fmt.Sprintf("The value of variable %q from %s does not match its type %s: %s.", n, v.source, typeexpr.TypeString(v.typ), err),
					Subject:  subject,
				})
				vals[n] = cty.DynamicVal
				continue
			}
			val = cv
		case v.hasDefault:
		default:
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No value for required variable",
				Detail:   fmt.Sprintf("Variable %q has no default, so it needs a value: --var %s=VALUE, a --var-file, or the environment variable %s%s.", n, n, EnvVarPrefix, n),
				Subject:  v.declRange.Ptr(),
			})
			vals[n] = cty.DynamicVal
			continue
		}
		if v.sensitive {
			val = val.Mark(sensitiveMark)
		}
		if l.validate(v, val) {
			vals[n] = val
		} else {
			vals[n] = cty.DynamicVal
		}
	}
	l.varVal = cty.ObjectVal(vals)
}

// readVarFile reads one --var-file: HCL or JSON attributes naming declared
// variables, with constant values.
func (l *loader) readVarFile(path string) {
	b, err := readBounded(path)
	if err != nil {
		l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot read variables file", Detail: err.Error()})
		return
	}
	if abs, err := absPath(path); err == nil {
		l.recordInput(abs, b)
	}
	if d := checkNesting(b, path); d.HasErrors() {
		l.diags = append(l.diags, d...)
		l.sources[path] = &hcl.File{Bytes: b}
		return
	}
	var f *hcl.File
	var d hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		f, d = hcljson.Parse(b, path)
	} else {
		f, d = hclsyntax.ParseConfig(b, path, hcl.InitialPos)
	}
	l.diags = append(l.diags, d...)
	if f == nil {
		return
	}
	l.sources[path] = f
	if d.HasErrors() {
		return
	}
	attrs, d := f.Body.JustAttributes()
	l.diags = append(l.diags, d...)
	// JustAttributes returns a map; apply in source order so that messages
	// come out in a stable order.
	list := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Range.Start.Byte < list[j].Range.Start.Byte })
	for _, a := range list {
		v := l.vars[a.Name]
		if v == nil {
			detail := fmt.Sprintf("%s sets %q, but no variable of that name is declared. %s", path, a.Name, l.varNames())
			l.diags = append(l.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Value for undeclared variable", Detail: detail, Subject: a.NameRange.Ptr()})
			continue
		}
		val, d := a.Expr.Value(nil)
		l.diags = append(l.diags, d...)
		if d.HasErrors() {
			continue
		}
		rng := a.Expr.Range()
		v.set(val, path, &rng)
	}
}

// validate runs a variable's validation blocks; it reports whether all
// conditions held.
func (l *loader) validate(v *variable, val cty.Value) bool {
	if len(v.validations) == 0 {
		return true
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.name: val})},
		Functions: l.functions(),
	}
	okAll := true
	for _, vb := range v.validations {
		cond := vb.body.attrs["condition"]
		msg := vb.body.attrs["error_message"]
		if cond == nil || msg == nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Incomplete validation block",
				Detail:   "A validation block needs both condition and error_message.",
				Subject:  vb.defRange.Ptr(),
			})
			okAll = false
			continue
		}
		cv, d := cond.Expr.Value(ctx)
		l.diags = append(l.diags, d...)
		if d.HasErrors() {
			okAll = false
			continue
		}
		cv = unmarkDeep(cv)
		bv, err := convert.Convert(cv, cty.Bool)
		if err != nil || bv.IsNull() || !bv.IsKnown() {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid validation condition",
				Detail:   fmt.Sprintf("The condition must be true or false; it is %s.", cv.Type().FriendlyName()),
				Subject:  cond.Expr.Range().Ptr(),
			})
			okAll = false
			continue
		}
		if bv.True() {
			continue
		}
		okAll = false
		text := fmt.Sprintf("The value of variable %q is not valid.", v.name)
		if mv, d := msg.Expr.Value(ctx); !d.HasErrors() && !isSensitive(mv) {
			mv = unmarkDeep(mv)
			if sv, err := convert.Convert(mv, cty.String); err == nil && !sv.IsNull() && sv.IsKnown() {
				text = sv.AsString()
			}
		}
		where := "its default"
		if v.hasValue {
			where = v.source
		}
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("%s\n\nThe value of var.%s comes from %s; this check failed.", text, v.name, where),
			Subject:  cond.Expr.Range().Ptr(),
		})
	}
	return okAll
}

func absPath(p string) (string, error) {
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		return "", fmt.Errorf("not a regular file")
	}
	return filepath.Abs(p)
}
