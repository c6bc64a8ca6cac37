package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers/certificate"
)

func init() { rootCmd.AddCommand(newVerifyCertCmd()) }

func newVerifyCertCmd() *cobra.Command {
	var (
		partition string
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "verify-cert [DIR] --partition NAME HOSTNAME",
		Short: "Predict the certificate verify callback code for a host name",
		Long: `verify-cert evaluates a host name against a partition's certificate
blocks — the compiled table the adapter's setCertificateVerifyProc evaluates
— and prints the callback code on the first line (0 accept, -2 reject,
-3 Chromium's own result, or a net::ERR_CERT_* code), then a line naming the
code and the certificate block (or default) that decided.
--json prints {"format_version", "code", "name", "verify", "rule", "ruleIndex",
"source", "hostname", "meaning"}, where meaning says what Electron does with the code.`,
		Example: `  sessctl verify-cert ./conf --partition persist:work internal.corp.example
  sessctl verify-cert --partition persist:work --json github.com`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("partition") {
				return fmt.Errorf("--partition is required (use \"\" for the default session)")
			}
			dir, host := ".", args[0]
			if len(args) == 2 {
				dir, host = args[0], args[1]
			}
			if host == "" {
				return fmt.Errorf("HOSTNAME is empty")
			}
			if strings.Contains(host, "://") || strings.ContainsAny(host, "/?#") {
				return fmt.Errorf("%q is not a host name: setCertificateVerifyProc receives request.hostname, e.g. \"internal.corp.example\"", host)
			}
			cfg, p, pctx, err := loadPartition(cmd, dir, partition)
			if err != nil {
				return err
			}
			table, diags := certificate.Compile(pctx, p)
			printDiags(cmd.ErrOrStderr(), cfg, diags)
			if diags.HasErrors() {
				return exitWith(exitError)
			}
			r := certificate.Verify(table, host)
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, struct {
					FormatVersion string `json:"format_version"`
					certificate.Result
					Hostname string `json:"hostname"`
					Meaning  string `json:"meaning"`
				}{jsonFormatVersion, r, certificate.NormalizeHostname(host), certificate.Meaning(r.Code)})
			}
			fmt.Fprintln(out, r.Code)
			switch r.Source {
			case "rule":
				where := ""
				if r.RuleIndex >= 0 && r.RuleIndex < len(table.Rules) {
					// Compile keeps valid blocks in order; find the block by
					// pattern for its position.
					for _, c := range certificate.Blocks(p) {
						if c.Host == r.Rule {
							where = fmt.Sprintf(" (%s)", c.HostRange.String())
							break
						}
					}
				}
				what := r.Verify
				if what != r.Name {
					what += " (" + r.Name + ")"
				}
				fmt.Fprintf(out, "# %s: certificate %q%s\n", what, r.Rule, where)
				fmt.Fprintf(out, "# %d: %s\n", r.Code, certificate.Meaning(r.Code))
			case "default":
				fmt.Fprintf(out, "# chromium (%s): no certificate block matched\n", r.Name)
				fmt.Fprintf(out, "# %d: %s\n", r.Code, certificate.Meaning(r.Code))
			default:
				fmt.Fprintf(out, "# no certificate blocks: no verify proc is installed; Chromium verifies as usual\n")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&partition, "partition", "p", "", "partition `NAME`")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}
