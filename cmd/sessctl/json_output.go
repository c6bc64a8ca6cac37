package main

// The one JSON contract of --json (docs/json.md): every command prints one
// top-level object whose first key is "format_version" (jsonFormatVersion,
// a string), on success and on failure. Each command's shape has a JSON
// Schema in docs/schema/; json_contract_test.go checks the outputs against
// them.

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/schema"
)

// jsonFormatVersion is the format_version of every --json output. A minor
// bump ("1.1") only adds fields; a major bump ("2.0") removes, renames or
// changes the meaning of one.
const jsonFormatVersion = "1.0"

// jsonRun remembers, for the command being run, the diagnostics and error
// messages it printed as text on standard error, so that a --json command
// that fails without printing its result prints them as data instead (the
// failure envelope, validate's shape).
var jsonRun struct {
	files map[string]*hcl.File
	diags hcl.Diagnostics
}

// resetJSONRun forgets what an earlier run in this process noted.
func resetJSONRun() {
	jsonRun.files = nil
	jsonRun.diags = nil
}

// noteDiags records diagnostics printed as text (printDiagsFiles calls it).
func noteDiags(files map[string]*hcl.File, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	if jsonRun.files == nil {
		jsonRun.files = map[string]*hcl.File{}
	}
	for name, f := range files {
		jsonRun.files[name] = f
	}
	jsonRun.diags = append(jsonRun.diags, diags...)
}

// noteError records an error printed as text ("Error: summary", then the
// detail lines).
func noteError(summary, detail string) {
	jsonRun.diags = append(jsonRun.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail})
}

// fail prints "Error: summary" and the detail (when not empty) on
// standard error, records them for --json, and returns the exit error.
func fail(cmd *cobra.Command, summary, detail string) error {
	fmt.Fprintf(cmd.ErrOrStderr(), "Error: %s\n", summary)
	if detail != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "  %s\n", detail)
	}
	noteError(summary, detail)
	return exitWith(exitError)
}

// jsonRequested reports whether cmd was run with --json. When parsing
// stopped at a bad flag before reaching --json, args say whether it was
// given ("--json" or "--json=true").
func jsonRequested(cmd *cobra.Command, args []string) bool {
	if cmd == nil {
		return false
	}
	f := cmd.Flags().Lookup("json")
	if f == nil || f.Value.Type() != "bool" {
		return false
	}
	if f.Changed {
		return f.Value.String() == "true"
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--json" || a == "--json=true" {
			return true
		}
	}
	return false
}

// writeJSONFailure prints the failure envelope of a --json command that
// returned err without printing its result: validate's shape, with
// "valid": false and the diagnostics the command printed as text. A plain
// error (one the command did not print) becomes one more diagnostic.
func writeJSONFailure(w io.Writer, cmdPath string, err error) error {
	diags := append(hcl.Diagnostics(nil), jsonRun.diags...)
	var ec exitCodeError
	if !errors.As(err, &ec) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: err.Error()})
	}
	if !diags.HasErrors() {
		// Every failure path notes what it prints; this is the safety net
		// that keeps "valid": false from coming with no error at all.
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError,
			Summary: fmt.Sprintf("%s failed (%s); see standard error", cmdPath, err)})
	}
	return writeJSON(w, diagnosticsJSON(&schema.Config{Sources: jsonRun.files}, diags))
}

// mentionsJSONFlag reports whether args (after terraformStyleFlags) may
// set --json: pflag sets it only from "--json" or "--json=VALUE".
func mentionsJSONFlag(args []string) bool {
	for _, a := range args {
		if a == "--json" || strings.HasPrefix(a, "--json=") {
			return true
		}
	}
	return false
}

// trackingWriter is standard output as the commands see it: it tells
// run whether a command printed anything (its JSON result) before failing.
// watch writes from more than one goroutine, hence the atomic.
type trackingWriter struct {
	w     io.Writer
	wrote atomic.Bool
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		t.wrote.Store(true)
	}
	return t.w.Write(p)
}
