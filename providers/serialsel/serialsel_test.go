package serialsel

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/providers/permission"
	"github.com/sessctl/sessctl/schema"
	"github.com/sessctl/sessctl/serial"
)

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 3, Byte: line * 100}, End: hcl.Pos{Line: line, Column: 30, Byte: line*100 + 27}}
}

func num(text string, line int) schema.Value[schema.NumStr] {
	return schema.Value[schema.NumStr]{V: schema.NumStr{Text: text, IsNumber: true}, Set: true, Range: rng(line)}
}

func strID(text string, line int) schema.Value[schema.NumStr] {
	return schema.Value[schema.NumStr]{V: schema.NumStr{Text: text}, Set: true, Range: rng(line)}
}

func str(v string, line int) schema.Value[string] {
	return schema.Value[string]{V: v, Set: true, Range: rng(line), Exact: true}
}

func compile(sels ...*SelectSpec) (*Table, hcl.Diagnostics) {
	return Compile(&providers.Context{ElectronMajor: 45}, withSpec(&schema.Partition{Name: "p"}, &Spec{DeclRange: rng(1), Selects: sels}))
}

func TestUSBIDs(t *testing.T) {
	tests := []struct {
		v    schema.Value[schema.NumStr]
		want string
		errs int
		warn int
	}{
		{num("9025", 1), "9025", 0, 0},
		{num("67", 1), "67", 0, 0},
		{num("0", 1), "0", 0, 0},
		{num("65535", 1), "65535", 0, 0},
		{num("65536", 1), "", 1, 0},
		{num("-1", 1), "", 1, 0},
		{num("3.5", 1), "", 1, 0},
		{strID("0x2341", 1), "9025", 0, 0},
		{strID("0X0043", 1), "67", 0, 0},
		{strID("0xFFFF", 1), "65535", 0, 0},
		{strID("0x10000", 1), "", 1, 0},
		{strID("0x", 1), "", 1, 0},
		{strID("0xg1", 1), "", 1, 0},
		{strID("67", 1), "67", 0, 0},
		{strID("2341", 1), "2341", 0, 1}, // ambiguous: read as decimal, warned
		{strID("70000", 1), "", 1, 0},
		{strID("abcd", 1), "", 1, 0},
		{strID("arduino", 1), "", 1, 0},
		{strID("", 1), "", 1, 0},
	}
	for _, tt := range tests {
		got, diags := usbID(tt.v, "vendor_id")
		errs, warns := 0, 0
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				errs++
			} else {
				warns++
			}
		}
		if got != tt.want || errs != tt.errs || warns != tt.warn {
			t.Errorf("usbID(%+v) = %q, %d errors, %d warnings (%v); want %q %d %d", tt.v.V, got, errs, warns, diags, tt.want, tt.errs, tt.warn)
		}
	}
}

type dw struct {
	sev     hcl.DiagnosticSeverity
	summary string
	line    int
}

func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name string
		sels []*SelectSpec
		want []dw
	}{
		{"no selects", nil, []dw{{hcl.DiagWarning, "serial block without select rules cancels every port request", 1}}},
		{"empty select", []*SelectSpec{{DeclRange: rng(2)}}, []dw{{hcl.DiagWarning, "select rule 1 matches every port", 2}}},
		{"out of range", []*SelectSpec{{VendorID: num("70000", 3), DeclRange: rng(2)}}, []dw{{hcl.DiagError, "vendor_id 70000 is out of range (0-65535, 0xFFFF)", 3}}},
		{"hex without 0x", []*SelectSpec{{VendorID: strID("2a03", 3), DeclRange: rng(2)}}, []dw{{hcl.DiagError, `vendor_id "2a03" looks like hex without "0x"; write "0x2a03"`, 3}}},
		{"ambiguous digits", []*SelectSpec{{VendorID: strID("2341", 3), ProductID: strID("0x43", 4), DeclRange: rng(2)}}, []dw{{hcl.DiagWarning, `vendor_id "2341" is read as decimal 2341`, 3}}},
		{"product without vendor", []*SelectSpec{{ProductID: num("67", 3), DeclRange: rng(2)}}, []dw{{hcl.DiagWarning, "product_id without vendor_id", 3}}},
		{"path as port name", []*SelectSpec{{PortName: str("/dev/ttyUSB0", 3), DeclRange: rng(2)}}, []dw{{hcl.DiagError, `port_name "/dev/ttyUSB0" is a path`, 3}}},
		{"empty serial", []*SelectSpec{{VendorID: num("9025", 3), SerialNumber: str("", 4), DeclRange: rng(2)}}, []dw{{hcl.DiagError, "empty serial_number", 4}}},
		{"shadowed", []*SelectSpec{
			{VendorID: num("9025", 3), DeclRange: rng(2)},
			{VendorID: strID("0x2341", 6), ProductID: num("67", 7), DeclRange: rng(5)},
		}, []dw{{hcl.DiagWarning, "select rule 2 is shadowed by select rule 1", 5}}},
		{"specific first is fine", []*SelectSpec{
			{VendorID: num("9025", 3), ProductID: num("67", 4), DeclRange: rng(2)},
			{VendorID: num("9025", 6), DeclRange: rng(5)},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := compile(tt.sels...)
			if len(diags) != len(tt.want) {
				t.Fatalf("got %d diags %v, want %d", len(diags), diags, len(tt.want))
			}
			for i, w := range tt.want {
				d := diags[i]
				if d.Severity != w.sev || d.Summary != w.summary || d.Subject == nil || d.Subject.Start.Line != w.line || d.Detail == "" {
					t.Errorf("diag %d = %v %q at %v; want %v %q line %d", i, d.Severity, d.Summary, d.Subject, w.sev, w.summary, w.line)
				}
			}
		})
	}
}

func TestCompiledJSON(t *testing.T) {
	tab, diags := compile(&SelectSpec{VendorID: strID("0x2341", 3), ProductID: num("67", 4), SerialNumber: str("A1", 5), DeclRange: rng(2)})
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	b, _ := json.Marshal(tab)
	if string(b) != `{"formatVersion":1,"rules":[{"vendorId":"9025","productId":"67","serialNumber":"A1"}]}` {
		t.Errorf("json = %s", b)
	}
	if tab, d := Compile(nil, &schema.Partition{}); tab != nil || d != nil {
		t.Errorf("no block: %v %v", tab, d)
	}
}

func TestSelect(t *testing.T) {
	// Electron's list, sorted by port name.
	ports := []serial.Port{
		{PortID: "P1", PortName: "ttyACM0", VendorID: "9025", ProductID: "67", SerialNumber: "UNO1"},
		{PortID: "P2", PortName: "ttyACM1", VendorID: "9025", ProductID: "66", SerialNumber: "MEGA1"},
		{PortID: "P3", PortName: "ttyS0"},
		{PortID: "P4", PortName: "ttyUSB0", VendorID: "1027", ProductID: "24577", SerialNumber: "FT1"},
	}
	tab := &Table{FormatVersion: 1, Rules: []Rule{
		{VendorID: "1027"},
		{VendorID: "9025", ProductID: "66"},
		{VendorID: "9025"},
	}}
	tests := []struct {
		ports []serial.Port
		id    string
		rule  int
	}{
		// Rule order wins over list order: ttyUSB0 is last but rule 1 picks it.
		{ports, "P4", 0},
		{ports[:3], "P2", 1},
		{ports[:1], "P1", 2},
		{ports[2:3], "", -1},
		{nil, "", -1},
	}
	for _, tt := range tests {
		s := Select(tab, tt.ports)
		if s.PortID != tt.id || s.RuleIndex != tt.rule {
			t.Errorf("Select(%d ports) = %+v; want %q rule %d", len(tt.ports), s, tt.id, tt.rule)
		}
	}
	if s := Select(nil, ports); s.PortID != "" || s.Source != "no-listener" {
		t.Errorf("Select(nil) = %+v", s)
	}
	// The reference's example compares vendorId === 0x2341 (a number): in
	// Electron that never matches, since vendorId is the string "9025". The
	// compiled table holds the decimal string, which does.
	uno := Select(&Table{Rules: []Rule{{VendorID: "9025", ProductID: "67"}}}, ports)
	if uno.PortID != "P1" {
		t.Errorf("Arduino Uno rule selected %+v", uno)
	}
}

func TestSerialCheckDenied(t *testing.T) {
	sel := []*SelectSpec{{VendorID: num("9025", 3), DeclRange: rng(2)}}
	deny := &permission.Spec{Default: str("deny", 10)}
	p := withSpec(&schema.Partition{Name: "p"}, &Spec{DeclRange: rng(1), Selects: sel})
	permission.Key.Set(p, deny)
	_, diags := Compile(&providers.Context{ElectronMajor: 45}, p)
	if len(diags) != 1 || diags[0].Summary != `serial rules are unreachable: the permissions block denies the "serial" check` || diags[0].Subject.Start.Line != 1 {
		t.Fatalf("diags = %v", diags)
	}
	// A rule allowing the serial check for some origins silences it.
	allow := &permission.Spec{Default: str("deny", 10), Rules: []*permission.RuleSpec{{
		Name: "tools", NameRange: rng(11), Decision: str("allow", 12), Handler: str("check", 13),
		Permissions: schema.StringList{Set: true, Range: rng(14), Items: []schema.Value[string]{str("serial", 14)}},
		Origins:     schema.StringList{Set: true, Range: rng(15), Items: []schema.Value[string]{str("http://localhost:*", 15)}},
	}}}
	permission.Key.Set(p, allow)
	if _, diags := Compile(&providers.Context{ElectronMajor: 45}, p); len(diags) != 0 {
		t.Errorf("diags = %v", diags)
	}
	// Without a permissions block Electron allows the check: no warning.
	permission.Key.Set(p, nil)
	if _, diags := Compile(&providers.Context{ElectronMajor: 45}, p); len(diags) != 0 {
		t.Errorf("diags = %v", diags)
	}
}

func TestRegistered(t *testing.T) {
	for _, p := range providers.All() {
		if p.Family() == "serial" {
			res, diags := p.Build(&providers.Context{ElectronMajor: 45}, withSpec(&schema.Partition{}, &Spec{Selects: []*SelectSpec{{VendorID: num("9025", 2)}}}))
			if diags.HasErrors() || res.Fields[Field] == nil {
				t.Errorf("Build: %v %v", res, diags)
			}
			if res, _ := p.Build(nil, &schema.Partition{}); len(res.Fields) != 0 {
				t.Errorf("Build without block rendered %v", res.Fields)
			}
			return
		}
	}
	t.Error(`family "serial" is not registered`)
}

// withSpec sets p's serial block to sp and returns p.
func withSpec(p *schema.Partition, sp *Spec) *schema.Partition {
	Key.Set(p, sp)
	return p
}

// TestLanguage: select blocks are a list; a later source that has any
// replaces the profile's list, in both syntaxes; IDs are numbers or
// strings.
func TestLanguage(t *testing.T) {
	for name, src := range map[string]string{
		"c.hcl": `
profile "p" {
  serial {
    select {
      vendor_id = 1
    }
    select {
      vendor_id = 2
    }
  }
}
partition "x" {
  profiles = [profile.p]
}
partition "y" {
  profiles = [profile.p]
  serial {
    select {
      vendor_id  = "0x2341"
      product_id = 67
    }
  }
}
`,
		"c.hcl.json": `{
  "profile": {"p": {"serial": {"select": [{"vendor_id": 1}, {"vendor_id": 2}]}}},
  "partition": {"x": {"profiles": ["profile.p"]},
                "y": {"profiles": ["profile.p"], "serial": {"select": [{"vendor_id": "0x2341", "product_id": 67}]}}}
}`,
	} {
		cfg := familytest.MustLoad(t, map[string]string{name: src})
		var got []string
		for _, p := range cfg.Partitions {
			tab, diags := Compile(providers.NewContext(cfg), p)
			if diags.HasErrors() {
				t.Fatalf("%s: %v", name, diags)
			}
			for _, r := range tab.Rules {
				got = append(got, p.Name+":"+r.VendorID+"/"+r.ProductID)
			}
		}
		if want := "x:1/ x:2/ y:9025/67"; strings.Join(got, " ") != want {
			t.Errorf("%s: %v, want %s", name, got, want)
		}
	}
}

// TestPlatformFields: display_name, usb_driver_name and
// device_instance_id compile into a format-2 table (older adapters,
// which would ignore them and select on fewer fields, refuse it); the
// macOS- and Windows-only ones warn; empty values are errors.
func TestPlatformFields(t *testing.T) {
	cfg := familytest.MustLoad(t, map[string]string{"c.hcl": `
partition "persist:x" {
  serial {
    select {
      vendor_id    = 9025
      display_name = "Arduino Uno R3"
    }
    select {
      usb_driver_name = "AppleUSBFTDI"
    }
    select {
      device_instance_id = "USB\\VID_0403&PID_6001\\A50285BI"
    }
    select {
      display_name = ""
    }
  }
}
partition "persist:plain" {
  serial {
    select {
      vendor_id = 9025
    }
  }
}
`})
	tab, diags := Compile(providers.NewContext(cfg), cfg.Partitions[1])
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%v %s @%d", d.Severity, d.Summary, d.Subject.Start.Line))
	}
	want := []string{
		fmt.Sprintf("%v usb_driver_name exists on macOS only @9", hcl.DiagWarning),
		fmt.Sprintf("%v device_instance_id exists on Windows only @12", hcl.DiagWarning),
		fmt.Sprintf("%v empty display_name @15", hcl.DiagError),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diags:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if tab.FormatVersion != FormatVersionPlatformFields || tab.Rules[0].DisplayName != "Arduino Uno R3" ||
		tab.Rules[1].UsbDriverName != "AppleUSBFTDI" || tab.Rules[2].DeviceInstanceID != `USB\VID_0403&PID_6001\A50285BI` {
		t.Errorf("table = %+v", tab)
	}
	if plain, _ := Compile(providers.NewContext(cfg), cfg.Partitions[0]); plain.FormatVersion != FormatVersion {
		t.Errorf("a table without platform fields is format %d", plain.FormatVersion)
	}
}
