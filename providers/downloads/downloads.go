package downloads

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/download"
	"github.com/sessctl/sessctl/providers/permission"
	"github.com/sessctl/sessctl/schema"
)

// Family is the family name shown in plans and diagnostics.
const Family = "downloads"

// Field is the profile key this family renders.
const Field = "downloads"

// FormatVersion is the version of the compiled table.
const FormatVersion = 1

func init() { providers.Register(Provider{}) }

// Spec is the `downloads {}` block of a partition.
type Spec struct {
	Directory         schema.Value[string]
	Ask               schema.Value[bool]
	MaxSize           schema.Value[int]
	AllowedExtensions schema.StringList
	BlockedExtensions schema.StringList
	AllowedMIMETypes  schema.StringList
	BlockedMIMETypes  schema.StringList
	AllowedOrigins    schema.StringList
	BlockedOrigins    schema.StringList
	DeclRange         hcl.Range
}

// Key reads a partition's downloads block (nil when it has none).
var Key = schema.RegisterFamily(schema.FamilySpec[*Spec]{
	Name: Family,
	Blocks: []*schema.BlockSpec{{
		Type: "downloads",
		Doc:  "Session `will-download`: which downloads are saved, where, and whether the user is asked (docs/downloads.md)",
		Attrs: []schema.AttrSpec{
			{Name: "directory", Doc: "absolute directory downloads are saved to without asking; created by apply; inside download_path when the partition sets it (default download_path)"},
			{Name: "ask", Doc: "true: Electron's save dialog asks the user; false (default): saved silently to directory"},
			{Name: "max_size", Doc: "largest announced size in bytes (Content-Length); larger downloads are cancelled"},
			{Name: "allowed_extensions", Doc: "file name extensions (\"pdf\", \"tar.gz\") a download must have one of"},
			{Name: "blocked_extensions", Doc: "file name extensions that cancel a download"},
			{Name: "allowed_mime_types", Doc: "MIME types (\"application/pdf\", \"image/*\") a download must have one of"},
			{Name: "blocked_mime_types", Doc: "MIME types that cancel a download"},
			{Name: "allowed_origins", Doc: "content-settings origin patterns the download URL must match one of"},
			{Name: "blocked_origins", Doc: "content-settings origin patterns whose download URLs are cancelled"},
		},
	}},
	Decode: func(d *schema.Decoder, b schema.Body) *Spec {
		blk, ok := b.Single("downloads")
		if !ok {
			return nil
		}
		return &Spec{
			Directory:         d.String(blk.Body, "directory"),
			Ask:               d.Bool(blk.Body, "ask"),
			MaxSize:           d.Int(blk.Body, "max_size"),
			AllowedExtensions: d.StringList(blk.Body, "allowed_extensions", false),
			BlockedExtensions: d.StringList(blk.Body, "blocked_extensions", false),
			AllowedMIMETypes:  d.StringList(blk.Body, "allowed_mime_types", false),
			BlockedMIMETypes:  d.StringList(blk.Body, "blocked_mime_types", false),
			AllowedOrigins:    d.StringList(blk.Body, "allowed_origins", false),
			BlockedOrigins:    d.StringList(blk.Body, "blocked_origins", false),
			DeclRange:         blk.DefRange,
		}
	},
})

// Table is the compiled "downloads" profile field. A nil list means the
// condition is not set; Allowed* lists are never empty when set.
type Table struct {
	FormatVersion     int                        `json:"formatVersion"`
	Directory         string                     `json:"directory"`
	Ask               bool                       `json:"ask"`
	MaxSize           int64                      `json:"maxSize"`
	AllowedExtensions []string                   `json:"allowedExtensions"`
	BlockedExtensions []string                   `json:"blockedExtensions"`
	AllowedMIMETypes  []string                   `json:"allowedMimeTypes"`
	BlockedMIMETypes  []string                   `json:"blockedMimeTypes"`
	AllowedOrigins    []permission.OriginPattern `json:"allowedOrigins"`
	BlockedOrigins    []permission.OriginPattern `json:"blockedOrigins"`
}

// Provider implements providers.Provider.
type Provider struct{}

// Family implements providers.Provider.
func (Provider) Family() string { return Family }

// FieldViews implements providers.Viewer.
func (Provider) FieldViews() []providers.FieldView {
	return []providers.FieldView{{Field: Field, HCL: "downloads", Hidden: []string{"formatVersion"},
		Sources: []string{"allowedOrigins", "blockedOrigins"}}}
}

// Build implements providers.Provider.
func (Provider) Build(c *providers.Context, p *schema.Partition) (*providers.Result, hcl.Diagnostics) {
	res := &providers.Result{Fields: map[string]any{}}
	tab, diags := Compile(c, p)
	if tab == nil || diags.HasErrors() {
		return res, diags
	}
	res.Fields[Field] = tab
	if tab.Directory != "" {
		res.Effects = append(res.Effects, providers.Effect{
			Kind: providers.EffectMkdir, Path: tab.Directory, Mode: 0o755, Family: Family,
			Reason: fmt.Sprintf("downloads directory of partition %q", p.Name),
		})
	}
	return res, diags
}

// Compile validates a partition's downloads block and returns its table
// (nil when the partition has none).
func Compile(c *providers.Context, p *schema.Partition) (*Table, hcl.Diagnostics) {
	s := Key.Of(p)
	if s == nil {
		return nil, nil
	}
	var diags hcl.Diagnostics
	t := &Table{FormatVersion: FormatVersion, Ask: s.Ask.Set && s.Ask.V}
	root := ""
	if dp := download.Key.Of(p); dp != nil && dp.Path.Set {
		root = dp.Path.V
	}
	t.Directory, diags = directory(s, root)
	if s.MaxSize.Set {
		if s.MaxSize.V <= 0 {
			diags = append(diags, providers.Errorf(s.MaxSize.Range,
				"max_size is the largest size in bytes a download may announce, a whole number of at least 1; leave it out for no limit.",
				"downloads.max_size must be at least 1 (got %d)", s.MaxSize.V))
		} else {
			t.MaxSize = int64(s.MaxSize.V)
		}
	}
	var d hcl.Diagnostics
	t.AllowedExtensions, d = extensions(s.AllowedExtensions, "allowed_extensions")
	diags = append(diags, d...)
	t.BlockedExtensions, d = extensions(s.BlockedExtensions, "blocked_extensions")
	diags = append(diags, d...)
	t.AllowedMIMETypes, d = mimeTypes(s.AllowedMIMETypes, "allowed_mime_types")
	diags = append(diags, d...)
	t.BlockedMIMETypes, d = mimeTypes(s.BlockedMIMETypes, "blocked_mime_types")
	diags = append(diags, d...)
	t.AllowedOrigins, d = origins(s.AllowedOrigins, "allowed_origins")
	diags = append(diags, d...)
	t.BlockedOrigins, d = origins(s.BlockedOrigins, "blocked_origins")
	diags = append(diags, d...)
	return t, diags
}

const dirRule = "downloads.directory must be an absolute, clean path (no \".\" or \"..\" segments, no repeated or trailing separators, no control characters); when the partition sets download_path, it must be download_path or a directory inside it, and no symbolic link on the way may lead outside it (docs/downloads.md \"Directory\")."

// directory checks the save directory against the rule of docs/downloads.md
// and returns it ("" when downloads are not saved silently and none is set).
func directory(s *Spec, root string) (string, hcl.Diagnostics) {
	v := s.Directory
	if !v.Set {
		if root == "" && !(s.Ask.Set && s.Ask.V) {
			return "", hcl.Diagnostics{providers.Errorf(s.DeclRange,
				"Downloads saved without asking (ask = false, the default) need a directory: set downloads.directory, or download_path on the partition, or write ask = true.",
				"downloads block has no directory")}
		}
		return root, nil
	}
	if i := strings.IndexFunc(v.V, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return "", hcl.Diagnostics{providers.Errorf(schema.SubRange(v, i, i+1), dirRule,
			"downloads.directory contains control character %q", v.V[i])}
	}
	if !filepath.IsAbs(v.V) {
		return "", hcl.Diagnostics{providers.Errorf(v.Range, dirRule, "downloads.directory must be absolute: %q", v.V)}
	}
	if hasDotDot(v.V) {
		return "", hcl.Diagnostics{providers.Errorf(v.Range, dirRule, "downloads.directory must not contain \"..\": %q", v.V)}
	}
	if filepath.Clean(v.V) != v.V {
		return "", hcl.Diagnostics{providers.Errorf(v.Range, dirRule, "downloads.directory is not clean: %q, write %q", v.V, filepath.Clean(v.V))}
	}
	if root == "" {
		root = v.V
	}
	root = filepath.Clean(root)
	if !within(root, v.V) {
		return "", hcl.Diagnostics{providers.Errorf(v.Range, dirRule,
			"downloads.directory %q is outside the partition's download_path %q", v.V, root)}
	}
	if esc := symlinkEscape(root, v.V); esc != "" {
		return "", hcl.Diagnostics{providers.Errorf(v.Range, dirRule,
			"downloads.directory %q leads outside %q through the symbolic link %s", v.V, root, esc)}
	}
	if st, err := os.Stat(v.V); err == nil && !st.IsDir() {
		return "", hcl.Diagnostics{providers.Errorf(v.Range,
			"downloads.directory must name a directory (it is created when missing); a file stands at that path.",
			"downloads.directory %s is not a directory", v.V)}
	}
	return v.V, nil
}

func hasDotDot(p string) bool {
	for _, seg := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == filepath.Separator }) {
		if seg == ".." {
			return true
		}
	}
	return false
}

// within reports whether clean path p is root or inside it.
func within(root, p string) bool {
	if p == root {
		return true
	}
	r := root
	if !strings.HasSuffix(r, string(filepath.Separator)) {
		r += string(filepath.Separator)
	}
	return strings.HasPrefix(p, r)
}

// symlinkEscape resolves the existing part of dir below root and returns
// the first symbolic link that leads outside root's own resolution (""
// when none does). Components that do not exist yet are created by apply
// as plain directories.
func symlinkEscape(root, dir string) string {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		// The root does not exist yet: nothing below it can be a link.
		return ""
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." {
		return ""
	}
	cur := root
	for _, seg := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, seg)
		fi, err := os.Lstat(cur)
		if err != nil {
			return ""
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			continue
		}
		real, err := filepath.EvalSymlinks(cur)
		if err != nil || !within(realRoot, real) {
			return fmt.Sprintf("%q", cur)
		}
	}
	return ""
}

const extDetail = "An extension is the end of the file name after a dot, compared case-insensitively: \"pdf\" or \".pdf\", \"tar.gz\"; letters, digits, '.', '-', '_' and '+' only, not empty."

func extensions(l schema.StringList, attr string) ([]string, hcl.Diagnostics) {
	if !l.Set {
		return nil, nil
	}
	var diags hcl.Diagnostics
	out := []string{}
	for _, it := range l.Items {
		e := strings.ToLower(strings.TrimPrefix(it.V, "."))
		ok := e != "" && !strings.HasPrefix(e, ".") && !strings.HasSuffix(e, ".") && !strings.Contains(e, "..")
		for _, r := range e {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_+", r)) {
				ok = false
			}
		}
		if !ok {
			diags = append(diags, providers.Errorf(it.Range, extDetail, "invalid extension %q in downloads.%s", it.V, attr))
			continue
		}
		if !contains(out, e) {
			out = append(out, e)
		}
	}
	if len(l.Items) == 0 {
		diags = append(diags, emptyList(l, attr))
	}
	return out, diags
}

const mimeDetail = "A MIME type is \"type/subtype\" or \"type/*\" (e.g. \"application/pdf\", \"image/*\"), compared case-insensitively without parameters; type and subtype are RFC 2045 tokens."

func mimeTypes(l schema.StringList, attr string) ([]string, hcl.Diagnostics) {
	if !l.Set {
		return nil, nil
	}
	var diags hcl.Diagnostics
	out := []string{}
	for _, it := range l.Items {
		m := strings.ToLower(it.V)
		typ, sub, ok := strings.Cut(m, "/")
		if !ok || !isToken(typ) || typ == "*" || !(sub == "*" || isToken(sub)) {
			diags = append(diags, providers.Errorf(it.Range, mimeDetail, "invalid MIME type %q in downloads.%s", it.V, attr))
			continue
		}
		if !contains(out, m) {
			out = append(out, m)
		}
	}
	if len(l.Items) == 0 {
		diags = append(diags, emptyList(l, attr))
	}
	return out, diags
}

// isToken is RFC 2045's token: printable ASCII except space and tspecials.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

func origins(l schema.StringList, attr string) ([]permission.OriginPattern, hcl.Diagnostics) {
	if !l.Set {
		return nil, nil
	}
	var diags hcl.Diagnostics
	out := []permission.OriginPattern{}
	for _, it := range l.Items {
		op, probs, ok := permission.ParseOrigin(it.V)
		for _, pr := range probs {
			rng := schema.SubRange(it, pr.Start, pr.End)
			if pr.Warning {
				diags = append(diags, providers.Warnf(warning.DownloadsOrigin, rng, pr.Detail, "downloads.%s: origin %q: %s", attr, it.V, pr.Summary))
			} else {
				diags = append(diags, providers.Errorf(rng, pr.Detail, "invalid origin pattern %q in downloads.%s: %s", it.V, attr, pr.Summary))
			}
		}
		if ok {
			out = append(out, op)
		}
	}
	if len(l.Items) == 0 {
		diags = append(diags, emptyList(l, attr))
	}
	return out, diags
}

func emptyList(l schema.StringList, attr string) *hcl.Diagnostic {
	if strings.HasPrefix(attr, "allowed_") {
		return providers.Errorf(l.Range, "An empty allowed list would cancel every download; leave the attribute out to allow any value, or write blocked lists.",
			"downloads.%s is empty", attr)
	}
	return providers.Errorf(l.Range, "An empty blocked list blocks nothing; leave the attribute out.", "downloads.%s is empty", attr)
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
