package webrequest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
)

// compile loads one partition "a" with body (in main.hcl, or main.hcl.json
// when body starts with "{") and compiles its web_request blocks.
func compile(t *testing.T, body string) (*Table, hcl.Diagnostics) {
	t.Helper()
	files := map[string]string{"main.hcl": "partition \"a\" {\n" + body + "\n}\n"}
	if strings.HasPrefix(body, "{") {
		files = map[string]string{"main.hcl.json": `{"partition": {"a": ` + body + `}}`}
	}
	cfg, diags := familytest.Load(t, files)
	if diags.HasErrors() {
		return nil, diags
	}
	tab, d := Compile(providers.NewContext(cfg), cfg.Partitions[0])
	return tab, d
}

const rules = `
  web_request "ads" {
    urls         = ["*://*.ads.example/*"]
    exclude_urls = ["*://ok.ads.example/*"]
    types        = ["script", "image", "script"]
    cancel       = true
  }
  web_request "old-portal" {
    urls         = ["https://portal.corp.example/old/*"]
    methods      = ["get"]
    redirect_url = "https://portal.corp.example/new/"
  }
  web_request "corp" {
    urls           = ["https://*.corp.example/*"]
    set_headers    = ["X-Corp: 1", "DNT: 1"]
    remove_headers = ["Cookie"]
  }`

func TestCompileBothSyntaxes(t *testing.T) {
	want := `{"formatVersion":1,"rules":[` +
		`{"name":"ads","urls":[{"source":"*://*.ads.example/*","scheme":"*","host":"ads.example","subdomains":true,"port":"*","path":"/*"}],` +
		`"excludeUrls":[{"source":"*://ok.ads.example/*","scheme":"*","host":"ok.ads.example","port":"*","path":"/*"}],` +
		`"types":["script","image"],"methods":null,"action":"cancel","setHeaders":null,"removeHeaders":null},` +
		`{"name":"old-portal","urls":[{"source":"https://portal.corp.example/old/*","scheme":"https","host":"portal.corp.example","port":"*","path":"/old/*"}],` +
		`"excludeUrls":null,"types":null,"methods":["GET"],"action":"redirect","redirectUrl":"https://portal.corp.example/new/","setHeaders":null,"removeHeaders":null},` +
		`{"name":"corp","urls":[{"source":"https://*.corp.example/*","scheme":"https","host":"corp.example","subdomains":true,"port":"*","path":"/*"}],` +
		`"excludeUrls":null,"types":null,"methods":null,"action":"headers","setHeaders":[{"name":"X-Corp","value":"1"},{"name":"DNT","value":"1"}],"removeHeaders":["Cookie"]}]}`
	jsonBody := `{"web_request": {
	  "ads": {"urls": ["*://*.ads.example/*"], "exclude_urls": ["*://ok.ads.example/*"], "types": ["script", "image", "script"], "cancel": true},
	  "old-portal": {"urls": ["https://portal.corp.example/old/*"], "methods": ["get"], "redirect_url": "https://portal.corp.example/new/"},
	  "corp": {"urls": ["https://*.corp.example/*"], "set_headers": ["X-Corp: 1", "DNT: 1"], "remove_headers": ["Cookie"]}}}`
	for _, body := range []string{rules, jsonBody} {
		tab, diags := compile(t, body)
		if diags.HasErrors() || len(diags) > 0 {
			t.Fatal(diags)
		}
		got, _ := json.Marshal(tab)
		if string(got) != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`web_request "a" {
 cancel = true
}`, `web_request "a" has no urls`},
		{`web_request "a" {
 urls = []
 cancel = true
}`, `urls is empty`},
		{`web_request "a" {
 urls = ["http://bar"]
 cancel = true
}`, `Invalid url pattern http://bar: Empty path.`},
		{`web_request "a" {
 urls = ["http://*foo/bar"]
 cancel = true
}`, `Invalid url pattern http://*foo/bar: Invalid host wildcard.`},
		{`web_request "a" {
 urls = ["<all_urls>"]
 types = ["other"]
 cancel = true
}`, `Invalid type other`},
		{`web_request "a" {
 urls = ["<all_urls>"]
 types = ["main_frame"]
 cancel = true
}`, `Invalid type main_frame`},
		{`web_request "a" {
 urls = ["<all_urls>"]
 methods = ["GE T"]
 cancel = true
}`, `invalid method "GE T"`},
		{`web_request "a" {
 urls = ["<all_urls>"]
}`, `must have exactly one action, not 0`},
		{`web_request "a" {
 urls = ["<all_urls>"]
 cancel = false
}`, `cancel = false does nothing`},
		{`web_request "a" {
		   urls = ["<all_urls>"]
		   cancel = true
		   redirect_url = "https://a.example/"
		 }`, `must have exactly one action, not 2`},
		{`web_request "a" {
		   urls = ["https://a.example/*"]
		   redirect_url = "/relative"
		 }`, `invalid redirect_url "/relative"`},
		{`web_request "a" {
		   urls = ["https://a.example/*"]
		   redirect_url = "file:///etc/passwd"
		 }`, `invalid redirect_url "file:///etc/passwd"`},
		{`web_request "a" {
		   urls = ["https://a.example/*"]
		   set_headers = ["X Bad: 1"]
		 }`, `invalid header "X Bad: 1" in set_headers`},
		{`web_request "a" {
		   urls = ["https://a.example/*"]
		   set_headers = ["X-Ok: a\r\nInjected: 1"]
		 }`, `invalid value for header X-Ok`},
		{`web_request "a" {
		   urls = ["https://a.example/*"]
		   set_headers = ["NoColon"]
		 }`, `invalid header "NoColon"`},
		{`web_request "a" {
		   urls = ["https://a.example/*"]
		   remove_headers = ["Bad:Name"]
		 }`, `invalid header name "Bad:Name"`},
		// The redirect target matches the rule's own filter.
		{`web_request "a" {
		   urls = ["https://*.example.com/*"]
		   redirect_url = "https://www.example.com/login"
		 }`, `redirect loop a → a`},
		// Two rules that redirect to each other.
		{`web_request "a" {
		   urls = ["https://a.example/*"]
		   redirect_url = "https://b.example/"
		 }
		 web_request "b" {
		   urls = ["https://b.example/*"]
		   redirect_url = "https://a.example/"
		 }`, `redirect loop a → b → a`},
	} {
		_, diags := compile(t, c.body)
		all := ""
		for _, d := range diags {
			all += d.Summary + "\n"
		}
		if !diags.HasErrors() || !strings.Contains(all, c.want) {
			t.Errorf("%s:\n got %v\nwant an error with %q", c.body, diags, c.want)
			continue
		}
		for _, d := range diags {
			if d.Severity == hcl.DiagError && (d.Subject == nil || d.Subject.Filename == "" || d.Subject.Start.Line == 0) {
				t.Errorf("%s: error without a location: %v", c.body, d)
			}
		}
	}
}

func TestCompileWarnings(t *testing.T) {
	for _, c := range []struct {
		body string
		code warning.Code
	}{
		{`web_request "a" {
 urls = ["app://bundle/*"]
 cancel = true
}`, warning.WebRequestNonStandardScheme},
		{`web_request "a" {
 urls = ["http://a.example:080/*"]
 cancel = true
}`, warning.WebRequestPortText},
		{`web_request "a" {
		   urls = ["http://a.example/*"]
		   redirect_url = "https://b.example/"
		 }
		 web_request "b" {
		   urls = ["https://b.example/*"]
		   cancel = true
		 }`, warning.WebRequestRedirectChain},
	} {
		_, diags := compile(t, c.body)
		if diags.HasErrors() || len(diags) != 1 || warning.CodeOf(diags[0]) != c.code {
			t.Errorf("%s: got %v, want one %s", c.body, diags, c.code)
		}
	}
	// An excluded target is no loop.
	if _, diags := compile(t, `web_request "a" {
	   urls = ["https://*.example.com/*"]
	   exclude_urls = ["https://www.example.com/login*"]
	   redirect_url = "https://www.example.com/login"
	 }`); len(diags) > 0 {
		t.Errorf("excluded target: %v", diags)
	}
}
