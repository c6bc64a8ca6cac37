package devices

import (
	"encoding/json"
	"testing"
)

// FuzzDecide: no table and request a profile or the command line can
// carry make the evaluator panic.
func FuzzDecide(f *testing.F) {
	f.Add([]byte(`{"formatVersion":1,"hid":[{"name":"a","action":"allow","origins":[{"source":"https://[*.]a.example","scheme":"https","host":"a.example","subdomains":true,"port":"*"}],"vendorId":1,"usagePage":65280}],"usb":[],"serial":[{"name":"s","action":"allow","origins":null,"serialNumber":"x"}],"bluetooth":[{"name":"b","action":"confirm","origins":null,"pairingKinds":["confirm"]}]}`),
		[]byte(`{"type":"hid","origin":"https://x.a.example","deviceList":[{"deviceId":"d","vendorId":1,"collections":[{"usagePage":65280}]}]}`))
	f.Add([]byte(`{"hid":[{"origins":[{"scheme":"file","host":"","port":"","path":"*"}]}]}`), []byte(`{"type":"serial","origin":"filesystem:file:///x","device":{"vendor_id":1}}`))
	f.Add([]byte(`null`), []byte(`{"type":"bluetooth","origin":"null","pairingKind":"providePin"}`))
	f.Fuzz(func(t *testing.T, table, request []byte) {
		var tab *Table
		if json.Unmarshal(table, &tab) != nil {
			return
		}
		var req Request
		if json.Unmarshal(request, &req) != nil {
			return
		}
		d := Decide(tab, req)
		if d.Allow && d.Reason != "rule" {
			t.Fatalf("allowed with reason %q", d.Reason)
		}
	})
}
