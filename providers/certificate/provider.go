package certificate

import (
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
		Hidden: []string{"defaultCode", "rules.match", "rules.host", "rules.code"}}}

func init() { providers.Register(provider) }

// Block is one `certificate "HOST_PATTERN" {}` block of a partition.
type Block struct {
	Host      string
	HostRange hcl.Range
	Verify    schema.Value[string]
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
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blocks := schema.DecodeLabelled(b, "certificate", func(blk schema.Block) *Block {
			return &Block{Host: blk.Label, HostRange: blk.LabelRange, Verify: d.String(blk.Body, "verify"), DeclRange: blk.DefRange}
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
		if r.Code == CodeAccept && r.Match == MatchAny {
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
			if covers(&prev, &r) {
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
