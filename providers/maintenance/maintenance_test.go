package maintenance

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
)

func build(t *testing.T, src string) (*providers.Result, hcl.Diagnostics) {
	t.Helper()
	cfg, diags := familytest.Load(t, map[string]string{"main.hcl": src})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	return Provider{}.Build(providers.NewContext(cfg), cfg.Partitions[0])
}

func fieldJSON(t *testing.T, res *providers.Result) string {
	t.Helper()
	v, ok := res.Fields[Field]
	if !ok {
		return "<none>"
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBuild(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{``, `<none>`},
		{`maintenance {}`, `<none>`},
		{`maintenance {
  clear_cache = 2
  close_all_connections = 0
}`, `{"clearCache":2,"closeAllConnections":0}`},
		{`maintenance {
  clear_cache               = 1
  clear_storage_data        = 3
  clear_auth_cache          = 1
  clear_host_resolver_cache = 1
  flush_storage_data        = 1
  force_reload_proxy_config = 7
  close_all_connections     = 1
  clear_storage_data_options {
    storages = ["LocalStorage", "cookies", "cookies"]
    quotas   = ["temporary"]
    origin   = "HTTPS://App.Corp.Example:8443/"
  }
}`, `{"clearAuthCache":1,"clearCache":1,"clearHostResolverCache":1,"clearStorageData":3,` +
			`"clearStorageDataOptions":{"origin":"https://app.corp.example:8443","storages":["cookies","localstorage"],"quotas":["temporary"]},` +
			`"closeAllConnections":1,"flushStorageData":1,"forceReloadProxyConfig":7}`},
	} {
		res, diags := build(t, "partition \"persist:a\" {\n"+tc.body+"\n}\n")
		if len(diags) != 0 {
			t.Errorf("%s: %v", tc.body, diags)
		}
		if got := fieldJSON(t, res); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.body, got, tc.want)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		body, summary, detail string
		line                  int
	}{
		{"maintenance {\n  clear_cache = -1\n}", "maintenance.clear_cache must be between 0 and 2147483647 (got -1)", "Raise it by one", 3},
		{"maintenance {\n  clear_storage_data = 1\n  clear_storage_data_options {\n    storages = [\"websql\"]\n  }\n}", `unknown storage type "websql" in clear_storage_data_options`, "websql were removed", 5},
		{"maintenance {\n  clear_storage_data = 1\n  clear_storage_data_options {\n    storages = []\n  }\n}", "clear_storage_data_options.storages is empty", "Leave storages out", 5},
		{"maintenance {\n  clear_storage_data = 1\n  clear_storage_data_options {\n    quotas = [\"syncable\"]\n  }\n}", `unknown quota type "syncable" in clear_storage_data_options`, "Electron 36", 5},
		{"maintenance {\n  clear_storage_data = 1\n  clear_storage_data_options {\n    origin = \"https://a.example/path\"\n  }\n}", `clear_storage_data_options.origin "https://a.example/path" is not an origin: has a path, query or fragment`, "scheme://host[:port]", 5},
		{"maintenance {\n  clear_storage_data = 1\n  clear_storage_data_options {\n    origin = \"a.example\"\n  }\n}", `clear_storage_data_options.origin "a.example" is not an origin: no scheme:// or host`, "window.location.origin", 5},
		{"maintenance {\n  clear_cache = 1\n  clear_storage_data_options {\n    origin = \"https://a.example\"\n  }\n}", "clear_storage_data_options without clear_storage_data", "set clear_storage_data", 4},
	} {
		res, diags := build(t, "partition \"persist:a\" {\n"+tc.body+"\n}\n")
		if len(diags) != 1 || diags[0].Severity != hcl.DiagError || diags[0].Summary != tc.summary ||
			!strings.Contains(diags[0].Detail, tc.detail) || diags[0].Subject.Start.Line != tc.line {
			t.Errorf("%s: got %v (line %v), want %q at line %d", tc.body, diags, subjectLine(diags), tc.summary, tc.line)
		}
		if _, ok := res.Fields[Field]; ok {
			t.Errorf("%s: rendered despite error", tc.body)
		}
	}
}

func subjectLine(diags hcl.Diagnostics) int {
	if len(diags) == 0 || diags[0].Subject == nil {
		return 0
	}
	return diags[0].Subject.Start.Line
}

// A generation may stay or rise, never go down against the last applied
// profile; the diagnostic points at the attribute.
func TestCheckLowered(t *testing.T) {
	res, diags := build(t, "partition \"persist:a\" {\n  maintenance {\n    clear_cache = 2\n    flush_storage_data = 5\n  }\n}\n")
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	check := res.Checks[Field]
	if check == nil {
		t.Fatal("no check for the maintenance field")
	}
	for _, tc := range []struct {
		prev string
		want []string
	}{
		{``, nil},
		{`{"clearCache":1}`, nil},
		{`{"clearCache":2,"flushStorageData":5}`, nil},
		{`{"clearCache":9,"closeAllConnections":4}`, []string{"maintenance.clear_cache cannot go down from 9 to 2"}},
		{`{"clearCache":3,"flushStorageData":6}`, []string{"maintenance.clear_cache cannot go down from 3 to 2", "maintenance.flush_storage_data cannot go down from 6 to 5"}},
		{`not json`, nil},
	} {
		var prev json.RawMessage
		if tc.prev != "" {
			prev = json.RawMessage(tc.prev)
		}
		ds := check(prev)
		var got []string
		for _, d := range ds {
			got = append(got, d.Summary)
			if d.Subject == nil || d.Subject.Start.Line < 3 || !strings.Contains(d.Detail, "write ") {
				t.Errorf("%s: %s: range %v, detail %q", tc.prev, d.Summary, d.Subject, d.Detail)
			}
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: got %q, want %q", tc.prev, got, tc.want)
		}
	}
}

func TestDeclaredLanguage(t *testing.T) {
	hclSrc := `
profile "base" {
  maintenance {
    clear_cache = 1
    clear_storage_data_options {
      storages = ["cookies"]
    }
  }
}
partition "persist:a" {
  profiles = [profile.base]
  maintenance {
    clear_storage_data = 2
  }
}
partition "persist:${each.key}" {
  for_each = { b = 4 }
  maintenance {
    clear_cache = each.value
  }
}
`
	jsonSrc := `{
  "profile": {"base": {"maintenance": {"clear_cache": 1, "clear_storage_data_options": {"storages": ["cookies"]}}}},
  "partition": {
    "persist:a": {"profiles": ["profile.base"], "maintenance": {"clear_storage_data": 2}},
    "persist:${each.key}": {"for_each": "${ {b = 4} }", "maintenance": {"clear_cache": "${each.value}"}}
  }
}`
	for name, files := range map[string]map[string]string{"hcl": {"main.hcl": hclSrc}, "json": {"main.hcl.json": jsonSrc}} {
		t.Run(name, func(t *testing.T) {
			cfg := familytest.MustLoad(t, files)
			want := map[string]string{
				"persist:a": `{"clearCache":1,"clearStorageData":2,"clearStorageDataOptions":{"storages":["cookies"]}}`,
				"persist:b": `{"clearCache":4}`,
			}
			for _, p := range cfg.Partitions {
				res, diags := Provider{}.Build(providers.NewContext(cfg), p)
				if diags.HasErrors() {
					t.Fatal(diags)
				}
				if got := fieldJSON(t, res); got != want[p.Name] {
					t.Errorf("%s: %s, want %s", p.Name, got, want[p.Name])
				}
			}
		})
	}
}

func TestDeclaredLanguageErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"partition \"a\" {\n  maintenance {\n    clear_caches = 2\n  }\n}\n", `Did you mean "clear_cache"?`},
		{"partition \"a\" {\n  maintenance {\n    clear_cache = 1.5\n  }\n}\n", "whole number"},
		{"partition \"a\" {\n  maintenance {}\n  maintenance {}\n}\n", "Only one maintenance block is allowed here"},
	} {
		_, diags := familytest.Load(t, map[string]string{"main.hcl": tc.src})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.want) && !strings.Contains(diags[0].Detail, tc.want) {
			t.Errorf("%q: %v, want %q", tc.src, diags, tc.want)
		}
	}
}

func TestCanonicalOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://a.example":       "https://a.example",
		"https://a.example/":      "https://a.example",
		"HTTP://A.example:80":     "http://a.example:80",
		"https://u@a.example":     "",
		"https://a.example/?q":    "",
		"https://a.example/#f":    "",
		"https://a.example/x":     "",
		"https:// a.example":      "",
		"":                        "",
		"file:///etc/passwd":      "",
		"https://[::1]:8443":      "https://[::1]:8443",
		"chrome-extension://abcd": "chrome-extension://abcd",
	} {
		got, err := CanonicalOrigin(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
}

// force_reload_proxy_config warns where the proxy configuration is fixed
// (direct, fixed_servers), not where there is something to re-read.
func TestForceReloadProxyConfigWarning(t *testing.T) {
	for _, tc := range []struct{ proxy, want string }{
		{``, ``},
		{`proxy { mode = "system" }`, ``},
		{`proxy { pac_script = "https://wpad.corp.example/proxy.pac" }`, ``},
		{`proxy { mode = "auto_detect" }`, ``},
		{`proxy { mode = "direct" }`, `maintenance.force_reload_proxy_config has nothing to re-read with proxy mode "direct"`},
		{`proxy { rules = "http=p.corp.example:3128" }`, `maintenance.force_reload_proxy_config has nothing to re-read with proxy mode "fixed_servers"`},
	} {
		res, diags := build(t, "partition \"persist:a\" {\n  "+tc.proxy+"\n  maintenance {\n    force_reload_proxy_config = 1\n  }\n}\n")
		var got string
		for _, d := range diags {
			got += d.Summary
			if d.Severity != hcl.DiagWarning || d.Subject.Start.Line != 4 {
				t.Errorf("%s: %v at %v", tc.proxy, d.Severity, d.Subject)
			}
		}
		if got != tc.want || fieldJSON(t, res) != `{"forceReloadProxyConfig":1}` {
			t.Errorf("%s: %q, want %q (%s)", tc.proxy, got, tc.want, fieldJSON(t, res))
		}
	}
}
