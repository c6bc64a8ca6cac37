package reconcile

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

var update = flag.Bool("update", false, "rewrite golden files (review the diff before committing)")

// copyTree copies src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

var digestLine = regexp.MustCompile(`"digest": "sha256:[0-9a-f]{64}"`)

// TestEveryFamilyRoundTrip decodes one partition that sets every family,
// once from native HCL and once from the JSON syntax, and compares the
// profile with a golden file whose every field was checked by hand
// against the argument of the Electron call it feeds (docs/electron-facts.md
// and the French session reference): setProxy's ProxyConfig,
// setSSLConfig's {minVersion, maxVersion, disabledCipherSuites} as
// numbers, setUserAgent's comma-separated languages,
// enableNetworkEmulation's latency / downloadThroughput /
// uploadThroughput, allowNTLMCredentialsForDomains' comma-separated
// string, preconnect's {url, numSockets}, registerPreloadScript's
// {id, type, filePath}, and the compiled rule tables.
func TestEveryFamilyRoundTrip(t *testing.T) {
	golden := filepath.Join("testdata", "allfamilies", "want.json")
	var profiles []string
	for _, variant := range []string{"hcl", "json"} {
		t.Run(variant, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, filepath.Join("testdata", "allfamilies", "files"), filepath.Join(dir, "files"))
			copyTree(t, filepath.Join("testdata", "allfamilies", variant), dir)
			cfg, diags := schema.Load(schema.LoadOptions{Path: dir})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			desired, diags := Build(cfg)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			d := desired["persist:all"]
			if d == nil {
				t.Fatalf("partition missing; got %v", sortedKeys(desired))
			}
			body := string(RenderProfile(d.Fields, 1, d.Digest))
			body = strings.ReplaceAll(body, dir, "$CONFIG")
			body = digestLine.ReplaceAllString(body, `"digest": "$DIGEST"`)
			profiles = append(profiles, body)

			// Side effects: the download directory and the custom
			// dictionary in Chromium's format (md5 of "hcl\nsessctl\n"
			// computed independently with md5sum).
			var mkdir, dict bool
			for _, e := range d.Effects {
				switch {
				case e.Kind == providers.EffectMkdir && e.Path == filepath.Join(dir, "downloads"):
					mkdir = true
				case e.Kind == providers.EffectWriteFile && e.Path == filepath.Join(dir, "appdata", "Partitions", "all", "Custom Dictionary.txt"):
					dict = true
					if got, want := string(e.Content), "hcl\nsessctl\nchecksum_v1 = ef68b11a5233dba545e99396a2b89c33"; got != want {
						t.Errorf("dictionary = %q, want %q", got, want)
					}
				}
			}
			if !mkdir || !dict {
				t.Errorf("effects = %+v; want the download mkdir and the custom dictionary", d.Effects)
			}
		})
	}
	if len(profiles) != 2 {
		t.Fatal("a variant failed")
	}
	if profiles[0] != profiles[1] {
		t.Errorf("native and JSON syntax give different profiles:\n--- hcl\n%s\n--- json\n%s", profiles[0], profiles[1])
	}
	if *update {
		if err := os.WriteFile(golden, []byte(profiles[0]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if profiles[0] != string(want) {
		t.Errorf("profile differs from %s (run with -update and review the diff):\n%s", golden, profiles[0])
	}
}
