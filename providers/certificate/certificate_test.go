package certificate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 14, Byte: line * 100}, End: hcl.Pos{Line: line, Column: 40, Byte: line*100 + 26}}
}

func cert(host, verify string, line int) *Block {
	c := &Block{Host: host, HostRange: rng(line), DeclRange: rng(line)}
	if verify != "" {
		c.Verify = schema.Value[string]{V: verify, Set: true, Range: rng(line + 1)}
	}
	return c
}

func compile(t *testing.T, certs ...*Block) (*Table, hcl.Diagnostics) {
	t.Helper()
	return Compile(&providers.Context{ElectronMajor: 45}, partWith("p", certs...))
}

// Codes from Chromium net/base/net_error_list.h @ 222d496edabd and the
// special callback values from docs/electron-facts.md §8.
func TestCodes(t *testing.T) {
	tests := []struct {
		name string
		code int
	}{
		{"ERR_CERT_COMMON_NAME_INVALID", -200},
		{"net::ERR_CERT_DATE_INVALID", -201},
		{"ERR_CERT_AUTHORITY_INVALID", -202},
		{"ERR_CERT_REVOKED", -206},
		{"ERR_CERT_INVALID", -207},
		{"ERR_CERT_WEAK_KEY", -211},
		{"ERR_CERTIFICATE_TRANSPARENCY_REQUIRED", -214},
		{"ERR_CERT_KNOWN_INTERCEPTION_BLOCKED", -217},
		{"ERR_CERT_SELF_SIGNED_LOCAL_NETWORK", -219},
	}
	for _, tt := range tests {
		if c, ok := CodeOf(tt.name); !ok || c != tt.code {
			t.Errorf("CodeOf(%q) = %d, %v; want %d", tt.name, c, ok, tt.code)
		}
	}
	for _, gone := range []string{"ERR_CERT_SYMANTEC_LEGACY", "ERR_CERT_END", "ERR_CERT_NOT_IN_DNS", "ERR_FAILED"} {
		if _, ok := CodeOf(gone); ok {
			t.Errorf("CodeOf(%q) accepted", gone)
		}
	}
	if NameOf(0) != "net::OK" || NameOf(-2) != "net::ERR_FAILED" || NameOf(-3) != "net::ERR_ABORTED" || NameOf(-202) != "net::ERR_CERT_AUTHORITY_INVALID" {
		t.Errorf("NameOf mismatch")
	}
}

func TestVerify(t *testing.T) {
	tab, diags := compile(t,
		cert("internal.corp.example", "accept", 1),
		cert("*.dev.corp.example", "ERR_CERT_AUTHORITY_INVALID", 3),
		cert("[*.]corp.example", "chromium", 5),
		cert("[*.]legacy.example", "reject", 7),
		cert("192.0.2.10", "accept", 9),
		cert("[0:0::1]", "accept", 11),
	)
	if diags.HasErrors() || len(diags) != 0 {
		t.Fatalf("diags: %v", diags)
	}
	tests := []struct {
		host string
		code int
		rule string
	}{
		{"internal.corp.example", 0, "internal.corp.example"},
		{"INTERNAL.corp.example.", 0, "internal.corp.example"},
		{"a.internal.corp.example", -3, "[*.]corp.example"},
		{"x.dev.corp.example", -202, "*.dev.corp.example"},
		{"a.b.dev.corp.example", -202, "*.dev.corp.example"},
		{"dev.corp.example", -3, "[*.]corp.example"},
		{"corp.example", -3, "[*.]corp.example"},
		{"legacy.example", -2, "[*.]legacy.example"},
		{"www.legacy.example", -2, "[*.]legacy.example"},
		{"notlegacy.example", -3, ""},
		{"192.0.2.10", 0, "192.0.2.10"},
		{"192.0.2.11", -3, ""},
		{"::1", 0, "[0:0::1]"},
		{"[::1]", 0, "[0:0::1]"},
		{"0:0:0:0:0:0:0:1", 0, "[0:0::1]"},
		{"github.com", -3, ""},
	}
	for _, tt := range tests {
		r := Verify(tab, tt.host)
		if r.Code != tt.code || r.Rule != tt.rule {
			t.Errorf("Verify(%q) = %+v; want code %d rule %q", tt.host, r, tt.code, tt.rule)
		}
	}
	if r := Verify(nil, "x"); r.Code != -3 || r.Source != "no-proc" {
		t.Errorf("Verify(nil) = %+v", r)
	}
}

type dw struct {
	sev     hcl.DiagnosticSeverity
	summary string
	line    int
}

func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name  string
		certs []*Block
		want  []dw
	}{
		{"accept everything", []*Block{cert("*", "accept", 1)},
			[]dw{{hcl.DiagWarning, `certificate "*" accepts every certificate`, 1}}},
		{"reject everything", []*Block{cert("*", "reject", 1)},
			[]dw{{hcl.DiagWarning, `certificate "*" fails every TLS connection`, 1}}},
		{"chromium for everything is fine", []*Block{cert("a.example", "accept", 1), cert("*", "chromium", 3)}, nil},
		{"no verify", []*Block{cert("a.example", "", 1)},
			[]dw{{hcl.DiagError, `certificate "a.example" has no verify`, 1}}},
		{"typo keyword", []*Block{cert("a.example", "acept", 1)},
			[]dw{{hcl.DiagError, `invalid verify "acept" for certificate "a.example"; did you mean "accept"?`, 2}}},
		{"docs spelling", []*Block{cert("a.example", "CERT_REVOKED", 1)},
			[]dw{{hcl.DiagError, `invalid verify "CERT_REVOKED" for certificate "a.example"; did you mean "net::ERR_CERT_REVOKED"?`, 2}}},
		{"typo code", []*Block{cert("a.example", "net::ERR_CERT_AUTHORITY_INVAILD", 1)},
			[]dw{{hcl.DiagError, `invalid verify "net::ERR_CERT_AUTHORITY_INVAILD" for certificate "a.example"; did you mean "net::ERR_CERT_AUTHORITY_INVALID"?`, 2}}},
		{"removed code", []*Block{cert("a.example", "ERR_CERT_SYMANTEC_LEGACY", 1)},
			[]dw{{hcl.DiagError, `certificate error "ERR_CERT_SYMANTEC_LEGACY" no longer exists`, 2}}},
		{"wildcard inside", []*Block{cert("a.*.example", "accept", 1)},
			[]dw{{hcl.DiagError, `invalid certificate host pattern "a.*.example": wildcard inside a host`, 1}}},
		{"wildcard ip", []*Block{cert("[*.]10.0.0.1", "accept", 1)},
			[]dw{{hcl.DiagError, `invalid certificate host pattern "[*.]10.0.0.1": wildcard on an IP address`, 1}}},
		{"bad char", []*Block{cert("a_b$.example", "accept", 1)},
			[]dw{{hcl.DiagError, `invalid certificate host pattern "a_b$.example": invalid character "$" in host name`, 1}}},
		{"url instead of host", []*Block{cert("https://a.example/", "accept", 1)},
			[]dw{{hcl.DiagError, `invalid certificate host pattern "https://a.example/": a certificate pattern is a host name, not a URL (write "a.example")`, 1}}},
		{"duplicate", []*Block{cert("a.example", "accept", 1), cert("a.example", "reject", 3)},
			[]dw{{hcl.DiagWarning, `certificate "a.example" is shadowed by "a.example"`, 3}}},
		{"shadowed by domain", []*Block{cert("[*.]example.com", "reject", 1), cert("*.a.example.com", "accept", 3), cert("example.com", "accept", 5)},
			[]dw{{hcl.DiagWarning, `certificate "*.a.example.com" is shadowed by "[*.]example.com"`, 3}, {hcl.DiagWarning, `certificate "example.com" is shadowed by "[*.]example.com"`, 5}}},
		{"subdomains does not cover apex", []*Block{cert("*.example.com", "reject", 1), cert("example.com", "accept", 3)}, nil},
		{"narrow first is fine", []*Block{cert("a.example.com", "accept", 1), cert("[*.]example.com", "reject", 3)}, nil},
		{"after star", []*Block{cert("*", "chromium", 1), cert("a.example", "accept", 3)},
			[]dw{{hcl.DiagWarning, `certificate "a.example" is shadowed by "*"`, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := compile(t, tt.certs...)
			if len(diags) != len(tt.want) {
				t.Fatalf("got %d diags %v, want %d", len(diags), diags, len(tt.want))
			}
			for i, w := range tt.want {
				d := diags[i]
				if d.Severity != w.sev || d.Summary != w.summary || d.Subject == nil || d.Subject.Start.Line != w.line || d.Detail == "" {
					t.Errorf("diag %d = %v %q at %v; want %v %q line %d", i, d.Severity, d.Summary, d.Subject, w.sev, w.summary, w.line)
				}
			}
		})
	}
}

func TestCompiledJSON(t *testing.T) {
	tab, _ := compile(t, cert("[*.]Corp.Example", "net::ERR_CERT_REVOKED", 1))
	b, _ := json.Marshal(tab)
	want := `{"formatVersion":1,"defaultCode":-3,"rules":[{"pattern":"[*.]Corp.Example","match":"domain","host":"corp.example","verify":"net::ERR_CERT_REVOKED","code":-206}]}`
	if string(b) != want {
		t.Errorf("json = %s\nwant   %s", b, want)
	}
	if tab, d := compile(t); tab != nil || d != nil {
		t.Errorf("no blocks: %v %v", tab, d)
	}
}

func TestRegistered(t *testing.T) {
	for _, p := range providers.All() {
		if p.Family() == "certificates" {
			res, diags := p.Build(&providers.Context{ElectronMajor: 45}, partWith("", cert("a.example", "accept", 1)))
			if diags.HasErrors() || res.Fields[Field] == nil {
				t.Errorf("Build: %v %v", res, diags)
			}
			return
		}
	}
	t.Error(`family "certificates" is not registered`)
}

// Each callback code is labelled by what Electron does with it, not by its
// net:: name alone: -3 is net::ERR_ABORTED but means "Chromium's result".
func TestMeaning(t *testing.T) {
	for code, want := range map[int]string{
		0:    "accepts the certificate",
		-2:   "net::ERR_FAILED",
		-3:   "uses Chromium's own verification result",
		-206: "fails the load with net::ERR_CERT_REVOKED",
	} {
		if got := Meaning(code); !strings.Contains(got, want) {
			t.Errorf("Meaning(%d) = %q, want it to say %q", code, got, want)
		}
	}
	if strings.Contains(Meaning(-3), "aborts the load") {
		t.Error("-3 must not read as an abort")
	}
}

func partWith(name string, blocks ...*Block) *schema.Partition {
	p := &schema.Partition{Name: name}
	Key.Set(p, &Spec{Blocks: blocks})
	return p
}

// The certificate blocks are declared to the language by the family:
// labelled, merged from profiles by host pattern (a label keeps the
// position where it first appeared, the later block's attributes win), in
// both syntaxes.
func TestDeclaredLanguage(t *testing.T) {
	files := map[string]string{
		"main.hcl": `
profile "base" {
  certificate "a.example" {
    verify = "reject"
  }
  certificate "b.example" {
    verify = "accept"
  }
}
partition "persist:x" {
  profiles = [profile.base]
  certificate "c.example" {
    verify = "chromium"
  }
  certificate "a.example" {
    verify = "accept"
  }
}
`,
		"main.hcl.json": `{"profile": {"base": {"certificate": {"a.example": {"verify": "reject"}, "b.example": {"verify": "accept"}}}},
 "partition": {"persist:x": {"profiles": ["profile.base"], "certificate": {"c.example": {"verify": "chromium"}, "a.example": {"verify": "accept"}}}}}`,
	}
	for name, src := range files {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		var got []string
		for _, b := range Blocks(cfg.Partitions[0]) {
			got = append(got, b.Host+"="+b.Verify.V)
		}
		if want := "a.example=accept b.example=accept c.example=chromium"; strings.Join(got, " ") != want {
			t.Errorf("%s: %v, want %s", name, got, want)
		}
	}
}

// The pins of testdata/certs, computed with OpenSSL (certs/README.md).
const (
	leafPin = "b8yj3rlwiujgnOl2BpjJPHOyy6yzNbDkcpOToxtlMW4="
	caPin   = "006AmuA5nx4/Ugw61bhnocMDMTh84/tfq/lG7XU4ANo="
)

// TestConditions: pins, issuer, known_root and errors compile into a
// format-2 table (a table without them stays format 1, so existing
// profiles do not change), and the first block whose host matches and
// whose conditions hold decides; the others are reported as skipped.
func TestConditions(t *testing.T) {
	cfg := familytest.MustLoad(t, map[string]string{"c.hcl": `
partition "persist:x" {
  certificate "api.corp.example" {
    pins   = ["sha256/` + leafPin + `"]
    errors = ["net::OK", "ERR_CERT_AUTHORITY_INVALID"]
    verify = "accept"
  }
  certificate "[*.]corp.example" {
    issuer     = "sessctl Test Root CA"
    known_root = false
    verify     = "chromium"
  }
  certificate "*" {
    verify = "reject"
  }
}
partition "persist:plain" {
  certificate "*" {
    verify = "chromium"
  }
}
`})
	tab, diags := Compile(providers.NewContext(cfg), cfg.Partitions[1])
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if tab.FormatVersion != FormatVersionConditions || !slices.Equal(tab.Rules[0].Pins, []string{leafPin}) ||
		!slices.Equal(tab.Rules[0].ErrorCodes, []int{0, -202}) || tab.Rules[1].KnownRoot == nil || *tab.Rules[1].KnownRoot ||
		!slices.Equal(tab.Rules[1].Issuers, []string{"sessctl Test Root CA"}) || tab.Rules[2].conditional() {
		t.Errorf("table = %+v", tab)
	}
	if plain, _ := Compile(providers.NewContext(cfg), cfg.Partitions[0]); plain.FormatVersion != FormatVersion {
		t.Errorf("a table without conditions is format %d", plain.FormatVersion)
	}

	data, err := os.ReadFile(filepath.Join("..", "testdata", "certs", "chain.pem"))
	if err != nil {
		t.Fatal(err)
	}
	chain, err := ParsePEMChain(data)
	if err != nil || len(chain) != 2 {
		t.Fatalf("chain: %v %d", err, len(chain))
	}
	if got := ChainSPKI(chain, 0); !slices.Equal(got, []string{leafPin, caPin}) {
		t.Errorf("verified chain pins = %v", got)
	}
	if got := ChainSPKI(chain, -202); !slices.Equal(got, []string{leafPin}) {
		t.Errorf("unverified chain pins = %v, want the leaf's only", got)
	}
	issuer := chain[0].Issuer.CommonName
	for _, tc := range []struct {
		req         Request
		code        int
		rule        string
		skipped     int
		skippedWhy0 string
	}{
		{Request{Hostname: "api.corp.example", SPKI: ChainSPKI(chain, -202), IssuerName: issuer, ErrorCode: -202}, 0, "api.corp.example", 0, ""},
		{Request{Hostname: "api.corp.example", SPKI: []string{caPin}, IssuerName: issuer, ErrorCode: -202}, -3, "[*.]corp.example", 1, "no certificate of the chain has a pinned key"},
		{Request{Hostname: "api.corp.example", SPKI: []string{leafPin}, IssuerName: issuer, ErrorCode: -201}, -3, "[*.]corp.example", 1, "Chromium's result is net::ERR_CERT_DATE_INVALID"},
		{Request{Hostname: "www.corp.example", IssuerName: "Public CA", KnownRoot: true}, -2, "*", 1, `the issuer "Public CA" is not listed`},
		{Request{Hostname: "www.corp.example", IssuerName: issuer, KnownRoot: true}, -2, "*", 1, "isIssuedByKnownRoot is true"},
	} {
		r := VerifyRequest(tab, &tc.req)
		if r.Code != tc.code || r.Rule != tc.rule || len(r.Skipped) != tc.skipped || tc.skipped > 0 && r.Skipped[0].Why != tc.skippedWhy0 {
			t.Errorf("%+v: %+v", tc.req, r)
		}
	}
}

func TestConditionErrors(t *testing.T) {
	for _, tc := range []struct{ attr, summary string }{
		{`pins = ["sha1/AAAAAAAAAAAAAAAAAAAAAAAAAAA="]`, `certificate "a.example": SHA-1 pin "sha1/AAAAAAAAAAAAAAAAAAAAAAAAAAA="`},
		{`pins = ["` + leafPin + `"]`, `certificate "a.example": invalid pin "` + leafPin + `"`},
		{`pins = ["sha256/AAAA"]`, `certificate "a.example": invalid pin "sha256/AAAA"`},
		{`pins = []`, `certificate "a.example": pins = [] matches nothing`},
		{`errors = ["net::ERR_CERT_DATE_INVALD"]`, `certificate "a.example": unknown certificate error "net::ERR_CERT_DATE_INVALD"; did you mean "net::ERR_CERT_DATE_INVALID"?`},
		{`issuer = ""`, `certificate "a.example": empty issuer`},
	} {
		cfg := familytest.MustLoad(t, map[string]string{"c.hcl": "partition \"persist:x\" {\n  certificate \"a.example\" {\n    verify = \"accept\"\n    " + tc.attr + "\n  }\n}\n"})
		_, diags := Compile(providers.NewContext(cfg), cfg.Partitions[0])
		if len(diags) != 1 || diags[0].Summary != tc.summary || diags[0].Subject.Start.Line != 4 {
			t.Errorf("%s: %v", tc.attr, diags)
		}
	}
}
