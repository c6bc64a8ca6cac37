package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/actionq"
	"github.com/sessctl/sessctl/providers/maintenance"
	"github.com/sessctl/sessctl/reconcile"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newActionCmd()) }

func newActionCmd() *cobra.Command {
	var (
		asJSON              bool
		storages, quotas    []string
		origin, captureMode string
		maxSize             int64
		lockTimeout         time.Duration
	)
	cmd := &cobra.Command{
		Use:   "action PARTITION NAME [URL | start | stop]",
		Short: "Queue a one-shot action (clear a cache, download a URL, capture a net log) for the app to run once",
		Long: `action appends a one-shot action for a partition to the queue in the output
directory (actions.json). The Electron app's adapter runs each queued action
exactly once, in order, on the partition's session, and records the result
in <output>/status/actions/<ID>.json: never again on a re-apply, a resync or
an app restart. A failed action is retried only with 'sessctl action retry ID'.
'sessctl action status' shows pending, done and failed actions.

Actions (the Electron call in brackets):
  clear-cache                  ses.clearCache()
  clear-storage-data           ses.clearStorageData({storages, quotas, origin})
                               --storages cookies,localstorage --quotas temporary
                               --origin https://app.corp.example
  clear-auth-cache             ses.clearAuthCache()
  clear-host-resolver-cache    ses.clearHostResolverCache()
  flush-storage-data           ses.flushStorageData()
  force-reload-proxy-config    ses.forceReloadProxyConfig()
  close-all-connections        ses.closeAllConnections()
  get-cache-size               ses.getCacheSize(): the result is {"bytes": N}
  download-url URL             ses.downloadURL(URL), into the session's download path
  net-log start | stop         ses.netLog.startLogging(file, {maxFileSize}) into
                               <output>/status/netlog/, --max-size BYTES (default
                               100 MiB), --capture-mode; stop: ses.netLog.stopLogging()

The partition must have been applied (it is looked up in the state).
To declare actions in the configuration instead, see the maintenance block
(docs/actions.md).`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, action := args[0], args[1]
			a := map[string]any{}
			flagFor := map[string]string{"storages": "clear-storage-data", "quotas": "clear-storage-data", "origin": "clear-storage-data",
				"max-size": "net-log", "capture-mode": "net-log"}
			for _, f := range sortedFlagNames(flagFor) {
				if cmd.Flags().Changed(f) && action != flagFor[f] {
					return fail(cmd, fmt.Sprintf("--%s is an option of %s, not of %s", f, flagFor[f], action), "")
				}
			}
			switch action {
			case "download-url":
				if len(args) != 3 {
					return fail(cmd, "download-url needs the URL to download", "sessctl action PARTITION download-url https://files.corp.example/setup.zip")
				}
				a["url"] = args[2]
			case "net-log":
				if len(args) != 3 || args[2] != "start" && args[2] != "stop" {
					return fail(cmd, "net-log needs start or stop", "sessctl action PARTITION net-log start [--max-size BYTES]")
				}
				a["command"] = args[2]
				if args[2] == "start" {
					a["max_file_size"] = maxSize
					if captureMode != "" {
						a["capture_mode"] = captureMode
					}
				} else if cmd.Flags().Changed("max-size") || cmd.Flags().Changed("capture-mode") {
					return fail(cmd, "net-log stop takes no options", "")
				}
			default:
				if len(args) == 3 {
					return fail(cmd, fmt.Sprintf("%s takes no argument (got %q)", action, args[2]), "")
				}
			}
			if action == "clear-storage-data" {
				if cmd.Flags().Changed("storages") {
					a["storages"] = lowerAll(storages)
				}
				if cmd.Flags().Changed("quotas") {
					a["quotas"] = lowerAll(quotas)
				}
				if cmd.Flags().Changed("origin") {
					a["origin"] = origin
				}
			}
			if err := actionq.Check(action, a); err != nil {
				return fail(cmd, err.Error(), "")
			}
			if o, ok := a["origin"].(string); ok {
				a["origin"], _ = maintenance.CanonicalOrigin(o)
			}
			st, loc, err := openRecorded(cmd)
			if err != nil {
				return err
			}
			rec, err := recordedPartition(cmd, st, loc, name)
			if err != nil {
				return err
			}
			return queueAction(cmd, st, loc, lockTimeout, actionq.Entry{Partition: rec.Name, Action: action, Args: a}, asJSON)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the queued action as JSON")
	f.StringSliceVar(&storages, "storages", nil, "clear-storage-data: storage `TYPES` to clear (cookies, filesystem, indexdb, localstorage, shadercache, serviceworkers, cachestorage; default all)")
	f.StringSliceVar(&quotas, "quotas", nil, "clear-storage-data: quota `TYPES` to clear (temporary; default all)")
	f.StringVar(&origin, "origin", "", "clear-storage-data: clear only this `ORIGIN` (scheme://host[:port])")
	f.Int64Var(&maxSize, "max-size", actionq.DefaultNetLogBytes, "net-log start: stop the capture when the file reaches `BYTES` (at most 1 GiB)")
	f.StringVar(&captureMode, "capture-mode", "", "net-log start: default, includeSensitive (cookies, credentials) or everything (socket bytes)")
	f.DurationVar(&lockTimeout, "lock-timeout", 10*time.Second, "how long to wait for another writer to release the state")
	addDirFlag(cmd)
	cmd.AddCommand(newActionStatusCmd(), newActionRetryCmd())
	return cmd
}

func sortedFlagNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func lowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(strings.TrimSpace(s))
	}
	return out
}

// actionViews reads the recorded state and the action queue of its
// output directory, with what the adapter recorded of each action.
func actionViews(cmd *cobra.Command) (*reconcile.State, reconcile.Locations, []actionq.View, error) {
	st, loc, err := openRecorded(cmd)
	if err != nil {
		return nil, loc, nil, err
	}
	out := st.OutputDirOr(loc.OutputDir)
	views, err := actionq.Status(out, filepath.Join(out, reconcile.StatusDir))
	if err != nil {
		return nil, loc, nil, fail(cmd, "cannot read the action queue: "+err.Error(), "")
	}
	return st, loc, views, nil
}

// recordedPartition returns the state's record of a partition ("persist:"
// alone names the default session), or fails naming the partitions.
func recordedPartition(cmd *cobra.Command, st *reconcile.State, loc reconcile.Locations, name string) (*reconcile.Record, error) {
	key := name
	if key == schema.PersistPrefix {
		key = ""
	}
	if rec := st.Records[key]; rec != nil {
		return rec, nil
	}
	var names []string
	for _, n := range st.Names() {
		names = append(names, quote(n))
	}
	return nil, fail(cmd, fmt.Sprintf("partition %q is not in the state %s", name, loc.StatePath),
		fmt.Sprintf("partitions applied: [%s]", strings.Join(names, ", ")))
}

// queueAction appends e to the queue under the state's writer lock (which
// serialises appends) and prints it.
func queueAction(cmd *cobra.Command, st *reconcile.State, loc reconcile.Locations, timeout time.Duration, e actionq.Entry, asJSON bool) error {
	out := st.OutputDirOr(loc.OutputDir)
	lk, err := lockState(cmd, loc.StatePath, "action", timeout)
	if err != nil {
		return err
	}
	defer lk.Release()
	e, err = actionq.Append(out, e, time.Now())
	if err != nil {
		return fail(cmd, "cannot queue the action: "+err.Error(), "")
	}
	v := actionq.View{Entry: e, State: "pending", Result: json.RawMessage("null")}
	w := cmd.OutOrStdout()
	if asJSON {
		return writeJSON(w, actionJSON{FormatVersion: jsonFormatVersion, OutputDir: out, Action: v})
	}
	what := "Queued"
	if e.RetryOf != "" {
		what = "Queued a retry of " + e.RetryOf + " as"
	}
	fmt.Fprintf(w, "%s action %s: %s on partition %s.\n", what, e.ID, describeAction(e), quote(e.Partition))
	fmt.Fprintf(w, "The app runs it once (its adapter follows %s); see 'sessctl action status %s'.\n", out, e.ID)
	return nil
}

type actionJSON struct {
	FormatVersion string       `json:"format_version"`
	OutputDir     string       `json:"output_dir"`
	Action        actionq.View `json:"action"`
}

// describeAction is the action and its arguments on one line.
func describeAction(e actionq.Entry) string {
	s := e.Action
	keys := make([]string, 0, len(e.Args))
	for k := range e.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, _ := json.Marshal(e.Args[k])
		s += " " + k + "=" + string(b)
	}
	return s
}

func newActionStatusCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [ID]",
		Short: "Show queued actions: pending, running, done and failed, with their results",
		Long: `status lists the actions queued with 'sessctl action', in queue order, with
what the app's adapter recorded for each (<output>/status/actions/<ID>.json):
pending (not taken up yet: the app is not running, or the partition has no
session yet), running, done (with the call's result) or failed (with
Electron's error, or why the adapter refused it). With an ID, that action in
full.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, loc, views, err := actionViews(cmd)
			if err != nil {
				return err
			}
			out := st.OutputDirOr(loc.OutputDir)
			if len(args) == 1 {
				id := args[0]
				var one []actionq.View
				for _, v := range views {
					if v.ID == id {
						one = append(one, v)
					}
				}
				if len(one) == 0 {
					return fail(cmd, fmt.Sprintf("no action %q in %s", id, filepath.Join(out, actionq.QueueFile)), "")
				}
				views = one
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, actionStatusJSON{FormatVersion: jsonFormatVersion, OutputDir: out, Actions: views})
			}
			if len(args) == 1 {
				renderActionDetail(w, views[0])
				return nil
			}
			renderActionTable(w, views, out)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the actions as JSON")
	addDirFlag(cmd)
	return cmd
}

type actionStatusJSON struct {
	FormatVersion string         `json:"format_version"`
	OutputDir     string         `json:"output_dir"`
	Actions       []actionq.View `json:"actions"`
}

func renderActionTable(w io.Writer, views []actionq.View, out string) {
	if len(views) == 0 {
		fmt.Fprintf(w, "No actions queued in %s.\n", out)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPARTITION\tACTION\tSTATE\tRESULT")
	counts := map[string]int{}
	for _, v := range views {
		counts[v.State]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.ID, quote(v.Partition), describeAction(v.Entry), v.State, resultText(v))
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d pending, %d running, %d done, %d failed.\n", counts["pending"], counts["running"], counts["done"], counts["failed"])
}

func resultText(v actionq.View) string {
	switch {
	case v.Error != nil:
		s := *v.Error
		if len(v.RetriedBy) > 0 {
			s += " (retried as " + strings.Join(v.RetriedBy, ", ") + ")"
		}
		return s
	case len(v.Result) > 0 && string(v.Result) != "null":
		return compactJSON(v.Result)
	}
	return ""
}

// compactJSON is raw on one line (raw itself when it does not parse).
func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

func renderActionDetail(w io.Writer, v actionq.View) {
	fmt.Fprintf(w, "action %s\n", v.ID)
	fmt.Fprintf(w, "  partition  %s\n", quote(v.Partition))
	fmt.Fprintf(w, "  action     %s\n", describeAction(v.Entry))
	fmt.Fprintf(w, "  queued     %s\n", v.QueuedAt)
	if v.RetryOf != "" {
		fmt.Fprintf(w, "  retry of   %s\n", v.RetryOf)
	}
	fmt.Fprintf(w, "  state      %s\n", v.State)
	if v.StartedAt != nil {
		fmt.Fprintf(w, "  started    %s\n", *v.StartedAt)
	}
	if v.FinishedAt != nil {
		fmt.Fprintf(w, "  finished   %s\n", *v.FinishedAt)
	}
	if len(v.Result) > 0 && string(v.Result) != "null" {
		fmt.Fprintf(w, "  result     %s\n", compactJSON(v.Result))
	}
	if v.Error != nil {
		fmt.Fprintf(w, "  error      %s\n", *v.Error)
	}
	if len(v.RetriedBy) > 0 {
		fmt.Fprintf(w, "  retried as %s\n", strings.Join(v.RetriedBy, ", "))
	}
}

func newActionRetryCmd() *cobra.Command {
	var (
		asJSON      bool
		lockTimeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "retry ID",
		Short: "Queue a failed action again, under a new ID",
		Long: `retry queues a failed action again with the same partition, action and
arguments, under a new ID that records which one it repeats. Only a failed
action is retried: an action is never run twice on its own, and one that is
pending, running or done is refused.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, loc, views, err := actionViews(cmd)
			if err != nil {
				return err
			}
			out := st.OutputDirOr(loc.OutputDir)
			for _, v := range views {
				if v.ID != args[0] {
					continue
				}
				if v.State != "failed" {
					return fail(cmd, fmt.Sprintf("action %s is %s: only a failed action is retried", v.ID, v.State), "")
				}
				if _, err := recordedPartition(cmd, st, loc, v.Partition); err != nil {
					return err
				}
				e := v.Entry
				e.RetryOf = v.ID
				return queueAction(cmd, st, loc, lockTimeout, e, asJSON)
			}
			return fail(cmd, fmt.Sprintf("no action %q in %s", args[0], filepath.Join(out, actionq.QueueFile)), "")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the queued retry as JSON")
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 10*time.Second, "how long to wait for another writer to release the state")
	addDirFlag(cmd)
	return cmd
}
