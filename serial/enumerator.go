//go:build !darwin || cgo

package serial

import "go.bug.st/serial/enumerator"

// Enumerator lists ports with go.bug.st/serial's
// enumerator.GetDetailedPortsList, with no active USB probe filter (so no
// USB device is probed). It is System() on macOS, Windows and the BSDs. On
// Linux, GetDetailedPortsList opens every ttyS*/ttyHS* device to tell real
// UARTs from placeholders (serial_unix.go nativeGetPortsList, v1.8.0), so
// System() uses Sysfs there instead; Enumerator stays available for
// comparison.
type Enumerator struct{}

// ListPorts implements PortLister.
func (Enumerator) ListPorts() ([]Port, error) {
	details, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, err
	}
	return FromDetails(details), nil
}

// FromDetails converts go.bug.st/serial enumerator results (hex VID/PID) to
// Electron's shape (decimal strings), sorted by port name.
func FromDetails(details []*enumerator.PortDetails) []Port {
	ports := make([]Port, 0, len(details))
	for _, d := range details {
		if d == nil || d.Name == "" {
			continue
		}
		vid, pid := "", ""
		if d.IsUSB {
			vid, pid = d.VID, d.PID
		}
		ports = append(ports, newPort(d.Name, vid, pid, d.SerialNumber, d.Product, d.Manufacturer))
	}
	Sort(ports)
	return ports
}
