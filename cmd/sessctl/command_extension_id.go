package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers/extension"
)

func init() { rootCmd.AddCommand(newExtensionIDCmd()) }

// extensionIDJSON is `extension-id --json`.
type extensionIDJSON struct {
	FormatVersion string `json:"format_version"`
	ID            string `json:"id"`
	// Path is PATH as given.
	Path string `json:"path"`
	// RealPath is the directory's real path, which sessctl writes into
	// profiles and hashes when Source is "path" ("" with --path-only).
	RealPath string `json:"real_path,omitempty"`
	// Source is "key" (the manifest's public key) or "path" (the PATH
	// string: --path-only, or no key in the manifest, or no manifest).
	Source string `json:"source"`
	// Manifest is the manifest.json read ("" with --path-only or when
	// there is none).
	Manifest string `json:"manifest,omitempty"`
	// LoadError is why Chromium would not load the extension, when the
	// manifest says so (the ID is still the one Chromium computes).
	LoadError string `json:"load_error,omitempty"`
}

func newExtensionIDCmd() *cobra.Command {
	var pathOnly, asJSON bool
	cmd := &cobra.Command{
		Use:   "extension-id PATH",
		Short: "Print the ID Chromium assigns to an unpacked extension",
		Long: `extension-id prints the extension ID Chromium (and so Electron's
loadExtension) assigns to the unpacked extension at PATH:

  - when PATH/manifest.json has a "key", the ID of that public key;
  - otherwise the ID of the directory's real path (symlinks, ".", ".."
    and extra "/" resolved), which is what Chromium's own loader hashes
    and what sessctl writes into profiles, so that Electron assigns the
    same ID. Every spelling of one directory gives the same ID.

--path-only hashes the PATH string byte for byte, without looking at the
file system: the ID Electron assigns when handed exactly that string.
The algorithm is Chromium's crx_file::id_util: SHA-256, first 16 bytes,
hex digits 0-f written as a-p.
--json prints {"format_version", "id", "path", "real_path", "source",
"manifest", "load_error"}: source is "key" or "path".`,
		Example: `  sessctl extension-id /opt/workapp/ext/devtools
  sessctl extension-id --path-only /path/to/file.ext   # lnkgfdknojmdambfcanadbhmfjfljobb`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			stderr := cmd.ErrOrStderr()
			res := extensionIDJSON{FormatVersion: jsonFormatVersion, ID: extension.IDForPath(path), Path: path, Source: "path"}
			emit := func() error {
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), res)
				}
				_, err := fmt.Fprintln(cmd.OutOrStdout(), res.ID)
				return err
			}
			if pathOnly {
				return emit()
			}
			if !filepath.IsAbs(path) {
				return fail(cmd, fmt.Sprintf("%q is not an absolute path", path),
					"Electron's loadExtension takes absolute paths only, and Chromium hashes the path string as given. Pass the path exactly as the configuration writes it, or use --path-only to hash any string.")
			}
			real, err := extension.RealPath(path)
			if err != nil {
				return fail(cmd, fmt.Sprintf("cannot resolve the real path of %s: %v", path, err),
					"PATH must name an existing directory (Electron refuses a missing one with \"Extension directory not found\"). Use --path-only to hash the string alone.")
			}
			res.RealPath, res.ID = real, extension.IDForPath(real)
			if real != path {
				fmt.Fprintf(stderr, "Note: %s is %s; sessctl writes the real path into profiles, and this is its ID.\n", path, real)
			}
			path = real
			manifest := filepath.Join(path, extension.ManifestFile)
			data, err := os.ReadFile(manifest)
			switch {
			case err == nil:
				kid, fromKey, err := extension.ManifestID(path, data)
				if err != nil {
					return fail(cmd, fmt.Sprintf("%s: %s", manifest, err), "")
				}
				res.ID, res.Manifest = kid, manifest
				if fromKey {
					res.Source = "key"
				}
				if _, err := extension.ParseManifest(data); err != nil {
					res.LoadError = err.Error()
					fmt.Fprintf(stderr, "Warning: Chromium would not load this extension: %s\n", err)
				}
			case errors.Is(err, os.ErrNotExist):
				fmt.Fprintf(stderr, "Note: no %s in %s; the ID is the one of the path string.\n", extension.ManifestFile, path)
			default:
				return fail(cmd, err.Error(), "")
			}
			return emit()
		},
	}
	cmd.Flags().BoolVar(&pathOnly, "path-only", false, "hash the PATH string only; do not read a manifest")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the ID as JSON")
	return cmd
}
