package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/internal/telemetry"
	"github.com/sessctl/sessctl/reconcile"
)

func init() {
	rootCmd.AddCommand(newApplyCmd())
	rootCmd.AddCommand(newDestroyCmd())
}

func newApplyCmd() *cobra.Command {
	var autoApprove, perPartition bool
	var lockTimeout time.Duration
	var textfile string
	cmd := &cobra.Command{
		Use:   "apply [PATH | PLANFILE]",
		Short: "Write the Electron profiles the configuration describes and record them",
		Long: `apply plans like 'sessctl plan', shows the plan and asks for confirmation
(unless --auto-approve), then writes one profile per partition and index.json
atomically into the output directory and records the result in the state.

With a PLANFILE saved by 'sessctl plan --out', apply performs exactly the
actions that plan showed, without asking, and refuses if the state changed
since the plan was made.

With --metrics-textfile, apply also writes Prometheus metrics (last apply
time and result, changes, drift, the app's status and pending actions,
configuration revision) for node-exporter's textfile collector, after a
failed apply too (sessctl_last_apply_success 0); not when the apply is
cancelled at the prompt. See docs/fleet.md.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := configPath(args)
			if cmd.Flags().Changed("metrics-per-partition") && textfile == "" {
				return fail(cmd, "--metrics-per-partition is an option of --metrics-textfile, which is not given", "")
			}
			if textfile != "" {
				if err := checkTextfilePath(textfile); err != nil {
					return fail(cmd, "--metrics-textfile "+strconv.Quote(textfile)+": "+err.Error(),
						"name a file ending in .prom in an existing directory (node-exporter's --collector.textfile.directory)")
				}
			}
			rec := &applyRecord{}
			var err error
			if reconcile.IsPlanFile(path) {
				err = applySaved(cmd, path, lockTimeout, rec)
			} else {
				err = applyConfig(cmd, path, false, autoApprove, lockTimeout, rec)
			}
			if textfile != "" && !rec.cancelled {
				if werr := writeApplyTextfile(textfile, path, perPartition, rec, err == nil); werr != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "Error: %s\n", werr)
					if err == nil {
						err = exitWith(exitError)
					}
				}
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "apply without asking for confirmation")
	cmd.Flags().BoolVar(&planVerbose, "verbose", false, "show the compiled profile fields (the Electron arguments) in the plan")
	addTakeOwnershipFlag(cmd)
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 10*time.Second, "how long to wait for another writer to release the state")
	cmd.Flags().StringVar(&textfile, "metrics-textfile", "", "write Prometheus metrics of this apply, successful or not, atomically to `FILE.prom` (node-exporter textfile collector)")
	cmd.Flags().BoolVar(&perPartition, "metrics-per-partition", true, "label the drift, app status and pending action metrics by partition (false: one aggregate series each, for hosts with thousands of partitions)")
	return cmd
}

// applyRecord is what an apply did, for its metrics textfile.
type applyRecord struct {
	plan      *reconcile.Plan
	res       *reconcile.Applied
	cancelled bool
}

// checkTextfilePath refuses a --metrics-textfile that node-exporter would
// not read or that cannot be written, before anything is applied.
func checkTextfilePath(p string) error {
	if !strings.HasSuffix(p, ".prom") || filepath.Base(p) == ".prom" {
		return errors.New("the textfile collector reads only files ending in .prom")
	}
	if err := fsx.CheckName(filepath.Base(p)); err != nil {
		return err
	}
	fi, err := os.Stat(filepath.Dir(p))
	if err != nil {
		return fmt.Errorf("its directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", filepath.Dir(p))
	}
	if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
		return errors.New("it is a directory")
	}
	return nil
}

// writeApplyTextfile writes the metrics of the apply rec describes: ok
// says whether it succeeded. A failed apply records its result and keeps
// the other series of the previous file (telemetry.WriteTextfile).
func writeApplyTextfile(textfile, configPath string, perPartition bool, rec *applyRecord, ok bool) error {
	outDir := ""
	if rec.plan != nil {
		outDir = rec.plan.OutputDir
	}
	c := telemetry.NewCollector(perPartition, func() *telemetry.App { return reconcile.ReadAppTelemetry(outDir) })
	now := time.Now()
	if ok && rec.plan != nil {
		c.Record(reconcile.AppliedTelemetry(rec.plan, rec.res, configPath, now))
	} else {
		c.Record(telemetry.Apply{Time: now})
	}
	return telemetry.WriteTextfile(textfile, c)
}

func newDestroyCmd() *cobra.Command {
	var autoApprove bool
	var lockTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "destroy [PATH]",
		Short: "Remove every profile sessctl wrote for the configuration and forget them",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return applyConfig(cmd, configPath(args), true, autoApprove, lockTimeout, &applyRecord{})
		},
	}
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "destroy without asking for confirmation")
	addTakeOwnershipFlag(cmd)
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 10*time.Second, "how long to wait for another writer to release the state")
	return cmd
}

// lockState takes the writer lock, saying who holds it when the wait
// lasts (a second) and printing the holder on failure.
func lockState(cmd *cobra.Command, statePath, op string, timeout time.Duration) (reconcile.Unlocker, error) {
	// Ctrl-C while waiting for another writer gives up the wait cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errw := cmd.ErrOrStderr()
	lk, err := reconcile.LockState(ctx, statePath, op, timeout, func(holder string) {
		fmt.Fprintf(errw, "Waiting for the state lock (up to %s): held by %s\n", timeout, holder)
	})
	if err != nil {
		return nil, fail(cmd, err.Error(), "")
	}
	return lk, nil
}

func applyConfig(cmd *cobra.Command, path string, destroy, autoApprove bool, lockTimeout time.Duration, rec *applyRecord) error {
	op := "apply"
	if destroy {
		op = "destroy"
	}
	// Lock the state, then plan once under the lock: what we show is
	// what we do. The state's location comes from the settings alone
	// (reconcile.LocateRead, which keeps the bytes it read for the plan:
	// a file that changed while the lock was awaited is read again);
	// when they cannot be read the plan comes first, to report why.
	var p *reconcile.Planned
	statePath := ""
	loc, read, err := reconcile.LocateRead(streamOptions(path), global.state, os.Environ())
	if err == nil {
		statePath = loc.StatePath
	} else {
		read = nil
		if p, err = makePlan(cmd, path, destroy, false); err != nil {
			return err
		}
		statePath = p.Loc.StatePath
	}
	lk, err := lockState(cmd, statePath, op, lockTimeout)
	if err != nil {
		return err
	}
	defer func() { lk.Release() }()
	// The plan reuses what LocateRead read when no file changed since.
	if again, err := makePlanRead(cmd, path, destroy, p != nil, read); err != nil {
		return err
	} else {
		p = again
	}
	if p.Loc.StatePath != statePath {
		// The settings changed between the two reads: lock the state
		// the plan uses and plan again under that lock.
		lk.Release()
		if lk, err = lockState(cmd, p.Loc.StatePath, op, lockTimeout); err != nil {
			return err
		}
		if p, err = makePlan(cmd, path, destroy, true); err != nil {
			return err
		}
	}
	rec.plan = p.Plan
	w := cmd.OutOrStdout()
	renderPlan(w, p.Plan, useColor(w))
	if !p.Plan.HasChanges() {
		return nil
	}
	if !autoApprove {
		verb := "perform these actions"
		if destroy {
			verb = "destroy every partition above"
		}
		fmt.Fprintf(w, "\nDo you want to %s?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", verb)
		if !confirmed(cmd.InOrStdin()) {
			fmt.Fprintln(w, "\nApply cancelled.")
			rec.cancelled = true
			return exitWith(exitError)
		}
		fmt.Fprintln(w)
	}
	return doApply(cmd, p.Plan, rec)
}

func confirmed(r io.Reader) bool {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return false
	}
	return strings.TrimSpace(line) == "yes"
}

func applySaved(cmd *cobra.Command, path string, lockTimeout time.Duration, rec *applyRecord) error {
	plan, err := reconcile.ReadPlanFile(path)
	if err != nil {
		return err
	}
	rec.plan = plan
	lk, err := lockState(cmd, plan.StatePath, "apply", lockTimeout)
	if err != nil {
		return err
	}
	defer lk.Release()
	return doApply(cmd, plan, rec)
}

func doApply(cmd *cobra.Command, plan *reconcile.Plan, rec *applyRecord) error {
	res, err := reconcile.Apply(plan)
	if err != nil {
		if errors.Is(err, reconcile.ErrStalePlan) || errors.Is(err, reconcile.ErrOwnedByOther) {
			fmt.Fprintf(cmd.ErrOrStderr(), "Error: %s\n", err)
			return exitWith(exitError)
		}
		return err
	}
	rec.res = res
	w := cmd.OutOrStdout()
	if plan.Destroy {
		fmt.Fprintf(w, "Destroy complete! Partitions: %d destroyed.\n", res.Destroy)
	} else {
		fmt.Fprintf(w, "Apply complete! Partitions: %d added, %d changed, %d destroyed.\n", res.Add, res.Change, res.Destroy)
	}
	fmt.Fprintf(w, "Profiles: %s\n", plan.OutputDir)
	return nil
}
