package devices

import (
	"github.com/sessctl/sessctl/providers/internal/usbid"
	"github.com/sessctl/sessctl/providers/permission"
)

// Device is a device as Electron hands it to the adapter: an HIDDevice
// (hid_chooser_context.cc DeviceInfoToValue plus deviceId), a USBDevice
// (usb_chooser_context.cc DeviceInfoToValue) or, for deviceType "serial"
// in setDevicePermissionHandler, the stored port value of
// serial_chooser_context.cc PortInfoToValue, whose keys are snake_case
// ("vendor_id", "product_id", "serial_number"). Numbers are JSON numbers,
// as JavaScript sees them.
type Device struct {
	DeviceID     string       `json:"deviceId,omitempty"`
	Name         string       `json:"name,omitempty"`
	VendorID     *float64     `json:"vendorId,omitempty"`
	ProductID    *float64     `json:"productId,omitempty"`
	SerialNumber *string      `json:"serialNumber,omitempty"`
	Collections  []Collection `json:"collections,omitempty"`
	// The serial port value of PortInfoToValue (not on Windows, where it
	// holds device_instance_id instead).
	PortVendorID     *float64 `json:"vendor_id,omitempty"`
	PortProductID    *float64 `json:"product_id,omitempty"`
	PortSerialNumber *string  `json:"serial_number,omitempty"`
}

// Collection is a top-level HID collection (HidCollectionInfoToValue).
type Collection struct {
	UsagePage *float64 `json:"usagePage"`
	Usage     *float64 `json:"usage,omitempty"`
}

// Request is what the adapter decides on. Type "hid", "usb" or "serial"
// with Device is a setDevicePermissionHandler call; Type "hid" or "usb"
// with DeviceList a select-hid-device / select-usb-device event; Type
// "bluetooth" with PairingKind a setBluetoothPairingHandler call. Origin
// is details.origin for the device handler and details.frame.origin
// otherwise ("" when the frame is gone).
type Request struct {
	Type        string   `json:"type"`
	Origin      string   `json:"origin"`
	Device      *Device  `json:"device,omitempty"`
	DeviceList  []Device `json:"deviceList,omitempty"`
	PairingKind string   `json:"pairingKind,omitempty"`
}

// Decision is the outcome of Decide.
type Decision struct {
	// Allow: the device handler returns true, the listener calls back
	// with DeviceID, the pairing handler answers {confirmed: true}.
	Allow bool `json:"allow"`
	// Rule is the deciding rule's name, "" when none matched.
	Rule      string `json:"rule,omitempty"`
	RuleIndex int    `json:"ruleIndex"`
	// DeviceID and DeviceIndex are the selected device (selection only).
	DeviceID    string `json:"deviceId,omitempty"`
	DeviceIndex int    `json:"deviceIndex"`
	// Reason is "rule" (an allow or confirm rule decided), "deny-rule",
	// "default" (no rule matched: denied), "no-device" (selection: no
	// listed device is allowed) or "no-handler" (no devices block:
	// Electron's own behaviour).
	Reason string `json:"reason"`
}

func num(f *float64, want int) bool { return f != nil && *f == float64(want) }

// Matches reports whether the rule's device conditions hold for a device
// of type typ (origins are not looked at).
func (r *Rule) Matches(typ string, d *Device) bool {
	vid, pid, sn := d.VendorID, d.ProductID, d.SerialNumber
	if typ == Serial {
		vid, pid, sn = d.PortVendorID, d.PortProductID, d.PortSerialNumber
	}
	if r.VendorID != nil && !num(vid, *r.VendorID) ||
		r.ProductID != nil && !num(pid, *r.ProductID) ||
		r.SerialNumber != nil && (sn == nil || *sn != *r.SerialNumber) {
		return false
	}
	if r.UsagePage != nil {
		if typ != HID {
			return false
		}
		for _, c := range d.Collections {
			if num(c.UsagePage, *r.UsagePage) {
				return true
			}
		}
		return false
	}
	return true
}

func originsMatch(ps []permission.OriginPattern, origin string) bool {
	return ps == nil || permission.MatchOrigin(ps, origin)
}

// DevicePermission decides a setDevicePermissionHandler call: the first
// rule of the type whose origins and device conditions match decides;
// none denies.
func DevicePermission(t *Table, typ, origin string, d *Device) Decision {
	if t == nil {
		return Decision{RuleIndex: -1, DeviceIndex: -1, Reason: "no-handler"}
	}
	if d == nil {
		d = &Device{}
	}
	rules := t.Rules(typ)
	for i := range rules {
		r := &rules[i]
		if !originsMatch(r.Origins, origin) || !r.Matches(typ, d) {
			continue
		}
		if r.Action == "allow" {
			return Decision{Allow: true, Rule: r.Name, RuleIndex: i, DeviceIndex: -1, Reason: "rule"}
		}
		return Decision{Rule: r.Name, RuleIndex: i, DeviceIndex: -1, Reason: "deny-rule"}
	}
	return Decision{RuleIndex: -1, DeviceIndex: -1, Reason: "default"}
}

// SelectDevice decides a select-hid-device or select-usb-device event:
// the first listed device the rules allow for the origin (as
// DevicePermission decides it) is chosen; none cancels the request.
func SelectDevice(t *Table, typ, origin string, list []Device) Decision {
	if t == nil {
		return Decision{RuleIndex: -1, DeviceIndex: -1, Reason: "no-handler"}
	}
	for j := range list {
		if d := DevicePermission(t, typ, origin, &list[j]); d.Allow {
			d.DeviceID, d.DeviceIndex = list[j].DeviceID, j
			return d
		}
	}
	return Decision{RuleIndex: -1, DeviceIndex: -1, Reason: "no-device"}
}

// Pairing decides a setBluetoothPairingHandler call: the first bluetooth
// rule whose origins match and that lists the pairing kind decides; none
// denies. A confirm rule never answers providePin (the compiler refuses
// it): sessctl does not hold PINs.
func Pairing(t *Table, origin, kind string) Decision {
	if t == nil {
		return Decision{RuleIndex: -1, DeviceIndex: -1, Reason: "no-handler"}
	}
	for i := range t.Bluetooth {
		r := &t.Bluetooth[i]
		if !originsMatch(r.Origins, origin) || !contains(r.PairingKinds, kind) {
			continue
		}
		if r.Action == "confirm" && kind != PairProvidePin {
			return Decision{Allow: true, Rule: r.Name, RuleIndex: i, DeviceIndex: -1, Reason: "rule"}
		}
		return Decision{Rule: r.Name, RuleIndex: i, DeviceIndex: -1, Reason: "deny-rule"}
	}
	return Decision{RuleIndex: -1, DeviceIndex: -1, Reason: "default"}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Decide is the reference evaluation the adapter implements
// (adapters/electron/lib/decide-devices.js decideDevice).
func Decide(t *Table, r Request) Decision {
	switch {
	case r.Type == Bluetooth:
		return Pairing(t, r.Origin, r.PairingKind)
	case r.DeviceList != nil:
		if r.Type != HID && r.Type != USB {
			// Serial selection belongs to the serial family.
			if t == nil {
				return Decision{RuleIndex: -1, DeviceIndex: -1, Reason: "no-handler"}
			}
			return Decision{RuleIndex: -1, DeviceIndex: -1, Reason: "no-device"}
		}
		return SelectDevice(t, r.Type, r.Origin, r.DeviceList)
	}
	return DevicePermission(t, r.Type, r.Origin, r.Device)
}

// ParseID reads a USB ID or usage page given on the command line, written
// as in HCL strings ("0x1050" or "4176").
func ParseID(s, what string) (uint16, error) { return usbid.ParseString(s, what) }
