package permission

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the name of this setting family in plans and diagnostics.
const Family = "permissions"

// Field is the profile key holding the compiled Table.
const Field = "permissions"

// The provider validates the partition's permissions block and renders the
// compiled table. A partition without the block gets a warning and no
// field: the adapter then installs no handler and Electron grants
// everything.
var provider = providers.TableProvider[Table]{Name: Family, Field: Field, Compile: Compile,
	View: providers.FieldView{Keys: map[string]string{"rules": "rule", "rules.handlers": "handler"},
		Sources: []string{"rules.origins", "rules.externalUrls"}},
	Checks: auditChecks, Review: Audit, Security: true}

func init() { providers.Register(provider) }

// Spec is the `permissions {}` block of a partition, feeding the
// permission request and check handlers.
type Spec struct {
	Default   schema.Value[string]
	Rules     []*RuleSpec
	DeclRange hcl.Range
}

// RuleSpec is a `rule "NAME" {}` block inside `permissions`.
type RuleSpec struct {
	Name          string
	NameRange     hcl.Range
	Permissions   schema.StringList
	Origins       schema.StringList
	Decision      schema.Value[string]
	Handler       schema.Value[string] // request | check | both
	MediaTypes    schema.StringList
	ExternalURLs  schema.StringList
	MainFrameOnly schema.Value[bool]
	DeclRange     hcl.Range
}

// Key reads a partition's permissions block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "permissions",
		Doc:  "`ses.setPermissionRequestHandler` and `setPermissionCheckHandler`: which origins get which permissions; without the block Electron grants everything",
		Attrs: []schema.AttrSpec{
			{Name: "default", Doc: `"deny" (default) or "allow": the decision when no rule matches`},
		},
		Blocks: []*schema.BlockSpec{{
			Type: "rule", Kind: schema.Labelled, LabelName: "name",
			Doc: "a rule, tried in source order: the first whose set attributes all hold decides; the label names it in check-permission and the adapter's log",
			Attrs: []schema.AttrSpec{
				{Name: "permissions", Doc: "Electron permission names the rule covers (default: all)"},
				{Name: "origins", Doc: "Chromium content-settings patterns of the requesting origin (default: all)"},
				{Name: "decision", Doc: `"allow" or "deny" (required)`},
				{Name: "handler", Doc: `"request", "check" or "both" (default): which handler the rule answers`},
				{Name: "media_types", Doc: `for "media" only: "audio", "video", "unknown"; an allow rule needs every requested type listed, a deny rule any`},
				{Name: "external_urls", Doc: `for "openExternal" only: patterns of the URL to open`},
				{Name: "main_frame_only", Doc: "match only when `details.isMainFrame` is true"},
			},
		}},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("permissions")
		if !ok {
			return nil
		}
		return &Spec{
			Default: d.String(blk.Body, "default"),
			Rules: schema.DecodeLabelled(blk.Body, "rule", func(r schema.Block) *RuleSpec {
				return &RuleSpec{
					Name: r.Label, NameRange: r.LabelRange,
					Permissions:   d.StringList(r.Body, "permissions", false),
					Origins:       d.StringList(r.Body, "origins", false),
					Decision:      d.String(r.Body, "decision"),
					Handler:       d.String(r.Body, "handler"),
					MediaTypes:    d.StringList(r.Body, "media_types", false),
					ExternalURLs:  d.StringList(r.Body, "external_urls", false),
					MainFrameOnly: d.Bool(r.Body, "main_frame_only"),
					DeclRange:     r.DefRange,
				}
			}),
			DeclRange: blk.DefRange,
		}
	},
})

// Compile validates the permissions block of p and compiles it. It returns
// a nil table (and a warning) when the partition has no permissions block.
// The table is returned even with error diagnostics, as far as it could be
// built, so that callers can still show something; it must not be applied.
func Compile(c *providers.Context, p *schema.Partition) (*Table, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	major := providers.CurrentElectronMajor
	if c != nil && c.ElectronMajor > 0 {
		major = c.ElectronMajor
	}
	pb := Key.Of(p)
	if pb == nil {
		diags = append(diags, providers.Warnf(warning.PermissionsMissing, p.DeclRange,
			"Without a permissions block Electron grants every permission request, and every permission check except deprecated-sync-clipboard-read (electron_permission_manager.cc; Electron security checklist #5). Add `permissions { default = \"deny\" }` with rules for what the pages need.",
			"partition %q has no permissions block: Electron grants every permission", p.Name))
		return nil, diags
	}
	t := &Table{FormatVersion: FormatVersion, Default: "deny", Rules: []Rule{}}
	if pb.Default.Set {
		switch pb.Default.V {
		case "allow", "deny":
			t.Default = pb.Default.V
		default:
			diags = append(diags, providers.Errorf(pb.Default.Range,
				`default must be "allow" or "deny". Without it a permissions block denies what no rule allows.`,
				"invalid permissions default %q", pb.Default.V))
		}
	}
	seen := map[string]*RuleSpec{}
	for _, r := range pb.Rules {
		if prev, ok := seen[r.Name]; ok {
			diags = append(diags, providers.Errorf(r.NameRange,
				fmt.Sprintf("Rule names identify the rule that decided (check-permission output, adapter logs); the first %q is at %s.", r.Name, prev.NameRange.String()),
				"duplicate permission rule %q", r.Name))
		}
		seen[r.Name] = r
		cr, rd := compileRule(r, major)
		diags = append(diags, rd...)
		t.Rules = append(t.Rules, cr)
	}
	diags = append(diags, shadowWarnings(pb.Rules, t.Rules)...)
	return t, diags
}

// compileRule validates one rule and returns its compiled form.
func compileRule(r *RuleSpec, major int) (Rule, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	out := Rule{Name: r.Name}
	never := func(rng hcl.Range, why string) {
		diags = append(diags, providers.Warnf(warning.PermissionRuleDead, rng, why+" Remove the rule or fix the condition.", "rule %q can never match", r.Name))
	}

	switch {
	case !r.Decision.Set:
		diags = append(diags, providers.Errorf(r.DeclRange, `Every rule needs decision = "allow" or "deny".`, "rule %q has no decision", r.Name))
	case r.Decision.V == "allow" || r.Decision.V == "deny":
		out.Decision = r.Decision.V
	default:
		diags = append(diags, providers.Errorf(r.Decision.Range, `decision must be "allow" or "deny".`, "invalid decision %q in rule %q", r.Decision.V, r.Name))
	}

	handler := "both"
	if r.Handler.Set {
		handler = r.Handler.V
	}
	switch handler {
	case "both":
		out.Handlers = []string{"request", "check"}
	case "request", "check":
		out.Handlers = []string{handler}
	default:
		diags = append(diags, providers.Errorf(r.Handler.Range,
			`handler is "request" (setPermissionRequestHandler), "check" (setPermissionCheckHandler) or "both" (the default).`,
			"invalid handler %q in rule %q", handler, r.Name))
		out.Handlers = []string{"request", "check"}
	}

	if r.Permissions.Set {
		out.Permissions = []string{}
		for _, it := range r.Permissions.Items {
			name := it.V
			if !IsName(name) {
				detail := fmt.Sprintf("Electron %d passes these permission strings: %s.", providers.CurrentElectronMajor, strings.Join(sortedNames(), ", "))
				summary := fmt.Sprintf("unknown permission %q", name)
				if c := Closest(name); c != "" {
					summary += fmt.Sprintf("; did you mean %q?", c)
				}
				if major != providers.CurrentElectronMajor {
					// The list is verified for Electron 45 only; another
					// version may know this name.
					diags = append(diags, providers.Warnf(warning.PermissionUnverified, it.Range, detail+fmt.Sprintf(" This configuration targets Electron %d, whose list sessctl has not verified; the name is kept as written.", major), "%s", summary))
					out.Permissions = append(out.Permissions, name)
				} else {
					diags = append(diags, providers.Errorf(it.Range, detail, "%s", summary))
				}
				continue
			}
			if !containsString(out.Permissions, name) {
				out.Permissions = append(out.Permissions, name)
			}
		}
		if len(r.Permissions.Items) == 0 {
			never(r.Permissions.Range, "permissions = [] lists no permission.")
		}
	}

	if r.Origins.Set {
		origins, live, od := CompileOrigins(r.Origins, warning.PermissionOrigin)
		out.Origins = origins
		diags = append(diags, od...)
		if live == 0 && !diags.HasErrors() {
			never(r.Origins.Range, "No origin pattern of the rule can match a URL.")
		}
	}

	if r.MediaTypes.Set {
		out.MediaTypes = []string{}
		for _, it := range r.MediaTypes.Items {
			switch it.V {
			case "audio", "video", "unknown":
				if !containsString(out.MediaTypes, it.V) {
					out.MediaTypes = append(out.MediaTypes, it.V)
				}
			default:
				s := fmt.Sprintf("invalid media type %q", it.V)
				if c := closest(it.V, []string{"audio", "video", "unknown"}); c != "" {
					s += fmt.Sprintf("; did you mean %q?", c)
				}
				diags = append(diags, providers.Errorf(it.Range,
					`Media types are "audio" and "video" (request details.mediaTypes) and "unknown" (check details.mediaType).`, "%s", s))
			}
		}
		if len(r.MediaTypes.Items) == 0 {
			never(r.MediaTypes.Range, "media_types = [] lists no media type.")
		} else if out.Permissions != nil && !containsString(out.Permissions, "media") {
			never(r.MediaTypes.Range, "media_types only apply to the \"media\" permission, which the rule does not list.")
		} else if handler == "request" && len(out.MediaTypes) == 1 && out.MediaTypes[0] == "unknown" {
			never(r.MediaTypes.Range, "The request handler's details.mediaTypes only contain \"audio\" and \"video\"; \"unknown\" is a check-handler value.")
		}
	}

	if r.ExternalURLs.Set {
		out.ExternalURLs = []URLPattern{}
		for _, it := range r.ExternalURLs.Items {
			up, probs, ok := ParseURLPattern(it.V)
			for _, pr := range probs {
				diags = append(diags, providers.Errorf(schema.SubRange(it, pr.Start, pr.End), pr.Detail, "invalid external URL pattern %q: %s", it.V, pr.Summary))
			}
			if ok {
				out.ExternalURLs = append(out.ExternalURLs, up)
			}
		}
		switch {
		case len(r.ExternalURLs.Items) == 0:
			never(r.ExternalURLs.Range, "external_urls = [] lists no URL.")
		case out.Permissions != nil && !containsString(out.Permissions, "openExternal"):
			never(r.ExternalURLs.Range, "external_urls only apply to the \"openExternal\" permission, which the rule does not list.")
		case handler == "check":
			never(r.ExternalURLs.Range, "openExternal only reaches the request handler (docs/electron-facts.md §5: no check call site), and the rule is for handler = \"check\".")
		}
	}

	if r.MainFrameOnly.Set {
		out.MainFrameOnly = r.MainFrameOnly.V
	}

	// Handler/permission combinations Electron never raises.
	if out.Permissions != nil && len(out.Permissions) > 0 && handler != "both" {
		reachable := false
		for _, n := range out.Permissions {
			if handler == "request" && !checkOnly[n] || handler == "check" && !requestOnly[n] {
				reachable = true
			}
		}
		if !reachable {
			which := "only through the permission check handler"
			if handler == "check" {
				which = "only through the permission request handler"
			}
			never(r.Handler.Range, fmt.Sprintf("Electron %d raises %s %s (docs/electron-facts.md §5), and the rule is for handler = %q.", providers.CurrentElectronMajor, strings.Join(out.Permissions, ", "), which, handler))
		}
	}
	if out.MainFrameOnly && handler == "check" && len(out.Permissions) > 0 && allAre(out.Permissions, "fileSystem") {
		never(r.MainFrameOnly.Range, "Electron sets details.isMainFrame to false on every fileSystem check (docs/electron-facts.md §5).")
	}
	return out, diags
}

func allAre(list []string, s string) bool {
	for _, x := range list {
		if x != s {
			return false
		}
	}
	return true
}
