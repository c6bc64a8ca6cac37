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
	"github.com/zclconf/go-cty/cty"

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
// Where sessctl reads no ctime (sysStamp: not Linux or macOS), stamps are
// never trusted.
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
	// Context is the context digest of the configuration, Base the same
	// without its locals blocks ("" when another global reads a local).
	Context, Base string
	Files         []evalFile
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
	// ForEachLocals and BodyLocals are the locals the block reads (in
	// its for_each expression, elsewhere), and Inst what each instance
	// depended on, when it reads any: while only locals change, an
	// instance whose Sum is the same is taken as applied.
	ForEachLocals, BodyLocals []string
	Inst                      []instRec
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

// instRec is one instance of a block that reads locals: its each.key
// ("" without for_each), the digest of what it reads (instSum), its
// record name.
type instRec struct{ Key, Sum, Name string }

// instSum is the digest of what an instance of a partition block reads
// of its context besides the block: each.key, each.value and the locals
// the block body reads. "" when it cannot be told (the block reads locals
// by computed name, a value that cannot be encoded).
func instSum(in *schema.Instance) string {
	h := sha256.New()
	buf := make([]byte, 0, 256)
	put := func(v cty.Value) bool {
		if v == cty.NilVal {
			buf = append(buf, 0)
			return true
		}
		var ok bool
		if buf, ok = appendCanonical(buf, v); !ok {
			return false
		}
		if len(buf) > 4096 {
			h.Write(buf)
			buf = buf[:0]
		}
		return true
	}
	if !put(in.Key) || !put(in.Value) {
		return ""
	}
	for _, n := range in.BodyLocals {
		if n == "*" {
			return ""
		}
		buf = appendLen(buf, n)
		if !put(in.Local(n)) {
			return ""
		}
	}
	h.Write(buf)
	return string(h.Sum(nil))
}

// appendCanonical appends an encoding of v that tells apart every two
// values of any types (kind tags, lengths, object keys sorted); ok is
// false for an unknown value. A sensitive value is encoded as its value
// with a mark tag.
func appendCanonical(b []byte, v cty.Value) ([]byte, bool) {
	if v.IsMarked() {
		v, _ = v.Unmark()
		b = append(b, '!')
	}
	if !v.IsKnown() {
		return b, false
	}
	ty := v.Type()
	if v.IsNull() {
		return append(b, 'z'), true
	}
	switch {
	case ty == cty.String:
		return appendLen(append(b, 's'), v.AsString()), true
	case ty == cty.Number:
		return appendLen(append(b, 'n'), v.AsBigFloat().Text('g', -1)), true
	case ty == cty.Bool:
		if v.True() {
			return append(b, 't'), true
		}
		return append(b, 'f'), true
	case ty.IsObjectType():
		names := make([]string, 0, len(ty.AttributeTypes()))
		for n := range ty.AttributeTypes() {
			names = append(names, n)
		}
		sort.Strings(names)
		b = binary.AppendUvarint(append(b, 'o'), uint64(len(names)))
		for _, n := range names {
			var ok bool
			if b, ok = appendCanonical(appendLen(b, n), v.GetAttr(n)); !ok {
				return b, false
			}
		}
		return b, true
	case ty.IsMapType(), ty.IsListType(), ty.IsSetType(), ty.IsTupleType():
		tag := byte('l')
		switch {
		case ty.IsMapType():
			tag = 'm'
		case ty.IsSetType():
			tag = 'e'
		case ty.IsTupleType():
			tag = 'u'
		}
		b = binary.AppendUvarint(append(b, tag), uint64(v.LengthInt()))
		for it := v.ElementIterator(); it.Next(); { // maps: by key; sets: cty's order
			k, e := it.Element()
			var ok bool
			if tag == 'm' {
				b = appendLen(b, k.AsString())
			}
			if b, ok = appendCanonical(b, e); !ok {
				return b, false
			}
		}
		return b, true
	}
	return b, false // capsules and other types: not told apart
}

func appendLen(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// instKey is the each.key of an instance ("" without for_each).
func instKey(in *schema.Instance) string {
	if k := in.Key; k != cty.NilVal && k.Type() == cty.String && k.IsKnown() && !k.IsNull() {
		return k.AsString()
	}
	return ""
}

// blockRefs are the locals a block reads (schema.Instance).
type blockRefs struct{ forEach, body []string }

// instRecorder records, while a configuration loads, what every instance
// of a block that reads locals depended on (for the block table).
type instRecorder struct {
	refs map[string]map[int]*blockRefs
	inst map[string]map[int][]instRec
	at   map[string]map[int]map[string]int // index in inst by key
}

func (r *instRecorder) hook(in *schema.Instance) bool {
	r.record(in)
	return true
}

// record records in (when its block reads locals) and returns its key
// and sum.
func (r *instRecorder) record(in *schema.Instance) (key, sum string) {
	if len(in.ForEachLocals)+len(in.BodyLocals) == 0 {
		return "", ""
	}
	if r.refs == nil {
		r.refs, r.inst, r.at = map[string]map[int]*blockRefs{}, map[string]map[int][]instRec{}, map[string]map[int]map[string]int{}
	}
	if r.refs[in.Path] == nil {
		r.refs[in.Path], r.inst[in.Path], r.at[in.Path] = map[int]*blockRefs{}, map[int][]instRec{}, map[int]map[string]int{}
	}
	if r.refs[in.Path][in.Start] == nil {
		// The names only: an Instance holds the loader (Local).
		r.refs[in.Path][in.Start] = &blockRefs{forEach: in.ForEachLocals, body: in.BodyLocals}
	}
	key, sum = instKey(in), instSum(in)
	at := r.at[in.Path][in.Start]
	if at == nil {
		// Sized for every instance at once: growing a map and a slice
		// of 10,000 was a tenth of a one-edit plan.
		at = make(map[string]int, in.Count)
		r.at[in.Path][in.Start] = at
		r.inst[in.Path][in.Start] = make([]instRec, 0, in.Count)
	}
	if i, ok := at[key]; ok { // a load that started again
		r.inst[in.Path][in.Start][i].Sum = sum
		return key, sum
	}
	at[key] = len(r.inst[in.Path][in.Start])
	r.inst[in.Path][in.Start] = append(r.inst[in.Path][in.Start], instRec{Key: key, Sum: sum})
	return key, sum
}

// fill sets the locals a block reads and its instances (named from the
// partitions it declared, by each.key) in eb; false when they do not
// match.
// kept names the instances taken as applied, by key (nil: none).
func (r *instRecorder) fill(eb *evalBlock, path string, start int, parts []*schema.Partition, kept map[string]string) bool {
	in := r.refs[path][start]
	if in == nil {
		return true
	}
	eb.ForEachLocals, eb.BodyLocals = in.forEach, in.body
	recs := append([]instRec(nil), r.inst[path][start]...)
	if len(recs) != len(parts)+len(kept) {
		return false
	}
	for i := range recs {
		if n, ok := kept[recs[i].Key]; ok {
			recs[i].Name = n
		}
	}
	byKey := make(map[string]int, len(recs))
	for i, x := range recs {
		byKey[x.Key] = i
	}
	for _, p := range parts {
		i, ok := byKey[p.EachKey]
		if !ok {
			return false
		}
		recs[i].Name = recordName(p.Name)
		delete(byKey, p.EachKey)
	}
	eb.Inst = recs
	return true
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
		// Every record named once: the plan trusts it without a set.
		ok, seen := true, make(map[string]bool, len(recs))
		for _, f := range eval.Files {
			for _, b := range f.Blocks {
				for _, n := range b.Names {
					if recs[n] == nil || seen[n] {
						ok = false
					}
					seen[n] = true
				}
			}
		}
		if ok {
			c.Eval = eval
		}
	}
	return encodePlanCache(c)
}

// warns reports whether the table keeps warnings.
func (t *evalTable) warns() bool {
	if t == nil {
		return false
	}
	for _, f := range t.Files {
		for _, b := range f.Blocks {
			if len(b.Diags) > 0 {
				return true
			}
		}
	}
	return false
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
func (c *planCache) partClean(name string, out *dirStat, dirs map[string]bool) bool {
	p, ok := c.Parts[name]
	if !ok {
		return false
	}
	path := filepath.Join(out.dir, p.File)
	st, ok := out.lstamp(p.File)
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
	// byName and byPath index paths by name and by path.
	byName, byPath map[string]int
	src            map[string][]byte
	shas           map[string]string
	// stamps are the files' stamps, taken before each was read.
	stamps map[string]stamp
	digest string // inputDigest
	// Once split() returns true, every file is a native-syntax file
	// SplitBlocks cut: its blocks, the SHA-256 of each partition block
	// (by index in blocks) and the context digest are set.
	splitDone chan struct{}
	splitOK   bool
	// rec records what the instances that read locals depended on, in
	// the full load.
	rec instRecorder
	// base is the context digest without the locals blocks ("" when
	// another global block reads a local).
	base   string
	blocks map[string][]schema.TopBlock
	sums   map[string][]string
	ctx    string
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
	rd := &configRead{paths: paths, names: names, src: make(map[string][]byte, len(paths)), shas: make(map[string]string, len(paths)),
		byName: make(map[string]int, len(paths)), byPath: make(map[string]int, len(paths)), stamps: make(map[string]stamp, len(paths))}
	for i := range paths {
		rd.byName[names[i]], rd.byPath[paths[i]] = i, i
	}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			rd.stamps[p] = toStamp(fi)
		}
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
//
// It also computes the base digest, the same without the locals blocks:
// when only locals changed, a partition whose block is unchanged changed
// only if a local it reads did (see incremental.go). localsRead says a
// block other than a partition or locals block reads a local (then the
// base digest does not say that everything but the locals is the same).
func (rd *configRead) splitBlocks(opts schema.LoadOptions) {
	blocks := make(map[string][]schema.TopBlock, len(rd.paths))
	sumsOf := make(map[string][]string, len(rd.paths))
	ctxs := make(map[string]string, len(rd.paths))
	bases := make(map[string]string, len(rd.paths))
	localsRead := false
	for _, p := range rd.paths {
		if !strings.HasSuffix(p, ".hcl") {
			return
		}
		src := rd.src[p]
		bs, ok := schema.SplitBlocks(src)
		if !ok {
			return
		}
		h, hb := sha256.New(), sha256.New()
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
			if b.Type != "locals" {
				hb.Write(n[:])
				hb.Write(src[b.Start:b.End])
				localsRead = localsRead || bytes.Contains(src[b.Start:b.End], []byte("local"))
			}
		}
		blocks[p], sumsOf[p], ctxs[p], bases[p] = bs, sums, hex.EncodeToString(h.Sum(nil)), hex.EncodeToString(hb.Sum(nil))
	}
	d, err := schema.InputDigestKnown(opts, ctxs, true)
	if err != nil {
		return
	}
	if b, err := schema.InputDigestKnown(opts, bases, true); err == nil && !localsRead {
		rd.base = b + "+base+" + EngineVersion
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
	if i, ok := rd.byName[name]; ok {
		return rd.paths[i]
	}
	return ""
}

// fileIndex is the index of a configuration file's path in rd.paths (-1:
// none). Lookups are by map: a configuration may be ten thousand files of
// one partition each, and these run per partition.
func (rd *configRead) fileIndex(path string) int {
	if i, ok := rd.byPath[path]; ok {
		return i
	}
	return -1
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
	heads := headsOf(rd, sources)
	if heads == nil {
		return nil
	}
	names := map[string]map[int][]string{}
	byBlock := map[string]map[int][]*schema.Partition{}
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
		if byBlock[path] == nil {
			byBlock[path] = map[int][]*schema.Partition{}
		}
		byBlock[path][i] = append(byBlock[path][i], p)
	}
	kept, flagged, ok := keptDiags(rd, diags)
	if !ok {
		return nil
	}
	t := &evalTable{Context: rd.ctx, Base: rd.base, Sigs: map[string]string{}}
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
			if !rd.rec.fill(&eb, path, b.Start, byBlock[path][i], nil) {
				return nil
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

// headsOf maps, per file, each top-level block's start to its header in
// sources (nil when a file has none).
func headsOf(rd *configRead, sources map[string]*hcl.File) map[string]map[int]*hclsyntax.Block {
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
	return heads
}

// keptDiags sorts diags by the partition block they are in (by file and
// block index): those kept with it, and the blocks with one that cannot
// be. ok is false for a diagnostic outside every partition block.
func keptDiags(rd *configRead, diags hcl.Diagnostics) (kept map[string]map[int][]blockDiag, flagged map[string]map[int]bool, ok bool) {
	kept, flagged = map[string]map[int][]blockDiag{}, map[string]map[int]bool{}
	for _, d := range diags {
		if d.Subject == nil {
			return nil, nil, false
		}
		path := rd.pathOf(d.Subject.Filename)
		i := rd.blockOf(path, d.Subject.Start.Byte)
		if path == "" || i < 0 || rd.blocks[path][i].Type != "partition" {
			return nil, nil, false
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
	return kept, flagged, true
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
	opts.Instance = rd.rec.hook
	return opts
}

// prefetch reads the cached location of a configuration and the plan
// cache of its state while the configuration is read and hashed: which
// of them the plan may use is decided after (the digests must match).
type prefetch struct {
	done chan struct{}
	loc  cachedLoc
	ok   bool
	meta state.Meta
	pc   *planCache
	err  error
}

func prefetchCache(req Request) *prefetch {
	p := &prefetch{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		if p.loc, p.ok = readCachedLoc(req); p.ok {
			p.meta, p.pc, p.err = readPlanCache(p.loc.Loc.StatePath)
		}
	}()
	return p
}

// location waits for the prefetch and returns the cached location.
func (p *prefetch) location() (cachedLoc, bool) {
	if p == nil {
		return cachedLoc{}, false
	}
	<-p.done
	return p.loc, p.ok
}

// cache returns readPlanCache(statePath), from the prefetch when it read
// that state.
func (p *prefetch) cache(statePath string) (state.Meta, *planCache, error) {
	if c, ok := p.location(); ok && c.Loc.StatePath == statePath {
		return p.meta, p.pc, p.err
	}
	return readPlanCache(statePath)
}
