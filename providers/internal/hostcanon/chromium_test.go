package hostcanon

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/providers/internal/chromiumtest"
)

// chromiumHosts asks a headless Chromium for new URL("http://" + h +
// "/").host of every input (Blink's URL parser is GURL's canonicaliser);
// "" stands for a URL the browser rejects. It skips the test in -short mode
// or without a browser.
func chromiumHosts(t *testing.T, inputs []string) []string {
	t.Helper()
	chromiumtest.Require(t, "host")
	dir := t.TempDir()
	in, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	// The inputs travel as JSON (with \u escapes, so any string is safe in a
	// script) and the answers come back URI-encoded, so that HTML escaping
	// in the dumped DOM cannot alter them.
	page := `<!doctype html><meta charset="utf-8"><pre id="out"></pre><script>
const hosts = ` + jsonASCII(in) + `;
const out = hosts.map((h) => { try { return new URL("http://" + h + "/").host; } catch (e) { return ""; } });
document.getElementById("out").textContent = "BEGIN" + encodeURIComponent(JSON.stringify(out)) + "END";
</script>`
	file := filepath.Join(dir, "hosts.html")
	if err := os.WriteFile(file, []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	js := chromiumtest.Answer(t, "file://"+file)
	var out []string
	if err := json.Unmarshal([]byte(js), &out); err != nil || len(out) != len(inputs) {
		t.Fatalf("bad answer %q: %v", js, err)
	}
	return out
}

// jsonASCII escapes non-ASCII runes of JSON text as \uXXXX.
func jsonASCII(b []byte) string {
	var sb strings.Builder
	for _, r := range string(b) {
		if r < 0x80 {
			sb.WriteRune(r)
			continue
		}
		var u [2]rune
		n := 1
		u[0] = r
		if r >= 0x10000 {
			r -= 0x10000
			u[0], u[1], n = 0xd800+(r>>10), 0xdc00+(r&0x3ff), 2
		}
		for _, x := range u[:n] {
			const hexd = "0123456789abcdef"
			sb.WriteString(`\u`)
			sb.WriteByte(hexd[x>>12&15])
			sb.WriteByte(hexd[x>>8&15])
			sb.WriteByte(hexd[x>>4&15])
			sb.WriteByte(hexd[x&15])
		}
	}
	return sb.String()
}

// TestChromiumAgrees runs every vector of hostVectors through a real
// Chromium: its answer must be the vector's browser value, so the table
// (and with it Canonicalize, which TestCanonicalize holds to the table)
// stays what the browser does; a vector that differs on purpose must name
// its reason in knownDifferences.
func TestChromiumAgrees(t *testing.T) {
	var vs []hostVector
	var srcs []string
	for src, list := range hostVectors {
		for _, v := range list {
			if strings.ContainsAny(v.in, "/?#@\\\t\n\r") {
				t.Fatalf("%q: URL syntax, not a host, would decide (%s)", v.in, src)
			}
			if v.diff != "" && knownDifferences[v.diff] == "" {
				t.Errorf("%q: unknown difference %q", v.in, v.diff)
			}
			vs = append(vs, v)
			srcs = append(srcs, src)
		}
	}
	inputs := make([]string, len(vs))
	for i, v := range vs {
		inputs[i] = v.in
	}
	got := chromiumHosts(t, inputs)
	for i, v := range vs {
		if got[i] != v.browser {
			t.Errorf("Chromium makes %q of %q, the table says %q (%s); Canonicalize: %q", got[i], v.in, v.browser, srcs[i], v.want())
		}
	}
}
