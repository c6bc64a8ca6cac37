package displaymedia

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/permission"
	"github.com/sessctl/sessctl/schema"
)

// Family is the name of this setting family in plans and diagnostics.
const Family = "display_media"

// Field is the profile key holding the compiled Table.
const Field = "displayMedia"

var provider = providers.TableProvider[Table]{Name: Family, Field: Field, Compile: Compile,
	View: providers.FieldView{Keys: map[string]string{"useSystemPicker": "use_system_picker", "rules": "rule"}}}

func init() { providers.Register(provider) }

// Spec is the `display_media {}` block of a partition.
type Spec struct {
	UseSystemPicker schema.Value[bool]
	Rules           []*RuleSpec
	DeclRange       hcl.Range
}

// RuleSpec is one `rule "NAME" {}` block.
type RuleSpec struct {
	Name      string
	NameRange hcl.Range
	Origins   schema.StringList
	Decision  schema.Value[string]
	Screens   schema.StringList
	Windows   schema.StringList
	Audio     schema.Value[bool]
	DeclRange hcl.Range
}

// Key reads a partition's display_media block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "display_media",
		Doc:  "`ses.setDisplayMediaRequestHandler`: which screen or window a page's `getDisplayMedia()` gets, without a picker; without the block Electron rejects every `getDisplayMedia()`",
		Attrs: []schema.AttrSpec{
			{Name: "use_system_picker", Doc: "the `useSystemPicker` option: on macOS 15+ the system picker replaces the rules (default false)"},
		},
		Blocks: []*schema.BlockSpec{{
			Type: "rule", Kind: schema.Labelled, LabelName: "name",
			Doc: "a rule, tried in source order: the first whose origins match the request's `securityOrigin` decides; none matching denies",
			Attrs: []schema.AttrSpec{
				{Name: "origins", Doc: "Chromium content-settings patterns of the requesting origin (default: all)"},
				{Name: "decision", Doc: `"allow" or "deny" (required)`},
				{Name: "screens", Doc: "name patterns of the screens an allow rule may grant (`*` matches any run of characters; case-sensitive; whole name)"},
				{Name: "windows", Doc: "name patterns (window titles) of the windows an allow rule may grant, written like screens"},
				{Name: "audio", Doc: "grant system audio (`audio: 'loopback'`, Windows only) when the page asks for audio (default false)"},
			},
		}},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("display_media")
		if !ok {
			return nil
		}
		return &Spec{
			UseSystemPicker: d.Bool(blk.Body, "use_system_picker"),
			Rules: schema.DecodeLabelled(blk.Body, "rule", func(r schema.Block) *RuleSpec {
				return &RuleSpec{
					Name: r.Label, NameRange: r.LabelRange,
					Origins:   d.StringList(r.Body, "origins", false),
					Decision:  d.String(r.Body, "decision"),
					Screens:   d.StringList(r.Body, "screens", false),
					Windows:   d.StringList(r.Body, "windows", false),
					Audio:     d.Bool(r.Body, "audio"),
					DeclRange: r.DefRange,
				}
			}),
			DeclRange: blk.DefRange,
		}
	},
})

// maxShadowRules bounds the quadratic shadow analysis on hostile input.
const maxShadowRules = 2000

const globSyntax = "A name pattern matches a source's whole name, case-sensitively; \"*\" matches any run of characters (also none) and every other character matches itself. Screens are named \"Entire Screen\" or \"Screen 1\", \"Screen 2\", …; windows by their title (Electron's DesktopCapturerSource.name)."

// Compile validates the display_media block of p and compiles it; nil
// without a block (no handler is installed).
func Compile(c *providers.Context, p *schema.Partition) (*Table, hcl.Diagnostics) {
	sp := Key.Of(p)
	if sp == nil {
		return nil, nil
	}
	var diags hcl.Diagnostics
	t := &Table{FormatVersion: FormatVersion, Rules: []Rule{}}
	if sp.UseSystemPicker.Set && sp.UseSystemPicker.V {
		t.UseSystemPicker = true
		diags = append(diags, providers.Warnf(warning.DisplayMediaSystemPicker, sp.UseSystemPicker.Range,
			"useSystemPicker is experimental and available on macOS 15+ only (Electron docs, session.setDisplayMediaRequestHandler). Where the system picker is available Electron does not call the handler, so the rules of this block do not apply there: the user picks any screen or window. Elsewhere it has no effect and the rules apply.",
			"use_system_picker replaces the rules on macOS 15+ and does nothing elsewhere"))
	}
	if len(sp.Rules) == 0 {
		diags = append(diags, providers.Warnf(warning.DisplayMediaNoRules, sp.DeclRange,
			"With no rule the handler denies every getDisplayMedia() call (callback(null)). Add rule \"NAME\" { origins = […] decision = \"allow\" screens = […] } for the pages that may share, or remove the block.",
			"display_media block without rules denies every request"))
	}
	// Rule names are unique: the language refuses a repeated label.
	for i, r := range sp.Rules {
		cr, rd := compileRule(r)
		diags = append(diags, rd...)
		for j := range t.Rules {
			if i > maxShadowRules || rd.HasErrors() {
				break
			}
			if permission.OriginsCover(t.Rules[j].Origins, cr.Origins) {
				diags = append(diags, providers.Warnf(warning.DisplayMediaShadowed, r.DeclRange,
					fmt.Sprintf("Rules are tried in order and the first whose origins match decides; every origin rule %q matches is matched by the earlier rule %q (%s), so rule %q never decides. Put the more specific rule first.", r.Name, t.Rules[j].Name, sp.Rules[j].DeclRange.String(), r.Name),
					"display_media rule %q is shadowed by rule %q", r.Name, t.Rules[j].Name))
				break
			}
		}
		t.Rules = append(t.Rules, cr)
	}
	return t, diags
}

func compileRule(r *RuleSpec) (Rule, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	out := Rule{Name: r.Name, Screens: []string{}, Windows: []string{}}
	switch {
	case !r.Decision.Set:
		diags = append(diags, providers.Errorf(r.DeclRange, `Every rule needs decision = "allow" (grant a source the rule names) or "deny".`, "display_media rule %q has no decision", r.Name))
	case r.Decision.V == "allow" || r.Decision.V == "deny":
		out.Decision = r.Decision.V
	default:
		diags = append(diags, providers.Errorf(r.Decision.Range, `decision must be "allow" or "deny".`, "invalid decision %q in display_media rule %q", r.Decision.V, r.Name))
	}
	if r.Origins.Set {
		origins, live, od := permission.CompileOrigins(r.Origins, warning.DisplayMediaOrigin)
		out.Origins = origins
		diags = append(diags, od...)
		if live == 0 && !diags.HasErrors() {
			diags = append(diags, providers.Warnf(warning.DisplayMediaOrigin, r.Origins.Range,
				"No origin pattern of the rule can match a URL, so the rule never decides. Remove the rule or list the origins of the pages.",
				"display_media rule %q can never match", r.Name))
		}
	}
	for _, l := range []struct {
		list schema.StringList
		attr string
		dst  *[]string
	}{{r.Screens, "screens", &out.Screens}, {r.Windows, "windows", &out.Windows}} {
		for _, it := range l.list.Items {
			switch {
			case it.V == "":
				diags = append(diags, providers.Errorf(it.Range, globSyntax+" An empty pattern matches no source.", "empty name pattern in %s of display_media rule %q", l.attr, r.Name))
			case strings.TrimSpace(it.V) != it.V:
				diags = append(diags, providers.Errorf(it.Range, globSyntax+" Spaces around the pattern are compared too; remove them.", "name pattern %q in %s has surrounding spaces", it.V, l.attr))
			default:
				*l.dst = append(*l.dst, it.V)
			}
		}
	}
	if r.Audio.Set {
		out.Audio = r.Audio.V
	}
	// Empty lists and audio = false are allowed, so that a partition can
	// turn a profile's allow rule into a deny rule (blocks merge attribute
	// by attribute).
	if out.Decision == "deny" {
		for _, a := range []struct {
			set  bool
			rng  hcl.Range
			name string
		}{{len(r.Screens.Items) > 0, r.Screens.Range, "screens"}, {len(r.Windows.Items) > 0, r.Windows.Range, "windows"}, {r.Audio.Set && r.Audio.V, r.Audio.Range, "audio"}} {
			if a.set {
				diags = append(diags, providers.Errorf(a.rng, "A deny rule grants nothing, so it takes only origins and decision. Remove the attribute (where it comes from a profile, set it to [] or false), or make the rule decision = \"allow\".", "%s in deny rule %q", a.name, r.Name))
			}
		}
	}
	if out.Decision == "allow" && len(out.Screens) == 0 && len(out.Windows) == 0 && !diags.HasErrors() {
		diags = append(diags, providers.Warnf(warning.DisplayMediaNoSource, r.DeclRange,
			"An allow rule grants the first listed source its screens or windows patterns match; with neither it grants nothing and denies the origins it matches. Add screens = [\"*\"] or windows = [\"TITLE*\"], or write decision = \"deny\".",
			"allow rule %q names no screen or window", r.Name))
	}
	if out.Audio && out.Decision == "allow" {
		diags = append(diags, providers.Warnf(warning.DisplayMediaLoopback, r.Audio.Range,
			"audio: 'loopback' captures system audio and is currently supported on Windows only (Electron docs, Streams.audio); elsewhere the stream has no system audio. Keep it for a Windows fleet.",
			"audio loopback works on Windows only"))
	}
	return out, diags
}
