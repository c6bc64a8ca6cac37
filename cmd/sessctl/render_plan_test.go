package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/reconcile"
)

// A change whose before and after are the same value in other bytes never
// prints identical before/after lines: it says it is a re-encoding.
func TestRenderReencodedChange(t *testing.T) {
	plan := &reconcile.Plan{Changes: []*reconcile.Change{{
		Partition: "persist:work", Action: reconcile.Update,
		Attrs: []reconcile.AttrChange{
			{Name: "proxy", Action: reconcile.Update, Reencoded: true,
				Before: json.RawMessage(`{"mode":"fixed_servers","proxyBypassRules":"\u003clocal\u003e"}`),
				After:  json.RawMessage(`{"mode":"fixed_servers","proxyBypassRules":"<local>"}`)},
			{Name: "userAgent", Action: reconcile.Update, Reencoded: true,
				Before: json.RawMessage(`"a\u0026b"`), After: json.RawMessage(`"a&b"`)},
		},
	}}}
	for _, verbose := range []bool{false, true} {
		var b bytes.Buffer
		renderPlanOpts(&b, plan, false, verbose)
		checkReencoded(t, b.String())
	}
}

func checkReencoded(t *testing.T, out string) {
	t.Helper()
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

// The default plan speaks HCL; --verbose shows the compiled fields.
func TestRenderHCLView(t *testing.T) {
	plan := &reconcile.Plan{Changes: []*reconcile.Change{{
		Partition: "persist:work", Action: reconcile.Create,
		Attrs: []reconcile.AttrChange{
			{Name: "partition", Action: reconcile.Create, After: json.RawMessage(`"persist:work"`)},
			{Name: "proxy", Action: reconcile.Create, After: json.RawMessage(`{"mode":"fixed_servers","proxyRules":"p:1","proxyBypassRules":"<local>,*.corp"}`)},
			{Name: "permissions", Action: reconcile.Create, After: json.RawMessage(`{"formatVersion":1,"default":"deny","rules":[{"name":"r","origins":[{"source":"https://a.example","scheme":"https"}],"externalUrls":null,"mediaTypes":null}]}`)},
			{Name: "certificateRules", Action: reconcile.Create, After: json.RawMessage(`{"formatVersion":1,"defaultCode":-3,"rules":[{"pattern":"x.example","match":"exact","host":"x.example","verify":"accept","code":0}]}`)},
		},
	}}}
	var b bytes.Buffer
	renderPlanOpts(&b, plan, false, false)
	out := b.String()
	for _, want := range []string{`bypass_rules = ["<local>", "*.corp"]`, `rules        = "p:1"`, `origins = ["https://a.example"]`,
		`+ certificate = [`, `pattern = "x.example"`} {
		if !strings.Contains(out, want) {
			t.Errorf("HCL view lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"proxyBypassRules", "formatVersion", "format_version", "= null", "external_urls", "defaultCode", "default_code", `"exact"`} {
		if strings.Contains(out, bad) {
			t.Errorf("HCL view shows %q:\n%s", bad, out)
		}
	}
	if regexp.MustCompile(`\+ partition +=`).MatchString(out) {
		t.Errorf("HCL view shows the partition field on create:\n%s", out)
	}
	b.Reset()
	renderPlanOpts(&b, plan, false, true)
	for _, want := range []string{"proxyBypassRules", "formatVersion", "certificateRules", "+ partition        ="} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("verbose plan lacks %q:\n%s", want, b.String())
		}
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{"dictionaryDownloadURL": "dictionary_download_url", "userAgent": "user_agent", "id": "id", "URLRules": "url_rules"} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// Diagnostics print in source order (file, line, column), errors and
// warnings interleaved, unlocated ones last in their original order.
func TestSortDiags(t *testing.T) {
	at := func(file string, line, col int) *hcl.Range {
		return &hcl.Range{Filename: file, Start: hcl.Pos{Line: line, Column: col}, End: hcl.Pos{Line: line, Column: col + 1}}
	}
	diags := hcl.Diagnostics{
		{Severity: hcl.DiagWarning, Summary: "b.hcl 1:1", Subject: at("b.hcl", 1, 1)},
		{Severity: hcl.DiagError, Summary: "none 1"},
		{Severity: hcl.DiagError, Summary: "a.hcl 9:2", Subject: at("a.hcl", 9, 2)},
		{Severity: hcl.DiagWarning, Summary: "a.hcl 2:7", Subject: at("a.hcl", 2, 7)},
		{Severity: hcl.DiagError, Summary: "none 2"},
		{Severity: hcl.DiagError, Summary: "a.hcl 2:3", Subject: at("a.hcl", 2, 3)},
	}
	var got []string
	for _, d := range sortDiags(diags) {
		got = append(got, d.Summary)
	}
	want := "a.hcl 2:3,a.hcl 2:7,a.hcl 9:2,b.hcl 1:1,none 1,none 2"
	if strings.Join(got, ",") != want {
		t.Errorf("order = %s, want %s", strings.Join(got, ","), want)
	}
	if diags[0].Summary != "b.hcl 1:1" {
		t.Error("sortDiags reordered its argument")
	}
}

// TestRenderChangesInOrder: a plan large enough to be rendered on every
// core prints each change once, in the plan's order, exactly as one
// change after another would, values shared between partitions
// (presented once, from the memo) included.
func TestRenderChangesInOrder(t *testing.T) {
	old := runtime.GOMAXPROCS(4) // the parallel path, even on one core
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
	for _, n := range []int{1, 127, 128, 129, 1000, 1037} {
		changes := make([]*reconcile.Change, n)
		for i := range changes {
			changes[i] = &reconcile.Change{
				Partition: fmt.Sprintf("persist:p%d", i), Action: reconcile.Create,
				Fields: map[string]json.RawMessage{"userAgent": json.RawMessage(fmt.Sprintf(`"UA %d"`, i%5)), "cache": json.RawMessage(`true`), "persistent": json.RawMessage(`true`),
					"proxy":       json.RawMessage(`{"mode":"fixed_servers","proxyRules":"http=a:1;https=b:2","proxyBypassRules":"*.corp,<local>"}`),
					"maintenance": json.RawMessage(fmt.Sprintf(`{"clearCache":%d}`, i%3))},
			}
			if i%7 == 3 {
				changes[i].Action = reconcile.Delete
				changes[i].Fields = nil
			}
		}
		var want, got bytes.Buffer
		for _, c := range changes {
			renderChange(&want, c, colors(false), false, nil)
		}
		renderChanges(&got, changes, colors(false), false)
		if got.String() != want.String() {
			t.Fatalf("%d changes: parallel rendering differs from one after another (%d bytes, want %d)", n, got.Len(), want.Len())
		}
		if c := strings.Count(got.String(), "# partition \"persist:p"); c != n {
			t.Fatalf("%d changes: %d rendered", n, c)
		}
	}
}
