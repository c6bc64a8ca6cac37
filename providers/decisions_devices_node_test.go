package providers_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sessctl/sessctl/providers/devices"
	"github.com/sessctl/sessctl/providers/permission"
)

// TestRandomDevicesAgreementJS is the differential test of the devices
// evaluators: random tables (IDs, serial numbers, usage pages and origins
// from small pools, so that rules and devices often meet) and random
// requests — device permission checks with camelCase and snake_case
// devices, chooser lists, pairing prompts — decided by devices.Decide,
// then re-decided by testdata/evaluate.js with the adapter's
// decide-devices.js. Skipped without node.
func TestRandomDevicesAgreementJS(t *testing.T) {
	node := nodeOrSkip(t)
	rnd := rand.New(rand.NewPCG(5, 6))
	ids := []int{0, 1, 67, 4176, 9025, 65535}
	serials := []string{"A1", "a1", "B2", " A1"}
	originPool := []string{"*", "[*.]corp.example", "https://login.corp.example", "http://*:8080", "file:///*", "https://[*.]corp.example:443"}
	urlPool := []string{"https://login.corp.example", "https://corp.example", "https://a.b.corp.example:8443", "http://x.example:8080",
		"", "null", "file:///tmp/a.html", "https://corp.example.evil.com", "HTTPS://LOGIN.CORP.EXAMPLE"}
	kinds := []string{"confirm", "confirmPin", "providePin", "Confirm", ""}
	types := []string{"hid", "usb", "serial", "bluetooth", "nfc"}
	optID := func() *int {
		if rnd.IntN(2) == 0 {
			return nil
		}
		v := ids[rnd.IntN(len(ids))]
		return &v
	}
	optNum := func() *float64 {
		if rnd.IntN(4) == 0 {
			return nil
		}
		v := float64(ids[rnd.IntN(len(ids))])
		return &v
	}
	optStr := func() *string {
		if rnd.IntN(2) == 0 {
			return nil
		}
		v := serials[rnd.IntN(len(serials))]
		return &v
	}
	origins := func() []permission.OriginPattern {
		if rnd.IntN(3) == 0 {
			return nil
		}
		out := []permission.OriginPattern{}
		for n := rnd.IntN(3); n > 0; n-- {
			if o, _, ok := permission.ParseOrigin(originPool[rnd.IntN(len(originPool))]); ok {
				out = append(out, o)
			}
		}
		return out
	}
	rules := func(hid bool) []devices.Rule {
		out := []devices.Rule{}
		for n := rnd.IntN(4); n > 0; n-- {
			r := devices.Rule{Name: fmt.Sprintf("r%d", n), Action: []string{"allow", "allow", "deny"}[rnd.IntN(3)], Origins: origins(),
				VendorID: optID(), ProductID: optID(), SerialNumber: optStr()}
			if hid {
				r.UsagePage = optID()
			}
			out = append(out, r)
		}
		return out
	}
	device := func(i int) devices.Device {
		d := devices.Device{DeviceID: fmt.Sprintf("d%d", i)}
		if rnd.IntN(3) == 0 {
			d.PortVendorID, d.PortProductID, d.PortSerialNumber = optNum(), optNum(), optStr()
		} else {
			d.VendorID, d.ProductID, d.SerialNumber = optNum(), optNum(), optStr()
		}
		for n := rnd.IntN(3); n > 0; n-- {
			d.Collections = append(d.Collections, devices.Collection{UsagePage: optNum()})
		}
		return d
	}
	type vector struct {
		ID       string          `json:"id"`
		Family   string          `json:"family"`
		Table    string          `json:"table"`
		Request  devices.Request `json:"request"`
		Expected map[string]any  `json:"expected"`
	}
	file := struct {
		Tables  map[string]*devices.Table `json:"tables"`
		Vectors []vector                  `json:"vectors"`
	}{Tables: map[string]*devices.Table{"none": nil}}
	for ti := 0; ti < 40; ti++ {
		tab := &devices.Table{FormatVersion: devices.FormatVersion, HID: rules(true), USB: rules(false), Serial: rules(false), Bluetooth: []devices.PairingRule{}}
		for n := rnd.IntN(3); n > 0; n-- {
			pk := []string{}
			for _, k := range kinds[:3] {
				if rnd.IntN(2) == 0 {
					pk = append(pk, k)
				}
			}
			tab.Bluetooth = append(tab.Bluetooth, devices.PairingRule{Name: fmt.Sprintf("b%d", n), Action: []string{"confirm", "deny"}[rnd.IntN(2)], Origins: origins(), PairingKinds: pk})
		}
		file.Tables[fmt.Sprintf("t%d", ti)] = tab
	}
	reasons := map[string]int{}
	for ti := -1; ti < 40; ti++ {
		name := "none"
		if ti >= 0 {
			name = fmt.Sprintf("t%d", ti)
		}
		for qi := 0; qi < 40; qi++ {
			req := devices.Request{Type: types[rnd.IntN(len(types))], Origin: urlPool[rnd.IntN(len(urlPool))]}
			switch {
			case req.Type == "bluetooth":
				req.PairingKind = kinds[rnd.IntN(len(kinds))]
			case rnd.IntN(2) == 0:
				// A chooser list; at least one device, as JSON drops an
				// empty list (omitempty) that Go would keep.
				for n := 1 + rnd.IntN(3); n > 0; n-- {
					req.DeviceList = append(req.DeviceList, device(n))
				}
			default:
				d := device(0)
				req.Device = &d
			}
			d := devices.Decide(file.Tables[name], req)
			reasons[d.Reason]++
			exp := map[string]any{"allow": d.Allow, "ruleIndex": d.RuleIndex, "deviceIndex": d.DeviceIndex, "reason": d.Reason, "rule": nil, "deviceId": nil}
			if d.Rule != "" {
				exp["rule"] = d.Rule
			}
			if d.DeviceID != "" {
				exp["deviceId"] = d.DeviceID
			}
			file.Vectors = append(file.Vectors, vector{ID: fmt.Sprintf("%s-%d", name, qi), Family: "devices", Table: name, Request: req, Expected: exp})
		}
	}
	// Every outcome occurs, so that agreement is not only on denials.
	for _, r := range []string{"rule", "deny-rule", "default", "no-device", "no-handler"} {
		if reasons[r] == 0 {
			t.Errorf("no random request decided by %q: %v", r, reasons)
		}
	}
	t.Logf("reasons: %v", reasons)
	reDecideJS(t, node, file)
}
