// Package schema owns the sessctl language: it loads every *.hcl and
// *.hcl.json file of a configuration directory, evaluates variables, locals
// and functions, merges profiles into partitions, expands for_each, and
// decodes the result into the typed structs of model.go, each value with the
// source range it came from. Deep semantics (rule grammars, enums that
// depend on the Electron version, files) belong to providers/.
package schema

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Host is the `host` object available to expressions, for per-host values.
type Host struct {
	Name string // host.name
	OS   string // host.os (runtime.GOOS)
	Arch string // host.arch (runtime.GOARCH)
}

// LoadOptions says what to load and with which variable values.
type LoadOptions struct {
	// Path is a configuration directory or a single configuration file.
	Path string
	// Vars are --var values "name=value", in command-line order (later wins).
	Vars []string
	// VarFiles are --var-file paths (HCL or JSON), in order.
	VarFiles []string
	// Environ is the environment consulted for SESSCTL_VAR_<name> values
	// (os.Environ() form). Precedence, lowest first: default, environment,
	// var files, --var.
	Environ []string
	// Host values for host.name / host.os / host.arch.
	Host Host
	// Stream parses the partition blocks of large files a span at a
	// time while they are decoded, and keeps of them only their headers
	// (type, labels, ranges) in Config.Sources: a one-shot command's
	// memory is then the decoded configuration, not its syntax tree
	// (17 times the source). Callers that read partition bodies from
	// Config.Sources (watch's block-level reload, the status page) leave
	// it off. The result is otherwise the same; any error makes Load
	// decode again without streaming, for the usual diagnostics.
	Stream bool
	// OnPartition, when set with Stream, is called with each partition
	// as soon as it is decoded and accepted (in source order, on the
	// loading goroutine), with the configuration as far as it is known:
	// Dir and Settings are final, Partitions and Inputs are not. The
	// caller can build the partition at once instead of holding every
	// decoded partition until the end. A load that falls back to the
	// whole-file load returns other Partition objects than those given.
	OnPartition func(cfg *Config, p *Partition)
	// SettingsOnly decodes the settings block, variables, locals and
	// profiles, and no partition (Config.Partitions is empty): where the
	// state and profiles go, known before planning. With Stream, the
	// partition blocks of large files are not even parsed.
	SettingsOnly bool
	// Sources, when set, holds the content of configuration files by
	// absolute path: Load decodes those bytes instead of reading the
	// files, so that a caller that hashed them knows exactly what was
	// decoded.
	Sources map[string][]byte
	// Blocks, when set, holds SplitBlocks of Sources' files by the same
	// path, for a caller that already cut them.
	Blocks map[string][]TopBlock
	// Skip, when set, selects the partition blocks to leave out: Load
	// parses and decodes every other top-level block and only the
	// partition blocks for which Skip(path, block) is false (path is the
	// file's absolute path, block one of SplitBlocks' blocks). Ranges are
	// those of the whole file. reconcile plans an edit of a large
	// configuration this way, knowing from its last apply which blocks
	// are unchanged. When the files cannot be cut into blocks (a JSON
	// file, a file SplitBlocks is unsure of) or anything fails, Load
	// returns a nil Config and no diagnostics: the caller loads in full,
	// which reports errors the usual way.
	Skip func(path string, block TopBlock) bool
	// Instance, when set, is asked before each partition is evaluated
	// (each instance of a for_each block; once for a block without):
	// false leaves it out, unevaluated. reconcile records what every
	// instance depends on when it plans in full, and re-evaluates only
	// the instances whose inputs changed when only locals did.
	Instance func(*Instance) bool
}

// Instance is what LoadOptions.Instance is told of a partition about to
// be evaluated.
type Instance struct {
	// Path is the file's absolute path ("" when not known) and Start the
	// byte offset of the block in it.
	Path  string
	Start int
	// Key and Value are the instance's each.key and each.value; cty.NilVal
	// for a block without for_each. Count is the number of instances of
	// a for_each block (0 without for_each), for callers that size
	// their tables.
	Key, Value cty.Value
	Count      int
	// ForEachLocals and BodyLocals name the locals the block's for_each
	// expression and the rest of the block (its profiles excepted)
	// reference, sorted; the same slices for every instance of a block.
	ForEachLocals, BodyLocals []string
	// Local returns the value of a local (cty.NilVal when there is none).
	Local func(name string) cty.Value
}

// Load reads and decodes a configuration. Diagnostics carry source ranges;
// Config.Sources lets the caller render them with snippets. On error
// diagnostics the returned Config may be partial and must not be applied.
func Load(opts LoadOptions) (*Config, hcl.Diagnostics) {
	return load(opts)
}

// ConfigFiles returns the absolute paths of the configuration files Load
// reads for path (a directory's *.hcl and *.hcl.json files, sorted, or the
// one file), and for each the name its ranges carry.
func ConfigFiles(path string) (paths, names []string, err error) {
	_, files, err := configFiles(path)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range files {
		paths = append(paths, f.path)
		names = append(names, f.name)
	}
	return paths, names, nil
}
