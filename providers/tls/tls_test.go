package tls

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 3}, End: hcl.Pos{Line: line, Column: 30}}
}

func str(v string, line int) schema.Value[string] {
	return schema.Value[string]{V: v, Set: true, Range: rng(line)}
}

func num(text string, line int) schema.Value[schema.NumStr] {
	return schema.Value[schema.NumStr]{V: schema.NumStr{Text: text, IsNumber: true}, Set: true, Range: rng(line)}
}

func qstr(text string, line int) schema.Value[schema.NumStr] {
	return schema.Value[schema.NumStr]{V: schema.NumStr{Text: text}, Set: true, Range: rng(line)}
}

type wantDiag struct {
	sev             hcl.DiagnosticSeverity
	summary, detail string
	line            int
}

func checkDiags(t *testing.T, got hcl.Diagnostics, want ...wantDiag) {
	t.Helper()
	if len(got) != len(want) {
		for _, d := range got {
			t.Logf("got %v %q %q", d.Severity, d.Summary, d.Detail)
		}
		t.Fatalf("got %d diagnostics, want %d", len(got), len(want))
	}
	for i, w := range want {
		d := got[i]
		if d.Severity != w.sev || d.Summary != w.summary || !strings.Contains(d.Detail, w.detail) || d.Subject.Start.Line != w.line {
			t.Errorf("diag %d: got %v %q\n  %q (line %d)\nwant %v %q\n  containing %q (line %d)", i, d.Severity, d.Summary, d.Detail, d.Subject.Start.Line, w.sev, w.summary, w.detail, w.line)
		}
	}
}

func build(major int, t *Spec) (*providers.Result, hcl.Diagnostics) {
	c := providers.NewContext(&schema.Config{})
	if major != 0 {
		c.ElectronMajor = major
	}
	p := &schema.Partition{Name: "persist:w"}
	Key.Set(p, t)
	return Provider{}.Build(c, p)
}

func field(t *testing.T, res *providers.Result) string {
	t.Helper()
	b, err := json.Marshal(res.Fields[Field])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVersions(t *testing.T) {
	res, diags := build(0, &Spec{MinVersion: str("tls1.3", 2), MaxVersion: str("tls1.3", 3)})
	checkDiags(t, diags)
	if got := field(t, res); got != `{"minVersion":"tls1.3","maxVersion":"tls1.3"}` {
		t.Errorf("field = %s", got)
	}
	res, diags = build(0, &Spec{})
	checkDiags(t, diags)
	if got := field(t, res); got != `{}` { // setSSLConfig({}) resets to Chromium's defaults
		t.Errorf("field = %s", got)
	}

	_, diags = build(0, &Spec{MinVersion: str("tls1.1", 2)})
	checkDiags(t, diags, wantDiag{hcl.DiagError, `Electron 45 does not accept tls.min_version = "tls1.1"`,
		`Electron 14 and later accept only "tls1.2" and "tls1.3": "tls1" and "tls1.1" were removed from setSSLConfig with the Chromium 92 roll (electron/electron 22a70eb803, 2021)`, 2})

	// Before Electron 14 the legacy names were accepted.
	res, diags = build(13, &Spec{MinVersion: str("tls1", 2), MaxVersion: str("tls1.1", 3)})
	checkDiags(t, diags)
	if got := field(t, res); got != `{"minVersion":"tls1","maxVersion":"tls1.1"}` {
		t.Errorf("field = %s", got)
	}
	_, diags = build(14, &Spec{MaxVersion: str("tls1", 3)})
	checkDiags(t, diags, wantDiag{hcl.DiagError, `Electron 14 does not accept tls.max_version = "tls1"`, "Use \"tls1.2\"", 3})

	_, diags = build(0, &Spec{MinVersion: str("TLS1.2", 2), MaxVersion: str("tls1.4", 3)})
	checkDiags(t, diags,
		wantDiag{hcl.DiagError, `unknown TLS version "TLS1.2" in tls.min_version`, `Did you mean "tls1.2"? Electron 45's setSSLConfig accepts "tls1.2", "tls1.3" (exact, lowercase)`, 2},
		wantDiag{hcl.DiagError, `unknown TLS version "tls1.4" in tls.max_version`, `Electron 45's setSSLConfig accepts "tls1.2", "tls1.3"`, 3})
	if strings.Contains(diags[1].Detail, "Did you mean") {
		t.Errorf("no suggestion expected: %q", diags[1].Detail)
	}
}

func TestMinAboveMax(t *testing.T) {
	_, diags := build(0, &Spec{MinVersion: str("tls1.3", 2), MaxVersion: str("tls1.2", 3)})
	checkDiags(t, diags, wantDiag{hcl.DiagError, `tls.min_version "tls1.3" is above tls.max_version "tls1.2"`, "Chromium has only a DCHECK_LE", 2})
	// With one side unset, the default of the other side counts.
	_, diags = build(13, &Spec{MaxVersion: str("tls1", 3)})
	checkDiags(t, diags) // default min before 14 is tls1
	_, diags = build(0, &Spec{MinVersion: str("tls1.3", 2)})
	checkDiags(t, diags) // default max is tls1.3
}

func TestCipherSuites(t *testing.T) {
	res, diags := build(0, &Spec{DisabledCipherSuites: []schema.Value[schema.NumStr]{
		qstr("0xc02f", 10), // 49199
		num("156", 11),     // 0x009C, the spec's example
		qstr("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 12), // 0xC013
		qstr("0x009C", 13), // duplicate of 156
		qstr("0xFEFE", 14), // unknown to BoringSSL
	}})
	checkDiags(t, diags,
		wantDiag{hcl.DiagWarning, "cipher suite 0x009C is listed twice", "once", 13},
		wantDiag{hcl.DiagWarning, "cipher suite 0xFEFE is unknown to BoringSSL and will be ignored", "silently ignores other IDs", 14})
	if got := field(t, res); got != `{"disabledCipherSuites":[156,49171,49199,65278]}` {
		t.Errorf("field = %s", got)
	}
}

func TestCipherSuiteErrors(t *testing.T) {
	for _, tc := range []struct {
		v               schema.Value[schema.NumStr]
		summary, detail string
	}{
		{qstr("0x1301", 5), "TLS 1.3 cipher suite 0x1301 (TLS_AES_128_GCM_SHA256) cannot be disabled", `set tls.max_version = "tls1.2"`},
		{qstr("TLS_CHACHA20_POLY1305_SHA256", 5), "TLS 1.3 cipher suite 0x1303 (TLS_CHACHA20_POLY1305_SHA256) cannot be disabled", "always enabled"},
		{num("4869", 5), "TLS 1.3 cipher suite 0x1305 (TLS_AES_128_CCM_8_SHA256) cannot be disabled", "0x1301-0x1305"},
		{num("65536", 5), "cipher suite 65536 is out of range", "so 65536 would silently disable suite 0x0000 instead."},
		{num("65692", 5), "cipher suite 65692 is out of range", "so 65692 would silently disable suite 0x009C instead."},
		{qstr("0x1009c", 5), `cipher suite 0x1009c is out of range`, "would silently disable suite 0x009C instead."},
		{num("-1", 5), "cipher suite -1 is out of range", "so -1 would silently disable suite 0xFFFF instead."},
		{num("1e30", 5), "cipher suite 1e30 is out of range", "would be truncated to 16 bits."},
		{num("1.5", 5), "cipher suite 1.5 is not an integer", "as a number (156)"},
		{qstr("0x", 5), `cipher suite "0x" is not a hex number`, "hex string"},
		{qstr("0xZZ", 5), `cipher suite "0xZZ" is not a hex number`, "hex string"},
		{qstr("156", 5), `cipher suite "156" is a decimal string`, "without quotes"},
		{qstr("tls_rsa_with_aes_128_gcm_sha256", 5), `unknown cipher suite name "tls_rsa_with_aes_128_gcm_sha256"`, `did you mean "TLS_RSA_WITH_AES_128_GCM_SHA256"?`},
		{qstr("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 5), `unknown cipher suite name "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"`, "0x000A TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
	} {
		res, diags := build(0, &Spec{DisabledCipherSuites: []schema.Value[schema.NumStr]{tc.v}})
		checkDiags(t, diags, wantDiag{hcl.DiagError, tc.summary, tc.detail, 5})
		if _, ok := res.Fields[Field]; ok {
			t.Errorf("%s: field rendered despite an error", tc.v.V.Text)
		}
	}
}

// Spot-check the table against IANA's registry values.
func TestCipherTable(t *testing.T) {
	for id, name := range map[uint16]string{
		0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",               // RFC 5246
		0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",             // RFC 5288
		0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",       // RFC 5289
		0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", // RFC 7905
		0xCCAC: "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", // RFC 7905
		0x1302: "TLS_AES_256_GCM_SHA384",                      // RFC 8446
	} {
		if s, ok := SuiteByID(id); !ok || s.Name != name {
			t.Errorf("SuiteByID(0x%04X) = %+v", id, s)
		}
	}
	if len(CipherSuites) != 25 {
		t.Errorf("%d suites, want the 25 of BoringSSL's kCiphers", len(CipherSuites))
	}
	seen := map[uint16]bool{}
	for _, s := range CipherSuites {
		if seen[s.ID] || s.TLS13 != isTLS13(s.ID) {
			t.Errorf("bad entry %+v", s)
		}
		seen[s.ID] = true
	}
}

func TestHugeNumbers(t *testing.T) {
	for _, text := range []string{"1e999999999", "-1e999999999", "1e-999999999", strings.Repeat("9", 200)} {
		_, diags := build(0, &Spec{DisabledCipherSuites: []schema.Value[schema.NumStr]{num(text, 5)}})
		if len(diags) != 1 || diags[0].Severity != hcl.DiagError {
			t.Errorf("%.20s: %v", text, diags)
		}
	}
}

// The tls block is declared to the language by the family: numbers and
// hex strings in one list, both syntaxes, merged from a profile.
func TestDeclaredLanguage(t *testing.T) {
	files := map[string]string{
		"main.hcl": "profile \"p\" {\n  tls {\n    min_version = \"tls1.2\"\n  }\n}\npartition \"a\" {\n  profiles = [profile.p]\n  tls {\n    max_version            = \"tls1.3\"\n    disabled_cipher_suites = [49195, \"0xc02f\"]\n  }\n}\n",
		"main.hcl.json": `{"profile": {"p": {"tls": {"min_version": "tls1.2"}}},
 "partition": {"a": {"profiles": ["profile.p"], "tls": {"max_version": "tls1.3", "disabled_cipher_suites": [49195, "0xc02f"]}}}}`,
	}
	for name, src := range files {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		s := Key.Of(cfg.Partitions[0])
		if s == nil || s.MinVersion.V != "tls1.2" || s.MaxVersion.V != "tls1.3" || len(s.DisabledCipherSuites) != 2 ||
			s.DisabledCipherSuites[0].V != (schema.NumStr{Text: "49195", IsNumber: true}) ||
			s.DisabledCipherSuites[1].V != (schema.NumStr{Text: "0xc02f"}) {
			t.Fatalf("%s: %+v", name, s)
		}
	}
	if _, diags := familytest.Load(t, map[string]string{"main.hcl": "partition \"a\" {\n  tls { min_versoin = \"tls1.2\" }\n}\n"}); !diags.HasErrors() || !strings.Contains(diags[0].Detail, `Did you mean "min_version"?`) {
		t.Errorf("typo: %v", diags)
	}
}
