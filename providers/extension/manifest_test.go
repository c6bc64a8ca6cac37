package extension

import (
	"strings"
	"testing"
)

func TestParseManifest(t *testing.T) {
	const (
		missingMV = "Missing 'manifest_version' key. Its value must be an integer either 2 or 3. See developer.chrome.com/extensions/manifestVersion for details."
		badMV     = "Invalid value for 'manifest_version'. Must be an integer either 2 or 3. See developer.chrome.com/extensions/manifestVersion for details."
		badName   = "Required value 'name' is missing or invalid."
		badVer    = "Required value 'version' is missing or invalid. It must be between 1-4 dot-separated integers each between 0 and 65536."
	)
	for _, tc := range []struct {
		name, json string
		version    string // on success
		err        string // exact, or prefix when ending in "…"
		warnings   int
	}{
		{"mv3", `{"manifest_version":3,"name":"x","version":"1.0.2"}`, "1.0.2", "", 0},
		{"mv2 warns", `{"manifest_version":2,"name":"x","version":"1"}`, "1", "", 1},
		{"mv4 warns", `{"manifest_version":4,"name":"x","version":"1"}`, "1", "", 1},
		{"comments and BOM", "\xef\xbb\xbf{ // c\n\"manifest_version\":3, /* multi\nline */ \"name\":\"x\",\"version\":\"2.0\"}", "2.0", "", 0},
		{"x escape and raw newline in string", "{\"manifest_version\":3,\"name\":\"a\\x41\nb\",\"version\":\"1\"}", "1", "", 0},
		{"later components lose leading zeros", `{"manifest_version":3,"name":"x","version":"1.02.003"}`, "1.2.3", "", 0},
		{"missing manifest_version", `{"name":"x","version":"1"}`, "", missingMV, 0},
		{"manifest_version 1", `{"manifest_version":1,"name":"x","version":"1"}`, "", badMV, 0},
		{"manifest_version 3.0 is a double", `{"manifest_version":3.0,"name":"x","version":"1"}`, "", badMV, 0},
		{"manifest_version string", `{"manifest_version":"3","name":"x","version":"1"}`, "", badMV, 0},
		{"manifest_version before name", `{"manifest_version":0}`, "", badMV, 0},
		{"missing name", `{"manifest_version":3,"version":"1"}`, "", badName, 0},
		{"empty name", `{"manifest_version":3,"name":"","version":"1"}`, "", badName, 0},
		{"name not a string", `{"manifest_version":3,"name":7,"version":"1"}`, "", badName, 0},
		{"missing version", `{"manifest_version":3,"name":"x"}`, "", badVer, 0},
		{"version number", `{"manifest_version":3,"name":"x","version":1}`, "", badVer, 0},
		{"5 components", `{"manifest_version":3,"name":"x","version":"1.2.3.4.5"}`, "", badVer, 0},
		{"leading zero first", `{"manifest_version":3,"name":"x","version":"01.2"}`, "", badVer, 0},
		{"plus sign", `{"manifest_version":3,"name":"x","version":"+1"}`, "", badVer, 0},
		{"empty component", `{"manifest_version":3,"name":"x","version":"1..2"}`, "", badVer, 0},
		{"letters", `{"manifest_version":3,"name":"x","version":"1.0-beta"}`, "", badVer, 0},
		{"over uint32", `{"manifest_version":3,"name":"x","version":"4294967296"}`, "", badVer, 0},
		{"bad key checked first", `{"key":"@@","manifest_version":1}`, "", "Value 'key' is missing or invalid.", 0},
		{"key not a string", `{"key":5,"manifest_version":3,"name":"x","version":"1"}`, "", "Value 'key' is missing or invalid.", 0},
		{"array root", `[1]`, "", "Manifest file is invalid", 0},
		{"trailing comma", `{"manifest_version":3,}`, "", "Manifest is not valid JSON.  …", 0},
		{"garbage after root", `{} {}`, "", "Manifest is not valid JSON.  Unexpected data after root element.", 0},
		{"invalid UTF-8", "{\"name\":\"\xff\"}", "", "Manifest is not valid JSON.  Unsupported encoding. JSON must be UTF-8.", 0},
		{"unterminated comment", `{ /* x`, "", "Manifest is not valid JSON.  Line: 1, Unterminated comment.", 0},
	} {
		m, err := ParseManifest([]byte(tc.json))
		if tc.err == "" {
			if err != nil || m.Version != tc.version || len(m.Warnings) != tc.warnings {
				t.Errorf("%s: got %+v, %v; want version %q, %d warnings", tc.name, m, err, tc.version, tc.warnings)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted, want %q", tc.name, tc.err)
			continue
		}
		if p, ok := strings.CutSuffix(tc.err, "…"); ok {
			if !strings.HasPrefix(err.Error(), p) {
				t.Errorf("%s: error %q, want prefix %q", tc.name, err, p)
			}
		} else if err.Error() != tc.err {
			t.Errorf("%s: error %q, want %q", tc.name, err, tc.err)
		}
	}
	m, _ := ParseManifest([]byte(`{"manifest_version":2,"name":"x","version":"1"}`))
	if m.Warnings[0] != "Manifest version 2 is deprecated, and support will be removed in 2024. See https://developer.chrome.com/docs/extensions/develop/migrate/mv2-deprecation-timeline for details." {
		t.Errorf("MV2 warning = %q", m.Warnings[0])
	}
	m, _ = ParseManifest([]byte(`{"manifest_version":5,"name":"x","version":"1"}`))
	if m.Warnings[0] != "The maximum currently-supported manifest version is 3, but this is 5.  Certain features may not work as expected." {
		t.Errorf("MV5 warning = %q", m.Warnings[0])
	}
	m, _ = ParseManifest([]byte(`{"key":"` + unittestKey + `","manifest_version":3,"name":"x","version":"1"}`))
	if !m.HasKey || m.Key != unittestKey {
		t.Errorf("key not kept: %+v", m)
	}
}
