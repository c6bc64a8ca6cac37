package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/internal/buildinfo"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/reconcile"
)

func init() {
	rootCmd.AddCommand(newVersionCmd())
	// --version prints the same line as `sessctl version`.
	rootCmd.Version = versionLine()
	rootCmd.SetVersionTemplate("{{.Version}}\n")
}

// versionInfo is `sessctl version --json`.
type versionInfo struct {
	buildinfo.Info
	// Engine changes whenever normalisation output may change for the
	// same input (saved plans are applied only by the same build).
	Engine string `json:"engine"`
	// ElectronMajor is the Electron major version profiles target when
	// the settings block sets no electron_version.
	ElectronMajor int `json:"electron_major"`
}

func currentVersion() versionInfo {
	return versionInfo{Info: buildinfo.Read(), Engine: reconcile.EngineVersion, ElectronMajor: providers.CurrentElectronMajor}
}

func versionLine() string {
	v := currentVersion()
	return fmt.Sprintf("sessctl %s (%s, %s, targets Electron %d)", v.Info, v.GoVersion, v.Engine, v.ElectronMajor)
}

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the sessctl version, commit, Go version and targeted Electron version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), struct {
					FormatVersion string `json:"format_version"`
					versionInfo
				}{jsonFormatVersion, currentVersion()})
			}
			fmt.Fprintln(cmd.OutOrStdout(), versionLine())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print version, commit, go_version, engine and electron_major as JSON")
	return cmd
}
