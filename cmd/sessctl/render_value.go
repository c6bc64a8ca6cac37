package main

import (
	"bytes"
	"encoding/json"
	"strings"
)

// node is a JSON value decoded with object key order preserved, so that
// plans and show print fields in the order the profile contract lists them.
type node struct {
	kind   byte // 'o' object, 'a' array, 's' scalar
	keys   []string
	vals   []*node
	scalar string
}

func decodeNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &node{kind: 'a'}
		if t == '{' {
			n.kind = 'o'
		}
		for dec.More() {
			if n.kind == 'o' {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				n.keys = append(n.keys, k)
			}
			v, err := decodeNode(dec)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
		}
		if _, err := dec.Token(); err != nil { // closing delimiter
			return nil, err
		}
		return n, nil
	default:
		b, _ := marshalNoEscape(t)
		return &node{kind: 's', scalar: string(b)}, nil
	}
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
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := decodeNode(dec)
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
