package state

import (
	"reflect"
	"testing"
	"time"
)

func TestHeaderRoundTrip(t *testing.T) {
	tests := []recordHeader{
		{Name: "persist:work", File: "persist_work.json", Revision: 7,
			AppliedAt: time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC), ProfileSHA256: shaHex("p"),
			Inputs:  []FileInput{{Path: "/opt/a.js", SHA256: shaHex("a")}, {Path: "/opt/é b.js", SHA256: shaHex("b")}},
			Effects: []EffectRecord{{Kind: "dir", Path: "/var/x"}, {Kind: "dictionary", Path: "/d", SHA256: shaHex("d")}}},
		{Name: "x", File: "x.json"}, // zero time, no lists
		// Before 1970 the nanosecond count is negative.
		{Name: "old", File: "o", AppliedAt: time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC)},
	}
	for _, h := range tests {
		b := encodeHeader(nil, &h)
		var got recordHeader
		if err := decodeHeader(b, &got); err != nil {
			t.Fatalf("%s: %v", h.Name, err)
		}
		if !reflect.DeepEqual(got, h) {
			t.Errorf("round trip\n got %+v\nwant %+v", got, h)
		}
		// Every strict prefix is rejected without panicking.
		for i := range len(b) {
			if err := decodeHeader(b[:i], &got); err == nil {
				t.Errorf("%s: prefix of %d/%d bytes decoded", h.Name, i, len(b))
			}
		}
		if err := decodeHeader(append(b, 0), &got); err == nil {
			t.Errorf("%s: trailing byte accepted", h.Name)
		}
	}
}

func TestHeaderHugeCountRejected(t *testing.T) {
	// tag, name "a", file "b", revision 0, time 0, sha "", then an input
	// count of 2^40.
	b := []byte{headerTag, 1, 'a', 1, 'b', 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20}
	var h recordHeader
	if err := decodeHeader(b, &h); err == nil {
		t.Fatal("huge count accepted")
	}
}

func FuzzDecodeHeader(f *testing.F) {
	f.Add(encodeHeader(nil, &recordHeader{Name: "a", File: "b", Inputs: []FileInput{{Path: "p", SHA256: "s"}}}))
	f.Add([]byte{headerTag})
	f.Add([]byte{2, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var h recordHeader
		if decodeHeader(b, &h) == nil {
			// Whatever decodes must encode back to the same bytes.
			if got := encodeHeader(nil, &h); string(got) != string(b) {
				// Non-minimal varints decode but re-encode shorter; only
				// report a difference in meaning.
				var h2 recordHeader
				if err := decodeHeader(got, &h2); err != nil || !reflect.DeepEqual(h, h2) {
					t.Errorf("re-encoding changed the record: %+v vs %+v (%v)", h, h2, err)
				}
			}
		}
	})
}
