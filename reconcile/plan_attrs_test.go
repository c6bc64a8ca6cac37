package reconcile

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// TestCreateAttributesDerived: a created partition's attribute list is not
// kept in the plan but derived from its profile fields, in key order, and
// its JSON carries it as before ("<" not escaped in the fields).
func TestCreateAttributesDerived(t *testing.T) {
	d := &Desired{Name: "persist:a", Fields: map[string]json.RawMessage{
		"proxy":     json.RawMessage(`{"proxyBypassRules":"<local>"}`),
		"cache":     json.RawMessage(`true`),
		"userAgent": json.RawMessage(`"A/1"`),
	}}
	d.Digest = contentDigest(d.Fields)
	c := diffPartition(d, nil, t.TempDir())
	if c.Action != Create || c.Attrs != nil {
		t.Fatalf("action %s, attrs %v: want a create keeping no attribute list", c.Action, c.Attrs)
	}
	want := []AttrChange{
		{Name: "cache", Action: Create, After: d.Fields["cache"]},
		{Name: "proxy", Action: Create, After: d.Fields["proxy"]},
		{Name: "userAgent", Action: Create, After: d.Fields["userAgent"]},
	}
	if got := c.Attributes(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Attributes() = %v, want %v", got, want)
	}
	// As the plan file writes it: without HTML escaping.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	var back struct {
		Attrs  []AttrChange               `json:"attributes"`
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Attrs) != 3 || back.Attrs[1].Name != "proxy" {
		t.Fatalf("JSON attributes %v", back.Attrs)
	}
	if contentDigest(back.Fields) != c.Digest {
		t.Errorf("the fields read back from JSON no longer match the digest: %s", b)
	}
	// An update keeps its own list.
	u := &Change{Action: Update, Fields: d.Fields, Attrs: []AttrChange{{Name: "cache", Action: Update}}}
	if got := u.Attributes(); len(got) != 1 {
		t.Errorf("update Attributes() = %v", got)
	}
}
