package devices

import (
	"fmt"
	"strconv"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/usbid"
	"github.com/sessctl/sessctl/providers/permission"
	"github.com/sessctl/sessctl/providers/serialsel"
	"github.com/sessctl/sessctl/schema"
)

// Family is the name of this setting family in plans and diagnostics.
const Family = "devices"

// Field is the profile key holding the compiled Table.
const Field = "devices"

var provider = providers.TableProvider[Table]{Name: Family, Field: Field, Compile: Compile,
	View: providers.FieldView{Hidden: []string{"formatVersion"},
		Sources: []string{"hid.origins", "usb.origins", "serial.origins", "bluetooth.origins"}}}

func init() { providers.Register(provider) }

// Spec is the `devices {}` block of a partition.
type Spec struct {
	HID       []*RuleSpec
	USB       []*RuleSpec
	Serial    []*RuleSpec
	Bluetooth []*PairingSpec
	DeclRange hcl.Range
}

// RuleSpec is one `hid`, `usb` or `serial` block.
type RuleSpec struct {
	Type         string
	Name         string
	NameRange    hcl.Range
	Origins      schema.StringList
	VendorID     schema.Value[schema.NumStr]
	ProductID    schema.Value[schema.NumStr]
	SerialNumber schema.Value[string]
	UsagePage    schema.Value[schema.NumStr]
	Action       schema.Value[string]
	DeclRange    hcl.Range
}

// PairingSpec is one `bluetooth` block.
type PairingSpec struct {
	Name         string
	NameRange    hcl.Range
	Origins      schema.StringList
	PairingKinds schema.StringList
	Action       schema.Value[string]
	DeclRange    hcl.Range
}

func deviceAttrs(hid bool) []schema.AttrSpec {
	a := []schema.AttrSpec{
		{Name: "origins", Doc: "Chromium content-settings patterns of the requesting origin (default: all)"},
		{Name: "vendor_id", Doc: `USB vendor ID: a number (4176) or a string "0x1050" or "4176"`},
		{Name: "product_id", Doc: "USB product ID, written like vendor_id"},
		{Name: "serial_number", Doc: "the device's serial number, exactly"},
	}
	if hid {
		a = append(a, schema.AttrSpec{Name: "usage_page", Doc: `HID usage page of one of the device's top-level collections, written like vendor_id ("0xFF00"); the chooser never lists FIDO devices (0xF1D0)`})
	}
	return append(a, schema.AttrSpec{Name: "action", Doc: `"allow" or "deny" (required)`})
}

// Key reads a partition's devices block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "devices",
		Doc:  "WebHID, WebUSB and Web Serial device permission (`ses.setDevicePermissionHandler`), the HID and USB choosers (`select-hid-device`, `select-usb-device`) and Bluetooth pairing (`ses.setBluetoothPairingHandler`): rules tried in source order per device type; what no rule allows is denied",
		Blocks: []*schema.BlockSpec{
			{Type: "hid", Kind: schema.Labelled, LabelName: "name",
				Doc:   "a WebHID rule: the first hid rule whose origins and set attributes match decides the device permission, and the HID chooser picks the first listed device an allow rule matches",
				Attrs: deviceAttrs(true)},
			{Type: "usb", Kind: schema.Labelled, LabelName: "name",
				Doc:   "a WebUSB rule, like hid (without usage_page)",
				Attrs: deviceAttrs(false)},
			{Type: "serial", Kind: schema.Labelled, LabelName: "name",
				Doc:   "a Web Serial device permission rule, like usb (IDs and serial number match on Linux and macOS only); which port `requestPort()` gets stays with the partition's `serial {}` block",
				Attrs: deviceAttrs(false)},
			{Type: "bluetooth", Kind: schema.Labelled, LabelName: "name",
				Doc: "a Bluetooth pairing rule (Windows and Linux): the first whose origins match and that lists the pairing kind decides",
				Attrs: []schema.AttrSpec{
					{Name: "origins", Doc: "Chromium content-settings patterns of the frame's origin (default: all)"},
					{Name: "pairing_kinds", Doc: `pairing kinds the rule answers: "confirm", "confirmPin", "providePin" (default ["confirm", "confirmPin"])`},
					{Name: "action", Doc: `"confirm" or "deny" (required); providePin can only be denied`},
				}},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("devices")
		if !ok {
			return nil
		}
		rules := func(typ string) []*RuleSpec {
			return schema.DecodeLabelled(blk.Body, typ, func(r schema.Block) *RuleSpec {
				s := &RuleSpec{
					Type: typ, Name: r.Label, NameRange: r.LabelRange,
					Origins:      d.StringList(r.Body, "origins", false),
					VendorID:     d.NumStr(r.Body, "vendor_id"),
					ProductID:    d.NumStr(r.Body, "product_id"),
					SerialNumber: d.String(r.Body, "serial_number"),
					Action:       d.String(r.Body, "action"),
					DeclRange:    r.DefRange,
				}
				if typ == HID {
					s.UsagePage = d.NumStr(r.Body, "usage_page")
				}
				return s
			})
		}
		return &Spec{
			HID: rules(HID), USB: rules(USB), Serial: rules(Serial),
			Bluetooth: schema.DecodeLabelled(blk.Body, "bluetooth", func(r schema.Block) *PairingSpec {
				return &PairingSpec{
					Name: r.Label, NameRange: r.LabelRange,
					Origins:      d.StringList(r.Body, "origins", false),
					PairingKinds: d.StringList(r.Body, "pairing_kinds", false),
					Action:       d.String(r.Body, "action"),
					DeclRange:    r.DefRange,
				}
			}),
			DeclRange: blk.DefRange,
		}
	},
})

// NameRange is where the name of the i-th rule of a device type
// ("bluetooth" included) is written; nil when there is none.
func (s *Spec) NameRange(typ string, i int) *hcl.Range {
	var names []hcl.Range
	switch typ {
	case Bluetooth:
		for _, r := range s.Bluetooth {
			names = append(names, r.NameRange)
		}
	default:
		for _, r := range map[string][]*RuleSpec{HID: s.HID, USB: s.USB, Serial: s.Serial}[typ] {
			names = append(names, r.NameRange)
		}
	}
	if i < 0 || i >= len(names) {
		return nil
	}
	return &names[i]
}

// fidoUsagePage is device::mojom::kPageFido.
const fidoUsagePage = 0xF1D0

// maxShadowRules bounds the quadratic shadow analysis on hostile input.
const maxShadowRules = 2000

// Compile validates the devices block of p and compiles it; nil without a
// block (no handler or listener is installed).
func Compile(c *providers.Context, p *schema.Partition) (*Table, hcl.Diagnostics) {
	sp := Key.Of(p)
	if sp == nil {
		return nil, nil
	}
	var diags hcl.Diagnostics
	t := &Table{FormatVersion: FormatVersion, HID: []Rule{}, USB: []Rule{}, Serial: []Rule{}, Bluetooth: []PairingRule{}}
	if len(sp.HID)+len(sp.USB)+len(sp.Serial)+len(sp.Bluetooth) == 0 {
		diags = append(diags, providers.Warnf(warning.DevicesNoRules, sp.DeclRange,
			"With no rule the device permission handler denies every HID, USB and serial device, the HID and USB choosers cancel every request and Bluetooth pairing is refused. Add hid \"NAME\" { origins = […] vendor_id = … action = \"allow\" } for the devices pages may use, or remove the block.",
			"devices block without rules denies every device"))
	}
	for _, l := range []struct {
		specs []*RuleSpec
		dst   *[]Rule
	}{{sp.HID, &t.HID}, {sp.USB, &t.USB}, {sp.Serial, &t.Serial}} {
		for i, r := range l.specs {
			cr, rd := compileRule(r)
			diags = append(diags, rd...)
			if !rd.HasErrors() && i <= maxShadowRules {
				for j := range *l.dst {
					if (*l.dst)[j].covers(&cr) {
						diags = append(diags, providers.Warnf(warning.DevicesShadowed, r.DeclRange,
							fmt.Sprintf("Rules of a device type are tried in order and the first that matches decides; every request %s rule %q matches is matched by the earlier rule %q (%s), so rule %q never decides. Put the more specific rule first.", r.Type, r.Name, (*l.dst)[j].Name, l.specs[j].DeclRange.String(), r.Name),
							"%s rule %q is shadowed by rule %q", r.Type, r.Name, (*l.dst)[j].Name))
						break
					}
				}
			}
			*l.dst = append(*l.dst, cr)
		}
	}
	for _, r := range sp.Serial {
		if r.VendorID.Set || r.ProductID.Set || r.SerialNumber.Set {
			diags = append(diags, providers.Warnf(warning.DevicesSerialWindows, r.DeclRange,
				"For a serial port Electron passes the device permission handler its stored value (serial_chooser_context.cc PortInfoToValue): vendor_id, product_id and serial_number on Linux and macOS, but only device_instance_id on Windows, so on Windows this rule never matches and ports with a persistent identity are denied. Keep it for a Linux or macOS fleet.",
				"serial rules match on Linux and macOS only"))
			break
		}
	}
	for i, r := range sp.Bluetooth {
		cr, rd := compilePairing(r)
		diags = append(diags, rd...)
		if i == 0 {
			diags = append(diags, providers.Warnf(warning.DevicesPairingPlatform, r.DeclRange,
				"setBluetoothPairingHandler is documented for Windows and Linux only; macOS pairs without asking the handler (Electron docs, session.setBluetoothPairingHandler), so these rules do not apply there.",
				"Bluetooth pairing rules apply on Windows and Linux only"))
		}
		t.Bluetooth = append(t.Bluetooth, cr)
	}
	if !diags.HasErrors() {
		diags = append(diags, crossChecks(c, p, sp, t)...)
	}
	return t, diags
}

func compileAction(v schema.Value[string], decl hcl.Range, kind, name string, allowed ...string) (string, hcl.Diagnostics) {
	want := fmt.Sprintf("%q or %q", allowed[0], allowed[1])
	if !v.Set {
		return "", hcl.Diagnostics{providers.Errorf(decl, "Every rule needs action = "+want+".", "%s rule %q has no action", kind, name)}
	}
	for _, a := range allowed {
		if v.V == a {
			return a, nil
		}
	}
	return "", hcl.Diagnostics{providers.Errorf(v.Range, "action must be "+want+".", "invalid action %q in %s rule %q", v.V, kind, name)}
}

func compileOrigins(list schema.StringList, kind, name string) ([]permission.OriginPattern, hcl.Diagnostics) {
	if !list.Set {
		return nil, nil
	}
	origins, live, diags := permission.CompileOrigins(list, warning.DevicesOrigin)
	if live == 0 && !diags.HasErrors() {
		diags = append(diags, providers.Warnf(warning.DevicesOrigin, list.Range,
			"No origin pattern of the rule can match a URL, so the rule never decides. Remove the rule or list the origins of the pages.",
			"%s rule %q can never match", kind, name))
	}
	return origins, diags
}

func compileRule(r *RuleSpec) (Rule, hcl.Diagnostics) {
	out := Rule{Name: r.Name}
	var diags, d hcl.Diagnostics
	out.Action, d = compileAction(r.Action, r.DeclRange, r.Type, r.Name, "allow", "deny")
	diags = append(diags, d...)
	out.Origins, d = compileOrigins(r.Origins, r.Type, r.Name)
	diags = append(diags, d...)
	for _, f := range []struct {
		v    schema.Value[schema.NumStr]
		attr string
		dst  **int
	}{{r.VendorID, "vendor_id", &out.VendorID}, {r.ProductID, "product_id", &out.ProductID}, {r.UsagePage, "usage_page", &out.UsagePage}} {
		n, ok, d := usbid.Parse(f.v, f.attr, warning.DevicesDecimalID)
		diags = append(diags, d...)
		if ok {
			v := int(n)
			*f.dst = &v
		}
	}
	if r.SerialNumber.Set {
		if r.SerialNumber.V == "" {
			// hid_chooser_context.cc and usb_chooser_context.cc set
			// serialNumber only when it is not empty.
			diags = append(diags, providers.Errorf(r.SerialNumber.Range, "Electron omits serialNumber when the device has none, so an empty serial_number never matches. Remove the attribute.", "empty serial_number"))
		} else {
			s := r.SerialNumber.V
			out.SerialNumber = &s
		}
	}
	if diags.HasErrors() {
		return out, diags
	}
	if r.ProductID.Set && !r.VendorID.Set {
		diags = append(diags, providers.Warnf(warning.DevicesProductNoVendor, r.ProductID.Range,
			"Product IDs are assigned by each vendor, so without vendor_id this rule matches any vendor's device with that product ID. Add vendor_id.",
			"product_id without vendor_id"))
	}
	if out.Action == "allow" {
		if out.UsagePage != nil && *out.UsagePage == fidoUsagePage {
			diags = append(diags, providers.Warnf(warning.DevicesFidoHidden, r.UsagePage.Range,
				"Electron's HID chooser leaves out devices with a FIDO collection (usage page 0xF1D0) unless the app runs with --disable-hid-blocklist or the origin is one of Electron's privileged extensions (hid_chooser_controller.cc DisplayDevice), so select-hid-device never offers them and navigator.hid.requestDevice() cannot get one. Security keys are for WebAuthn, not WebHID.",
				"HID rule %q names the FIDO usage page, which the chooser never lists", r.Name))
		}
		if out.Origins == nil {
			diags = append(diags, providers.Warnf(warning.DevicesEveryOrigin, r.DeclRange,
				"Without origins the rule matches every page the session loads, including third-party frames. List the origins of the pages that use the device: origins = [\"https://app.corp.example\"].",
				"%s rule %q allows every origin", r.Type, r.Name))
		}
		if out.VendorID == nil && out.ProductID == nil && out.SerialNumber == nil && out.UsagePage == nil {
			diags = append(diags, providers.Warnf(warning.DevicesEveryDevice, r.DeclRange,
				fmt.Sprintf("A rule without vendor_id, product_id or serial_number matches every %s device, so the origins it matches get any device plugged in (the chooser picks the first listed). Name the device.", r.Type),
				"%s rule %q allows every device", r.Type, r.Name))
		}
	}
	return out, diags
}

var pairingKinds = []string{PairConfirm, PairConfirmPin, PairProvidePin}

func compilePairing(r *PairingSpec) (PairingRule, hcl.Diagnostics) {
	out := PairingRule{Name: r.Name, PairingKinds: []string{}}
	var diags, d hcl.Diagnostics
	out.Action, d = compileAction(r.Action, r.DeclRange, "bluetooth", r.Name, "confirm", "deny")
	diags = append(diags, d...)
	out.Origins, d = compileOrigins(r.Origins, "bluetooth", r.Name)
	diags = append(diags, d...)
	if !r.PairingKinds.Set {
		out.PairingKinds = []string{PairConfirm, PairConfirmPin}
	}
	for _, it := range r.PairingKinds.Items {
		switch {
		case !contains(pairingKinds, it.V):
			diags = append(diags, providers.Errorf(it.Range, `pairing_kinds lists "confirm", "confirmPin" or "providePin" (setBluetoothPairingHandler details.pairingKind, case-sensitive).`, "unknown pairing kind %q in bluetooth rule %q", it.V, r.Name))
		case it.V == PairProvidePin && out.Action == "confirm":
			diags = append(diags, providers.Errorf(it.Range, "providePin asks for the PIN the device shows or expects; sessctl holds no PINs, so it can only be denied. Remove \"providePin\" from this rule or write a separate rule with action = \"deny\".", "bluetooth rule %q cannot confirm providePin", r.Name))
		case contains(out.PairingKinds, it.V):
		default:
			out.PairingKinds = append(out.PairingKinds, it.V)
		}
	}
	return out, diags
}

// covers reports whether every request rule b matches is matched by a
// (a is earlier, so b never decides).
func (a *Rule) covers(b *Rule) bool {
	eqInt := func(x, y *int) bool { return x == nil || y != nil && *x == *y }
	return eqInt(a.VendorID, b.VendorID) && eqInt(a.ProductID, b.ProductID) && eqInt(a.UsagePage, b.UsagePage) &&
		(a.SerialNumber == nil || b.SerialNumber != nil && *a.SerialNumber == *b.SerialNumber) &&
		permission.OriginsCover(a.Origins, b.Origins)
}

// crossChecks warns where the permissions or serial family of the
// partition contradicts the devices block.
func crossChecks(c *providers.Context, p *schema.Partition, sp *Spec, t *Table) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if permission.Key.Of(p) != nil {
		// navigator.hid/usb/serial ask the permission check handler for
		// "hid", "usb" or "serial" before the chooser or the device
		// permission (hid/electron_hid_delegate.cc,
		// usb/electron_usb_delegate.cc, web_contents_permission_helper.cc).
		if pt, pd := permission.Compile(c, p); !pd.HasErrors() {
			for _, l := range []struct {
				typ   string
				specs []*RuleSpec
				rules []Rule
			}{{HID, sp.HID, t.HID}, {USB, sp.USB, t.USB}, {Serial, sp.Serial, t.Serial}} {
				i := firstAllow(l.rules)
				if i < 0 || permission.MayAllow(pt, "check", l.typ) {
					continue
				}
				diags = append(diags, providers.Warnf(warning.DevicesCheckDenied, l.specs[i].DeclRange,
					fmt.Sprintf("Pages reach %s devices only when the permission check handler allows %q, and this partition's permissions block denies that check for every origin, so %s rule %q never grants a device. Add a permissions rule with permissions = [%q], handler = \"check\" (or \"both\"), decision = \"allow\" and the origins of the pages.", l.typ, l.typ, l.typ, l.specs[i].Name, l.typ),
					"%s rules are unreachable: the permissions block denies the %q check", l.typ, l.typ))
			}
		}
	}
	if serialsel.Key.Of(p) != nil {
		// With a device permission handler set, Electron stores no grant
		// of its own (electron_permission_manager.cc
		// GrantDevicePermission): a port with a serial number that the
		// serial family selects is usable only if a devices serial rule
		// allows it (serial_chooser_context.cc HasPortPermission).
		// Bounded like the shadow analysis, on hostile input.
		if st, sd := serialsel.Compile(c, p); !sd.HasErrors() && st != nil && len(st.Rules) <= maxShadowRules && len(t.Serial) <= maxShadowRules {
			for i, sel := range st.Rules {
				if !anyCompatible(t.Serial, sel) {
					diags = append(diags, providers.Warnf(warning.DevicesSerialNotAllowed, sp.DeclRange,
						fmt.Sprintf("With a devices block the adapter installs setDevicePermissionHandler, and Electron then asks it whether a page may use a port with a serial number, even one the serial family's select rule %d picked; no serial allow rule of this block can match the ports that rule selects, so port.open() fails for them. Add serial \"NAME\" { origins = […] vendor_id = … action = \"allow\" } for those ports.", i+1),
						"ports the serial family's select rule %d picks are denied by the devices block", i+1))
				}
			}
		}
	}
	return diags
}

func firstAllow(rules []Rule) int {
	for i := range rules {
		if rules[i].Action == "allow" {
			return i
		}
	}
	return -1
}

// anyCompatible reports whether some allow rule could match a port that
// the serial selection rule sel picks: their common conditions agree.
func anyCompatible(rules []Rule, sel serialsel.Rule) bool {
	agree := func(r *int, s string) bool {
		return r == nil || s == "" || strconv.Itoa(*r) == s
	}
	for i := range rules {
		r := &rules[i]
		if r.Action == "allow" && agree(r.VendorID, sel.VendorID) && agree(r.ProductID, sel.ProductID) &&
			(r.SerialNumber == nil || sel.SerialNumber == "" || *r.SerialNumber == sel.SerialNumber) {
			return true
		}
	}
	return false
}
