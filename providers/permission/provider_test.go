package permission

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

// rng returns a distinct source range per line so tests can check which
// attribute a diagnostic points at.
func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 1, Byte: line * 100}, End: hcl.Pos{Line: line, Column: 41, Byte: line*100 + 40}}
}

func str(v string, line int) schema.Value[string] {
	return schema.Value[string]{V: v, Set: true, Range: rng(line), Exact: true}
}

func list(line int, vs ...string) schema.StringList {
	l := schema.StringList{Set: true, Range: rng(line)}
	for _, v := range vs {
		l.Items = append(l.Items, str(v, line))
	}
	return l
}

func ctx() *providers.Context {
	return &providers.Context{ElectronMajor: providers.CurrentElectronMajor}
}

func part(rules ...*RuleSpec) *schema.Partition {
	return withSpec(&schema.Partition{Name: "persist:t", DeclRange: rng(1)}, &Spec{DeclRange: rng(2), Rules: rules})
}

// withSpec sets p's permissions block to pb and returns p.
func withSpec(p *schema.Partition, pb *Spec) *schema.Partition {
	Key.Set(p, pb)
	return p
}

type diagWant struct {
	sev     hcl.DiagnosticSeverity
	summary string
	line    int
}

func checkDiags(t *testing.T, got hcl.Diagnostics, want []diagWant) {
	t.Helper()
	if len(got) != len(want) {
		for _, d := range got {
			t.Logf("got: %v %q at %v", d.Severity, d.Summary, d.Subject)
		}
		t.Fatalf("got %d diagnostics, want %d", len(got), len(want))
	}
	for i, w := range want {
		d := got[i]
		if d.Severity != w.sev || d.Summary != w.summary || d.Subject == nil || d.Subject.Start.Line != w.line {
			t.Errorf("diag %d = %v %q at line %v; want %v %q at line %d", i, d.Severity, d.Summary, d.Subject, w.sev, w.summary, w.line)
		}
		if d.Detail == "" {
			t.Errorf("diag %d %q has no detail", i, d.Summary)
		}
	}
}

func TestNoPermissionsBlockWarns(t *testing.T) {
	p := &schema.Partition{Name: "persist:x", DeclRange: rng(7)}
	tab, diags := Compile(ctx(), p)
	if tab != nil {
		t.Fatalf("table = %+v, want nil", tab)
	}
	checkDiags(t, diags, []diagWant{{hcl.DiagWarning, `partition "persist:x" has no permissions block: Electron grants every permission`, 7}})
	res, _ := provider.Build(ctx(), p)
	if _, ok := res.Fields[Field]; ok {
		t.Errorf("profile has a permissions field without a block")
	}
	// The evaluator then predicts Electron's own default.
	e := NewEvaluator(nil)
	if d := e.Decide(Request{Handler: "request", Permission: "geolocation"}); !d.Allow || d.Source != "electron-default" {
		t.Errorf("no-block request = %+v", d)
	}
	if d := e.Decide(Request{Handler: "check", Permission: "deprecated-sync-clipboard-read"}); d.Allow {
		t.Errorf("no-block deprecated-sync-clipboard-read check = %+v, want deny", d)
	}
	if d := e.Decide(Request{Handler: "check", Permission: "clipboard-read"}); !d.Allow {
		t.Errorf("no-block clipboard-read check = %+v, want allow", d)
	}
}

func TestDefaultIsDenyInBlock(t *testing.T) {
	tab, diags := Compile(ctx(), part())
	if diags.HasErrors() || tab.Default != "deny" || len(tab.Rules) != 0 {
		t.Fatalf("table %+v diags %v", tab, diags)
	}
	b, _ := json.Marshal(tab)
	if string(b) != `{"formatVersion":1,"default":"deny","rules":[]}` {
		t.Errorf("json = %s", b)
	}
}

func TestCompileDiagnostics(t *testing.T) {
	tests := []struct {
		name  string
		setup func() *schema.Partition
		want  []diagWant
	}{
		{"typo names closest", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "notification")})
		}, []diagWant{{hcl.DiagError, `unknown permission "notification"; did you mean "notifications"?`, 5}}},
		{"case typo", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "pointerlock")})
		}, []diagWant{{hcl.DiagError, `unknown permission "pointerlock"; did you mean "pointerLock"?`, 5}}},
		{"far off name", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "teleportation-device")})
		}, []diagWant{{hcl.DiagError, `unknown permission "teleportation-device"`, 5}}},
		{"bad default", func() *schema.Partition {
			p := part()
			Key.Of(p).Default = str("ask", 3)
			return p
		}, []diagWant{{hcl.DiagError, `invalid permissions default "ask"`, 3}}},
		{"missing decision", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), DeclRange: rng(3)})
		}, []diagWant{{hcl.DiagError, `rule "r" has no decision`, 3}}},
		{"bad decision", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("grant", 4)})
		}, []diagWant{{hcl.DiagError, `invalid decision "grant" in rule "r"`, 4}}},
		{"bad handler", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Handler: str("both-ways", 5)})
		}, []diagWant{{hcl.DiagError, `invalid handler "both-ways" in rule "r"`, 5}}},
		{"duplicate rule", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "midi")},
				&RuleSpec{Name: "r", NameRange: rng(6), Decision: str("allow", 7), Permissions: list(8, "usb")})
		}, []diagWant{{hcl.DiagError, `duplicate permission rule "r"`, 6}}},
		{"bad origin", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Origins: list(5, "ftp://x.org")})
		}, []diagWant{{hcl.DiagError, `invalid origin pattern "ftp://x.org": unsupported scheme "ftp" in origin pattern`, 5}}},
		{"ignored path", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Origins: list(5, "https://x.org/app")})
		}, []diagWant{{hcl.DiagWarning, `origin "https://x.org/app": path "/app" is ignored`, 5}}},
		{"dead port", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Origins: list(5, "x.org:70000")})
		}, []diagWant{
			{hcl.DiagWarning, `origin "x.org:70000": port "70000" can never match`, 5},
			{hcl.DiagWarning, `rule "r" can never match`, 5},
		}},
		{"empty permissions", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5)})
		}, []diagWant{{hcl.DiagWarning, `rule "r" can never match`, 5}}},
		{"check-only under request handler", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "serial", "hid"), Handler: str("request", 6)})
		}, []diagWant{{hcl.DiagWarning, `rule "r" can never match`, 6}}},
		{"request-only under check handler", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("deny", 4), Permissions: list(5, "openExternal"), Handler: str("check", 6)})
		}, []diagWant{{hcl.DiagWarning, `rule "r" can never match`, 6}}},
		{"media types without media", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "geolocation"), MediaTypes: list(6, "audio")})
		}, []diagWant{{hcl.DiagWarning, `rule "r" can never match`, 6}}},
		{"bad media type", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "media"), MediaTypes: list(6, "vidoe")})
		}, []diagWant{{hcl.DiagError, `invalid media type "vidoe"; did you mean "video"?`, 6}}},
		{"unknown media type for requests", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "media"), MediaTypes: list(6, "unknown"), Handler: str("request", 7)})
		}, []diagWant{{hcl.DiagWarning, `rule "r" can never match`, 6}}},
		{"external urls without openExternal", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "media"), ExternalURLs: list(6, "mailto:*")})
		}, []diagWant{{hcl.DiagWarning, `rule "r" can never match`, 6}}},
		{"bad external url", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "openExternal"), ExternalURLs: list(6, "mailto:bob@x")})
		}, []diagWant{{hcl.DiagError, `invalid external URL pattern "mailto:bob@x": only "mailto:*" is allowed for a URL without "//"`, 6}}},
		{"main frame fileSystem check", func() *schema.Partition {
			return part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "fileSystem"), Handler: str("check", 6), MainFrameOnly: schema.Value[bool]{V: true, Set: true, Range: rng(7)}})
		}, []diagWant{{hcl.DiagWarning, `rule "r" can never match`, 7}}},
		{"shadowed by broader rule", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "corp", NameRange: rng(3), Decision: str("allow", 4), Origins: list(5, "[*.]corp.example")},
				&RuleSpec{Name: "chat", NameRange: rng(6), Decision: str("deny", 7), Permissions: list(8, "media"), Origins: list(9, "https://chat.corp.example")})
		}, []diagWant{{hcl.DiagWarning, `rule "chat" is shadowed by rule "corp"`, 6}}},
		{"shadowed by catch-all", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "all", NameRange: rng(3), Decision: str("deny", 4)},
				&RuleSpec{Name: "x", NameRange: rng(6), Decision: str("deny", 7), Permissions: list(8, "midi")})
		}, []diagWant{{hcl.DiagWarning, `rule "x" is shadowed by rule "all"`, 6}}},
		{"wildcard origin shadows any origin", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "a", NameRange: rng(3), Decision: str("deny", 4), Permissions: list(5, "midi", "usb"), Origins: list(6, "*")},
				&RuleSpec{Name: "b", NameRange: rng(7), Decision: str("allow", 8), Permissions: list(9, "midi")})
		}, []diagWant{{hcl.DiagWarning, `rule "b" is shadowed by rule "a"`, 7}}},
		{"not shadowed: narrower first", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "chat", NameRange: rng(3), Decision: str("deny", 4), Permissions: list(5, "media"), Origins: list(6, "https://chat.corp.example")},
				&RuleSpec{Name: "corp", NameRange: rng(7), Decision: str("allow", 8), Origins: list(9, "[*.]corp.example")})
		}, nil},
		{"not shadowed: different handler", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "a", NameRange: rng(3), Decision: str("deny", 4), Handler: str("check", 5)},
				&RuleSpec{Name: "b", NameRange: rng(6), Decision: str("allow", 7), Permissions: list(8, "midi")})
		}, nil},
		{"not shadowed: main frame only first", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "a", NameRange: rng(3), Decision: str("allow", 4), MainFrameOnly: schema.Value[bool]{V: true, Set: true, Range: rng(5)}},
				&RuleSpec{Name: "b", NameRange: rng(6), Decision: str("deny", 7)})
		}, nil},
		{"not shadowed: port differs", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "a", NameRange: rng(3), Decision: str("allow", 4), Origins: list(5, "https://[*.]x.org:443")},
				&RuleSpec{Name: "b", NameRange: rng(6), Decision: str("deny", 7), Origins: list(8, "https://a.x.org")})
		}, nil},
		{"shadowed media subset same decision", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "a", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "media"), MediaTypes: list(6, "audio", "video")},
				&RuleSpec{Name: "b", NameRange: rng(7), Decision: str("allow", 8), Permissions: list(9, "media"), MediaTypes: list(10, "audio")})
		}, []diagWant{{hcl.DiagWarning, `rule "b" is shadowed by rule "a"`, 7}}},
		{"not shadowed media across decisions", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "a", NameRange: rng(3), Decision: str("deny", 4), Permissions: list(5, "media"), MediaTypes: list(6, "audio", "video")},
				&RuleSpec{Name: "b", NameRange: rng(7), Decision: str("allow", 8), Permissions: list(9, "media"), MediaTypes: list(10, "audio")})
		}, nil},
		{"shadowed external urls", func() *schema.Partition {
			return part(
				&RuleSpec{Name: "a", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "openExternal"), ExternalURLs: list(6, "https://[*.]zoom.us/*")},
				&RuleSpec{Name: "b", NameRange: rng(7), Decision: str("deny", 8), Permissions: list(9, "openExternal"), ExternalURLs: list(10, "https://x.zoom.us/j/*")})
		}, []diagWant{{hcl.DiagWarning, `rule "b" is shadowed by rule "a"`, 7}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := Compile(ctx(), tt.setup())
			checkDiags(t, diags, tt.want)
		})
	}
}

func TestUnknownNameOtherElectronVersion(t *testing.T) {
	c := &providers.Context{ElectronMajor: 47}
	tab, diags := Compile(c, part(&RuleSpec{Name: "r", NameRange: rng(3), Decision: str("allow", 4), Permissions: list(5, "future-thing")}))
	checkDiags(t, diags, []diagWant{{hcl.DiagWarning, `unknown permission "future-thing"`, 5}})
	if !strings.Contains(diags[0].Detail, "Electron 47") {
		t.Errorf("detail does not name the targeted version: %s", diags[0].Detail)
	}
	if d := Decide(tab, Request{Handler: "request", Permission: "future-thing", Origin: "https://a/"}); !d.Allow || d.Rule != "r" {
		t.Errorf("decision = %+v", d)
	}
}

func TestCompiledJSON(t *testing.T) {
	tab, diags := Compile(ctx(), part(&RuleSpec{
		Name: "chat", NameRange: rng(3), Decision: str("allow", 4),
		Permissions: list(5, "media", "notifications"), Origins: list(6, "https://[*.]chat.example:443"),
		Handler: str("request", 7), MediaTypes: list(8, "audio"),
	}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	b, err := json.Marshal(tab)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"formatVersion":1,"default":"deny","rules":[{"name":"chat","decision":"allow","handlers":["request"],"permissions":["media","notifications"],"origins":[{"source":"https://[*.]chat.example:443","scheme":"https","host":"chat.example","subdomains":true,"port":"443"}],"mediaTypes":["audio"],"externalUrls":null,"mainFrameOnly":false}]}`
	if string(b) != want {
		t.Errorf("json =\n%s\nwant\n%s", b, want)
	}
}

func TestDecide(t *testing.T) {
	tab, diags := Compile(ctx(), part(
		&RuleSpec{Name: "no-video", NameRange: rng(3), Decision: str("deny", 4), Permissions: list(5, "media"), MediaTypes: list(6, "video")},
		&RuleSpec{Name: "mic", NameRange: rng(7), Decision: str("allow", 8), Permissions: list(9, "media"), MediaTypes: list(10, "audio"), Origins: list(11, "https://[*.]chat.example")},
		&RuleSpec{Name: "mail", NameRange: rng(12), Decision: str("allow", 13), Permissions: list(14, "openExternal"), ExternalURLs: list(15, "mailto:*")},
		&RuleSpec{Name: "top", NameRange: rng(16), Decision: str("allow", 17), Permissions: list(18, "notifications"), MainFrameOnly: schema.Value[bool]{V: true, Set: true, Range: rng(19)}},
		&RuleSpec{Name: "serial-check", NameRange: rng(20), Decision: str("allow", 21), Permissions: list(22, "serial"), Handler: str("check", 23), Origins: list(24, "http://localhost:*")},
	))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	tests := []struct {
		req  Request
		want string // "allow/rule" or "deny/" for default
	}{
		{Request{Handler: "request", Permission: "media", Origin: "https://chat.example/", MediaTypes: []string{"audio"}, IsMainFrame: true}, "allow/mic"},
		{Request{Handler: "request", Permission: "media", Origin: "https://chat.example/", MediaTypes: []string{"audio", "video"}, IsMainFrame: true}, "deny/no-video"},
		{Request{Handler: "check", Permission: "media", Origin: "https://a.chat.example", MediaTypes: []string{"audio"}}, "allow/mic"},
		{Request{Handler: "check", Permission: "media", Origin: "https://a.chat.example", MediaTypes: []string{"unknown"}}, "deny/"},
		{Request{Handler: "request", Permission: "media", Origin: "http://chat.example/", MediaTypes: []string{"audio"}}, "deny/"},
		{Request{Handler: "request", Permission: "openExternal", Origin: "https://x/", ExternalURL: "mailto:a@b"}, "allow/mail"},
		{Request{Handler: "request", Permission: "openExternal", Origin: "https://x/", ExternalURL: "https://b/"}, "deny/"},
		{Request{Handler: "request", Permission: "notifications", Origin: "https://x/", IsMainFrame: true}, "allow/top"},
		{Request{Handler: "request", Permission: "notifications", Origin: "https://x/", IsMainFrame: false}, "deny/"},
		{Request{Handler: "check", Permission: "serial", Origin: "http://localhost:3000"}, "allow/serial-check"},
		{Request{Handler: "request", Permission: "serial", Origin: "http://localhost:3000"}, "deny/"},
		{Request{Handler: "check", Permission: "geolocation", Origin: "https://x"}, "deny/"},
	}
	for _, tt := range tests {
		d := Decide(tab, tt.req)
		got := d.Decision + "/" + d.Rule
		if got != tt.want {
			t.Errorf("Decide(%+v) = %s (%+v), want %s", tt.req, got, d, tt.want)
		}
		if d.Allow != (d.Decision == "allow") {
			t.Errorf("Allow and Decision disagree: %+v", d)
		}
	}
}

func TestMayAllow(t *testing.T) {
	o, _, _ := ParseOrigin("http://localhost:*")
	tests := []struct {
		name string
		tab  *Table
		want bool
	}{
		{"no table: Electron allows", nil, true},
		{"empty deny", &Table{Default: "deny"}, false},
		{"empty allow", &Table{Default: "allow"}, true},
		{"allow rule for origins", &Table{Default: "deny", Rules: []Rule{{Decision: "allow", Handlers: []string{"check"}, Permissions: []string{"serial"}, Origins: []OriginPattern{o}}}}, true},
		{"allow rule for requests only", &Table{Default: "deny", Rules: []Rule{{Decision: "allow", Handlers: []string{"request"}, Permissions: []string{"serial"}}}}, false},
		{"blanket deny first", &Table{Default: "allow", Rules: []Rule{
			{Decision: "deny", Handlers: []string{"request", "check"}},
			{Decision: "allow", Handlers: []string{"check"}, Permissions: []string{"serial"}}}}, false},
		{"deny for some origins first", &Table{Default: "deny", Rules: []Rule{
			{Decision: "deny", Handlers: []string{"check"}, Origins: []OriginPattern{o}},
			{Decision: "allow", Handlers: []string{"check"}, Permissions: []string{"serial"}}}}, true},
		{"allow rule with media types cannot match serial", &Table{Default: "deny", Rules: []Rule{{Decision: "allow", Handlers: []string{"check"}, MediaTypes: []string{"audio"}}}}, false},
		{"allow rule with empty origins", &Table{Default: "deny", Rules: []Rule{{Decision: "allow", Handlers: []string{"check"}, Origins: []OriginPattern{}}}}, false},
	}
	for _, tt := range tests {
		if got := MayAllow(tt.tab, "check", "serial"); got != tt.want {
			t.Errorf("%s: MayAllow = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLookupName(t *testing.T) {
	for i, n := range Names {
		if k, ok := lookupName(n); !ok || k != i {
			t.Errorf("lookupName(%q) = %d %v, want %d", n, k, ok, i)
		}
	}
	for _, n := range []string{"", "Media", "medi", "notification", "x", "pointerlock", "future-thing"} {
		if _, ok := lookupName(n); ok {
			t.Errorf("lookupName(%q) found", n)
		}
	}
}

func TestRegistered(t *testing.T) {
	for _, p := range providers.All() {
		if p.Family() == "permissions" {
			return
		}
	}
	t.Error(`family "permissions" is not registered`)
}

// The evaluator keeps permission sets in a uint64 mask.
func TestNamesFitMask(t *testing.T) {
	if len(Names) > 64 {
		t.Fatalf("%d permission names do not fit the 64-bit mask of prepared rules", len(Names))
	}
	seen := map[string]bool{}
	for _, n := range Names {
		if seen[n] {
			t.Errorf("duplicate name %q", n)
		}
		seen[n] = true
	}
}

// TestLanguage: rules merge from profiles by name (the partition's
// attributes win; the position is where the name first appeared), in
// both syntaxes.
func TestLanguage(t *testing.T) {
	for name, src := range map[string]string{
		"c.hcl": `
profile "p" {
  permissions {
    default = "deny"
    rule "a" {
      permissions = ["notifications"]
      decision    = "allow"
    }
    rule "b" {
      permissions = ["media"]
      decision    = "allow"
    }
  }
}
partition "x" {
  profiles = [profile.p]
  permissions {
    rule "c" {
      permissions = ["midi"]
      decision    = "allow"
    }
    rule "a" {
      decision = "deny"
    }
  }
}
`,
		"c.hcl.json": `{
  "profile": {"p": {"permissions": {"default": "deny", "rule": {
    "a": {"permissions": ["notifications"], "decision": "allow"},
    "b": {"permissions": ["media"], "decision": "allow"}}}}},
  "partition": {"x": {"profiles": ["profile.p"], "permissions": {"rule": {
    "c": {"permissions": ["midi"], "decision": "allow"},
    "a": {"decision": "deny"}}}}}
}`,
	} {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		tab, diags := Compile(providers.NewContext(cfg), cfg.Partitions[0])
		if diags.HasErrors() {
			t.Fatalf("%s: %v", name, diags)
		}
		var got []string
		for _, r := range tab.Rules {
			got = append(got, r.Name+":"+strings.Join(r.Permissions, ",")+":"+r.Decision)
		}
		if want := "a:notifications:deny b:media:allow c:midi:allow"; tab.Default != "deny" || strings.Join(got, " ") != want {
			t.Errorf("%s: default %s, %v\nwant %s", name, tab.Default, got, want)
		}
	}
}
