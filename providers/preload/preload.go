// Package preload is the session preload script family: `preload "ID" {}`
// blocks of a partition, rendered as the profile fields "preloads" (the
// scripts, in source order) and "preloadApi" (which Electron API the
// adapter must call for the targeted Electron version).
//
// A session preload runs with Node.js privileges in every frame (or service
// worker) of the session, so sessctl is strict: the file must exist at an
// absolute path, must not be replaceable by other users, may be pinned by
// SHA-256, and its digest is recorded so an edit shows in the plan.
package preload

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/pinnedfile"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "preload"

// Profile keys this family renders.
const (
	Field    = "preloads"
	APIField = "preloadApi"
)

// Electron APIs named by the "preloadApi" field.
const (
	// APIRegister is ses.registerPreloadScript({type, id, filePath}).
	APIRegister = "registerPreloadScript"
	// APISetPreloads is the deprecated ses.setPreloads(paths): frame
	// preloads only, implemented in JS, relative paths only logged.
	APISetPreloads = "setPreloads"
)

// RegisterPreloadScriptSince is the first Electron major with
// registerPreloadScript and service-worker preloads: Electron 35.0.0
// (electron/electron#45329 "redesigned preload script APIs", which also
// deprecated setPreloads/getPreloads; breaking-changes.md "Planned Breaking
// API Changes (35.0)").
const RegisterPreloadScriptSince = 35

func init() { providers.Register(Provider{}) }

// Block is a `preload "ID" {}` block of a partition.
type Block struct {
	ID        string
	IDRange   hcl.Range
	Path      schema.Value[string]
	Type      schema.Value[string]
	SHA256    schema.Value[string]
	DeclRange hcl.Range
}

// Spec is a partition's preload blocks, in source order (profiles' first,
// merged by ID).
type Spec struct{ Preloads []*Block }

// Key reads a partition's preloads (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "preload", Kind: schema.Labelled, LabelName: "id",
		Doc: "`ses.registerPreloadScript({id, type, filePath})` (`ses.setPreloads` before Electron 35): a script run with Node.js privileges in the session's frames or service workers; the label is its ID",
		Attrs: []schema.AttrSpec{
			{Name: "path", Doc: "absolute path of the script; it must exist and not be replaceable by another user"},
			{Name: "type", Doc: `"frame" (default) or "service-worker" (Electron 35 and later)`},
			{Name: "sha256", Doc: "hex SHA-256 the file must have (checked at plan and by the adapter)"},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		pls := schema.DecodeLabelled(b, "preload", func(blk schema.Block) *Block {
			return &Block{
				ID: blk.Label, IDRange: blk.LabelRange,
				Path:      d.String(blk.Body, "path"),
				Type:      d.String(blk.Body, "type"),
				SHA256:    d.String(blk.Body, "sha256"),
				DeclRange: blk.DefRange,
			}
		})
		if len(pls) == 0 {
			return nil
		}
		return &Spec{Preloads: pls}
	},
})

// preloadsOf returns p's preload blocks.
func preloadsOf(p *schema.Partition) []*Block {
	if s := Key.Of(p); s != nil {
		return s.Preloads
	}
	return nil
}

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer: how the plan shows the family's fields.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{
		{Field: Field, HCL: "preload", Keys: map[string]string{"filePath": "path", "id": "name"}},
		{Field: APIField, HCL: "preload_api", HiddenOnCreate: true},
	}
}

// Entry is one element of the "preloads" profile field. ID, Type and
// FilePath are registerPreloadScript's arguments; SHA256 is the digest of
// the file sessctl checked, which the adapter may verify before
// registering.
type Entry struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	FilePath string `json:"filePath"`
	SHA256   string `json:"sha256"`
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	pls := preloadsOf(p)
	if len(pls) == 0 {
		return res, nil
	}
	if c == nil {
		c = providers.NewContext(&schema.Config{}) // inputs are then simply not kept
	}
	major := providers.CurrentElectronMajor
	if c != nil && c.ElectronMajor > 0 {
		major = c.ElectronMajor
	}
	api := APIRegister
	if major < RegisterPreloadScriptSince {
		api = APISetPreloads
	}
	var diags hcl.Diagnostics
	entries := []Entry{}
	ids := map[string]bool{}
	for _, pl := range pls {
		if ids[pl.ID] {
			diags = append(diags, providers.Errorf(pl.IDRange, "Preload IDs must be unique within a partition.",
				"Cannot register preload script with existing ID '%s'", pl.ID))
			continue
		}
		ids[pl.ID] = true
		e, d := build(c, pl, major)
		diags = append(diags, d...)
		if e != nil {
			entries = append(entries, *e)
		}
	}
	if diags.HasErrors() {
		return res, diags
	}
	res.Fields[Field] = entries
	res.Fields[APIField] = api
	return res, diags
}

func build(c *providers.Context, pl *Block, major int) (*Entry, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if pl.ID == "" {
		diags = append(diags, providers.Errorf(pl.IDRange,
			"The block label is the preload's ID (registerPreloadScript's id, used to unregister it); give it a name such as \"telemetry\".",
			"preload ID must not be empty"))
	}
	typ := "frame"
	if pl.Type.Set {
		typ = pl.Type.V
		switch typ {
		case "frame":
		case "service-worker":
			if major < RegisterPreloadScriptSince {
				diags = append(diags, providers.Errorf(pl.Type.Range,
					fmt.Sprintf("Before Electron %d only setPreloads exists, and it registers frame preloads only (service-worker preloads came with registerPreloadScript, electron/electron#45329). Target Electron %d or later, or drop this preload.", RegisterPreloadScriptSince, RegisterPreloadScriptSince),
					"service-worker preloads need Electron %d or later (electron_version is %d)", RegisterPreloadScriptSince, major))
			}
		default:
			diags = append(diags, providers.Errorf(pl.Type.Range,
				"registerPreloadScript accepts type \"frame\" (the default) or \"service-worker\"; anything else is a conversion TypeError.",
				"unknown preload type %q", typ))
		}
	}
	if !pl.Path.Set {
		return nil, append(diags, providers.Errorf(pl.DeclRange,
			"Set path to the absolute path of the script file.", "preload %q has no path", pl.ID))
	}
	path := pl.Path.V
	if i := strings.IndexFunc(path, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return nil, append(diags, providers.Errorf(schema.SubRange(pl.Path, i, i+1),
			"Electron's path conversion refuses control characters.",
			"preload path contains control character %q", path[i]))
	}
	if !filepath.IsAbs(path) {
		detail := "registerPreloadScript throws for a relative path. Write an absolute path, e.g. \"${path.config}/" + filepath.ToSlash(filepath.Clean(path)) + "\"."
		if major < RegisterPreloadScriptSince {
			detail = "setPreloads only logs relative paths and the script never runs. Write an absolute path, e.g. \"${path.config}/" + filepath.ToSlash(filepath.Clean(path)) + "\"."
		}
		return nil, append(diags, providers.Errorf(pl.Path.Range, detail, "Preload script must have absolute path: %s", path))
	}
	f, fd := pinnedfile.Load(c, path, pl.Path.Range, scriptFile)
	diags = append(diags, fd...)
	if f == nil {
		return nil, diags
	}
	digest := f.Digest
	if pl.SHA256.Set {
		if pin, d := pinnedfile.ParsePin(pl.SHA256, "preload"); d != nil {
			diags = append(diags, d)
		} else if d := pinnedfile.CheckPin(pl.SHA256.Range, "preload script", path, digest, pin); d != nil {
			diags = append(diags, d)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return &Entry{ID: pl.ID, Type: typ, FilePath: path, SHA256: digest}, diags
}

// scriptFile is how pinnedfile.Load names a preload script; the script
// must also be writable by its owner only.
var scriptFile = pinnedfile.Kind{
	Noun:    "preload script",
	Missing: "preload script",
	Kept:    "digest",
	ReadWhy: "sessctl must read the script to record its digest.",
	Check:   writableByOthers,
}
