package serialsel

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/usbid"
	"github.com/sessctl/sessctl/providers/permission"
	"github.com/sessctl/sessctl/schema"
)

// Family is the name of this setting family in plans and diagnostics.
const Family = "serial"

// Field is the profile key holding the compiled Table.
const Field = "serialRules"

// The provider validates the partition's serial block and renders the
// compiled table; without a block the field is absent.
var provider = providers.TableProvider[Table]{Name: Family, Field: Field, Compile: Compile,
	View: providers.FieldView{Keys: map[string]string{"rules": "select"}}}

func init() { providers.Register(provider) }

// Spec is the `serial {}` block of a partition: ordered `select {}` rules.
type Spec struct {
	Selects   []*SelectSpec
	DeclRange hcl.Range
}

// SelectSpec is one `select {}` rule; every set attribute must match.
type SelectSpec struct {
	VendorID     schema.Value[schema.NumStr]
	ProductID    schema.Value[schema.NumStr]
	SerialNumber schema.Value[string]
	PortName     schema.Value[string]
	// Where the platform has them (docs/electron-facts.md §7).
	DisplayName      schema.Value[string]
	UsbDriverName    schema.Value[string]
	DeviceInstanceID schema.Value[string]
	DeclRange        hcl.Range
}

// Key reads a partition's serial block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "serial",
		Doc:  "the `select-serial-port` handler: which port a page's `navigator.serial.requestPort()` gets, without a chooser",
		Blocks: []*schema.BlockSpec{{
			Type: "select", Kind: schema.List,
			Doc: "a rule, tried in order: the first rule that matches any port picks the first such port; every set attribute must match",
			Attrs: []schema.AttrSpec{
				{Name: "vendor_id", Doc: `USB vendor ID: a number (9025) or a string "0x2341" or "9025"`},
				{Name: "product_id", Doc: "USB product ID, written like vendor_id"},
				{Name: "serial_number", Doc: "the device's serial number, exactly"},
				{Name: "port_name", Doc: `the port's name as Electron gives it ("ttyUSB0", "COM3"), not a path`},
				{Name: "display_name", Doc: "the port's `displayName`, exactly (the USB product string on Linux)"},
				{Name: "usb_driver_name", Doc: "the port's `usbDriverName`, exactly: macOS only"},
				{Name: "device_instance_id", Doc: "the port's `deviceInstanceId`, exactly: Windows only"},
			},
		}},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("serial")
		if !ok {
			return nil
		}
		s := &Spec{DeclRange: blk.DefRange}
		for _, sel := range blk.Body.List("select") {
			s.Selects = append(s.Selects, &SelectSpec{
				VendorID:         d.NumStr(sel.Body, "vendor_id"),
				ProductID:        d.NumStr(sel.Body, "product_id"),
				SerialNumber:     d.String(sel.Body, "serial_number"),
				PortName:         d.String(sel.Body, "port_name"),
				DisplayName:      d.String(sel.Body, "display_name"),
				UsbDriverName:    d.String(sel.Body, "usb_driver_name"),
				DeviceInstanceID: d.String(sel.Body, "device_instance_id"),
				DeclRange:        sel.DefRange,
			})
		}
		return s
	},
})

// Compile validates the serial block of p and compiles it; nil without a
// block.
func Compile(c *providers.Context, p *schema.Partition) (*Table, hcl.Diagnostics) {
	sp := Key.Of(p)
	if sp == nil {
		return nil, nil
	}
	var diags hcl.Diagnostics
	t := &Table{FormatVersion: FormatVersion, Rules: []Rule{}}
	if len(sp.Selects) == 0 {
		diags = append(diags, providers.Warnf(warning.SerialNoSelect, sp.DeclRange,
			"With no select rule the listener cancels every navigator.serial.requestPort() call (callback('')). Add select { vendor_id = …  product_id = … } for the devices the pages may use, or remove the block.",
			"serial block without select rules cancels every port request"))
	}
	for i, s := range sp.Selects {
		var r Rule
		var d hcl.Diagnostics
		r.VendorID, d = usbID(s.VendorID, "vendor_id")
		diags = append(diags, d...)
		r.ProductID, d = usbID(s.ProductID, "product_id")
		diags = append(diags, d...)
		if s.SerialNumber.Set {
			if s.SerialNumber.V == "" {
				diags = append(diags, providers.Errorf(s.SerialNumber.Range, "Electron omits serialNumber when the device has none, so an empty serial_number never matches. Remove the attribute.", "empty serial_number"))
			}
			r.SerialNumber = s.SerialNumber.V
		}
		if s.PortName.Set {
			n := s.PortName.V
			switch {
			case n == "":
				diags = append(diags, providers.Errorf(s.PortName.Range, "port_name is the device's basename, e.g. \"ttyUSB0\" or \"COM3\".", "empty port_name"))
			case strings.ContainsAny(n, `/\`):
				base := n[strings.LastIndexAny(n, `/\`)+1:]
				diags = append(diags, providers.Errorf(s.PortName.Range,
					fmt.Sprintf("Electron's portName is the basename of the device path, so %q never matches; write %q.", n, base),
					"port_name %q is a path", n))
			}
			r.PortName = n
		}
		for _, f := range []struct {
			v    schema.Value[string]
			name string
			os   string
			dst  *string
		}{
			{s.DisplayName, "display_name", "", &r.DisplayName},
			{s.UsbDriverName, "usb_driver_name", "macOS", &r.UsbDriverName},
			{s.DeviceInstanceID, "device_instance_id", "Windows", &r.DeviceInstanceID},
		} {
			if !f.v.Set {
				continue
			}
			if f.v.V == "" {
				diags = append(diags, providers.Errorf(f.v.Range, "Electron omits the field when it is empty, so an empty value never matches. Remove the attribute.", "empty %s", f.name))
				continue
			}
			*f.dst = f.v.V
			if f.os != "" {
				diags = append(diags, providers.Warnf(warning.SerialPlatformField, f.v.Range,
					fmt.Sprintf("Electron sets this field on %s only (serial_port_info_converter.h); on other systems the port has none, so this rule never matches there. Keep it for a %s fleet, or match by vendor_id/product_id/serial_number.", f.os, f.os),
					"%s exists on %s only", f.name, f.os))
			}
		}
		if s.ProductID.Set && !s.VendorID.Set && r.ProductID != "" {
			diags = append(diags, providers.Warnf(warning.SerialProductNoVendor, s.ProductID.Range,
				"Product IDs are assigned by each vendor, so without vendor_id this rule selects any vendor's device with that product ID. Add vendor_id.",
				"product_id without vendor_id"))
		}
		if r == (Rule{}) && !s.VendorID.Set && !s.ProductID.Set && !s.SerialNumber.Set && !s.PortName.Set &&
			!s.DisplayName.Set && !s.UsbDriverName.Set && !s.DeviceInstanceID.Set {
			diags = append(diags, providers.Warnf(warning.SerialSelectAll, s.DeclRange,
				"A select block without attributes matches every port, so the first port of the list (sorted by name) is granted whatever device it is. Name the device with vendor_id/product_id/serial_number.",
				"select rule %d matches every port", i+1))
		}
		for j := range t.Rules {
			if t.Rules[j].covers(&r) {
				diags = append(diags, providers.Warnf(warning.SerialSelectShadowed, s.DeclRange,
					fmt.Sprintf("Rules are tried in order and a rule is consulted only when no earlier rule matched any port; every port select rule %d matches also matches select rule %d (%s), so rule %d never selects. Put the more specific rule first.", i+1, j+1, sp.Selects[j].DeclRange.String(), i+1),
					"select rule %d is shadowed by select rule %d", i+1, j+1))
				break
			}
		}
		if r.DisplayName != "" || r.UsbDriverName != "" || r.DeviceInstanceID != "" {
			t.FormatVersion = FormatVersionPlatformFields
		}
		t.Rules = append(t.Rules, r)
	}
	if permission.Key.Of(p) != nil && len(t.Rules) > 0 {
		// navigator.serial first asks the permission check handler for
		// "serial" (web_contents_permission_helper.cc 328-335).
		if pt, pd := permission.Compile(c, p); !pd.HasErrors() && !permission.MayAllow(pt, "check", "serial") {
			diags = append(diags, providers.Warnf(warning.SerialUnreachable, sp.DeclRange,
				"navigator.serial asks the permission check handler for \"serial\" before a port is chosen, and this partition's permissions block denies that check for every origin, so no page can reach select-serial-port. Add a rule with permissions = [\"serial\"], handler = \"check\" (or \"both\"), decision = \"allow\" and the origins of the pages.",
				"serial rules are unreachable: the permissions block denies the \"serial\" check"))
		}
	}
	return t, diags
}

// usbID validates and normalises a USB vendor or product ID to the
// decimal string Electron passes in SerialPort.vendorId/productId
// (docs/electron-facts.md §7).
func usbID(v schema.Value[schema.NumStr], attr string) (string, hcl.Diagnostics) {
	n, ok, diags := usbid.Parse(v, attr, warning.SerialDecimalID)
	if !ok {
		return "", diags
	}
	return strconv.FormatUint(uint64(n), 10), diags
}
