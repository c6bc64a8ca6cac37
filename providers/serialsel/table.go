package serialsel

import "github.com/sessctl/sessctl/serial"

// FormatVersion is the version of the compiled "serialRules" table. A
// table whose rules use displayName, usbDriverName or deviceInstanceId is
// FormatVersionPlatformFields, so that an adapter that does not compare
// them refuses the table rather than select a port on fewer fields.
const (
	FormatVersion               = 1
	FormatVersionPlatformFields = 2
)

// Table is the compiled "serialRules" profile field, evaluated by the
// adapter's `select-serial-port` listener (docs/serial.md).
type Table struct {
	FormatVersion int `json:"formatVersion"`
	// Rules in source order. The first rule that matches some port of the
	// list selects the first such port; no match cancels (callback('')).
	Rules []Rule `json:"rules"`
}

// Rule is one compiled `select {}` block. Every present field must equal
// the port's field of the same name (Electron's SerialPort); absent fields
// match anything. IDs are decimal strings, as Electron passes them.
type Rule struct {
	VendorID     string `json:"vendorId,omitempty"`
	ProductID    string `json:"productId,omitempty"`
	SerialNumber string `json:"serialNumber,omitempty"`
	PortName     string `json:"portName,omitempty"`
	// The fields Electron gives where the platform has them:
	// displayName everywhere, usbDriverName on macOS only,
	// deviceInstanceId on Windows only (docs/electron-facts.md §7).
	DisplayName      string `json:"displayName,omitempty"`
	UsbDriverName    string `json:"usbDriverName,omitempty"`
	DeviceInstanceID string `json:"deviceInstanceId,omitempty"`
}

// Matches reports whether the rule matches a port.
func (r *Rule) Matches(p *serial.Port) bool {
	return (r.VendorID == "" || r.VendorID == p.VendorID) &&
		(r.ProductID == "" || r.ProductID == p.ProductID) &&
		(r.SerialNumber == "" || r.SerialNumber == p.SerialNumber) &&
		(r.PortName == "" || r.PortName == p.PortName) &&
		(r.DisplayName == "" || r.DisplayName == p.DisplayName) &&
		(r.UsbDriverName == "" || r.UsbDriverName == p.UsbDriverName) &&
		(r.DeviceInstanceID == "" || r.DeviceInstanceID == p.DeviceInstanceID)
}

// covers reports whether every port b matches is matched by r.
func (r *Rule) covers(b *Rule) bool {
	eq := func(x, y string) bool { return x == "" || x == y }
	return eq(r.VendorID, b.VendorID) && eq(r.ProductID, b.ProductID) && eq(r.SerialNumber, b.SerialNumber) && eq(r.PortName, b.PortName) &&
		eq(r.DisplayName, b.DisplayName) && eq(r.UsbDriverName, b.UsbDriverName) && eq(r.DeviceInstanceID, b.DeviceInstanceID)
}

// Selection is the outcome of Select.
type Selection struct {
	// PortID is what the listener passes to callback: the selected port's
	// portId, or "" to cancel.
	PortID string `json:"portId"`
	// Port is the selected port, nil when cancelled.
	Port *serial.Port `json:"port,omitempty"`
	// RuleIndex is the 0-based index of the selecting rule, -1 otherwise.
	RuleIndex int `json:"ruleIndex"`
	// Source is "rule", "no-match" (rules exist, none matched a port) or
	// "no-listener" (no serial block: the adapter registers no listener and
	// Electron cancels the request itself).
	Source string `json:"source"`
}

// Select is the reference evaluation of a compiled table against the port
// list Electron passes (already sorted by port name): rules in order, and
// for each rule the ports in list order; the first match is selected.
func Select(t *Table, ports []serial.Port) Selection {
	if t == nil {
		return Selection{RuleIndex: -1, Source: "no-listener"}
	}
	for i := range t.Rules {
		for j := range ports {
			if t.Rules[i].Matches(&ports[j]) {
				p := ports[j]
				return Selection{PortID: p.PortID, Port: &p, RuleIndex: i, Source: "rule"}
			}
		}
	}
	return Selection{RuleIndex: -1, Source: "no-match"}
}
