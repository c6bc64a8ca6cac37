// Package ntlm is the integrated-authentication allowlist family: the
// partition attribute ntlm_domains, rendered as the profile field
// "ntlmDomains", the comma-separated string passed to
// ses.allowNTLMCredentialsForDomains (docs/electron-facts.md §8).
//
// Chromium parses it as net::ProxyBypassRules (HttpAuthFilterAllowlist
// prepends "<-loopback>;"), so each entry is checked with the proxy
// family's bypass-rule parser. The setting is process-wide: the last call
// wins for every session, which CheckConfig reports.
package ntlm

import (
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/proxy"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "ntlm"

// Field is the profile key this family renders.
const Field = "ntlmDomains"

func init() { providers.Register(Provider{}) }

// Spec is the ntlm_domains attribute of a partition.
type Spec struct{ Domains schema.StringList }

// Key reads a partition's ntlm_domains (nil when it is not set).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Attrs: []schema.AttrSpec{
		{Name: "ntlm_domains", Doc: "`ses.allowNTLMCredentialsForDomains(domains)`: hosts that may receive the user's NTLM/Negotiate credentials"},
	},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		if l := d.StringList(b, "ntlm_domains", true); l.Set {
			return &Spec{Domains: l}
		}
		return nil
	},
})

// domainsOf returns p's ntlm_domains (unset when p has none).
func domainsOf(p *schema.Partition) schema.StringList {
	if s := Key.Of(p); s != nil {
		return s.Domains
	}
	return schema.StringList{}
}

// Provider implements providers.Provider and providers.ConfigChecker.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: how the plan shows the family's fields.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: Field, HCL: "ntlm_domains", CommaLists: []string{""}}}
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	l := domainsOf(p)
	if !l.Set {
		return res, nil
	}
	s, diags := Domains(l)
	if !diags.HasErrors() {
		res.Fields[Field] = s
	}
	return res, diags
}

// Domains validates ntlm_domains and returns the string passed to
// allowNTLMCredentialsForDomains: the items joined with ",".
func Domains(l schema.StringList) (string, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	parts := make([]string, 0, len(l.Items))
	for _, it := range l.Items {
		parts = append(parts, it.V)
		if i := strings.IndexFunc(it.V, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }); i >= 0 {
			diags = append(diags, providers.Errorf(schema.SubRange(it, i, i+1),
				"Entries are host patterns separated by ',' or ';'; control characters are never part of one.",
				"ntlm_domains contains control character %q", it.V[i]))
			continue
		}
		b, issues := proxy.ParseBypass(it.V)
		for _, is := range issues {
			diags = append(diags, proxy.IssueDiag(is, schema.SubRange(it, is.Start, is.End),
				"ntlm_domains: "+is.Summary,
				is.Detail+" ntlm_domains uses Chromium's proxy bypass rule syntax (HttpAuthFilterAllowlist)."))
		}
		for _, r := range b.Rules {
			if r.Text == "*" {
				diags = append(diags, providers.Warnf(warning.NTLMEveryServer, schema.SubRange(it, r.Start, r.End),
					"\"*\" matches every host: Chromium will answer NTLM and Negotiate challenges from any server with the user's credentials. List the intranet domains instead (\"*.corp.example\").",
					"ntlm_domains \"*\" sends credentials to every server"))
			}
		}
	}
	return strings.Join(parts, ","), diags
}

// CheckConfig implements providers.ConfigChecker: allowNTLMCredentialsForDomains
// configures the network service for the whole process, so the last
// partition (in the adapter's order, sorted by name) wins.
func (Provider) CheckConfig(c *providers.Context, parts []*schema.Partition) hcl.Diagnostics {
	type setting struct {
		p   *schema.Partition
		val string
	}
	var set []setting
	for _, p := range parts {
		l := domainsOf(p)
		if !l.Set {
			continue
		}
		if s, d := Domains(l); !d.HasErrors() {
			set = append(set, setting{p, s})
		}
	}
	return providers.LastCallWins(len(set), func(i int) (string, string, hcl.Range) {
		return set[i].p.Name, set[i].val, domainsOf(set[i].p).Range
	}, "ntlm_domains", "allowNTLMCredentialsForDomains")
}
