package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// node is a JSON value decoded with object key order preserved, so that
// plans and show print fields in the order the profile contract lists them.
type node struct {
	kind   byte // 'o' object, 'a' array, 's' scalar
	keys   []string
	vals   []*node
	scalar string
}

// decodeNode decodes the first JSON value of raw. It scans the bytes
// itself: a plan of 10,000 new partitions renders a quarter of a million
// values, and encoding/json's token stream (which this replaces, and which
// the tests keep as the reference) spent more than the plan itself.
// Scalars are kept as their JSON text the way marshalNoEscape writes them:
// numbers, true, false and null as written, strings re-encoded only when
// they hold an escape, U+2028, U+2029 or invalid UTF-8.
func decodeNode(raw []byte) (*node, error) {
	n, _, err := scanNode(raw, skipSpace(raw, 0), 0)
	return n, err
}

var errBadJSON = errors.New("invalid JSON value")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanNode decodes the value at b[i:] and returns it with the offset just
// after it. depth bounds the nesting (as encoding/json does, at 10,000).
func scanNode(b []byte, i, depth int) (*node, int, error) {
	if i >= len(b) || depth > 10000 {
		return nil, i, errBadJSON
	}
	switch c := b[i]; {
	case c == '{' || c == '[':
		n := &node{kind: 'a'}
		closing := byte(']')
		if c == '{' {
			n.kind, closing = 'o', '}'
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == closing {
			return n, i + 1, nil
		}
		for {
			if n.kind == 'o' {
				end, err := scanString(b, i)
				if err != nil {
					return nil, i, err
				}
				k, err := jsonString(b[i:end])
				if err != nil {
					return nil, i, err
				}
				n.keys = append(n.keys, k)
				i = skipSpace(b, end)
				if i >= len(b) || b[i] != ':' {
					return nil, i, errBadJSON
				}
				i = skipSpace(b, i+1)
			}
			v, next, err := scanNode(b, i, depth+1)
			if err != nil {
				return nil, i, err
			}
			n.vals = append(n.vals, v)
			i = skipSpace(b, next)
			if i < len(b) && b[i] == ',' {
				i = skipSpace(b, i+1)
				continue
			}
			if i < len(b) && b[i] == closing {
				return n, i + 1, nil
			}
			return nil, i, errBadJSON
		}
	case c == '"':
		end, err := scanString(b, i)
		if err != nil {
			return nil, i, err
		}
		tok := b[i:end]
		if bytes.IndexByte(tok, '\\') < 0 && utf8.Valid(tok) && !bytes.Contains(tok, lineSep) && !bytes.Contains(tok, paraSep) {
			return &node{kind: 's', scalar: string(tok)}, end, nil
		}
		var str string
		if err := json.Unmarshal(tok, &str); err != nil {
			return nil, i, err
		}
		out, err := marshalNoEscape(str)
		if err != nil {
			return nil, i, err
		}
		return &node{kind: 's', scalar: string(out)}, end, nil
	default:
		j := i
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] >= 'a' && b[j] <= 'z' || b[j] == '-' || b[j] == '+' || b[j] == '.' || b[j] == 'E') {
			j++
		}
		tok := b[i:j]
		switch string(tok) {
		case "true", "false", "null":
		default:
			if !jsonNumber(tok) {
				return nil, i, errBadJSON
			}
		}
		return &node{kind: 's', scalar: string(tok)}, j, nil
	}
}

// jsonString decodes a JSON string token; without escapes it is the
// bytes between the quotes (invalid UTF-8 takes encoding/json's path,
// which replaces it).
func jsonString(tok []byte) (string, error) {
	if bytes.IndexByte(tok, '\\') < 0 && utf8.Valid(tok) {
		return string(tok[1 : len(tok)-1]), nil
	}
	var s string
	err := json.Unmarshal(tok, &s)
	return s, err
}

// jsonNumber reports whether tok is a JSON number (RFC 8259 section 6):
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func jsonNumber(tok []byte) bool {
	i := 0
	digits := func() bool {
		j := i
		for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(tok) && tok[i] == '-' {
		i++
	}
	if i < len(tok) && tok[i] == '0' {
		i++
	} else if !digits() {
		return false
	}
	if i < len(tok) && tok[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(tok) && (tok[i] == 'e' || tok[i] == 'E') {
		i++
		if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(tok)
}

var lineSep, paraSep = []byte("\u2028"), []byte("\u2029")

// scanString returns the offset just after the JSON string at b[i].
func scanString(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return i, errBadJSON
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		default:
			if b[j] < 0x20 {
				return i, errBadJSON
			}
		}
	}
	return i, errBadJSON
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// hclValue renders a JSON value the way HCL users read values: objects as
// `{ key = value }` blocks with aligned keys, short lists of scalars inline.
// ind is the indentation of the line the value starts on.
func hclValue(raw json.RawMessage, ind string) string {
	if len(raw) == 0 {
		return "null"
	}
	n, err := decodeNode(raw)
	if err != nil {
		return string(raw)
	}
	var b strings.Builder
	writeNode(&b, n, ind)
	return b.String()
}

func inline(n *node) (string, bool) {
	switch n.kind {
	case 's':
		return n.scalar, true
	case 'a':
		parts := make([]string, 0, len(n.vals))
		for _, v := range n.vals {
			if v.kind != 's' {
				return "", false
			}
			parts = append(parts, v.scalar)
		}
		s := "[" + strings.Join(parts, ", ") + "]"
		return s, len(s) <= 72
	case 'o':
		if len(n.keys) == 0 {
			return "{}", true
		}
	}
	return "", false
}

func writeNode(b *strings.Builder, n *node, ind string) {
	if s, ok := inline(n); ok {
		b.WriteString(s)
		return
	}
	inner := ind + "    "
	switch n.kind {
	case 'a':
		b.WriteString("[\n")
		for _, v := range n.vals {
			b.WriteString(inner)
			writeNode(b, v, inner)
			b.WriteString(",\n")
		}
		b.WriteString(ind + "]")
	case 'o':
		width := 0
		for _, k := range n.keys {
			if len(k) > width {
				width = len(k)
			}
		}
		b.WriteString("{\n")
		for i, k := range n.keys {
			b.WriteString(inner)
			b.WriteString(k)
			b.WriteString(strings.Repeat(" ", width-len(k)))
			b.WriteString(" = ")
			writeNode(b, n.vals[i], inner)
			b.WriteString("\n")
		}
		b.WriteString(ind + "}")
	}
}
