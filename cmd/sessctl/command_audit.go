package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newAuditCmd()) }

// exitFindings is audit's exit code for findings at or above --fail-on:
// like plan's and drift's --detailed-exitcode, 2 means "found something",
// and 1 stays "error" (docs/usage.md, Exit codes).
const exitFindings = 2

// auditFinding is one finding of `sessctl audit`, with the partitions
// that share it (a finding in a profile is found in every partition that
// uses it, once).
type auditFinding struct {
	providers.Finding
	Check      providers.Check
	Partitions []string
}

type jsonAuditFinding struct {
	Code       string     `json:"code"`
	Severity   string     `json:"severity"`
	Family     string     `json:"family"`
	Title      string     `json:"title"`
	Summary    string     `json:"summary"`
	Detail     string     `json:"detail"`
	Why        string     `json:"why"`
	Fix        string     `json:"fix"`
	Partitions []string   `json:"partitions"`
	Range      *jsonRange `json:"range,omitempty"`
	Snippet    string     `json:"snippet,omitempty"`
}

func newAuditCmd() *cobra.Command {
	var (
		asJSON  bool
		failOn  string
		ignores []string
	)
	cmd := &cobra.Command{
		Use:   "audit [PATH]",
		Short: "Review a configuration against Electron's security checklist",
		Long: `audit reviews the configuration's partitions against Electron's security
checklist (https://www.electronjs.org/docs/latest/tutorial/security) and
prints each finding with its code (A001…), severity, the checklist item it
cites, and the place in the configuration it is about. The checks are
listed in docs/audit.md. It reads the configuration and the files it names
(preloads, extensions); it does not read the state or write anything.

Severities are low, medium, high and critical. audit exits 2 when a
finding is at or above --fail-on (default high), 0 otherwise, and 1 on an
error (a configuration that does not load, an unknown code or severity),
as plan and drift do with --detailed-exitcode; a CI job fails on any
non-zero exit.

A finding you reviewed and accept is acknowledged as a warning is: its
code in ignore_warnings (partition, profile or sessctl block), or --ignore
CODE for this run. Acknowledged findings are counted, not listed, and do
not fail the run. plan, apply and validate show the findings of high and
critical severity as warnings with the same codes.

--json prints {"format_version", "fail_on", "failed", "counts",
"acknowledged_count", "findings": [...]}, each finding with code,
severity, family, title, summary, detail, why (checklist URL), fix,
partitions, range and snippet.`,
		Example: `  sessctl audit
  sessctl audit --fail-on critical --json ./config
  sessctl audit --ignore A010`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			threshold, ok := providers.ParseSeverity(failOn)
			if !ok {
				return fail(cmd, fmt.Sprintf("unknown severity %q for --fail-on", failOn), "The severities are low, medium, high and critical.")
			}
			ignored := map[warning.Code]bool{}
			for _, c := range ignores {
				code := warning.Code(strings.ToUpper(strings.TrimSpace(c)))
				if _, ok := providers.LookupCheck(code); !ok {
					return fail(cmd, fmt.Sprintf("sessctl has no audit check %q", c), "The checks are listed in docs/audit.md (codes A001 and up).")
				}
				ignored[code] = true
			}
			cfg, err := loadConfig(cmd, configPath(args))
			if err != nil {
				return err
			}
			found, acked, diags := runAudit(cfg, ignored)
			if diags.HasErrors() {
				printDiags(cmd.ErrOrStderr(), cfg, diags)
				return exitWith(exitError)
			}
			failed := false
			counts := map[string]int{}
			for _, f := range found {
				counts[f.Check.Severity.String()]++
				failed = failed || f.Check.Severity >= threshold
			}
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), auditJSON(cfg, found, threshold, failed, counts, acked)); err != nil {
					return err
				}
			} else {
				printAudit(cmd, cfg, found, threshold, failed, counts, acked)
			}
			if failed {
				return exitWith(exitFindings)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the findings as JSON")
	cmd.Flags().StringVar(&failOn, "fail-on", "high", "exit 2 when a finding has this `SEVERITY` or a higher one (low, medium, high, critical)")
	cmd.Flags().StringArrayVar(&ignores, "ignore", nil, "leave out the findings of audit check `CODE` (repeatable)")
	return cmd
}

// runAudit runs every check on every partition of cfg. It returns the
// findings to report, most severe first, then in source order, and the
// number acknowledged by ignore_warnings or --ignore.
func runAudit(cfg *schema.Config, ignored map[warning.Code]bool) ([]*auditFinding, int, hcl.Diagnostics) {
	provs := providers.All()
	ctx := providers.NewContext(cfg)
	type key struct {
		code    warning.Code
		subject hcl.Range
		summary string
	}
	byKey := map[key]*auditFinding{}
	var out []*auditFinding
	acked := 0
	var diags hcl.Diagnostics
	for _, p := range cfg.Partitions {
		fs, ds := providers.Audit(ctx, provs, p)
		diags = append(diags, ds...)
		for _, f := range fs {
			if ignored[f.Code] || cfg.Acknowledges(p, f.Code) {
				acked++
				continue
			}
			k := key{f.Code, f.Subject, f.Summary}
			if af := byKey[k]; af != nil {
				af.Partitions = append(af.Partitions, p.Name)
				continue
			}
			chk, _ := providers.LookupCheck(f.Code)
			af := &auditFinding{Finding: f, Check: chk, Partitions: []string{p.Name}}
			byKey[k] = af
			out = append(out, af)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Check.Severity != b.Check.Severity {
			return a.Check.Severity > b.Check.Severity
		}
		if a.Subject.Filename != b.Subject.Filename {
			return a.Subject.Filename < b.Subject.Filename
		}
		if a.Subject.Start.Byte != b.Subject.Start.Byte {
			return a.Subject.Start.Byte < b.Subject.Start.Byte
		}
		return a.Code < b.Code
	})
	return out, acked, diags
}

// diagnostic is f as printed: a coded warning whose summary starts with
// the severity, whose detail ends with the fix and the checklist item.
func (f *auditFinding) diagnostic() *hcl.Diagnostic {
	d := f.Diagnostic()
	d.Summary = "(" + f.Check.Severity.String() + ") " + f.Summary
	d.Detail = f.Detail + " " + f.Check.Fix + "\nPartitions: " + strings.Join(quoteEach(f.Partitions), ", ") +
		"\nElectron security checklist: " + f.Check.Why
	return d
}

func quoteEach(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func printAudit(cmd *cobra.Command, cfg *schema.Config, found []*auditFinding, threshold providers.Severity, failed bool, counts map[string]int, acked int) {
	w := cmd.OutOrStdout()
	if len(found) > 0 {
		diags := make(hcl.Diagnostics, len(found))
		for i, f := range found {
			diags[i] = f.diagnostic()
		}
		// The findings are the command's output: standard output, in
		// severity order (printDiagsFiles would sort them by place).
		dw := hcl.NewDiagnosticTextWriter(escapingWriter{w: w}, sources(cfg), 0, false)
		_ = dw.WriteDiagnostics(withCodes(diags))
	}
	var parts []string
	for s := providers.SeverityCritical; s >= providers.SeverityLow; s-- {
		if n := counts[s.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	summary := "no findings"
	if len(parts) > 0 {
		summary = fmt.Sprintf("%d finding(s): %s", len(found), strings.Join(parts, ", "))
	}
	if acked > 0 {
		summary += fmt.Sprintf("; %d acknowledged not shown", acked)
	}
	verdict := "none at or above " + threshold.String()
	if failed {
		verdict = "some at or above " + threshold.String() + " (exit 2)"
	}
	fmt.Fprintf(w, "Audit of %d partition(s): %s; %s.\n", len(cfg.Partitions), summary, verdict)
}

func auditJSON(cfg *schema.Config, found []*auditFinding, threshold providers.Severity, failed bool, counts map[string]int, acked int) any {
	out := struct {
		FormatVersion     string             `json:"format_version"`
		FailOn            string             `json:"fail_on"`
		Failed            bool               `json:"failed"`
		Counts            map[string]int     `json:"counts"`
		AcknowledgedCount int                `json:"acknowledged_count"`
		Findings          []jsonAuditFinding `json:"findings"`
	}{FormatVersion: "1.0", FailOn: threshold.String(), Failed: failed, Counts: map[string]int{}, AcknowledgedCount: acked, Findings: []jsonAuditFinding{}}
	for s := providers.SeverityLow; s <= providers.SeverityCritical; s++ {
		out.Counts[s.String()] = counts[s.String()]
	}
	files := sources(cfg)
	for _, f := range found {
		r := f.Subject
		jf := jsonAuditFinding{Code: string(f.Code), Severity: f.Check.Severity.String(), Family: f.Check.Family,
			Title: f.Check.Title, Summary: f.Summary, Detail: f.Detail, Why: f.Check.Why, Fix: f.Check.Fix,
			Partitions: f.Partitions,
			Range: &jsonRange{Filename: r.Filename,
				Start: jsonPos{r.Start.Line, r.Start.Column, r.Start.Byte},
				End:   jsonPos{r.End.Line, r.End.Column, r.End.Byte}}}
		if file := files[r.Filename]; file != nil {
			jf.Snippet = snippet(file.Bytes, r)
		}
		out.Findings = append(out.Findings, jf)
	}
	return out
}
