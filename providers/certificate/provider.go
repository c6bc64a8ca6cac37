package certificate

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the name of this setting family in plans and diagnostics.
const Family = "certificates"

// Field is the profile key holding the compiled Table.
const Field = "certificateRules"

// The provider validates the partition's certificate blocks and renders
// the compiled table; without blocks the field is absent and the adapter
// installs no verify proc.
var provider = providers.TableProvider[Table]{Name: Family, Field: Field, Compile: Compile,
	// The plan shows the rules as the certificate blocks written, without
	// their compiled matchers and result codes.
	View: providers.FieldView{HCL: "certificate", Unwrap: "rules", Keys: map[string]string{"rules": "certificate"},
		Hidden: []string{"defaultCode", "rules.match", "rules.host", "rules.code"}},
	Checks: auditChecks, Review: Audit, Security: true}

func init() { providers.Register(provider) }

// Block is one `certificate "HOST_PATTERN" {}` block of a partition.
type Block struct {
	Host      string
	HostRange hcl.Range
	Verify    schema.Value[string]
	// Conditions: the block applies only when every one that is set holds.
	Pins      schema.StringList
	Issuer    schema.StringList
	KnownRoot schema.Value[bool]
	Errors    schema.StringList
	DeclRange hcl.Range
}

// Spec is a partition's certificate blocks, in source order (profiles'
// first, merged by host pattern).
type Spec struct{ Blocks []*Block }

// Key reads a partition's certificate blocks (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "certificate", Kind: schema.Labelled, LabelName: "host_pattern",
		Doc: "`ses.setCertificateVerifyProc`: how certificates of matching hosts are verified; blocks are tried in order",
		Attrs: []schema.AttrSpec{
			{Name: "verify", Doc: `"accept", "reject", "chromium" or a net::ERR_CERT_* error name`},
			{Name: "pins", Doc: `condition: a certificate of the chain has one of these SPKI pins ("sha256/BASE64", Chromium's pin format)`},
			{Name: "issuer", Doc: "condition: the leaf certificate's issuer common name (`issuerName`) is one of these"},
			{Name: "known_root", Doc: "condition: `request.isIssuedByKnownRoot` has this value (the chain ends at a public root)"},
			{Name: "errors", Doc: `condition: Chromium's own result is one of these ("net::OK" or net::ERR_CERT_* names)`},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blocks := schema.DecodeLabelled(b, "certificate", func(blk schema.Block) *Block {
			return &Block{Host: blk.Label, HostRange: blk.LabelRange, Verify: d.String(blk.Body, "verify"),
				Pins: d.StringList(blk.Body, "pins", false), Issuer: d.StringList(blk.Body, "issuer", true),
				KnownRoot: d.Bool(blk.Body, "known_root"), Errors: d.StringList(blk.Body, "errors", false),
				DeclRange: blk.DefRange}
		})
		if blocks == nil {
			return nil
		}
		return &Spec{Blocks: blocks}
	},
})

// Blocks returns p's certificate blocks.
func Blocks(p *schema.Partition) []*Block {
	if s := Key.Of(p); s != nil {
		return s.Blocks
	}
	return nil
}

const hostSyntax = `A certificate host pattern is "*" (every host), "[*.]example.com" (the domain and its subdomains), "*.example.com" (subdomains only, at any depth), an exact host name, or an IP address ("192.0.2.1", "::1"). It is matched against request.hostname of setCertificateVerifyProc.`

const verifySyntax = `verify is "accept" (callback 0: accept, and skip Certificate Transparency checks), "reject" (-2: the load fails with net::ERR_FAILED), "chromium" (-3: use Chromium's own result) or the name of a certificate error from Chromium's net/base/net_error_list.h, with or without "net::" (the load then fails with that error): `

// Compile validates the certificate blocks of p, in source order, and
// compiles them. It returns nil without blocks.
func Compile(c *providers.Context, p *schema.Partition) (*Table, hcl.Diagnostics) {
	if len(Blocks(p)) == 0 {
		return nil, nil
	}
	var diags hcl.Diagnostics
	t := &Table{FormatVersion: FormatVersion, DefaultCode: CodeChromium, Rules: []Rule{}}
	var src []*Block
	for _, cb := range Blocks(p) {
		r, msg, start, end := parseHostPattern(cb.Host)
		if msg != "" {
			hv := schema.Value[string]{V: cb.Host, Set: true, Range: cb.HostRange, Exact: true}
			diags = append(diags, providers.Errorf(schema.SubRange(hv, start, end), hostSyntax, "invalid certificate host pattern %q: %s", cb.Host, msg))
			continue
		}
		if !cb.Verify.Set {
			diags = append(diags, providers.Errorf(cb.DeclRange, verifySyntax+strings.Join(certErrorNames(), ", ")+".", "certificate %q has no verify", cb.Host))
			continue
		}
		v := cb.Verify.V
		switch v {
		case "accept":
			r.Verify, r.Code = v, CodeAccept
		case "reject":
			r.Verify, r.Code = v, CodeReject
		case "chromium":
			r.Verify, r.Code = v, CodeChromium
		default:
			code, ok := CodeOf(v)
			if !ok {
				summary := fmt.Sprintf("invalid verify %q for certificate %q", v, cb.Host)
				detail := verifySyntax + strings.Join(certErrorNames(), ", ") + "."
				if why, removed := removedCertErrors[trimNet(strings.ToUpper(v))]; removed {
					summary = fmt.Sprintf("certificate error %q no longer exists", v)
					detail = why + " (net_error_list.h). " + detail
				} else if cl := closestName(v); cl != "" {
					summary += fmt.Sprintf("; did you mean %q?", cl)
					if strings.HasPrefix(strings.ToUpper(v), "CERT_") {
						// The session API reference writes verificationResult
						// values as "CERT_REVOKED"; Electron passes
						// net::ErrorToString output (docs/electron-facts.md §8).
						detail = fmt.Sprintf("The Electron documentation writes certificate errors without prefix (\"CERT_REVOKED\"), but Electron %d reports them as net::ErrorToString gives them, \"net::ERR_CERT_REVOKED\" (docs/electron-facts.md §8), and sessctl uses those names. ", major(c)) + detail
					}
				}
				diags = append(diags, providers.Errorf(cb.Verify.Range, detail, "%s", summary))
				continue
			}
			r.Verify, r.Code = "net::"+trimNet(v), code
		}
		cd := compileConditions(cb, &r)
		diags = append(diags, cd...)
		if cd.HasErrors() {
			continue
		}
		if r.conditional() {
			t.FormatVersion = FormatVersionConditions
		}
		if r.Code == CodeAccept && r.Match == MatchAny && r.Pins == nil {
			diags = append(diags, providers.Warnf(warning.CertificateAcceptAll, cb.HostRange,
				"Every server certificate of this partition is accepted, whatever its issuer, name or date, and Certificate Transparency is not checked: anyone on the network path can impersonate any site (Electron security checklist #1). Name the hosts whose certificates you trust instead.",
				"certificate \"*\" accepts every certificate"))
		}
		if r.Match == MatchAny && r.Code != CodeAccept && r.Code != CodeChromium {
			diags = append(diags, providers.Warnf(warning.CertificateFailAll, cb.HostRange,
				fmt.Sprintf("Every https (and wss) load of this partition not matched by an earlier block fails with %s, whatever the certificate. If that is the intent (an offline kiosk), ignore this; otherwise list the hosts to refuse.", NameOf(r.Code)),
				"certificate \"*\" fails every TLS connection"))
		}
		for i, prev := range t.Rules {
			if !prev.conditional() && covers(&prev, &r) {
				how := "it is redundant"
				if prev.Code != r.Code {
					how = fmt.Sprintf("its verify %q is never used", r.Verify)
				}
				diags = append(diags, providers.Warnf(warning.CertificateShadowed, cb.HostRange,
					fmt.Sprintf("Certificate blocks are tried in source order and the first match decides. Every host %q matches is matched first by %q (%s), so %s. Move it before %q or remove it.", r.Pattern, prev.Pattern, src[i].HostRange.String(), how, prev.Pattern),
					"certificate %q is shadowed by %q", r.Pattern, prev.Pattern))
				break
			}
		}
		t.Rules = append(t.Rules, r)
		src = append(src, cb)
	}
	return t, diags
}

func major(c *providers.Context) int {
	if c != nil && c.ElectronMajor > 0 {
		return c.ElectronMajor
	}
	return providers.CurrentElectronMajor
}

// closestName suggests a certificate error name (or a keyword) for a typo.
func closestName(v string) string {
	cands := append([]string{"accept", "reject", "chromium"}, certErrorNames()...)
	u := strings.ToUpper(trimNet(v))
	if !strings.HasPrefix(u, "ERR_") && strings.HasPrefix(u, "CERT") {
		// The Electron docs write "CERT_REVOKED" without "ERR_".
		if _, ok := CodeOf("ERR_" + u); ok {
			return "net::ERR_" + u
		}
	}
	best, bestD := "", 1<<30
	for _, c := range cands {
		d := providers.EditDistance(strings.ToLower(v), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if bestD > max(2, len(v)/3) {
		return ""
	}
	if strings.HasPrefix(best, "ERR_") {
		return "net::" + best
	}
	return best
}

const pinSyntax = `A pin is "sha256/" followed by the base64 of the SHA-256 of a certificate's DER SubjectPublicKeyInfo, as in Chromium's static pins and HPKP (44 characters ending in "="), e.g. from: openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`

// compileConditions validates a block's conditions into r.
func compileConditions(cb *Block, r *Rule) hcl.Diagnostics {
	var diags hcl.Diagnostics
	empty := func(l schema.StringList, name string) bool {
		if l.Set && len(l.Items) == 0 {
			diags = append(diags, providers.Errorf(l.Range,
				fmt.Sprintf("An empty %s list can never hold, so the block would never apply. Remove %s or list values.", name, name),
				"certificate %q: %s = [] matches nothing", cb.Host, name))
			return true
		}
		return !l.Set
	}
	if !empty(cb.Pins, "pins") {
		r.Pins = []string{}
		for _, it := range cb.Pins.Items {
			b64, ok := strings.CutPrefix(it.V, "sha256/")
			raw, err := base64.StdEncoding.DecodeString(b64)
			switch {
			case strings.HasPrefix(it.V, "sha1/"):
				diags = append(diags, providers.Errorf(it.Range, "Chromium dropped SHA-1 pins; pin the SHA-256 of the same key. "+pinSyntax, "certificate %q: SHA-1 pin %q", cb.Host, it.V))
			case !ok || err != nil || len(raw) != sha256.Size:
				diags = append(diags, providers.Errorf(it.Range, pinSyntax, "certificate %q: invalid pin %q", cb.Host, it.V))
			default:
				r.Pins = append(r.Pins, base64.StdEncoding.EncodeToString(raw))
			}
		}
	}
	if !empty(cb.Issuer, "issuer") {
		for _, it := range cb.Issuer.Items {
			if it.V == "" {
				diags = append(diags, providers.Errorf(it.Range, "issuer names the common name of the certificate's issuer, as Electron's Certificate.issuerName gives it.", "certificate %q: empty issuer", cb.Host))
				continue
			}
			r.Issuers = append(r.Issuers, it.V)
		}
	}
	if cb.KnownRoot.Set {
		v := cb.KnownRoot.V
		r.KnownRoot = &v
	}
	if !empty(cb.Errors, "errors") {
		r.ErrorCodes = []int{}
		for _, it := range cb.Errors.Items {
			if n := strings.ToUpper(trimNet(it.V)); n == "OK" {
				r.ErrorCodes = append(r.ErrorCodes, 0)
				continue
			}
			code, ok := CodeOf(it.V)
			if !ok {
				detail := `errors lists Chromium's own verification results: "net::OK" or certificate errors of net_error_list.h: ` + strings.Join(certErrorNames(), ", ") + "."
				summary := fmt.Sprintf("certificate %q: unknown certificate error %q", cb.Host, it.V)
				if cl := closestName(it.V); cl != "" && cl != "accept" && cl != "reject" && cl != "chromium" {
					summary += fmt.Sprintf("; did you mean %q?", cl)
				}
				diags = append(diags, providers.Errorf(it.Range, detail, "%s", summary))
				continue
			}
			r.ErrorCodes = append(r.ErrorCodes, code)
		}
	}
	return diags
}
