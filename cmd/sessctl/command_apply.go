package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/reconcile"
)

func init() {
	rootCmd.AddCommand(newApplyCmd())
	rootCmd.AddCommand(newDestroyCmd())
}

func newApplyCmd() *cobra.Command {
	var autoApprove bool
	var lockTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "apply [PATH | PLANFILE]",
		Short: "Write the Electron profiles the configuration describes and record them",
		Long: `apply plans like 'sessctl plan', shows the plan and asks for confirmation
(unless --auto-approve), then writes one profile per partition and index.json
atomically into the output directory and records the result in the state.

With a PLANFILE saved by 'sessctl plan --out', apply performs exactly the
actions that plan showed, without asking, and refuses if the state changed
since the plan was made.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := configPath(args)
			if reconcile.IsPlanFile(path) {
				return applySaved(cmd, path, lockTimeout)
			}
			return applyConfig(cmd, path, false, autoApprove, lockTimeout)
		},
	}
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "apply without asking for confirmation")
	cmd.Flags().BoolVar(&planVerbose, "verbose", false, "show the compiled profile fields (the Electron arguments) in the plan")
	addTakeOwnershipFlag(cmd)
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 10*time.Second, "how long to wait for another writer to release the state")
	return cmd
}

func newDestroyCmd() *cobra.Command {
	var autoApprove bool
	var lockTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "destroy [PATH]",
		Short: "Remove every profile sessctl wrote for the configuration and forget them",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return applyConfig(cmd, configPath(args), true, autoApprove, lockTimeout)
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

func applyConfig(cmd *cobra.Command, path string, destroy, autoApprove bool, lockTimeout time.Duration) error {
	p, err := makePlan(cmd, path, destroy, false)
	if err != nil {
		return err
	}
	op := "apply"
	if destroy {
		op = "destroy"
	}
	lk, err := lockState(cmd, p.Loc.StatePath, op, lockTimeout)
	if err != nil {
		return err
	}
	defer lk.Release()
	// Another writer may have applied while we waited: plan again under
	// the lock so what we show is what we do.
	if again, err := makePlan(cmd, path, destroy, true); err != nil {
		return err
	} else if again.Plan.StateSerial != p.Plan.StateSerial {
		p = again
	}
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
			return exitWith(exitError)
		}
		fmt.Fprintln(w)
	}
	return doApply(cmd, p.Plan)
}

func confirmed(r io.Reader) bool {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return false
	}
	return strings.TrimSpace(line) == "yes"
}

func applySaved(cmd *cobra.Command, path string, lockTimeout time.Duration) error {
	plan, err := reconcile.ReadPlanFile(path)
	if err != nil {
		return err
	}
	lk, err := lockState(cmd, plan.StatePath, "apply", lockTimeout)
	if err != nil {
		return err
	}
	defer lk.Release()
	return doApply(cmd, plan)
}

func doApply(cmd *cobra.Command, plan *reconcile.Plan) error {
	res, err := reconcile.Apply(plan)
	if err != nil {
		if errors.Is(err, reconcile.ErrStalePlan) || errors.Is(err, reconcile.ErrOwnedByOther) {
			fmt.Fprintf(cmd.ErrOrStderr(), "Error: %s\n", err)
			return exitWith(exitError)
		}
		return err
	}
	w := cmd.OutOrStdout()
	if plan.Destroy {
		fmt.Fprintf(w, "Destroy complete! Partitions: %d destroyed.\n", res.Destroy)
	} else {
		fmt.Fprintf(w, "Apply complete! Partitions: %d added, %d changed, %d destroyed.\n", res.Add, res.Change, res.Destroy)
	}
	fmt.Fprintf(w, "Profiles: %s\n", plan.OutputDir)
	return nil
}
