package tls

import (
	"testing"

	"github.com/sessctl/sessctl/schema"
)

func FuzzCipherSuiteIDs(f *testing.F) {
	f.Add("0x009c", false)
	f.Add("156", true)
	f.Add("-1e999", true)
	f.Add("0x-1", false)
	f.Fuzz(func(t *testing.T, text string, isNum bool) {
		ids, _ := CipherSuiteIDs([]schema.Value[schema.NumStr]{{V: schema.NumStr{Text: text, IsNumber: isNum}, Set: true}})
		for _, id := range ids {
			if id < 0 || id > 0xFFFF || isTLS13(uint16(id)) {
				t.Fatalf("%q -> %d", text, id)
			}
		}
	})
}
