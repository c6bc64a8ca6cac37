package all

import (
	"path/filepath"
	"testing"

	"github.com/sessctl/sessctl/schema"
)

// TestSchemaFixtures loads schema's decode fixtures with the real
// families. schema's own tests decode them with stand-ins declared like
// the real families (schema cannot import the families); a stand-in that
// keeps an attribute or block a family no longer has fails here.
func TestSchemaFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "schema", "testdata", "decode", "*.hcl*"))
	if err != nil || len(files) < 10 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	for _, f := range files {
		cfg, diags := schema.Load(schema.LoadOptions{Path: f, Host: schema.Host{Name: "h1", OS: "linux", Arch: "amd64"}})
		if diags.HasErrors() {
			t.Errorf("%s: %v", filepath.Base(f), diags)
			continue
		}
		if len(cfg.Partitions) == 0 {
			t.Errorf("%s: no partitions", filepath.Base(f))
		}
	}
}
