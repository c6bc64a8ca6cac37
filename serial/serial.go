// Package serial lists the serial ports of this machine in the shape
// Electron gives them to the `select-serial-port` handler, and computes
// hotplug differences between two listings.
//
// Enumeration never opens a port: opening a serial device can toggle DTR
// and reset the attached board (Arduino-style boards reboot on open).
// Listing goes through a PortLister so tests and `sessctl serial match
// --ports FILE` can substitute a fixed list.
package serial

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Port is one serial port in Electron's SerialPort shape
// (docs/api/structures/serial-port.md;
// shell/common/gin_converters/serial_port_info_converter.h 15-41;
// docs/electron-facts.md §7). Optional fields are omitted when empty, as Electron
// does.
type Port struct {
	// PortID identifies the port for the callback. Electron's is a random
	// UnguessableToken per enumeration (32 upper-case hex characters);
	// sessctl derives the same format from the device path so that it is
	// stable across runs. Match by the other fields, never by PortID.
	PortID string `json:"portId"`
	// PortName is the basename of the device path ("ttyUSB0", "COM3").
	PortName string `json:"portName"`
	// DisplayName is a human-readable name, when known.
	DisplayName string `json:"displayName,omitempty"`
	// VendorID and ProductID are USB IDs as decimal strings ("9025" for
	// 0x2341), as Electron passes them (base::NumberToString of a uint16).
	VendorID  string `json:"vendorId,omitempty"`
	ProductID string `json:"productId,omitempty"`
	// SerialNumber is the USB serial number, when known.
	SerialNumber string `json:"serialNumber,omitempty"`
	// UsbDriverName is set by Electron on macOS only.
	UsbDriverName string `json:"usbDriverName,omitempty"`
	// DeviceInstanceID is set by Electron on Windows only.
	DeviceInstanceID string `json:"deviceInstanceId,omitempty"`

	// Path is the device path ("/dev/ttyUSB0"); not part of Electron's
	// shape, so not serialised.
	Path string `json:"-"`
	// Product and Manufacturer are the USB strings, for `serial list`.
	Product      string `json:"-"`
	Manufacturer string `json:"-"`
}

// PortLister lists serial ports. Implementations must not open ports.
type PortLister interface {
	ListPorts() ([]Port, error)
}

// Static is a PortLister returning a fixed list (tests, --ports FILE).
type Static []Port

// ListPorts returns a sorted copy of the list.
func (s Static) ListPorts() ([]Port, error) {
	out := append([]Port(nil), s...)
	Sort(out)
	return out, nil
}

// Sort orders ports by port name (the path basename), as Electron's
// SerialChooserController does before emitting select-serial-port
// (docs/electron-facts.md §7 "sorted by path basename").
func Sort(ports []Port) {
	sort.SliceStable(ports, func(i, j int) bool { return ports[i].PortName < ports[j].PortName })
}

// PortID returns the sessctl port ID of a device path: 32 upper-case hex
// characters like Electron's UnguessableToken, but stable.
func PortID(path string) string {
	sum := sha256.Sum256([]byte(path))
	return strings.ToUpper(hex.EncodeToString(sum[:16]))
}

// HexToDecimal converts a USB ID in hex ("2341", "0x2341") to the decimal
// string Electron uses ("9025"). ok is false for anything that is not a
// 16-bit hex number.
func HexToDecimal(h string) (string, bool) {
	h = strings.TrimPrefix(strings.TrimPrefix(h, "0x"), "0X")
	if h == "" || len(h) > 4 {
		return "", false
	}
	n, err := strconv.ParseUint(h, 16, 16)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

// DecimalToHex formats a decimal USB ID string as "0x2341"; "" when the
// input is not a 16-bit decimal number.
func DecimalToHex(d string) string {
	n, err := strconv.ParseUint(d, 10, 16)
	if err != nil {
		return ""
	}
	return "0x" + strings.ToLower(strconv.FormatUint(n|0x10000, 16)[1:])
}

// newPort builds a Port from a device path and USB details (hex IDs).
func newPort(path, vidHex, pidHex, serialNumber, product, manufacturer string) Port {
	p := Port{
		PortID:       PortID(path),
		PortName:     filepath.Base(path),
		Path:         path,
		SerialNumber: serialNumber,
		Product:      product,
		Manufacturer: manufacturer,
		DisplayName:  product,
	}
	if v, ok := HexToDecimal(vidHex); ok {
		p.VendorID = v
	}
	if v, ok := HexToDecimal(pidHex); ok {
		p.ProductID = v
	}
	return p
}

// Diff compares two listings and returns the ports that appeared and the
// ports that disappeared, each sorted by port name. A port whose name stayed
// but whose device changed (another board on the same ttyACM0) is both
// removed and added. PortID is ignored: Electron's is random per listing.
func Diff(old, new []Port) (added, removed []Port) {
	key := func(p Port) Port { p.PortID = ""; return p }
	oldBy := make(map[string]Port, len(old))
	for _, p := range old {
		oldBy[p.PortName] = key(p)
	}
	newBy := make(map[string]Port, len(new))
	for _, p := range new {
		newBy[p.PortName] = key(p)
	}
	for _, p := range new {
		if o, ok := oldBy[p.PortName]; !ok || o != key(p) {
			added = append(added, p)
		}
	}
	for _, p := range old {
		if n, ok := newBy[p.PortName]; !ok || n != key(p) {
			removed = append(removed, p)
		}
	}
	Sort(added)
	Sort(removed)
	return added, removed
}
