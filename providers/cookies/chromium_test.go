package cookies

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers/internal/chromiumtest"
	"github.com/sessctl/sessctl/schema"
)

// vector is one cookie, set by a page of origin through document.cookie.
type vector struct {
	origin string // scheme://host
	name   string
	value  string
	domain string
	path   string
	secure bool
	same   string // SameSite attribute as written in a cookie line ("" for none)
}

func (v vector) line() string {
	s := v.name + "=" + v.value
	if v.domain != "" {
		s += "; Domain=" + v.domain
	}
	if v.path != "" {
		s += "; Path=" + v.path
	}
	if v.secure {
		s += "; Secure"
	}
	if v.same != "" {
		s += "; SameSite=" + v.same
	}
	return s
}

// TestAgreesWithChromium: the rules that Chromium's cookie store applies
// the same way to document.cookie and to Electron's cookies.set (prefixes,
// Secure and SameSite=None, Secure from an insecure origin, domain
// matching and public suffixes, the name/value size limit, control
// characters) decide alike here and in a real headless Chromium: each
// vector is set by a page of its origin, and is accepted when the page
// then reads it back. Paths other than "/" and HttpOnly are left out (a
// page cannot read the first nor set the second), and so is whitespace
// around a name or value, which document.cookie trims where cookies.set
// refuses it.
func TestAgreesWithChromium(t *testing.T) {
	chromiumtest.Require(t, "cookie")
	big := strings.Repeat("b", 4095)
	vectors := []vector{
		{origin: "https://a.example", name: "__Secure-p", value: "1", secure: true},
		{origin: "https://a.example", name: "__Secure-q", value: "1"},
		{origin: "https://a.example", name: "__secure-r", value: "1"},
		{origin: "https://a.example", name: "__Host-s", value: "1", secure: true, path: "/"},
		{origin: "https://a.example", name: "__Host-t", value: "1", secure: true, path: "/", domain: "a.example"},
		{origin: "https://a.example", name: "__HOST-u", value: "1", secure: true, path: "/", domain: "a.example"},
		{origin: "https://a.example", name: "none1", value: "1", same: "None"},
		{origin: "https://a.example", name: "none2", value: "1", same: "None", secure: true},
		{origin: "https://a.example", name: "big1", value: big[:4096-4]},
		{origin: "https://a.example", name: "big2", value: big[:4096-3]},
		{origin: "https://a.example", name: "ctl", value: "a\x07b"},
		{origin: "https://a.example", name: "del", value: "a\x7fb"},
		{origin: "https://a.example", name: "eq", value: "é=1"},
		{origin: "https://sub.a.example", name: "parent", value: "1", domain: "a.example"},
		{origin: "https://sub.a.example", name: "dotparent", value: "1", domain: ".a.example"},
		{origin: "https://sub.a.example", name: "other", value: "1", domain: "b.example"},
		{origin: "https://sub.a.example", name: "child", value: "1", domain: "x.sub.a.example"},
		{origin: "https://a.co.uk", name: "psl", value: "1", domain: "co.uk"},
		{origin: "https://me.github.io", name: "priv", value: "1", domain: "github.io"},
		{origin: "http://a.example", name: "sec", value: "1", secure: true},
		{origin: "http://a.example", name: "plain", value: "1"},
		{origin: "http://localhost", name: "local", value: "1", secure: true},
	}

	// One server per scheme; Chromium resolves every host to it.
	handler := func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		var lines []string
		for _, v := range vectors {
			if v.origin == scheme+"://"+host {
				lines = append(lines, v.line())
			}
		}
		in, _ := json.Marshal(lines)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// Each line is set, read back (document.cookie lists "name=value"
		// pairs), then expired so that it cannot hide the next one.
		fmt.Fprint(w, `<!doctype html><meta charset="utf-8"><pre id="out"></pre><script>
const lines = `+jsonASCII(in)+`;
const has = (pair) => document.cookie.split("; ").includes(pair);
const out = lines.map((l) => {
  const pair = l.split(";")[0];
  document.cookie = l;
  const ok = has(pair);
  document.cookie = l + "; Max-Age=0";
  return ok;
});
document.getElementById("out").textContent = "BEGIN" + encodeURIComponent(JSON.stringify(out)) + "END";
</script>`)
	}
	plain := httptest.NewServer(http.HandlerFunc(handler))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(handler))
	defer tlsSrv.Close()
	port := func(s *httptest.Server) string { u, _ := url.Parse(s.URL); return u.Port() }

	origins := []string{}
	seen := map[string]bool{}
	for _, v := range vectors {
		if !seen[v.origin] {
			seen[v.origin] = true
			origins = append(origins, v.origin)
		}
	}
	got := map[string]bool{} // origin + "\n" + line -> accepted
	for _, o := range origins {
		p := port(plain)
		if strings.HasPrefix(o, "https:") {
			p = port(tlsSrv)
		}
		var lines []string
		for _, v := range vectors {
			if v.origin == o {
				lines = append(lines, v.line())
			}
		}
		answers := chromiumAnswers(t, o+":"+p+"/", len(lines))
		for i, l := range lines {
			got[o+"\n"+l] = answers[i]
		}
	}

	// A harness that breaks (no cookie ever readable, say) must not pass.
	accepted := 0
	for _, ok := range got {
		if ok {
			accepted++
		}
	}
	if accepted < 8 || len(got)-accepted < 8 {
		t.Fatalf("Chromium accepted %d of %d vectors: the page or the host mapping is not working", accepted, len(got))
	}
	now := time.Now()
	for _, v := range vectors {
		ck := &Cookie{Name: v.name, URL: set(v.origin + "/"), Value: set(v.value), DeclRange: hcl.Range{Filename: "t.hcl"}}
		if v.domain != "" {
			ck.Domain = set(v.domain)
		}
		if v.path != "" {
			ck.Path = set(v.path)
		}
		if v.secure {
			ck.Secure = schema.Value[bool]{V: true, Set: true}
		}
		switch v.same {
		case "None":
			ck.SameSite = set("no_restriction")
			if !v.secure {
				ck.Secure = schema.Value[bool]{V: false, Set: true}
			}
		}
		_, diags := check(ck, now)
		ours := !diags.HasErrors()
		browser := got[v.origin+"\n"+v.line()]
		t.Logf("%-22s %-60.60q chromium=%v sessctl=%v", v.origin, v.line(), browser, ours)
		if ours != browser {
			t.Errorf("%s %q: sessctl accepts=%v, Chromium accepts=%v (%v)", v.origin, v.line(), ours, browser, diags)
		}
	}
}

func set(s string) schema.Value[string] { return schema.Value[string]{V: s, Set: true} }

// chromiumAnswers loads u in a headless Chromium that resolves every host
// to the test servers and accepts their certificate, and returns the
// page's answers.
func chromiumAnswers(t *testing.T, u string, n int) []bool {
	t.Helper()
	js := chromiumtest.Answer(t, u, "--host-resolver-rules=MAP * 127.0.0.1", "--ignore-certificate-errors")
	var out []bool
	if err := json.Unmarshal([]byte(js), &out); err != nil || len(out) != n {
		t.Fatalf("bad answer %q from %s: %v", js, u, err)
	}
	return out
}

// jsonASCII escapes non-ASCII runes and control characters of JSON text
// as \uXXXX, so that any string is safe in a script.
func jsonASCII(b []byte) string {
	var sb strings.Builder
	for _, r := range string(b) {
		if r >= 0x80 || r < 0x20 || r == 0x7f {
			fmt.Fprintf(&sb, `\u%04x`, r)
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}
