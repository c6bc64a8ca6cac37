package reconcile

import (
	"runtime"
	"slices"
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
func incrementalPlan(req Request, rd *configRead, pre *prefetch) (*Planned, bool) {
	if req.TakeOwnership || req.Destroy || req.NoFastPath || !rd.split() {
		return nil, false
	}
	loc, ok := cachedLocationCtx(req, rd.ctx, rd.base, pre)
	if !ok {
		return nil, false
	}
	meta, pc, err := pre.cache(loc.StatePath)
	if err != nil || pc == nil || pc.Eval == nil || pc.Eval.Context != rd.ctx && (rd.base == "" || pc.Eval.Base != rd.base) ||
		meta.OutputDir != loc.OutputDir || meta.Config != loc.Config || len(pc.Eval.Files) != len(rd.paths) ||
		!pc.inputsSame() {
		return nil, false
	}
	ed, ok := matchBlocks(rd, pc)
	if !ok {
		return nil, false
	}
	// The partitions not rebuilt must be as applied in the world: drift
	// needs their profile to plan the repair, which the full path has.
	// Which ones those are is known after the load, but the world is
	// checked meanwhile, for every recorded partition, on the other core.
	drift := make(chan map[string]bool, 1)
	go func() { drift <- pc.drifted(loc.OutputDir) }()
	cfg, diags, ok := ed.evaluate(req, rd, loc, pc)
	drifted := <-drift
	if !ok {
		return nil, false
	}
	for _, n := range ed.kept {
		if drifted[n] {
			return nil, false
		}
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
	if len(diags) > 0 && !ed.addStubs(rd, cfg) {
		return nil, false
	}
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
	digest := rd.digest
	plan.remember = func() { rememberLocation(req, digest, rd, loc) }
	return &Planned{Plan: plan, Config: cfg, Diags: diags, Loc: loc,
		Incremental: &IncrementalStats{Rebuilt: len(ed.built), Blocks: ed.nRebuild, Kept: len(ed.kept)}}, true
}

// evaluate decodes the global blocks and the changed partition blocks
// only, and builds those partitions.
func (ed *blockEdits) evaluate(req Request, rd *configRead, loc Locations, pc *planCache) (*schema.Config, hcl.Diagnostics, bool) {
	opts := req.Load
	opts.Sources, opts.Blocks, opts.Stream, opts.OnPartition, opts.SettingsOnly = rd.src, rd.blocks, true, nil, false
	opts.Skip = func(path string, b schema.TopBlock) bool { return !ed.rebuild[path][b.Start] }
	opts.Instance = func(in *schema.Instance) bool { return ed.hook(rd, in) }
	cfg, diags := schema.Load(opts)
	if cfg == nil || diags.HasErrors() {
		return nil, nil, false
	}
	if l, err := Locate(cfg, req.Load.Path, req.StateFlag, req.Environ); err != nil || l != loc {
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
	// oldRebuilt are the applied names of the old blocks not kept;
	// oldParts the records.
	oldRebuilt map[string]bool
	oldParts   map[string]cachePart
	// keptDiags are the kept blocks' warnings, at their new places, and
	// stubs their headers, by file.
	keptDiags hcl.Diagnostics
	stubs     [][]keptBlock
	// cand are the unchanged blocks parsed again because a local they
	// read changed: their applied instances by each.key. rec records
	// every parsed instance's sum; keptInst names the instances taken as
	// applied, by block and key.
	cand     map[string]map[int]map[string]instRec
	rec      instRecorder
	keptInst map[string]map[int]map[string]string
	// parts are the decoded partitions by block.
	parts    map[string]map[int][]*schema.Partition
	oldNames map[string]bool
	built    []*Desired
}

// matchBlocks pairs the partition blocks of rd with the applied table's,
// file by file, by content: an unchanged block (not flagged with
// diagnostics) keeps its partitions as applied; every other block is to
// be decoded.
//
// When only locals changed (the base digests are the same, the context
// digests not), an unchanged block that reads locals is parsed again, and
// each of its instances is evaluated only if what it reads changed
// (instSum): see hook.
func matchBlocks(rd *configRead, pc *planCache) (*blockEdits, bool) {
	ed := &blockEdits{rebuild: map[string]map[int]bool{}, at: map[string]map[int]int{}, oldRebuilt: map[string]bool{},
		stubs: make([][]keptBlock, len(rd.paths)), cand: map[string]map[int]map[string]instRec{}}
	localsOnly := pc.Eval.Context != rd.ctx
	ed.oldParts = pc.Parts
	total := 0
	for fi := range rd.paths {
		n, ok := ed.matchFile(rd, pc, fi, localsOnly)
		if !ok {
			return nil, false
		}
		total += n
	}
	// The table names every record once (newPlanCache checked it).
	if total != len(pc.Parts) {
		return nil, false
	}
	for _, n := range ed.kept {
		if _, ok := pc.Parts[n]; !ok {
			return nil, false
		}
	}
	for n := range ed.oldRebuilt {
		if _, ok := pc.Parts[n]; !ok {
			return nil, false
		}
	}
	return ed, true
}

// matchFile matches the partition blocks of file fi (see matchBlocks) and
// returns how many names its applied blocks had.
func (ed *blockEdits) matchFile(rd *configRead, pc *planCache, fi int, localsOnly bool) (int, bool) {
	path := rd.paths[fi]
	of := pc.Eval.Files[fi]
	if of.Path != path {
		return 0, false
	}
	total := 0
	for _, b := range of.Blocks {
		total += len(b.Names)
	}
	m := newBlockMatcher(of.Blocks)
	// Sized up front: at 10,000 blocks, growing these by append was a
	// fifth of a one-edit plan's CPU (copying 200-byte evalBlocks).
	nf := evalFile{Path: path, Blocks: make([]evalBlock, 0, len(rd.blocks[path]))}
	ed.kept = slices.Grow(ed.kept, total)
	ed.stubs[fi] = slices.Grow(ed.stubs[fi], len(of.Blocks))
	for i, b := range rd.blocks[path] {
		if b.Type != "partition" {
			continue
		}
		sum := rd.sums[path][i]
		match := m.match(sum)
		var cand map[string]instRec
		if match >= 0 {
			ob := &of.Blocks[match]
			reads := len(ob.ForEachLocals)+len(ob.BodyLocals) > 0
			if !ob.Diag && (!localsOnly || !reads) {
				nf.Blocks = append(nf.Blocks, *ob)
				ed.kept = append(ed.kept, ob.Names...)
				for _, k := range ob.Diags {
					d, ok := k.diagnostic(rd.names[fi], b)
					if !ok {
						return 0, false
					}
					ed.keptDiags = append(ed.keptDiags, d)
				}
				ed.stubs[fi] = append(ed.stubs[fi], keptBlock{ob, b})
				continue
			}
			if localsOnly && reads && !ob.Diag && len(ob.Diags) == 0 && len(ob.Inst) == len(ob.Names) {
				cand = make(map[string]instRec, len(ob.Inst))
				for _, x := range ob.Inst {
					cand[x.Key] = x
				}
			}
		}
		if ed.rebuild[path] == nil {
			ed.rebuild[path], ed.at[path] = map[int]bool{}, map[int]int{}
		}
		ed.rebuild[path][b.Start] = true
		ed.at[path][b.Start] = len(nf.Blocks)
		ed.nRebuild++
		nf.Blocks = append(nf.Blocks, evalBlock{SHA: sum})
		if cand != nil {
			if ed.cand[path] == nil {
				ed.cand[path] = map[int]map[string]instRec{}
			}
			ed.cand[path][b.Start] = cand
		}
	}
	// The old blocks not kept: their partitions are rebuilt, or go.
	for j, ob := range of.Blocks {
		if !m.kept(j, localsOnly) {
			for _, n := range ob.Names {
				ed.oldRebuilt[n] = true
			}
		}
	}
	ed.files = append(ed.files, nf)
	return total, true
}

// keptBlock is a block taken as applied: its table entry and where it is
// now.
type keptBlock struct {
	eb *evalBlock
	at schema.TopBlock
}

// blockMatcher pairs new blocks with old ones by content. Blocks mostly
// keep their order, so the next old block, then the next few, are tried
// before a map of every old block is made.
type blockMatcher struct {
	old    []evalBlock
	used   []bool
	next   int
	byHash map[string][]int
}

func newBlockMatcher(old []evalBlock) *blockMatcher {
	return &blockMatcher{old: old, used: make([]bool, len(old))}
}

// match returns the index of an unused old block with this content (-1:
// none) and marks it used.
func (m *blockMatcher) match(sum string) int {
	for j := m.next; j < len(m.old) && j < m.next+8; j++ {
		if !m.used[j] && m.old[j].SHA == sum {
			return m.take(j)
		}
	}
	if m.byHash == nil {
		m.byHash = make(map[string][]int, len(m.old))
		for j, b := range m.old {
			m.byHash[b.SHA] = append(m.byHash[b.SHA], j)
		}
	}
	for _, j := range m.byHash[sum] {
		if !m.used[j] {
			return m.take(j)
		}
	}
	return -1
}

func (m *blockMatcher) take(j int) int {
	m.used[j] = true
	if j >= m.next {
		m.next = j + 1
	}
	return j
}

// kept reports whether old block j was matched and kept as applied.
func (m *blockMatcher) kept(j int, localsOnly bool) bool {
	b := &m.old[j]
	return m.used[j] && !b.Diag && (!localsOnly || len(b.ForEachLocals)+len(b.BodyLocals) == 0)
}

// place files the decoded partitions into their blocks and works out the
// names removed. ok is false on anything unexpected (a partition outside
// a rebuilt block, a name declared twice).
func (ed *blockEdits) place(rd *configRead, parts []*schema.Partition, built []*Desired) bool {
	// Names now declared outside the kept blocks: those decoded, and the
	// instances taken as applied (in ed.kept too, from old rebuilt blocks).
	names := make(map[string]bool, len(parts))
	for _, byBlock := range ed.keptInst {
		for _, byKey := range byBlock {
			for _, n := range byKey {
				names[n] = true
			}
		}
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
		if _, recorded := ed.oldParts[n]; recorded && !ed.oldRebuilt[n] {
			return false // a kept block's: the full load reports it
		}
		names[n] = true
		fb := &ed.files[rd.fileIndex(path)].Blocks[k]
		fb.Names = append(fb.Names, n)
		ed.built = append(ed.built, built[i])
		if ed.parts == nil {
			ed.parts = map[string]map[int][]*schema.Partition{}
		}
		if ed.parts[path] == nil {
			ed.parts[path] = map[int][]*schema.Partition{}
		}
		start := p.DeclRange.Start.Byte
		ed.parts[path][start] = append(ed.parts[path][start], p)
	}
	for n := range ed.oldRebuilt {
		if !names[n] {
			ed.removed = append(ed.removed, n)
		}
	}
	sort.Strings(ed.removed)
	return true
}

// table is the block table after this plan is applied, nil when a
// diagnostic lies outside the rebuilt blocks (a global block's: the next
// plan evaluates everything).
func (ed *blockEdits) table(rd *configRead, cfg *schema.Config, old *evalTable, diags hcl.Diagnostics) *evalTable {
	t := &evalTable{Context: rd.ctx, Base: rd.base, Files: ed.files, Sigs: make(map[string]string, len(old.Sigs))}
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
			start := h.TypeRange.Start.Byte
			if !ed.rec.fill(fb, path, start, ed.parts[path][start], ed.keptInst[path][start]) {
				return nil
			}
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
		fb := &ed.files[rd.fileIndex(path)].Blocks[k]
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

// drifted checks the world of every recorded partition on every core and
// returns those not intact.
func (c *planCache) drifted(outDir string) map[string]bool {
	names := make([]string, 0, len(c.Parts))
	for n := range c.Parts {
		names = append(names, n)
	}
	return c.check(names, outDir, false)
}

// allClean reports whether the named partitions are intact in the world.
func allClean(pc *planCache, names []string, outDir string) bool {
	return len(pc.check(names, outDir, true)) == 0
}

// check checks the named partitions on every core and returns those not
// intact (with stop, it stops at the first).
func (c *planCache) check(names []string, outDir string, stop bool) map[string]bool {
	dirs := c.dirsVouched()
	out := openDirStat(outDir)
	defer out.close()
	bad := map[string]bool{}
	for _, i := range onCores(len(names), stop, func(i int) bool { return c.partClean(names[i], out, dirs) }) {
		bad[names[i]] = true
	}
	return bad
}

// onCores calls ok(i) for i in [0, n) on twice as many goroutines as
// cores (the checks wait on the file system) and returns the i for which
// it was false, in no order; with stop, it stops soon after the first.
func onCores(n int, stop bool, ok func(i int) bool) []int {
	var found atomic.Bool
	var mu sync.Mutex
	var bad []int
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0) * 2
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n && !(stop && found.Load()); i += workers {
				if !ok(i) {
					found.Store(true)
					mu.Lock()
					bad = append(bad, i)
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	return bad
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
// block they are in as after a full load. Only a plan with diagnostics
// needs them.
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
		all := append(make(hclsyntax.Blocks, 0, len(body.Blocks)+len(ed.stubs[fi])), body.Blocks...)
		for _, k := range ed.stubs[fi] {
			all = append(all, k.eb.stub(name, k.at))
		}
		sort.SliceStable(all, func(i, j int) bool { return all[i].TypeRange.Start.Byte < all[j].TypeRange.Start.Byte })
		body.Blocks = all
	}
	return true
}

// hook is LoadOptions.Instance of the partial load: it records what every
// instance of a block that reads locals depends on, and leaves out the
// instances of a block parsed again only for its locals (cand) whose sum
// is the applied one: they are taken as applied.
func (ed *blockEdits) hook(rd *configRead, in *schema.Instance) bool {
	key, sum := ed.rec.record(in)
	cand := ed.cand[in.Path][in.Start]
	if cand == nil {
		return true
	}
	old, ok := cand[key]
	if !ok || old.Sum == "" || old.Sum != sum {
		return true
	}
	k := ed.at[in.Path][in.Start]
	fb := &ed.files[rd.fileIndex(in.Path)].Blocks[k]
	if ed.keptInst == nil {
		ed.keptInst = map[string]map[int]map[string]string{}
	}
	if ed.keptInst[in.Path] == nil {
		ed.keptInst[in.Path] = map[int]map[string]string{}
	}
	if ed.keptInst[in.Path][in.Start] == nil {
		// The block's first kept instance: the tables are sized for
		// all of them at once.
		ed.keptInst[in.Path][in.Start] = make(map[string]string, in.Count)
		ed.kept = slices.Grow(ed.kept, in.Count)
		fb.Names = slices.Grow(fb.Names, in.Count)
	}
	ed.kept = append(ed.kept, old.Name)
	ed.keptInst[in.Path][in.Start][key] = old.Name
	fb.Names = append(fb.Names, old.Name)
	return false
}
