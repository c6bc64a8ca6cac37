package cookies

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

// clock pins the expiration warnings' "now" (2026-06-01T00:00:00Z).
var clock = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func init() { now = func() time.Time { return clock } }

const secret = "s3cr3t-VALUE-do-not-show"

// build loads one partition whose body is body (with a sensitive
// variable "pw" set to secret) and builds it.
func build(t *testing.T, body string) (*providers.Result, hcl.Diagnostics) {
	t.Helper()
	cfg, diags := familytest.Load(t, map[string]string{"main.hcl": "variable \"pw\" {\n  sensitive = true\n  default = \"" + secret + "\"\n}\npartition \"persist:a\" {\n" + body + "\n}\n"})
	if diags.HasErrors() {
		return nil, diags
	}
	res, d := Provider{}.Build(providers.NewContext(cfg), cfg.Partitions[0])
	return res, append(diags, d...)
}

func fieldJSON(t *testing.T, res *providers.Result) string {
	t.Helper()
	b, err := json.Marshal(res.Fields[Field])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRender(t *testing.T) {
	res, diags := build(t, `
  cookie "sid" {
    url        = "https://app.corp.example/login"
    value      = "abc"
    domain     = ".corp.example"
    path       = "/"
    secure     = true
    http_only  = true
    same_site  = "strict"
    expiration = "2026-12-31T00:00:00Z"
  }
  cookie "theme" {
    url   = "http://app.corp.example/"
    value = "dark"
    expiration = 1790000000.5
  }`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := `{"sid":{"url":"https://app.corp.example/login","name":"sid","value":"abc","domain":".corp.example","path":"/","secure":true,"httpOnly":true,"sameSite":"strict","expirationDate":1798675200},` +
		`"theme":{"url":"http://app.corp.example/","name":"theme","value":"dark","expirationDate":1790000000.5}}`
	if got := fieldJSON(t, res); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(res.Secrets) != 0 {
		t.Errorf("no sensitive value, yet secrets %q", res.Secrets)
	}
}

// TestSensitiveValue: the field holds the token, the value is only in
// Result.Secrets; a template built from the variable is sensitive too.
func TestSensitiveValue(t *testing.T) {
	res, diags := build(t, `
  cookie "sid" {
    url   = "https://app.corp.example/"
    value = "v1.${var.pw}"
  }`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := fieldJSON(t, res)
	if strings.Contains(got, secret) {
		t.Fatalf("field shows the secret: %s", got)
	}
	tok := providers.SecretToken("v1." + secret)
	if !strings.Contains(got, `"value":"`+tok+`"`) || len(res.Secrets) != 1 || res.Secrets[0] != "v1."+secret {
		t.Errorf("got %s, secrets %q", got, res.Secrets)
	}
	// A bad sensitive value is refused without showing it.
	_, diags = build(t, `
  cookie "sid" {
    url   = "https://app.corp.example/"
    value = "${var.pw};x"
  }`)
	if !diags.HasErrors() {
		t.Fatal("a ';' in the value must be refused")
	}
	for _, d := range diags {
		if strings.Contains(d.Summary+d.Detail, secret) {
			t.Errorf("diagnostic shows the secret: %s / %s", d.Summary, d.Detail)
		}
	}
	// The name of a cookie cannot be sensitive: it names the block.
	_, diags = build(t, `
  cookie "sid" {
    url    = "https://app.corp.example/"
    value  = "x"
    domain = var.pw
  }`)
	if !diags.HasErrors() || diags[0].Summary != "Sensitive value not allowed here" {
		t.Errorf("domain = var.pw: %v", diags)
	}
}

// TestErrors: each input is one Electron or Chromium refuses. The
// messages are Electron's (InclusionStatusToString and
// StringToCookieSameSite in shell/browser/api/electron_api_cookies.cc at
// electron/electron@96f3996d8d3ce6e2fcfb86326fc4b953b53936fb); the rules are
// Chromium's (net/cookies/parsed_cookie.cc IsValidCookieName,
// IsValidCookieValue, IsValidCookieNameValuePair; canonical_cookie.cc
// IsCookiePrefixValid) and RFC 6265bis.
func TestErrors(t *testing.T) {
	long := strings.Repeat("a", 4095) // with "x" and the name "c": 4097 bytes
	for _, tc := range []struct{ name, body, summary string }{
		{"no url", `value = "x"`, `cookie "c": Missing required option 'url'`},
		{"relative url", `url = "app.example/"`, `cookie "c": Failed to set cookie - The cookie was set with an invalid Domain attribute. (url "app.example/" is not an absolute URL with a host)`},
		{"file url", `url = "file:///tmp/x"`, `cookie "c": Failed to set cookie - The cookie was set with an invalid Domain attribute. (url "file:///tmp/x" is not an absolute URL with a host)`},
		{"ftp url", `url = "ftp://files.example/"`, `cookie "c": Failed to set cookie - Attempted to set a cookie from a scheme that does not support cookies. ("ftp:")`},
		{"semicolon in value", `url = "https://a.example/"` + "\n" + `value = "a;b"`, `cookie "c": the value contains ";"`},
		{"control char in value", `url = "https://a.example/"` + "\n" + `value = "a\u0007b"`, `cookie "c": the value contains the control character U+0007`},
		{"DEL in value", `url = "https://a.example/"` + "\n" + `value = "a\u007fb"`, `cookie "c": the value contains the control character U+007F`},
		{"tab in value", `url = "https://a.example/"` + "\n" + `value = "a\tb"`, `cookie "c": the value contains the control character U+0009`},
		{"leading space", `url = "https://a.example/"` + "\n" + `value = " a"`, `cookie "c": the value has leading or trailing whitespace`},
		{"too long", `url = "https://a.example/"` + "\n" + `value = "` + long + `x"`, `cookie "c": Failed to set cookie - The cookie exceeded the name/value pair size limit.`},
		{"nameless with =", `url = "https://a.example/"` + "\n" + `value = "a=b"`, `cookie "": Failed to set cookie - Cookie was rejected in parsing due to having an ambiguous serialization.`},
		{"nameless prefix", `url = "https://a.example/"` + "\n" + `value = "__Host-x"`, `cookie "": Failed to set cookie - The cookie was set with an invalid __Host- or __Secure- prefix.`},
		{"same_site", `url = "https://a.example/"` + "\n" + `same_site = "none"`, `cookie "c": Failed to convert 'none' to an appropriate cookie same site value`},
		{"None without Secure", `url = "https://a.example/"` + "\n" + `same_site = "no_restriction"` + "\n" + `secure = false`, `cookie "c": Failed to set cookie - The cookie specified SameSite=None, but it was not Secure.`},
		{"Secure over http", `url = "http://a.example/"` + "\n" + `secure = true`, `cookie "c": Failed to set cookie - The cookie was Secure, but the URL was not allowed to access Secure cookies.`},
		{"None implies Secure over http", `url = "http://a.example/"` + "\n" + `same_site = "no_restriction"`, `cookie "c": Failed to set cookie - The cookie was Secure, but the URL was not allowed to access Secure cookies.`},
		{"foreign domain", `url = "https://a.example/"` + "\n" + `domain = "b.example"`, `cookie "c": Failed to set cookie - The cookie was set with an invalid Domain attribute. ("b.example" does not domain-match the URL's host "a.example")`},
		{"suffix is not a parent", `url = "https://notexample.com/"` + "\n" + `domain = "example.com"`, `cookie "c": Failed to set cookie - The cookie was set with an invalid Domain attribute. ("example.com" does not domain-match the URL's host "notexample.com")`},
		{"public suffix", `url = "https://a.co.uk/"` + "\n" + `domain = "co.uk"`, `cookie "c": Failed to set cookie - The cookie was set with an invalid Domain attribute. ("co.uk" is a public suffix)`},
		{"private public suffix", `url = "https://me.github.io/"` + "\n" + `domain = "github.io"`, `cookie "c": Failed to set cookie - The cookie was set with an invalid Domain attribute. ("github.io" is a public suffix)`},
		{"IP parent", `url = "https://10.0.0.1/"` + "\n" + `domain = "0.0.1"`, `cookie "c": Failed to set cookie - The cookie was set with an invalid Domain attribute. ("0.0.1" does not domain-match the URL's host "10.0.0.1")`},
		{"non-ASCII domain", `url = "https://xn--bcher-kva.example/"` + "\n" + `domain = "bücher.example"`, `cookie "c": Failed to set cookie - The cookie was set with a Domain attribute containing non ASCII characters.`},
		{"relative path", `url = "https://a.example/"` + "\n" + `path = "docs"`, `cookie "c": Failed to set cookie - The cookie was set with an invalid Path attribute. ("docs")`},
		{"expiration text", `url = "https://a.example/"` + "\n" + `expiration = "tomorrow"`, `cookie "c": expiration "tomorrow" is neither a number of seconds nor an RFC 3339 time`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if !strings.Contains(body, "value") {
				body += "\nvalue = \"v\""
			}
			label := "c"
			if strings.HasPrefix(tc.name, "nameless") {
				label = ""
			}
			res, diags := build(t, "cookie \""+label+"\" {\n"+body+"\n}")
			if !diags.HasErrors() || diags[0].Summary != tc.summary || diags[0].Subject == nil {
				t.Fatalf("got %v\nwant %s", diags, tc.summary)
			}
			if res != nil && res.Fields[Field] != nil {
				t.Errorf("rendered despite the error")
			}
		})
	}
}

// TestPrefixes: RFC 6265bis §4.1.3 and Chromium's IsCookiePrefixValid,
// matched case-insensitively (net/cookies/canonical_cookie.cc).
func TestPrefixes(t *testing.T) {
	const bad = "Failed to set cookie - The cookie was set with an invalid __Host- or __Secure- prefix."
	for _, tc := range []struct {
		name, attrs string
		ok          bool
	}{
		{"__Secure-a", `url = "https://a.example/"` + "\nsecure = true", true},
		{"__Secure-a", `url = "https://a.example/"`, false},
		{"__secure-a", `url = "https://a.example/"`, false},
		{"__Secure-a", `url = "http://localhost/"` + "\nsecure = true", false},
		{"__Host-a", `url = "https://a.example/"` + "\nsecure = true\npath = \"/\"", true},
		{"__HOST-a", `url = "https://a.example/"` + "\nsecure = true", false},
		{"__Host-a", `url = "https://a.example/"` + "\nsecure = true\npath = \"/x\"", false},
		{"__Host-a", `url = "https://a.example/"` + "\nsecure = true\npath = \"/\"\ndomain = \"a.example\"", false},
		{"_Host-a", `url = "https://a.example/"`, true},
	} {
		_, diags := build(t, "cookie \""+tc.name+"\" {\nvalue = \"v\"\n"+tc.attrs+"\n}")
		if tc.ok && diags.HasErrors() {
			t.Errorf("%s %q: %v", tc.name, tc.attrs, diags)
		}
		if !tc.ok && (!diags.HasErrors() || !strings.HasSuffix(diags[0].Summary, bad)) {
			t.Errorf("%s %q: want the prefix error, got %v", tc.name, tc.attrs, diags)
		}
	}
}

// TestAccepted: inputs Chromium takes that a stricter reading might
// refuse.
func TestAccepted(t *testing.T) {
	for _, body := range []string{
		// Secure cookies from http://localhost (a potentially trustworthy
		// origin, net::IsLocalhost).
		`url = "http://localhost:8080/"` + "\nsecure = true\nvalue = \"v\"",
		`url = "http://127.0.0.1/"` + "\nsecure = true\nvalue = \"v\"",
		// The URL's own host as domain, with a leading dot, any case.
		`url = "https://App.Example/"` + "\ndomain = \".app.example\"\nvalue = \"v\"",
		// An empty value with a name, and a value of 4095 bytes (4096 with the name).
		`url = "https://a.example/"` + "\nvalue = \"\"",
		`url = "https://a.example/"` + "\nvalue = \"" + strings.Repeat("b", 4095) + "\"",
		// Non-ASCII and '=' in a value.
		`url = "wss://a.example/"` + "\nvalue = \"é=1\"",
	} {
		if _, diags := build(t, "cookie \"c\" {\n"+body+"\n}"); diags.HasErrors() {
			t.Errorf("%q: %v", body, diags)
		}
	}
}

// TestExpirationWarnings: ValidateAndAdjustExpiryDate caps the lifetime at
// 400 days (RFC 6265bis §5.5); an expiration in the past deletes.
func TestExpirationWarnings(t *testing.T) {
	for _, tc := range []struct {
		exp  string
		code warning.Code
	}{
		{`"2027-07-07T00:00:00Z"`, warning.CookieExpiryClamped}, // 401 days after clock
		{`"2027-07-05T00:00:00Z"`, ""},                          // 399 days
		{`"2026-05-31T00:00:00Z"`, warning.CookieExpired},
		{`1000`, warning.CookieExpired},
	} {
		_, diags := build(t, "cookie \"c\" {\nurl = \"https://a.example/\"\nvalue = \"v\"\nexpiration = "+tc.exp+"\n}")
		var got warning.Code
		for _, d := range diags {
			if d.Severity == hcl.DiagWarning {
				got = warning.CodeOf(d)
			}
		}
		if diags.HasErrors() || got != tc.code {
			t.Errorf("%s: got %q %v, want %q", tc.exp, got, diags, tc.code)
		}
	}
	_, diags := build(t, "cookie \"c\" {\nurl = \"https://a.example/\"\nvalue = \"v\"\nexpiration = \"2030-01-01T00:00:00Z\"\n}")
	if len(diags) != 1 || !strings.Contains(diags[0].Detail, "would expire at 2027-07-06T00:00:00Z instead of 2030-01-01T00:00:00Z") {
		t.Errorf("the clamp is not shown: %v", diags)
	}
}

// TestDeclaredLanguage: the JSON syntax and a profile give the same
// cookies as the native syntax.
func TestDeclaredLanguage(t *testing.T) {
	cfg := familytest.MustLoad(t, map[string]string{
		"base.hcl":      "profile \"base\" {\n  cookie \"a\" {\n    url = \"https://a.example/\"\n    value = \"1\"\n  }\n}\n",
		"main.hcl.json": `{"partition": {"persist:x": {"profiles": ["profile.base"], "cookie": {"b": {"url": "https://b.example/", "value": "2"}}}}}`})
	spec := Key.Of(cfg.Partitions[0])
	if spec == nil || len(spec.Cookies) != 2 || spec.Cookies[0].Name != "a" || spec.Cookies[1].Name != "b" || spec.Cookies[1].Value.V != "2" {
		t.Fatalf("got %+v", spec)
	}
	_ = schema.Value[string]{}
}
