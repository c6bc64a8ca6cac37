package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers/webrequest"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newCheckRequestCmd()) }

func newCheckRequestCmd() *cobra.Command {
	var (
		method       string
		resourceType string
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:   "check-request [DIR] PARTITION URL [--method M] [--resource-type T]",
		Short: "Predict what a partition's web_request rules do with a request",
		Long: `check-request evaluates one request against the compiled web_request table
of a partition — the table the Electron adapter's onBeforeRequest and
onBeforeSendHeaders listeners evaluate (docs/web-request.md) — and prints
the decision: "cancel", "redirect URL", "headers" (followed by one
"set NAME: VALUE" or "remove NAME" line per header) or "allow", then a
line saying which rule decided and where it is written.

URL is the request's URL (details.url), --method its method
(details.method, default GET) and --resource-type its resource type
(details.resourceType: mainFrame, subFrame, stylesheet, script, image,
font, object, xhr, ping, cspReport, media, webSocket or other; default
mainFrame).
--json prints {"format_version", "decision", "rule", "ruleIndex",
"redirectUrl", "headerRules", "setHeaders", "removeHeaders", "source",
"request"}.`,
		Example: `  sessctl check-request ./conf persist:work https://ads.example/banner.js --resource-type script
  sessctl check-request persist:work https://portal.corp.example/old/x --json`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			var dir []string
			if len(args) == 3 {
				dir, args = args[:1], args[1:]
			}
			if resourceType != "other" && !isOneOf(resourceType, webrequest.ResourceTypes) {
				return fmt.Errorf("--resource-type %q is not one of %s, other", resourceType, strings.Join(webrequest.ResourceTypes, ", "))
			}
			if method == "" || strings.ContainsAny(method, " \t\r\n:") {
				return fmt.Errorf("--method %q is not an HTTP method", method)
			}
			table, p, err := compilePartition(cmd, configPath(dir), args[0], webrequest.Compile)
			if err != nil {
				return err
			}
			req := webrequest.Request{URL: args[1], Method: method, ResourceType: resourceType}
			d := webrequest.Decide(table, req)
			src := requestSources(d, p)
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, struct {
					FormatVersion string `json:"format_version"`
					webrequest.Result
					Source  []string           `json:"source"`
					Request webrequest.Request `json:"request"`
				}{jsonFormatVersion, d, src, req})
			}
			switch d.Decision {
			case webrequest.ActionRedirect:
				fmt.Fprintf(out, "redirect %s\n", d.RedirectURL)
			case webrequest.ActionHeaders:
				fmt.Fprintln(out, "headers")
				for _, h := range d.SetHeaders {
					fmt.Fprintf(out, "set %s: %s\n", h.Name, h.Value)
				}
				for _, h := range d.RemoveHeaders {
					fmt.Fprintf(out, "remove %s\n", h)
				}
			default:
				fmt.Fprintln(out, d.Decision)
			}
			fmt.Fprintf(out, "# %s\n", explainRequest(d, table, src))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&method, "method", "GET", "HTTP `METHOD` (details.method)")
	f.StringVar(&resourceType, "resource-type", "mainFrame", "resource `TYPE` (details.resourceType)")
	f.BoolVar(&asJSON, "json", false, "print the decision as JSON")
	return cmd
}

func isOneOf(s string, l []string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// requestSources is "file:line" of each rule that decided: the cancel or
// redirect rule, or every header rule that applied.
func requestSources(d webrequest.Result, p *schema.Partition) []string {
	src := []string{}
	byName := map[string]string{}
	for _, b := range webrequest.Blocks(p) {
		byName[b.Name] = fmt.Sprintf("%s:%d", b.DeclRange.Filename, b.DeclRange.Start.Line)
	}
	if d.Rule != "" {
		src = append(src, byName[d.Rule])
	}
	for _, n := range d.HeaderRules {
		src = append(src, byName[n])
	}
	return src
}

// explainRequest says in words what decided, with where it is written.
func explainRequest(d webrequest.Result, t *webrequest.Table, src []string) string {
	switch {
	case t == nil:
		return "no web_request block: Electron sends the request unchanged"
	case d.Decision == webrequest.ActionCancel:
		return fmt.Sprintf("web_request %q (%s) cancels it: net::ERR_BLOCKED_BY_CLIENT", d.Rule, src[0])
	case d.Decision == webrequest.ActionRedirect:
		return fmt.Sprintf("web_request %q (%s) redirects it; the new request is checked again", d.Rule, src[0])
	case d.Decision == webrequest.ActionHeaders:
		parts := make([]string, len(d.HeaderRules))
		for i, n := range d.HeaderRules {
			parts[i] = fmt.Sprintf("%q (%s)", n, src[i])
		}
		return "header rules applied in order, later ones winning for the same header: " + strings.Join(parts, ", ")
	}
	return "no web_request rule matches it: sent unchanged"
}
