package reconcile

import (
	"encoding/json"
	"fmt"
	"testing"
)

// The engine's incremental index must be byte-for-byte what renderIndex
// (and so `sessctl apply`) writes, or every cycle would see index drift.
func TestEngineIndexMatchesRenderIndex(t *testing.T) {
	mk := func(name string, rev uint64, ua string) *Record {
		return &Record{Name: name, File: ProfileFileName(name), Revision: rev, Fields: map[string]json.RawMessage{
			"partition": json.RawMessage(fmt.Sprintf("%q", name)), "persistent": json.RawMessage("true"),
			"userAgent": json.RawMessage(fmt.Sprintf("%q", ua))}}
	}
	cases := []map[string]*Record{
		{},
		{"persist:a": mk("persist:a", 1, "A")},
		{"persist:a": mk("persist:a", 3, "A<&>"), "b": mk("b", 1, "B"), "": mk("", 2, "default")},
	}
	e := NewEngine(Request{})
	for i, recs := range cases {
		for round := 0; round < 2; round++ { // second round uses the cache
			got, want := e.renderIndex(recs), renderIndex(recs)
			if string(got) != string(want) {
				t.Fatalf("case %d round %d:\n got %s\nwant %s", i, round, got, want)
			}
		}
	}
}
