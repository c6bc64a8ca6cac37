package providers

import "encoding/json"

// DeviceEvent is one device that appeared or went, as a family that
// selects devices sees it: the partitions whose selection (the device its
// compiled rules would pick) changed with it.
type DeviceEvent struct {
	// Kind is what the watch log prints ("serial-port-added", ...).
	Kind string
	// Device names the device (a serial port's name).
	Device string
	// Partitions whose selection changed, sorted.
	Partitions []string
}

// Profiles yields each desired partition's name, content digest and
// compiled profile fields.
type Profiles func(yield func(name, digest string, fields map[string]json.RawMessage))

// DeviceWatcher is polled by watch for device hotplug. It is owned by the
// family that selects devices (serial selection), so that the watch loop
// knows no device family.
type DeviceWatcher interface {
	// Poll lists the devices again and returns what changed since the
	// last poll (nothing on the first). profiles is called only when
	// something changed.
	Poll(profiles Profiles) []DeviceEvent
}
