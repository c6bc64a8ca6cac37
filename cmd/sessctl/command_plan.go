package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/reconcile"
)

func init() { rootCmd.AddCommand(newPlanCmd()) }

func newPlanCmd() *cobra.Command {
	var (
		asJSON   bool
		detailed bool
		out      string
		destroy  bool
		full     bool
	)
	cmd := &cobra.Command{
		Use:   "plan [PATH]",
		Short: "Show what apply would change, against the recorded state and the world",
		Long: `plan loads the configuration at PATH (a directory of *.hcl / *.hcl.json files,
or one file; default "."), compares it with the state recorded by the last
apply and with the profile files on disk, and prints what apply would do.

Exit codes: 0 success, 1 error; with --detailed-exitcode: 0 no changes,
1 error, 2 changes present.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			noFastPath = full
			p, err := makePlan(cmd, configPath(args), destroy, false)
			if err != nil {
				return err
			}
			if out != "" {
				if err := reconcile.WritePlanFile(out, p.Plan); err != nil {
					return err
				}
			}
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), planJSON(p.Plan)); err != nil {
					return err
				}
			} else {
				renderPlan(cmd.OutOrStdout(), p.Plan, useColor(cmd.OutOrStdout()))
				if in := p.Incremental; in != nil && in.Blocks == 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "\n(No partition block changed since the last apply: none was evaluated, the %d partitions are as applied and intact; their warnings are the last evaluation's. plan --full evaluates everything.)\n", in.Kept)
				} else if in != nil {
					fmt.Fprintf(cmd.OutOrStdout(), "\n(Evaluated only what changed since the last apply: %d partition block(s); %d other partitions are as applied and intact. plan --full evaluates everything.)\n", in.Blocks, in.Kept)
				}
				if out != "" {
					fmt.Fprintf(cmd.OutOrStdout(), "\nSaved the plan to: %s\nTo perform exactly these actions, run: sessctl apply %s\n", out, out)
				}
			}
			if detailed && p.Plan.HasChanges() {
				return exitWith(exitChanges)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the plan as JSON")
	f.BoolVar(&detailed, "detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none")
	f.StringVar(&out, "out", "", "save the plan to `FILE` for `sessctl apply FILE`")
	f.BoolVar(&destroy, "destroy", false, "plan the removal of every partition")
	addTakeOwnershipFlag(cmd)
	f.BoolVar(&planVerbose, "verbose", false, "show the compiled profile fields (the Electron arguments) instead of the HCL view")
	f.BoolVar(&full, "full", false, "evaluate the whole configuration and check every written file by content, even where the last apply's plan cache says nothing changed (re-runs every check, e.g. file permissions)")
	return cmd
}

// makePlan loads, builds and plans, printing diagnostics. Configuration
// errors return an exit error after the diagnostics were printed.
// noFastPath is plan's --full.
var noFastPath bool

// takeOwnership is --take-ownership of plan, apply and destroy.
var takeOwnership bool

func addTakeOwnershipFlag(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&takeOwnership, "take-ownership", false,
		"plan and apply even if the state or the output directory belongs to another configuration, and make this one their owner")
}

// quiet suppresses warnings (when planning a second time under the lock).
func makePlan(cmd *cobra.Command, path string, destroy, quiet bool) (*reconcile.Planned, error) {
	return makePlanRead(cmd, path, destroy, quiet, nil)
}

// makePlanRead is makePlan reusing what reconcile.LocateRead read.
func makePlanRead(cmd *cobra.Command, path string, destroy, quiet bool, read *reconcile.ConfigRead) (*reconcile.Planned, error) {
	p, err := reconcile.MakePlan(reconcile.Request{
		Read:      read,
		Load:      streamOptions(path),
		StateFlag: global.state,
		Environ:   os.Environ(),
		Destroy:   destroy,
		// --full on plan; apply and destroy always take what plan decides.
		NoFastPath:    noFastPath,
		TakeOwnership: takeOwnership,
	})
	if err != nil {
		return nil, err
	}
	if !quiet || p.Diags.HasErrors() {
		printDiags(cmd.ErrOrStderr(), p.Config, p.Diags)
	}
	if p.Diags.HasErrors() || p.Plan == nil {
		return nil, exitWith(exitError)
	}
	return p, nil
}

// planJSON is `plan --json`: the plan data (the "plan" object of a saved
// plan file) plus the summary, under the --json format_version (which
// shadows the plan's own, the saved plan file's version).
func planJSON(p *reconcile.Plan) any {
	add, change, destroy := p.Counts()
	if p.Changes == nil {
		// "changes" is always an array.
		cp := *p
		cp.Changes = []*reconcile.Change{}
		p = &cp
	}
	return struct {
		FormatVersion string `json:"format_version"`
		*reconcile.Plan
		Summary map[string]int `json:"summary"`
	}{jsonFormatVersion, p, map[string]int{"add": add, "change": change, "destroy": destroy, "unchanged": p.Unchanged}}
}
