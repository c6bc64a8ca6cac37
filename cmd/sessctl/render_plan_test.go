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

// A partition whose configuration did not change but whose profile went
// missing shows what apply rewrites and why, never an empty block.
func TestRenderRepairOnlyChange(t *testing.T) {
	plan := &reconcile.Plan{Changes: []*reconcile.Change{{
		Partition: "persist:work", Action: reconcile.Update,
		Drift: []string{"profile file /out/p.json is missing"},
		Findings: []reconcile.Finding{
			{Partition: "persist:work", Kind: reconcile.DriftProfileMissing, Path: "/out/p.json"},
			{Partition: "persist:work", Kind: reconcile.DriftProfileModified, Path: "/out/q.json", Fields: []string{"userAgent"}},
		},
	}}}
	var b bytes.Buffer
	renderPlan(&b, plan, false)
	out := b.String()
	for _, want := range []string{"will be repaired", "~ rewrite profile /out/p.json (it is missing)", "rewrite profile /out/q.json (edited outside sessctl: [userAgent])"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "{\n    }") {
		t.Errorf("empty partition block:\n%s", out)
	}
}
