package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/permission"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newCheckPermissionCmd()) }

func newCheckPermissionCmd() *cobra.Command {
	var (
		partition   string
		perm        string
		origin      string
		handler     string
		mediaTypes  []string
		externalURL string
		mainFrame   bool
		explain     bool
		asJSON      bool
	)
	cmd := &cobra.Command{
		Use:   "check-permission [DIR] --partition NAME --permission NAME --origin ORIGIN",
		Short: "Predict whether a partition's permission handlers allow a permission",
		Long: `check-permission evaluates one permission request or check against the
compiled permissions table of a partition — the table the Electron adapter
evaluates — and prints "allow" or "deny", then a line saying which rule, the
default, or Electron's own default (no permissions block) decided.

--origin is what Electron passes: details.requestingUrl for the request
handler (--handler request, the default), requestingOrigin for the check
handler (--handler check). --media-types gives details.mediaTypes (requests)
or details.mediaType (checks) for the "media" permission; --external-url the
details.externalURL of "openExternal". --main-frame=false for subframes.
--explain adds, for each rule consulted before the decision, the first
condition that did not hold (handler, permission, main frame, media types,
external URL, origin).
--json prints {"format_version", "decision", "allow", "rule", "ruleIndex",
"source", "request"} (and "steps" with --explain).`,
		Example: `  sessctl check-permission ./conf --partition persist:work --permission notifications --origin https://chat.corp.example/
  sessctl check-permission --partition persist:work --permission media --media-types audio,video --origin https://meet.example/
  sessctl check-permission --partition persist:work --handler check --permission serial --origin https://tools.example`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			stderr := cmd.ErrOrStderr()
			if !cmd.Flags().Changed("partition") {
				return fmt.Errorf("--partition is required (use \"\" for the default session)")
			}
			if perm == "" {
				return fmt.Errorf("--permission is required")
			}
			if !cmd.Flags().Changed("origin") {
				return fmt.Errorf("--origin is required: the requesting URL (request handler) or origin (check handler); \"null\" for an opaque origin")
			}
			if !permission.IsName(perm) {
				msg := fmt.Sprintf("--permission: %q is not a permission Electron %d passes to its handlers", perm, providers.CurrentElectronMajor)
				if c := permission.Closest(perm); c != "" {
					msg += fmt.Sprintf("; did you mean %q?", c)
				}
				return fmt.Errorf("%s", msg)
			}
			if handler != "request" && handler != "check" {
				return fmt.Errorf("--handler must be \"request\" or \"check\", not %q", handler)
			}
			for _, m := range mediaTypes {
				if m != "audio" && m != "video" && !(m == "unknown" && handler == "check") {
					return fmt.Errorf("--media-types: %q is not a media type Electron passes to the %s handler (audio, video%s)", m, handler, map[bool]string{true: ", unknown", false: ""}[handler == "check"])
				}
			}
			if handler == "check" && len(mediaTypes) > 1 {
				return fmt.Errorf("--media-types: the check handler receives one details.mediaType; give one value")
			}
			table, p, err := compilePartition(cmd, configPath(args), partition, permission.Compile)
			if err != nil {
				return err
			}
			req := permission.Request{
				Handler: handler, Permission: perm, Origin: origin,
				MediaTypes: mediaTypes, ExternalURL: externalURL, IsMainFrame: mainFrame,
			}
			if note := unreachableNote(req); note != "" {
				fmt.Fprintf(stderr, "Note: %s\n", note)
			}
			for _, u := range []string{origin, externalURL} {
				if strings.IndexFunc(u, func(r rune) bool { return r >= 0x80 }) >= 0 {
					fmt.Fprintf(stderr, "Note: %q has non-ASCII characters; Electron passes URLs canonicalised, with hosts in punycode (xn--…), and sessctl compares them as given.\n", u)
				}
			}
			d := permission.Decide(table, req)
			out := cmd.OutOrStdout()
			var steps []permission.Step
			if explain {
				steps = permission.Explain(table, req)
			}
			if asJSON {
				return writeJSON(out, struct {
					FormatVersion string `json:"format_version"`
					permission.Decision
					Request permission.Request `json:"request"`
					Steps   []permission.Step  `json:"steps,omitempty"`
				}{jsonFormatVersion, d, req, steps})
			}
			fmt.Fprintln(out, d.Decision)
			for _, st := range steps {
				if !st.Matched {
					fmt.Fprintf(out, "# rule %q: %s does not match\n", st.Rule, st.Reason)
				}
			}
			fmt.Fprintf(out, "# %s\n", explainDecision(d, p))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&partition, "partition", "p", "", "partition `NAME`")
	f.StringVar(&perm, "permission", "", "permission `NAME` as Electron passes it (notifications, media, …)")
	f.StringVar(&origin, "origin", "", "requesting `URL` (request handler) or origin (check handler)")
	f.StringVar(&handler, "handler", "request", "which handler asks: `request` or check")
	f.StringSliceVar(&mediaTypes, "media-types", nil, "media `TYPES` of a media permission (audio,video; checks: one of audio, video, unknown)")
	f.StringVar(&externalURL, "external-url", "", "`URL` of an openExternal request")
	f.BoolVar(&mainFrame, "main-frame", true, "whether the requesting frame is the main frame")
	f.BoolVar(&explain, "explain", false, "say why each earlier rule did not match")
	f.BoolVar(&asJSON, "json", false, "print the decision as JSON")
	return cmd
}

// explainDecision says in words what decided.
func explainDecision(d permission.Decision, p *schema.Partition) string {
	switch d.Source {
	case "rule":
		where := ""
		if pb := permission.Key.Of(p); pb != nil && d.RuleIndex >= 0 && d.RuleIndex < len(pb.Rules) {
			where = fmt.Sprintf(" (%s)", pb.Rules[d.RuleIndex].NameRange.String())
		}
		return fmt.Sprintf("rule %q%s", d.Rule, where)
	case "default":
		return fmt.Sprintf("no rule matched: default %q", d.Decision)
	default:
		return "no permissions block: Electron's default (grant everything, except the deprecated-sync-clipboard-read check)"
	}
}

// unreachableNote warns when the asked combination is one Electron never
// produces, so the answer is hypothetical.
func unreachableNote(r permission.Request) string {
	switch {
	case r.Handler == "request" && oneOf(r.Permission, "serial", "hid", "usb", "deprecated-sync-clipboard-read"):
		return fmt.Sprintf("Electron %d raises %q only as a permission check (--handler check); the request handler never sees it.", providers.CurrentElectronMajor, r.Permission)
	case r.Handler == "check" && oneOf(r.Permission, "fullscreen", "openExternal"):
		return fmt.Sprintf("Electron %d raises %q only through the request handler; no check call site exists (docs/electron-facts.md §5).", providers.CurrentElectronMajor, r.Permission)
	case len(r.MediaTypes) > 0 && r.Permission != "media":
		return "--media-types only accompany the \"media\" permission."
	case r.ExternalURL != "" && r.Permission != "openExternal":
		return "--external-url only accompanies the \"openExternal\" permission."
	}
	return ""
}

func oneOf(s string, list ...string) bool {
	for _, x := range list {
		if strings.EqualFold(s, x) && s == x {
			return true
		}
	}
	return false
}
