package permission

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestParseURLAgreesWithWHATWG runs every URL of testdata/urls.txt through
// Node's WHATWG URL (what the Electron adapter uses, normalised as
// docs/permissions.md "URL parts" says) and through ParseURL, and requires
// the same scheme, host, port and path. Skipped without node.
func TestParseURLAgreesWithWHATWG(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	data, err := os.ReadFile("testdata/urls.txt")
	if err != nil {
		t.Fatal(err)
	}
	urls := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	const script = `
const urls = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(urls.map((s) => {
  try {
    const u = new URL(s);
    let host = u.hostname.toLowerCase();
    if (host.length > 1 && host.endsWith('.')) host = host.slice(0, -1);
    return [u.protocol.replace(/:$/, ''), host, u.port, u.pathname];
  } catch { return ['', '', '', '']; }
})));`
	in, _ := json.Marshal(urls)
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var want [][4]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range urls {
		u := ParseURL(s)
		host := u.Host
		if len(host) > 1 && host[len(host)-1] == '.' {
			host = host[:len(host)-1]
		}
		got := [4]string{u.Scheme, host, u.Port, u.Path}
		if want[i][0] == "" {
			// new URL() threw: only the scheme-less empty URL is equivalent.
			if u != (URL{}) {
				t.Errorf("%q: WHATWG rejects it, ParseURL = %+v", s, u)
			}
			continue
		}
		if got != want[i] {
			t.Errorf("%q: ParseURL = %q, WHATWG = %q", s, got, want[i])
		}
	}
}
