package reconcile

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/sessctl/sessctl/internal/warning"
	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/schema"
	"github.com/sessctl/sessctl/state"
)

// The plan cache is what an apply leaves in the state (state.Tx.SetCache)
// for the next plan to trust without redoing the work:
//
//   - the stamp (size, mtime, ctime, inode, mode) of every profile it
//     wrote, and the SHA-256 of index.json, so that checking ten thousand
//     profiles costs a stat each instead of a read and a hash;
//   - the block table of the configuration it applied: for each
//     configuration file, the SHA-256 of each top-level partition block
//     and the names of the partitions it declared, with a digest of
//     everything else the partitions depend on (the other blocks, var
//     files, variables, host). A plan whose context digest is the
//     recorded one re-evaluates only the partition blocks whose bytes
//     changed (incrementalPlan): one edited partition of 10,000 costs
//     one block's parse and build, not the whole file's.
//
// Stamps are trusted the way git trusts its index: a stamp is good when
// stat gives the same one and the file's last change (mtime or ctime)
// is strictly older than index.json's mtime, written after every profile
// of that apply; a profile changed in the same clock tick as index.json
// was written ("racy") is checked by content. ctime cannot be set from
// user space, so an edit that restores mtime and size is still seen.
// Where the platform has no ctime (sysStamp), stamps are never trusted.
// plan --full checks every file by content.
//
// Any doubt falls back to the full evaluation: no cache, another context
// digest, a changed referenced file, drift on a partition not rebuilt, a
// configuration error, a block SplitBlocks cannot cut, a diagnostic
// outside the rebuilt blocks, a configuration-wide check whose inputs
// changed.

// planCacheVersion is bumped when the cache's meaning changes: another
// version is ignored.
const planCacheVersion = 1

type planCache struct {
	Version int
	// IndexSHA is the SHA-256 of index.json as the apply wrote it, and
	// IndexMtime its mtime (ns): the racy reference for the stamps.
	IndexSHA   string
	IndexMtime int64
	// Inputs are the files every record references (path -> SHA-256 at
	// apply); InputsOK is false when records disagreed on a file's hash.
	Inputs   map[string]string
	InputsOK bool
	// Parts has an entry per record.
	Parts map[string]cachePart
	// Dirs are the stamps of the directories holding the directories the
	// records' mkdir effects made: while a directory's stamp holds, no
	// entry in it was removed or renamed, so those directories are there
	// without a stat each (ten thousand download directories).
	Dirs map[string]fileStamp
	// Eval is the block table of the applied configuration (nil when the
	// apply did not come from a plan that made one).
	Eval *evalTable
}

type cachePart struct {
	File, ProfileSHA256 string
	Stamp               fileStamp // zero: unknown
	Effects             []EffectRecord
}

// fileStamp is a stamp as stored.
type fileStamp struct {
	Size, Mtime, Ctime int64
	Ino, Dev           uint64
	Mode               uint32
}

func storedStamp(s stamp) fileStamp {
	return fileStamp{Size: s.size, Mtime: s.mtime, Ctime: s.ctime, Ino: s.ino, Dev: s.dev, Mode: uint32(s.mode)}
}

// vouches reports whether now, a fresh stat of the file, proves it is
// what was stamped (see the git rule above).
func (s fileStamp) vouches(now stamp, ref int64) bool {
	return s.Ctime != 0 && s == storedStamp(now) && max(s.Mtime, s.Ctime) < ref
}

type evalTable struct {
	// Context is contextDigest of the configuration.
	Context string
	Files   []evalFile
	// Sigs are the partitions' Desired.CheckSig, when not empty.
	Sigs map[string]string
}

type evalFile struct {
	Path string
	// Blocks are the file's partition blocks, in source order.
	Blocks []evalBlock
}

type evalBlock struct {
	// SHA is the SHA-256 of the block's bytes (32 raw bytes).
	SHA string
	// Names are the record names of the partitions the block declared.
	Names []string
	// Labels are the block's labels, and End the position of its end
	// relative to its start (line delta, column): what a diagnostic's
	// "in partition ..." line needs of a block that is not parsed.
	Labels          []string
	EndLine, EndCol int
	// Diags are the block's warnings, printed again while the block is
	// unchanged, at its new place.
	Diags []blockDiag
	// Diag says the block had a diagnostic that cannot be kept that way
	// (one that points outside the block, or carries another tool's
	// details): the block is always evaluated again.
	Diag bool
}

// blockDiag is a warning kept with its block: ranges are relative to the
// block's first line and byte (columns are the same wherever the block
// moves: a block starts at column 1).
type blockDiag struct {
	Summary, Detail string
	Subject         relRange
	Context         *relRange
	Code            string
	Partition       string
	Acknowledged    bool
	Count           int
}

type relRange struct{ StartLine, StartCol, StartByte, EndLine, EndCol, EndByte int }

func relTo(r hcl.Range, b schema.TopBlock) relRange {
	return relRange{r.Start.Line - b.Line, r.Start.Column, r.Start.Byte - b.Start, r.End.Line - b.Line, r.End.Column, r.End.Byte - b.Start}
}

func (r relRange) at(name string, b schema.TopBlock) hcl.Range {
	return hcl.Range{Filename: name,
		Start: hcl.Pos{Line: b.Line + r.StartLine, Column: r.StartCol, Byte: b.Start + r.StartByte},
		End:   hcl.Pos{Line: b.Line + r.EndLine, Column: r.EndCol, Byte: b.Start + r.EndByte}}
}

// keepDiag returns d as kept with block b of file name, ok false when it
// cannot be kept (see evalBlock.Diag).
func keepDiag(d *hcl.Diagnostic, name string, b schema.TopBlock) (blockDiag, bool) {
	in := func(r *hcl.Range) bool {
		return r.Filename == name && r.Start.Byte >= b.Start && r.End.Byte <= b.End && r.Start.Byte <= r.End.Byte
	}
	if d.Severity != hcl.DiagWarning || d.Subject == nil || !in(d.Subject) || d.Context != nil && !in(d.Context) ||
		d.Expression != nil || d.EvalContext != nil {
		return blockDiag{}, false
	}
	k := blockDiag{Summary: d.Summary, Detail: d.Detail, Subject: relTo(*d.Subject, b)}
	if d.Context != nil {
		c := relTo(*d.Context, b)
		k.Context = &c
	}
	x, ok := d.Extra.(*warning.Extra)
	if !ok || x.Code == "" {
		return blockDiag{}, false // hcl's own warnings, other tools' details
	}
	k.Code, k.Partition, k.Acknowledged, k.Count = string(x.Code), x.Partition, x.Acknowledged, x.Count
	return k, true
}

// diagnostic is the kept warning at block b of file name; ok is false
// for a code this sessctl does not know (a cache another version left).
func (k blockDiag) diagnostic(name string, b schema.TopBlock) (*hcl.Diagnostic, bool) {
	if _, known := warning.Lookup(warning.Code(k.Code)); !known {
		return nil, false
	}
	d := warning.New(warning.Code(k.Code), k.Subject.at(name, b), k.Summary, k.Detail)
	if k.Context != nil {
		c := k.Context.at(name, b)
		d.Context = &c
	}
	x := d.Extra.(*warning.Extra)
	x.Partition, x.Acknowledged, x.Count = k.Partition, k.Acknowledged, k.Count
	return d, true
}

// readPlanCache returns the state's metadata and its plan cache (nil when
// there is none).
func readPlanCache(statePath string) (state.Meta, *planCache, error) {
	st, err := state.New(statePath, nil)
	if err != nil {
		return state.Meta{}, nil, err
	}
	meta, b, err := st.Cache()
	if err != nil {
		return meta, nil, err
	}
	return meta, decodePlanCache(b), nil
}

// newPlanCache is the cache an apply leaves: recs are every record after
// it, stamps those of the profiles it wrote; untouched records keep the
// stamps of old (the cache the apply started from, nil when none).
func newPlanCache(old *planCache, recs map[string]*Record, stamps map[string]fileStamp, index []byte, indexStamp stamp, eval *evalTable) []byte {
	c := &planCache{Version: planCacheVersion, IndexSHA: sha256Hex(index), IndexMtime: indexStamp.mtime,
		Inputs: map[string]string{}, InputsOK: true, Parts: make(map[string]cachePart, len(recs)),
		Dirs: stampEffectDirs(recs, indexStamp.dev)}
	for name, r := range recs {
		p := cachePart{File: r.File, ProfileSHA256: r.ProfileSHA256, Effects: r.Effects}
		if st, ok := stamps[name]; ok {
			p.Stamp = st
		} else if old != nil {
			if op, ok := old.Parts[name]; ok && op.File == r.File && op.ProfileSHA256 == r.ProfileSHA256 {
				p.Stamp = op.Stamp
			}
		}
		c.Parts[name] = p
		for _, in := range r.Inputs {
			if was, seen := c.Inputs[in.Path]; seen && was != in.SHA256 {
				c.InputsOK = false
			}
			c.Inputs[in.Path] = in.SHA256
		}
	}
	if eval != nil && eval.names() == len(recs) {
		ok := true
		for _, f := range eval.Files {
			for _, b := range f.Blocks {
				for _, n := range b.Names {
					if recs[n] == nil {
						ok = false
					}
				}
			}
		}
		if ok {
			c.Eval = eval
		}
	}
	return encodePlanCache(c)
}

func (t *evalTable) names() int {
	n := 0
	for _, f := range t.Files {
		for _, b := range f.Blocks {
			n += len(b.Names)
		}
	}
	return n
}

// stampWritten stamps the profiles an apply wrote.
func stampWritten(outDir string, puts []*Record) map[string]fileStamp {
	out := make(map[string]fileStamp, len(puts))
	for _, r := range puts {
		if st, ok := lstamp(filepath.Join(outDir, r.File)); ok {
			out[r.Name] = storedStamp(st)
		}
	}
	return out
}

// partClean reports whether the recorded partition name is intact in the
// world: its profile (by stamp, else by content) and its side effects
// (a made directory whose parent's stamp holds, in dirs, is there).
func (c *planCache) partClean(name, outDir string, dirs map[string]bool) bool {
	p, ok := c.Parts[name]
	if !ok {
		return false
	}
	path := filepath.Join(outDir, p.File)
	st, ok := lstamp(path)
	if !ok {
		return false
	}
	if !p.Stamp.vouches(st, c.IndexMtime) {
		sum, err := fileSHA256(path)
		if err != nil || sum != p.ProfileSHA256 {
			return false
		}
	}
	for i, e := range p.Effects {
		if e.Kind == providers.EffectMkdir && dirs[filepath.Dir(e.Path)] {
			continue
		}
		if len(observeEffects(&Record{Effects: p.Effects[i : i+1]})) > 0 {
			return false
		}
	}
	return true
}

// dirsVouched returns the directories of Dirs whose stamp still holds.
func (c *planCache) dirsVouched() map[string]bool {
	out := make(map[string]bool, len(c.Dirs))
	for dir, s := range c.Dirs {
		if fi, err := os.Stat(dir); err == nil && s.vouches(toStamp(fi), c.IndexMtime) {
			out[dir] = true
		}
	}
	return out
}

// stampEffectDirs stamps the parent directory of the records' made
// directories, when it is on dev (index.json's device: its mtime is the
// racy reference, which means something only on the same clock
// granularity) and every made directory in it is a real directory now.
// The stamp comes first: a directory removed after it changes it.
func stampEffectDirs(recs map[string]*Record, dev uint64) map[string]fileStamp {
	kids := map[string][]string{}
	for _, r := range recs {
		for _, e := range r.Effects {
			if e.Kind == providers.EffectMkdir {
				d := filepath.Dir(e.Path)
				kids[d] = append(kids[d], e.Path)
			}
		}
	}
	out := make(map[string]fileStamp, len(kids))
	for dir, ks := range kids {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() {
			continue
		}
		st := toStamp(fi)
		if st.dev != dev || st.ctime == 0 {
			continue
		}
		ok := true
		for _, k := range ks {
			if ki, err := os.Lstat(k); err != nil || !ki.IsDir() {
				ok = false // missing, or a symbolic link whose target may go
				break
			}
		}
		if ok {
			out[dir] = storedStamp(st)
		}
	}
	return out
}

// indexIntact reports whether index.json is what the apply wrote.
func (c *planCache) indexIntact(outDir string) bool {
	sum, err := fileSHA256(filepath.Join(outDir, IndexFile))
	return err == nil && sum == c.IndexSHA
}

// inputsSame reports whether every referenced file still hashes as
// recorded.
func (c *planCache) inputsSame() bool {
	if !c.InputsOK {
		return false
	}
	for path, want := range c.Inputs {
		sum, err := fileSHA256(path)
		if err != nil {
			sum = ""
		}
		if sum != want {
			return false
		}
	}
	return true
}

// configRead is one read of every configuration file, made before
// anything else by a one-shot plan: its digests, its block table and the
// decode all describe these bytes, even if a file is saved meanwhile.
type configRead struct {
	paths, names []string // absolute, and as ranges name them
	src          map[string][]byte
	shas         map[string]string
	digest       string // inputDigest
	// Once split() returns true, every file is a native-syntax file
	// SplitBlocks cut: its blocks, the SHA-256 of each partition block
	// (by index in blocks) and the context digest are set.
	splitDone chan struct{}
	splitOK   bool
	blocks    map[string][]schema.TopBlock
	sums      map[string][]string
	ctx       string
}

// readConfig reads the configuration opts names; nil when it cannot (the
// full load then reports why). Cutting the files into blocks (what an
// incremental plan and the block table need, not the no-op fast path)
// runs beside the whole-file hashing, on another core, and is waited for
// by split.
func readConfig(opts schema.LoadOptions) *configRead {
	paths, names, err := schema.ConfigFiles(opts.Path)
	if err != nil {
		return nil
	}
	rd := &configRead{paths: paths, names: names, src: make(map[string][]byte, len(paths)), shas: make(map[string]string, len(paths))}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || len(b) > schema.MaxSourceBytes {
			return nil
		}
		rd.src[p] = b
	}
	rd.splitDone = make(chan struct{})
	go func() {
		defer close(rd.splitDone)
		rd.splitBlocks(opts)
	}()
	for _, p := range paths {
		rd.shas[p] = sha256Hex(rd.src[p])
	}
	d, err := schema.InputDigestKnown(opts, rd.shas, true)
	if err != nil {
		<-rd.splitDone
		return nil
	}
	rd.digest = d + "+" + EngineVersion
	return rd
}

// split waits for the block cut and reports whether every file was cut.
func (rd *configRead) split() bool {
	if rd == nil {
		return false
	}
	<-rd.splitDone
	return rd.splitOK
}

// splitBlocks cuts every file into blocks and computes the context
// digest: InputDigest with each file's bytes replaced by its blocks other
// than partition blocks (whitespace and comments between blocks, and the
// partition blocks' positions, mean nothing to a partition).
func (rd *configRead) splitBlocks(opts schema.LoadOptions) {
	blocks := make(map[string][]schema.TopBlock, len(rd.paths))
	sumsOf := make(map[string][]string, len(rd.paths))
	ctxs := make(map[string]string, len(rd.paths))
	for _, p := range rd.paths {
		if !strings.HasSuffix(p, ".hcl") {
			return
		}
		src := rd.src[p]
		bs, ok := schema.SplitBlocks(src)
		if !ok {
			return
		}
		h := sha256.New()
		sums := make([]string, len(bs))
		var n [8]byte
		for i, b := range bs {
			if b.Type == "partition" {
				sum := sha256.Sum256(src[b.Start:b.End])
				sums[i] = string(sum[:])
				continue
			}
			binary.BigEndian.PutUint64(n[:], uint64(b.End-b.Start))
			h.Write(n[:])
			h.Write(src[b.Start:b.End])
		}
		blocks[p], sumsOf[p], ctxs[p] = bs, sums, hex.EncodeToString(h.Sum(nil))
	}
	d, err := schema.InputDigestKnown(opts, ctxs, true)
	if err != nil {
		return
	}
	rd.blocks, rd.sums, rd.ctx, rd.splitOK = blocks, sumsOf, d+"+blocks+"+EngineVersion, true
}

// blockAt returns the index in rd.blocks[path] of the block starting at
// byte off, or -1.
func (rd *configRead) blockAt(path string, off int) int {
	bs := rd.blocks[path]
	i := sort.Search(len(bs), func(i int) bool { return bs[i].Start >= off })
	if i < len(bs) && bs[i].Start == off {
		return i
	}
	return -1
}

// blockOf returns the index of the block that contains byte off, or -1.
func (rd *configRead) blockOf(path string, off int) int {
	bs := rd.blocks[path]
	i := sort.Search(len(bs), func(i int) bool { return bs[i].End > off })
	if i < len(bs) && bs[i].Start <= off {
		return i
	}
	return -1
}

// pathOf maps a range's file name to the configuration file's path.
func (rd *configRead) pathOf(name string) string {
	for i, n := range rd.names {
		if n == name {
			return rd.paths[i]
		}
	}
	return ""
}

// evalTableOf is the block table of a configuration fully evaluated from
// rd: parts are its partitions, sigs the built partitions' CheckSig by
// record name. nil when the table could not tell what a block holds (a
// partition or a diagnostic outside the partition blocks, a
// configuration-wide check that spoke).
func evalTableOf(rd *configRead, sources map[string]*hcl.File, parts []*schema.Partition, sigs map[string]string, diags hcl.Diagnostics, cross int) *evalTable {
	if cross > 0 || !rd.split() {
		return nil
	}
	heads := map[string]map[int]*hclsyntax.Block{}
	for i, path := range rd.paths {
		f := sources[rd.names[i]]
		if f == nil {
			return nil
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return nil
		}
		heads[path] = make(map[int]*hclsyntax.Block, len(body.Blocks))
		for _, b := range body.Blocks {
			heads[path][b.TypeRange.Start.Byte] = b
		}
	}
	names := map[string]map[int][]string{}
	for _, p := range parts {
		path := rd.pathOf(p.DeclRange.Filename)
		i := rd.blockAt(path, p.DeclRange.Start.Byte)
		if path == "" || i < 0 || rd.blocks[path][i].Type != "partition" {
			return nil
		}
		if names[path] == nil {
			names[path] = map[int][]string{}
		}
		names[path][i] = append(names[path][i], recordName(p.Name))
	}
	kept := map[string]map[int][]blockDiag{}
	flagged := map[string]map[int]bool{}
	for _, d := range diags {
		if d.Subject == nil {
			return nil
		}
		path := rd.pathOf(d.Subject.Filename)
		i := rd.blockOf(path, d.Subject.Start.Byte)
		if path == "" || i < 0 || rd.blocks[path][i].Type != "partition" {
			return nil
		}
		if kept[path] == nil {
			kept[path], flagged[path] = map[int][]blockDiag{}, map[int]bool{}
		}
		if k, ok := keepDiag(d, d.Subject.Filename, rd.blocks[path][i]); ok {
			kept[path][i] = append(kept[path][i], k)
		} else {
			flagged[path][i] = true
		}
	}
	t := &evalTable{Context: rd.ctx, Sigs: map[string]string{}}
	for _, path := range rd.paths {
		f := evalFile{Path: path}
		for i, b := range rd.blocks[path] {
			if b.Type != "partition" {
				continue
			}
			h := heads[path][b.Start]
			if h == nil || h.Type != b.Type {
				return nil
			}
			end := h.Range().End
			eb := evalBlock{SHA: rd.sums[path][i], Names: names[path][i], Diag: flagged[path][i],
				Labels: h.Labels, EndLine: end.Line - b.Line, EndCol: end.Column}
			if !eb.Diag {
				eb.Diags = kept[path][i]
			}
			f.Blocks = append(f.Blocks, eb)
		}
		t.Files = append(t.Files, f)
	}
	for n, s := range sigs {
		if s != "" {
			t.Sigs[n] = s
		}
	}
	return t
}

// recordName is the record name of a partition name: the default session
// is recorded as "" (see buildOne).
func recordName(name string) string {
	if name == schema.PersistPrefix {
		return ""
	}
	return name
}

// source returns the bytes read of path, if rd read it.
func (rd *configRead) source(path string) ([]byte, bool) {
	if rd == nil {
		return nil, false
	}
	b, ok := rd.src[path]
	return b, ok
}

// stampVerified adds to stamps the stamp of every record's profile that
// has none yet: carried over from old when it still describes the record,
// else taken now (the plan of this process found the profile intact
// moments ago, as git refreshes its index after comparing content).
func stampVerified(outDir string, recs map[string]*Record, old *planCache, stamps map[string]fileStamp) {
	for name, r := range recs {
		if _, ok := stamps[name]; ok {
			continue
		}
		if old != nil {
			if op, ok := old.Parts[name]; ok && op.File == r.File && op.ProfileSHA256 == r.ProfileSHA256 && op.Stamp.Ctime != 0 {
				continue // newPlanCache carries it
			}
		}
		if st, ok := lstamp(filepath.Join(outDir, r.File)); ok {
			stamps[name] = storedStamp(st)
		}
	}
}

// refreshCache leaves a plan cache after an apply that had nothing to
// do, when the plan was made in this process (a first apply by a sessctl
// that keeps a cache, or an edit that changed no profile): a commit of the
// cache alone, without a new serial. Best effort: a failure leaves the
// state as it was.
func refreshCache(plan *Plan, snap *State, old *planCache) {
	if len(snap.Records) == 0 || snap.Serial == 0 {
		return
	}
	indexPath := filepath.Join(plan.OutputDir, IndexFile)
	index, err := os.ReadFile(indexPath)
	if err != nil {
		return
	}
	ist, ok := lstamp(indexPath)
	if !ok || !bytes.Equal(index, renderIndex(snap.Records)) {
		return
	}
	stamps := map[string]fileStamp{}
	stampVerified(plan.OutputDir, snap.Records, old, stamps)
	eval := plan.eval
	if eval == nil && old != nil {
		// No record changes: the table still says which blocks made them.
		eval = old.Eval
	}
	cache := newPlanCache(old, snap.Records, stamps, index, ist, eval)
	st, err := state.New(plan.StatePath, nil)
	if err != nil || cache == nil {
		return
	}
	if _, err := st.Commit(snap.Serial, func(tx *state.Tx) error {
		tx.SetCache(cache)
		return nil
	}); err == nil && plan.remember != nil {
		plan.remember()
	}
}

// stub is what a diagnostic needs of an unparsed block b (of file name)
// that eb describes: its type, labels and range.
func (eb *evalBlock) stub(name string, b schema.TopBlock) *hclsyntax.Block {
	start := hcl.Pos{Line: b.Line, Column: 1, Byte: b.Start}
	end := hcl.Pos{Line: b.Line + eb.EndLine, Column: eb.EndCol, Byte: b.End}
	brace := hcl.Pos{Line: end.Line, Column: max(1, end.Column-1), Byte: max(b.Start, b.End-1)}
	return &hclsyntax.Block{Type: b.Type, Labels: eb.Labels,
		TypeRange:       hcl.Range{Filename: name, Start: start, End: start},
		CloseBraceRange: hcl.Range{Filename: name, Start: brace, End: end},
		Body:            &hclsyntax.Body{SrcRange: hcl.Range{Filename: name, Start: start, End: end}, EndRange: hcl.Range{Filename: name, Start: end, End: end}}}
}

// decodeOpts has the one-shot load decode the bytes read (read: the files
// the engine hashed this cycle, all of rd's), with their blocks.
func (rd *configRead) decodeOpts(opts schema.LoadOptions, read map[string][]byte) schema.LoadOptions {
	if rd == nil {
		return opts
	}
	opts.Sources = read
	if rd.split() {
		opts.Blocks = rd.blocks
	}
	return opts
}
