package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers/useragent"
	"github.com/sessctl/sessctl/reconcile"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newShowCmd()) }

// stateDir is the --dir flag of state-reading commands: the configuration
// whose settings block may name the state file.
var stateDir string

func addDirFlag(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&stateDir, "dir", "C", ".", "configuration `PATH` whose settings block may name the state file")
}

// openRecorded finds the state file (flags, environment, the settings of
// the configuration at --dir when there is one) and reads it.
func openRecorded(cmd *cobra.Command) (*reconcile.State, reconcile.Locations, error) {
	loc, err := locateRecorded(cmd)
	if err != nil {
		return nil, loc, err
	}
	st, err := reconcile.ReadState(loc.StatePath)
	if err != nil {
		return nil, loc, err
	}
	return st, loc, nil
}

// locateRecorded finds the state file and output directory of the
// configuration at --dir (or from flags and environment alone).
func locateRecorded(cmd *cobra.Command) (reconcile.Locations, error) {
	var cfg *schema.Config
	// With --state and no --dir, the configuration of the working
	// directory has nothing to say (the state records its output
	// directory): an unrelated or broken one there must not matter.
	explicitState := global.state != "" && !cmd.Flags().Changed("dir")
	if !explicitState && hasConfigFiles(stateDir) {
		c, diags := schema.Load(loadOptions(stateDir))
		if diags.HasErrors() {
			printDiags(cmd.ErrOrStderr(), c, diags)
			return reconcile.Locations{}, exitWith(exitError)
		}
		cfg = c
	}
	return reconcile.Locate(cfg, stateDir, global.state, os.Environ())
}

func hasConfigFiles(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	if !st.IsDir() {
		return true
	}
	for _, pat := range []string{"*.hcl", "*.hcl.json"} {
		if m, _ := filepath.Glob(filepath.Join(path, pat)); len(m) > 0 {
			return true
		}
	}
	return false
}

func newShowCmd() *cobra.Command {
	var asJSON, withStatus bool
	cmd := &cobra.Command{
		Use:   "show [PARTITION]",
		Short: "Show what was last applied (all partitions, or one in full)",
		Long: `show prints what the last apply recorded: every partition, or PARTITION's
profile in full.

With --status (and PARTITION), it prints the recorded profile beside what
the Electron app reports in the adapter's status file (the values Electron's
getters return; docs/electron-adapter.md "Read-backs"), field by field. Each
row is marked: "=" the app reports the desired value, "!" it reports another
one, "?" the app does not report it (Electron has no getter, or the app has
not written a read-back), " " reported only, for information (cache size,
running service workers).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, loc, err := openRecorded(cmd)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if withStatus && len(args) == 0 {
				return fail(cmd, "--status needs a PARTITION", "for example: sessctl show --status persist:work")
			}
			if len(args) == 1 {
				rec, err := recordedPartition(cmd, st, loc, args[0])
				if err != nil {
					return err
				}
				if withStatus {
					c := compareStatus(st.OutputDirOr(loc.OutputDir), rec)
					if asJSON {
						out := showPartitionJSON(st, loc, rec)
						out.Status = &c
						return writeJSON(w, out)
					}
					printStatusComparison(w, rec, c)
					return nil
				}
				if asJSON {
					return writeJSON(w, showPartitionJSON(st, loc, rec))
				}
				showRecord(w, rec, loc)
				for _, f := range appFindings(st, loc)[rec.Name] {
					fmt.Fprintf(w, "# app: %s\n", f.Message)
				}
				return nil
			}
			if asJSON {
				return writeJSON(w, stateSummaryJSON(st, loc))
			}
			if len(st.Records) == 0 {
				fmt.Fprintf(w, "No partitions applied (state: %s, %s; profiles: %s).\n", loc.StatePath, loc.StateSource, loc.OutputDir)
				return nil
			}
			fmt.Fprintf(w, "State: %s (serial %d, lineage %s)\nProfiles: %s\n", loc.StatePath, st.Serial, st.Lineage, st.OutputDirOr(loc.OutputDir))
			if st.Config != "" {
				fmt.Fprintf(w, "Configuration: %s\n", strings.TrimPrefix(strings.TrimPrefix(st.Config, "path:"), "name:"))
			}
			fmt.Fprintln(w)
			app := appFindings(st, loc)
			for _, name := range st.Names() {
				rec := st.Records[name]
				fmt.Fprintf(w, "partition %s  revision %d  %s\n", quote(rec.Name), rec.Revision, rec.File)
				for _, f := range app[name] {
					fmt.Fprintf(w, "  # app: %s\n", f.Message)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (for one partition: its profile under \"profile\")")
	cmd.Flags().BoolVar(&withStatus, "status", false, "with PARTITION: the profile beside what the app reports, field by field")
	addDirFlag(cmd)
	return cmd
}

// showRecord prints one partition's recorded profile, attribute by
// attribute, with derived values users ask about (the Accept-Language
// header Chromium will send).
func showRecord(w interface{ Write([]byte) (int, error) }, rec *reconcile.Record, loc reconcile.Locations) {
	fmt.Fprintf(w, "partition %s {\n", quote(rec.Name))
	fmt.Fprintf(w, "  # revision %d, profile %s\n", rec.Revision, filepath.Join(loc.OutputDir, rec.File))
	keys := make([]string, 0, len(rec.Fields))
	width := 0
	for k := range rec.Fields {
		keys = append(keys, k)
		if len(k) > width {
			width = len(k)
		}
	}
	sortStrings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-*s = %s\n", width, k, valueText(rec.Fields[k], "  "))
		if k == "acceptLanguages" {
			var s string
			if json.Unmarshal(rec.Fields[k], &s) == nil {
				fmt.Fprintf(w, "  %-*s   # Accept-Language: %s\n", width, "", useragent.AcceptLanguageHeader(s))
			}
		}
	}
	fmt.Fprintln(w, "}")
}

// showEntryJSON is one partition of `show --json` and `state list --json`.
type showEntryJSON struct {
	Partition string `json:"partition"`
	File      string `json:"file"`
	Revision  uint64 `json:"revision"`
	// App is what the adapter's status files say is not in effect.
	App []reconcile.Finding `json:"app"`
}

// stateHeadJSON is what `show --json`, `state list --json` and the status
// page's status say of the state, then one P a partition (none: []).
type stateHeadJSON[P any] struct {
	FormatVersion string `json:"format_version"`
	StatePath     string `json:"state_path"`
	StateSource   string `json:"state_source"`
	OutputDir     string `json:"output_dir"`
	Config        string `json:"config,omitempty"`
	Lineage       string `json:"lineage"`
	Serial        uint64 `json:"serial"`
	Partitions    []P    `json:"partitions"`
}

// newStateHeadJSON fills stateHeadJSON's state fields from st and loc,
// with no partitions yet.
func newStateHeadJSON[P any](st *reconcile.State, loc reconcile.Locations) stateHeadJSON[P] {
	return stateHeadJSON[P]{jsonFormatVersion, loc.StatePath, loc.StateSource, st.OutputDirOr(loc.OutputDir), st.Config, st.Lineage, st.Serial, []P{}}
}

// stateSummaryJSON is `show --json` without a partition and
// `state list --json`.
func stateSummaryJSON(st *reconcile.State, loc reconcile.Locations) any {
	out := newStateHeadJSON[showEntryJSON](st, loc)
	app := appFindings(st, loc)
	for _, name := range st.Names() {
		r := st.Records[name]
		out.Partitions = append(out.Partitions, showEntryJSON{r.Name, r.File, r.Revision, findingsOrEmpty(app[name])})
	}
	return out
}

// showPartitionJSON is `show --json PARTITION`: the recorded profile,
// byte for byte the object apply wrote, under "profile".
func showPartitionJSON(st *reconcile.State, loc reconcile.Locations, rec *reconcile.Record) *showPartitionOut {
	outDir := st.OutputDirOr(loc.OutputDir)
	return &showPartitionOut{jsonFormatVersion, loc.StatePath, rec.Name, rec.File, filepath.Join(outDir, rec.File), rec.Revision,
		reconcile.RenderProfile(rec.Fields, rec.Revision, reconcile.ContentDigest(rec.Fields)),
		findingsOrEmpty(appFindings(st, loc)[rec.Name]), nil}
}

// showPartitionOut is `show --json PARTITION`.
type showPartitionOut struct {
	FormatVersion string              `json:"format_version"`
	StatePath     string              `json:"state_path"`
	Partition     string              `json:"partition"`
	File          string              `json:"file"`
	Path          string              `json:"path"`
	Revision      uint64              `json:"revision"`
	Profile       json.RawMessage     `json:"profile"`
	App           []reconcile.Finding `json:"app"`
	// Status is the comparison with the app (--status).
	Status *appStatusJSON `json:"status,omitempty"`
}

func findingsOrEmpty(f []reconcile.Finding) []reconcile.Finding {
	if f == nil {
		return []reconcile.Finding{}
	}
	return f
}

// appFindings reads the Electron adapter's status files (when the adapter
// has run on this output directory) and groups what they say is not in
// effect by partition: an app still on an older revision, or one where
// Electron refused a setting.
func appFindings(st *reconcile.State, loc reconcile.Locations) map[string][]reconcile.Finding {
	out := map[string][]reconcile.Finding{}
	for _, f := range reconcile.AppStatusFindings(st.OutputDirOr(loc.OutputDir), st) {
		out[f.Partition] = append(out[f.Partition], f)
	}
	return out
}
