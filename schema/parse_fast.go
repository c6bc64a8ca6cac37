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
// of a plan that changed one of its values. The subset is what such maps
// and settings blocks are written in:
//
//	type {                        (no labels)
//	  name = "text"
//	  name = {
//	    key = "text"
//	  }
//	}
//
// ASCII only; spaces for indentation (no tabs, no carriage returns);
// one item per line; no comments; identifiers [A-Za-z_][A-Za-z0-9_-]*
// other than the keywords true, false, null, for, in and if; strings
// without escapes or template sequences (no backslash, no "${" or "%{");
// no duplicate attribute in a body. Blank lines are allowed between
// items and blocks, not before the first block.
//
// The result is built as hcl builds it, ranges included (columns are
// bytes, as graphemes are for ASCII), so that everything downstream —
// evaluation, references, diagnostics — cannot tell the two apart;
// TestFastParseMatchesHCL and FuzzFastParse compare them.
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
		b := p.block()
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

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// block parses "type {" NL items "}" (NL | end of span).
func (p *fastParser) block() *hclsyntax.Block {
	if p.i != p.lineStart {
		return nil
	}
	typ, typeRange, ok := p.ident()
	if !ok {
		return nil
	}
	p.spaces()
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
	for {
		if p.blankLine() {
			continue
		}
		p.spaces()
		if p.i < len(p.src) && p.src[p.i] == '}' {
			break
		}
		a := p.attribute()
		if a == nil || attrs[a.Name] != nil {
			return nil
		}
		attrs[a.Name] = a
	}
	closeFrom := p.pos()
	p.i++ // '}'
	closeRange := p.rng(closeFrom)
	p.spaces()
	if p.i < len(p.src) && !p.newline() {
		return nil
	}
	return &hclsyntax.Block{
		Type: typ, TypeRange: typeRange, OpenBraceRange: openRange, CloseBraceRange: closeRange,
		Body: &hclsyntax.Body{Attributes: attrs, Blocks: hclsyntax.Blocks{},
			SrcRange: hcl.Range{Filename: p.name, Start: open, End: closeRange.End},
			EndRange: hcl.Range{Filename: p.name, Start: closeRange.End, End: closeRange.End}},
	}
}

// attribute parses name = value NL (leading spaces consumed).
func (p *fastParser) attribute() *hclsyntax.Attribute {
	name, nameRange, ok := p.ident()
	if !ok {
		return nil
	}
	p.spaces()
	eq := p.pos()
	if !p.byte('=') {
		return nil
	}
	eqRange := p.rng(eq)
	p.spaces()
	var expr hclsyntax.Expression
	var end hcl.Pos
	if p.i < len(p.src) && p.src[p.i] == '{' {
		o := p.object()
		if o == nil {
			return nil
		}
		expr, end = o, o.SrcRange.End
	} else {
		t := p.str()
		if t == nil {
			return nil
		}
		expr, end = t, t.SrcRange.End
	}
	p.spaces()
	if !p.newline() {
		return nil
	}
	return &hclsyntax.Attribute{Name: name, Expr: expr, NameRange: nameRange, EqualsRange: eqRange,
		SrcRange: hcl.Range{Filename: p.name, Start: nameRange.Start, End: end}}
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
		if p.blankLine() {
			continue
		}
		p.spaces()
		if p.i < len(p.src) && p.src[p.i] == '}' {
			break
		}
		key, keyRange, ok := p.ident()
		if !ok {
			return nil
		}
		p.spaces()
		if !p.byte('=') {
			return nil
		}
		p.spaces()
		v := p.str()
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
