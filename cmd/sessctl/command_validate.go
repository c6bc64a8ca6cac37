package main

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/reconcile"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newValidateCmd()) }

func newValidateCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate [PATH]",
		Short: "Check a configuration without reading or writing state",
		Long: `validate loads the configuration and runs every provider's checks (grammar,
enums, referenced files) without touching the state or the output directory.

--json prints a stable machine-readable form: {"format_version", "valid",
"error_count", "warning_count", "acknowledged_count", "diagnostics": [...]},
each diagnostic with severity, code (warnings), summary, detail and a range
(filename, start/end line, column, byte). Warnings acknowledged by an
ignore_warnings list are counted, not listed.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, _, diags := reconcile.LoadAndBuild(loadOptions(configPath(args)))
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), diagnosticsJSON(cfg, diags)); err != nil {
					return err
				}
			} else {
				printDiags(cmd.ErrOrStderr(), cfg, diags)
				if !diags.HasErrors() {
					n := 0
					if cfg != nil {
						n = len(cfg.Partitions)
					}
					ack := ""
					if _, k := warning.Split(diags); k > 0 {
						ack = fmt.Sprintf("; %d acknowledged warning(s) not shown", k)
					}
					fmt.Fprintf(cmd.OutOrStdout(), "Success! The configuration is valid (%d partitions%s).\n", n, ack)
				}
			}
			if diags.HasErrors() {
				return exitWith(exitError)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonDiag struct {
	Severity string `json:"severity"`
	// Code is a warning's stable code (docs/warnings.md).
	Code    string     `json:"code,omitempty"`
	Summary string     `json:"summary"`
	Detail  string     `json:"detail,omitempty"`
	Range   *jsonRange `json:"range,omitempty"`
	Snippet string     `json:"snippet,omitempty"`
	// Count is how many identical diagnostics from this place this one
	// stands for (a profile or for_each body used by several partitions);
	// absent when it is one.
	Count int `json:"count,omitempty"`
}

// diagnosticsJSON is the stable machine-readable form of validate.
func diagnosticsJSON(cfg *schema.Config, diags hcl.Diagnostics) any {
	out := struct {
		FormatVersion string `json:"format_version"`
		Valid         bool   `json:"valid"`
		ErrorCount    int    `json:"error_count"`
		WarningCount  int    `json:"warning_count"`
		// AcknowledgedCount counts the warnings that ignore_warnings
		// lists acknowledged; they are not in Diagnostics.
		AcknowledgedCount int        `json:"acknowledged_count"`
		Diagnostics       []jsonDiag `json:"diagnostics"`
	}{FormatVersion: "1.0", Valid: !diags.HasErrors(), Diagnostics: []jsonDiag{}}
	files := sources(cfg)
	shown, acked := warning.Split(diags)
	out.AcknowledgedCount = acked
	for _, d := range sortDiags(shown) {
		jd := jsonDiag{Summary: d.Summary, Detail: d.Detail, Severity: "error", Code: string(warning.CodeOf(d))}
		if n := warning.CountOf(d); n > 1 {
			jd.Count = n
		}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
			out.WarningCount++
		} else {
			out.ErrorCount++
		}
		if d.Subject != nil {
			r := d.Subject
			jd.Range = &jsonRange{Filename: r.Filename,
				Start: jsonPos{r.Start.Line, r.Start.Column, r.Start.Byte},
				End:   jsonPos{r.End.Line, r.End.Column, r.End.Byte}}
			if f := files[r.Filename]; f != nil {
				jd.Snippet = snippet(f.Bytes, *r)
			}
		}
		out.Diagnostics = append(out.Diagnostics, jd)
	}
	return out
}

// snippet returns the source line(s) of rng.
func snippet(src []byte, rng hcl.Range) string {
	start := rng.Start.Byte
	end := rng.End.Byte
	if start < 0 || start > len(src) || end < start || end > len(src) {
		return ""
	}
	for start > 0 && src[start-1] != '\n' {
		start--
	}
	for end < len(src) && src[end] != '\n' {
		end++
	}
	return string(src[start:end])
}
