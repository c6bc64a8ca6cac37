package reconcile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/sessctl/sessctl/schema"
	"github.com/sessctl/sessctl/state"
)

// Engine plans and applies one configuration again and again (sessctl
// watch), keeping in memory what it learned in earlier cycles so that a
// cycle after one edited partition costs in proportion to what changed,
// not to the size of the configuration. Every cache is checked against
// the world each cycle; any doubt falls back to the full path of MakePlan
// (load everything, build everything). See docs/watch.md, "Incremental
// cycles".
//
// What is cached, and what invalidates it:
//   - configuration files: per file, its stat stamp and SHA-256, whether
//     it holds only partition blocks, and the partitions decoded from it.
//     A cycle where only partition-only files changed re-decodes those
//     files plus the "global" files (variables, locals, profiles,
//     settings) with schema.LoadFiles; any other change reloads all.
//   - built partitions: the Desired of every partition object, valid as
//     long as the object is (its file did not change) and the files the
//     providers read for it keep their digests.
//   - the recorded state: the snapshot of the last read or apply, valid
//     while the state serial (read from the last history entry) stays.
//   - the world: per partition, the stat stamps of its profile file and
//     effect paths when they were last found clean. A stamp whose mtime is
//     within a second of the check is never trusted (the "racy git" rule:
//     a write in the same clock tick keeps mtime).
//
// An Engine is used by one goroutine at a time.
type Engine struct {
	req Request

	// Last good configuration.
	cfg   *schema.Config
	loc   Locations
	files map[string]*cfgFile // by absolute path
	parts []*schema.Partition
	// byFile lists the partitions decoded from each file; nameOwner maps
	// a partition name to its file (for duplicates across files).
	byFile    map[string][]*schema.Partition
	nameOwner map[string]string
	varFiles  map[string]string // var file -> sha
	desired   map[string]*Desired
	built     map[*schema.Partition]*Desired
	// early builds partitions during a streamed full load (one-shot
	// plans; see build_early.go).
	early *earlyBuild

	snap     *State
	snapPath string // the state file snap was read from
	clean    map[string]*cleanEntry
	// names are the desired partition names, sorted (nil: recompute).
	names []string
	// dirty are paths the notifier reported changed since the last plan;
	// trustEvents says the notifier covers every path the world check
	// needs, so clean partitions none of whose paths is dirty are not
	// stat-ed (see Observe).
	dirty       map[string]bool
	trustEvents bool
	// inputIdx counts, per referenced file, the digests the built
	// partitions hold of it.
	inputIdx map[string]map[string]int
	// fileIdx maps a profile file name to its record in fileIdxOf.
	fileIdx   map[string]*Record
	fileIdxOf *State
	// recNames are the sorted names of the last records rendered.
	recNames []string
	// idxEntries caches the rendered index.json entry of each record.
	idxEntries map[*Record][]byte
	index      []byte // index.json bytes the records imply (nil: recompute)
	indexSum   string // SHA-256 of index ("": recompute)
	// indexStamp is the stamp of index.json as Apply left it: an event
	// for the file with that stamp is the engine's own write.
	indexStamp stamp
	stamps     *stampCache
	// splits caches, per partition-only file, SplitBlocks of the content
	// blockLoad last decoded (valid while the source bytes are the same
	// slice).
	splits map[string]blockSplit
	// read holds, for the current load, the content of the configuration
	// files it had to read to hash (those whose stamp changed): the bytes
	// their SHA-256 in shas is of.
	read map[string][]byte

	// oneShot engines plan once (MakePlan): see oneShotEngine.
	oneShot bool
	// pre is the configuration as MakePlan read it: the one-shot load
	// decodes these bytes (nil: read the files).
	pre *configRead

	// Stats of the last Plan, for logs and benchmarks.
	LastStats EngineStats
}

// EngineStats says how much work the last Plan did.
type EngineStats struct {
	// Reload is "none", "partial" or "full".
	Reload string
	// FilesDecoded and PartitionsBuilt count the work done.
	FilesDecoded, PartitionsBuilt int
	// BlockReload says the partial reload decoded only the changed
	// top-level blocks of one file (blockLoad), BlocksDecoded of them.
	BlockReload   bool
	BlocksDecoded int
	// Checked counts partitions whose world was verified by content (not
	// by stamp).
	Checked int
	// PreviousChecks counts the diagnostics of the checks against the last
	// applied profiles (Desired.CheckPrevious), the last of the plan's.
	PreviousChecks int
	// CrossChecks counts the diagnostics of the configuration-wide checks
	// (providers.ConfigChecker) of the last build.
	CrossChecks int
	// FilesGone are configuration files of the last good configuration
	// that no longer exist, or that are now empty where they declared
	// partitions.
	FilesGone []string
}

type cfgFile struct {
	sha    string
	global bool // holds blocks other than partition (or is JSON)
}

type cleanEntry struct {
	// trusted entries were found clean while events covered their paths.
	trusted bool
	d       *Desired
	rec     *Record
	profile stamp
	effects []stamp
}

// NewEngine returns an engine for req (Destroy is not supported: watch
// never destroys everything on its own).
func NewEngine(req Request) *Engine {
	req.Destroy = false
	return &Engine{req: req, stamps: newStampCache(), clean: map[string]*cleanEntry{}}
}

// oneShotEngine is the engine MakePlan plans with: it loads and builds
// everything once, and keeps nothing for a next cycle (no stamps of clean
// partitions). req.Destroy is honoured: nothing is built, every record is
// deleted.
func oneShotEngine(req Request) *Engine {
	return &Engine{req: req, stamps: newStampCache(), clean: map[string]*cleanEntry{}, oneShot: true}
}

// Config returns the last configuration that loaded without errors.
func (e *Engine) Config() *schema.Config { return e.cfg }

// Locations returns where state and profiles live (zero before the first
// good load).
func (e *Engine) Locations() Locations { return e.loc }

// Desired returns the desired partitions of the last good configuration.
func (e *Engine) Desired() map[string]*Desired { return e.desired }

// Plan computes the plan for the configuration and the world as they are
// now. full forces every cache to be re-verified by content (periodic
// resync). On configuration errors Planned.Plan is nil and the engine
// keeps its last good configuration.
func (e *Engine) Plan(full bool) (*Planned, error) {
	e.LastStats = EngineStats{Reload: "none"}
	cfg, diags, err := e.load(full)
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return &Planned{Config: cfg, Diags: diags}, nil
	}
	if full {
		e.clean = map[string]*cleanEntry{}
	}
	if err := e.refreshState(full); err != nil {
		return nil, err
	}
	if !e.req.TakeOwnership {
		if err := checkOwnership(e.snap, e.loc.StatePath, e.loc.OutputDir, e.loc.Config); err != nil {
			return nil, err
		}
	}
	plan := &Plan{FormatVersion: PlanFormatVersion, Lineage: e.snap.Lineage, StateSerial: e.snap.Serial,
		StatePath: e.loc.StatePath, OutputDir: e.loc.OutputDir, Config: e.loc.Config, TakeOwnership: e.req.TakeOwnership,
		Destroy: e.req.Destroy}
	if e.names == nil {
		e.names = sortedKeys(e.desired)
	}
	var checks hcl.Diagnostics
	if e.snap.OutputDir != "" && e.snap.OutputDir != e.loc.OutputDir && len(e.snap.Records) > 0 {
		checks = e.planMove(plan)
	} else {
		checks = e.planDiff(plan, full)
	}
	if checks.HasErrors() {
		// A value the last apply makes impossible (a maintenance
		// generation that goes down): no plan, as for a configuration
		// error. The partition is not marked clean, so the next cycle
		// checks it again.
		return &Planned{Config: e.cfg, Diags: append(diags, checks...)}, nil
	}
	e.LastStats.PreviousChecks = len(checks)
	diags = append(diags, checks...)
	if !plan.HasChanges() && (len(e.desired) > 0 || len(e.snap.Records) > 0) {
		plan.IndexStale = e.indexStale(e.loc.OutputDir)
	}
	if !plan.HasChanges() {
		plan.OwnerStale = ownerChanges(plan, e.snap)
	}
	return &Planned{Plan: plan, Config: e.cfg, Diags: diags, Loc: e.loc}, nil
}

// planDiff diffs every desired partition against its record and the
// world, skipping partitions still known clean, and deletes the records
// no partition wants. It returns the diagnostics of the providers' checks
// against the last applied profiles (Desired.CheckPrevious).
func (e *Engine) planDiff(plan *Plan, full bool) hcl.Diagnostics {
	var checks hcl.Diagnostics
	out := e.loc.OutputDir
	// A full plan checks every partition by content; while events cover
	// the world it may still mark what it found clean as trusted: the
	// notifier was watching before the check.
	trust := e.trustEvents && !full
	dirty := e.dirty
	e.dirty = nil
	for _, name := range e.names {
		d := e.desired[name]
		rec := e.snap.Records[name]
		if ce := e.clean[name]; ce != nil && rec != nil && ce.d == d && ce.rec == rec && e.stillCleanEntry(ce, trust, dirty, out) {
			plan.Unchanged++
			continue
		}
		e.LastStats.Checked++
		delete(e.clean, name)
		c := diffPartition(d, rec, out)
		if c != nil {
			checks = append(checks, d.CheckPrevious(rec)...)
		}
		if c == nil {
			plan.Unchanged++
			if !e.oneShot {
				e.markClean(name, d, rec, out, e.trustEvents)
			}
			continue
		}
		plan.Changes = append(plan.Changes, c)
	}
	if len(e.snap.Records) != len(e.desired)-countCreates(plan.Changes) {
		for _, name := range sortedKeys(e.snap.Records) {
			if _, ok := e.desired[name]; !ok {
				plan.Changes = append(plan.Changes, deleteChange(e.snap.Records[name]))
			}
		}
	}
	sort.SliceStable(plan.Changes, func(i, j int) bool { return plan.Changes[i].Partition < plan.Changes[j].Partition })
	return checks
}

// planMove plans a moved output directory: every profile is written in
// the new place, and apply removes what sessctl wrote in the old one.
func (e *Engine) planMove(plan *Plan) hcl.Diagnostics {
	var checks hcl.Diagnostics
	e.clean = map[string]*cleanEntry{}
	old := e.snap.OutputDir
	plan.MovedFrom, plan.DeleteFiles = old, moveDeletes(e.snap, e.loc.Config)
	for _, name := range e.names {
		checks = append(checks, e.desired[name].CheckPrevious(e.snap.Records[name])...)
		if c := diffPartition(e.desired[name], nil, e.loc.OutputDir); c != nil {
			if rec := e.snap.Records[name]; rec != nil && c.Action == Create {
				c.Reason = fmt.Sprintf("moved: written in %s, %s deleted", e.loc.OutputDir, filepath.Join(old, rec.File))
			}
			plan.Changes = append(plan.Changes, c)
		}
	}
	for _, name := range sortedKeys(e.snap.Records) {
		if _, ok := e.desired[name]; !ok {
			plan.Changes = append(plan.Changes, deleteChange(e.snap.Records[name]))
		}
	}
	sort.SliceStable(plan.Changes, func(i, j int) bool { return plan.Changes[i].Partition < plan.Changes[j].Partition })
	return checks
}

// Apply carries out a plan made by Plan. The caller holds the writer
// lock. It writes what changed, index.json and one state transaction,
// like reconcile.Apply, without reading the whole state again.
func (e *Engine) Apply(p *Planned) (*Applied, error) {
	plan := p.Plan
	if plan == nil {
		return nil, errors.New("no plan to apply")
	}
	if e.snap == nil || e.snap.OutputDir != "" && e.snap.OutputDir != plan.OutputDir {
		res, err := Apply(plan)
		e.snap = nil // re-read next cycle
		return res, err
	}
	start := time.Now()
	if serial, err := stateSerial(plan.StatePath); err != nil {
		return nil, err
	} else if serial != plan.StateSerial || serial != e.snap.Serial {
		e.snap = nil
		return nil, fmt.Errorf("%w: it was made against state serial %d, the state is now at serial %d", ErrStalePlan, plan.StateSerial, serial)
	}
	// The digest is only recorded: computed after the profiles are on
	// disk, it does not delay them.
	var digest string
	plan.remember = func() { rememberLocation(e.req, digest, nil, e.loc) }
	r, err := applyOnto(plan, e.snap, applyHooks{
		index: e.renderIndex,
		beforeCommit: func() {
			digest = e.inputDigest()
			plan.ConfigDigest = digest
		},
	})
	if err != nil {
		e.snap = nil
		return nil, err
	}
	if r.Serial != e.snap.Serial {
		e.afterApply(r, plan.OutputDir, digest, plan.Config)
	}
	r.Duration = time.Since(start)
	return &r.Applied, nil
}

// afterApply brings the engine's caches in step with what applyOnto did.
func (e *Engine) afterApply(r *applyResult, outDir, digest, config string) {
	next := &State{Lineage: r.Lineage, Serial: r.Serial, ConfigDigest: digest, OutputDir: outDir, Config: config, Records: r.Records}
	if e.fileIdx != nil && e.fileIdxOf == e.snap {
		// Keep the file index in step instead of rebuilding 10,000
		// entries for the next event.
		for _, name := range r.Dels {
			if old := e.snap.Records[name]; old != nil && e.fileIdx[old.File] == old {
				delete(e.fileIdx, old.File)
			}
		}
		for _, rec := range r.Puts {
			if old := e.snap.Records[rec.Name]; old != nil && e.fileIdx[old.File] == old {
				delete(e.fileIdx, old.File)
			}
		}
		for _, rec := range r.Puts {
			e.fileIdx[rec.File] = rec
		}
		e.fileIdxOf = next
	}
	e.snap = next
	if r.Index != nil {
		e.index, e.indexSum = r.Index, ""
		e.indexStamp, _ = lstamp(filepath.Join(outDir, IndexFile))
	}
}

// inputDigest is the configuration digest of what was loaded, from the
// SHA-256 the engine keeps of every configuration and var file: reading
// and hashing megabytes of configuration again for every edit would cost
// more than the edit. When the files on disk are no longer the ones loaded
// (one created since, or one whose hash is unknown), it returns "": no
// digest is recorded, and the next plan evaluates everything rather than
// trust a digest of something that was not applied.
func (e *Engine) inputDigest() string {
	known := make(map[string]string, len(e.files)+len(e.varFiles))
	for p, f := range e.files {
		if f.sha == "" {
			return ""
		}
		known[p] = f.sha
	}
	for p, sum := range e.varFiles {
		if sum == "" {
			return ""
		}
		known[p] = sum
	}
	d, err := schema.InputDigestKnown(e.req.Load, known, true)
	if err != nil {
		return ""
	}
	return d + "+" + EngineVersion
}

// WrittenSHA returns the SHA-256 of what the engine last wrote (or found
// recorded) at path in the output directory, and whether it knows the
// path. The watch loop uses it to ignore its own writes: an event for a
// file whose content is what was written is not a change.
func (e *Engine) WrittenSHA(path string) (string, bool) {
	rec, index, ok := e.written(path)
	switch {
	case !ok:
		return "", false
	case index:
		return e.indexSHA(), true
	}
	return rec.ProfileSHA256, true
}

// Owns says whether path is a file the engine writes in the output
// directory (index.json or a recorded profile), without hashing anything.
func (e *Engine) Owns(path string) bool {
	_, _, ok := e.written(path)
	return ok
}

func (e *Engine) written(path string) (rec *Record, index, ok bool) {
	if e.snap == nil || e.loc.OutputDir == "" {
		return nil, false, false
	}
	rel, err := filepath.Rel(e.loc.OutputDir, path)
	if err != nil || strings.Contains(rel, string(filepath.Separator)) {
		return nil, false, false
	}
	if rel == IndexFile {
		return nil, true, true
	}
	if e.fileIdx == nil || e.fileIdxOf != e.snap {
		e.fileIdx = make(map[string]*Record, len(e.snap.Records))
		for _, r := range e.snap.Records {
			e.fileIdx[r.File] = r
		}
		e.fileIdxOf = e.snap
	}
	r := e.fileIdx[rel]
	return r, false, r != nil
}

// load returns the current configuration, re-decoding as little as it
// can. On errors the last good configuration stays.
func (e *Engine) load(full bool) (*schema.Config, hcl.Diagnostics, error) {
	opts := e.req.Load
	st, err := os.Stat(opts.Path)
	single := err == nil && !st.IsDir()
	defer func() { e.read = nil }()
	paths, shas, changed, lerr := e.scanFiles(full)
	varsSame := e.varFilesSame(full)
	inputsSame := e.cfg != nil && e.inputsSame(e.cfg.Inputs, full)
	if e.cfg != nil && lerr == nil && len(changed) == 0 && varsSame && inputsSame {
		return e.cfg, e.rebuildChangedInputs(full), nil
	}
	// Partial reload: only partition-only files changed (or appeared, or
	// went), every global file and every input is as before.
	if e.cfg != nil && lerr == nil && !single && varsSame && inputsSame && !full {
		cfg, diags, ok := e.blockLoad(paths, shas, changed)
		if !ok {
			cfg, diags, ok = e.partialLoad(paths, shas, changed)
		}
		if ok {
			if !diags.HasErrors() {
				// Partitions of unchanged files may read a referenced
				// file saved together with the configuration.
				diags = append(diags, e.rebuildChangedInputs(false)...)
			}
			return cfg, diags, nil
		}
	}
	e.LastStats.Reload = "full"
	// Hash the var files before loading: a save in between then leaves
	// an older hash than what was loaded, which the next cycle sees as a
	// change, never the reverse.
	varFiles := e.hashVarFiles(true)
	if opts.Stream && !e.req.Destroy {
		// A one-shot plan: build each partition as it is decoded.
		e.early = newEarlyBuild()
		opts = e.early.streamed(opts)
		defer func() { e.early = nil }()
	}
	cfg, diags := schema.Load(e.pre.decodeOpts(opts, e.read))
	e.early.wait()
	if diags.HasErrors() {
		return cfg, diags, nil
	}
	loc, err := Locate(cfg, e.req.Load.Path, e.req.StateFlag, e.req.Environ)
	if err != nil {
		return nil, nil, err
	}
	files := map[string]*cfgFile{}
	for _, p := range cfg.Files {
		// A file that appeared after the listing was not hashed before
		// the load: its hash stays unknown (the next cycle reloads it).
		files[p] = &cfgFile{sha: shas[p], global: true}
	}
	classify(cfg, opts.Path, files)
	byFile := map[string][]*schema.Partition{}
	nameOwner := make(map[string]string, len(cfg.Partitions))
	for _, p := range cfg.Partitions {
		f := fileOfRange(opts.Path, cfg.Dir, p.DeclRange.Filename)
		byFile[f] = append(byFile[f], p)
		nameOwner[normName(p.Name)] = f
	}
	desired, built, bd := e.build(cfg)
	diags = append(diags, bd...)
	if diags.HasErrors() {
		return cfg, diags, nil
	}
	e.LastStats.FilesDecoded = len(cfg.Files)
	e.cfg, e.loc, e.files, e.parts, e.desired, e.built = cfg, loc, files, cfg.Partitions, desired, built
	e.inputIdx = nil
	for _, d := range built {
		e.indexInputs(d, +1)
	}
	e.byFile, e.nameOwner = byFile, nameOwner
	e.names = nil
	e.varFiles = varFiles
	return cfg, diags, nil
}

// scanFiles lists the configuration files and hashes them (by stamp when
// it can), keeping the bytes it had to read in e.read. changed are the
// files whose hash differs from the last good load's, or that went; the
// files gone or emptied are noted in LastStats.FilesGone.
func (e *Engine) scanFiles(full bool) (paths []string, shas map[string]string, changed map[string]bool, lerr error) {
	paths, infos, lerr := listConfigFiles(e.req.Load.Path)
	changed = map[string]bool{}
	shas = make(map[string]string, len(paths))
	if lerr != nil {
		return paths, shas, changed, lerr
	}
	for i, p := range paths {
		var sum string
		var content []byte
		var ok bool
		if b, pre := e.pre.source(p); pre {
			sum, content, ok = e.pre.shas[p], b, true
		} else {
			sum, content, ok = e.stamps.shaContent(p, infos[i], full)
		}
		if !ok {
			continue
		}
		shas[p] = sum
		if content != nil {
			if e.read == nil {
				e.read = map[string][]byte{}
			}
			e.read[p] = content
		}
		if f := e.files[p]; f == nil || f.sha != sum {
			changed[p] = true
			if infos[i].Size() == 0 && len(e.byFile[p]) > 0 {
				// Emptied: an editor that truncates and writes in
				// place is caught in between as often as one that
				// deletes and recreates; the watch loop gives both
				// the same grace before destroying.
				e.LastStats.FilesGone = append(e.LastStats.FilesGone, p)
			}
		}
	}
	for p := range e.files {
		if _, ok := shas[p]; !ok {
			changed[p] = true
			e.LastStats.FilesGone = append(e.LastStats.FilesGone, p)
		}
	}
	sort.Strings(e.LastStats.FilesGone)
	return paths, shas, changed, nil
}

// partialLoad re-decodes the changed partition-only files with the global
// files. ok is false when a full load is needed.
func (e *Engine) partialLoad(paths []string, shas map[string]string, changed map[string]bool) (*schema.Config, hcl.Diagnostics, bool) {
	sub, subFiles, kept, ok := e.loadSubset(shas, changed)
	if !ok {
		return nil, nil, false
	}
	e.LastStats.Reload = "partial"
	e.LastStats.FilesDecoded = len(sub.Files)
	if kept.HasErrors() {
		return sub, kept, true
	}
	// Merge: partitions of unchanged partition-only files stay as they
	// are (objects, built profiles); those of the changed files and of
	// the global files (re-decoded with them) are replaced by the
	// subset's. Work here is proportional to the changed files, plus
	// copying two maps.
	r, ok := e.replacement(sub, changed)
	if !ok {
		return nil, nil, false
	}
	cfg := e.mergedConfig(sub, r.removed)
	cfg.Files = nil
	files := map[string]*cfgFile{}
	for p, f := range e.files {
		if _, exists := shas[p]; exists && !changed[p] {
			files[p] = f
		}
	}
	for p, f := range subFiles {
		files[p] = f
	}
	for _, p := range paths {
		if files[p] != nil {
			cfg.Files = append(cfg.Files, p)
		}
	}
	fresh := sub.Partitions
	builtFresh, bd := e.buildFresh(cfg, fresh)
	kept = append(kept, bd...)
	if kept.HasErrors() {
		return cfg, kept, true
	}
	// Commit in place: the cost is the changed files', not 10,000 map
	// entries copied per cycle.
	e.commitBuilt(r.removed, fresh, builtFresh)
	e.commitReplacement(r)
	e.cfg, e.files, e.parts = cfg, files, cfg.Partitions
	return cfg, kept, true
}

// loadSubset decodes the changed partition-only files with the global
// files. It keeps only the diagnostics about the changed files: those of
// the global files were reported by the load that last decoded them, and
// cross-file checks (unused profiles) cannot be judged from a subset. ok
// is false when a full load is needed (a global file changed, a changed
// file now declares more than partitions, an error elsewhere).
func (e *Engine) loadSubset(shas map[string]string, changed map[string]bool) (*schema.Config, map[string]*cfgFile, hcl.Diagnostics, bool) {
	opts := e.req.Load
	var names []string
	for p, f := range e.files {
		if f.global {
			if changed[p] {
				return nil, nil, nil, false
			}
			names = append(names, filepath.Base(p))
		}
	}
	for p := range changed {
		if _, exists := shas[p]; exists {
			names = append(names, filepath.Base(p))
		}
	}
	sort.Strings(names)
	sub, diags := schema.LoadFiles(opts, names)
	if sub == nil {
		return nil, nil, nil, false
	}
	subFiles := map[string]*cfgFile{}
	for _, p := range sub.Files {
		subFiles[p] = &cfgFile{sha: shas[p], global: true}
	}
	classify(sub, opts.Path, subFiles)
	for p := range changed {
		if f := subFiles[p]; f != nil && f.global {
			return nil, nil, nil, false // a file now declares more than partitions
		}
	}
	var kept hcl.Diagnostics
	for _, d := range diags {
		switch {
		case d.Subject != nil && changed[fileOfRange(opts.Path, sub.Dir, d.Subject.Filename)]:
			kept = append(kept, d)
		case d.Severity == hcl.DiagError:
			return nil, nil, nil, false
		}
	}
	return sub, subFiles, kept, true
}

// replacement says which partitions a partial reload replaces: those of
// the changed files and of the global files (re-decoded with them).
type replacement struct {
	files   map[string]bool // files whose partitions are replaced
	removed map[*schema.Partition]bool
	// byFile and nameOwner are the replaced files' new partitions and
	// their names' owners.
	byFile    map[string][]*schema.Partition
	nameOwner map[string]string
}

func (e *Engine) replacement(sub *schema.Config, changed map[string]bool) (*replacement, bool) {
	r := &replacement{files: map[string]bool{}, removed: map[*schema.Partition]bool{},
		byFile: map[string][]*schema.Partition{}, nameOwner: make(map[string]string, len(sub.Partitions))}
	for f, cf := range e.files {
		if changed[f] || cf.global {
			r.files[f] = true
		}
	}
	for f := range changed {
		r.files[f] = true
	}
	for f := range r.files {
		for _, p := range e.byFile[f] {
			r.removed[p] = true
		}
	}
	for _, p := range sub.Partitions {
		f := fileOfRange(e.req.Load.Path, sub.Dir, p.DeclRange.Filename)
		n := normName(p.Name)
		if owner, ok := e.nameOwner[n]; ok && !r.files[owner] {
			return nil, false // the full load reports the duplicate
		}
		r.nameOwner[n] = f
		r.byFile[f] = append(r.byFile[f], p)
	}
	return r, true
}

// commitReplacement updates the file and name indexes after a partial
// reload replaced r's files.
func (e *Engine) commitReplacement(r *replacement) {
	for f := range r.files {
		for _, p := range e.byFile[f] {
			if n := normName(p.Name); e.nameOwner[n] == f {
				delete(e.nameOwner, n)
			}
		}
		delete(e.byFile, f)
	}
	for f, ps := range r.byFile {
		e.byFile[f] = ps
	}
	for n, f := range r.nameOwner {
		e.nameOwner[n] = f
	}
}

// buildFresh builds the fresh partitions of cfg and runs the
// configuration-wide checks over all of cfg's partitions.
func (e *Engine) buildFresh(cfg *schema.Config, fresh []*schema.Partition) (map[*schema.Partition]*Desired, hcl.Diagnostics) {
	results, diags, cross := buildParts(cfg, fresh, e.early, true)
	e.LastStats.CrossChecks = cross
	out := make(map[*schema.Partition]*Desired, len(fresh))
	for i, p := range fresh {
		e.LastStats.PartitionsBuilt++
		if results[i] != nil {
			out[p] = results[i]
		}
	}
	return out, diags
}

// commitBuilt replaces the removed partition objects by the fresh ones in
// the engine's maps, and drops the sorted name list when the set of names
// changed.
func (e *Engine) commitBuilt(removed map[*schema.Partition]bool, fresh []*schema.Partition, builtFresh map[*schema.Partition]*Desired) {
	gone := map[string]bool{}
	for p := range removed {
		if d := e.built[p]; d != nil {
			delete(e.desired, d.Name)
			gone[d.Name] = true
			e.indexInputs(d, -1)
		}
		delete(e.built, p)
	}
	namesChanged := false
	for _, p := range fresh {
		d := builtFresh[p]
		if d == nil {
			continue
		}
		if gone[d.Name] {
			delete(gone, d.Name)
		} else if _, ok := e.desired[d.Name]; !ok {
			namesChanged = true
		}
		e.built[p] = d
		e.desired[d.Name] = d
		e.indexInputs(d, +1)
	}
	if namesChanged || len(gone) > 0 {
		e.names = nil
	}
}

// indexInputs counts d's referenced files in inputIdx (delta +1 or -1).
func (e *Engine) indexInputs(d *Desired, delta int) {
	if e.inputIdx == nil {
		e.inputIdx = map[string]map[string]int{}
	}
	for _, in := range d.Inputs {
		sums := e.inputIdx[in.Path]
		if sums == nil {
			sums = map[string]int{}
			e.inputIdx[in.Path] = sums
		}
		sums[in.SHA256] += delta
		if sums[in.SHA256] <= 0 {
			delete(sums, in.SHA256)
			if len(sums) == 0 {
				delete(e.inputIdx, in.Path)
			}
		}
	}
}

// build builds every partition of cfg (full load) into new maps.
func (e *Engine) build(cfg *schema.Config) (map[string]*Desired, map[*schema.Partition]*Desired, hcl.Diagnostics) {
	if e.req.Destroy {
		// Destroying builds nothing: a configuration whose providers
		// fail (a preload file gone) can still be destroyed.
		return map[string]*Desired{}, map[*schema.Partition]*Desired{}, nil
	}
	builtFresh, diags := e.buildFresh(cfg, cfg.Partitions)
	desired := make(map[string]*Desired, len(builtFresh))
	for _, d := range builtFresh {
		desired[d.Name] = d
	}
	return desired, builtFresh, diags
}

// rebuildChangedInputs rebuilds the partitions whose provider inputs
// (preload scripts, extension manifests, PAC files) changed on disk since
// they were built: their Desired may differ.
func (e *Engine) rebuildChangedInputs(full bool) hcl.Diagnostics {
	// Cheap test first, per distinct file: does any partition hold a
	// digest other than the file's current one?
	stale := false
	for path, sums := range e.inputIdx {
		disk, _ := e.stamps.shaOrEmpty(path, full)
		for sum := range sums {
			if sum != disk {
				stale = true
			}
		}
	}
	if !stale {
		return nil
	}
	// Each partition is compared with the digest it was built with:
	// partitions built at different times may hold different digests of
	// the same file.
	disk := map[string]string{}
	var fresh []*schema.Partition
	for p, d := range e.built {
		for _, in := range d.Inputs {
			sum, ok := disk[in.Path]
			if !ok {
				sum, _ = e.stamps.shaOrEmpty(in.Path, full)
				disk[in.Path] = sum
			}
			if sum != in.SHA256 {
				fresh = append(fresh, p)
				break
			}
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	removed := make(map[*schema.Partition]bool, len(fresh))
	for _, p := range fresh {
		removed[p] = true
	}
	builtFresh, diags := e.buildFresh(e.cfg, fresh)
	if diags.HasErrors() {
		// A referenced file became invalid (a pinned preload was
		// edited): the caches stay as they were, so the next cycle
		// checks the file again, and nothing is applied meanwhile.
		return diags
	}
	e.commitBuilt(removed, fresh, builtFresh)
	return diags
}

func (e *Engine) inputsSame(ins []schema.FileInput, full bool) bool {
	for _, in := range ins {
		if sum, _ := e.stamps.shaOrEmpty(in.Path, full); sum != in.SHA256 {
			return false
		}
	}
	return true
}

func (e *Engine) hashVarFiles(full bool) map[string]string {
	out := map[string]string{}
	for _, p := range e.req.Load.VarFiles {
		sum, _ := e.stamps.shaOrEmpty(p, full)
		out[p] = sum
	}
	return out
}

func (e *Engine) varFilesSame(full bool) bool {
	if e.varFiles == nil {
		return len(e.req.Load.VarFiles) == 0
	}
	now := e.hashVarFiles(full)
	for k, v := range now {
		if e.varFiles[k] != v {
			return false
		}
	}
	return true
}

// refreshState re-reads the recorded state when its serial moved (another
// apply ran) or when asked to.
func (e *Engine) refreshState(full bool) error {
	if e.snap != nil && e.snapPath != e.loc.StatePath {
		e.snap = nil // the settings block moved the state file
	}
	if e.snap != nil && !full {
		serial, err := stateSerial(e.loc.StatePath)
		if err != nil {
			return err
		}
		if serial == e.snap.Serial {
			return nil
		}
	}
	snap, err := readState(e.loc.StatePath)
	if err != nil {
		return err
	}
	e.snap, e.snapPath = snap, e.loc.StatePath
	e.clean = map[string]*cleanEntry{}
	e.index, e.indexSum = nil, ""
	return nil
}

// stateSerial reads the serial of the state at path from its newest
// history entry without decoding every record (0 for a fresh state).
func stateSerial(path string) (uint64, error) {
	st, err := state.New(path, nil)
	if err != nil {
		return 0, err
	}
	h, err := st.History(1)
	if err != nil {
		return 0, err
	}
	if len(h) == 0 {
		return 0, nil
	}
	return h[len(h)-1].Serial, nil
}

func (e *Engine) indexStale(out string) bool {
	sum, ok := e.stamps.sha(filepath.Join(out, IndexFile), false)
	return !ok || sum != e.indexSHA()
}

// indexSHA is the SHA-256 of the index.json the records imply.
func (e *Engine) indexSHA() string {
	if e.index == nil {
		e.index, e.indexSum = e.renderIndex(e.snap.Records), ""
	}
	if e.indexSum == "" {
		e.indexSum = sha256Hex(e.index)
	}
	return e.indexSum
}

// OwnWrite says whether fi, the result of os.Lstat(path), describes the
// index.json the engine's last apply wrote, unchanged since: the watch
// loop then need not read the file to know the event was its own.
func (e *Engine) OwnWrite(path string, fi os.FileInfo) bool {
	if e.loc.OutputDir == "" || e.indexStamp.ino == 0 && e.indexStamp.mtime == 0 ||
		filepath.Clean(path) != filepath.Join(e.loc.OutputDir, IndexFile) {
		return false
	}
	return e.indexStamp.same(toStamp(fi))
}

// markClean remembers the stamps of a partition found clean by content.
// With trust (events cover its paths) the entry needs no stamps: a later
// change of its files is reported by Observe.
func (e *Engine) markClean(name string, d *Desired, rec *Record, out string, trust bool) {
	ce := &cleanEntry{d: d, rec: rec, trusted: trust}
	if trust {
		e.clean[name] = ce
		return
	}
	var ok bool
	if ce.profile, ok = lstamp(filepath.Join(out, rec.File)); !ok || ce.profile.racy() {
		return
	}
	for _, eff := range d.Effects {
		s, ok := lstamp(eff.Path)
		if !ok || s.racy() {
			return
		}
		ce.effects = append(ce.effects, s)
	}
	e.clean[name] = ce
}

// stillCleanEntry decides whether a partition found clean before still
// is, without reading its files: by events when they cover its paths
// (trusted entries), else by stamps. An entry that passes its stamps
// while events cover it becomes trusted: the notifier watched its
// directories since before those stamps were taken.
func (e *Engine) stillCleanEntry(ce *cleanEntry, trust bool, dirty map[string]bool, out string) bool {
	if ce.trusted {
		return trust && !ce.touched(dirty, out)
	}
	if !e.stillClean(ce, out) {
		return false
	}
	if trust {
		ce.trusted = true
	}
	return true
}

// touched reports whether one of the entry's paths is dirty.
func (ce *cleanEntry) touched(dirty map[string]bool, out string) bool {
	if len(dirty) == 0 {
		return false
	}
	if dirty[filepath.Join(out, ce.rec.File)] {
		return true
	}
	for _, eff := range ce.d.Effects {
		if dirty[filepath.Clean(eff.Path)] {
			return true
		}
	}
	return false
}

// Observe tells the engine which paths changed since the last plan, and
// whether the notifier watches every directory the world check needs
// (complete). While complete, the next non-full Plan re-checks by content
// only the partitions whose profile or effect paths changed and trusts
// the others; a full Plan (start, periodic resync, notifier overflow)
// checks everything. This is the informer pattern: events invalidate a
// cache of observations, a periodic resync bounds the cost of a missed
// event.
func (e *Engine) Observe(paths []string, complete bool) {
	if !complete {
		// Entries found clean on the word of events have no stamps to
		// fall back on: they are checked by content once more.
		for name, ce := range e.clean {
			if ce.trusted {
				delete(e.clean, name)
			}
		}
	}
	e.trustEvents = complete
	if e.dirty == nil {
		e.dirty = map[string]bool{}
	}
	for _, p := range paths {
		e.dirty[filepath.Clean(p)] = true
	}
}

func (e *Engine) stillClean(ce *cleanEntry, out string) bool {
	if s, ok := lstamp(filepath.Join(out, ce.rec.File)); !ok || !s.same(ce.profile) {
		return false
	}
	for i, eff := range ce.d.Effects {
		if s, ok := lstamp(eff.Path); !ok || !s.same(ce.effects[i]) {
			return false
		}
	}
	return true
}

// classify marks the files of cfg that hold only partition blocks.
func classify(cfg *schema.Config, optPath string, files map[string]*cfgFile) {
	for name, f := range cfg.Sources {
		abs := fileOfRange(optPath, cfg.Dir, name)
		cf := files[abs]
		if cf == nil {
			continue
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue // JSON: stays global
		}
		only := len(body.Attributes) == 0
		for _, b := range body.Blocks {
			if b.Type != "partition" {
				only = false
			}
		}
		cf.global = !only
	}
}

// fileOfRange maps a diagnostic file name (as schema builds it from the
// configuration path) to the absolute file path.
func fileOfRange(optPath, dir, name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	base := filepath.Base(name)
	return filepath.Join(dir, base)
}

// normName folds the two spellings of the default session.
func normName(n string) string {
	if n == schema.PersistPrefix {
		return ""
	}
	return n
}

// listConfigFiles lists the configuration files of path as schema does
// (non-hidden *.hcl and *.hcl.json regular files, sorted; or path itself).
func listConfigFiles(path string) ([]string, []os.FileInfo, error) {
	if path == "" {
		path = "."
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, nil, err
	}
	if !st.IsDir() {
		return []string{abs}, []os.FileInfo{st}, nil
	}
	ents, err := os.ReadDir(abs)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	var infos []os.FileInfo
	for _, en := range ents {
		n := en.Name()
		if strings.HasPrefix(n, ".") || !(strings.HasSuffix(n, ".hcl") || strings.HasSuffix(n, ".hcl.json")) {
			continue
		}
		full := filepath.Join(abs, n)
		fst, err := os.Stat(full) // follows symlinks, as schema does
		if err != nil || !fst.Mode().IsRegular() {
			continue
		}
		out = append(out, full)
		infos = append(infos, fst)
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("no configuration files in %s", path)
	}
	return out, infos, nil
}

func countCreates(cs []*Change) int {
	n := 0
	for _, c := range cs {
		if c.Action == Create {
			n++
		}
	}
	return n
}

// moveDeletes lists what apply removes from the old output directory of
// snap when the output moves: its index.json first (so that an app still
// pointed there never follows it to a missing profile), the recorded
// profiles, and the owner file last. The index and the owner file are
// only removed while the owner file says they are this configuration's
// (config, the state's lineage).
func moveDeletes(snap *State, config string) []string {
	old := snap.OutputDir
	o := ReadOwner(old)
	ours := o != nil && o.Config == config && o.Lineage == snap.Lineage
	var out []string
	add := func(f string) {
		if _, err := os.Lstat(f); err == nil {
			out = append(out, f) // what is already gone is not listed
		}
	}
	if ours {
		add(filepath.Join(old, IndexFile))
	}
	for _, name := range sortedKeys(snap.Records) {
		add(filepath.Join(old, snap.Records[name].File))
	}
	if ours {
		add(filepath.Join(old, OwnerFile))
	}
	return out
}
