package proxy

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

type wantIssue struct {
	piece   string // the text the issue points at
	sev     Severity
	summary string
}

func checkIssues(t *testing.T, input string, got []Issue, want []wantIssue) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%q: %d issues, want %d: %+v", input, len(got), len(want), got)
		return
	}
	for i, w := range want {
		g := got[i]
		if input[g.Start:g.End] != w.piece || g.Severity != w.sev || g.Summary != w.summary {
			t.Errorf("%q issue %d: [%d,%d) %q %v %q; want %q %v %q", input, i, g.Start, g.End, input[g.Start:g.End], g.Severity, g.Summary, w.piece, w.sev, w.summary)
		}
		if g.Detail == "" {
			t.Errorf("%q issue %d has no detail", input, i)
		}
	}
}

// TestRulesIssues: each piece Chromium drops or reads surprisingly is
// reported at its bytes, with the reason.
func TestRulesIssues(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []wantIssue
	}{
		{"http=foopy:80", nil},
		{"foopy:99999", []wantIssue{
			{"foopy:99999", Warning, `proxy "foopy:99999" is dropped: invalid port "99999"`},
			{"foopy:99999", Error, "no valid proxy remains in the rules"},
		}},
		{"http=a:1,b:-1", []wantIssue{{"b:-1", Warning, `proxy "b:-1" is dropped: invalid port "-1"`}}},
		{"HTTP=foo;https=bar", []wantIssue{{"HTTP", Warning, `unknown scheme key "HTTP"`}}},
		{"ws=foo;http=bar", []wantIssue{{"ws", Warning, `unknown scheme key "ws"`}}},
		{"a:1;b:2", []wantIssue{{"b:2", Warning, "rest of the rules is ignored"}}},
		{"foopy ; ftp=ftp-proxy", []wantIssue{{"ftp=ftp-proxy", Warning, "rest of the rules is ignored"}}},
		{"ftp=ftp-proxy ; foopy", []wantIssue{{"foopy", Warning, "entry without a scheme key is ignored"}}},
		{"socks=foopy", []wantIssue{{"foopy", Warning, `"socks=foopy" is a SOCKS4 proxy`}}},
		{"socks=socks5://foopy", nil},
		{"quic://foopy:443", []wantIssue{
			{"quic://foopy:443", Warning, `proxy "quic://foopy:443" is dropped: quic:// proxies are not supported`},
			{"quic://foopy:443", Error, "no valid proxy remains in the rules"},
		}},
		{"http=[https://p1:8080 https://p2:8080]", []wantIssue{
			{"[https://p1:8080 https://p2:8080]", Warning, `proxy "[https://p1:8080 https://p2:8080]" is dropped: multi-proxy chains ("[a b]") are not supported`},
			{"http=[https://p1:8080 https://p2:8080]", Error, "no valid proxy remains in the rules"},
		}},
		{"ftp://x:21,p:1", []wantIssue{{"ftp://x:21", Warning, `proxy "ftp://x:21" is dropped: unknown proxy scheme "ftp://"`}}},
		{"user:pw@p:1,q:2", []wantIssue{{"user:pw@p:1", Warning, `proxy "user:pw@p:1" is dropped: credentials are not allowed in a proxy address`}}},
		{"p.example/path,q:2", []wantIssue{{"p.example/path", Warning, `proxy "p.example/path" is dropped: invalid proxy host "p.example/path"`}}},
		{"foopy.111,q", []wantIssue{{"foopy.111", Warning, `proxy "foopy.111" is dropped: invalid proxy host "foopy.111"`}}},
		{"p:,q", []wantIssue{{"p:", Warning, `proxy "p:" is dropped: empty port after ':'`}}},
		{"direct://x,q", []wantIssue{{"direct://x", Warning, `proxy "direct://x" is dropped: DIRECT cannot have a host or port`}}},
		{";;", []wantIssue{{";;", Error, "no proxy rule in the rules string"}}},
		{"crazy=foopy", []wantIssue{
			{"crazy", Warning, `unknown scheme key "crazy"`},
			{"crazy=foopy", Error, "no valid proxy remains in the rules"},
		}},
		{"http=a=https=b", []wantIssue{{"https", Warning, "several '=' in one entry"}}},
		{"https=secure:443", []wantIssue{{"secure:443", Warning, `"secure:443" is a plain HTTP proxy on port 443`}}},
		{"https=https://secure:443", nil},
		{"http=", []wantIssue{{"http", Warning, `"http=" has no proxy`}}},
		{"=foo", []wantIssue{{"foo", Warning, "'=' without a scheme key"}}},
	} {
		_, got := ParseRules(c.in)
		checkIssues(t, c.in, got, c.want)
	}
}

func TestBypassIssues(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []wantIssue
	}{
		{"<local>, *.corp.example;10.0.0.0/8", nil},
		{"*.com:+443", []wantIssue{{"*.com:+443", Warning, `bypass rule "*.com:+443" is dropped: invalid port "+443"`}}},
		{"a.example,  ://x", []wantIssue{{"://x", Warning, `bypass rule "://x" is dropped: empty scheme before "://"`}}},
		{"http://", []wantIssue{{"http://", Warning, `bypass rule "http://" is dropped: nothing after the scheme`}}},
		{"[a:b:c:d::]/48", []wantIssue{{"[a:b:c:d::]/48", Warning, `bypass rule "[a:b:c:d::]/48" is dropped: bracketed IPv6 in a CIDR block`}}},
		{"10.0.0.0/33", []wantIssue{{"10.0.0.0/33", Warning, `bypass rule "10.0.0.0/33" is dropped: invalid prefix length "33"`}}},
		{"corp.example/path", []wantIssue{{"corp.example/path", Warning, `bypass rule "corp.example/path" is dropped: "corp.example" is not an IP address`}}},
		{"https://192.168.0.0/16", []wantIssue{{"https://192.168.0.0/16", Warning, "the scheme of a CIDR bypass rule is ignored"}}},
		{"htp://a.example", []wantIssue{{"htp://a.example", Warning, `bypass rule scheme "htp" never matches`}}},
		{"a.example b.example", []wantIssue{{"a.example b.example", Warning, "bypass rule contains a space"}}},
		// Space-separated rules with a CIDR block once said "not an IP
		// address"; both forms now name the mistake.
		{"<local> 10.0.0.0/8", []wantIssue{{"<local> 10.0.0.0/8", Warning, `bypass rule "<local> 10.0.0.0/8" is dropped: several bypass rules separated by spaces`}}},
		{"bücher.example", []wantIssue{{"bücher.example", Warning, "bypass rule with non-ASCII characters never matches"}}},
		{"fe80::1", []wantIssue{{"fe80::1", Warning, "IPv6 address without brackets"}}},
		{"foo?.com", []wantIssue{{"foo?.com", Warning, "'?' in a bypass rule matches zero or one character"}}},
		{"localhost;<-loopback>", []wantIssue{{"localhost", Warning, `bypass rule "localhost" is cancelled by a later <-loopback>`}}},
		{"<-loopback>;localhost", nil},
	} {
		_, got := ParseBypass(c.in)
		checkIssues(t, c.in, got, c.want)
	}
}

// exactValue builds a schema value as the loader does for a plain quoted
// literal starting at line, col (the opening quote).
func exactValue(s string, line, col, byteOff int) schema.Value[string] {
	start := hcl.Pos{Line: line, Column: col, Byte: byteOff}
	end := hcl.Pos{Line: line, Column: col + len(s) + 2, Byte: byteOff + len(s) + 2}
	return schema.Value[string]{V: s, Set: true, Exact: true, Range: hcl.Range{Filename: "main.hcl", Start: start, End: end}}
}

// TestCheckDiagnostics: provider diagnostics have the exact summary and
// point at the piece of the string (schema.SubRange).
func TestCheckDiagnostics(t *testing.T) {
	rules := exactValue("http=foopy:80;HTTP=x", 3, 20, 40)
	item0 := exactValue("<local>", 4, 21, 70)
	item1 := exactValue("*.corp:99999", 4, 32, 81)
	px := &Spec{
		Rules:       rules,
		BypassRules: schema.StringList{Items: []schema.Value[string]{item0, item1}, Set: true, Range: hcl.Range{Filename: "main.hcl"}},
	}
	cfg, diags := Check(px)
	if cfg == nil || diags.HasErrors() {
		t.Fatalf("Check: %v", diags)
	}
	if len(diags) != 3 {
		t.Fatalf("got %d diagnostics: %v", len(diags), diags)
	}
	d := diags[0]
	if d.Severity != hcl.DiagWarning || d.Summary != `proxy.rules: unknown scheme key "HTTP"` {
		t.Errorf("diag 0 = %v %q", d.Severity, d.Summary)
	}
	// "HTTP" starts at byte 14 of the value: column 20 + 1 (quote) + 14.
	if d.Subject.Start.Column != 35 || d.Subject.End.Column != 39 || d.Subject.Start.Byte != 55 {
		t.Errorf("diag 0 subject = %+v", d.Subject)
	}
	d = diags[1]
	if d.Summary != `proxy.bypass_rules: bypass rule "*.corp:99999" is dropped: invalid port "99999"` {
		t.Errorf("diag 1 = %q", d.Summary)
	}
	if d.Subject.Start.Line != 4 || d.Subject.Start.Column != 33 || d.Subject.End.Column != 45 {
		t.Errorf("diag 1 subject = %+v, want the second list item's content", d.Subject)
	}
	d = diags[2]
	if d.Summary != "proxy.bypass_rules: <local> bypasses every host name without a dot" || !strings.Contains(d.Detail, "In Electron 45,") {
		t.Errorf("diag 2 = %q / %q", d.Summary, d.Detail)
	}
	if d.Subject.Start.Line != 4 || d.Subject.Start.Column != 22 || d.Subject.End.Column != 29 {
		t.Errorf("diag 2 subject = %+v, want the <local> item", d.Subject)
	}
	want := ElectronConfig{Mode: "fixed_servers", ProxyRules: "http=foopy:80;HTTP=x", ProxyBypassRules: "<local>,*.corp:99999"}
	if cfg.Electron != want {
		t.Errorf("Electron = %+v, want %+v", cfg.Electron, want)
	}
}

func TestCheckModes(t *testing.T) {
	mode := func(m string) schema.Value[string] { return exactValue(m, 2, 13, 20) }
	for _, c := range []struct {
		name string
		px   Spec
		want []string // "severity: summary" in order
		ec   *ElectronConfig
	}{
		{"invalid mode", Spec{Mode: mode("Direct")}, []string{`error: invalid proxy mode "Direct"`}, nil},
		{"empty mode", Spec{Mode: mode("")}, []string{`error: invalid proxy mode ""`}, nil},
		{"direct ignores", Spec{Mode: mode("direct"), Rules: exactValue("p:1", 3, 1, 30)},
			[]string{"warning: rules is ignored"}, &ElectronConfig{Mode: "direct"}},
		{"pac wins", Spec{Rules: exactValue("p:1", 3, 1, 30), PacScript: exactValue("https://pac.example/p.pac", 4, 1, 40)},
			[]string{"warning: rules is ignored"}, &ElectronConfig{Mode: "pac_script", PacScript: "https://pac.example/p.pac"}},
		{"fixed ignores pac", Spec{Mode: mode("fixed_servers"), Rules: exactValue("p:1", 3, 1, 30), PacScript: exactValue("https://pac.example/p.pac", 4, 1, 40)},
			[]string{"warning: pac_script is ignored"}, &ElectronConfig{Mode: "fixed_servers", ProxyRules: "p:1"}},
		{"fixed without rules", Spec{Mode: mode("fixed_servers")},
			[]string{"warning: no proxy rules: mode fixed_servers is direct"}, &ElectronConfig{Mode: "fixed_servers"}},
		{"file pac", Spec{PacScript: exactValue("file:///etc/p.pac", 4, 1, 40)},
			[]string{`error: pac_script scheme "file" is not supported`}, nil},
		{"pac without url", Spec{Mode: mode("pac_script")}, []string{"error: pac_script is empty"}, nil},
		{"bad pac url", Spec{PacScript: exactValue("http://", 4, 1, 40)}, []string{`error: pac_script "http://" is not a valid URL`}, nil},
		{"data pac", Spec{PacScript: exactValue("data:,function FindProxyForURL(){return 'DIRECT'}", 4, 1, 40)}, nil,
			&ElectronConfig{Mode: "pac_script", PacScript: "data:,function FindProxyForURL(){return 'DIRECT'}"}},
		{"system", Spec{Mode: mode("system")}, nil, &ElectronConfig{Mode: "system"}},
		{"empty data pac", Spec{PacScript: exactValue("data:,%20", 4, 1, 40)}, []string{"error: pac_script data: URL does not hold a PAC script"}, nil},
		{"data pac without FindProxyForURL", Spec{PacScript: exactValue("data:,function%20F(){return%20'DIRECT'}", 4, 1, 40)}, []string{"error: pac_script data: URL does not hold a PAC script"}, nil},
		{"malformed data pac", Spec{PacScript: exactValue("data:function", 4, 1, 40)}, []string{"error: pac_script data: URL cannot be decoded"}, nil},
		{"auto_detect ignores bypass", Spec{Mode: mode("auto_detect"), BypassRules: schema.StringList{Set: true, Items: []schema.Value[string]{exactValue("<local>", 5, 1, 50)}}},
			[]string{"warning: bypass_rules is ignored"}, &ElectronConfig{Mode: "auto_detect"}},
	} {
		px := c.px
		cfg, diags := Check(&px)
		var got []string
		for _, d := range diags {
			sev := "warning"
			if d.Severity == hcl.DiagError {
				sev = "error"
			}
			got = append(got, sev+": "+d.Summary)
			if d.Subject == nil || d.Detail == "" {
				t.Errorf("%s: diagnostic without subject or detail: %v", c.name, d)
			}
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s: diagnostics\n%s\nwant\n%s", c.name, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
		if c.ec != nil && (cfg == nil || cfg.Electron != *c.ec) {
			t.Errorf("%s: Electron = %+v, want %+v", c.name, cfg, *c.ec)
		}
	}
}

// TestProviderBuild: the profile field is the setProxy argument; no
// proxy block means no field.
func TestProviderBuild(t *testing.T) {
	res, diags := Provider{}.Build(nil, &schema.Partition{Name: "x"})
	if len(diags) != 0 || res.Fields["proxy"] != nil {
		t.Errorf("no block: %v %v", res.Fields, diags)
	}
	res, diags = Provider{}.Build(nil, withProxy("x", &Spec{Rules: exactValue("http=p:1", 1, 1, 0)}))
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	if got := res.Fields["proxy"]; got != (ElectronConfig{Mode: "fixed_servers", ProxyRules: "http=p:1"}) {
		t.Errorf("proxy field = %#v", got)
	}
	res, diags = Provider{}.Build(nil, withProxy("x", &Spec{Mode: exactValue("nope", 1, 1, 0)}))
	if !diags.HasErrors() || res.Fields["proxy"] != nil {
		t.Errorf("invalid mode: %v %v", res.Fields, diags)
	}
	ctx := &providers.Context{ElectronMajor: 44}
	_, diags = Provider{}.Build(ctx, withProxy("x", &Spec{Rules: exactValue("p:1", 1, 1, 0),
		BypassRules: schema.StringList{Set: true, Items: []schema.Value[string]{exactValue("<local>", 2, 1, 10)}}}))
	if len(diags) != 1 || !strings.Contains(diags[0].Detail, "In Electron 44,") {
		t.Errorf("<local> with Electron 44: %v", diags)
	}
	if (Provider{}).Family() != "proxy" {
		t.Error("family")
	}
}

// The detail of a space-separated rule suggests the list form with the
// rules it holds.
func TestSpaceSeparatedSuggestsList(t *testing.T) {
	if got, want := spaceSeparatedDetail("<local>  *.corp\t10.0.0.0/8"), `bypass_rules = ["<local>", "*.corp", "10.0.0.0/8"]`; !strings.Contains(got, want) {
		t.Errorf("detail = %q, want it to contain %q", got, want)
	}
}

// withProxy returns a partition named name with the proxy block px.
func withProxy(name string, px *Spec) *schema.Partition {
	p := &schema.Partition{Name: name}
	Key.Set(p, px)
	return p
}

// TestLanguage: the proxy block merges from profiles attribute by
// attribute, in both syntaxes; bypass_rules takes a string or a list.
func TestLanguage(t *testing.T) {
	for name, src := range map[string]string{
		"c.hcl": `
profile "p" {
  proxy {
    mode         = "fixed_servers"
    rules        = "base:80"
    bypass_rules = "a.example,b.example"
  }
}
partition "x" {
  profiles = [profile.p]
  proxy {
    rules = "own:3128"
  }
}
partition "y" {
  proxy {
    rules        = "y:1"
    bypass_rules = ["c.example", "d.example"]
  }
}
`,
		"c.hcl.json": `{
  "profile": {"p": {"proxy": {"mode": "fixed_servers", "rules": "base:80", "bypass_rules": "a.example,b.example"}}},
  "partition": {"x": {"profiles": ["profile.p"], "proxy": {"rules": "own:3128"}},
                "y": {"proxy": {"rules": "y:1", "bypass_rules": ["c.example", "d.example"]}}}
}`,
	} {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		var got []string
		for _, p := range cfg.Partitions {
			res, diags := Provider{}.Build(providers.NewContext(cfg), p)
			if len(diags) != 0 {
				t.Fatalf("%s: %v", name, diags)
			}
			ec := res.Fields["proxy"].(ElectronConfig)
			got = append(got, p.Name+":"+ec.Mode+"|"+ec.ProxyRules+"|"+ec.ProxyBypassRules)
		}
		if want := "x:fixed_servers|own:3128|a.example,b.example y:fixed_servers|y:1|c.example,d.example"; strings.Join(got, " ") != want {
			t.Errorf("%s: %v\nwant %s", name, got, want)
		}
	}
}
