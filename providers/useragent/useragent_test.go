package useragent

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

// The example of docs/electron-facts.md §8 and the rules of
// GenerateAcceptLanguageHeader (decrement 0.1, floor 0.1, StringTokenizer
// skips empty tokens and trims nothing).
func TestAcceptLanguageHeader(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"en-US,fr,de,ko,zh-CN,ja", "en-US,fr;q=0.9,de;q=0.8,ko;q=0.7,zh-CN;q=0.6,ja;q=0.5"},
		{"en", "en"},
		{"", ""},
		{",,en,,fr,", "en,fr;q=0.9"},
		{"en, fr", "en, fr;q=0.9"},
		{"a,b,c,d,e,f,g,h,i,j,k,l", "a,b;q=0.9,c;q=0.8,d;q=0.7,e;q=0.6,f;q=0.5,g;q=0.4,h;q=0.3,i;q=0.2,j;q=0.1,k;q=0.1,l;q=0.1"},
	} {
		if got := AcceptLanguageHeader(tc.in); got != tc.want {
			t.Errorf("AcceptLanguageHeader(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 3, Byte: 0}, End: hcl.Pos{Line: line, Column: 30, Byte: 27}}
}

// exact literal values, so SubRange can point inside them
func lit(v string, line int) schema.Value[string] {
	r := hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 10, Byte: 100}, End: hcl.Pos{Line: line, Column: 12 + len(v), Byte: 102 + len(v)}}
	return schema.Value[string]{V: v, Set: true, Range: r, Exact: true}
}

type wantDiag struct {
	sev             hcl.DiagnosticSeverity
	summary, detail string
	col             int // start column of the subject
}

func checkDiags(t *testing.T, got hcl.Diagnostics, want ...wantDiag) {
	t.Helper()
	if len(got) != len(want) {
		for _, d := range got {
			t.Logf("got %v %q %q %v", d.Severity, d.Summary, d.Detail, d.Subject)
		}
		t.Fatalf("got %d diagnostics, want %d", len(got), len(want))
	}
	for i, w := range want {
		d := got[i]
		if d.Severity != w.sev || d.Summary != w.summary || !strings.Contains(d.Detail, w.detail) || d.Subject.Start.Column != w.col {
			t.Errorf("diag %d: got %v %q\n  %q (col %d)\nwant %v %q\n  containing %q (col %d)", i, d.Severity, d.Summary, d.Detail, d.Subject.Start.Column, w.sev, w.summary, w.detail, w.col)
		}
	}
}

func buildPart(p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	return Provider{}.Build(providers.NewContext(&schema.Config{}), p)
}

func TestUserAgent(t *testing.T) {
	res, diags := buildPart(withSpec(&Spec{UserAgent: lit("WorkApp/1.0 (host-1)", 3)}))
	checkDiags(t, diags)
	if res.Fields[UserAgentField] != "WorkApp/1.0 (host-1)" {
		t.Errorf("fields = %v", res.Fields)
	}
	res, diags = buildPart(withSpec(&Spec{UserAgent: lit("Work\r\nX-Evil: 1", 3)}))
	// column 10 is the quote; the string starts at 11, "\r" is its 5th byte
	checkDiags(t, diags, wantDiag{hcl.DiagError, `user_agent contains control character '\r'`, "line breaks included", 15})
	if _, ok := res.Fields[UserAgentField]; ok {
		t.Error("invalid user agent rendered")
	}
}

func TestAcceptLanguages(t *testing.T) {
	fromString := schema.StringList{Set: true, Range: rng(4), FromString: true, Items: []schema.Value[string]{lit("en-US,fr", 4)}}
	res, diags := buildPart(withSpec(&Spec{AcceptLanguages: fromString}))
	checkDiags(t, diags)
	if res.Fields[AcceptLanguagesField] != "en-US,fr" {
		t.Errorf("fields = %v", res.Fields)
	}
	list := schema.StringList{Set: true, Range: rng(4), Items: []schema.Value[string]{lit("en-US", 4), lit(" fr", 5), lit("de,,x_y", 6)}}
	res, diags = buildPart(withSpec(&Spec{AcceptLanguages: list}))
	checkDiags(t, diags,
		wantDiag{hcl.DiagWarning, `accept_languages entry " fr" has surrounding spaces`, `the header will carry " fr" with its spaces. Write "fr".`, 11},
		wantDiag{hcl.DiagWarning, "empty entry in accept_languages", "remove the extra comma", 14},
		wantDiag{hcl.DiagWarning, `accept_languages entry "x_y" is not a language tag`, "RFC 5646", 15})
	if res.Fields[AcceptLanguagesField] != "en-US, fr,de,,x_y" {
		t.Errorf("fields = %q", res.Fields[AcceptLanguagesField])
	}
	empty := schema.StringList{Set: true, Range: rng(4)}
	res, diags = buildPart(withSpec(&Spec{AcceptLanguages: empty}))
	checkDiags(t, diags, wantDiag{hcl.DiagWarning, "accept_languages is empty", "empty Accept-Language value", 3})
	if res.Fields[AcceptLanguagesField] != "" {
		t.Errorf("fields = %v", res.Fields)
	}
	bad := schema.StringList{Set: true, Range: rng(4), Items: []schema.Value[string]{lit("en\n", 4)}}
	res, diags = buildPart(withSpec(&Spec{AcceptLanguages: bad}))
	checkDiags(t, diags, wantDiag{hcl.DiagError, `accept_languages contains control character '\n'`, "control characters", 13})
	if _, ok := res.Fields[AcceptLanguagesField]; ok {
		t.Error("invalid accept_languages rendered")
	}
}

// withSpec returns a partition with the family value s.
func withSpec(s *Spec) *schema.Partition {
	p := &schema.Partition{}
	Key.Set(p, s)
	return p
}

// TestLanguage: user_agent and accept_languages are partition attributes
// that profiles merge one by one (the partition's own wins), in both
// syntaxes; accept_languages also takes one string.
func TestLanguage(t *testing.T) {
	for name, src := range map[string]string{
		"c.hcl": `
profile "p" {
  user_agent       = "Base/1"
  accept_languages = "en-US,fr"
}
partition "a" {
  profiles   = [profile.p]
  user_agent = "Own/2"
}
partition "b" {
  accept_languages = ["de", "en"]
}
partition "c" {}
`,
		"c.hcl.json": `{
  "profile": {"p": {"user_agent": "Base/1", "accept_languages": "en-US,fr"}},
  "partition": {"a": {"profiles": ["profile.p"], "user_agent": "Own/2"}, "b": {"accept_languages": ["de", "en"]}, "c": {}}
}`,
	} {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		var got []string
		for _, p := range cfg.Partitions {
			res, diags := Provider{}.Build(providers.NewContext(cfg), p)
			if diags.HasErrors() {
				t.Fatalf("%s: %v", name, diags)
			}
			got = append(got, fmt.Sprintf("%s=%q/%q", p.Name, res.Fields[UserAgentField], res.Fields[AcceptLanguagesField]))
		}
		want := `a="Own/2"/"en-US,fr" b=%!q(<nil>)/"de,en" c=%!q(<nil>)/%!q(<nil>)`
		if strings.Join(got, " ") != want {
			t.Errorf("%s: %v\nwant %s", name, strings.Join(got, " "), want)
		}
	}
}
