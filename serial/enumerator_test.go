//go:build !darwin || cgo

package serial

import (
	"testing"

	"go.bug.st/serial/enumerator"
)

func TestFromDetails(t *testing.T) {
	got := FromDetails([]*enumerator.PortDetails{
		{Name: "COM7", IsUSB: true, VID: "2341", PID: "0043", SerialNumber: "S1", Product: "Uno"},
		{Name: "COM3"},
		nil,
		{Name: "/dev/cu.usbmodem1101", IsUSB: false, VID: "2341"},
	})
	if len(got) != 3 || got[0].PortName != "COM3" || got[1].PortName != "COM7" || got[2].PortName != "cu.usbmodem1101" {
		t.Fatalf("order: %+v", got)
	}
	if got[1].VendorID != "9025" || got[1].ProductID != "67" || got[1].SerialNumber != "S1" || got[1].DisplayName != "Uno" {
		t.Errorf("COM7 = %+v", got[1])
	}
	if got[2].VendorID != "" {
		t.Errorf("non-USB port got a vendor ID: %+v", got[2])
	}
}
