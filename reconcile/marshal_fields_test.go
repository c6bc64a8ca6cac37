package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// marshalFields is byte for byte marshal(fields), the encoding the state
// has always stored, including keys and values encoding/json escapes or
// compacts, and fails where marshal fails.
func TestMarshalFieldsMatchesMarshal(t *testing.T) {
	cases := []map[string]json.RawMessage{
		nil,
		{},
		{"a": json.RawMessage(`1`)},
		{"proxy.mode": json.RawMessage(`"fixed_servers"`), "args": json.RawMessage(` [ "--x" , {"b" : 2, "a":[ ] } ] `)},
		{"k<>&": json.RawMessage(`"<script>&amp;"`), "nil": nil, "tab\tkey": json.RawMessage("\n\t{ }\n")},
		{"é\u2028key\"\\": json.RawMessage(`"line\u2028sep é"`), "\x7f": json.RawMessage(`null`), "z": json.RawMessage(`true`)},
		{"raw": json.RawMessage("\"\u2028\u2029\"")},
	}
	for i, c := range cases {
		want, werr := marshal(c)
		got, gerr := marshalFields(c)
		if (werr != nil) != (gerr != nil) || !bytes.Equal(got, want) {
			t.Errorf("case %d: marshalFields = %q, %v; marshal = %q, %v", i, got, gerr, want, werr)
		}
	}
	for _, bad := range []json.RawMessage{json.RawMessage(`{`), json.RawMessage(``), json.RawMessage(`1 2`)} {
		c := map[string]json.RawMessage{"a": bad}
		_, werr := marshal(c)
		_, gerr := marshalFields(c)
		if werr == nil || gerr == nil {
			t.Errorf("value %q: marshal err %v, marshalFields err %v; want both to fail", bad, werr, gerr)
		}
	}
}

// One profile costs two allocations (the key list and the output),
// whatever its size: the state commit encodes every applied profile.
func TestMarshalFieldsAllocs(t *testing.T) {
	fields := map[string]json.RawMessage{}
	for i := 0; i < 40; i++ {
		fields[fmt.Sprintf("family%d.setting", i)] = json.RawMessage(fmt.Sprintf(`{"values":["v%d","w%d"],"n":%d}`, i, i, i))
	}
	if n := testing.AllocsPerRun(20, func() {
		if _, err := marshalFields(fields); err != nil {
			t.Fatal(err)
		}
	}); n > 3 {
		t.Errorf("marshalFields allocates %v times per profile, want at most 3", n)
	}
}
