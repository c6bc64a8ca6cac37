package serialsel

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/sessctl/sessctl/serial"
)

type flakyLister struct {
	ports []serial.Port
	err   error
}

func (f *flakyLister) ListPorts() ([]serial.Port, error) {
	if f.err != nil {
		return nil, f.err
	}
	return serial.Static(f.ports).ListPorts()
}

// Hotplug reports ports that appear and go with the partitions whose
// selection changed; a failed listing reports nothing and is not taken as
// every port gone.
func TestHotplugPoll(t *testing.T) {
	arduino := serial.Port{PortName: "ttyACM0", VendorID: "9025", ProductID: "67"}
	other := serial.Port{PortName: "ttyUSB0", VendorID: "1027"}
	table, _ := json.Marshal(Table{FormatVersion: FormatVersion, Rules: []Rule{{VendorID: "9025"}}})
	calls := 0
	profiles := func(yield func(name, digest string, fields map[string]json.RawMessage)) {
		calls++
		yield("persist:arduino", "d1", map[string]json.RawMessage{Field: table})
		yield("persist:none", "d2", map[string]json.RawMessage{"userAgent": json.RawMessage(`"x"`)})
	}
	l := &flakyLister{ports: []serial.Port{other}}
	h := NewHotplug(l)
	if ev := h.Poll(profiles); len(ev) != 0 || calls != 0 {
		t.Fatalf("no change: events %v, profiles read %d times", ev, calls)
	}
	l.ports = []serial.Port{other, arduino}
	ev := h.Poll(profiles)
	if len(ev) != 1 || ev[0].Kind != "serial-port-added" || ev[0].Device != "ttyACM0" || fmt.Sprint(ev[0].Partitions) != "[persist:arduino]" {
		t.Fatalf("added: %+v", ev)
	}
	l.err = errors.New("enumeration failed")
	if ev := h.Poll(profiles); len(ev) != 0 {
		t.Fatalf("failed listing reported %+v", ev)
	}
	l.err = nil
	l.ports = []serial.Port{arduino}
	ev = h.Poll(profiles)
	if len(ev) != 1 || ev[0].Kind != "serial-port-removed" || ev[0].Device != "ttyUSB0" || len(ev[0].Partitions) != 0 {
		t.Fatalf("removed other: %+v", ev)
	}
}
