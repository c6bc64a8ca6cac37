package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/reconcile"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newInitCmd()) }

// initFile is the file init writes the settings block into.
const initFile = "sessctl.hcl"

func newInitCmd() *cobra.Command {
	var name, output string
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Start a configuration: write its settings block (name, state, output directory)",
		Long: `init writes DIR/sessctl.hcl with a settings block that names the
configuration and fixes where its state and its profiles live, then prints
the directory the Electron app reads its profiles from. DIR (default ".")
is created if it does not exist.

The name (default: DIR's base name) gives the configuration its own state,
$XDG_STATE_HOME/sessctl/NAME/state.db, so that two configurations on one
machine never share a state or an output directory. The state and output
paths written are the ones this machine resolves now; edit them freely.

init is idempotent: when the configuration already has a settings block it
changes nothing and prints where that block says profiles go.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd, configPath(args), name, output)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the configuration's `NAME` (default: the directory's base name)")
	cmd.Flags().StringVar(&output, "output", "", "the `DIR` profiles are written to (default: beside the state)")
	return cmd
}

func runInit(cmd *cobra.Command, dir, name, output string) error {
	w := cmd.OutOrStdout()
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		return fmt.Errorf("%s is not a directory: init writes %s into a configuration directory", dir, initFile)
	}
	if hasConfigFiles(abs) {
		cfg, err := loadConfig(cmd, abs)
		if err != nil {
			return err
		}
		if cfg.Settings.Present {
			loc, err := reconcile.Locate(cfg, abs, global.state, os.Environ())
			if err != nil {
				return err
			}
			r := cfg.Settings.DeclRange
			fmt.Fprintf(w, "%s already has a settings block (%s:%d); nothing changed.\n", dir, r.Filename, r.Start.Line)
			printInitLocations(w, loc)
			return nil
		}
		if _, err := os.Lstat(filepath.Join(abs, initFile)); err == nil {
			return fmt.Errorf("%s exists but has no settings block; add one by hand (see 'sessctl init --help')", filepath.Join(dir, initFile))
		}
	}
	if name == "" {
		name = slugName(filepath.Base(abs))
	}
	if !schema.ValidConfigName(name) {
		return fmt.Errorf("--name %q: a configuration name is 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-', not starting with '.' or '-'", name)
	}
	cfg := &schema.Config{Dir: abs}
	cfg.Settings.Name = schema.Value[string]{V: name, Set: true}
	if output != "" {
		o, err := filepath.Abs(output)
		if err != nil {
			return err
		}
		cfg.Settings.Output = schema.Value[string]{V: o, Set: true}
	}
	loc, err := reconcile.Locate(cfg, abs, global.state, os.Environ())
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by 'sessctl init'. The name gives this configuration its own\n")
	fmt.Fprintf(&b, "# state; state and output are where this machine keeps them (edit freely).\n")
	fmt.Fprintf(&b, "sessctl {\n  name   = %s\n  state  = %s\n  output = %s\n}\n", hclString(name), hclString(loc.StatePath), hclString(loc.OutputDir))
	if err := fsx.MkdirAll(abs, 0o755); err != nil {
		return err
	}
	if err := fsx.WriteFileAtomic(filepath.Join(abs, initFile), []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "Wrote %s (configuration %q).\n", filepath.Join(dir, initFile), name)
	printInitLocations(w, loc)
	fmt.Fprintf(w, "\nNext: declare partitions in %s/*.hcl, then run 'sessctl plan %s'.\n", dir, dir)
	return nil
}

func printInitLocations(w interface{ Write([]byte) (int, error) }, loc reconcile.Locations) {
	fmt.Fprintf(w, "State:    %s\nProfiles: %s\n", loc.StatePath, loc.OutputDir)
	fmt.Fprintf(w, "The Electron app reads its profiles from %s (pass it to the adapter's apply/watch).\n", loc.OutputDir)
}

// slugName makes a configuration name of a directory's base name.
func slugName(base string) string {
	var b strings.Builder
	for _, r := range base {
		if b.Len() >= 64 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := strings.TrimLeft(b.String(), ".-")
	if s == "" {
		return "sessctl"
	}
	return s
}

// hclString quotes s as an HCL string literal: JSON's escapes, plus "${"
// and "%{" escaped so a path is never read as a template.
func hclString(s string) string {
	q := quote(s)
	q = strings.ReplaceAll(q, "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}
