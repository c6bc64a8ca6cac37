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
	if len(changed) != 1 || e.cfg == nil {
		return nil, nil, false
	}
	var file string
	for f := range changed {
		file = f
	}
	cf := e.files[file]
	sum, exists := shas[file]
	if cf == nil || cf.global || !exists || filepath.Ext(file) != ".hcl" {
		return nil, nil, false
	}
	opts := e.req.Load
	path := opts.Path
	if path == "" {
		path = "."
	}
	base := filepath.Base(file)
	name := filepath.Join(path, base)
	old := e.cfg.Sources[name]
	if old == nil || fileOfRange(opts.Path, e.cfg.Dir, name) != file {
		return nil, nil, false
	}
	// The bytes hashed this cycle, if the hash was not vouched for by
	// the stamp alone; then read again, and they must still hash alike.
	src := e.read[file]
	if src == nil {
		var err error
		if src, err = os.ReadFile(file); err != nil {
			return nil, nil, false
		}
		if sha256Hex(src) != sum {
			return nil, nil, false // saved again since it was hashed
		}
	}
	ob, ok1 := e.splits[file].of(old.Bytes)
	if !ok1 {
		ob, ok1 = schema.SplitBlocks(old.Bytes)
	}
	if !ok1 {
		return nil, nil, false
	}
	// Re-split only around the edit: the blocks before it (Head) and
	// after it (Tail, moved by the bytes and lines the edit added) are
	// the old ones; only the middle is aligned and decoded.
	rs, ok2 := schema.ResplitBlocks(old.Bytes, ob, src)
	if !ok2 {
		return nil, nil, false
	}
	nb := rs.Blocks
	oldMid := ob[rs.Head : len(ob)-rs.Tail]
	newMid := nb[rs.Head : len(nb)-rs.Tail]
	for _, b := range newMid {
		// Head and tail blocks were partitions when they were decoded.
		if b.Type != "partition" {
			return nil, nil, false
		}
	}
	// Align the middle blocks: walking the new ones in order, a block
	// whose bytes equal an old block's at or after the current old one
	// is kept (the old blocks skipped are removed); any other is
	// decoded. Blocks are kept only in order, so a moved block is
	// decoded again: costly but right.
	type delta struct{ line, byte int }
	seed := maphash.MakeSeed()
	byBytes := make(map[uint64][]int, len(oldMid))
	for i, b := range oldMid {
		k := maphash.Bytes(seed, old.Bytes[b.Start:b.End])
		byBytes[k] = append(byBytes[k], rs.Head+i)
	}
	keptAt := make(map[int]delta, len(oldMid)) // old middle block index -> its move
	var mid []schema.TopBlock
	next := rs.Head
	for _, n := range newMid {
		k := maphash.Bytes(seed, src[n.Start:n.End])
		match := -1
		for _, i := range byBytes[k] {
			if i >= next && bytes.Equal(old.Bytes[ob[i].Start:ob[i].End], src[n.Start:n.End]) {
				match = i
				break
			}
		}
		if match < 0 {
			if bytes.Contains(src[n.Start:n.End], []byte("for_each")) {
				return nil, nil, false
			}
			mid = append(mid, n)
			continue
		}
		keptAt[match] = delta{n.Line - ob[match].Line, n.Start - ob[match].Start}
		next = match + 1
	}
	tail := len(ob) - rs.Tail
	tailMove := delta{rs.LineDelta, rs.ByteDelta}
	// Old partitions by block: kept (moved by its block's delta) or
	// removed. A partition starts where its block's type does; ob is
	// sorted by Start.
	removed := map[*schema.Partition]bool{}
	type shift struct {
		p *schema.Partition
		d delta
	}
	var shifted []shift
	for _, p := range e.byFile[file] {
		at := p.DeclRange.Start.Byte
		i := sort.Search(len(ob), func(i int) bool { return ob[i].Start >= at })
		if i == len(ob) || ob[i].Start != at || p.DeclRange.Filename != name {
			return nil, nil, false
		}
		var d delta
		switch {
		case i < rs.Head:
			continue // before the edit: unchanged
		case i >= tail:
			d = tailMove
		default:
			var ok bool
			if d, ok = keptAt[i]; !ok {
				removed[p] = true
				continue
			}
		}
		if d != (delta{}) {
			shifted = append(shifted, shift{p, d})
		}
	}
	var names []string
	for p, f := range e.files {
		if f.global {
			names = append(names, filepath.Base(p))
		}
	}
	sort.Strings(names)
	sub, diags, ok := schema.LoadBlocks(opts, names, base, src, mid)
	if !ok || sub == nil || diags.HasErrors() {
		return nil, nil, false
	}
	// Warnings of the global files were reported when they were loaded.
	var kept hcl.Diagnostics
	for _, d := range diags {
		if d.Subject != nil && d.Subject.Filename == name {
			kept = append(kept, d)
		}
	}
	fresh := sub.Partitions
	nameOwner := make(map[string]string, len(fresh))
	for _, p := range fresh {
		if p.DeclRange.Filename != name {
			return nil, nil, false // a global file's partition: not expected
		}
		n := normName(p.Name)
		if _, dup := nameOwner[n]; dup {
			return nil, nil, false
		}
		if owner, taken := e.nameOwner[n]; taken {
			if owner != file {
				return nil, nil, false // the full load reports the duplicate
			}
			// Owned by this file: only fine if that partition is removed.
			free := false
			for q := range removed {
				if normName(q.Name) == n {
					free = true
				}
			}
			if !free {
				return nil, nil, false
			}
		}
		nameOwner[n] = file
	}
	kept2 := make([]*schema.Partition, 0, len(e.parts))
	for _, p := range e.parts {
		if !removed[p] {
			kept2 = append(kept2, p)
		}
	}
	fs := append([]*schema.Partition(nil), fresh...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	parts := make([]*schema.Partition, 0, len(kept2)+len(fs))
	for i, j := 0, 0; i < len(kept2) || j < len(fs); {
		if j == len(fs) || i < len(kept2) && kept2[i].Name <= fs[j].Name {
			parts = append(parts, kept2[i])
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
	for k, v := range sub.Sources {
		cfg.Sources[k] = v
	}
	// The file's source holds its whole new content (for snippets and
	// the next edit's split), with an empty body.
	cfg.Sources[name] = sub.Sources[name]
	// Ranges move before the build so that configuration-wide checks
	// name the right lines; they move back if the edit is not taken.
	for _, x := range shifted {
		x.p.ShiftRanges(name, x.d.line, x.d.byte)
	}
	builtFresh, bd := e.buildFresh(cfg, fresh)
	if bd.HasErrors() {
		for _, x := range shifted {
			x.p.ShiftRanges(name, -x.d.line, -x.d.byte)
		}
		return nil, nil, false
	}
	kept = append(kept, bd...)
	e.LastStats.Reload = "partial"
	e.LastStats.FilesDecoded = len(sub.Files)
	e.LastStats.BlockReload = true
	e.LastStats.BlocksDecoded = len(mid)
	e.commitBuilt(removed, fresh, builtFresh)
	var ps []*schema.Partition
	for _, p := range e.byFile[file] {
		if !removed[p] {
			ps = append(ps, p)
		} else if n := normName(p.Name); e.nameOwner[n] == file {
			delete(e.nameOwner, n)
		}
	}
	e.byFile[file] = append(ps, fresh...)
	for n, f := range nameOwner {
		e.nameOwner[n] = f
	}
	files := make(map[string]*cfgFile, len(e.files))
	for p, f := range e.files {
		files[p] = f
	}
	files[file] = &cfgFile{sha: sum}
	e.cfg, e.files, e.parts = cfg, files, parts
	if e.splits == nil {
		e.splits = map[string]blockSplit{}
	}
	clear(e.splits) // one entry: only the file edited last is kept
	e.splits[file] = blockSplit{src, nb}
	return cfg, kept, true
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
