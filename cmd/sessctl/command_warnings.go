package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/warning"
)

func init() { rootCmd.AddCommand(newWarningsCmd()) }

// jsonWarning is one code in `sessctl warnings --json`.
type jsonWarning struct {
	Code        string `json:"code"`
	Family      string `json:"family"`
	Title       string `json:"title"`
	Acknowledge string `json:"acknowledge"`
	Retired     bool   `json:"retired,omitempty"`
}

func newWarningsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "warnings [CODE...]",
		Short: "List the warning codes, or explain some",
		Long: `warnings lists every warning sessctl can print, with its stable code, the
setting family that raises it and what it is about. With codes as arguments
it explains those, and when acknowledging them is the right answer.

A warning that is accurate but known (you reviewed it and the configuration
is what you want) can be acknowledged with its code, so it stops repeating
on every plan without hiding new warnings:

  partition "persist:work" {
    ignore_warnings = ["W101"]   # <local> is meant: intranet names bypass
  }

ignore_warnings in a partition acknowledges the warnings its settings raise,
including those of the profiles it merges; in a profile, those of every
partition that uses the profile; in the sessctl block, every warning of the
configuration. Errors cannot be acknowledged. An unknown code is an error.`,
		Example: `  sessctl warnings
  sessctl warnings W101`,
		RunE: func(cmd *cobra.Command, args []string) error {
			infos := warning.All()
			if len(args) > 0 {
				infos = infos[:0]
				for _, a := range args {
					in, ok := warning.Lookup(warning.Code(strings.ToUpper(a)))
					if !ok {
						return fail(cmd, fmt.Sprintf("sessctl has no warning %q", a), "`sessctl warnings` lists the codes (docs/warnings.md).")
					}
					infos = append(infos, in)
				}
			}
			if asJSON {
				out := struct {
					FormatVersion string        `json:"format_version"`
					Warnings      []jsonWarning `json:"warnings"`
				}{FormatVersion: "1.0", Warnings: []jsonWarning{}}
				for _, in := range infos {
					out.Warnings = append(out.Warnings, jsonWarning{string(in.Code), in.Family, in.Title, in.Acknowledge, in.Retired})
				}
				return writeJSON(cmd.OutOrStdout(), out)
			}
			w := cmd.OutOrStdout()
			if len(args) > 0 {
				for i, in := range infos {
					if i > 0 {
						fmt.Fprintln(w)
					}
					fmt.Fprintf(w, "%s (%s): %s\n", in.Code, in.Family, in.Title)
					if in.Retired {
						fmt.Fprintln(w, "  Retired: sessctl no longer raises it; ignore_warnings entries naming it still load.")
					}
					fmt.Fprintf(w, "  Acknowledge it when: %s\n", in.Acknowledge)
					fmt.Fprintf(w, "  How: ignore_warnings = [%q] in the partition, a profile it uses, or the sessctl block.\n", in.Code)
				}
				return nil
			}
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tFAMILY\tWARNING")
			for _, in := range infos {
				title := in.Title
				if in.Retired {
					title += " (retired)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", in.Code, in.Family, title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the codes as JSON")
	return cmd
}
