package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"

	"github.com/sessctl/sessctl/internal/warning"
)

// loader holds the state of one Load call.
type loader struct {
	opts    LoadOptions
	dir     string // absolute configuration directory
	sources map[string]*hcl.File
	reads   map[string]*fileRead
	inputs  []FileInput
	diags   hcl.Diagnostics

	vars map[string]*variable
	// localNames are the declared locals, for reference checks.
	localNames map[string]bool
	// badExprs are expressions with a reference error already reported;
	// they are not evaluated.
	badExprs map[hcl.Expression]bool
	varVal   cty.Value
	ctx      *hcl.EvalContext

	// templLabels holds native-syntax partition label diagnostics that hcl
	// raised for "${" in a label; they are dropped when the partition has
	// for_each (the label is then a template) and reported otherwise.
	templLabels map[labelKey]hcl.Diagnostics

	// stream parses the partition spans of streamed files (nil unless
	// LoadOptions.Stream).
	stream *streamer
	// cfg is the configuration being decoded (for OnPartition).
	cfg *Config
	// paths maps a file's name in ranges to its absolute path (for
	// LoadOptions.Instance).
	paths map[string]string
}

// labelKey identifies a label by where it starts.
type labelKey struct {
	file string
	byte int
}

func keyOf(r hcl.Range) labelKey { return labelKey{r.Filename, r.Start.Byte} }

// srcFile is one configuration file to parse.
type srcFile struct {
	name  string // file name used in ranges
	bytes []byte
	json  bool
	path  string // absolute ("" when not known)
	// blocks is SplitBlocks(bytes) when the caller gave it
	// (LoadOptions.Blocks, for bytes it gave in Sources).
	blocks []TopBlock
}

// load is Load behind a last-resort panic guard: a bug must not take down
// `sessctl watch`. FuzzLoad calls loadSources directly, without the guard,
// so that panics surface there.
func load(opts LoadOptions) (cfg *Config, diags hcl.Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			cfg = nil
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Internal error while loading the configuration",
				Detail:   fmt.Sprintf("sessctl hit a bug (%v). Please report it with the configuration that triggers it.", r),
			})
		}
	}()
	return loadUnguarded(opts)
}

// loadUnguarded finds and reads the configuration files, then decodes them.
func loadUnguarded(opts LoadOptions) (*Config, hcl.Diagnostics) {
	dir, files, err := configFiles(opts.Path)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read configuration", Detail: err.Error()}}
	}
	srcs := make([]srcFile, 0, len(files))
	for _, f := range files {
		b, ok := opts.Sources[f.path]
		if !ok {
			var diags hcl.Diagnostics
			if b, diags = readSource(f.path, f.name); diags.HasErrors() {
				return nil, diags
			}
		} else if len(b) > MaxSourceBytes {
			return nil, tooLarge(f.name)
		}
		sf := srcFile{name: f.name, bytes: b, json: strings.HasSuffix(f.path, ".json"), path: f.path}
		if ok {
			sf.blocks = opts.Blocks[f.path]
		}
		srcs = append(srcs, sf)
	}
	cfg, diags := loadSources(dir, srcs, opts)
	if cfg != nil {
		cfg.Files = make([]string, len(files))
		for i, f := range files {
			cfg.Files[i] = f.path
		}
	}
	return cfg, diags
}

type configFile struct {
	path string // absolute
	name string // as shown in diagnostics
}

// isConfigName reports whether a directory entry is a configuration file.
// Hidden files are skipped: editors keep lock and backup files there
// (".#main.hcl").
func isConfigName(n string) bool {
	if strings.HasPrefix(n, ".") {
		return false
	}
	return strings.HasSuffix(n, ".hcl") || strings.HasSuffix(n, ".hcl.json")
}

// configFiles resolves the configuration path into the absolute directory
// and the sorted configuration files.
func configFiles(path string) (string, []configFile, error) {
	if path == "" {
		path = "."
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", nil, fmt.Errorf("cannot resolve %s: %v", path, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		if os.IsNotExist(err) {
			return "", nil, fmt.Errorf("the configuration path %s does not exist", path)
		}
		return "", nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	if !st.IsDir() {
		if !st.Mode().IsRegular() {
			return "", nil, fmt.Errorf("%s is neither a directory nor a regular file", path)
		}
		return filepath.Dir(abs), []configFile{{path: abs, name: filepath.Clean(path)}}, nil
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return "", nil, fmt.Errorf("cannot list %s: %v", path, err)
	}
	var files []configFile
	for _, e := range entries { // ReadDir sorts by name
		if !isConfigName(e.Name()) {
			continue
		}
		full := filepath.Join(abs, e.Name())
		fst, err := os.Stat(full) // follows symlinks
		if err != nil || !fst.Mode().IsRegular() {
			continue
		}
		files = append(files, configFile{path: full, name: filepath.Join(path, e.Name())})
	}
	if len(files) == 0 {
		return "", nil, fmt.Errorf("no configuration files (*.hcl, *.hcl.json) in %s; refusing to treat an empty directory as a configuration that declares no partitions", path)
	}
	return abs, files, nil
}

// parseSource parses one file in the syntax its name says.
func (l *loader) parseSource(s srcFile) *hcl.File {
	if d := checkNesting(s.bytes, s.name); d.HasErrors() {
		l.diags = append(l.diags, d...)
		l.sources[s.name] = &hcl.File{Bytes: s.bytes}
		return nil
	}
	var f *hcl.File
	var d hcl.Diagnostics
	if s.json {
		f, d = hcljson.Parse(s.bytes, s.name)
	} else {
		// Large files are parsed in parallel spans of whole blocks, to
		// the same result (see parse_chunks.go).
		f, d = parseNative(s.bytes, s.name)
		d = l.setAsideLabelTemplates(f, d)
	}
	l.diags = append(l.diags, d...)
	if f != nil {
		l.sources[s.name] = f
	}
	return f
}

// setAsideLabelTemplates removes the "Template sequences are not allowed"
// errors hcl raises for partition labels such as "persist:${each.key}"
// (labels are plain strings in hclsyntax) and keeps them by label, so that
// decodePartition can report them only when the partition has no for_each.
func (l *loader) setAsideLabelTemplates(f *hcl.File, diags hcl.Diagnostics) hcl.Diagnostics {
	if f == nil || !diags.HasErrors() {
		return diags
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return diags
	}
	var labels []*hcl.Range
	blocks := make(map[*hcl.Range]*hclsyntax.Block)
	for _, b := range body.Blocks {
		if b.Type == "partition" && len(b.LabelRanges) == 1 {
			labels = append(labels, &b.LabelRanges[0])
			blocks[&b.LabelRanges[0]] = b
		}
	}
	if len(labels) == 0 {
		return diags
	}
	kept := diags[:0:0]
	for _, d := range diags {
		if d.Summary == "Invalid string literal" && strings.HasPrefix(d.Detail, "Template sequences are not allowed") && d.Subject != nil {
			if r := containing(labels, *d.Subject); r != nil {
				k := keyOf(*r)
				l.templLabels[k] = append(l.templLabels[k], d)
				// hcl left "${ ... }" in the label; put the source text
				// back so diagnostics name the block as it was written.
				if r.Start.Byte+1 < r.End.Byte-1 && r.End.Byte <= len(f.Bytes) {
					blocks[r].Labels[0] = string(f.Bytes[r.Start.Byte+1 : r.End.Byte-1])
				}
				continue
			}
		}
		kept = append(kept, d)
	}
	return kept
}

func containing(rs []*hcl.Range, sub hcl.Range) *hcl.Range {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].End.Byte >= sub.End.Byte })
	if i < len(rs) && rs[i].Start.Byte <= sub.Start.Byte && sub.End.Byte <= rs[i].End.Byte {
		return rs[i]
	}
	return nil
}

// topBlocks are the top-level blocks of all files, by type.
type topBlocks struct {
	settings, variables, locals, profiles []*hcl.Block
	partitions                            []partItem
}

// partItem is a partition block, or a span of a streamed file's partition
// blocks not parsed yet (load_stream.go).
type partItem struct {
	block *hcl.Block
	span  *streamSpan
}

// add files the top-level blocks of a parsed body by type.
func (top *topBlocks) add(l *loader, body hcl.Body) {
	content, d := body.Content(topSchema)
	l.diags = append(l.diags, d...)
	for _, b := range content.Blocks {
		switch b.Type {
		case "sessctl":
			top.settings = append(top.settings, b)
		case "variable":
			top.variables = append(top.variables, b)
		case "locals":
			top.locals = append(top.locals, b)
		case "profile":
			top.profiles = append(top.profiles, b)
		case "partition":
			top.partitions = append(top.partitions, partItem{block: b})
		}
	}
}

// loadSources decodes parsed configuration sources. dir is the absolute
// configuration directory.
func loadSources(dir string, srcs []srcFile, opts LoadOptions) (*Config, hcl.Diagnostics) {
	if opts.Skip != nil {
		// Selective: streamed or nothing (see LoadOptions.Skip).
		opts.Stream = true
		if cfg, diags, ok := loadStreaming(dir, srcs, opts); ok {
			return cfg, diags
		}
		return nil, nil
	}
	if opts.Stream {
		if cfg, diags, ok := loadStreaming(dir, srcs, opts); ok {
			return cfg, diags
		}
		// Anything a streamed load cannot decide alone (any error, a
		// span the splitter misjudged) gets the whole-file load, whose
		// diagnostics are hcl's own and in the usual order.
		opts.Stream = false
	}
	l := newLoader(dir, opts, len(srcs))
	l.pathsOf(srcs)
	cfg := &Config{Dir: dir, Sources: l.sources}
	var top topBlocks
	parsed := make([]*hcl.File, 0, len(srcs))
	for _, s := range srcs {
		if f := l.parseSource(s); f != nil {
			parsed = append(parsed, f)
		}
	}
	if l.diags.HasErrors() {
		// Syntax errors first: decoding a partial syntax tree only adds
		// confusing follow-on errors.
		return cfg, l.diags
	}
	for _, f := range parsed {
		top.add(l, f.Body)
	}
	cfg, _ = l.decode(cfg, &top)
	return cfg, warning.Dedupe(cfg.AcknowledgeWarnings(nil, l.diags))
}

// pathsOf records the files' absolute paths by name.
func (l *loader) pathsOf(srcs []srcFile) {
	l.paths = make(map[string]string, len(srcs))
	for _, s := range srcs {
		l.paths[s.name] = s.path
	}
}

func newLoader(dir string, opts LoadOptions, files int) *loader {
	return &loader{
		opts:        opts,
		dir:         dir,
		sources:     make(map[string]*hcl.File, files),
		reads:       make(map[string]*fileRead),
		templLabels: make(map[labelKey]hcl.Diagnostics),
		badExprs:    make(map[hcl.Expression]bool),
	}
}

// decode evaluates the top-level blocks into cfg: variables, locals,
// settings, profiles, then partitions. ok is false when a streamed span
// could not be used.
func (l *loader) decode(cfg *Config, top *topBlocks) (*Config, bool) {
	dir, opts := l.dir, l.opts
	l.cfg = cfg
	l.declareVariables(top.variables)
	l.assignVariables()
	l.ctx = &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var":  l.varVal,
			"path": cty.ObjectVal(map[string]cty.Value{"config": cty.StringVal(dir)}),
			"host": cty.ObjectVal(map[string]cty.Value{
				"name": cty.StringVal(opts.Host.Name),
				"os":   cty.StringVal(opts.Host.OS),
				"arch": cty.StringVal(opts.Host.Arch),
			}),
		},
		Functions: l.functions(),
	}
	l.ctx.Variables["local"] = l.evalLocals(top.locals)

	cfg.Settings = l.decodeSettings(top.settings)
	profiles := l.decodeProfiles(top.profiles)
	ok := true
	if !opts.SettingsOnly {
		cfg.Partitions, ok = l.decodePartitions(top.partitions, profiles)
	}

	sort.Slice(l.inputs, func(i, j int) bool { return l.inputs[i].Path < l.inputs[j].Path })
	cfg.Inputs = l.inputs
	return cfg, ok
}

// decodeSettings decodes the `sessctl {}` block (at most one).
func (l *loader) decodeSettings(blocks []*hcl.Block) Settings {
	var s Settings
	if len(blocks) == 0 {
		return s
	}
	for _, extra := range blocks[1:] {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Duplicate sessctl block",
			Detail:   fmt.Sprintf("The settings block is already defined at %s; only one sessctl block is allowed across all configuration files.", blocks[0].DefRange),
			Subject:  extra.DefRange.Ptr(),
		})
	}
	b := blocks[0]
	raw, d := decodeRaw(b.Body, settingsSpec)
	l.diags = append(l.diags, d...)
	l.checkBodyRefs(raw, refScope{locals: true})
	e := l.evaluator(l.ctx)
	s.Name = e.str(raw, "name")
	if s.Name.Set && !ValidConfigName(s.Name.V) {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid configuration name",
			Detail:   fmt.Sprintf("name %q: a configuration name is 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-', not starting with '.' or '-'; it names the configuration's state directory.", s.Name.V),
			Subject:  s.Name.Range.Ptr(),
		})
		s.Name = Value[string]{}
	}
	s.State = e.str(raw, "state")
	s.Output = e.str(raw, "output")
	s.SessionData = e.str(raw, "session_data")
	s.ElectronVersion = e.integer(raw, "electron_version")
	s.IgnoreWarnings = e.warningCodes(raw)
	s.DeclRange = b.DefRange
	s.Present = true
	return s
}

// ValidConfigName reports whether n can name a configuration: it becomes
// a directory name under the state home, so it is a plain, short slug.
func ValidConfigName(n string) bool {
	if n == "" || len(n) > 64 || n[0] == '.' || n[0] == '-' {
		return false
	}
	for _, r := range n {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// profileDef is a decoded `profile "NAME" {}` block.
type profileDef struct {
	name string
	body *rawBody
	rng  hcl.Range
	// eachRef is the first reference to each.* in the profile, if any: such
	// a profile only works in for_each partitions.
	eachRef *hcl.Range
}

func (l *loader) decodeProfiles(blocks []*hcl.Block) map[string]*profileDef {
	out := make(map[string]*profileDef, len(blocks))
	for _, b := range blocks {
		name := b.Labels[0]
		if prev := out[name]; prev != nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate profile",
				Detail:   fmt.Sprintf("Profile %q is already defined at %s. Profile names must be unique across all configuration files.", name, prev.rng),
				Subject:  b.LabelRanges[0].Ptr(),
			})
			continue
		}
		if !hclsyntax.ValidIdentifier(name) {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid profile name",
				Detail:   fmt.Sprintf("%q cannot be referenced as profile.NAME: a profile name must start with a letter or underscore and contain only letters, digits, underscores and dashes.", name),
				Subject:  b.LabelRanges[0].Ptr(),
			})
			continue
		}
		raw, d := decodeRaw(b.Body, partitionSpec)
		l.diags = append(l.diags, d...)
		l.checkBodyRefs(raw, refScope{each: true, locals: true})
		for _, forbidden := range []string{"for_each", "profiles"} {
			if a := raw.attrs[forbidden]; a != nil {
				l.diags = append(l.diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("%s is not allowed in a profile", forbidden),
					Detail:   fmt.Sprintf("A profile is a set of settings merged into partitions; %s belongs on the partition block that uses the profile.", forbidden),
					Subject:  a.NameRange.Ptr(),
				})
				delete(raw.attrs, forbidden)
			}
		}
		out[name] = &profileDef{name: name, body: raw, rng: b.LabelRanges[0], eachRef: firstEachRef(raw)}
	}
	return out
}
