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

func newExtensionIDCmd() *cobra.Command {
	var pathOnly bool
	cmd := &cobra.Command{
		Use:   "extension-id PATH",
		Short: "Print the ID Chromium assigns to an unpacked extension",
		Long: `extension-id prints the extension ID Chromium (and so Electron's
loadExtension) assigns to the unpacked extension at PATH:

  - when PATH/manifest.json has a "key", the ID of that public key;
  - otherwise the ID of the path string itself, byte for byte as written:
    no symlink resolution, and a trailing "/" changes the ID. Pass PATH
    exactly as the configuration does.

--path-only hashes the PATH string without looking at the file system.
The algorithm is Chromium's crx_file::id_util: SHA-256, first 16 bytes,
hex digits 0-f written as a-p.`,
		Example: `  sessctl extension-id /opt/workapp/ext/devtools
  sessctl extension-id --path-only /path/to/file.ext   # lnkgfdknojmdambfcanadbhmfjfljobb`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			stderr := cmd.ErrOrStderr()
			if pathOnly {
				fmt.Fprintln(cmd.OutOrStdout(), extension.IDForPath(path))
				return nil
			}
			if !filepath.IsAbs(path) {
				fmt.Fprintf(stderr, "Error: %q is not an absolute path\n  Electron's loadExtension takes absolute paths only, and Chromium hashes the path string as given. Pass the path exactly as the configuration writes it, or use --path-only to hash any string.\n", path)
				return exitWith(exitError)
			}
			id := extension.IDForPath(path)
			data, err := os.ReadFile(filepath.Join(path, extension.ManifestFile))
			switch {
			case err == nil:
				kid, _, err := extension.ManifestID(path, data)
				if err != nil {
					fmt.Fprintf(stderr, "Error: %s: %s\n", filepath.Join(path, extension.ManifestFile), err)
					return exitWith(exitError)
				}
				id = kid
				if _, err := extension.ParseManifest(data); err != nil {
					fmt.Fprintf(stderr, "Warning: Chromium would not load this extension: %s\n", err)
				}
			case errors.Is(err, os.ErrNotExist):
				fmt.Fprintf(stderr, "Note: no %s in %s; the ID is the one of the path string.\n", extension.ManifestFile, path)
			default:
				fmt.Fprintf(stderr, "Error: %s\n", err)
				return exitWith(exitError)
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	cmd.Flags().BoolVar(&pathOnly, "path-only", false, "hash the PATH string only; do not read a manifest")
	return cmd
}
