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
				return writeJSON(w, entries)
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
	cmd.AddCommand(list, hist)
	return cmd
}
