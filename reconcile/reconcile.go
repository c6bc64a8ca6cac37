// Package reconcile computes plans and applies them.
//
// A plan is computed level-triggered from three inputs, every time: the
// configuration (schema.Load + providers), the recorded state (bbolt) and
// the world (the profile files and side effects apply wrote). Nothing
// depends on which event or command asked for it. Apply writes outputs
// first (temp file + fsync + rename) and records them in one state
// transaction afterwards, so state never claims something that was not
// written; a crash between the two shows as drift and is repaired by the
// next apply.
//
// No-op fast path: a configuration whose input digest (config files, var
// files, variables from flags and environment, host values, engine version)
// equals the digest recorded at the last apply, whose referenced files
// still hash the same, and whose written profiles are untouched cannot
// plan anything but "no changes", so the configuration is not parsed at
// all. That keeps a no-op plan of 10,000 partitions far below the cost of
// parsing them.
package reconcile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/schema"
	"github.com/sessctl/sessctl/state"
)

// EngineVersion changes whenever normalisation output may change for the
// same input; it is part of the input digest so an upgraded sessctl never
// takes the no-op fast path on a stale record.
const EngineVersion = "sessctl-engine-1"

// Request says what to plan.
type Request struct {
	Load schema.LoadOptions
	// StateFlag is --state ("" when not given).
	StateFlag string
	// Environ is the process environment (SESSCTL_STATE, XDG_*).
	Environ []string
	// Destroy plans the removal of every partition.
	Destroy bool
	// NoFastPath forces a full evaluation (validate, tests).
	NoFastPath bool
	// TakeOwnership lets this configuration plan and apply onto a state
	// or an output directory that another configuration owns.
	TakeOwnership bool
	// Read is the configuration as LocateRead read it (nil: read it).
	Read *ConfigRead
}

// Locations are where state and profiles live for a configuration.
type Locations struct {
	StatePath string
	// StateSource says which rule chose StatePath (flag, env, settings, default).
	StateSource string
	OutputDir   string
	// Config is the configuration's identity (ConfigIdentity), recorded as
	// the owner of the state and of the output directory.
	Config string
}

// Planned is the result of MakePlan.
type Planned struct {
	Plan *Plan
	// Config is nil when the fast path decided without parsing.
	Config *schema.Config
	Diags  hcl.Diagnostics
	Loc    Locations
	// FastPath reports that the configuration was not parsed.
	FastPath bool
	// Incremental is set when only the partition blocks changed since
	// the last apply were evaluated (incrementalPlan).
	Incremental *IncrementalStats
}

// MakePlan computes the plan for req. Errors in the configuration are
// returned as diagnostics (Plan is nil then); err is for I/O failures.
// After the no-op fast path it plans with the same Engine as sessctl
// watch, used once: there is one planner.
func MakePlan(req Request) (*Planned, error) {
	// One read of the configuration: the digests, the block table and
	// the decode are all of these bytes.
	var pre *prefetch
	if !req.NoFastPath && !req.Destroy {
		pre = prefetchCache(req)
	}
	rd := req.Read.take(req.Load)
	if rd == nil {
		rd = readConfig(req.Load)
	}
	var digest string
	var derr error
	if rd != nil {
		digest = rd.digest
	} else {
		digest, derr = inputDigest(req.Load)
	}
	if !req.NoFastPath && !req.Destroy && derr == nil {
		if p, ok := fastPath(req, digest, pre); ok {
			return p, nil
		}
		if p, ok := incrementalPlan(req, rd, pre); ok {
			return p, nil
		}
	}
	e := oneShotEngine(req)
	e.pre = rd
	p, err := e.Plan(false)
	if err != nil || p.Plan == nil {
		return p, err
	}
	p.Plan.ConfigDigest = digest
	if !req.Destroy {
		// Only an apply remembers where this configuration's state is
		// (for the next plan's fast path): reading commands write nothing.
		loc := p.Loc
		sigs := make(map[string]string, len(e.desired))
		for n, d := range e.desired {
			sigs[n] = d.CheckSig
		}
		own := p.Diags[:len(p.Diags)-e.LastStats.PreviousChecks]
		p.Plan.eval = evalTableOf(rd, p.Config.Sources, p.Config.Partitions, sigs, own, e.LastStats.CrossChecks)
		p.Plan.verified = true
		p.Plan.remember = func() { rememberLocation(req, digest, rd, loc) }
	}
	return p, nil
}

// Locate resolves the state path and output directory of a configuration.
// Precedence for state: --state, SESSCTL_STATE, the settings block, the
// default under XDG_STATE_HOME. Output: the settings block, else
// "profiles" beside the state file. Relative settings paths are relative
// to the configuration directory.
//
// The default state is per configuration: $XDG_STATE_HOME/sessctl/<slug>/
// state.db, where the slug is the settings block's name, else the base name
// of the configuration's root path and a hash of that path, so that two
// configurations on one machine never share a state or an output
// directory. root is the path the configuration was loaded from.
func Locate(cfg *schema.Config, root, stateFlag string, environ []string) (Locations, error) {
	settingsState := ""
	if cfg != nil && cfg.Settings.State.Set {
		settingsState = absFrom(cfg.Dir, cfg.Settings.State.V)
	}
	path, source, err := resolveStatePath(stateFlag, settingsState, environ)
	if err != nil {
		return Locations{}, err
	}
	name := ""
	if cfg != nil && cfg.Settings.Name.Set {
		name = cfg.Settings.Name.V
	}
	id := ConfigIdentity(name, root)
	if source == state.SourceXDG || source == state.SourceHome {
		path = filepath.Join(filepath.Dir(path), ConfigSlug(name, root), filepath.Base(path))
		source = strings.Replace(source, "sessctl/state.db", "sessctl/<configuration>/state.db", 1)
	}
	loc := Locations{StatePath: path, StateSource: source, Config: id}
	if cfg != nil && cfg.Settings.Output.Set {
		loc.OutputDir = absFrom(cfg.Dir, cfg.Settings.Output.V)
	} else {
		loc.OutputDir = filepath.Join(filepath.Dir(path), "profiles")
	}
	return loc, nil
}

// LocateConfig is Locate for the configuration opts names, decoding only
// its settings (and what they may use: variables, locals), never its
// partitions: apply locks the state before planning, and plans once. An
// error (the configuration has errors, say) leaves the caller to plan
// first, which reports them.
func LocateConfig(opts schema.LoadOptions, stateFlag string, environ []string) (Locations, error) {
	opts.Stream, opts.SettingsOnly, opts.OnPartition = true, true, nil
	cfg, diags := schema.Load(opts)
	if diags.HasErrors() {
		return Locations{}, diags
	}
	return Locate(cfg, opts.Path, stateFlag, environ)
}

// readRacyWindow is racyWindow for ConfigRead.take (tests lower it, so
// as not to wait a second after writing a configuration).
var readRacyWindow = racyWindow

// ConfigRead is the configuration as LocateRead read it, for the plan
// made next (Request.Read).
type ConfigRead struct{ rd *configRead }

// LocateRead is LocateConfig that keeps the bytes it read and their cut
// into blocks: the plan that apply makes once the state is locked reuses
// them for every file whose stamp has not changed since (ConfigRead.take),
// instead of reading and cutting a large configuration a second time. A
// nil ConfigRead (the configuration could not be read or cut) is fine.
func LocateRead(opts schema.LoadOptions, stateFlag string, environ []string) (Locations, *ConfigRead, error) {
	rd := readConfig(opts)
	if !rd.split() {
		loc, err := LocateConfig(opts, stateFlag, environ)
		return loc, nil, err
	}
	with := opts
	with.Sources, with.Blocks = rd.src, rd.blocks
	loc, err := LocateConfig(with, stateFlag, environ)
	return loc, &ConfigRead{rd}, err
}

// take returns what was read, once, when the configuration opts names is
// still the same files with the same stamps (inode, size, mtime, ctime,
// device), none of them changed within racyWindow of its stamp; nil
// otherwise, and the plan reads again. Without a ctime (systems other
// than Linux and macOS) it always reads again.
func (r *ConfigRead) take(opts schema.LoadOptions) *configRead {
	if r == nil || r.rd == nil {
		return nil
	}
	rd := r.rd
	r.rd = nil
	paths, _, err := schema.ConfigFiles(opts.Path)
	if err != nil || !slices.Equal(paths, rd.paths) {
		return nil
	}
	for _, p := range paths {
		old, ok := rd.stamps[p]
		fi, err := os.Stat(p)
		if !ok || err != nil || old.ctime == 0 || old.seen-max(old.mtime, old.ctime) < int64(readRacyWindow) {
			return nil
		}
		if now := toStamp(fi); !old.same(now) || old.dev != now.dev {
			return nil
		}
	}
	return rd
}

func absFrom(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

func inputDigest(opts schema.LoadOptions) (string, error) {
	d, err := schema.InputDigest(opts)
	if err != nil {
		return "", err
	}
	return d + "+" + EngineVersion, nil
}

func getenv(environ []string, key string) string {
	prefix := key + "="
	for i := len(environ) - 1; i >= 0; i-- {
		if len(environ[i]) >= len(prefix) && environ[i][:len(prefix)] == prefix {
			return environ[i][len(prefix):]
		}
	}
	return ""
}

// fastPath returns a no-op plan when nothing that could change the plan
// changed since the last apply. Any doubt returns ok=false and the caller
// evaluates everything.
func fastPath(req Request, digest string, pre *prefetch) (*Planned, bool) {
	loc, ok := cachedLocation(req, digest, pre)
	if !ok {
		return nil, false
	}
	if p, ok, sure := fastPathCached(req, digest, loc, pre); sure {
		return p, ok
	}
	snap, err := readStateOpts(loc.StatePath, false)
	if err != nil || snap.ConfigDigest != digest || snap.OutputDir != loc.OutputDir || len(snap.Records) == 0 ||
		snap.Config != loc.Config || req.TakeOwnership {
		return nil, false
	}
	// Referenced files, deduplicated (10,000 partitions usually share a
	// handful of preloads and manifests).
	inputs := map[string]string{}
	for _, rec := range snap.Records {
		for _, in := range rec.Inputs {
			inputs[in.Path] = in.SHA256
		}
	}
	for path, want := range inputs {
		sum, err := fileSHA256(path)
		if err != nil {
			sum = ""
		}
		if sum != want {
			return nil, false
		}
	}
	// Profiles and effects, on every core.
	recs := make([]*Record, 0, len(snap.Records))
	for _, r := range snap.Records {
		recs = append(recs, r)
	}
	drifted := len(onCores(len(recs), true, func(i int) bool { return observeRecordedFast(recs[i], loc.OutputDir) })) > 0
	if drifted || indexStaleRecords(loc.OutputDir, snap.Records) {
		return nil, false
	}
	if o := ReadOwner(loc.OutputDir); loc.Config != "" && (o == nil || o.Config != loc.Config || o.Lineage != snap.Lineage || o.State != loc.StatePath) {
		return nil, false // the owner file is to be written: not a no-op
	}
	plan := &Plan{FormatVersion: PlanFormatVersion, Lineage: snap.Lineage, StateSerial: snap.Serial,
		ConfigDigest: digest, StatePath: loc.StatePath, OutputDir: loc.OutputDir, Config: loc.Config, Unchanged: len(snap.Records), FastPath: true,
		verified: true}
	return &Planned{Plan: plan, Loc: loc, FastPath: true}, true
}

// fastPathCached is fastPath from the plan cache: no record is decoded,
// profiles are checked by stamp. sure is false when there is no cache to
// decide with.
func fastPathCached(req Request, digest string, loc Locations, pre *prefetch) (p *Planned, ok, sure bool) {
	meta, pc, err := pre.cache(loc.StatePath)
	if err != nil || pc == nil {
		return nil, false, false
	}
	if meta.ConfigDigest != digest || meta.OutputDir != loc.OutputDir || len(pc.Parts) == 0 ||
		meta.Config != loc.Config || req.TakeOwnership || !pc.inputsSame() {
		return nil, false, true
	}
	if pc.Eval.warns() {
		// The configuration has warnings: every plan prints them. The
		// partial plan prints them from the cache, evaluating nothing.
		return nil, false, true
	}
	names := make([]string, 0, len(pc.Parts))
	for n := range pc.Parts {
		names = append(names, n)
	}
	if !allClean(pc, names, loc.OutputDir) || !pc.indexIntact(loc.OutputDir) {
		return nil, false, true
	}
	if o := ReadOwner(loc.OutputDir); loc.Config != "" && (o == nil || o.Config != loc.Config || o.Lineage != meta.Lineage || o.State != loc.StatePath) {
		return nil, false, true
	}
	plan := &Plan{FormatVersion: PlanFormatVersion, Lineage: meta.Lineage, StateSerial: meta.Serial,
		ConfigDigest: digest, StatePath: loc.StatePath, OutputDir: loc.OutputDir, Config: loc.Config, Unchanged: len(pc.Parts), FastPath: true}
	plan.verified = true
	return &Planned{Plan: plan, Loc: loc, FastPath: true}, true, true
}

// observeRecordedFast checks one record's profile file and effects, and
// reads the content digest back from the profile (its Fields are not
// decoded on the fast path). It reports whether everything is intact.
func observeRecordedFast(rec *Record, outDir string) bool {
	b, err := os.ReadFile(filepath.Join(outDir, rec.File))
	if err != nil || sha256Hex(b) != rec.ProfileSHA256 {
		return false
	}
	const key = `"digest": "`
	i := bytes.LastIndex(b, []byte(key))
	if i < 0 {
		return false
	}
	rest := b[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return false
	}
	rec.digest = string(rest[:j])
	return len(observeEffects(rec)) == 0
}

// observeEffects checks the recorded side effects of rec.
func observeEffects(rec *Record) []string {
	var drift []string
	for _, e := range rec.Effects {
		switch e.Kind {
		case "mkdir":
			if st, err := os.Stat(e.Path); err != nil || !st.IsDir() {
				drift = append(drift, "dir "+e.Path)
			}
		case "write-file":
			if sum, err := fileSHA256(e.Path); err != nil || sum != e.SHA256 {
				drift = append(drift, "file "+e.Path)
			}
		}
	}
	return drift
}

// errorf is fmt.Errorf; kept for symmetry with diagnostics helpers.
var errorf = fmt.Errorf
