package reconcile

import (
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/sessctl/sessctl/schema"
	"github.com/sessctl/sessctl/state"
)

// incrementalPlan plans a configuration whose context (everything but
// its partition blocks) is the one last applied, re-evaluating only the
// partition blocks whose bytes changed since (see plancache.go). ok is
// false whenever it cannot be sure of giving the plan a full evaluation
// would give; the caller then evaluates everything.
func incrementalPlan(req Request, rd *configRead) (*Planned, bool) {
	if req.TakeOwnership || req.Destroy || req.NoFastPath || !rd.split() {
		return nil, false
	}
	loc, ok := cachedLocationCtx(req, rd.ctx)
	if !ok {
		return nil, false
	}
	meta, pc, err := readPlanCache(loc.StatePath)
	if err != nil || pc == nil || pc.Eval == nil || pc.Eval.Context != rd.ctx ||
		meta.OutputDir != loc.OutputDir || meta.Config != loc.Config || len(pc.Eval.Files) != len(rd.paths) ||
		!pc.inputsSame() {
		return nil, false
	}
	ed, ok := matchBlocks(rd, pc)
	if !ok {
		return nil, false
	}
	cfg, diags, ok := ed.evaluate(req, rd, loc, pc)
	// The partitions not rebuilt must be as applied in the world: drift
	// needs their profile to plan the repair, which the full path has.
	if !ok || !allClean(pc, ed.kept, loc.OutputDir) {
		return nil, false
	}
	plan := &Plan{FormatVersion: PlanFormatVersion, Lineage: meta.Lineage, StateSerial: meta.Serial,
		ConfigDigest: rd.digest, StatePath: loc.StatePath, OutputDir: loc.OutputDir, Config: loc.Config,
		Unchanged: len(ed.kept)}
	checks, ok := ed.diff(plan, pc, loc)
	if !ok {
		return nil, false
	}
	eval := ed.table(rd, cfg, pc.Eval, diags)
	diags = append(append(diags, ed.keptDiags...), checks...)
	snapMeta := &State{Lineage: meta.Lineage, Serial: meta.Serial, ConfigDigest: meta.ConfigDigest, OutputDir: meta.OutputDir, Config: meta.Config}
	if checkOwnership(snapMeta, loc.StatePath, loc.OutputDir, loc.Config) != nil {
		return nil, false
	}
	if !plan.HasChanges() {
		plan.IndexStale = !pc.indexIntact(loc.OutputDir)
	}
	if !plan.HasChanges() {
		plan.OwnerStale = ownerChanges(plan, snapMeta)
	}
	plan.eval, plan.verified = eval, true
	digest, ctx := rd.digest, rd.ctx
	plan.remember = func() { rememberLocation(req, digest, ctx, loc) }
	return &Planned{Plan: plan, Config: cfg, Diags: diags, Loc: loc,
		Incremental: &IncrementalStats{Rebuilt: len(ed.built), Blocks: ed.nRebuild, Kept: len(ed.kept)}}, true
}

// evaluate decodes the global blocks and the changed partition blocks
// only, and builds those partitions.
func (ed *blockEdits) evaluate(req Request, rd *configRead, loc Locations, pc *planCache) (*schema.Config, hcl.Diagnostics, bool) {
	opts := req.Load
	opts.Sources, opts.Blocks, opts.Stream, opts.OnPartition, opts.SettingsOnly = rd.src, rd.blocks, true, nil, false
	opts.Skip = func(path string, b schema.TopBlock) bool { return !ed.rebuild[path][b.Start] }
	cfg, diags := schema.Load(opts)
	if cfg == nil || diags.HasErrors() {
		return nil, nil, false
	}
	if l, err := Locate(cfg, req.Load.Path, req.StateFlag, req.Environ); err != nil || l != loc || !ed.addStubs(rd, cfg) {
		return nil, nil, false
	}
	built, bd, _ := buildParts(cfg, cfg.Partitions, nil, false)
	diags = append(diags, bd...)
	if diags.HasErrors() || !ed.place(rd, cfg.Partitions, built) {
		return nil, nil, false
	}
	// The configuration-wide checks read every partition: their verdict
	// is the last one's (none: a table is only kept when they had none)
	// only if no partition they read changed for them.
	old := pc.Eval.Sigs
	for _, d := range ed.built {
		if _, existed := pc.Parts[d.Name]; existed && old[d.Name] != d.CheckSig || !existed && d.CheckSig != "" {
			return nil, nil, false
		}
	}
	for _, n := range ed.removed {
		if old[n] != "" {
			return nil, nil, false
		}
	}
	return cfg, diags, true
}

// diff plans the rebuilt partitions against their records and the world,
// and the removed ones, reading only their records. It returns the
// checks against the last applied profiles.
func (ed *blockEdits) diff(plan *Plan, pc *planCache, loc Locations) (hcl.Diagnostics, bool) {
	st, err := state.New(loc.StatePath, nil)
	if err != nil {
		return nil, false
	}
	want := make([]string, 0, len(ed.built)+len(ed.removed))
	for _, d := range ed.built {
		want = append(want, stateKey(d.Name))
	}
	for _, n := range ed.removed {
		want = append(want, stateKey(n))
	}
	snap, err := st.LoadSome(want)
	if err != nil || snap.Meta.Serial != plan.StateSerial {
		return nil, false
	}
	recs := recordsOf(snap)
	var checks hcl.Diagnostics
	for _, d := range ed.built {
		rec := recs[d.Name]
		if _, existed := pc.Parts[d.Name]; existed != (rec != nil) {
			return nil, false
		}
		c := diffPartition(d, rec, loc.OutputDir)
		if c == nil {
			plan.Unchanged++
			continue
		}
		checks = append(checks, d.CheckPrevious(rec)...)
		plan.Changes = append(plan.Changes, c)
	}
	for _, n := range ed.removed {
		rec := recs[n]
		if rec == nil {
			return nil, false
		}
		plan.Changes = append(plan.Changes, deleteChange(rec))
	}
	sort.SliceStable(plan.Changes, func(i, j int) bool { return plan.Changes[i].Partition < plan.Changes[j].Partition })
	return checks, !checks.HasErrors()
}

// IncrementalStats say what an incremental plan re-evaluated.
type IncrementalStats struct {
	// Blocks are the partition blocks parsed, Rebuilt the partitions they
	// declared; Kept the partitions taken as applied.
	Blocks, Rebuilt, Kept int
}

// blockEdits is what changed between the applied block table and the
// configuration now.
type blockEdits struct {
	// rebuild are the partition blocks to decode, by file and start byte;
	// nRebuild counts them.
	rebuild  map[string]map[int]bool
	nRebuild int
	// files are the new table's files; a rebuilt block's Names are filled
	// by place.
	files []evalFile
	// at maps a rebuilt block (file, start) to its place in files.
	at map[string]map[int]int
	// kept are the names of the partitions of unchanged blocks; removed
	// the applied names no block declares any more (set by place).
	kept, removed []string
	// keptDiags are the kept blocks' warnings, at their new places, and
	// stubs their headers, by file.
	keptDiags hcl.Diagnostics
	stubs     [][]*hclsyntax.Block
	oldNames  map[string]bool
	built     []*Desired
}

// matchBlocks pairs the partition blocks of rd with the applied table's,
// file by file, by content: an unchanged block (not flagged with
// diagnostics) keeps its partitions as applied; every other block is to
// be decoded.
func matchBlocks(rd *configRead, pc *planCache) (*blockEdits, bool) {
	ed := &blockEdits{rebuild: map[string]map[int]bool{}, at: map[string]map[int]int{}, oldNames: map[string]bool{},
		stubs: make([][]*hclsyntax.Block, len(rd.paths))}
	for fi, path := range rd.paths {
		of := pc.Eval.Files[fi]
		if of.Path != path {
			return nil, false
		}
		byHash := map[string][]int{}
		for i, b := range of.Blocks {
			byHash[b.SHA] = append(byHash[b.SHA], i)
			for _, n := range b.Names {
				ed.oldNames[n] = true
			}
		}
		used := make([]bool, len(of.Blocks))
		nf := evalFile{Path: path}
		for i, b := range rd.blocks[path] {
			if b.Type != "partition" {
				continue
			}
			sum := rd.sums[path][i]
			match := -1
			for _, j := range byHash[sum] {
				if !used[j] {
					match = j
					break
				}
			}
			if match >= 0 {
				used[match] = true
				if ob := of.Blocks[match]; !ob.Diag {
					nf.Blocks = append(nf.Blocks, ob)
					ed.kept = append(ed.kept, ob.Names...)
					for _, k := range ob.Diags {
						d, ok := k.diagnostic(rd.names[fi], b)
						if !ok {
							return nil, false
						}
						ed.keptDiags = append(ed.keptDiags, d)
					}
					ed.stubs[fi] = append(ed.stubs[fi], ob.stub(rd.names[fi], b))
					continue
				}
			}
			if ed.rebuild[path] == nil {
				ed.rebuild[path], ed.at[path] = map[int]bool{}, map[int]int{}
			}
			ed.rebuild[path][b.Start] = true
			ed.at[path][b.Start] = len(nf.Blocks)
			ed.nRebuild++
			nf.Blocks = append(nf.Blocks, evalBlock{SHA: sum})
		}
		ed.files = append(ed.files, nf)
	}
	if len(ed.oldNames) != len(pc.Parts) {
		return nil, false // the table does not describe every record
	}
	for n := range ed.oldNames {
		if _, ok := pc.Parts[n]; !ok {
			return nil, false
		}
	}
	return ed, true
}

// place files the decoded partitions into their blocks and works out the
// names removed. ok is false on anything unexpected (a partition outside
// a rebuilt block, a name declared twice).
func (ed *blockEdits) place(rd *configRead, parts []*schema.Partition, built []*Desired) bool {
	names := make(map[string]bool, len(ed.kept)+len(parts))
	for _, n := range ed.kept {
		if names[n] {
			return false
		}
		names[n] = true
	}
	for i, p := range parts {
		path := rd.pathOf(p.DeclRange.Filename)
		k, ok := ed.at[path][p.DeclRange.Start.Byte]
		if path == "" || !ok || built[i] == nil {
			return false
		}
		n := built[i].Name
		if names[n] {
			return false // a duplicate: the full load reports it
		}
		names[n] = true
		fb := &ed.files[indexOfPath(rd, path)].Blocks[k]
		fb.Names = append(fb.Names, n)
		ed.built = append(ed.built, built[i])
	}
	for n := range ed.oldNames {
		if !names[n] {
			ed.removed = append(ed.removed, n)
		}
	}
	sort.Strings(ed.removed)
	return true
}

func indexOfPath(rd *configRead, path string) int {
	for i, p := range rd.paths {
		if p == path {
			return i
		}
	}
	return -1
}

// table is the block table after this plan is applied, nil when a
// diagnostic lies outside the rebuilt blocks (a global block's: the next
// plan evaluates everything).
func (ed *blockEdits) table(rd *configRead, cfg *schema.Config, old *evalTable, diags hcl.Diagnostics) *evalTable {
	t := &evalTable{Context: rd.ctx, Files: ed.files, Sigs: make(map[string]string, len(old.Sigs))}
	// The rebuilt blocks' headers, from their parse.
	for fi, path := range rd.paths {
		if len(ed.at[path]) == 0 {
			continue
		}
		f := cfg.Sources[rd.names[fi]]
		if f == nil {
			return nil
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return nil
		}
		found := 0
		for _, h := range body.Blocks {
			k, ok := ed.at[path][h.TypeRange.Start.Byte]
			if !ok || h.Type != "partition" {
				continue
			}
			end := h.Range().End
			fb := &ed.files[fi].Blocks[k]
			fb.Labels, fb.EndLine, fb.EndCol = h.Labels, end.Line-h.TypeRange.Start.Line, end.Column
			found++
		}
		if found != len(ed.at[path]) {
			return nil
		}
	}
	for _, d := range diags {
		if d.Subject == nil {
			return nil
		}
		path := rd.pathOf(d.Subject.Filename)
		i := rd.blockOf(path, d.Subject.Start.Byte)
		if path == "" || i < 0 {
			return nil
		}
		b := rd.blocks[path][i]
		k, ok := ed.at[path][b.Start]
		if !ok {
			return nil
		}
		fb := &ed.files[indexOfPath(rd, path)].Blocks[k]
		if kd, ok := keepDiag(d, d.Subject.Filename, b); ok && !fb.Diag {
			fb.Diags = append(fb.Diags, kd)
		} else {
			fb.Diag, fb.Diags = true, nil
		}
	}
	for n, s := range old.Sigs {
		t.Sigs[n] = s
	}
	for _, n := range ed.removed {
		delete(t.Sigs, n)
	}
	for _, d := range ed.built {
		if d.CheckSig != "" {
			t.Sigs[d.Name] = d.CheckSig
		} else {
			delete(t.Sigs, d.Name)
		}
	}
	return t
}

// allClean checks the world of the named partitions on every core.
func allClean(pc *planCache, names []string, outDir string) bool {
	dirs := pc.dirsVouched()
	var drifted atomic.Bool
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0) * 2
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(names) && !drifted.Load(); i += workers {
				if !pc.partClean(names[i], outDir, dirs) {
					drifted.Store(true)
				}
			}
		}(w)
	}
	wg.Wait()
	return !drifted.Load()
}

// recordsOf converts a partial snapshot's records (with their fields).
func recordsOf(snap *state.Snapshot) map[string]*Record {
	out := make(map[string]*Record, len(snap.Partitions))
	for key, pr := range snap.Partitions {
		if rec, err := recordFromState(key, pr, true); err == nil {
			out[rec.Name] = rec
		}
	}
	return out
}

// addStubs puts the headers of the blocks not parsed into the files'
// bodies in cfg.Sources, in source order, so that diagnostics name the
// block they are in as after a full load.
func (ed *blockEdits) addStubs(rd *configRead, cfg *schema.Config) bool {
	for fi, name := range rd.names {
		if len(ed.stubs[fi]) == 0 {
			continue
		}
		f := cfg.Sources[name]
		if f == nil {
			return false
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return false
		}
		all := append(append(make(hclsyntax.Blocks, 0, len(body.Blocks)+len(ed.stubs[fi])), body.Blocks...), ed.stubs[fi]...)
		sort.SliceStable(all, func(i, j int) bool { return all[i].TypeRange.Start.Byte < all[j].TypeRange.Start.Byte })
		body.Blocks = all
	}
	return true
}
