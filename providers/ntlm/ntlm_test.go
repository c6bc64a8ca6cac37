package ntlm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

func lit(v string, line int) schema.Value[string] {
	return schema.Value[string]{V: v, Set: true, Exact: true,
		Range: hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 10, Byte: 0}, End: hcl.Pos{Line: line, Column: 12 + len(v), Byte: 2 + len(v)}}}
}

func list(line int, vs ...string) schema.StringList {
	l := schema.StringList{Set: true, Range: hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 3}}}
	for i, v := range vs {
		l.Items = append(l.Items, lit(v, line+i))
	}
	return l
}

func buildPart(l schema.StringList) (*providers.Result, hcl.Diagnostics) {
	return Provider{}.Build(providers.NewContext(&schema.Config{}), part("x", l))
}

func TestBuild(t *testing.T) {
	res, diags := buildPart(list(3, "*.corp.example, intranet", "10.0.0.0/8;<local>"))
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	if res.Fields[Field] != "*.corp.example, intranet,10.0.0.0/8;<local>" {
		t.Errorf("field = %q", res.Fields[Field])
	}
}

func TestDiagnostics(t *testing.T) {
	_, diags := buildPart(list(3, "good.example,*", "bad host"))
	if len(diags) != 2 {
		for _, d := range diags {
			t.Logf("%v %q %q %v", d.Severity, d.Summary, d.Detail, d.Subject)
		}
		t.Fatalf("got %d diagnostics", len(diags))
	}
	star, space := diags[0], diags[1]
	if star.Severity != hcl.DiagWarning || star.Summary != `ntlm_domains "*" sends credentials to every server` ||
		star.Subject.Start.Line != 3 || star.Subject.Start.Column != 24 {
		t.Errorf("star: %v %q %v", star.Severity, star.Summary, star.Subject)
	}
	// The bypass-rule parser's own diagnosis, prefixed and pointed at the entry.
	if !strings.HasPrefix(space.Summary, "ntlm_domains: ") || space.Subject.Start.Line != 4 ||
		!strings.Contains(space.Detail, "ntlm_domains uses Chromium's proxy bypass rule syntax") {
		t.Errorf("space: %v %q %q %v", space.Severity, space.Summary, space.Detail, space.Subject)
	}
	_, diags = buildPart(list(3, "a\x00b"))
	if len(diags) != 1 || diags[0].Severity != hcl.DiagError || diags[0].Summary != `ntlm_domains contains control character '\x00'` || diags[0].Subject.Start.Column != 12 {
		t.Errorf("control: %v", diags)
	}
}

func TestCheckConfig(t *testing.T) {
	parts := []*schema.Partition{
		part("a", list(10, "*.one.example")),
		{Name: "b"},
		part("c", list(30, "*.two.example")),
		part("d", list(40, "*.two.example")),
	}
	diags := Provider{}.CheckConfig(providers.NewContext(&schema.Config{}), parts)
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning ||
		diags[0].Summary != `ntlm_domains of partition "a" ("*.one.example") is overridden by partition "d"` ||
		!strings.Contains(diags[0].Detail, `allowNTLMCredentialsForDomains is process-wide: the last call wins for every session. The adapter applies partitions in index order (sorted by name), so partition "d"'s value "*.two.example" is used by all sessions.`) ||
		diags[0].Subject.Start.Line != 10 {
		t.Errorf("diags = %v", diags)
	}
	if d := (Provider{}).CheckConfig(nil, parts[1:]); len(d) != 0 {
		t.Errorf("equal values warned: %v", d)
	}
}

func part(name string, l schema.StringList) *schema.Partition {
	p := &schema.Partition{Name: name}
	Key.Set(p, &Spec{Domains: l})
	return p
}

// ntlm_domains is declared to the language by the family: a string or a
// list (from a function or a variable), from a profile, in both syntaxes.
func TestDeclaredLanguage(t *testing.T) {
	for name, src := range map[string]string{
		"main.hcl": "variable \"tags\" {\n  type    = set(string)\n  default = [\"b.example\", \"a.example\"]\n}\nprofile \"p\" {\n  ntlm_domains = \"*.corp.example\"\n}\npartition \"a\" {\n  profiles = [profile.p]\n}\npartition \"b\" {\n  ntlm_domains = split(\",\", \"x.example,y.example\")\n}\npartition \"c\" {\n  ntlm_domains = var.tags\n}\n",
		"main.hcl.json": `{"variable": {"tags": {"type": "set(string)", "default": ["b.example", "a.example"]}},
 "profile": {"p": {"ntlm_domains": "*.corp.example"}},
 "partition": {"a": {"profiles": ["profile.p"]}, "b": {"ntlm_domains": "${split(\",\", \"x.example,y.example\")}"}, "c": {"ntlm_domains": "${var.tags}"}}}`,
	} {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		var got []string
		for _, p := range cfg.Partitions {
			l := domainsOf(p)
			got = append(got, fmt.Sprintf("%s=%q/%v", p.Name, l.Strings(), l.FromString))
		}
		want := `a=["*.corp.example"]/true b=["x.example" "y.example"]/false c=["a.example" "b.example"]/false`
		if strings.Join(got, " ") != want {
			t.Errorf("%s: %v, want %s", name, got, want)
		}
	}
}
