package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/rogpeppe/go-internal/diff"
	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newFmtCmd()) }

func newFmtCmd() *cobra.Command {
	var check, diff, asJSON bool
	cmd := &cobra.Command{
		Use:   "fmt [--check] [--diff] [--json] [PATH]",
		Short: "Rewrite configuration files in the canonical HCL layout",
		Long: `Rewrite the *.hcl files of a configuration directory (or one file) in the
canonical layout: two-space indentation, aligned equals signs, normalised
spacing. *.hcl.json files are left alone. PATH "-" formats standard input
to standard output.

Files are replaced atomically and the names of the files changed are
printed. If any file has a syntax error, its diagnostics are printed, the
exit status is 1 and no file is written.

  --check  write nothing; list the files that need formatting and exit 1
           if there are any
  --diff   print a unified diff of the changes (with --check: instead of
           writing)
  --json   print {"format_version", "check", "files": [{"name", "diff"}]}:
           the files that need formatting (--check) or were rewritten,
           each with its diff when --diff is given`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFmt(cmd, configPath(args), check, diff, asJSON)
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "only report files that need formatting (exit 1 if any)")
	cmd.Flags().BoolVar(&diff, "diff", false, "print a unified diff of the formatting changes")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the files as JSON")
	return cmd
}

// fmtFile is one file to format.
type fmtFile struct {
	path, name string
	src, out   []byte
	mode       os.FileMode
}

// fmtJSON is `fmt --json`.
type fmtJSON struct {
	FormatVersion string `json:"format_version"`
	// Check is --check: Files need formatting and were not written.
	Check bool `json:"check"`
	// Files are the files that need formatting (--check) or were
	// rewritten, in the order fmt handles them.
	Files []fmtJSONFile `json:"files"`
}

type fmtJSONFile struct {
	Name string `json:"name"`
	// Diff is the unified diff of the change (with --diff).
	Diff string `json:"diff,omitempty"`
}

func runFmt(cmd *cobra.Command, path string, check, diff, asJSON bool) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	report := fmtJSON{FormatVersion: jsonFormatVersion, Check: check, Files: []fmtJSONFile{}}
	// addFile puts a file that needs formatting in the --json report.
	addFile := func(name string, src, out []byte) {
		f := fmtJSONFile{Name: name}
		if diff {
			var b bytes.Buffer
			writeFmtDiff(&b, name, src, out)
			f.Diff = b.String()
		}
		report.Files = append(report.Files, f)
	}
	if path == "-" {
		if asJSON && !check {
			return fmt.Errorf("fmt --json formats standard input only with --check (without it, the output is the formatted text)")
		}
		src, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return err
		}
		out, diags := schema.Format(src, "<stdin>")
		if diags.HasErrors() {
			printDiagsFiles(stderr, map[string]*hcl.File{"<stdin>": {Bytes: src}}, diags)
			return exitWith(exitError)
		}
		changed := !bytes.Equal(src, out)
		switch {
		case asJSON:
			if changed {
				addFile("<stdin>", src, out)
			}
			if err := writeJSON(stdout, report); err != nil {
				return err
			}
		case diff:
			writeFmtDiff(stdout, "<stdin>", src, out)
		case !check:
			stdout.Write(out)
		}
		if check && changed {
			return exitWith(exitError)
		}
		return nil
	}

	files, err := fmtTargets(path)
	if err != nil {
		return fail(cmd, err.Error(), "")
	}
	// Format everything first: a syntax error anywhere means nothing is
	// written, so a directory is never left half-formatted.
	sources := map[string]*hcl.File{}
	var diags hcl.Diagnostics
	for _, f := range files {
		out, d := schema.Format(f.src, f.name)
		if d.HasErrors() {
			sources[f.name] = &hcl.File{Bytes: f.src}
			diags = append(diags, d...)
			continue
		}
		f.out = out
	}
	if diags.HasErrors() {
		printDiagsFiles(stderr, sources, diags)
		return exitWith(exitError)
	}
	changed := 0
	for _, f := range files {
		if bytes.Equal(f.src, f.out) {
			continue
		}
		changed++
		if diff && !asJSON {
			writeFmtDiff(stdout, f.name, f.src, f.out)
		}
		if !check {
			if err := fsx.WriteFileAtomic(f.path, f.out, f.mode); err != nil {
				return fail(cmd, err.Error(), "")
			}
		}
		switch {
		case asJSON:
			addFile(f.name, f.src, f.out)
		case !diff:
			fmt.Fprintln(stdout, f.name)
		}
	}
	if asJSON {
		if err := writeJSON(stdout, report); err != nil {
			return err
		}
	}
	if check && changed > 0 {
		return exitWith(exitError)
	}
	return nil
}

// fmtTargets lists the native-syntax files to format: a single file as
// given, or the *.hcl files of a directory (not recursive, hidden files
// skipped, as schema.Load reads them). Symbolic links are followed so
// that formatting rewrites the file, not the link.
func fmtTargets(path string) ([]*fmtFile, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	var names []string
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			n := e.Name()
			if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".hcl") {
				continue
			}
			names = append(names, filepath.Join(path, n))
		}
		sort.Strings(names)
	} else {
		names = []string{path}
	}
	var files []*fmtFile
	for _, n := range names {
		real, err := filepath.EvalSymlinks(n)
		if err != nil {
			return nil, err
		}
		fst, err := os.Stat(real)
		if err != nil {
			return nil, err
		}
		if !fst.Mode().IsRegular() {
			if st.IsDir() {
				continue
			}
			return nil, fmt.Errorf("%s is not a regular file", n)
		}
		if strings.HasSuffix(n, ".json") {
			continue // JSON syntax is left alone
		}
		src, err := os.ReadFile(real)
		if err != nil {
			return nil, err
		}
		files = append(files, &fmtFile{path: real, name: n, src: src, mode: fst.Mode().Perm()})
	}
	return files, nil
}

// writeFmtDiff prints a unified diff (3 lines of context) of a and b,
// with go-internal's diff (Go's own internal/diff, an anchored diff that is
// linear in the input): "--- name", "+++ name", then the hunks.
func writeFmtDiff(w io.Writer, name string, a, b []byte) {
	if bytes.Equal(a, b) {
		return
	}
	d := diff.Diff(name, a, name, b)
	// Drop its "diff NAME NAME" first line: patch and git apply read the
	// ---/+++ header, and fmt printed none before.
	if i := bytes.IndexByte(d, '\n'); i >= 0 && bytes.HasPrefix(d, []byte("diff ")) {
		d = d[i+1:]
	}
	_, _ = w.Write(d)
}
