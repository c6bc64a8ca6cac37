package devices

import (
	"github.com/sessctl/sessctl/providers/permission"
)

// FormatVersion is the version of the compiled "devices" table.
const FormatVersion = 1

// Device types, as setDevicePermissionHandler's details.deviceType names
// them (electron_permission_manager.cc CheckDevicePermission), plus
// Bluetooth pairing.
const (
	HID       = "hid"
	USB       = "usb"
	Serial    = "serial"
	Bluetooth = "bluetooth"
)

// Pairing kinds of setBluetoothPairingHandler's details.pairingKind.
const (
	PairConfirm    = "confirm"
	PairConfirmPin = "confirmPin"
	PairProvidePin = "providePin"
)

// Table is the compiled "devices" profile field. Each list holds the rules
// of one device type in source order: the first rule matching a request
// decides; none matching denies.
type Table struct {
	FormatVersion int           `json:"formatVersion"`
	HID           []Rule        `json:"hid"`
	USB           []Rule        `json:"usb"`
	Serial        []Rule        `json:"serial"`
	Bluetooth     []PairingRule `json:"bluetooth"`
}

// Rule is one compiled `hid`, `usb` or `serial` block. Every set
// condition must hold.
type Rule struct {
	Name   string `json:"name"`
	Action string `json:"action"` // "allow" or "deny"
	// Origins nil (null) matches every origin.
	Origins      []permission.OriginPattern `json:"origins"`
	VendorID     *int                       `json:"vendorId,omitempty"`
	ProductID    *int                       `json:"productId,omitempty"`
	SerialNumber *string                    `json:"serialNumber,omitempty"`
	// UsagePage (HID only) matches a device with a top-level collection
	// of that usage page.
	UsagePage *int `json:"usagePage,omitempty"`
}

// PairingRule is one compiled `bluetooth` block.
type PairingRule struct {
	Name   string `json:"name"`
	Action string `json:"action"` // "confirm" or "deny"
	// Origins nil (null) matches every origin.
	Origins      []permission.OriginPattern `json:"origins"`
	PairingKinds []string                   `json:"pairingKinds"`
}

// Rules returns the rule list of a device type (nil for another type).
func (t *Table) Rules(typ string) []Rule {
	switch typ {
	case HID:
		return t.HID
	case USB:
		return t.USB
	case Serial:
		return t.Serial
	}
	return nil
}
