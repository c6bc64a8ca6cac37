//go:build !linux

package serial

import "go.bug.st/serial/enumerator"

// System returns the PortLister for this machine: go.bug.st/serial's
// enumerator, with active USB probing disabled (no filter function), which
// on macOS (IOKit) and Windows (SetupAPI) reads the device registry without
// opening ports.
func System() PortLister { return Enumerator{} }

// Enumerator lists ports with enumerator.GetDetailedPortsList.
type Enumerator struct{}

// ListPorts implements PortLister.
func (Enumerator) ListPorts() ([]Port, error) {
	details, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, err
	}
	return FromDetails(details), nil
}
