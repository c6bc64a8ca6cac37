package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers/certificate"
)

func init() { rootCmd.AddCommand(newVerifyCertCmd()) }

func newVerifyCertCmd() *cobra.Command {
	var (
		partition string
		asJSON    bool
		chainFile string
		result    string
		knownRoot bool
	)
	cmd := &cobra.Command{
		Use:   "verify-cert [DIR] --partition NAME HOSTNAME",
		Short: "Predict the certificate verify callback code for a host name",
		Long: `verify-cert evaluates a host name against a partition's certificate
blocks — the compiled table the adapter's setCertificateVerifyProc evaluates
— and prints the callback code on the first line (0 accept, -2 reject,
-3 Chromium's own result, or a net::ERR_CERT_* code), then a line naming the
code and the certificate block (or default) that decided.

Blocks with conditions (pins, issuer, known_root, errors) apply only when
all of them hold; the request fields they test are given by:
  --chain FILE      the PEM chain the server presents, leaf first: its
                    SPKI pins and the leaf's issuer common name. Pins are
                    checked against the whole chain only when --result is
                    net::OK (Chromium verified it), otherwise the leaf's.
  --result NAME     Chromium's own result (request.errorCode): net::OK
                    (default) or a net::ERR_CERT_* name.
  --known-root      request.isIssuedByKnownRoot is true.
Each block whose host matched but whose conditions did not hold is listed
with the reason.
--json prints {"format_version", "code", "name", "verify", "rule", "ruleIndex",
"source", "skipped", "hostname", "meaning"}, where meaning says what Electron
does with the code.`,
		Example: `  sessctl verify-cert ./conf --partition persist:work internal.corp.example
  sessctl verify-cert --partition persist:work --json github.com
  sessctl verify-cert -p persist:work --chain server.pem --result net::ERR_CERT_AUTHORITY_INVALID api.corp.example`,
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
			table, p, err := compilePartition(cmd, dir, partition, certificate.Compile)
			if err != nil {
				return err
			}
			req := &certificate.Request{Hostname: host, KnownRoot: knownRoot}
			if result != "" && strings.ToUpper(strings.TrimPrefix(result, "net::")) != "OK" {
				code, ok := certificate.CodeOf(result)
				if !ok {
					return fmt.Errorf("--result %q is not net::OK or a certificate error of net_error_list.h", result)
				}
				req.ErrorCode = code
			}
			if chainFile != "" {
				data, err := os.ReadFile(chainFile)
				if err != nil {
					return err
				}
				chain, err := certificate.ParsePEMChain(data)
				if err != nil {
					return fmt.Errorf("%s: %w", chainFile, err)
				}
				req.SPKI = certificate.ChainSPKI(chain, req.ErrorCode)
				req.IssuerName = chain[0].Issuer.CommonName
			}
			r := certificate.VerifyRequest(table, req)
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
			for _, s := range r.Skipped {
				fmt.Fprintf(out, "# certificate %q skipped: %s\n", s.Rule, s.Why)
			}
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
	f.StringVar(&chainFile, "chain", "", "PEM `FILE` of the certificate chain the server presents, leaf first")
	f.StringVar(&result, "result", "", "Chromium's own verification result `NAME` (net::OK or net::ERR_CERT_*)")
	f.BoolVar(&knownRoot, "known-root", false, "the chain ends at a publicly known root (isIssuedByKnownRoot)")
	return cmd
}
