package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/reconcile"
)

func init() { rootCmd.AddCommand(newStateCmd()) }

func sortStrings(s []string) { sort.Strings(s) }

func newStateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Inspect the recorded state",
	}
	var listJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the partitions recorded in the state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, loc, err := openRecorded(cmd)
			if err != nil {
				return err
			}
			if listJSON {
				return writeJSON(cmd.OutOrStdout(), stateSummaryJSON(st, loc))
			}
			// Which state and output directory: on stderr, so that the
			// names on stdout stay one per line for scripts.
			fmt.Fprintf(cmd.ErrOrStderr(), "State: %s (%s)\nProfiles: %s\n", loc.StatePath, loc.StateSource, st.OutputDirOr(loc.OutputDir))
			for _, name := range st.Names() {
				fmt.Fprintf(cmd.OutOrStdout(), "%s\n", quote(name))
			}
			return nil
		},
	}
	list.Flags().BoolVar(&listJSON, "json", false, "print JSON")
	addDirFlag(list)

	var from string
	var force, recoverJSON bool
	var lockTimeout time.Duration
	recov := &cobra.Command{
		Use:   "recover",
		Short: "Rebuild a lost or unreadable state from the output directory",
		Long: `recover rebuilds the state of the configuration at --dir from its output
directory (or --from DIR): index.json and every profile it names, each
verified against its digest and re-rendered byte for byte, so that only what
sessctl wrote is trusted. Nothing is written unless every profile verifies.
A damaged state file is renamed to STATE.damaged-TIME, never deleted. The
profiles keep their revisions. The next 'sessctl plan' shows no changes when
the outputs match the configuration.

A state that opens and records partitions is refused unless --force.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			loc, err := locateRecorded(cmd)
			if err != nil {
				return err
			}
			lk, err := lockState(cmd, loc.StatePath, "recover", lockTimeout)
			if err != nil {
				return err
			}
			defer lk.Release()
			res, err := reconcile.RecoverState(loc, from, force)
			if err != nil {
				return fail(cmd, err.Error(), "")
			}
			if recoverJSON {
				if res.Partitions == nil {
					res.Partitions = []string{}
				}
				return writeJSON(cmd.OutOrStdout(), struct {
					FormatVersion string `json:"format_version"`
					*reconcile.Recovered
				}{jsonFormatVersion, res})
			}
			w := cmd.OutOrStdout()
			if res.MovedAside != "" {
				fmt.Fprintf(w, "Kept the previous state file as %s.\n", res.MovedAside)
			}
			fmt.Fprintf(w, "Recovered %d partition(s) from %s into %s (serial %d).\n", len(res.Partitions), res.OutputDir, res.StatePath, res.Serial)
			fmt.Fprintln(w, "Run 'sessctl plan' to compare them with the configuration.")
			return nil
		},
	}
	recov.Flags().StringVar(&from, "from", "", "the output `DIR` to rebuild from (default: the configuration's)")
	recov.Flags().BoolVar(&force, "force", false, "replace a state that opens (it is kept aside)")
	recov.Flags().BoolVar(&recoverJSON, "json", false, "print what was recovered as JSON")
	recov.Flags().DurationVar(&lockTimeout, "lock-timeout", 10*time.Second, "how long to wait for another writer to release the state")
	addDirFlag(recov)

	var histJSON bool
	var limit int
	hist := &cobra.Command{
		Use:   "history",
		Short: "Show the append-only apply history, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, loc, err := openRecorded(cmd)
			if err != nil {
				return err
			}
			entries, err := reconcile.History(loc.StatePath, limit)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if histJSON {
				if entries == nil {
					entries = []reconcile.HistoryEntry{}
				}
				return writeJSON(w, struct {
					FormatVersion string                   `json:"format_version"`
					StatePath     string                   `json:"state_path"`
					Entries       []reconcile.HistoryEntry `json:"entries"`
				}{jsonFormatVersion, loc.StatePath, entries})
			}
			if len(entries) == 0 {
				fmt.Fprintln(w, "No history: nothing was applied with this state yet.")
				return nil
			}
			for _, e := range entries {
				fmt.Fprintf(w, "serial %-5d %s  %-7s +%d ~%d -%d", e.Serial, e.Time.UTC().Format(time.RFC3339), e.Operation, e.Add, e.Change, e.Destroy)
				if len(e.Partitions) > 0 {
					fmt.Fprintf(w, "  %v", e.Partitions)
				}
				fmt.Fprintln(w)
			}
			return nil
		},
	}
	hist.Flags().BoolVar(&histJSON, "json", false, "print JSON")
	hist.Flags().IntVar(&limit, "limit", 20, "show at most `N` entries (0: all)")
	addDirFlag(hist)
	cmd.AddCommand(list, hist, recov)
	return cmd
}
