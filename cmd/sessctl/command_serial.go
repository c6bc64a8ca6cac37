package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers/serialsel"
	"github.com/sessctl/sessctl/serial"
)

func init() { rootCmd.AddCommand(newSerialCmd()) }

// serialFlags are the hidden flags that point enumeration at another sysfs
// tree (tests, containers with a bind-mounted /sys).
var serialFlags struct {
	sysfs, dev, proc, udevData string
}

// portLister returns the lister the serial commands use.
func portLister() serial.PortLister {
	f := serialFlags
	if f.sysfs != "" || f.dev != "" || f.proc != "" || f.udevData != "" {
		return serial.Sysfs{Root: f.sysfs, Dev: f.dev, Proc: f.proc, UdevData: f.udevData}
	}
	return serial.System()
}

func newSerialCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serial",
		Short: "List serial ports and predict which one a partition's select rules pick",
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&serialFlags.sysfs, "sysfs", "", "read ports from this sysfs `DIR` instead of /sys (Linux)")
	pf.StringVar(&serialFlags.dev, "dev", "", "device `DIR` for port paths instead of /dev (Linux)")
	pf.StringVar(&serialFlags.proc, "proc", "", "procfs `DIR` instead of /proc (Linux)")
	pf.StringVar(&serialFlags.udevData, "udev-data", "", "udev database `DIR` instead of /run/udev/data (Linux)")
	for _, name := range []string{"sysfs", "dev", "proc", "udev-data"} {
		_ = pf.MarkHidden(name)
	}
	cmd.AddCommand(newSerialListCmd(), newSerialMatchCmd())
	return cmd
}

// serialListEntry is one port of `serial list --json`.
type serialListEntry struct {
	serial.Port
	Path         string `json:"path"`
	VendorIDHex  string `json:"vendorIdHex,omitempty"`
	ProductIDHex string `json:"productIdHex,omitempty"`
	Product      string `json:"product,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
}

func newSerialListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the serial ports of this machine as Electron sees them",
		Long: `list enumerates serial ports without opening them and prints, sorted by
name as Electron sorts them: the port name, the USB vendor and product IDs in
hex and in the decimal form Electron passes to select-serial-port, the serial
number and the product name. --json prints {"format_version", "ports"}: the
ports in Electron's SerialPort shape plus path, vendorIdHex, productIdHex,
product and manufacturer. portId is stable here; Electron's is random per request.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ports, err := portLister().ListPorts()
			if err != nil {
				return fmt.Errorf("listing serial ports: %w", err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				entries := make([]serialListEntry, 0, len(ports))
				for _, p := range ports {
					entries = append(entries, serialListEntry{Port: p, Path: p.Path,
						VendorIDHex: serial.DecimalToHex(p.VendorID), ProductIDHex: serial.DecimalToHex(p.ProductID),
						Product: p.Product, Manufacturer: p.Manufacturer})
				}
				return writeJSON(out, struct {
					FormatVersion string            `json:"format_version"`
					Ports         []serialListEntry `json:"ports"`
				}{jsonFormatVersion, entries})
			}
			if len(ports) == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "No serial ports found.")
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tVENDOR\tPRODUCT ID\tSERIAL\tPRODUCT")
			for _, p := range ports {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.PortName, idBoth(p.VendorID), idBoth(p.ProductID), dash(p.SerialNumber), dash(p.Product))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the ports as JSON")
	return cmd
}

// idBoth renders a decimal USB ID as "0x2341 (9025)".
func idBoth(dec string) string {
	if dec == "" {
		return "-"
	}
	return fmt.Sprintf("%s (%s)", serial.DecimalToHex(dec), dec)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newSerialMatchCmd() *cobra.Command {
	var (
		partition string
		portsFile string
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "match [DIR] --partition NAME [--ports FILE]",
		Short: "Predict which port a partition's serial select rules pick",
		Long: `match applies a partition's serial select rules — the compiled table the
adapter's select-serial-port listener evaluates — to the live port list, or
to --ports FILE: a JSON array of Electron SerialPort objects (what the
listener's portList holds; "-" reads standard input). It prints the port
name and portId passed to the callback, or "cancel" when the callback gets
'' (no rule matched, or no serial block), then a line saying why.
--json prints {"format_version", "portId", "port", "ruleIndex", "source",
"ports"} ("ports": how many ports were considered).`,
		Example: `  sessctl serial match ./conf --partition persist:lab
  sessctl serial match --partition persist:lab --ports ports.json --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("partition") {
				return fmt.Errorf("--partition is required (use \"\" for the default session)")
			}
			var ports []serial.Port
			var err error
			if portsFile != "" {
				ports, err = readPortsFile(cmd.InOrStdin(), portsFile)
			} else {
				ports, err = portLister().ListPorts()
			}
			if err != nil {
				return err
			}
			table, p, err := compilePartition(cmd, configPath(args), partition, serialsel.Compile)
			if err != nil {
				return err
			}
			sel := serialsel.Select(table, ports)
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, struct {
					FormatVersion string `json:"format_version"`
					serialsel.Selection
					Ports int `json:"ports"`
				}{jsonFormatVersion, sel, len(ports)})
			}
			switch sel.Source {
			case "rule":
				fmt.Fprintf(out, "%s %s\n", sel.Port.PortName, sel.PortID)
				where := ""
				if sp := serialsel.Key.Of(p); sp != nil && sel.RuleIndex < len(sp.Selects) {
					where = fmt.Sprintf(" (%s)", sp.Selects[sel.RuleIndex].DeclRange.String())
				}
				fmt.Fprintf(out, "# select rule %d%s\n", sel.RuleIndex+1, where)
			case "no-match":
				fmt.Fprintln(out, "cancel")
				fmt.Fprintf(out, "# no select rule matched any of the %d ports: callback('')\n", len(ports))
			default:
				fmt.Fprintln(out, "cancel")
				fmt.Fprintln(out, "# no serial block: no select-serial-port listener, so Electron cancels the request")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&partition, "partition", "p", "", "partition `NAME`")
	f.StringVar(&portsFile, "ports", "", "JSON `FILE` with the port list (Electron SerialPort objects; - for stdin)")
	f.BoolVar(&asJSON, "json", false, "print the selection as JSON")
	return cmd
}

// readPortsFile reads a JSON array of Electron SerialPort objects, sorted
// as Electron sorts them. A port without portId gets a stable one from its
// name, so that the selection can still be printed.
func readPortsFile(stdin io.Reader, name string) ([]serial.Port, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, 16<<20))
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("--ports: %w", err)
	}
	var ports []serial.Port
	if err := json.Unmarshal(data, &ports); err != nil {
		return nil, fmt.Errorf("--ports %s: not a JSON array of SerialPort objects ({\"portId\", \"portName\", \"vendorId\": \"9025\", …}): %w", name, err)
	}
	for i := range ports {
		if ports[i].PortName == "" {
			return nil, fmt.Errorf("--ports %s: port %d has no portName", name, i+1)
		}
		if ports[i].PortID == "" {
			ports[i].PortID = serial.PortID(ports[i].PortName)
		}
	}
	serial.Sort(ports)
	return ports, nil
}
