package preconnect

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 3}, End: hcl.Pos{Line: line, Column: 20}}
}

func buildPart(pc *schema.Preconnect) (*providers.Result, hcl.Diagnostics) {
	return Provider{}.Build(providers.NewContext(&schema.Config{}), &schema.Partition{Name: "x", Preconnect: pc})
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
		pc := &schema.Preconnect{DeclRange: rng(1), URL: schema.Value[string]{V: tc.url, Set: true, Range: rng(2)}}
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
		pc := &schema.Preconnect{DeclRange: rng(1)}
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
	pc := &schema.Preconnect{URL: schema.Value[string]{V: "https://a/", Set: true}, Sockets: schema.Value[int]{V: 0, Set: true, Range: rng(3)}}
	if _, diags := buildPart(pc); len(diags) != 1 || diags[0].Summary != "numSocketsToPreconnect is outside range [1,6] (got 0)" {
		t.Errorf("sockets = 0: %v", diags)
	}
}

func ptr(s string) *string { return &s }
