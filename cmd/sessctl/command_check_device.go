package main

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/providers/devices"
	"github.com/sessctl/sessctl/schema"
)

func init() { rootCmd.AddCommand(newCheckDeviceCmd()) }

func newCheckDeviceCmd() *cobra.Command {
	var (
		typ, origin, vendor, product, serialNumber, usagePage, pairingKind string
		asJSON                                                             bool
	)
	cmd := &cobra.Command{
		Use:   "check-device [DIR] PARTITION --type hid|usb|serial|bluetooth --origin ORIGIN [--vendor-id V --product-id P] [--serial-number S] [--usage-page U] [--pairing-kind K]",
		Short: "Predict whether a partition's devices rules grant a device or confirm a Bluetooth pairing",
		Long: `check-device evaluates one request against the compiled devices table of a
partition — the table the Electron adapter's setDevicePermissionHandler
handler, select-hid-device / select-usb-device listeners and
setBluetoothPairingHandler handler evaluate (docs/devices.md) — and prints
"allow" or "deny" on the first line, then a line naming the rule that
decided and where it is written (file:line:col), or that no rule matched
(denied by default), or that the partition has no devices block.

For --type hid, usb or serial, ORIGIN is the device permission check's
origin and --vendor-id/--product-id the device's IDs, written as in HCL
("0x0C27" or "3111"); --serial-number is the device's serial number (omit
it for a device without one) and --usage-page (hid only) the usage page of
one of its top-level collections. A device the rules allow is also the one
the HID or USB chooser would pick for that origin when it is listed first
among allowed devices.
For --type bluetooth, ORIGIN is the pairing frame's origin and
--pairing-kind "confirm" (default), "confirmPin" or "providePin".
--json prints {"format_version", "decision", "allow", "rule", "ruleIndex",
"source", "reason", "request"}. The exit status is 0 for either decision,
1 when the configuration or the request is invalid.`,
		Example: `  sessctl check-device ./conf persist:auth --type hid --origin https://login.corp.example --vendor-id 0x0C27 --product-id 0x3BFA --usage-page 0xFF00
  sessctl check-device persist:lab --type serial --origin https://lab.corp.example --vendor-id 0x2341 --product-id 0x0043 --serial-number A1 --json
  sessctl check-device persist:auth --type bluetooth --origin https://login.corp.example --pairing-kind confirmPin`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var dir []string
			if len(args) == 2 {
				dir, args = args[:1], args[1:]
			}
			req, err := deviceRequest(cmd, typ, origin, vendor, product, serialNumber, usagePage, pairingKind)
			if err != nil {
				return err
			}
			table, p, err := compilePartition(cmd, configPath(dir), args[0], devices.Compile)
			if err != nil {
				return err
			}
			d := devices.Decide(table, req)
			source := ""
			if rng := deviceRuleRange(p, req.Type, d.RuleIndex); rng != nil {
				source = rng.String()
			}
			decision := "deny"
			if d.Allow {
				decision = "allow"
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, struct {
					FormatVersion string `json:"format_version"`
					Verdict       string `json:"decision"`
					devices.Decision
					Source  string          `json:"source,omitempty"`
					Request devices.Request `json:"request"`
				}{jsonFormatVersion, decision, d, source, req})
			}
			fmt.Fprintln(out, decision)
			fmt.Fprintf(out, "# %s\n", explainDevice(d, req, source))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&typ, "type", "", "device `TYPE`: hid, usb, serial or bluetooth")
	f.StringVar(&origin, "origin", "", "the requesting `ORIGIN` (https://app.example)")
	f.StringVar(&vendor, "vendor-id", "", "USB vendor `ID` (0x1050 or 4176)")
	f.StringVar(&product, "product-id", "", "USB product `ID`")
	f.StringVar(&serialNumber, "serial-number", "", "the device's serial `NUMBER` (omit when it has none)")
	f.StringVar(&usagePage, "usage-page", "", "HID usage `PAGE` of a top-level collection (hid only)")
	f.StringVar(&pairingKind, "pairing-kind", devices.PairConfirm, "Bluetooth pairing `KIND`: confirm, confirmPin or providePin (bluetooth only)")
	f.BoolVar(&asJSON, "json", false, "print the decision as JSON")
	return cmd
}

// deviceRequest builds the request the adapter would see, as Electron
// shapes the device for that type.
func deviceRequest(cmd *cobra.Command, typ, origin, vendor, product, serialNumber, usagePage, pairingKind string) (devices.Request, error) {
	changed := cmd.Flags().Changed
	req := devices.Request{Type: typ, Origin: origin}
	if !changed("origin") || origin == "" {
		return req, fmt.Errorf("--origin is required: the requesting origin, e.g. https://app.corp.example")
	}
	switch typ {
	case devices.Bluetooth:
		for _, f := range []string{"vendor-id", "product-id", "serial-number", "usage-page"} {
			if changed(f) {
				return req, fmt.Errorf("--%s does not apply to --type bluetooth: setBluetoothPairingHandler gets a deviceId and a pairingKind only", f)
			}
		}
		switch pairingKind {
		case devices.PairConfirm, devices.PairConfirmPin, devices.PairProvidePin:
		default:
			return req, fmt.Errorf("--pairing-kind %q: write confirm, confirmPin or providePin", pairingKind)
		}
		req.PairingKind = pairingKind
		return req, nil
	case devices.HID, devices.USB, devices.Serial:
	case "":
		return req, fmt.Errorf("--type is required: hid, usb, serial or bluetooth")
	default:
		return req, fmt.Errorf("--type %q: write hid, usb, serial or bluetooth", typ)
	}
	if changed("pairing-kind") {
		return req, fmt.Errorf("--pairing-kind applies to --type bluetooth only")
	}
	if !changed("vendor-id") || !changed("product-id") {
		return req, fmt.Errorf("--vendor-id and --product-id are required for --type %s: the device's USB IDs (0x1050 or 4176)", typ)
	}
	id := func(s, what string) (*float64, error) {
		n, err := devices.ParseID(s, what)
		if err != nil {
			return nil, err
		}
		f := float64(n)
		return &f, nil
	}
	vid, err := id(vendor, "--vendor-id")
	if err != nil {
		return req, err
	}
	pid, err := id(product, "--product-id")
	if err != nil {
		return req, err
	}
	var sn *string
	if changed("serial-number") {
		if serialNumber == "" {
			return req, fmt.Errorf("--serial-number is empty: Electron omits the serial number of a device that has none, so leave the flag out")
		}
		sn = &serialNumber
	}
	d := &devices.Device{}
	if typ == devices.Serial {
		// setDevicePermissionHandler gets PortInfoToValue's keys
		// (serial_chooser_context.cc).
		d.PortVendorID, d.PortProductID, d.PortSerialNumber = vid, pid, sn
	} else {
		d.VendorID, d.ProductID, d.SerialNumber = vid, pid, sn
	}
	if changed("usage-page") {
		if typ != devices.HID {
			return req, fmt.Errorf("--usage-page applies to --type hid only")
		}
		up, err := id(usagePage, "--usage-page")
		if err != nil {
			return req, err
		}
		d.Collections = []devices.Collection{{UsagePage: up}}
	}
	req.Device = d
	return req, nil
}

// deviceRuleRange is where the deciding rule's name is written.
func deviceRuleRange(p *schema.Partition, typ string, i int) *hcl.Range {
	if sp := devices.Key.Of(p); sp != nil {
		return sp.NameRange(typ, i)
	}
	return nil
}

// explainDevice says in words what decided.
func explainDevice(d devices.Decision, r devices.Request, source string) string {
	where := ""
	if source != "" {
		where = " (" + source + ")"
	}
	switch d.Reason {
	case "rule":
		if r.Type == devices.Bluetooth {
			return fmt.Sprintf("bluetooth rule %q%s confirms the pairing: callback({confirmed: true})", d.Rule, where)
		}
		return fmt.Sprintf("%s rule %q%s allows the device: the device permission handler returns true", r.Type, d.Rule, where)
	case "deny-rule":
		return fmt.Sprintf("%s rule %q%s denies", r.Type, d.Rule, where)
	case "default":
		return fmt.Sprintf("no %s rule matched: denied by default", r.Type)
	}
	return "no devices block: no handler, Electron's own behaviour (grants made in its choosers; choosers and pairing prompts are cancelled)"
}
