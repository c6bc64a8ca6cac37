package proxy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

func init() { providers.Register(Provider{}) }

// Spec is the `proxy {}` block of a partition: the argument of
// ses.setProxy.
type Spec struct {
	Mode        schema.Value[string]
	Rules       schema.Value[string]
	BypassRules schema.StringList
	PacScript   schema.Value[string]
	DeclRange   hcl.Range
}

// Key reads a partition's proxy block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: "proxy",
	Blocks: []*schema.BlockSpec{{
		Type: "proxy",
		Doc:  "`ses.setProxy(config)`: how the session reaches the network",
		Attrs: []schema.AttrSpec{
			{Name: "mode", Doc: `"direct", "auto_detect", "pac_script", "fixed_servers" or "system" (default: from the other attributes, as Electron infers it)`},
			{Name: "rules", Doc: "proxyRules: Chromium's proxy rules string (`[scheme=]proxy[:port];…`)"},
			{Name: "bypass_rules", Doc: "proxyBypassRules: hosts that go direct (string with `,` or `;` separators, or list of strings)"},
			{Name: "pac_script", Doc: "pacScript: the URL of a PAC script (http, https, file or data)"},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("proxy")
		if !ok {
			return nil
		}
		return &Spec{
			Mode:        d.String(blk.Body, "mode"),
			Rules:       d.String(blk.Body, "rules"),
			BypassRules: d.StringList(blk.Body, "bypass_rules", true),
			PacScript:   d.String(blk.Body, "pac_script"),
			DeclRange:   blk.DefRange,
		}
	},
})

// Provider is the "proxy" family: it validates a partition's proxy block
// with Chromium's grammars and renders the setProxy argument as profile
// field "proxy".
type Provider struct{}

// Family returns "proxy".
func (Provider) Family() string { return "proxy" }

// FieldViews implements providers.Viewer: how the plan shows the family's fields.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: "proxy", HCL: "proxy", Keys: map[string]string{
		"proxyRules": "rules", "proxyBypassRules": "bypass_rules", "pacScript": "pac_script"},
		CommaLists: []string{"proxyBypassRules"}}}
}

// Build validates p's proxy block and returns Fields{"proxy": ElectronConfig}
// (nil when the partition has no proxy block).
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{"proxy": nil}}
	px := Key.Of(p)
	if px == nil {
		return res, nil
	}
	major := providers.CurrentElectronMajor
	if c != nil && c.ElectronMajor > 0 {
		major = c.ElectronMajor
	}
	cfg, diags := CheckFor(px, major)
	if cfg != nil && !diags.HasErrors() {
		res.Fields["proxy"] = cfg.Electron
	}
	return res, diags
}

// Check validates a proxy block and compiles it. Diagnostics point at the
// attribute, or at the piece of a rules string, that is wrong. The Config
// is nil only when the mode is invalid.
func Check(px *Spec) (*Config, hcl.Diagnostics) {
	return CheckFor(px, providers.CurrentElectronMajor)
}

// CheckFor is Check for a given Electron major version (named in the
// diagnostics that correct Electron's documentation).
func CheckFor(px *Spec, electronMajor int) (*Config, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	ec := ElectronConfig{
		ProxyRules:       px.Rules.V,
		ProxyBypassRules: strings.Join(px.BypassRules.Strings(), ","),
		PacScript:        px.PacScript.V,
	}
	if px.Mode.Set {
		if !ValidMode(px.Mode.V) {
			d := providers.Errorf(px.Mode.Range, "Electron's setProxy rejects it: \""+InvalidModeMessage+"\". Modes are case-sensitive.", "invalid proxy mode %q", px.Mode.V)
			if ValidMode(strings.ToLower(px.Mode.V)) {
				d.Detail += fmt.Sprintf(" Did you mean %q?", strings.ToLower(px.Mode.V))
			}
			return nil, hcl.Diagnostics{d}
		}
		ec.Mode = px.Mode.V
	}
	cfg, err := Compile(ec)
	if err != nil {
		return nil, hcl.Diagnostics{providers.Errorf(px.Mode.Range, InvalidModeMessage, "invalid proxy mode %q", px.Mode.V)}
	}
	mode := cfg.Mode
	modeRange := px.DeclRange
	if px.Mode.Set {
		modeRange = px.Mode.Range
	}
	ignored := func(set bool, rng hcl.Range, field string) {
		if !set {
			return
		}
		why := fmt.Sprintf("mode %q ignores %s", mode, field)
		if !px.Mode.Set && mode == ModePACScript {
			why = "pac_script is set, so Electron infers mode \"pac_script\", which ignores " + field
		}
		diags = append(diags, providers.Warnf(warning.ProxyFieldIgnored, rng, why+"; remove it or change the mode.", "%s is ignored", field))
	}
	bypassSet := px.BypassRules.Set && len(px.BypassRules.Items) > 0
	switch mode {
	case ModeDirect, ModeAutoDetect, ModeSystem:
		ignored(px.Rules.Set && px.Rules.V != "", px.Rules.Range, "rules")
		ignored(bypassSet, px.BypassRules.Range, "bypass_rules")
		ignored(px.PacScript.Set && px.PacScript.V != "", px.PacScript.Range, "pac_script")
	case ModePACScript:
		ignored(px.Rules.Set && px.Rules.V != "", px.Rules.Range, "rules")
		ignored(bypassSet, px.BypassRules.Range, "bypass_rules")
		diags = append(diags, checkPACURL(px.PacScript, modeRange)...)
	case ModeFixedServers:
		ignored(px.PacScript.Set && px.PacScript.V != "", px.PacScript.Range, "pac_script")
		if px.Rules.V == "" {
			rng := modeRange
			if px.Rules.Set {
				rng = px.Rules.Range
			}
			detail := "With empty proxyRules Electron applies a direct configuration (ProxyConfigDictionary::CreateFixedServers); every request goes DIRECT."
			if bypassSet {
				detail += " The bypass rules are dropped."
			}
			diags = append(diags, providers.Warnf(warning.ProxyNoRules, rng, detail+" Set rules, or use mode = \"direct\".", "no proxy rules: mode fixed_servers is direct"))
			break
		}
		for _, is := range cfg.RulesIssues {
			diags = append(diags, issueDiag(is, schema.SubRange(px.Rules, is.Start, is.End), "rules"))
		}
		diags = append(diags, bypassDiags(px.BypassRules, cfg.BypassIssues)...)
		diags = append(diags, localDiags(px.BypassRules, cfg.Bypass, electronMajor)...)
	}
	return cfg, diags
}

func issueDiag(is Issue, rng hcl.Range, field string) *hcl.Diagnostic {
	return IssueDiag(is, rng, "proxy."+field+": "+is.Summary, is.Detail)
}

// IssueDiag turns is into a diagnostic at rng with the given text: an
// error, or a warning that keeps the Issue's code.
func IssueDiag(is Issue, rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	if is.Severity == Error {
		return providers.Diag(hcl.DiagError, rng, summary, detail)
	}
	return warning.New(is.Code, rng, summary, detail)
}

// bypassDiags maps issues found in the joined bypass string back to the
// list item (and the piece of it) they come from.
func bypassDiags(l schema.StringList, issues []Issue) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, is := range issues {
		off := 0
		rng := l.Range
		for _, it := range l.Items {
			if is.Start >= off && is.Start <= off+len(it.V) {
				rng = schema.SubRange(it, is.Start-off, min(is.End-off, len(it.V)))
				break
			}
			off += len(it.V) + 1
		}
		diags = append(diags, issueDiag(is, rng, "bypass_rules"))
	}
	return diags
}

// checkPACURL validates pac_script: Chromium fetches http, https and
// data: PAC URLs only (PacFileFetcherImpl::IsUrlSchemeAllowed).
func checkPACURL(v schema.Value[string], fallback hcl.Range) hcl.Diagnostics {
	rng := v.Range
	if !v.Set {
		rng = fallback
	}
	if v.V == "" {
		return hcl.Diagnostics{providers.Errorf(rng, "Mode pac_script needs pac_script = \"https://.../proxy.pac\" (http, https or data: URL); without it Electron applies a direct configuration.", "pac_script is empty")}
	}
	scheme, ok := pacSchemeAllowed(v.V)
	if _, err := parseTarget(v.V); err != nil {
		return hcl.Diagnostics{providers.Errorf(rng, "pac_script must be an absolute http, https or data: URL; Electron applies a direct configuration for an invalid URL.", "pac_script %q is not a valid URL", v.V)}
	}
	if !ok {
		detail := "Chromium fetches PAC scripts over http, https or from data: URLs only; the PAC is mandatory in Electron, so every request would fail with ERR_MANDATORY_PROXY_CONFIGURATION_FAILED."
		if scheme == "file" {
			detail = "Chromium refuses file:// PAC URLs (PacFileFetcherImpl::IsUrlSchemeAllowed); the PAC is mandatory in Electron, so every request would fail. Serve the script over http(s) or inline it as a data: URL (data:application/x-ns-proxy-autoconfig;base64,...)."
		}
		return hcl.Diagnostics{providers.Errorf(rng, detail, "pac_script scheme %q is not supported", scheme)}
	}
	if scheme == "data" && DefaultPACRunner != nil {
		// A data: URL is decoded locally, so a script that can never load
		// is known now (no network access happens here).
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		script, err := DefaultPACRunner.Fetch(ctx, v.V)
		switch {
		case err != nil:
			return hcl.Diagnostics{providers.Errorf(rng, fmt.Sprintf("%v. Chromium cannot load this PAC script, and the PAC is mandatory in Electron: every request would fail with ERR_MANDATORY_PROXY_CONFIGURATION_FAILED. Write data:[<mediatype>][;base64],<script>.", err), "pac_script data: URL cannot be decoded")}
		case !looksLikePACScript(script):
			return hcl.Diagnostics{providers.Errorf(rng, "Chromium rejects a PAC script that does not contain \"FindProxyForURL\" (PacFileDecider LooksLikePacScript, ERR_PAC_SCRIPT_FAILED), and the PAC is mandatory in Electron: every request would fail. Define function FindProxyForURL(url, host).", "pac_script data: URL does not hold a PAC script")}
		}
	}
	return nil
}

// localDiags warns about <local>, whose documented meaning (localhost,
// 127.0.0.1, ::1) is not what Chromium does (docs/electron-facts.md §6,
// chromium-proxy-semantics.md §5).
func localDiags(l schema.StringList, b *Bypass, electronMajor int) hcl.Diagnostics {
	if b == nil {
		return nil
	}
	var issues []Issue
	for i := range b.Rules {
		if b.Rules[i].kind == bypassLocal {
			r := &b.Rules[i]
			issues = append(issues, Issue{Start: r.Start, End: r.End, Severity: Warning, Code: warning.ProxyLocal,
				Summary: "<local> bypasses every host name without a dot",
				Detail:  fmt.Sprintf("In Electron %d, <local> matches any host without a '.' that is not an IP literal (http://intranet/, http://printer/), as Chromium's BypassSimpleHostnamesRule does; it does not mean localhost, 127.0.0.1 or ::1 as Electron's setProxy documentation says. Loopback and link-local addresses are bypassed implicitly anyway (remove that with <-loopback>).", electronMajor)})
		}
	}
	return bypassDiags(l, issues)
}

// SecurityFields implements providers.SecurityFielder: whoever rewrites
// the proxy sees and can change every plain-http request of the session.
func (Provider) SecurityFields() []string { return []string{"proxy"} }
