package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"unicode"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/reconcile"
)

// The default plan shows a partition as the operator wrote it: HCL names
// (bypass_rules, not proxyBypassRules), lists where HCL takes lists, and
// none of the compiled bookkeeping the adapter needs (formatVersion, null
// members, the parsed parts of an origin pattern, result codes). `plan
// --verbose` and `plan --json` show the compiled Electron arguments.
//
// The names come from the families' declarations (providers.FieldView),
// plus the language's own fields below. A field or member without a name
// is shown in snake_case, so nothing is ever hidden by a missing name.

// coreViews are the profile fields reconcile renders itself, from the
// partition block rather than from a family.
var coreViews = []providers.FieldView{
	{Field: "partition", HCL: "partition", HiddenOnCreate: true},
	{Field: "persistent", HCL: "persistent", HiddenOnCreate: true},
	{Field: "cache", HCL: "cache"},
}

// hclViews is every FieldView indexed by field and member path.
type hclViews struct {
	fieldNames     map[string]string // field → HCL name
	keyNames       map[string]string // "field.member" → HCL name
	hidden         map[string]bool   // "field.member" with no HCL counterpart
	unwrap         map[string]string // field → member shown as the field
	sources        map[string]bool   // "field.member": patterns shown as written
	commaLists     map[string]bool   // "field" or "field.member": comma-joined lists
	hiddenOnCreate map[string]bool   // fields derived when a partition is created
	labelled       map[string]bool   // "field" or "field.member": objects keyed by block label
}

var views = sync.OnceValue(func() *hclViews {
	v := &hclViews{fieldNames: map[string]string{}, keyNames: map[string]string{}, hidden: map[string]bool{},
		unwrap: map[string]string{}, sources: map[string]bool{}, commaLists: map[string]bool{}, hiddenOnCreate: map[string]bool{},
		labelled: map[string]bool{}}
	for _, fv := range append(append([]providers.FieldView(nil), coreViews...), providers.FieldViews()...) {
		f := fv.Field
		v.fieldNames[f] = fv.HCL
		for k, n := range fv.Keys {
			v.keyNames[f+"."+k] = n
		}
		for _, k := range fv.Hidden {
			v.hidden[f+"."+k] = true
		}
		for _, k := range fv.Labelled {
			if k == "" {
				v.labelled[f] = true
			} else {
				v.labelled[f+"."+k] = true
			}
		}
		if fv.Unwrap != "" {
			v.unwrap[f] = fv.Unwrap
		}
		for _, k := range fv.Sources {
			v.sources[f+"."+k] = true
		}
		for _, k := range fv.CommaLists {
			if k == "" {
				v.commaLists[f] = true
			} else {
				v.commaLists[f+"."+k] = true
			}
		}
		v.hiddenOnCreate[f] = fv.HiddenOnCreate
	}
	return v
})

// shownAttr is an attribute change as the operator reads it. For a
// created attribute, afterText is its value already rendered: a plan of
// 10,000 new partitions renders a quarter of a million of them, and going
// through the presented JSON (encode, then decode again to render) was
// half of printing it.
type shownAttr struct {
	reconcile.AttrChange
	afterText string
}

// presentMemo remembers how created values were presented: the
// partitions of a large plan mostly share their values (one TLS policy,
// one permission set), and decoding, presenting and writing each again
// was most of the time spent rendering a first plan. Not safe for
// concurrent use.
type presentMemo struct {
	m map[string]memoShown
}

type memoShown struct {
	name      string
	after     json.RawMessage
	afterText string
	ok        bool
}

// presentMemoMax bounds the entries kept; the memo starts over past it.
const presentMemoMax = 4096

// present is presentAttr, from the memo for a created value seen
// before. A nil memo presents every time.
func (m *presentMemo) present(a reconcile.AttrChange) (shownAttr, bool, bool) {
	if m == nil || a.Action != reconcile.Create || a.Before != nil {
		return presentAttr(a)
	}
	key := a.Name + "\x00" + string(a.After)
	if e, ok := m.m[key]; ok {
		out := shownAttr{AttrChange: a, afterText: e.afterText}
		out.Name, out.After = e.name, e.after
		return out, false, e.ok
	}
	out, only, ok := presentAttr(a)
	if m.m == nil || len(m.m) >= presentMemoMax {
		m.m = make(map[string]memoShown)
	}
	m.m[key] = memoShown{name: out.Name, after: out.After, afterText: out.afterText, ok: ok}
	return out, only, ok
}

// presentAttr turns a compiled attribute change into the one the operator
// reads. ok is false when nothing of it is to be shown.
func presentAttr(a reconcile.AttrChange) (out shownAttr, compiledOnly, ok bool) {
	if a.Action == reconcile.Create && views().hiddenOnCreate[a.Name] {
		return shownAttr{AttrChange: a}, false, false
	}
	out.AttrChange = a
	out.Name = hclFieldName(a.Name)
	if a.Before != nil {
		out.Before = hclPresent(a.Name, a.Before)
	}
	if a.After != nil {
		var n *node
		out.After, n = presentedJSON(a.Name, a.After)
		if a.Action == reconcile.Create && a.Before == nil && n != nil {
			var t strings.Builder
			writeNode(&t, n, createValueIndent)
			out.afterText = t.String()
		}
	}
	compiledOnly = a.Action == reconcile.Update && !a.Reencoded && bytes.Equal(out.Before, out.After)
	return out, compiledOnly, true
}

// createValueIndent is the indentation of a created attribute's value.
const createValueIndent = "        "

// hclFieldName returns the HCL name of a profile field.
func hclFieldName(field string) string {
	if n, ok := views().fieldNames[field]; ok {
		return n
	}
	return snakeCase(field)
}

// hclPresent returns the value of profile field as the operator wrote it
// (see above). A value that does not decode is returned unchanged.
func hclPresent(field string, raw json.RawMessage) json.RawMessage {
	out, _ := presentedJSON(field, raw)
	return out
}

// presentedJSON is hclPresent that also returns the presented node (nil
// when the value does not decode or presents as null).
func presentedJSON(field string, raw json.RawMessage) (json.RawMessage, *node) {
	if len(raw) == 0 {
		return raw, nil
	}
	n, err := decodeNode(raw)
	if err != nil {
		return raw, nil
	}
	n = presentField(field, n)
	if n == nil {
		return json.RawMessage("null"), nil
	}
	var b bytes.Buffer
	encodeNode(&b, n)
	return b.Bytes(), n
}

// presentField presents a whole field, unwrapping it when its view says.
func presentField(field string, n *node) *node {
	if m := views().unwrap[field]; m != "" && n.kind == 'o' {
		for i, k := range n.keys {
			if k == m {
				return presentNode(field+"."+m, n.vals[i])
			}
		}
	}
	return presentNode(field, n)
}

func presentNode(path string, n *node) *node {
	switch {
	case views().commaLists[path] && n.kind == 's':
		var s string
		if json.Unmarshal([]byte(n.scalar), &s) == nil {
			out := &node{kind: 'a'}
			for _, part := range strings.Split(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					// JSON's quoting, as every other scalar: Go's
					// (strconv.Quote) writes \x01 for a control character,
					// which no JSON reader takes back.
					q, _ := marshalNoEscape(part)
					out.vals = append(out.vals, &node{kind: 's', scalar: string(q)})
				}
			}
			return out
		}
	case views().sources[path] && n.kind == 'a':
		out := &node{kind: 'a'}
		for _, v := range n.vals {
			if v.kind == 'o' {
				for i, k := range v.keys {
					if k == "source" {
						out.vals = append(out.vals, v.vals[i])
					}
				}
			}
		}
		return out
	}
	if views().labelled[path] && n.kind == 'o' {
		out := &node{kind: 'o'}
		for i, k := range n.keys {
			pv := n.vals[i]
			if pv.kind == 'o' {
				pv = presentMembers(path, pv)
			} else {
				pv = presentNode(path, pv)
			}
			if pv != nil {
				out.keys = append(out.keys, k)
				out.vals = append(out.vals, pv)
			}
		}
		return out
	}
	switch n.kind {
	case 'a':
		out := &node{kind: 'a'}
		for _, v := range n.vals {
			if pv := presentNode(path, v); pv != nil {
				out.vals = append(out.vals, pv)
			}
		}
		return out
	case 'o':
		return presentMembers(path, n)
	}
	return n
}

// presentMembers presents the members of the object n at path.
func presentMembers(path string, n *node) *node {
	out := &node{kind: 'o'}
	for i, k := range n.keys {
		sub := path + "." + k
		if k == "formatVersion" || views().hidden[sub] || (n.vals[i].kind == 's' && n.vals[i].scalar == "null") {
			continue
		}
		pv := presentNode(sub, n.vals[i])
		if pv == nil {
			continue
		}
		name, ok := views().keyNames[sub]
		if !ok {
			name = snakeCase(k)
		}
		out.keys = append(out.keys, name)
		out.vals = append(out.vals, pv)
	}
	return out
}

// snakeCase turns camelCase into snake_case (dictionaryDownloadURL ->
// dictionary_download_url).
func snakeCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// encodeNode writes n as compact JSON, keeping key order.
func encodeNode(b *bytes.Buffer, n *node) {
	switch n.kind {
	case 's':
		b.WriteString(n.scalar)
	case 'a':
		b.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			encodeNode(b, v)
		}
		b.WriteByte(']')
	case 'o':
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := marshalNoEscape(k)
			b.Write(kb)
			b.WriteByte(':')
			encodeNode(b, n.vals[i])
		}
		b.WriteByte('}')
	}
}
