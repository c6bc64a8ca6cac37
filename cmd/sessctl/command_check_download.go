package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers/downloads"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newCheckDownloadCmd()) }

func newCheckDownloadCmd() *cobra.Command {
	var (
		filename string
		mime     string
		size     int64
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "check-download [DIR] PARTITION URL --filename NAME --mime TYPE [--size N]",
		Short: "Predict what a partition's will-download listener does with a download",
		Long: `check-download evaluates one download against the compiled downloads table
of a partition — the table the Electron adapter's will-download listener
evaluates (docs/downloads.md) — and prints the decision: "save" (with the
path it saves to, no dialog), "ask" (Electron's save dialog), "cancel", or
"default" (no downloads block: Electron's own behaviour), then a line
saying which rule decided.

URL is the download's URL (item.getURL()), --filename the suggested file
name (item.getFilename()), --mime its MIME type (item.getMimeType()) and
--size its announced size in bytes (item.getTotalBytes(); 0, the default,
means unknown, which max_size does not refuse).
--json prints {"format_version", "decision", "rule", "filename", "path",
"request"}.`,
		Example: `  sessctl check-download ./conf persist:reports https://files.corp.example/q3.pdf --filename q3.pdf --mime application/pdf --size 120000
  sessctl check-download persist:reports https://evil.example/setup.exe --filename setup.exe --mime application/x-msdownload --json`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			var dir []string
			if len(args) == 3 {
				dir, args = args[:1], args[1:]
			}
			if !cmd.Flags().Changed("filename") {
				return fmt.Errorf("--filename is required: the suggested file name (item.getFilename())")
			}
			if !cmd.Flags().Changed("mime") {
				return fmt.Errorf("--mime is required: the download's MIME type (item.getMimeType()); \"\" when the server sent none")
			}
			if size < 0 {
				return fmt.Errorf("--size must be 0 (unknown) or a positive number of bytes, not %d", size)
			}
			table, p, err := compilePartition(cmd, configPath(dir), args[0], downloads.Compile)
			if err != nil {
				return err
			}
			req := downloads.Request{URL: args[1], Filename: filename, MIMEType: mime, TotalBytes: size}
			d := downloads.Decide(table, req)
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, struct {
					FormatVersion string `json:"format_version"`
					downloads.Result
					Request downloads.Request `json:"request"`
				}{jsonFormatVersion, d, req})
			}
			if d.Decision == downloads.Save {
				fmt.Fprintf(out, "save %s\n", d.Path)
			} else {
				fmt.Fprintln(out, d.Decision)
			}
			fmt.Fprintf(out, "# %s\n", explainDownload(d, p, req))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&filename, "filename", "", "suggested file `NAME` (item.getFilename())")
	f.StringVar(&mime, "mime", "", "MIME `TYPE` (item.getMimeType())")
	f.Int64Var(&size, "size", 0, "announced size in `BYTES` (item.getTotalBytes(); 0 = unknown)")
	f.BoolVar(&asJSON, "json", false, "print the decision as JSON")
	return cmd
}

// explainDownload says in words what decided, with where it is written.
func explainDownload(d downloads.Result, p *schema.Partition, r downloads.Request) string {
	s := downloads.Key.Of(p)
	at := func(rng fmt.Stringer) string { return " (" + rng.String() + ")" }
	switch d.Rule {
	case "no-block":
		return "no downloads block: Electron's default (its save dialog, opened at download_path or the OS Downloads folder)"
	case "filename":
		return fmt.Sprintf("the file name %s has no safe last component (empty, \".\", \"..\" or a control character)", strconv.Quote(r.Filename))
	case "blocked_extensions":
		return "blocked_extensions lists its extension" + at(s.BlockedExtensions.Range)
	case "blocked_mime_types":
		return "blocked_mime_types matches " + strconv.Quote(downloads.NormalizeMIME(r.MIMEType)) + at(s.BlockedMIMETypes.Range)
	case "blocked_origins":
		return "blocked_origins matches the URL" + at(s.BlockedOrigins.Range)
	case "allowed_extensions":
		return "its extension is not in allowed_extensions" + at(s.AllowedExtensions.Range)
	case "allowed_mime_types":
		return strconv.Quote(downloads.NormalizeMIME(r.MIMEType)) + " is not in allowed_mime_types" + at(s.AllowedMIMETypes.Range)
	case "allowed_origins":
		return "no pattern of allowed_origins matches the URL" + at(s.AllowedOrigins.Range)
	case "max_size":
		return fmt.Sprintf("%d bytes is over max_size %d%s", r.TotalBytes, s.MaxSize.V, at(s.MaxSize.Range))
	case "ask":
		return "every condition lets it through; ask = true: Electron's save dialog" + at(s.Ask.Range)
	}
	return "every condition lets it through: saved without a dialog"
}
