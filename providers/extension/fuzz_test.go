package extension

import (
	"strings"
	"testing"
)

// Hostile manifests and keys must give an error, never a panic, and a
// parsed manifest must satisfy what Chromium requires.
func FuzzParseManifest(f *testing.F) {
	for _, s := range []string{
		`{"manifest_version":3,"name":"x","version":"1.0"}`,
		"{ // c\n\"a\":\"\\x41\"}",
		`{"key":"` + unittestKey + `"}`,
		"/*", `"\`, `{"a":"\x`, "\xef\xbb\xbf[]", `{"version":"1.2.3.4"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err == nil {
			if m.Name == "" || m.ManifestVersion < 2 {
				t.Fatalf("accepted %q as %+v", data, m)
			}
			if _, ok := ParseVersion(m.Version); !ok {
				t.Fatalf("non-canonical version %q", m.Version)
			}
		}
		if id, _, err := ManifestID("/x", data); err == nil && !ValidID(id) {
			t.Fatalf("invalid id %q", id)
		}
	})
}

func FuzzIDFromKey(f *testing.F) {
	f.Add(unittestKey)
	f.Add("-----BEGIN PUBLIC KEY-----\n" + unittestKey + "\n-----END PUBLIC KEY-----")
	f.Add("-----BEGINKEY----------END")
	f.Fuzz(func(t *testing.T, key string) {
		if id, err := IDFromKey(key); err == nil && (!ValidID(id) || strings.ToLower(id) != id) {
			t.Fatalf("bad id %q", id)
		}
	})
}
