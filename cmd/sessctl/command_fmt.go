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
	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newFmtCmd()) }

func newFmtCmd() *cobra.Command {
	var check, diff bool
	cmd := &cobra.Command{
		Use:   "fmt [--check] [--diff] [PATH]",
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
           writing)`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFmt(cmd, configPath(args), check, diff)
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "only report files that need formatting (exit 1 if any)")
	cmd.Flags().BoolVar(&diff, "diff", false, "print a unified diff of the formatting changes")
	return cmd
}

// fmtFile is one file to format.
type fmtFile struct {
	path, name string
	src, out   []byte
	mode       os.FileMode
}

func runFmt(cmd *cobra.Command, path string, check, diff bool) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if path == "-" {
		src, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return err
		}
		out, diags := schema.Format(src, "<stdin>")
		if diags.HasErrors() {
			printDiagsFiles(stderr, map[string]*hcl.File{"<stdin>": {Bytes: src}}, diags)
			return exitWith(exitError)
		}
		if diff {
			writeFmtDiff(stdout, "<stdin>", src, out)
		} else if !check {
			stdout.Write(out)
		}
		if check && !bytes.Equal(src, out) {
			return exitWith(exitError)
		}
		return nil
	}

	files, err := fmtTargets(path)
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return exitWith(exitError)
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
		if diff {
			writeFmtDiff(stdout, f.name, f.src, f.out)
		}
		if !check {
			if err := fsx.WriteFileAtomic(f.path, f.out, f.mode); err != nil {
				fmt.Fprintf(stderr, "Error: %v\n", err)
				return exitWith(exitError)
			}
		}
		if !diff {
			fmt.Fprintln(stdout, f.name)
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

// writeFmtDiff prints a unified diff (3 lines of context) of a and b.
func writeFmtDiff(w io.Writer, name string, a, b []byte) {
	if bytes.Equal(a, b) {
		return
	}
	al, bl := fmtSplitLines(a), fmtSplitLines(b)
	ops := fmtLineDiff(al, bl)
	fmt.Fprintf(w, "--- %s\n+++ %s\n", name, name)
	const ctx = 3
	// Group ops into hunks: runs of changes with up to 2*ctx equal lines
	// between them.
	i := 0
	for i < len(ops) {
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i >= len(ops) {
			break
		}
		start := i - ctx
		if start < 0 {
			start = 0
		}
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*ctx {
				break
			}
			end = run
		}
		stop := end + ctx
		if stop > len(ops) {
			stop = len(ops)
		}
		aStart, bStart, aCount, bCount := ops[start].a, ops[start].b, 0, 0
		for _, op := range ops[start:stop] {
			if op.kind != '+' {
				aCount++
			}
			if op.kind != '-' {
				bCount++
			}
		}
		fmt.Fprintf(w, "@@ -%s +%s @@\n", fmtHunkRange(aStart, aCount), fmtHunkRange(bStart, bCount))
		for _, op := range ops[start:stop] {
			line := op.text
			fmt.Fprintf(w, "%c%s", op.kind, line)
			if !strings.HasSuffix(line, "\n") {
				fmt.Fprint(w, "\n\\ No newline at end of file\n")
			}
		}
		i = stop
	}
}

func fmtHunkRange(start, count int) string {
	if count == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if count == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, count)
}

func fmtSplitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

// fmtDiffOp is one line of a line diff; a and b are the 0-based line indexes
// in the old and new text where the op stands.
type fmtDiffOp struct {
	kind byte // ' ', '-', '+'
	text string
	a, b int
}

// fmtLineDiff computes a line diff. Common prefix and suffix are stripped
// first (formatting changes are local); the middle uses an LCS table when
// it is small enough and otherwise is shown as replaced.
func fmtLineDiff(a, b []string) []fmtDiffOp {
	var ops []fmtDiffOp
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		ops = append(ops, fmtDiffOp{' ', a[p], p, p})
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	am, bm := a[p:len(a)-s], b[p:len(b)-s]
	if len(am)*len(bm) <= 4_000_000 {
		n, m := len(am), len(bm)
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if am[i] == bm[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else if lcs[i+1][j] >= lcs[i][j+1] {
					lcs[i][j] = lcs[i+1][j]
				} else {
					lcs[i][j] = lcs[i][j+1]
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && am[i] == bm[j]:
				ops = append(ops, fmtDiffOp{' ', am[i], p + i, p + j})
				i++
				j++
			case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
				ops = append(ops, fmtDiffOp{'-', am[i], p + i, p + j})
				i++
			default:
				ops = append(ops, fmtDiffOp{'+', bm[j], p + i, p + j})
				j++
			}
		}
	} else {
		for i, l := range am {
			ops = append(ops, fmtDiffOp{'-', l, p + i, p})
		}
		for j, l := range bm {
			ops = append(ops, fmtDiffOp{'+', l, p + len(am), p + j})
		}
	}
	for k := 0; k < s; k++ {
		ops = append(ops, fmtDiffOp{' ', a[len(a)-s+k], len(a) - s + k, len(b) - s + k})
	}
	return ops
}
