// Package extension is the Chrome extension setting family: `extension
// "NAME" {}` blocks of a partition, rendered as the profile field
// "extensions" that the adapter feeds to ses.extensions.loadExtension.
//
// sessctl checks what Electron 45 would reject (docs/electron-facts.md §3):
// extensions only load in persistent sessions, from an absolute path to an
// unpacked directory whose manifest.json Chromium accepts. It computes the
// ID Chromium will assign, and records the manifest (Context.ReadFile) so
// an edit of the extension shows in the plan; the manifest's version is
// part of the profile, so an update shows as a change.
package extension

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "extension"

// Field is the profile key this family renders.
const Field = "extensions"

// ManifestFile is Chromium's kManifestFilename.
const ManifestFile = "manifest.json"

func init() { providers.Register(Provider{}) }

// Block is one `extension "NAME" {}` block of a partition.
type Block struct {
	Name            string
	NameRange       hcl.Range
	Path            schema.Value[string]
	AllowFileAccess schema.Value[bool]
	DeclRange       hcl.Range
}

// Spec is a partition's extension blocks, in order.
type Spec struct{ Blocks []*Block }

// Key reads a partition's extension blocks (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "extension", Kind: schema.Labelled, LabelName: "name",
		Doc: "`ses.extensions.loadExtension(path, {allowFileAccess})`: an unpacked Chrome extension to load",
		Attrs: []schema.AttrSpec{
			{Name: "path", Doc: "the unpacked extension's directory"},
			{Name: "allow_file_access", Doc: "let the extension read file:// URLs (default false)"},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blocks := schema.DecodeLabelled(b, "extension", func(blk schema.Block) *Block {
			return &Block{Name: blk.Label, NameRange: blk.LabelRange,
				Path: d.String(blk.Body, "path"), AllowFileAccess: d.Bool(blk.Body, "allow_file_access"), DeclRange: blk.DefRange}
		})
		if blocks == nil {
			return nil
		}
		return &Spec{Blocks: blocks}
	},
})

// Blocks returns p's extension blocks.
func Blocks(p *schema.Partition) []*Block {
	if s := Key.Of(p); s != nil {
		return s.Blocks
	}
	return nil
}

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: how the plan shows the family's fields.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: Field, HCL: "extension"}}
}

// Entry is one element of the "extensions" profile field, in source order.
// The adapter calls ses.extensions.loadExtension(path, {allowFileAccess})
// and may compare the returned Extension's id and version with ID and
// Version.
type Entry struct {
	Name            string `json:"name"` // the block label
	Path            string `json:"path"`
	ID              string `json:"id"`
	Version         string `json:"version"`
	AllowFileAccess bool   `json:"allowFileAccess"`
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	if len(Blocks(p)) == 0 {
		return res, nil
	}
	if c == nil {
		c = providers.NewContext(&schema.Config{}) // inputs are then simply not kept
	}
	var diags hcl.Diagnostics
	entries := []Entry{}
	byID := map[string]string{}
	for _, ext := range Blocks(p) {
		e, d := build(c, p, ext)
		diags = append(diags, d...)
		if e == nil {
			continue
		}
		if other, dup := byID[e.ID]; dup {
			diags = append(diags, providers.Warnf(warning.ExtensionSameID, ext.Path.Range,
				"Chromium keys loaded extensions by ID, so one of the two replaces the other. The ID comes from the manifest \"key\" or, without one, from the path string.",
				"extension %q has the same ID %s as extension %q", ext.Name, e.ID, other))
		} else {
			byID[e.ID] = ext.Name
		}
		entries = append(entries, *e)
	}
	if diags.HasErrors() {
		return res, diags
	}
	res.Fields[Field] = entries
	return res, diags
}

func build(c *providers.Context, p *schema.Partition, ext *Block) (*Entry, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if !p.Persistent() {
		return nil, hcl.Diagnostics{providers.Errorf(ext.DeclRange,
			fmt.Sprintf("Electron's loadExtension rejects in-memory sessions, and partition %q is in memory. Load extensions in a persistent partition (\"persist:NAME\" or the default session).", p.Name),
			"Extensions cannot be loaded in a temporary session")}
	}
	if !ext.Path.Set {
		return nil, hcl.Diagnostics{providers.Errorf(ext.DeclRange,
			"Set path to the absolute path of the unpacked extension directory (the one holding manifest.json).",
			"extension %q has no path", ext.Name)}
	}
	path := ext.Path.V
	if i := strings.IndexFunc(path, isControl); i >= 0 {
		return nil, hcl.Diagnostics{providers.Errorf(schema.SubRange(ext.Path, i, i+1),
			"Electron's path conversion refuses control characters, so loadExtension would throw before loading anything.",
			"extension path contains control character %q", path[i])}
	}
	if !filepath.IsAbs(path) {
		return nil, hcl.Diagnostics{providers.Errorf(ext.Path.Range,
			fmt.Sprintf("%q is relative; Electron does not resolve it against the configuration. Write \"${path.config}/%s\" to keep the configuration portable.", path, filepath.ToSlash(filepath.Clean(path))),
			"The path to the extension in 'loadExtension' must be absolute")}
	}
	st, err := c.Stat(path)
	if (err != nil || !st.IsDir()) && strings.HasSuffix(strings.ToLower(path), ".crx") {
		c.Track(path)
		return nil, hcl.Diagnostics{providers.Errorf(ext.Path.Range,
			"Electron loads only unpacked extension directories; a .crx package fails with \"Extension directory not found\". Unpack it (it is a zip with a header) and point path at the directory.",
			".crx packages are not supported: %s", path)}
	}
	if err != nil || !st.IsDir() {
		c.Track(path)
		return nil, hcl.Diagnostics{providers.Errorf(ext.Path.Range,
			"path must name an existing directory holding the unpacked extension and its manifest.json.",
			"Extension directory not found: %s", path)}
	}
	manifestPath := filepath.Join(path, ManifestFile)
	data, err := c.ReadFile(manifestPath)
	if err != nil {
		return nil, hcl.Diagnostics{loadFailed(ext, path, errManifestUnreadable)}
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, hcl.Diagnostics{loadFailed(ext, path, err.Error())}
	}
	if m.DefaultLocale != "" {
		if st, err := c.Stat(filepath.Join(path, "_locales")); err != nil || !st.IsDir() {
			return nil, hcl.Diagnostics{loadFailed(ext, path, errLocalesTreeMissing)}
		}
	}
	for _, w := range m.Warnings {
		diags = append(diags, providers.Warnf(warning.ExtensionLoadWarning, ext.Path.Range,
			"Chromium loads the extension and Electron emits this as an \"ExtensionLoadWarning\" process warning.",
			"extension %q: %s", ext.Name, w))
	}
	// Every partition that loads the extension shares one resolution.
	type resolved struct {
		real string
		err  error
	}
	r := c.Once("extension-realpath:"+path, func() any {
		real, err := RealPath(path)
		return resolved{real, err}
	}).(resolved)
	real, err := r.real, r.err
	if err != nil {
		return nil, hcl.Diagnostics{providers.Errorf(ext.Path.Range,
			"sessctl writes the extension directory's real path into the profile and could not resolve it.",
			"cannot resolve the real path of %s: %v", path, err)}
	}
	id := IDForPath(real)
	if m.HasKey {
		id, _ = IDFromKey(m.Key) // ParseManifest validated it
	}
	if real != path {
		diags = append(diags, providers.Warnf(warning.ExtensionPathNotReal, ext.Path.Range, realPathDetail(path, real, id, m.HasKey),
			"extension %q: the profile carries the real path %s", ext.Name, real))
	}
	if st, err := c.Stat(filepath.Join(path, "_metadata")); err == nil && st != nil {
		diags = append(diags, providers.Warnf(warning.ExtensionMetadataGone, ext.Path.Range,
			"Electron's extension loader deletes the _metadata folder of the directory before loading it (shell/browser/extensions/electron_extension_loader.cc 50-57). Keep nothing you need there.",
			"Electron deletes %s when it loads this extension", filepath.Join(path, "_metadata")))
	}
	return &Entry{
		Name:            ext.Name,
		Path:            real,
		ID:              id,
		Version:         m.Version,
		AllowFileAccess: ext.AllowFileAccess.Set && ext.AllowFileAccess.V,
	}, diags
}

// RealPath is the directory Chromium's own unpacked-extension loader
// hashes into the ID: the absolute path with symlinks, ".", ".." and
// repeated or trailing separators resolved (UnpackedInstaller::Load calls
// base::MakeAbsoluteFilePath, which is realpath(3) on POSIX). Electron's
// loadExtension hashes the path it is given as is
// (shell/browser/extensions/electron_extension_loader.cc LoadUnpacked →
// file_util::LoadExtension → Extension::Create → GenerateIdForPath), so
// sessctl hands Electron the real path: sessctl, Electron and Chromium
// then agree on the ID.
func RealPath(path string) (string, error) {
	if !filepath.IsAbs(path) {
		abs, err := filepath.Abs(path)
		if err != nil {
			return "", err
		}
		path = abs
	}
	// Not cleaned first: "link/.." is the parent of the link's target, as
	// the kernel resolves it, and EvalSymlinks resolves it so too.
	return filepath.EvalSymlinks(path)
}

// realPathDetail explains why the profile's path differs from the one
// written.
func realPathDetail(path, real, id string, hasKey bool) string {
	d := fmt.Sprintf("Chromium resolves an unpacked extension's real path before it hashes the path into the ID (UnpackedInstaller::Load, base::MakeAbsoluteFilePath), while Electron's loadExtension hashes the path it receives as is (electron_extension_loader.cc LoadUnpacked). sessctl writes the real path %s into the profile, so that sessctl, Electron and Chromium agree", real)
	if hasKey {
		return d + fmt.Sprintf(". The ID, %s, comes from the manifest \"key\" and does not depend on the path. Write the real path to silence this.", id)
	}
	d += fmt.Sprintf(" on ID %s; Electron given %q would assign %s instead.", id, path, IDForPath(path))
	if filepath.Clean(path) != real {
		d += " A symlink is on the way: if it is repointed (say, at a new version), the ID changes with it, and the extension's storage stays behind with the old ID."
	}
	return d + " Write the real path to silence this."
}

func loadFailed(ext *Block, path, chromiumErr string) *hcl.Diagnostic {
	return providers.Errorf(ext.Path.Range,
		"Chromium rejects this manifest, so loadExtension would reject its promise with this message. Fix "+filepath.Join(path, ManifestFile)+".",
		"Loading extension at %s failed with: %s", path, chromiumErr)
}

// isControl reports C0 control characters and DEL, which Electron's
// FilePath converter refuses (file_path_converter.h 22-45).
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
