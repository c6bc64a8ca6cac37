package devices

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
)

func compileOne(t *testing.T, files map[string]string) (*Table, hcl.Diagnostics) {
	t.Helper()
	return Compile(familytest.One(t, files))
}

var diagLines = familytest.DiagLines

const yubikeyHCL = `
partition "persist:p" {
  devices {
    hid "fido" {
      origins    = ["https://login.corp.example"]
      vendor_id  = "0x1050"
      usage_page = "0xF1D0"
      action     = "allow"
    }
    usb "scanner" {
      origins       = ["https://[*.]corp.example"]
      vendor_id     = 1208
      product_id    = "0x0D1B"
      serial_number = "SN1"
      action        = "allow"
    }
    serial "block" {
      vendor_id = "0x2341"
      action    = "deny"
    }
    bluetooth "pair" {
      origins = ["https://login.corp.example"]
      action  = "confirm"
    }
  }
}
`

const yubikeyJSON = `{"partition": {"persist:p": {"devices": {
  "hid": {"fido": {"origins": ["https://login.corp.example"], "vendor_id": "0x1050", "usage_page": "0xF1D0", "action": "allow"}},
  "usb": {"scanner": {"origins": ["https://[*.]corp.example"], "vendor_id": 1208, "product_id": "0x0D1B", "serial_number": "SN1", "action": "allow"}},
  "serial": {"block": {"vendor_id": "0x2341", "action": "deny"}},
  "bluetooth": {"pair": {"origins": ["https://login.corp.example"], "action": "confirm"}}
}}}}`

// The same rules in both syntaxes compile to the same table; IDs are the
// numbers Electron passes (HIDDevice.vendorId is an Integer).
func TestCompileBothSyntaxes(t *testing.T) {
	want := `{"formatVersion":1,"hid":[{"name":"fido","action":"allow","origins":[{"source":"https://login.corp.example","scheme":"https","host":"login.corp.example","subdomains":false,"port":"*"}],"vendorId":4176,"usagePage":61904}],` +
		`"usb":[{"name":"scanner","action":"allow","origins":[{"source":"https://[*.]corp.example","scheme":"https","host":"corp.example","subdomains":true,"port":"*"}],"vendorId":1208,"productId":3355,"serialNumber":"SN1"}],` +
		`"serial":[{"name":"block","action":"deny","origins":null,"vendorId":9025}],` +
		`"bluetooth":[{"name":"pair","action":"confirm","origins":[{"source":"https://login.corp.example","scheme":"https","host":"login.corp.example","subdomains":false,"port":"*"}],"pairingKinds":["confirm","confirmPin"]}]}`
	for name, files := range map[string]map[string]string{
		"native": {"c.hcl": yubikeyHCL},
		"json":   {"c.hcl.json": yubikeyJSON},
	} {
		tab, diags := compileOne(t, files)
		wantDiags := map[string]string{
			"native": "warning HID rule \"fido\" names the FIDO usage page, which the chooser never lists @7:20\nwarning serial rules match on Linux and macOS only @17:5\nwarning Bluetooth pairing rules apply on Windows and Linux only @21:5",
			"json":   "warning HID rule \"fido\" names the FIDO usage page, which the chooser never lists @2:100\nwarning serial rules match on Linux and macOS only @4:23\nwarning Bluetooth pairing rules apply on Windows and Linux only @5:25",
		}[name]
		if got := diagLines(diags); got != wantDiags {
			t.Errorf("%s: diags %s", name, got)
		}
		b, _ := json.Marshal(tab)
		if string(b) != want {
			t.Errorf("%s table:\n%s\nwant:\n%s", name, b, want)
		}
	}
}

// A profile's rules reach the partition and merge by label; a for_each
// partition evaluates them per instance.
func TestProfileAndForEach(t *testing.T) {
	cfg := familytest.MustLoad(t, map[string]string{"c.hcl": `
profile "keys" {
  devices {
    hid "key" {
      origins   = ["https://login.corp.example"]
      vendor_id = "0x1050"
      action    = "allow"
    }
  }
}
partition "persist:${each.key}" {
  for_each = { a = 1, b = 2 }
  profiles = [profile.keys]
  devices {
    hid "key" {
      product_id = each.value
    }
    usb "other" {
      vendor_id = each.value
      action    = "deny"
    }
  }
}
`})
	got := map[string]string{}
	for _, p := range cfg.Partitions {
		tab, diags := Compile(providers.NewContext(cfg), p)
		if diags.HasErrors() {
			t.Fatal(diagLines(diags))
		}
		h, u := tab.HID[0], tab.USB[0]
		got[p.Name] = fmt.Sprintf("%s %s %d/%d %s %d", h.Name, h.Action, *h.VendorID, *h.ProductID, u.Name, *u.VendorID)
	}
	want := map[string]string{"persist:a": "key allow 4176/1 other 1", "persist:b": "key allow 4176/2 other 2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestNoBlockNoTable(t *testing.T) {
	tab, diags := compileOne(t, map[string]string{"c.hcl": `partition "persist:p" {}`})
	if tab != nil || len(diags) != 0 {
		t.Errorf("no block: %v %v", tab, diags)
	}
}

func TestDiagnostics(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"no rules", `
partition "persist:p" {
  devices {}
}`, "warning devices block without rules denies every device @3:3"},
		{"missing and bad action", `
partition "persist:p" {
  devices {
    hid "a" { vendor_id = 1 }
    usb "b" {
      vendor_id = 1
      action = "grant"
    }
  }
}`, `error hid rule "a" has no action @4:5
error invalid action "grant" in usb rule "b" @7:16`},
		{"bad ids", `
partition "persist:p" {
  devices {
    hid "a" {
      origins    = ["https://a.example"]
      vendor_id  = 70000
      product_id = "1050x"
      usage_page = "f1d0"
      action     = "allow"
    }
  }
}`, `error vendor_id 70000 is out of range (0-65535, 0xFFFF) @6:20
error product_id "1050x" is not a number @7:20
error usage_page "f1d0" looks like hex without "0x"; write "0xf1d0" @8:20`},
		{"decimal digits, product without vendor", `
partition "persist:p" {
  devices {
    usb "a" {
      origins    = ["https://a.example"]
      product_id = "1050"
      action     = "allow"
    }
  }
}`, `warning product_id "1050" is read as decimal 1050 @6:20
warning product_id without vendor_id @6:20`},
		{"allow everything", `
partition "persist:p" {
  devices {
    serial "any" {
      action = "allow"
    }
  }
}`, `warning serial rule "any" allows every origin @4:5
warning serial rule "any" allows every device @4:5`},
		{"empty serial number and bad origin", `
partition "persist:p" {
  devices {
    hid "a" {
      origins       = ["https://a.example:99999"]
      serial_number = ""
      action        = "deny"
    }
  }
}`, `warning origin "https://a.example:99999": port "99999" can never match @5:43
warning hid rule "a" can never match @5:23
error empty serial_number @6:23`},
		{"shadowed", `
partition "persist:p" {
  devices {
    hid "vendor" {
      origins   = ["https://[*.]corp.example"]
      vendor_id = "0x1050"
      action    = "deny"
    }
    hid "key" {
      origins    = ["https://login.corp.example"]
      vendor_id  = 4176
      product_id = "0x0407"
      action     = "allow"
    }
    usb "key" {
      origins    = ["https://login.corp.example"]
      vendor_id  = 4176
      action     = "allow"
    }
  }
}`, `warning hid rule "key" is shadowed by rule "vendor" @9:5`},
		{"pairing", `
partition "persist:p" {
  devices {
    bluetooth "a" {
      pairing_kinds = ["confirm", "providePin", "Confirm"]
      action        = "confirm"
    }
  }
}`, `error bluetooth rule "a" cannot confirm providePin @5:35
error unknown pairing kind "Confirm" in bluetooth rule "a" @5:49
warning Bluetooth pairing rules apply on Windows and Linux only @4:5`},
		{"permissions deny the check", `
partition "persist:p" {
  permissions {
    default = "deny"
  }
  devices {
    usb "ok" {
      origins   = ["https://a.example"]
      vendor_id = 1
      action    = "deny"
    }
    usb "key" {
      origins   = ["https://a.example"]
      vendor_id = 2
      action    = "allow"
    }
  }
}`, `warning usb rules are unreachable: the permissions block denies the "usb" check @12:5`},
		{"permissions allow the check", `
partition "persist:p" {
  permissions {
    default = "deny"
    rule "hid" {
      permissions = ["hid"]
      origins     = ["https://a.example"]
      handler     = "check"
      decision    = "allow"
    }
  }
  devices {
    hid "key" {
      origins   = ["https://a.example"]
      vendor_id = 2
      action    = "allow"
    }
  }
}`, ``},
		{"serial family selects a denied port", `
partition "persist:p" {
  serial {
    select { vendor_id = 9025 }
    select { vendor_id = "0x0403" }
  }
  devices {
    serial "arduino" {
      origins   = ["https://a.example"]
      vendor_id = "0x2341"
      action    = "allow"
    }
  }
}`, `warning serial rules match on Linux and macOS only @8:5
warning ports the serial family's select rule 2 picks are denied by the devices block @7:3`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := compileOne(t, map[string]string{"c.hcl": tc.src})
			if got := diagLines(diags); got != tc.want {
				t.Errorf("diags:\n%s\nwant:\n%s", got, tc.want)
			}
			for _, d := range diags {
				if d.Detail == "" {
					t.Errorf("%q has no detail", d.Summary)
				}
			}
		})
	}
}

// The language refuses what a device type does not have, with the
// loader's located error and suggestion: usage_page is HID's only.
func TestLanguageRefuses(t *testing.T) {
	_, diags := familytest.Load(t, map[string]string{"c.hcl": `
partition "persist:p" {
  devices {
    usb "a" {
      usage_page = 1
      action     = "allow"
    }
    hid "b" {
      vendorid = 1
      action = "deny"
    }
  }
}
`})
	got := diagLines(diags)
	for _, want := range []string{`error Unsupported argument @5:7`, `error Unsupported argument @9:7`} {
		if !strings.Contains(got, want) {
			t.Errorf("diags:\n%s\nwant %s", got, want)
		}
	}
	for _, d := range diags {
		if d.Subject != nil && d.Subject.Start.Line == 9 && !strings.Contains(d.Detail, `"vendor_id"`) {
			t.Errorf("no suggestion for vendorid: %q", d.Detail)
		}
	}
}
