package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Flags shared by every command that reads a configuration.
var global struct {
	vars     []string
	varFiles []string
	state    string
	noColor  bool
}

func init() {
	pf := rootCmd.PersistentFlags()
	pf.StringArrayVar(&global.vars, "var", nil, "set a variable: `NAME=VALUE` (repeatable; wins over --var-file and SESSCTL_VAR_NAME)")
	pf.StringArrayVar(&global.varFiles, "var-file", nil, "read variable values from an HCL or JSON `FILE` (repeatable)")
	pf.StringVar(&global.state, "state", "", "state file (default: $SESSCTL_STATE, the settings block, or $XDG_STATE_HOME/sessctl/<configuration>/state.db)")
	pf.BoolVar(&global.noColor, "no-color", false, "never colour output (NO_COLOR is honoured too)")
}

// configPath returns the configuration path argument (default ".").
func configPath(args []string) string {
	if len(args) > 0 && args[0] != "" {
		return args[0]
	}
	return "."
}

// hostValues returns the host object for expressions.
func hostValues() schema.Host {
	name, _ := os.Hostname()
	return schema.Host{Name: name, OS: runtime.GOOS, Arch: runtime.GOARCH}
}

// loadOptions builds schema.LoadOptions from the global flags.
func loadOptions(path string) schema.LoadOptions {
	return schema.LoadOptions{
		Path:     path,
		Vars:     global.vars,
		VarFiles: global.varFiles,
		Environ:  os.Environ(),
		Host:     hostValues(),
	}
}

// streamOptions is loadOptions for one-shot commands, which never read a
// partition's syntax after loading: large files are parsed as they are
// decoded and their syntax trees dropped (schema.LoadOptions.Stream).
func streamOptions(path string) schema.LoadOptions {
	o := loadOptions(path)
	o.Stream = true
	return o
}

// loadConfig loads a configuration and prints its diagnostics (warnings
// too) to stderr. It returns an exit error when there are errors.
func loadConfig(cmd *cobra.Command, path string) (*schema.Config, error) {
	cfg, diags := schema.Load(streamOptions(path))
	printDiags(cmd.ErrOrStderr(), cfg, diags)
	if diags.HasErrors() {
		return nil, exitWith(exitError)
	}
	return cfg, nil
}

// findPartition returns the partition named name, or prints an error naming
// the partitions that exist.
func findPartition(cmd *cobra.Command, cfg *schema.Config, name string) (*schema.Partition, error) {
	for _, p := range cfg.Partitions {
		if p.Name == name {
			return p, nil
		}
	}
	names := make([]string, 0, len(cfg.Partitions))
	for _, p := range cfg.Partitions {
		names = append(names, fmt.Sprintf("%q", p.Name))
	}
	return nil, fail(cmd, fmt.Sprintf("no partition %q in %s", name, cfg.Dir), fmt.Sprintf("partitions: %v", names))
}

// compilePartition is what the offline evaluators (check-permission,
// check-request, check-download, check-device, check-display-media,
// verify-cert, serial match) use: load the configuration at path, find its
// partition name and compile it with compile (a family's Compile). The
// diagnostics, less those the configuration acknowledges, are printed;
// errors become an exit error.
func compilePartition[T any](cmd *cobra.Command, path, name string, compile func(*providers.Context, *schema.Partition) (T, hcl.Diagnostics)) (T, *schema.Partition, error) {
	var none T
	cfg, err := loadConfig(cmd, path)
	if err != nil {
		return none, nil, err
	}
	p, err := findPartition(cmd, cfg, name)
	if err != nil {
		return none, nil, err
	}
	table, diags := compile(providers.NewContext(cfg), p)
	diags = cfg.AcknowledgeWarnings(p, diags)
	printDiags(cmd.ErrOrStderr(), cfg, diags)
	if diags.HasErrors() {
		return none, nil, exitWith(exitError)
	}
	return table, p, nil
}

// useColor reports whether w is a terminal and colour is allowed.
func useColor(w io.Writer) bool {
	if global.noColor || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// printDiags renders diagnostics with file:line:col and source snippets.
func printDiags(w io.Writer, cfg *schema.Config, diags hcl.Diagnostics) {
	printDiagsFiles(w, sources(cfg), diags)
}

func sources(cfg *schema.Config) map[string]*hcl.File {
	if cfg == nil {
		return nil
	}
	return cfg.Sources
}

// printDiagsFiles renders diagnostics against a set of parsed files.
func printDiagsFiles(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	noteDiags(files, diags) // for the --json failure envelope
	width := uint(0)
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil {
			width = uint(cols)
		}
	}
	shown, _ := warning.Split(diags)
	if len(shown) == 0 {
		return
	}
	color := useColor(w)
	bw := bufio.NewWriterSize(w, 64<<10) // one write per 64 KiB, not per diagnostic
	dw := newDiagTextWriter(escapingWriter{w: bw, keepESC: color}, files, width, color)
	_ = dw.WriteDiagnostics(withCodes(sortDiags(shown)))
	_ = bw.Flush()
}

// escapingWriter writes control characters other than tab and line
// breaks as \xNN: a NUL byte or a terminal escape sequence in a
// configuration file must not reach the terminal raw through a
// diagnostic's source snippet. ESC passes only when sessctl colours the
// output itself, which needs it (a file's own ESC bytes then pass too).
type escapingWriter struct {
	w       io.Writer
	keepESC bool
}

func (e escapingWriter) Write(p []byte) (int, error) {
	clean := true
	for _, c := range p {
		if isRawControl(c, e.keepESC) {
			clean = false
			break
		}
	}
	if clean {
		return e.w.Write(p)
	}
	out := make([]byte, 0, len(p)+16)
	for _, c := range p {
		if isRawControl(c, e.keepESC) {
			out = append(out, '\\', 'x', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			continue
		}
		out = append(out, c)
	}
	if _, err := e.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func isRawControl(c byte, keepESC bool) bool {
	switch {
	case c == '\t' || c == '\n' || c == '\r':
		return false
	case c == 0x1b:
		return !keepESC
	}
	return c < 0x20 || c == 0x7f
}

// withCodes returns diags with each warning's code in front of its
// summary ("[W101] proxy.bypass_rules: …"), the form an operator copies
// into ignore_warnings, and, for a diagnostic that stands for several
// identical ones from one place (a profile or for_each body used by
// several partitions), how many after it ("… (12 times)"). diags itself
// is not modified.
func withCodes(diags hcl.Diagnostics) hcl.Diagnostics {
	out := make(hcl.Diagnostics, len(diags))
	for i, d := range diags {
		out[i] = d
		c, n := warning.CodeOf(d), warning.CountOf(d)
		if c == "" && n == 1 {
			continue
		}
		nd := *d
		if c != "" {
			nd.Summary = "[" + string(c) + "] " + d.Summary
		}
		if n > 1 {
			nd.Summary += fmt.Sprintf(" (%d times)", n)
		}
		out[i] = &nd
	}
	return out
}

// sortDiags returns diags in source order: by file name, line, column,
// errors and warnings interleaved; diagnostics with no location keep
// their order after the located ones. diags itself is not reordered.
func sortDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	out := make(hcl.Diagnostics, len(diags))
	copy(out, diags)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Subject, out[j].Subject
		switch {
		case a == nil || b == nil:
			return a != nil && b == nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		case a.Start.Line != b.Start.Line:
			return a.Start.Line < b.Start.Line
		default:
			return a.Start.Column < b.Start.Column
		}
	})
	return out
}

// writeJSON prints v as indented JSON, as every --json output does:
// two-space indent, and <, > and & as themselves (URLs, origin patterns
// and proxy bypass rules such as <local> stay readable).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
