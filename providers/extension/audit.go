package extension

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/safepath"
	"github.com/sessctl/sessctl/schema"
)

// The family's audit checks (docs/audit.md).
var (
	auditReplaceable = providers.Check{Code: "A011", Severity: providers.SeverityHigh, Family: Family,
		Title: "an extension another user can replace (world-writable directory, foreign owner or group)",
		Why:   providers.ChecklistElectronAPIs,
		Fix:   "Keep extensions in a directory owned by root or the app's user, writable by its owner only, with every directory above it so too."}
	auditFileAccess = providers.Check{Code: "A012", Severity: providers.SeverityMedium, Family: Family,
		Title: "an extension with allow_file_access",
		Why:   providers.ChecklistFileProtocol,
		Fix:   "Leave allow_file_access out unless the extension must read local files; its content scripts then also run in file:// pages."}
	auditManifestEscape = providers.Check{Code: "A013", Severity: providers.SeverityHigh, Family: Family,
		Title: "a manifest path that leads outside the extension directory",
		Why:   providers.ChecklistElectronAPIs,
		Fix:   "Keep every file the manifest names inside the extension directory, without symbolic links to elsewhere."}
)

// AuditChecks implements providers.Auditor.
func (Provider) AuditChecks() []providers.Check {
	return []providers.Check{auditReplaceable, auditFileAccess, auditManifestEscape}
}

// SecurityFields implements providers.SecurityFielder.
func (Provider) SecurityFields() []string { return []string{Field} }

// dirReview is what the audit found in an extension directory.
type dirReview struct {
	problem *safepath.Problem
	escapes []escape
}

// Audit implements providers.Auditor (see AuditChecks).
func (Provider) Audit(c *providers.Context, p *schema.Partition) []providers.Finding {
	var out []providers.Finding
	for _, ext := range Blocks(p) {
		if ext.AllowFileAccess.Set && ext.AllowFileAccess.V {
			out = append(out, providers.Finding{Code: auditFileAccess.Code, Subject: ext.AllowFileAccess.Range,
				Summary: fmt.Sprintf("extension %q may read file:// URLs", ext.Name),
				Detail:  "With allowFileAccess the extension's content scripts run in file:// pages and it can fetch local files: every file the app's user can read is within its reach."})
		}
		if !ext.Path.Set || !filepath.IsAbs(ext.Path.V) {
			continue
		}
		dir := ext.Path.V
		// Every partition that loads the extension shares one review of
		// its directory.
		rv := c.Once("extension-audit:"+dir, func() any {
			st, err := os.Stat(dir)
			if err != nil || !st.IsDir() {
				return (*dirReview)(nil)
			}
			return &dirReview{problem: safepath.Check(dir, st), escapes: escapesOf(dir)}
		}).(*dirReview)
		if rv == nil {
			continue
		}
		if pr := rv.problem; pr != nil {
			out = append(out, providers.Finding{Code: auditReplaceable.Code, Subject: ext.Path.Range,
				Summary: fmt.Sprintf("extension %q can be replaced by another user: %s", ext.Name, describe(pr, dir)),
				Detail:  "An extension's scripts run in the pages of the session; whoever can replace its directory changes what they do."})
		}
		out = append(out, manifestEscapes(ext, rv.escapes)...)
	}
	return out
}

func describe(p *safepath.Problem, target string) string {
	what := "directory " + p.What
	if p.What == "target" {
		what = target
	}
	switch p.Kind {
	case safepath.WorldWritable:
		return target + " is world-writable"
	case safepath.InWorldWritableDir:
		return "it is in world-writable directory " + p.Dir
	case safepath.ForeignOwner:
		return fmt.Sprintf("%s belongs to uid %d", what, p.ID)
	case safepath.ForeignGroup:
		return fmt.Sprintf("%s is writable by group %d", what, p.ID)
	default:
		return fmt.Sprintf("%s is in sticky directory %s but belongs to uid %d", p.Child, p.Dir, p.ID)
	}
}

// manifestPaths returns the files manifest.json names (key → relative
// path): scripts, pages, styles and icons the extension runs or shows.
func manifestPaths(dict map[string]any) map[string]string {
	out := map[string]string{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case string:
			out[key] = v
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s[%d]", key, i), e)
			}
		case map[string]any:
			for k, e := range v {
				walk(key+"."+k, e)
			}
		}
	}
	get := func(m map[string]any, k string) any {
		if m == nil {
			return nil
		}
		return m[k]
	}
	obj := func(v any) map[string]any { m, _ := v.(map[string]any); return m }
	bg := obj(dict["background"])
	for _, k := range []string{"service_worker", "page", "scripts"} {
		walk("background."+k, get(bg, k))
	}
	if cs, ok := dict["content_scripts"].([]any); ok {
		for i, e := range cs {
			for _, k := range []string{"js", "css"} {
				walk(fmt.Sprintf("content_scripts[%d].%s", i, k), get(obj(e), k))
			}
		}
	}
	for _, k := range []string{"options_page", "devtools_page", "icons", "chrome_url_overrides"} {
		walk(k, dict[k])
	}
	walk("options_ui.page", get(obj(dict["options_ui"]), "page"))
	walk("sandbox.pages", get(obj(dict["sandbox"]), "pages"))
	walk("side_panel.default_path", get(obj(dict["side_panel"]), "default_path"))
	for _, a := range []string{"action", "browser_action", "page_action"} {
		walk(a+".default_popup", get(obj(dict[a]), "default_popup"))
		walk(a+".default_icon", get(obj(dict[a]), "default_icon"))
	}
	return out
}

// escape is a manifest entry that names a file outside the extension
// directory (root, its real path), and why.
type escape struct{ key, rel, why, root string }

// manifestEscapes reports manifest entries that name a file outside the
// extension directory: an absolute path, one that climbs out with "..",
// or one whose symbolic links resolve outside the directory's real path.
func manifestEscapes(ext *Block, es []escape) []providers.Finding {
	var out []providers.Finding
	for _, e := range es {
		out = append(out, providers.Finding{Code: auditManifestEscape.Code, Subject: ext.Path.Range,
			Summary: fmt.Sprintf("extension %q: manifest %s = %q is outside the extension directory (%s)", ext.Name, e.key, e.rel, e.why),
			Detail:  fmt.Sprintf("What the manifest names should be reviewed with the extension, in %s; a file outside it changes with whoever controls that place.", e.root)})
	}
	return out
}

// escapesOf reads the manifest in dir and returns its entries that lead
// outside dir.
func escapesOf(dir string) []escape {
	mf := filepath.Join(dir, ManifestFile)
	if st, err := os.Stat(mf); err != nil || !st.Mode().IsRegular() {
		return nil // a FIFO would block the read; Build reports the manifest
	}
	data, err := os.ReadFile(mf)
	if err != nil {
		return nil
	}
	dict, err := decodeManifest(data)
	if err != nil {
		return nil
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil
	}
	paths := manifestPaths(dict)
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []escape
	for _, k := range keys {
		rel := paths[k]
		why := ""
		clean := path.Clean(strings.ReplaceAll(rel, "\\", "/"))
		switch {
		case rel == "":
			continue
		case path.IsAbs(clean) || filepath.IsAbs(rel):
			why = "it is absolute"
		case clean == ".." || strings.HasPrefix(clean, "../"):
			why = "it climbs out with \"..\""
		default:
			real, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(clean)))
			if err != nil {
				continue
			}
			if r, err := filepath.Rel(root, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				why = "a symbolic link leads to " + real
			}
		}
		if why == "" {
			continue
		}
		out = append(out, escape{key: k, rel: rel, why: why, root: root})
	}
	return out
}
