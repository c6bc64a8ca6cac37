// Package providers holds the contract between reconcile and the setting
// families. Each family lives in its own subpackage (providers/proxy,
// providers/tls, …) and registers itself with Register from an init func;
// providers/all imports every family.
//
// A provider owns the semantics of its family: it validates the decoded
// schema values (grammar, enums, files), normalises them, and renders the
// profile fields the Electron adapter reads. It never performs side effects
// itself: files and directories it needs are returned as Effects, which
// reconcile.Apply carries out after the user approved the plan.
package providers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/schema"
)

// CurrentElectronMajor is the Electron major version sessctl targets when
// the settings block does not name one (docs/electron-facts.md: Electron 45,
// Chromium 153).
const CurrentElectronMajor = 45

// Provider is one setting family.
type Provider interface {
	// Family is the name users see in plans and diagnostics ("proxy", "tls").
	Family() string
	// Build validates the family's settings of one partition and renders its
	// profile fields. A field whose value is nil is absent from the profile.
	// Error diagnostics mean the configuration cannot be applied.
	Build(c *Context, p *schema.Partition) (*Result, hcl.Diagnostics)
}

// ConfigChecker is implemented by providers whose settings interact across
// partitions (process-global settings such as the spellchecker dictionary
// URL or NTLM domains). It runs once per configuration after every Build.
type ConfigChecker interface {
	CheckConfig(c *Context, parts []*schema.Partition) hcl.Diagnostics
}

// Result is what a provider contributes to one partition's profile.
type Result struct {
	// Fields maps profile JSON keys (Electron argument names, e.g.
	// "sslConfig") to JSON-marshalable values. nil values are omitted.
	Fields map[string]any
	// Effects are side effects apply must perform (create the download
	// directory, write the custom dictionary).
	Effects []Effect
	// Checks compare a rendered field with the value the last apply
	// recorded for it, by field: the plan runs them for a partition that
	// was applied before and changes, and refuses to plan on an error (a
	// maintenance generation that goes down).
	Checks map[string]PreviousCheck
	// Secrets are the values of the Secrets the fields hold (see Secret).
	Secrets []string
}

// PreviousCheck checks a field against its last applied value (nil when
// the last applied profile did not have the field). Its diagnostics point
// into the configuration, as Build's do.
type PreviousCheck func(previous json.RawMessage) hcl.Diagnostics

// EffectKind says what an Effect does.
type EffectKind string

const (
	// EffectMkdir creates Path (and parents) with Mode if missing.
	EffectMkdir EffectKind = "mkdir"
	// EffectWriteFile writes Content to Path atomically with Mode.
	EffectWriteFile EffectKind = "write-file"
)

// Effect is a side effect outside the profile directory. Effects are data so
// that plans can show them, save them and apply exactly them.
type Effect struct {
	Kind    EffectKind  `json:"kind"`
	Path    string      `json:"path"`
	Mode    os.FileMode `json:"mode"`
	Content []byte      `json:"content,omitempty"`
	// Family and Reason are shown in the plan.
	Family string `json:"family"`
	Reason string `json:"reason,omitempty"`
}

// Context is what providers may consult while building. It is not safe for
// concurrent use by several goroutines building the same partition, but
// FileDigest and ReadFile are safe for concurrent use.
type Context struct {
	// ConfigDir is the absolute configuration directory (path.config).
	ConfigDir string
	// ElectronMajor is the Electron major version targeted.
	ElectronMajor int
	// Settings of the configuration (session data directory, …).
	Settings *schema.Settings

	mu    sync.Mutex
	files map[string]string // path -> sha256 hex, or "" when missing

	cache *FileCache
}

// FileCache shares file reads between the contexts of one build, so that a
// preload or manifest referenced by 10,000 partitions is read and hashed
// once, and every partition sees the same snapshot of it.
type FileCache struct {
	mu    sync.Mutex
	files map[string]cachedFile
	memo  map[string]any
	stats map[string]cachedStat
}

type cachedStat struct {
	fi  os.FileInfo
	err error
}

type cachedFile struct {
	data []byte
	sum  string
	err  error
}

// NewFileCache returns an empty cache.
func NewFileCache() *FileCache { return &FileCache{files: map[string]cachedFile{}} }

func (fc *FileCache) read(path string) cachedFile {
	fc.mu.Lock()
	if f, ok := fc.files[path]; ok {
		fc.mu.Unlock()
		return f
	}
	fc.mu.Unlock()
	var f cachedFile
	f.data, f.err = os.ReadFile(path)
	if f.err == nil {
		h := sha256.Sum256(f.data)
		f.sum = hex.EncodeToString(h[:])
	}
	fc.mu.Lock()
	fc.files[path] = f
	fc.mu.Unlock()
	return f
}

// Once returns f's result for key, computed once per build when c has a
// FileCache (every call otherwise): the audit's checks of a preload or
// extension that 10,000 partitions share (ownership of every directory
// up to the root, the manifest's paths) are made once, not once per
// partition. A nil c computes every time. Keys are namespaced by their caller ("preload-owner:PATH").
// f may run more than once when two partitions ask at the same moment;
// the first result is kept.
func (c *Context) Once(key string, f func() any) any {
	if c == nil || c.cache == nil {
		return f()
	}
	fc := c.cache
	fc.mu.Lock()
	v, ok := fc.memo[key]
	fc.mu.Unlock()
	if ok {
		return v
	}
	v = f()
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if old, ok := fc.memo[key]; ok {
		return old
	}
	if fc.memo == nil {
		fc.memo = map[string]any{}
	}
	fc.memo[key] = v
	return v
}

// Stat is os.Stat(path), made once per build when c has a FileCache: the
// extension directory or preload script that 10,000 partitions name is
// looked at once (a system call each was a tenth of a first plan's
// system time), and every partition sees the same answer, as with
// ReadFile.
func (c *Context) Stat(path string) (os.FileInfo, error) {
	if c == nil || c.cache == nil {
		return os.Stat(path)
	}
	fc := c.cache
	fc.mu.Lock()
	st, ok := fc.stats[path]
	fc.mu.Unlock()
	if ok {
		return st.fi, st.err
	}
	st.fi, st.err = os.Stat(path)
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if old, ok := fc.stats[path]; ok {
		return old.fi, old.err
	}
	if fc.stats == nil {
		fc.stats = map[string]cachedStat{}
	}
	fc.stats[path] = st
	return st.fi, st.err
}

// WithCache makes c read files through fc. It returns c.
func (c *Context) WithCache(fc *FileCache) *Context {
	c.cache = fc
	return c
}

// NewContext returns a context for a configuration.
func NewContext(cfg *schema.Config) *Context {
	major := CurrentElectronMajor
	if cfg.Settings.ElectronVersion.Set && cfg.Settings.ElectronVersion.V > 0 {
		major = cfg.Settings.ElectronVersion.V
	}
	return &Context{ConfigDir: cfg.Dir, ElectronMajor: major, Settings: &cfg.Settings, files: map[string]string{}}
}

// ReadFile reads a referenced file and records its digest as an input of the
// plan, so that a later edit of the file shows as a change or as drift.
func (c *Context) ReadFile(path string) ([]byte, error) {
	if c.cache != nil {
		f := c.cache.read(path)
		c.record(path, f.sum)
		// Callers may modify what they get; the cache keeps its own copy.
		return append([]byte(nil), f.data...), f.err
	}
	b, err := os.ReadFile(path)
	sum := ""
	if err == nil {
		h := sha256.Sum256(b)
		sum = hex.EncodeToString(h[:])
	}
	c.record(path, sum)
	return b, err
}

// Track records a file or directory as an input without reading it (its
// digest is computed from its content when it is a regular file).
func (c *Context) Track(path string) {
	st, err := c.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		c.record(path, "")
		return
	}
	_, _ = c.ReadFile(path)
}

func (c *Context) record(path, sum string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.files == nil {
		c.files = map[string]string{}
	}
	c.files[filepath.Clean(path)] = sum
}

// Inputs returns the files recorded so far, sorted by path.
func (c *Context) Inputs() []schema.FileInput {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]schema.FileInput, 0, len(c.files))
	for p, s := range c.files {
		out = append(out, schema.FileInput{Path: p, SHA256: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

var (
	regMu    sync.Mutex
	registry []Provider
)

// Register adds a provider. Families register from init; a duplicate family
// name is a programming error.
func Register(p Provider) {
	regMu.Lock()
	defer regMu.Unlock()
	for _, q := range registry {
		if q.Family() == p.Family() {
			panic(fmt.Sprintf("providers: family %q registered twice", p.Family()))
		}
	}
	registry = append(registry, p)
	sort.Slice(registry, func(i, j int) bool { return registry[i].Family() < registry[j].Family() })
}

// All returns the registered providers sorted by family name.
func All() []Provider {
	regMu.Lock()
	defer regMu.Unlock()
	return append([]Provider(nil), registry...)
}

// Diag builds an error diagnostic at rng. Providers use it so every message
// has the same shape: summary says what is wrong, detail what is allowed.
func Diag(sev hcl.DiagnosticSeverity, rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	r := rng
	return &hcl.Diagnostic{Severity: sev, Summary: summary, Detail: detail, Subject: &r}
}

// Errorf is Diag with hcl.DiagError and a formatted summary.
func Errorf(rng hcl.Range, detail, format string, args ...any) *hcl.Diagnostic {
	return Diag(hcl.DiagError, rng, fmt.Sprintf(format, args...), detail)
}

// Warnf is a warning with its stable code (docs/warnings.md), at rng, with
// a formatted summary.
func Warnf(code warning.Code, rng hcl.Range, detail, format string, args ...any) *hcl.Diagnostic {
	return warning.New(code, rng, fmt.Sprintf(format, args...), detail)
}

// TableProvider is the provider of a family whose whole profile output is
// one compiled table (permissions, certificates, serial): Compile
// validates the partition and returns the table, nil when the partition
// does not use the family. The field is absent then, and whenever the
// diagnostics hold errors.
type TableProvider[T any] struct {
	Name, Field string
	Compile     func(*Context, *schema.Partition) (*T, hcl.Diagnostics)
	// View is how the plan shows the field (Field is filled in; HCL
	// defaults to Name).
	View FieldView
	// Checks and Review are the family's audit checks (Auditor); Security
	// marks Field as security-relevant (SecurityFielder).
	Checks   []Check
	Review   func(*Context, *schema.Partition) []Finding
	Security bool
}

// AuditChecks implements Auditor.
func (t TableProvider[T]) AuditChecks() []Check { return t.Checks }

// Audit implements Auditor.
func (t TableProvider[T]) Audit(c *Context, p *schema.Partition) []Finding {
	if t.Review == nil {
		return nil
	}
	return t.Review(c, p)
}

// SecurityFields implements SecurityFielder.
func (t TableProvider[T]) SecurityFields() []string {
	if t.Security {
		return []string{t.Field}
	}
	return nil
}

func (t TableProvider[T]) Family() string { return t.Name }

func (t TableProvider[T]) Build(c *Context, p *schema.Partition) (*Result, hcl.Diagnostics) {
	table, diags := t.Compile(c, p)
	res := &Result{Fields: map[string]any{}}
	if table != nil && !diags.HasErrors() {
		res.Fields[t.Field] = table
	}
	return res, diags
}

// Secret is a string the profile must carry but that nothing else may
// show: it derives from a variable declared sensitive = true. It encodes
// as its token ("(sensitive value, sha256:<16 hex>)"), which is what
// plans, `plan --json`, state, `show` and drift reports hold, so that a
// change of the value still shows as a change. A provider that renders a
// Secret also lists it in Result.Secrets; reconcile puts the value itself
// in the profile file only, as {"$sensitive": "<value>"}, and writes that
// file with mode 0600.
type Secret string

// SecretToken is the text that stands for a sensitive value everywhere
// but in the profile file: a short SHA-256 prefix of the value.
func SecretToken(value string) string {
	h := sha256.Sum256([]byte(value))
	return "(sensitive value, sha256:" + hex.EncodeToString(h[:8]) + ")"
}

// MarshalJSON implements json.Marshaler: a Secret encodes as its token.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(SecretToken(string(s))) }
