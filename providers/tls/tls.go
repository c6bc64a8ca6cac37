// Package tls is the TLS setting family: the `tls {}` block of a partition,
// rendered as the profile field "sslConfig", the argument of
// ses.setSSLConfig (docs/electron-facts.md §4).
//
// Electron 14 and later accept only "tls1.2" and "tls1.3"; sessctl refuses
// min > max (Electron does not check it), TLS 1.3 suites in
// disabledCipherSuites (they cannot be disabled) and IDs above 0xFFFF
// (Electron truncates them to 16 bits without a word), and warns about IDs
// BoringSSL does not know (Chromium ignores them).
package tls

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "tls"

// Field is the profile key this family renders.
const Field = "sslConfig"

// LegacyVersionsRemovedIn is the first Electron major whose setSSLConfig
// refuses "tls1" and "tls1.1". They were removed from the converter in
// electron/electron commit 22a70eb803 (the Chromium 92 roll on main,
// 2021-04-15). Electron 13 had branched with Chromium 91 before that roll;
// the first release line cut after it is Electron 14 (Chromium 93). This
// mapping is an inference from the release timeline, not a tag lookup.
const LegacyVersionsRemovedIn = 14

func init() { providers.Register(Provider{}) }

// Spec is the `tls {}` block of a partition.
type Spec struct {
	MinVersion           schema.Value[string]
	MaxVersion           schema.Value[string]
	DisabledCipherSuites []schema.Value[schema.NumStr]
	CipherSuitesRange    hcl.Range
	DeclRange            hcl.Range
}

// Key reads a partition's tls block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "tls",
		Doc:  "`ses.setSSLConfig(config)`: TLS versions and disabled cipher suites",
		Attrs: []schema.AttrSpec{
			{Name: "min_version", Doc: `"tls1.2" or "tls1.3" (older ones only where the targeted Electron accepts them)`},
			{Name: "max_version", Doc: `"tls1.2" or "tls1.3"`},
			{Name: "disabled_cipher_suites", Doc: "cipher suites to disable: IANA numbers, 0x hex strings or TLS_* names"},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("tls")
		if !ok {
			return nil
		}
		t := &Spec{MinVersion: d.String(blk.Body, "min_version"), MaxVersion: d.String(blk.Body, "max_version"), DeclRange: blk.DefRange}
		t.DisabledCipherSuites, t.CipherSuitesRange = d.NumStrList(blk.Body, "disabled_cipher_suites")
		return t
	},
})

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: how the plan shows the family's fields.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: Field, HCL: "tls"}}
}

// Config is the "sslConfig" profile field: the object passed to
// ses.setSSLConfig as is. Absent members take Chromium's defaults (each
// call replaces the whole configuration): minVersion "tls1.2",
// maxVersion "tls1.3", no disabled suites.
type Config struct {
	MinVersion           string `json:"minVersion,omitempty"`
	MaxVersion           string `json:"maxVersion,omitempty"`
	DisabledCipherSuites []int  `json:"disabledCipherSuites,omitempty"`
}

// versionRank orders the version strings Electron has accepted.
var versionRank = map[string]int{"tls1": 1, "tls1.1": 2, "tls1.2": 3, "tls1.3": 4}

// accepted returns the version strings setSSLConfig accepts in Electron major.
func accepted(major int) []string {
	if major < LegacyVersionsRemovedIn {
		return []string{"tls1", "tls1.1", "tls1.2", "tls1.3"}
	}
	return []string{"tls1.2", "tls1.3"}
}

// defaultMin is Electron's default minimum: "tls1" before Electron 14 (its
// docs), Chromium's kTLS12 since.
func defaultMin(major int) string {
	if major < LegacyVersionsRemovedIn {
		return "tls1"
	}
	return "tls1.2"
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	t := Key.Of(p)
	if t == nil {
		return res, nil
	}
	major := providers.CurrentElectronMajor
	if c != nil && c.ElectronMajor > 0 {
		major = c.ElectronMajor
	}
	var diags hcl.Diagnostics
	var cfg Config
	okMin, okMax := true, true
	if t.MinVersion.Set {
		d := checkVersion(t.MinVersion, "tls.min_version", major)
		okMin = len(d) == 0
		diags = append(diags, d...)
		cfg.MinVersion = t.MinVersion.V
	}
	if t.MaxVersion.Set {
		d := checkVersion(t.MaxVersion, "tls.max_version", major)
		okMax = len(d) == 0
		diags = append(diags, d...)
		cfg.MaxVersion = t.MaxVersion.V
	}
	if okMin && okMax && (t.MinVersion.Set || t.MaxVersion.Set) {
		lo, hi := defaultMin(major), "tls1.3"
		if t.MinVersion.Set {
			lo = t.MinVersion.V
		}
		if t.MaxVersion.Set {
			hi = t.MaxVersion.V
		}
		if versionRank[lo] > versionRank[hi] {
			rng := t.MinVersion.Range
			if !t.MinVersion.Set {
				rng = t.MaxVersion.Range
			}
			diags = append(diags, providers.Errorf(rng,
				fmt.Sprintf("Electron does not check this pair (Chromium has only a DCHECK_LE in services/network/ssl_config_type_converter.cc), so a release build negotiates unpredictably. Make tls.min_version lower than or equal to tls.max_version; unset, they default to %q and \"tls1.3\".", defaultMin(major)),
				"tls.min_version %q is above tls.max_version %q", lo, hi))
		}
	}
	suites, d := CipherSuiteIDs(t.DisabledCipherSuites)
	diags = append(diags, d...)
	cfg.DisabledCipherSuites = suites
	if diags.HasErrors() {
		return res, diags
	}
	res.Fields[Field] = cfg
	return res, diags
}

func checkVersion(v schema.Value[string], attr string, major int) hcl.Diagnostics {
	ok := accepted(major)
	for _, a := range ok {
		if v.V == a {
			return nil
		}
	}
	if v.V == "tls1" || v.V == "tls1.1" {
		return hcl.Diagnostics{providers.Errorf(v.Range,
			fmt.Sprintf("Electron %d and later accept only \"tls1.2\" and \"tls1.3\": \"tls1\" and \"tls1.1\" were removed from setSSLConfig with the Chromium 92 roll (electron/electron 22a70eb803, 2021), and it would throw \"Error processing argument at index 0, conversion failure\" and apply nothing. The API reference that still lists them is out of date. Use \"tls1.2\", or set electron_version in the sessctl block if the app runs an Electron older than %d.", LegacyVersionsRemovedIn, LegacyVersionsRemovedIn),
			"Electron %d does not accept %s = %q", major, attr, v.V)}
	}
	detail := fmt.Sprintf("Electron %d's setSSLConfig accepts %s (exact, lowercase); anything else makes it throw a conversion TypeError.", major, quoteAll(ok))
	if s := suggestVersion(v.V, ok); s != "" {
		detail = fmt.Sprintf("Did you mean %q? ", s) + detail
	}
	return hcl.Diagnostics{providers.Errorf(v.Range, detail, "unknown TLS version %q in %s", v.V, attr)}
}

func suggestVersion(s string, ok []string) string {
	f := strings.ToLower(strings.TrimSpace(s))
	f = strings.ReplaceAll(strings.ReplaceAll(f, "v", ""), " ", "")
	f = strings.TrimPrefix(f, "tls")
	f = strings.TrimPrefix(f, "_")
	if f == "1.0" || f == "10" {
		f = "1"
	}
	f = strings.Replace(f, "12", "1.2", 1)
	f = strings.Replace(f, "13", "1.3", 1)
	f = strings.Replace(f, "11", "1.1", 1)
	for _, a := range ok {
		if a == "tls"+f {
			return a
		}
	}
	return ""
}

// CipherSuiteIDs validates tls.disabled_cipher_suites and returns the IDs
// sorted and without duplicates, as Electron sorts them. Each entry is a
// number, a "0xAABB" string or an IANA name of a suite BoringSSL knows.
func CipherSuiteIDs(vals []schema.Value[schema.NumStr]) ([]int, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	seen := map[int]bool{}
	var ids []int
	for _, v := range vals {
		id, d := cipherSuiteID(v)
		if d != nil {
			diags = append(diags, d)
			continue
		}
		if isTLS13(uint16(id)) {
			diags = append(diags, providers.Errorf(v.Range,
				"BoringSSL applies cipher rules to TLS 1.2 and older only: TLS 1.3 suites (0x1301-0x1305) are always enabled when TLS 1.3 is negotiated. To avoid them, set tls.max_version = \"tls1.2\".",
				"TLS 1.3 cipher suite 0x%04X (%s) cannot be disabled", id, suiteName(uint16(id))))
			continue
		}
		if _, known := SuiteByID(uint16(id)); !known {
			diags = append(diags, providers.Warnf(warning.CipherUnknown, v.Range,
				"Chromium only disables suites BoringSSL implements and silently ignores other IDs; this entry has no effect. BoringSSL's suites: "+knownList()+".",
				"cipher suite 0x%04X is unknown to BoringSSL and will be ignored", id))
		}
		if seen[id] {
			diags = append(diags, providers.Warnf(warning.CipherTwice, v.Range, "Each suite needs to be listed once.", "cipher suite 0x%04X is listed twice", id))
			continue
		}
		seen[id] = true
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids, diags
}

func knownList() string {
	parts := make([]string, 0, len(CipherSuites))
	for _, s := range CipherSuites {
		if !s.TLS13 {
			parts = append(parts, fmt.Sprintf("0x%04X %s", s.ID, s.Name))
		}
	}
	return strings.Join(parts, ", ")
}

// cipherSuiteID parses one entry; a non-nil diagnostic is an error.
func cipherSuiteID(v schema.Value[schema.NumStr]) (int, *hcl.Diagnostic) {
	allowed := "Write the suite as a number (156), a hex string (\"0x009C\") or its IANA name (\"TLS_RSA_WITH_AES_128_GCM_SHA256\")."
	text := v.V.Text
	if v.V.IsNumber {
		if hugeExponent(text) {
			// 1e999999999 would make big.Rat build a billion-digit number.
			return 0, providers.Errorf(v.Range,
				"Cipher suite IDs are 16-bit integers (0x0000-0xFFFF); Electron would truncate this value to 16 bits.",
				"cipher suite %s is not a 16-bit integer", text)
		}
		r, ok := new(big.Rat).SetString(text)
		if !ok || !r.IsInt() {
			return 0, providers.Errorf(v.Range, allowed, "cipher suite %s is not an integer", text)
		}
		return checkRange(v, r.Num(), text)
	}
	if h, ok := strings.CutPrefix(strings.ToLower(text), "0x"); ok {
		n, ok := new(big.Int).SetString(h, 16)
		if !ok || h == "" || strings.ContainsAny(h, "+-_") {
			return 0, providers.Errorf(v.Range, allowed, "cipher suite %q is not a hex number", text)
		}
		return checkRange(v, n, text)
	}
	for _, s := range CipherSuites {
		if s.Name == text {
			return int(s.ID), nil
		}
	}
	for id, name := range tls13Names {
		if name == text {
			return int(id), nil
		}
	}
	if _, err := strconv.Atoi(text); err == nil {
		return 0, providers.Errorf(v.Range, allowed+" A decimal string is ambiguous; write it as a number, without quotes.",
			"cipher suite %q is a decimal string", text)
	}
	for _, s := range CipherSuites {
		if strings.EqualFold(s.Name, text) {
			return 0, providers.Errorf(v.Range, fmt.Sprintf("IANA names are uppercase: did you mean %q?", s.Name),
				"unknown cipher suite name %q", text)
		}
	}
	return 0, providers.Errorf(v.Range, allowed+" Names are those of the suites BoringSSL implements: "+knownList()+"; write any other suite as a hex string.",
		"unknown cipher suite name %q", text)
}

// hugeExponent reports a decimal exponent beyond ±100: such a number is
// never a 16-bit integer, and expanding it would cost time and memory.
func hugeExponent(text string) bool {
	i := strings.IndexAny(text, "eE")
	if i < 0 {
		return len(text) > 100
	}
	e, err := strconv.Atoi(strings.TrimPrefix(text[i+1:], "+"))
	return err != nil || e > 100 || e < -100
}

func checkRange(v schema.Value[schema.NumStr], n *big.Int, text string) (int, *hcl.Diagnostic) {
	if n.Sign() < 0 || n.Cmp(big.NewInt(0xFFFF)) > 0 {
		what := "would be truncated to 16 bits"
		if n.BitLen() <= 62 {
			// IntegerValue gives an int64; the cast keeps its low 16 bits
			// (two's complement for negative values, as big.Int.And does).
			what = fmt.Sprintf("would silently disable suite 0x%04X instead", new(big.Int).And(n, big.NewInt(0xFFFF)).Uint64())
		}
		return 0, providers.Errorf(v.Range,
			fmt.Sprintf("Cipher suite IDs are 16-bit (0x0000-0xFFFF). Electron converts each entry with IntegerValue and casts it to uint16 without a range check, so %s %s.", text, what),
			"cipher suite %s is out of range", text)
	}
	return int(n.Int64()), nil
}
