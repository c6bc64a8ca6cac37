package usbid

import (
	"strings"
	"testing"
)

// ParseString reads command-line IDs as HCL strings are read: "0x" hex or
// decimal digits, 0 to 0xFFFF; anything else is an error naming the flag.
func TestParseString(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint16
		err  bool
	}{
		{"0x2341", 0x2341, false}, // Arduino SA (usb.ids)
		{"0X0043", 67, false},
		{"9025", 9025, false},
		{"2341", 2341, false}, // decimal, as in HCL (where it is warned about)
		{"0xFFFF", 65535, false},
		{"0x10000", 0, true},
		{"65536", 0, true},
		{"2a03", 0, true},
		{"", 0, true},
		{"-1", 0, true},
		{"0x", 0, true},
	} {
		got, err := ParseString(tt.in, "--vendor-id")
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseString(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !strings.Contains(err.Error(), "--vendor-id") {
			t.Errorf("ParseString(%q): error %q does not name the flag", tt.in, err)
		}
	}
}
