package schema

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

var testHost = Host{Name: "h1", OS: "linux", Arch: "amd64"}

// decodeCases are fixtures under testdata/decode that exist as NAME.hcl and
// NAME.hcl.json; both must decode to these values.
var decodeCases = []struct {
	fixture string
	want    []string
}{
	{"full", []string{
		`persist:work|Cache=true`,
		`persist:work|UserAgent="WorkApp/1.0"`,
		`persist:work|AcceptLanguages=["en-US" "fr"]`,
		`persist:work|IgnoreDrift=["userAgent"]`,
		`persist:work|Proxy.Mode="fixed_servers"`,
		`persist:work|Proxy.Rules="http=proxy:80;https=proxy:443"`,
		`persist:work|Proxy.BypassRules=["<local>,*.corp.example"] (string)`,
		`persist:work|Proxy.PacScript="http://pac.example/p.pac"`,
		`persist:work|Preloads[0].ID="telemetry"`,
		`persist:work|Preloads[0].Path="/opt/t.js"`,
		`persist:work|Preloads[0].Type="frame"`,
		`persist:work|Preloads[0].SHA256="abc"`,
		`persist:work|Preloads[1].ID="second"`,
		`persist:work|Preloads[1].Path="/opt/s.js"`,
		`persist:work|Spellcheck.Enabled=true`,
		`persist:work|Spellcheck.Languages=["en-US" "fr"]`,
		`persist:work|Spellcheck.DictionaryURL="https://dict.example/"`,
		`persist:work|Spellcheck.Words=["sessctl" "électron"]`,
		`persist:work|Permissions.Default="deny"`,
		`persist:work|Permissions.Rules[0].Name="chat"`,
		`persist:work|Permissions.Rules[0].Permissions=["notifications" "media"]`,
		`persist:work|Permissions.Rules[0].Origins=["https://chat.corp.example"]`,
		`persist:work|Permissions.Rules[0].Decision="allow"`,
		`persist:work|Permissions.Rules[0].Handler="both"`,
		`persist:work|Permissions.Rules[0].MediaTypes=["audio"]`,
		`persist:work|Permissions.Rules[0].ExternalURLs=["mailto:"]`,
		`persist:work|Permissions.Rules[0].MainFrameOnly=true`,
		`persist:work|Serial.Selects[0].VendorID=9025`,
		`persist:work|Serial.Selects[0].ProductID="0x0043"`,
		`persist:work|Serial.Selects[1].SerialNumber="ABC"`,
		`persist:work|Serial.Selects[1].PortName="/dev/ttyUSB0"`,
	}},
	{"exprs", []string{
		`persist:exprs|UserAgent="App/2 (linux; h1) /srv/downloads"`,
		`persist:exprs|AcceptLanguages=["en-US" "de"]`,
		`persist:exprs|Cache=true`,
		`persist:exprs|Proxy.Rules="http=PROXY.CORP:8080"`,
		`persist:exprs|Proxy.BypassRules=["<local>,x.com"] (string)`,
		`persist:exprs|Spellcheck.Words=["a" "b"]`,
		`persist:exprs|Spellcheck.Languages=["en-US"]`,
		`persist:exprs|Preloads[0].ID="p"`,
		`persist:exprs|Preloads[0].Path="$DIR/p.js"`,
		// sha256sum testdata/decode/p.js
		`persist:exprs|Preloads[0].SHA256="52be236d5116178043527115e523f7b7f848a125310d9799d0c0e64618c0610d"`,
		`persist:exprs|Serial.Selects[0].VendorID=9025`,
		`persist:exprs|Serial.Selects[0].ProductID="0x0043"`,
	}},
	// Merge order: profiles in list order, then the partition's own body;
	// later wins per attribute; labelled blocks merge by label and keep the
	// position where the label first appeared; a later source with any
	// serial select replaces the list.
	{"profiles", []string{
		`persist:p|profiles=base,extra`,
		`persist:p|Cache=true`,
		`persist:p|UserAgent="Extra"`,
		`persist:p|Proxy.Mode="fixed_servers"`,
		`persist:p|Proxy.Rules="extra:80"`,
		`persist:p|Preloads[0].ID="a"`,
		`persist:p|Preloads[0].Path="/own/a.js"`,
		`persist:p|Preloads[0].Type="frame"`,
		`persist:p|Preloads[1].ID="b"`,
		`persist:p|Preloads[1].Path="/base/b.js"`,
		`persist:p|Preloads[1].Type="service-worker"`,
		`persist:p|Preloads[2].ID="c"`,
		`persist:p|Preloads[2].Path="/extra/c.js"`,
		`persist:p|Preloads[3].ID="d"`,
		`persist:p|Preloads[3].Path="/own/d.js"`,
		`persist:p|Permissions.Default="deny"`,
		`persist:p|Permissions.Rules[0].Name="r1"`,
		`persist:p|Permissions.Rules[0].Permissions=["notifications"]`,
		`persist:p|Permissions.Rules[0].Decision="deny"`,
		`persist:p|Permissions.Rules[1].Name="r2"`,
		`persist:p|Permissions.Rules[1].Permissions=["media"]`,
		`persist:p|Serial.Selects[0].VendorID=3`,
		`persist:p|Spellcheck.Languages=["en-US"]`,

		`mem|profiles=extra,base`,
		`mem|Cache=false`,
		`mem|UserAgent="Base"`,
		`mem|Proxy.Mode="fixed_servers"`,
		`mem|Proxy.Rules="base:80"`,
		`mem|Preloads[0].ID="b"`,
		`mem|Preloads[0].Path="/base/b.js"`,
		`mem|Preloads[0].Type="service-worker"`,
		`mem|Preloads[1].ID="c"`,
		`mem|Preloads[1].Path="/extra/c.js"`,
		`mem|Preloads[2].ID="a"`,
		`mem|Preloads[2].Path="/base/a.js"`,
		`mem|Preloads[2].Type="frame"`,
		`mem|Permissions.Default="deny"`,
		`mem|Permissions.Rules[0].Name="r1"`,
		`mem|Permissions.Rules[0].Permissions=["notifications"]`,
		`mem|Permissions.Rules[0].Decision="allow"`,
		`mem|Permissions.Rules[1].Name="r2"`,
		`mem|Permissions.Rules[1].Permissions=["media"]`,
		`mem|Serial.Selects[0].VendorID=1`,
		`mem|Serial.Selects[1].VendorID=2`,
		`mem|Spellcheck.Languages=["en-US"]`,
	}},
	// Optional object attributes take their defaults; a set is sorted and
	// deduplicated (cty set semantics).
	{"variables", []string{
		`persist:vars|AcceptLanguages=["a" "b"]`,
		`persist:vars|Proxy.Rules="p.example:3128"`,
	}},
	{"foreach", []string{
		`persist:a|UserAgent="UA-a"`,
		`persist:a|Proxy.Rules="http://a:80"`,
		`persist:b|UserAgent="UA-b"`,
		`persist:b|Proxy.Rules="http://b:80"`,
		`mem-x|Cache=false`,
		`mem-y|Cache=false`,
		`persist:literal|Cache=true`,
	}},
}

func TestDecodeFixtures(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.fixture, func(t *testing.T) {
			var decoded [][]*Partition
			for _, ext := range []string{".hcl", ".hcl.json"} {
				path := filepath.Join("testdata", "decode", tc.fixture+ext)
				cfg, diags := Load(LoadOptions{Path: path, Host: testHost})
				if len(diags) != 0 {
					t.Fatalf("%s: unexpected diagnostics: %v", ext, diagLines(diags))
				}
				abs, _ := filepath.Abs(filepath.Join("testdata", "decode"))
				if cfg.Dir != abs {
					t.Errorf("%s: Dir = %q, want %q", ext, cfg.Dir, abs)
				}
				want := make([]string, len(tc.want))
				for i, w := range tc.want {
					want[i] = replaceDir(w, abs)
				}
				t.Run(ext, func(t *testing.T) { diffLines(t, flatten(cfg.Partitions), want) })
				if tc.fixture == "full" {
					st := cfg.Settings
					if !st.Present || st.Output.V != "/tmp/out" || !st.Output.Exact || st.ElectronVersion.V != 45 || st.State.Set || st.DeclRange.Start.Line != map[string]int{".hcl": 1, ".hcl.json": 2}[ext] {
						t.Errorf("%s: settings %+v", ext, st)
					}
				}
				decoded = append(decoded, cfg.Partitions)
			}
			// The two syntaxes decode to the same values, Exact flags and
			// FromString included.
			if a, b := stripRanges(decoded[0]), stripRanges(decoded[1]); !reflect.DeepEqual(a, b) {
				t.Errorf("native and JSON syntax decode differently:\nhcl:  %v\njson: %v", flatten(decoded[0]), flatten(decoded[1]))
			}
		})
	}
}

func replaceDir(s, dir string) string {
	const tok = "$DIR"
	for i := 0; i+len(tok) <= len(s); i++ {
		if s[i:i+len(tok)] == tok {
			return s[:i] + dir + s[i+len(tok):]
		}
	}
	return s
}

// TestForEachLabelTemplates: nested quotes and escapes in a native label
// template mean what they mean in any quoted string.
func TestForEachLabelTemplates(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": `
partition "persist:${lookup({ a = "x" }, each.key, "y")}-\u00e9$${raw}" {
  for_each = toset(["a", "b"])
  user_agent = "${each.key}=${each.value}"
}
partition "mem-${each.value.n}" {
  for_each = { one = { n = "1" }, two = { n = "2" } }
  user_agent = each.key
}
`})
	cfg, diags := Load(LoadOptions{Path: dir})
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	want := []string{
		`mem-1|UserAgent="one"`,
		`mem-2|UserAgent="two"`,
		`persist:x-é${raw}|UserAgent="a=a"`,
		`persist:y-é${raw}|UserAgent="b=b"`,
	}
	diffLines(t, flatten(cfg.Partitions), want)
	// Every instance points at the label of its block.
	for _, p := range cfg.Partitions {
		if p.NameRange.Start.Line != 2 && p.NameRange.Start.Line != 6 {
			t.Errorf("%s: NameRange %s", p.Name, p.NameRange)
		}
	}
}

// TestNullUnsets: null is "not set", so a partition can drop a value a
// profile set.
func TestNullUnsets(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": `
profile "p" {
  user_agent = "from-profile"
  cache      = true
}
partition "a" {
  profiles   = [profile.p]
  user_agent = null
}
`})
	cfg, diags := Load(LoadOptions{Path: dir})
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	diffLines(t, flatten(cfg.Partitions), []string{`a|profiles=p`, `a|Cache=true`})
}

// TestForEachDiagnosticContext: rendered diagnostics name a for_each block
// by its label as written (hcl itself would show "${ ... }").
func TestForEachDiagnosticContext(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": "partition \"persist:${each.key}\" {\n  for_each = toset([\"a\"])\n  cache    = \"x\"\n}\n"})
	cfg, diags := Load(LoadOptions{Path: dir})
	if len(diags) != 1 {
		t.Fatal(diagLines(diags))
	}
	var sb strings.Builder
	hcl.NewDiagnosticTextWriter(&sb, cfg.Sources, 0, false).WriteDiagnostics(diags)
	if !strings.Contains(sb.String(), `in partition "persist:${each.key}"`) {
		t.Errorf("rendered:\n%s", sb.String())
	}
}

// TestForEachWithProfiles: a profile is merged once into a for_each block
// and evaluated per instance, so it can use each.*.
func TestForEachWithProfiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": `
profile "tagged" {
  user_agent = "App (${each.key})"
  proxy {
    rules = "base:80"
  }
}
partition "persist:${each.key}" {
  for_each = { a = "a:80", b = "b:80" }
  profiles = [profile.tagged]
  proxy {
    rules = each.value
  }
}
`})
	cfg, diags := Load(LoadOptions{Path: dir})
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	diffLines(t, flatten(cfg.Partitions), []string{
		`persist:a|profiles=tagged`, `persist:a|UserAgent="App (a)"`, `persist:a|Proxy.Rules="a:80"`,
		`persist:b|profiles=tagged`, `persist:b|UserAgent="App (b)"`, `persist:b|Proxy.Rules="b:80"`,
	})
	if r := ua(find(cfg.Partitions, "persist:b")).Range; r.Start.Line != 3 {
		t.Errorf("user_agent range %s, want line 3 (the profile)", r)
	}
}

// TestLiteralLabelEscapes: "$${" in a label without for_each is a literal
// "${" in both syntaxes.
func TestLiteralLabelEscapes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.hcl":      `partition "a-$${x}-$$-%%{y}" {}`,
		"b.hcl.json": `{"partition": {"b-$${x}-$$-%%{y}": {}}}`,
	})
	cfg, diags := Load(LoadOptions{Path: dir})
	if len(diags) > 0 {
		t.Fatal(diagLines(diags))
	}
	if len(cfg.Partitions) != 2 || cfg.Partitions[0].Name != "a-${x}-$$-%{y}" || cfg.Partitions[1].Name != "b-${x}-$$-%{y}" {
		t.Errorf("names: %q, %q", cfg.Partitions[0].Name, cfg.Partitions[1].Name)
	}
}
