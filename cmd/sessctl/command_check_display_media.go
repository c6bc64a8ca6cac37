package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers/displaymedia"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newCheckDisplayMediaCmd()) }

func newCheckDisplayMediaCmd() *cobra.Command {
	var (
		partition string
		sources   []string
		audio     bool
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "check-display-media [DIR] --partition NAME ORIGIN --source TYPE:NAME...",
		Short: "Predict which screen or window a partition's display media handler grants",
		Long: `check-display-media evaluates one getDisplayMedia() request against the
compiled display_media table of a partition — the table the Electron
adapter's setDisplayMediaRequestHandler handler evaluates — and prints the
granted source ("screen:Entire Screen") or "deny" on the first line, then a
line saying which rule decided (or that no rule matched, or that there is no
display_media block, so Electron rejects the request).

ORIGIN is the request's securityOrigin. Each --source is TYPE:NAME, TYPE
"screen" or "window" and NAME the DesktopCapturerSource name, given in the
order desktopCapturer.getSources lists them: the first source the deciding
rule's patterns match is granted. --audio says the page asked for audio
(request.audioRequested); the answer then carries audio loopback when the
rule allows it.
--json prints {"format_version", "allow", "source", "audio", "rule",
"ruleIndex", "reason", "request"}.`,
		Example: `  sessctl check-display-media ./conf --partition persist:meet https://meet.corp.example --source "screen:Entire Screen" --source "window:Slack"
  sessctl check-display-media -p persist:meet --audio --json https://meet.corp.example --source "window:Team Slides"`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			stderr := cmd.ErrOrStderr()
			if !cmd.Flags().Changed("partition") {
				return fmt.Errorf("--partition is required (use \"\" for the default session)")
			}
			dir, origin := ".", args[0]
			if len(args) == 2 {
				dir, origin = args[0], args[1]
			}
			if origin == "" {
				return fmt.Errorf("ORIGIN is empty: give the request's securityOrigin, e.g. https://meet.corp.example")
			}
			req := displaymedia.Request{Origin: origin, AudioRequested: audio, Sources: []displaymedia.Source{}}
			for _, s := range sources {
				typ, name, ok := strings.Cut(s, ":")
				if !ok || (typ != "screen" && typ != "window") {
					return fmt.Errorf("--source %q: write TYPE:NAME with TYPE \"screen\" or \"window\", e.g. \"screen:Entire Screen\" or \"window:Slack\"", s)
				}
				req.Sources = append(req.Sources, displaymedia.Source{Type: typ, Name: name})
			}
			table, p, err := compilePartition(cmd, dir, partition, displaymedia.Compile)
			if err != nil {
				return err
			}
			if len(req.Sources) == 0 {
				fmt.Fprintln(stderr, "Note: no --source given; an allow rule has nothing to grant.")
			}
			d := displaymedia.Decide(table, req)
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, struct {
					FormatVersion string `json:"format_version"`
					displaymedia.Decision
					Request displaymedia.Request `json:"request"`
				}{jsonFormatVersion, d, req})
			}
			if d.Allow {
				line := d.Source.Type + ":" + d.Source.Name
				if d.Audio != "" {
					line += " +audio " + d.Audio
				}
				fmt.Fprintln(out, line)
			} else {
				fmt.Fprintln(out, "deny")
			}
			fmt.Fprintf(out, "# %s\n", explainDisplayMedia(d, p, table))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&partition, "partition", "p", "", "partition `NAME`")
	f.StringArrayVar(&sources, "source", nil, "a source `TYPE:NAME` (screen or window), in the order Electron lists them; repeat")
	f.BoolVar(&audio, "audio", false, "the page asked for audio (request.audioRequested)")
	f.BoolVar(&asJSON, "json", false, "print the decision as JSON")
	return cmd
}

// explainDisplayMedia says in words what decided.
func explainDisplayMedia(d displaymedia.Decision, p *schema.Partition, t *displaymedia.Table) string {
	where := ""
	if sp := displaymedia.Key.Of(p); sp != nil && d.RuleIndex >= 0 && d.RuleIndex < len(sp.Rules) {
		where = fmt.Sprintf(" (%s)", sp.Rules[d.RuleIndex].NameRange.String())
	}
	switch d.Reason {
	case "rule":
		s := fmt.Sprintf("rule %q%s granted the first listed source its patterns match", d.Rule, where)
		if d.Audio == "" && t != nil && t.Rules[d.RuleIndex].Audio {
			s += "; no audio: the page did not ask for it"
		}
		return s
	case "deny-rule":
		return fmt.Sprintf("rule %q%s denies: callback(null)", d.Rule, where)
	case "no-source":
		return fmt.Sprintf("rule %q%s matched the origin but none of the listed sources: callback(null)", d.Rule, where)
	case "default":
		return "no rule matched the origin: denied by default (callback(null))"
	default:
		return "no display_media block: no handler, so Electron rejects getDisplayMedia()"
	}
}
