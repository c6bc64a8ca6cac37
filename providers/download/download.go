// Package download is the download directory family: the partition
// attribute download_path, rendered as the profile field "downloadPath",
// the argument of ses.setDownloadPath (docs/electron-facts.md §8). Apply creates
// the directory (Electron would create it on the first download, with the
// app's permissions and umask; creating it up front makes a bad path fail
// at apply rather than at the user's first download).
package download

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "download"

// Field is the profile key this family renders.
const Field = "downloadPath"

func init() { providers.Register(Provider{}) }

// Spec is the download_path attribute of a partition.
type Spec struct{ Path schema.Value[string] }

// Key reads a partition's download_path (nil when it is not set).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Attrs: []schema.AttrSpec{
		{Name: "download_path", Doc: "`ses.setDownloadPath(path)`: the directory downloads are saved to without asking"},
	},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		if v := d.String(b, "download_path"); v.Set {
			return &Spec{Path: v}
		}
		return nil
	},
})

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: how the plan shows the family's fields.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: Field, HCL: "download_path"}}
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	spec := Key.Of(p)
	if spec == nil {
		return res, nil
	}
	v := spec.Path
	if !v.Set {
		return res, nil
	}
	if i := strings.IndexFunc(v.V, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return res, hcl.Diagnostics{providers.Errorf(schema.SubRange(v, i, i+1),
			"Electron's path conversion refuses control characters, so setDownloadPath would throw.",
			"download_path contains control character %q", v.V[i])}
	}
	if !filepath.IsAbs(v.V) {
		return res, hcl.Diagnostics{providers.Errorf(v.Range,
			fmt.Sprintf("Electron does not check the path and would resolve %q against the app's working directory at download time. Write an absolute path, e.g. \"${path.config}/%s\".", v.V, filepath.ToSlash(filepath.Clean(v.V))),
			"download_path must be absolute: %q", v.V)}
	}
	if st, err := os.Stat(v.V); err == nil && !st.IsDir() {
		return res, hcl.Diagnostics{providers.Errorf(v.Range,
			"download_path must name a directory (it is created when missing); a file stands at that path.",
			"download_path %s is not a directory", v.V)}
	}
	res.Fields[Field] = v.V
	res.Effects = append(res.Effects, providers.Effect{
		Kind:   providers.EffectMkdir,
		Path:   filepath.Clean(v.V),
		Mode:   0o755,
		Family: Family,
		Reason: fmt.Sprintf("download directory of partition %q", p.Name),
	})
	return res, nil
}
