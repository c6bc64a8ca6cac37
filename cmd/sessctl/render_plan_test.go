package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/reconcile"
)

// A change whose before and after are the same value in other bytes never
// prints identical before/after lines: it says it is a re-encoding.
func TestRenderReencodedChange(t *testing.T) {
	plan := &reconcile.Plan{Changes: []*reconcile.Change{{
		Partition: "persist:work", Action: reconcile.Update,
		Attrs: []reconcile.AttrChange{
			{Name: "proxy", Action: reconcile.Update,
				Before: json.RawMessage(`{"mode":"fixed_servers","proxyBypassRules":"\u003clocal\u003e"}`),
				After:  json.RawMessage(`{"mode":"fixed_servers","proxyBypassRules":"<local>"}`)},
			{Name: "userAgent", Action: reconcile.Update, Reencoded: true,
				Before: json.RawMessage(`"a\u0026b"`), After: json.RawMessage(`"a&b"`)},
		},
	}}}
	var b bytes.Buffer
	renderPlan(&b, plan, false)
	out := b.String()
	for _, line := range strings.Split(out, "\n") {
		if i := strings.Index(line, " -> "); i >= 0 && strings.TrimSpace(line[strings.Index(line, "=")+1:i]) == strings.TrimSpace(line[i+4:]) {
			t.Errorf("identical before/after printed: %q", line)
		}
	}
	if strings.Count(out, "re-encoded, same value") != 2 {
		t.Errorf("want both re-encodings named:\n%s", out)
	}
}
