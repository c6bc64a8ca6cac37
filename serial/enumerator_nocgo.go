//go:build darwin && !cgo

package serial

import "errors"

// Enumerator lists ports with go.bug.st/serial's enumerator, which on macOS
// reads IOKit through cgo. A build without cgo (a cross-compiled binary)
// has no port listing there: ListPorts says so, and everything else about
// serial rules (validation, serial match with ports given) still works.
type Enumerator struct{}

// ListPorts implements PortLister.
func (Enumerator) ListPorts() ([]Port, error) {
	return nil, errors.New("listing serial ports on macOS needs a sessctl built with cgo (CGO_ENABLED=1); this binary was built without it")
}
