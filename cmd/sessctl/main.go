// Command sessctl manages Electron session settings declaratively: HCL in,
// a reviewed plan, Electron-ready profiles out, state in bbolt.
//
// One file per subcommand (command_*.go); each registers itself with
// rootCmd from init. Business logic lives in schema/, providers/ and
// reconcile/; this package parses flags, renders output and maps errors to
// exit codes.
package main

import (
	"errors"
	"fmt"
	"github.com/sessctl/sessctl/internal/fault"
	_ "github.com/sessctl/sessctl/providers/all"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes, as documented in docs/usage.md ("Exit codes").
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2 // --detailed-exitcode: changes present / drift found
)

// exitCodeError carries an exit code without a message of its own (the
// command already printed what went wrong).
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitWith returns an error that makes main exit with code after the
// command printed its own output.
func exitWith(code int) error { return exitCodeError{code} }

var rootCmd = &cobra.Command{
	Use:           "sessctl",
	Short:         "Declarative settings for Electron browser sessions",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	// sessctl is short-lived and its heap is mostly the parsed
	// configuration, which lives to the end: collecting it less often
	// saves a quarter of a large plan's CPU time. GOGC still overrides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	// ... up to a memory ceiling, so that a large configuration does not
	// take four times its live data (gc_policy.go). GOMEMLIMIT overrides.
	if os.Getenv("GOMEMLIMIT") == "" {
		startMemoryCeiling(memoryCeiling)
	}
	stop := startProfiles()
	code := run(os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes the CLI with args and returns the exit code. Tests call it
// in-process through testscript.
func run(args []string) int {
	defer fault.Report() // only with SESSCTL_TEST_FAULT=count (tests)
	resetJSONRun()
	args = terraformStyleFlags(args)
	// With --json, standard output is watched so that a failure prints
	// the failure envelope only when the command printed nothing. Only
	// then: plans are coloured only when stdout is the terminal itself.
	var stdout *trackingWriter
	if mentionsJSONFlag(args) {
		stdout = &trackingWriter{w: os.Stdout}
		rootCmd.SetOut(stdout)
	} else {
		rootCmd.SetOut(nil) // os.Stdout itself
	}
	rootCmd.SetArgs(args)
	cmd, err := rootCmd.ExecuteC()
	if err == nil {
		return exitOK
	}
	var ec exitCodeError
	if !errors.As(err, &ec) {
		fmt.Fprintf(os.Stderr, "Error: %s\n", err)
		ec = exitCodeError{exitError}
	}
	// With --json, standard output carries one JSON object also when the
	// command fails: a command that printed nothing gets the failure
	// envelope (docs/json.md).
	if stdout != nil && jsonRequested(cmd, args) && !stdout.wrote.Load() {
		if werr := writeJSONFailure(stdout, cmd.CommandPath(), err); werr != nil {
			fmt.Fprintf(os.Stderr, "Error: %s\n", werr)
		}
	}
	return ec.code
}

// terraformStyleFlags accepts Terraform's single-dash long flags
// (-auto-approve, -detailed-exitcode, -out=FILE) by rewriting them to the
// double-dash form pflag expects. Single-letter flags are left alone.
func terraformStyleFlags(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name := strings.SplitN(a[1:], "=", 2)[0]
			if len(name) > 1 {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}
