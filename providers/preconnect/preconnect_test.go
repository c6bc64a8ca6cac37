package preconnect

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 3}, End: hcl.Pos{Line: line, Column: 20}}
}

func buildPart(pc *Spec) (*providers.Result, hcl.Diagnostics) {
	p := &schema.Partition{Name: "x"}
	Key.Set(p, pc)
	return Provider{}.Build(providers.NewContext(&schema.Config{}), p)
}

func TestBuild(t *testing.T) {
	for _, tc := range []struct {
		url     string
		sockets int // 0 = unset
		want    string
	}{
		{"https://app.corp.example/", 0, `{"url":"https://app.corp.example/","numSockets":1}`},
		{"http://10.0.0.1:8080", 6, `{"url":"http://10.0.0.1:8080","numSockets":6}`},
		{"HTTPS://app.example", 1, `{"url":"HTTPS://app.example","numSockets":1}`},
	} {
		pc := &Spec{DeclRange: rng(1), URL: schema.Value[string]{V: tc.url, Set: true, Range: rng(2)}}
		if tc.sockets != 0 {
			pc.Sockets = schema.Value[int]{V: tc.sockets, Set: true, Range: rng(3)}
		}
		res, diags := buildPart(pc)
		b, _ := json.Marshal(res.Fields[Field])
		if len(diags) != 0 || string(b) != tc.want {
			t.Errorf("%s: %v %s, want %s", tc.url, diags, b, tc.want)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		url             *string
		sockets         int
		summary, detail string
		line            int
	}{
		{nil, 0, "Must pass non-empty valid url to session.preconnect.", "absolute http or https URL", 1},
		{ptr(""), 0, `Must pass non-empty valid url to session.preconnect. (got "")`, "absolute http or https URL", 2},
		{ptr("app.example"), 0, `Must pass non-empty valid url to session.preconnect. (got "app.example")`, "absolute", 2},
		{ptr("ftp://files.example/"), 0, `preconnect.url must be an http or https URL, not "ftp:"`, "HTTP(S) origins", 2},
		{ptr("https://a.example/"), 7, "numSocketsToPreconnect is outside range [1,6] (got 7)", "from 1 to 6 (default 1)", 3},
		{ptr("https://a.example/"), -1, "numSocketsToPreconnect is outside range [1,6] (got -1)", "Electron throws", 3},
	} {
		pc := &Spec{DeclRange: rng(1)}
		if tc.url != nil {
			pc.URL = schema.Value[string]{V: *tc.url, Set: true, Range: rng(2)}
		}
		if tc.sockets != 0 {
			pc.Sockets = schema.Value[int]{V: tc.sockets, Set: true, Range: rng(3)}
		}
		res, diags := buildPart(pc)
		if len(diags) != 1 || diags[0].Severity != hcl.DiagError || diags[0].Summary != tc.summary ||
			!strings.Contains(diags[0].Detail, tc.detail) || diags[0].Subject.Start.Line != tc.line {
			t.Errorf("%v: got %v", tc.summary, diags)
		}
		if _, ok := res.Fields[Field]; ok {
			t.Errorf("%v: rendered despite error", tc.summary)
		}
	}
	// Sockets = 0 written explicitly is out of range too.
	pc := &Spec{URL: schema.Value[string]{V: "https://a/", Set: true}, Sockets: schema.Value[int]{V: 0, Set: true, Range: rng(3)}}
	if _, diags := buildPart(pc); len(diags) != 1 || diags[0].Summary != "numSocketsToPreconnect is outside range [1,6] (got 0)" {
		t.Errorf("sockets = 0: %v", diags)
	}
}

func ptr(s string) *string { return &s }

// The family declares its block to the language (schema.RegisterFamily):
// the loader checks, merges (profile, partition), expands (for_each) and
// evaluates it, in both syntaxes, with the ranges of what was written.
func TestDeclaredLanguage(t *testing.T) {
	hclSrc := `
profile "base" {
  preconnect {
    url     = "https://base.example/"
    sockets = 2
  }
}
partition "persist:a" {
  profiles = [profile.base]
  preconnect {
    sockets = 3
  }
}
partition "persist:${each.key}" {
  for_each = { b = 4, c = 5 }
  preconnect {
    url     = "https://${each.key}.example/"
    sockets = each.value
  }
}
partition "persist:none" {}
`
	jsonSrc := `{
  "profile": {"base": {"preconnect": {"url": "https://base.example/", "sockets": 2}}},
  "partition": {
    "persist:a": {"profiles": ["profile.base"], "preconnect": {"sockets": 3}},
    "persist:${each.key}": {"for_each": "${ {b = 4, c = 5} }",
      "preconnect": {"url": "https://${each.key}.example/", "sockets": "${each.value}"}},
    "persist:none": {}
  }
}`
	for name, files := range map[string]map[string]string{"hcl": {"main.hcl": hclSrc}, "json": {"main.hcl.json": jsonSrc}} {
		t.Run(name, func(t *testing.T) {
			cfg, diags := familytest.Load(t, files)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			want := map[string]string{"persist:a": "https://base.example/ 3", "persist:b": "https://b.example/ 4",
				"persist:c": "https://c.example/ 5", "persist:none": "<nil>"}
			for _, p := range cfg.Partitions {
				got := "<nil>"
				if s := Key.Of(p); s != nil {
					got = s.URL.V + " " + strconv.Itoa(s.Sockets.V)
				}
				if got != want[p.Name] {
					t.Errorf("%s: %s, want %s", p.Name, got, want[p.Name])
				}
			}
			if name != "hcl" {
				return
			}
			// The URL merged from the profile points into the profile, the
			// partition's own sockets into the partition.
			a := Key.Of(cfg.Partitions[0])
			if a.URL.Range.Start.Line != 4 || a.Sockets.Range.Start.Line != 11 || a.DeclRange.Start.Line != 10 {
				t.Errorf("ranges: url %v, sockets %v, block %v", a.URL.Range, a.Sockets.Range, a.DeclRange)
			}
			// ShiftRanges moves the family's ranges in the partition's file only.
			cfg.Partitions[0].ShiftRanges(a.Sockets.Range.Filename, 2, 10)
			if a.Sockets.Range.Start.Line != 13 || a.DeclRange.Start.Line != 12 || a.URL.Range.Start.Line != 6 {
				t.Errorf("shifted: url %v, sockets %v, block %v", a.URL.Range, a.Sockets.Range, a.DeclRange)
			}
		})
	}
}

func TestDeclaredLanguageErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"partition \"a\" {\n  preconnect {\n    socket = 2\n  }\n}\n", `An argument named "socket" is not expected here. Did you mean "sockets"?`},
		{"partition \"a\" {\n  preconnect {}\n  preconnect {}\n}\n", "Only one preconnect block is allowed here"},
		{"partition \"a\" {\n  preconnect { sockets = 1.5 }\n}\n", "whole number"},
	} {
		_, diags := familytest.Load(t, map[string]string{"main.hcl": tc.src})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.want) && !strings.Contains(diags[0].Detail, tc.want) {
			t.Errorf("%q: %v, want %q", tc.src, diags, tc.want)
		}
	}
}
