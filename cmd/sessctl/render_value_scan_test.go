package main

import (
	"bytes"
	"encoding/json"
	"github.com/sessctl/sessctl/reconcile"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// decodeNodeReference is the encoding/json token-stream decoder that
// decodeNode replaced: the reference its output must equal.
func decodeNodeReference(dec *json.Decoder) (*node, error) {
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
			v, err := decodeNodeReference(dec)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, err
		}
		return n, nil
	default:
		b, _ := marshalNoEscape(t)
		return &node{kind: 's', scalar: string(b)}, nil
	}
}

func referenceNode(raw []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return decodeNodeReference(dec)
}

// checkDecodeNode: on valid JSON, decodeNode equals the reference.
func checkDecodeNode(t *testing.T, raw []byte) {
	t.Helper()
	got, err := decodeNode(raw)
	if !json.Valid(raw) {
		return // only: no panic
	}
	want, werr := referenceNode(raw)
	if werr != nil {
		t.Fatalf("reference fails on valid %q: %v", raw, werr)
	}
	if err != nil {
		t.Fatalf("decodeNode(%q): %v", raw, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeNode(%q) = %+v, want %+v", raw, got, want)
	}
}

var decodeNodeSeeds = []string{
	`null`, `true`, `false`, `0`, `-1.5e+10`, `1E3`, `""`, `"plain"`, `"a<b>&c"`, `"\u003cscript\u003e"`,
	`"tab\tnew\nline"`, `"quote\" back\\"`, `"\u2028 \u2029"`, "\"\u2028\"", `"é ü 中文"`, `"\ud83d\ude00"`, `-0`, `0.5`, `1.`, `.5`, `1e`, `1e+`, `-01`, `00`, `1.5E-3`, `{"k\u0041":1}`, "{\"\xff\":1}",
	`[]`, `{}`, ` [ 1 , "x" , [ ] , { } ] `, `{"b":1,"a":{"z":[true,null,"s"],"y":{}}}`,
	`{"proxyRules":"http=a:1;https=b:2","proxyBypassRules":"<local>,*.corp"}`,
	`{"dup":1,"dup":2}`, `[1,]`, `{"a" 1}`, `01`, `-`, `"unterminated`, `[`, `{"a":1}garbage`, "\"\xff\"",
}

func TestDecodeNodeMatchesReference(t *testing.T) {
	for _, s := range decodeNodeSeeds {
		checkDecodeNode(t, []byte(s))
	}
	// Random values marshalled by encoding/json (as profiles are),
	// with and without HTML escaping, compact and indented.
	r := rand.New(rand.NewSource(17))
	for i := 0; i < 3000; i++ {
		v := randomJSONValue(r, 4)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(i%2 == 0)
		if i%3 == 0 {
			enc.SetIndent("", "  ")
		}
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		checkDecodeNode(t, bytes.TrimSpace(buf.Bytes()))
	}
}

func randomJSONValue(r *rand.Rand, depth int) any {
	k := r.Intn(7)
	if depth == 0 {
		k = r.Intn(4)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return r.Intn(2) == 0
	case 2:
		return json.Number([]string{"0", "-3", "12.5", "1e-7", "123456789012345678901234567890"}[r.Intn(5)])
	case 3, 4:
		pieces := []string{"a", "<", ">", "&", "\"", "\\", "\n", "\u2028", "é", "😀", "\x01", " ", "\xff"}
		var sb strings.Builder
		for j := r.Intn(6); j > 0; j-- {
			sb.WriteString(pieces[r.Intn(len(pieces))])
		}
		return sb.String()
	case 5:
		out := make([]any, r.Intn(4))
		for j := range out {
			out[j] = randomJSONValue(r, depth-1)
		}
		return out
	default:
		out := map[string]any{}
		for j := r.Intn(4); j > 0; j-- {
			key, _ := randomJSONValue(r, 0).(string)
			out[key+"k"] = randomJSONValue(r, depth-1)
		}
		return out
	}
}

func FuzzDecodeNode(f *testing.F) {
	for _, s := range decodeNodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkDecodeNode(t, raw) })
}

// TestCreatedAttributeTextMatchesPresentedJSON: a created attribute's
// value rendered straight from its presented node (presentAttr's
// afterText) is what rendering its presented JSON gives, for every field
// the families declare and random values, and for the real profiles of
// the examples' plans (covered by the plan testscripts).
func TestCreatedAttributeTextMatchesPresentedJSON(t *testing.T) {
	fields := []string{"unknownField"}
	for f := range views().fieldNames {
		fields = append(fields, f)
	}
	r := rand.New(rand.NewSource(5))
	checked := 0
	for i := 0; i < 4000; i++ {
		v := randomJSONValue(r, 4)
		if i%2 == 0 { // objects keyed like profiles, nested
			v = map[string]any{"mode": "fixed_servers", "proxyRules": "a:1,b:2", "list": []any{v, "x"}, "inner": map[string]any{"source": v}}
		}
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		field := fields[r.Intn(len(fields))]
		a := reconcile.AttrChange{Name: field, Action: reconcile.Create, After: raw}
		shown, _, ok := presentAttr(a)
		if !ok {
			continue
		}
		want := valueText(hclPresent(field, raw), createValueIndent)
		got := shown.afterText
		if got == "" {
			got = valueText(shown.After, createValueIndent)
		}
		if got != want {
			t.Fatalf("%s = %s: rendered %q, want %q", field, raw, got, want)
		}
		if !bytes.Equal(shown.After, hclPresent(field, raw)) {
			t.Fatalf("%s = %s: presented JSON %s, want %s", field, raw, shown.After, hclPresent(field, raw))
		}
		checked++
	}
	if checked < 1000 {
		t.Fatalf("only %d values checked", checked)
	}
}
