package serial

import "go.bug.st/serial/enumerator"

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
