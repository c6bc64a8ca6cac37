package reconcile

import (
	"bytes"
	"hash/maphash"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/schema"
)

// blockLoad is the partial reload of one edited partition-only file that
// decodes only the top-level blocks whose bytes changed (a file holding
// 10,000 partitions costs seconds to parse and decode in full). The old
// and new contents are split with schema.SplitBlocks; the blocks equal at
// the start and at the end are kept with their partition objects and
// built profiles (those after the edit get their ranges moved by the
// lines and bytes the edit added), the changed middle is decoded with
// schema.LoadBlocks. ok is false whenever anything is unusual (the
// splitter unsure, a for_each block in the middle, any error): the caller
// then takes the file-level path, which reports errors as a full load
// does.
func (e *Engine) blockLoad(_ []string, shas map[string]string, changed map[string]bool) (*schema.Config, hcl.Diagnostics, bool) {
	be, ok := e.blockEditOf(shas, changed)
	if !ok || !be.align() || !e.sortOld(be) {
		return nil, nil, false
	}
	sub, kept, nameOwner, ok := e.decodeMid(be)
	if !ok {
		return nil, nil, false
	}
	cfg := e.mergedConfig(sub, be.removed)
	// Ranges move before the build so that configuration-wide checks
	// name the right lines; they move back if the edit is not taken.
	for _, x := range be.shifted {
		x.p.ShiftRanges(be.name, x.d.line, x.d.byte)
	}
	fresh := sub.Partitions
	builtFresh, bd := e.buildFresh(cfg, fresh)
	if bd.HasErrors() {
		for _, x := range be.shifted {
			x.p.ShiftRanges(be.name, -x.d.line, -x.d.byte)
		}
		return nil, nil, false
	}
	kept = append(kept, bd...)
	e.LastStats.Reload = "partial"
	e.LastStats.FilesDecoded = len(sub.Files)
	e.LastStats.BlockReload = true
	e.LastStats.BlocksDecoded = len(be.mid)
	e.commitBuilt(be.removed, fresh, builtFresh)
	e.commitBlockEdit(be, cfg, fresh, nameOwner)
	return cfg, kept, true
}

// blockEdit is one edited partition-only file on its way through
// blockLoad.
type blockEdit struct {
	file, name, base, sum string
	old                   *hcl.File // the file's source as last decoded
	src                   []byte    // its new content
	ob, nb                []schema.TopBlock
	rs                    schema.Resplit
	// mid are the new blocks to decode; keptAt maps an old middle block
	// kept as is to its move; tail is the index of the first old tail
	// block.
	mid    []schema.TopBlock
	keptAt map[int]delta
	tail   int
	// removed are the old partitions whose block went; shifted those
	// kept whose ranges move.
	removed map[*schema.Partition]bool
	shifted []shift
}

type delta struct{ line, byte int }

type shift struct {
	p *schema.Partition
	d delta
}

// blockEditOf returns the one changed file when blockLoad can take it: a
// partition-only HCL file of the last good configuration, whose new
// bytes are the ones hashed this cycle.
func (e *Engine) blockEditOf(shas map[string]string, changed map[string]bool) (*blockEdit, bool) {
	if len(changed) != 1 || e.cfg == nil {
		return nil, false
	}
	be := &blockEdit{}
	for f := range changed {
		be.file = f
	}
	cf := e.files[be.file]
	sum, exists := shas[be.file]
	if cf == nil || cf.global || !exists || filepath.Ext(be.file) != ".hcl" {
		return nil, false
	}
	be.sum = sum
	path := e.req.Load.Path
	if path == "" {
		path = "."
	}
	be.base = filepath.Base(be.file)
	be.name = filepath.Join(path, be.base)
	be.old = e.cfg.Sources[be.name]
	if be.old == nil || fileOfRange(e.req.Load.Path, e.cfg.Dir, be.name) != be.file {
		return nil, false
	}
	// The bytes hashed this cycle, if the hash was not vouched for by
	// the stamp alone; then read again, and they must still hash alike.
	be.src = e.read[be.file]
	if be.src == nil {
		var err error
		if be.src, err = os.ReadFile(be.file); err != nil {
			return nil, false
		}
		if sha256Hex(be.src) != sum {
			return nil, false // saved again since it was hashed
		}
	}
	var ok bool
	if be.ob, ok = e.splits[be.file].of(be.old.Bytes); !ok {
		be.ob, ok = schema.SplitBlocks(be.old.Bytes)
	}
	return be, ok
}

// align re-splits only around the edit: the blocks before it (Head) and
// after it (Tail, moved by the bytes and lines the edit added) are the
// old ones. The middle blocks are aligned: walking the new ones in order,
// a block whose bytes equal an old block's at or after the current old
// one is kept (the old blocks skipped are removed); any other is to be
// decoded. Blocks are kept only in order, so a moved block is decoded
// again: costly but right.
func (be *blockEdit) align() bool {
	old, ob, src := be.old.Bytes, be.ob, be.src
	rs, ok := schema.ResplitBlocks(old, ob, src)
	if !ok {
		return false
	}
	be.rs, be.nb = rs, rs.Blocks
	oldMid := ob[rs.Head : len(ob)-rs.Tail]
	newMid := be.nb[rs.Head : len(be.nb)-rs.Tail]
	for _, b := range newMid {
		// Head and tail blocks were partitions when they were decoded.
		if b.Type != "partition" {
			return false
		}
	}
	seed := maphash.MakeSeed()
	byBytes := make(map[uint64][]int, len(oldMid))
	for i, b := range oldMid {
		k := maphash.Bytes(seed, old[b.Start:b.End])
		byBytes[k] = append(byBytes[k], rs.Head+i)
	}
	be.keptAt = make(map[int]delta, len(oldMid)) // old middle block index -> its move
	next := rs.Head
	for _, n := range newMid {
		k := maphash.Bytes(seed, src[n.Start:n.End])
		match := -1
		for _, i := range byBytes[k] {
			if i >= next && bytes.Equal(old[ob[i].Start:ob[i].End], src[n.Start:n.End]) {
				match = i
				break
			}
		}
		if match < 0 {
			if bytes.Contains(src[n.Start:n.End], []byte("for_each")) {
				return false
			}
			be.mid = append(be.mid, n)
			continue
		}
		be.keptAt[match] = delta{n.Line - ob[match].Line, n.Start - ob[match].Start}
		next = match + 1
	}
	be.tail = len(ob) - rs.Tail
	return true
}

// sortOld sorts the file's old partitions by block: kept (moved by its
// block's delta) or removed. A partition starts where its block's type
// does; ob is sorted by Start.
func (e *Engine) sortOld(be *blockEdit) bool {
	be.removed = map[*schema.Partition]bool{}
	ob := be.ob
	for _, p := range e.byFile[be.file] {
		at := p.DeclRange.Start.Byte
		i := sort.Search(len(ob), func(i int) bool { return ob[i].Start >= at })
		if i == len(ob) || ob[i].Start != at || p.DeclRange.Filename != be.name {
			return false
		}
		var d delta
		switch {
		case i < be.rs.Head:
			continue // before the edit: unchanged
		case i >= be.tail:
			d = delta{be.rs.LineDelta, be.rs.ByteDelta}
		default:
			var ok bool
			if d, ok = be.keptAt[i]; !ok {
				be.removed[p] = true
				continue
			}
		}
		if d != (delta{}) {
			be.shifted = append(be.shifted, shift{p, d})
		}
	}
	return true
}

// decodeMid decodes the middle blocks with the global files and checks
// their names against the partitions that stay. It returns the decoded
// sub-configuration, its diagnostics about the edited file (those of the
// global files were reported when they were loaded) and the owner of each
// new name.
func (e *Engine) decodeMid(be *blockEdit) (*schema.Config, hcl.Diagnostics, map[string]string, bool) {
	var names []string
	for p, f := range e.files {
		if f.global {
			names = append(names, filepath.Base(p))
		}
	}
	sort.Strings(names)
	sub, diags, ok := schema.LoadBlocks(e.req.Load, names, be.base, be.src, be.mid)
	if !ok || sub == nil || diags.HasErrors() {
		return nil, nil, nil, false
	}
	var kept hcl.Diagnostics
	for _, d := range diags {
		if d.Subject != nil && d.Subject.Filename == be.name {
			kept = append(kept, d)
		}
	}
	nameOwner := make(map[string]string, len(sub.Partitions))
	for _, p := range sub.Partitions {
		if p.DeclRange.Filename != be.name {
			return nil, nil, nil, false // a global file's partition: not expected
		}
		n := normName(p.Name)
		if _, dup := nameOwner[n]; dup {
			return nil, nil, nil, false
		}
		if owner, taken := e.nameOwner[n]; taken {
			if owner != be.file || !removesName(be.removed, n) {
				// Another file's: the full load reports the duplicate.
				// This file's: only fine if that partition is removed.
				return nil, nil, nil, false
			}
		}
		nameOwner[n] = be.file
	}
	return sub, kept, nameOwner, true
}

func removesName(removed map[*schema.Partition]bool, n string) bool {
	for q := range removed {
		if normName(q.Name) == n {
			return true
		}
	}
	return false
}

// mergedConfig is the last good configuration without the removed
// partitions and with sub's, in name order, with sub's sources.
func (e *Engine) mergedConfig(sub *schema.Config, removed map[*schema.Partition]bool) *schema.Config {
	kept := make([]*schema.Partition, 0, len(e.parts))
	for _, p := range e.parts {
		if !removed[p] {
			kept = append(kept, p)
		}
	}
	fs := append([]*schema.Partition(nil), sub.Partitions...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	parts := make([]*schema.Partition, 0, len(kept)+len(fs))
	for i, j := 0, 0; i < len(kept) || j < len(fs); {
		if j == len(fs) || i < len(kept) && kept[i].Name <= fs[j].Name {
			parts = append(parts, kept[i])
			i++
		} else {
			parts = append(parts, fs[j])
			j++
		}
	}
	cfg := &schema.Config{Dir: sub.Dir, Settings: sub.Settings, Partitions: parts, Files: e.cfg.Files,
		Sources: make(map[string]*hcl.File, len(e.cfg.Sources)), Inputs: mergeInputs(e.cfg.Inputs, sub.Inputs)}
	for k, v := range e.cfg.Sources {
		cfg.Sources[k] = v
	}
	// The edited file's source (from sub) holds its whole new content,
	// for snippets and the next edit's split, with an empty body.
	for k, v := range sub.Sources {
		cfg.Sources[k] = v
	}
	return cfg
}

// commitBlockEdit makes cfg the engine's configuration after blockLoad
// decoded and built the edit.
func (e *Engine) commitBlockEdit(be *blockEdit, cfg *schema.Config, fresh []*schema.Partition, nameOwner map[string]string) {
	var ps []*schema.Partition
	for _, p := range e.byFile[be.file] {
		if !be.removed[p] {
			ps = append(ps, p)
		} else if n := normName(p.Name); e.nameOwner[n] == be.file {
			delete(e.nameOwner, n)
		}
	}
	e.byFile[be.file] = append(ps, fresh...)
	for n, f := range nameOwner {
		e.nameOwner[n] = f
	}
	files := make(map[string]*cfgFile, len(e.files))
	for p, f := range e.files {
		files[p] = f
	}
	files[be.file] = &cfgFile{sha: be.sum}
	e.cfg, e.files, e.parts = cfg, files, cfg.Partitions
	if e.splits == nil {
		e.splits = map[string]blockSplit{}
	}
	clear(e.splits) // one entry: only the file edited last is kept
	e.splits[be.file] = blockSplit{be.src, be.nb}
}

// blockSplit is SplitBlocks(src).
type blockSplit struct {
	src    []byte
	blocks []schema.TopBlock
}

// of returns the cached split when b is the very slice it was made of.
func (s blockSplit) of(b []byte) ([]schema.TopBlock, bool) {
	if len(b) == 0 || len(s.src) != len(b) || &s.src[0] != &b[0] {
		return nil, false
	}
	return s.blocks, true
}
