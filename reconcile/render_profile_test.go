package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// renderProfileRef is RenderProfile as it was before it sized its buffer
// and indented in place: the reference for the bytes of a profile file.
func renderProfileRef(fields map[string]json.RawMessage, revision uint64, digest string) []byte {
	var b bytes.Buffer
	b.WriteString("{\n")
	write := func(k string, v []byte, last bool) {
		fmt.Fprintf(&b, "  %s: ", mustJSON(k))
		var ib bytes.Buffer
		if err := json.Indent(&ib, v, "  ", "  "); err != nil {
			b.Write(v)
		} else {
			b.Write(ib.Bytes())
		}
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	write("format_version", []byte(fmt.Sprint(ProfileFormatVersion)), false)
	for _, k := range []string{"partition", "persistent", "cache"} {
		if v, ok := fields[k]; ok {
			write(k, v, false)
		}
	}
	for _, k := range sortedKeys(fields) {
		if coreFields[k] {
			continue
		}
		write(k, fields[k], false)
	}
	write("revision", []byte(fmt.Sprint(revision)), false)
	write("digest", mustJSON(digest), true)
	b.WriteString("}\n")
	return b.Bytes()
}

func TestRenderProfileMatchesReference(t *testing.T) {
	deep := `[` + string(bytes.Repeat([]byte(`[1,{"a":[]},`), 20)) + `2` + string(bytes.Repeat([]byte(`]`), 21))
	cases := []map[string]json.RawMessage{
		nil,
		{"partition": json.RawMessage(`"persist:a"`), "persistent": json.RawMessage(`true`), "cache": json.RawMessage(`false`)},
		{"proxy": json.RawMessage(`{"mode":"fixed_servers","rules":["a<b>&c","\u2028"]}`), "zeta": json.RawMessage(deep)},
		{"k\"ey\\": json.RawMessage(`1`), "é<>": json.RawMessage(`"x"`), "bad": json.RawMessage(`{not json`), "empty": json.RawMessage(``)},
		{"ws": json.RawMessage(" { \"a\" :\n 1 } ")},
	}
	for i, c := range cases {
		for _, rev := range []uint64{0, 1, 1 << 60} {
			got, want := RenderProfile(c, rev, "sha256:abc\"d"), renderProfileRef(c, rev, "sha256:abc\"d")
			if !bytes.Equal(got, want) {
				t.Errorf("case %d revision %d:\n got %s\nwant %s", i, rev, got, want)
			}
		}
	}
}

// A profile is rendered in a few allocations, not one per field.
func TestRenderProfileAllocs(t *testing.T) {
	fields := map[string]json.RawMessage{"partition": json.RawMessage(`"persist:p"`)}
	for i := 0; i < 40; i++ {
		fields[fmt.Sprintf("family%d.setting", i)] = json.RawMessage(fmt.Sprintf(`{"values":["v%d","w%d"],"n":%d}`, i, i, i))
	}
	if n := testing.AllocsPerRun(20, func() { RenderProfile(fields, 7, "sha256:0") }); n > 8 {
		t.Errorf("RenderProfile allocates %v times for 41 fields, want at most 8", n)
	}
	t.Logf("RenderProfile: %v allocations, the reference %v", testing.AllocsPerRun(20, func() { RenderProfile(fields, 7, "sha256:0") }), testing.AllocsPerRun(20, func() { renderProfileRef(fields, 7, "sha256:0") }))
}
