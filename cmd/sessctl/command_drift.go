package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/reconcile"
)

func init() { rootCmd.AddCommand(newDriftCmd()) }

func newDriftCmd() *cobra.Command {
	var asJSON, detailed bool
	cmd := &cobra.Command{
		Use:   "drift [PATH]",
		Short: "Report how the world moved away from what was applied, without changing anything",
		Long: `drift plans like 'sessctl plan' and reports its findings in two groups:

  corrective   the world moved: a profile file edited, deleted or replaced by
               a symlink, index.json edited, a download directory removed, a
               custom dictionary edited, a referenced file (preload script,
               extension manifest, PAC file, file() argument) changed since
               the last apply. 'sessctl apply' (or watch) repairs them.
  app          the Electron app did not apply what sessctl applied, as the
               adapter's status files in <output>/status say (not applied,
               older revision, rejected, fields Electron refused, retained
               values). Checked only once the adapter has created status/.
  intentional  the configuration changed and was not applied yet.

Edits of profile fields listed in a partition's ignore_drift are not drift.
Nothing is written.

Exit codes: 0 success, 1 error; with --detailed-exitcode: 0 no drift,
1 error, 2 drift found (intentional changes alone exit 0: use
'sessctl plan --detailed-exitcode' for them).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := makePlan(cmd, configPath(args), false, false)
			if err != nil {
				return err
			}
			r := reconcile.NewDriftReport(p.Plan)
			st, err := reconcile.ReadState(p.Loc.StatePath)
			if err != nil {
				return err
			}
			r.AddAppStatus(st)
			applied := st.OutputDirOr(p.Loc.OutputDir)
			r.Unknown = reconcile.UnknownOutputFiles(applied, st.Records)
			// The plan flags index.json only when nothing else rewrites
			// it; drift reports it whatever else changed.
			if !r.IndexModified && reconcile.IndexDiffers(applied, st.Records) {
				r.IndexModified = true
			}
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), driftJSON(r, applied)); err != nil {
					return err
				}
			} else {
				renderDrift(cmd.OutOrStdout(), r)
			}
			if detailed && r.HasDrift() {
				return exitWith(exitChanges)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when drift was found, 0 when none")
	return cmd
}

// Kinds of index.json findings in `drift --json`.
const (
	driftIndexModified = "index-modified"
	driftIndexMissing  = "index-missing"
)

// driftIndexFinding is a finding about index.json itself: it is no
// partition's, so it has its own list in `drift --json`.
type driftIndexFinding struct {
	Kind    string `json:"kind"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// driftJSON is `drift --json`: every group the text report prints, each
// always present (arrays empty when there is nothing). indexDir is where
// the last apply wrote index.json.
func driftJSON(r *reconcile.DriftReport, indexDir string) any {
	out := struct {
		FormatVersion string                        `json:"format_version"`
		StatePath     string                        `json:"state_path"`
		OutputDir     string                        `json:"output_dir"`
		StateSerial   uint64                        `json:"state_serial"`
		Partitions    int                           `json:"partitions"`
		HasDrift      bool                          `json:"has_drift"`
		Corrective    []reconcile.Finding           `json:"corrective"`
		Index         []driftIndexFinding           `json:"index"`
		UnknownFiles  []string                      `json:"unknown_files"`
		App           []reconcile.Finding           `json:"app"`
		Intentional   []reconcile.IntentionalChange `json:"intentional"`
	}{
		FormatVersion: jsonFormatVersion, StatePath: r.StatePath, OutputDir: r.OutputDir,
		StateSerial: r.StateSerial, Partitions: r.Partitions, HasDrift: r.HasDrift(),
		Corrective: findingsOrEmpty(r.Corrective), Index: []driftIndexFinding{}, UnknownFiles: []string{},
		App: findingsOrEmpty(r.App), Intentional: []reconcile.IntentionalChange{},
	}
	if r.IndexModified {
		path := filepath.Join(indexDir, reconcile.IndexFile)
		f := driftIndexFinding{Kind: driftIndexModified, Path: path,
			Message: fmt.Sprintf("%s in %s differs from what was applied", reconcile.IndexFile, indexDir)}
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			f.Kind = driftIndexMissing
			f.Message = fmt.Sprintf("%s in %s is missing", reconcile.IndexFile, indexDir)
		}
		out.Index = append(out.Index, f)
	}
	out.UnknownFiles = append(out.UnknownFiles, r.Unknown...)
	out.Intentional = append(out.Intentional, r.Intentional...)
	return out
}

// renderDrift prints a drift report: corrective findings first, grouped
// by partition, then the intentional changes.
func renderDrift(w io.Writer, r *reconcile.DriftReport) {
	if len(r.Corrective) == 0 && !r.IndexModified {
		fmt.Fprintf(w, "No drift: the profiles in %s match what was applied (%d partitions).\n", r.OutputDir, r.Partitions)
	} else {
		n := len(r.Corrective)
		if r.IndexModified {
			n++
		}
		fmt.Fprintf(w, "Drift: %d finding(s) since the last apply (corrective; 'sessctl apply' repairs them):\n", n)
		last := "\x00"
		for _, f := range r.Corrective {
			if f.Partition != last {
				fmt.Fprintf(w, "\n  partition %s\n", quote(f.Partition))
				last = f.Partition
			}
			fmt.Fprintf(w, "    %-20s %s\n", f.Kind, f.Message)
		}
		if r.IndexModified {
			fmt.Fprintf(w, "\n  %s in %s differs from what was applied\n", reconcile.IndexFile, r.OutputDir)
		}
	}
	if len(r.Unknown) > 0 {
		fmt.Fprintf(w, "\nFiles in %s that sessctl did not write (left as they are; the adapter reads only what index.json names):\n", r.OutputDir)
		for _, f := range r.Unknown {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	if len(r.App) > 0 {
		fmt.Fprintf(w, "\nThe app is not in sync (adapter status files in %s/%s):\n", r.OutputDir, reconcile.StatusDir)
		for _, f := range r.App {
			fmt.Fprintf(w, "  partition %s: %-23s %s\n", quote(f.Partition), f.Kind, f.Message)
		}
	}
	if len(r.Intentional) > 0 {
		// A referenced file that changed is both a finding and the cause
		// of the profile change it brings: say so rather than leave two
		// unrelated-looking lines.
		inputChanged := map[string]bool{}
		for _, f := range r.Corrective {
			if f.Kind == reconcile.DriftInputChanged {
				inputChanged[f.Partition] = true
			}
		}
		fmt.Fprintf(w, "\nConfiguration changes not applied yet (intentional; see 'sessctl plan'):\n")
		for _, c := range r.Intentional {
			s := fmt.Sprintf("  %s partition %s", c.Action, quote(c.Partition))
			if len(c.Fields) > 0 && c.Action != reconcile.Create && c.Action != reconcile.Delete {
				// HCL names, as the plan prints them.
				s += " (" + strings.Join(hclFieldNamesOf(c.Fields), ", ") + ")"
				if len(c.Reencoded) > 0 {
					s += "; re-encoded, same value: " + strings.Join(hclFieldNamesOf(c.Reencoded), ", ")
				}
			}
			if c.Action == reconcile.Update && inputChanged[c.Partition] {
				s += ", following the referenced file that changed (above)"
			}
			fmt.Fprintln(w, s)
		}
	}
}

func hclFieldNamesOf(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = hclFieldName(f)
	}
	return out
}
