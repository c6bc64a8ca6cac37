package schema

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// parseSpan is hclsyntax.ParseConfig(src, filename, start), by fastParse
// when src is in its subset. The file's navigation is hcl's own, over the
// body fastParse built.
func parseSpan(src []byte, filename string, start hcl.Pos) (*hcl.File, hcl.Diagnostics) {
	if body := fastParse(src, filename, start); body != nil {
		empty, _ := hclsyntax.ParseConfig(nil, filename, start)
		if eb, ok := empty.Body.(*hclsyntax.Body); ok {
			*eb = *body
			return &hcl.File{Body: eb, Bytes: src, Nav: empty.Nav}, nil
		}
	}
	return hclsyntax.ParseConfig(src, filename, start)
}

// fastParse returns the body hclsyntax.ParseConfig(src, filename, start)
// would, for a span in a plain subset of the native syntax, and nil for
// anything else (the caller then runs hcl's parser). hcl's lexer tracks
// the column of every token by Unicode grapheme cluster, a few megabytes
// a second: a `locals` map of 10,000 hosts took 0.1–0.2 s to parse, most
// of a plan that changed one of its values, and the 16 MB of 10,000
// literal partitions 3 s of CPU. The subset is what such maps, settings
// and literal partitions are written in:
//
//	type "label" {
//	  name = "text"
//	  name = 42
//	  name = true
//	  name = ["text", 1, false]
//	  name = {
//	    key = "text"
//	  }
//	  type "label" {
//	    ...
//	  }
//	}
//
// ASCII only; spaces for indentation (no tabs, no carriage returns);
// one item per line; no comments; identifiers [A-Za-z_][A-Za-z0-9_-]*
// other than the keywords true, false, null, for, in and if; strings
// and labels without escapes or template sequences (no backslash, no
// "${" or "%{"); whole numbers without sign or exponent; lists on one
// line, without a trailing comma; no duplicate attribute in a body.
// Top-level blocks start at the beginning of a line; blank lines are
// allowed between items and blocks, not before the first block.
//
// The result is built as hcl builds it, ranges included (columns are
// bytes, as graphemes are for ASCII; numbers are cty.ParseNumberVal, as
// hcl's), so that everything downstream — evaluation, references,
// diagnostics — cannot tell the two apart: TestFastParseMatchesHCL,
// TestFastParseRandom and FuzzFastParse compare them.
func fastParse(src []byte, filename string, start hcl.Pos) *hclsyntax.Body {
	if start.Column != 1 {
		return nil
	}
	p := &fastParser{src: src, name: filename, base: start}
	p.line, p.lineStart = start.Line, 0
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, Blocks: hclsyntax.Blocks{}}
	for p.i < len(src) {
		if p.blankLine() {
			if len(body.Blocks) == 0 {
				return nil // hcl starts the body at the first token
			}
			continue
		}
		if p.i != p.lineStart {
			return nil
		}
		typ, typeRange, ok := p.ident()
		if !ok {
			return nil
		}
		b := p.block(typ, typeRange)
		if b == nil {
			return nil
		}
		body.Blocks = append(body.Blocks, b)
	}
	if len(body.Blocks) == 0 {
		return nil
	}
	end := p.pos()
	body.SrcRange = hcl.Range{Filename: filename, Start: start, End: end}
	body.EndRange = hcl.Range{Filename: filename, Start: end, End: end}
	return body
}

type fastParser struct {
	src       []byte
	name      string
	base      hcl.Pos // the position of src[0]
	i         int     // next byte
	line      int     // line of src[i]
	lineStart int     // offset of the first byte of that line
}

func (p *fastParser) pos() hcl.Pos {
	return hcl.Pos{Line: p.line, Column: p.i - p.lineStart + 1, Byte: p.base.Byte + p.i}
}

func (p *fastParser) rng(from hcl.Pos) hcl.Range {
	return hcl.Range{Filename: p.name, Start: from, End: p.pos()}
}

func (p *fastParser) spaces() {
	for p.i < len(p.src) && p.src[p.i] == ' ' {
		p.i++
	}
}

// newline consumes a line feed.
func (p *fastParser) newline() bool {
	if p.i < len(p.src) && p.src[p.i] == '\n' {
		p.i++
		p.line++
		p.lineStart = p.i
		return true
	}
	return false
}

// blankLine consumes a line of spaces only.
func (p *fastParser) blankLine() bool {
	j := p.i
	for j < len(p.src) && p.src[j] == ' ' {
		j++
	}
	if j < len(p.src) && p.src[j] == '\n' {
		p.i = j
		return p.newline()
	}
	return false
}

func (p *fastParser) byte(c byte) bool {
	if p.i < len(p.src) && p.src[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) ident() (string, hcl.Range, bool) {
	from := p.pos()
	j := p.i
	if j >= len(p.src) || !(isLetter(p.src[j]) || p.src[j] == '_') {
		return "", hcl.Range{}, false
	}
	for j < len(p.src) && (isLetter(p.src[j]) || isDigit(p.src[j]) || p.src[j] == '_' || p.src[j] == '-') {
		j++
	}
	name := string(p.src[p.i:j])
	switch name {
	case "true", "false", "null", "for", "in", "if":
		return "", hcl.Range{}, false
	}
	p.i = j
	return name, p.rng(from), true
}

// item starts the next line of a block body or a map: it skips blank
// lines and indentation and reads the identifier the line starts with,
// and the spaces after it. done is true at the closing brace (left for
// the caller); ok is false when the line starts with anything else.
func (p *fastParser) item() (name string, rng hcl.Range, done, ok bool) {
	for p.blankLine() {
	}
	p.spaces()
	if p.i < len(p.src) && p.src[p.i] == '}' {
		return "", hcl.Range{}, true, true
	}
	if name, rng, ok = p.ident(); ok {
		p.spaces()
	}
	return name, rng, false, ok
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// block parses a block whose type the caller read: labels, "{" NL,
// items, "}" (NL | end of span).
func (p *fastParser) block(typ string, typeRange hcl.Range) *hclsyntax.Block {
	var labels []string
	var labelRanges []hcl.Range
	for {
		p.spaces()
		if p.i >= len(p.src) || p.src[p.i] != '"' {
			break
		}
		t := p.str()
		if t == nil {
			return nil
		}
		labels = append(labels, t.Parts[0].(*hclsyntax.LiteralValueExpr).Val.AsString())
		labelRanges = append(labelRanges, t.SrcRange)
	}
	open := p.pos()
	if !p.byte('{') {
		return nil
	}
	openRange := p.rng(open)
	p.spaces()
	if !p.newline() {
		return nil
	}
	attrs := hclsyntax.Attributes{}
	blocks := hclsyntax.Blocks{}
	for {
		name, nameRange, done, ok := p.item()
		if done {
			break
		}
		if !ok {
			return nil
		}
		if p.i < len(p.src) && p.src[p.i] == '=' {
			a := p.attribute(name, nameRange)
			if a == nil || attrs[a.Name] != nil {
				return nil
			}
			attrs[a.Name] = a
			continue
		}
		b := p.block(name, nameRange)
		if b == nil {
			return nil
		}
		blocks = append(blocks, b)
	}
	closeFrom := p.pos()
	p.i++ // '}'
	closeRange := p.rng(closeFrom)
	p.spaces()
	if p.i < len(p.src) && !p.newline() {
		return nil
	}
	return &hclsyntax.Block{
		Type: typ, Labels: labels, LabelRanges: labelRanges, TypeRange: typeRange,
		OpenBraceRange: openRange, CloseBraceRange: closeRange,
		Body: &hclsyntax.Body{Attributes: attrs, Blocks: blocks,
			SrcRange: hcl.Range{Filename: p.name, Start: open, End: closeRange.End},
			EndRange: hcl.Range{Filename: p.name, Start: closeRange.End, End: closeRange.End}},
	}
}

// attribute parses "= value" NL after the attribute's name.
func (p *fastParser) attribute(name string, nameRange hcl.Range) *hclsyntax.Attribute {
	eq := p.pos()
	if !p.byte('=') {
		return nil
	}
	eqRange := p.rng(eq)
	p.spaces()
	var expr hclsyntax.Expression
	if p.i < len(p.src) && p.src[p.i] == '{' {
		if o := p.object(); o != nil {
			expr = o
		}
	} else if p.i < len(p.src) && p.src[p.i] == '[' {
		if t := p.tuple(); t != nil {
			expr = t
		}
	} else {
		expr = p.scalar()
	}
	if expr == nil {
		return nil
	}
	end := expr.Range().End
	p.spaces()
	if !p.newline() {
		return nil
	}
	return &hclsyntax.Attribute{Name: name, Expr: expr, NameRange: nameRange, EqualsRange: eqRange,
		SrcRange: hcl.Range{Filename: p.name, Start: nameRange.Start, End: end}}
}

// scalar parses a quoted string, a whole number or true or false; nil
// for anything else.
func (p *fastParser) scalar() hclsyntax.Expression {
	if p.i >= len(p.src) {
		return nil
	}
	c := p.src[p.i]
	switch {
	case c == '"':
		if t := p.str(); t != nil {
			return t
		}
		return nil
	case isDigit(c):
		from := p.pos()
		j := p.i
		for j < len(p.src) && isDigit(p.src[j]) {
			j++
		}
		if j < len(p.src) && (isLetter(p.src[j]) || p.src[j] == '.' || p.src[j] == '_') {
			return nil // 1e3, 1.5, 1x: hcl's business
		}
		v, err := cty.ParseNumberVal(string(p.src[p.i:j]))
		if err != nil {
			return nil
		}
		p.i = j
		return &hclsyntax.LiteralValueExpr{Val: v, SrcRange: p.rng(from)}
	case c == 't' || c == 'f':
		from := p.pos()
		for _, kw := range []string{"true", "false"} {
			j := p.i + len(kw)
			if j <= len(p.src) && string(p.src[p.i:j]) == kw && (j == len(p.src) || !(isLetter(p.src[j]) || isDigit(p.src[j]) || p.src[j] == '_' || p.src[j] == '-')) {
				p.i = j
				return &hclsyntax.LiteralValueExpr{Val: cty.BoolVal(kw == "true"), SrcRange: p.rng(from)}
			}
		}
	}
	return nil
}

// tuple parses "[" scalar ("," scalar)* "]" on one line, or "[]".
func (p *fastParser) tuple() *hclsyntax.TupleConsExpr {
	open := p.pos()
	p.i++ // '['
	openRange := p.rng(open)
	var exprs []hclsyntax.Expression
	for {
		p.spaces()
		if p.i < len(p.src) && p.src[p.i] == ']' && len(exprs) == 0 {
			break
		}
		e := p.scalar()
		if e == nil {
			return nil
		}
		exprs = append(exprs, e)
		p.spaces()
		if p.byte(',') {
			continue
		}
		if p.i < len(p.src) && p.src[p.i] == ']' {
			break
		}
		return nil
	}
	p.i++ // ']'
	return &hclsyntax.TupleConsExpr{Exprs: exprs, SrcRange: p.rng(open), OpenRange: openRange}
}

// object parses "{" NL (key = "text" NL)* "}".
func (p *fastParser) object() *hclsyntax.ObjectConsExpr {
	open := p.pos()
	p.i++ // '{'
	openRange := p.rng(open)
	p.spaces()
	if !p.newline() {
		return nil
	}
	var items []hclsyntax.ObjectConsItem
	for {
		key, keyRange, done, ok := p.item()
		if done {
			break
		}
		if !ok {
			return nil
		}
		if !p.byte('=') {
			return nil
		}
		p.spaces()
		v := p.scalar()
		if v == nil {
			return nil
		}
		p.spaces()
		if !p.newline() {
			return nil
		}
		items = append(items, hclsyntax.ObjectConsItem{
			KeyExpr: &hclsyntax.ObjectConsKeyExpr{Wrapped: &hclsyntax.ScopeTraversalExpr{
				Traversal: hcl.Traversal{hcl.TraverseRoot{Name: key, SrcRange: keyRange}}, SrcRange: keyRange}},
			ValueExpr: v,
		})
	}
	p.i++ // '}'
	return &hclsyntax.ObjectConsExpr{Items: items, SrcRange: p.rng(open), OpenRange: openRange}
}

// str parses a quoted string of printable ASCII without escapes or
// template sequences.
func (p *fastParser) str() *hclsyntax.TemplateExpr {
	open := p.pos()
	if !p.byte('"') {
		return nil
	}
	from := p.pos()
	j := p.i
	for ; j < len(p.src) && p.src[j] != '"'; j++ {
		c := p.src[j]
		if c < 0x20 || c > 0x7e || c == '\\' || (c == '$' || c == '%') && j+1 < len(p.src) && p.src[j+1] == '{' {
			return nil
		}
	}
	if j >= len(p.src) {
		return nil
	}
	text := string(p.src[p.i:j])
	p.i = j
	lit := &hclsyntax.LiteralValueExpr{Val: cty.StringVal(text), SrcRange: p.rng(from)}
	p.i++ // '"'
	if text == "" {
		// hcl places an empty literal after the closing quote.
		end := p.pos()
		lit.SrcRange = hcl.Range{Filename: p.name, Start: end, End: end}
	}
	return &hclsyntax.TemplateExpr{Parts: []hclsyntax.Expression{lit}, SrcRange: p.rng(open)}
}
