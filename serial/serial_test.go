package serial

import (
	"reflect"
	"testing"
)

func TestHexDecimal(t *testing.T) {
	tests := []struct {
		hex, dec string
		ok       bool
	}{
		{"2341", "9025", true}, {"0x2341", "9025", true}, {"0043", "67", true}, {"FFFF", "65535", true},
		{"10000", "", false}, {"", "", false}, {"xyz", "", false}, {"0x", "", false},
	}
	for _, tt := range tests {
		d, ok := HexToDecimal(tt.hex)
		if d != tt.dec || ok != tt.ok {
			t.Errorf("HexToDecimal(%q) = %q %v", tt.hex, d, ok)
		}
	}
	if DecimalToHex("9025") != "0x2341" || DecimalToHex("67") != "0x0043" || DecimalToHex("70000") != "" {
		t.Errorf("DecimalToHex mismatch")
	}
}

func TestDiff(t *testing.T) {
	a := Port{PortID: "A1", PortName: "ttyACM0", VendorID: "9025", ProductID: "67"}
	b := Port{PortID: "B1", PortName: "ttyUSB0", VendorID: "1027", ProductID: "24577"}
	c := Port{PortID: "C1", PortName: "ttyS0"}
	aOther := Port{PortID: "A2", PortName: "ttyACM0", VendorID: "9025", ProductID: "66"} // another board, same name
	aNewID := a
	aNewID.PortID = "A3" // same port, new random ID
	tests := []struct {
		name           string
		old, new       []Port
		added, removed []string
	}{
		{"no change", []Port{a, b}, []Port{b, a}, nil, nil},
		{"new random id is no change", []Port{a}, []Port{aNewID}, nil, nil},
		{"plug", []Port{a}, []Port{a, b}, []string{"ttyUSB0"}, nil},
		{"unplug", []Port{a, b, c}, []Port{c}, nil, []string{"ttyACM0", "ttyUSB0"}},
		{"replace on same name", []Port{a}, []Port{aOther}, []string{"ttyACM0"}, []string{"ttyACM0"}},
		{"from empty", nil, []Port{c, b}, []string{"ttyS0", "ttyUSB0"}, nil},
		{"to empty", []Port{c}, nil, nil, []string{"ttyS0"}},
	}
	names := func(ps []Port) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.PortName)
		}
		return out
	}
	for _, tt := range tests {
		added, removed := Diff(tt.old, tt.new)
		if !reflect.DeepEqual(names(added), tt.added) || !reflect.DeepEqual(names(removed), tt.removed) {
			t.Errorf("%s: added %v removed %v; want %v %v", tt.name, names(added), names(removed), tt.added, tt.removed)
		}
	}
	// The replacement is reported with its new attributes.
	added, removed := Diff([]Port{a}, []Port{aOther})
	if added[0].ProductID != "66" || removed[0].ProductID != "67" {
		t.Errorf("replace: added %+v removed %+v", added, removed)
	}
}

func TestStatic(t *testing.T) {
	s := Static{{PortName: "ttyUSB1"}, {PortName: "COM3"}, {PortName: "ttyACM0"}}
	got, _ := s.ListPorts()
	if got[0].PortName != "COM3" || got[1].PortName != "ttyACM0" || got[2].PortName != "ttyUSB1" {
		t.Errorf("Static order: %+v", got)
	}
	if s[0].PortName != "ttyUSB1" {
		t.Errorf("Static sorted its receiver")
	}
}
