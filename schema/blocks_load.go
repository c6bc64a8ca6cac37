package schema

import (
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// LoadBlocks is LoadFiles for the files named in names plus some
// top-level blocks of one more native-syntax file: file is its base name,
// src its whole content and blocks entries of SplitBlocks(src), in order.
// Only those blocks are parsed and decoded; the partitions and
// diagnostics come back with the ranges they have in the whole file.
// reconcile's Engine uses it when a few partitions of a large file were
// saved.
//
// The blocks are parsed together from a compact source, one after the
// other, each on a line of its own at column 1 (hcl's parser entry points
// used by the loader start at line 1, byte 0). Since each block starts at
// column 1 in src too, every position in it differs from its position in
// src by a whole number of lines and bytes, which ShiftRanges adds back.
// The returned Config's source for file holds src, with an empty body.
//
// ok is false when the blocks cannot be decoded this way (the parse does
// not give back exactly those blocks, all of type partition, without a
// diagnostic); the caller must then load the whole file.
func LoadBlocks(opts LoadOptions, names []string, file string, src []byte, blocks []TopBlock) (cfg *Config, diags hcl.Diagnostics, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			cfg, diags, ok = nil, nil, false
		}
	}()
	if file != filepath.Base(file) || !isConfigName(file) || filepath.Ext(file) != ".hcl" {
		return nil, nil, false
	}
	var compact []byte
	type move struct{ at, dLine, dByte int } // compact start, shift
	moves := make([]move, len(blocks))
	line := 1
	for i, b := range blocks {
		if b.Type != "partition" || b.Start < 0 || b.End > len(src) || b.Start >= b.End ||
			i > 0 && blocks[i-1].End > b.Start || b.Start > 0 && src[b.Start-1] != '\n' {
			return nil, nil, false
		}
		moves[i] = move{len(compact), b.Line - line, b.Start - len(compact)}
		compact = append(compact, src[b.Start:b.End]...)
		compact = append(compact, '\n')
		line += countNL(src[b.Start:b.End]) + 1
	}
	var kept []string
	for _, n := range names {
		if n != file {
			kept = append(kept, n)
		}
	}
	dir, srcs, paths, rd := readSubset(opts, kept)
	if rd != nil {
		return nil, rd, false
	}
	path := opts.Path
	if path == "" {
		path = "."
	}
	name := filepath.Join(path, file)
	// The blocks' own parse is checked first: it must give back exactly
	// the blocks the splitter found.
	f, pd := hclsyntax.ParseConfig(compact, name, hcl.InitialPos)
	if len(pd) > 0 || f == nil {
		return nil, nil, false
	}
	body, isNative := f.Body.(*hclsyntax.Body)
	if !isNative || len(body.Attributes) != 0 || len(body.Blocks) != len(blocks) {
		return nil, nil, false
	}
	for i, b := range body.Blocks {
		end := moves[i].at + blocks[i].End - blocks[i].Start
		if b.Type != "partition" || b.TypeRange.Start.Byte != moves[i].at || b.CloseBraceRange.End.Byte != end {
			return nil, nil, false
		}
	}
	srcs = append(srcs, srcFile{name: name, bytes: compact})
	paths = append(paths, filepath.Join(dir, file))
	sort.SliceStable(srcs, func(i, j int) bool { return filepath.Base(srcs[i].name) < filepath.Base(srcs[j].name) })
	sort.Strings(paths)
	cfg, diags = loadSources(dir, srcs, opts)
	if cfg == nil {
		return nil, diags, false
	}
	cfg.Files = paths
	if _, ok := cfg.Sources[name]; !ok {
		return nil, nil, false
	}
	cfg.Sources[name] = &hcl.File{Bytes: src, Body: hcl.EmptyBody()}
	// Back to the positions of src: by the block each range starts in.
	at := func(byteOff int) (move, bool) {
		i := sort.Search(len(moves), func(i int) bool { return moves[i].at > byteOff }) - 1
		if i < 0 {
			return move{}, false
		}
		return moves[i], true
	}
	for _, p := range cfg.Partitions {
		if p.DeclRange.Filename != name {
			continue
		}
		m, found := at(p.DeclRange.Start.Byte)
		if !found {
			return nil, nil, false
		}
		p.ShiftRanges(name, m.dLine, m.dByte)
	}
	sh := func(r *hcl.Range) *hcl.Range {
		if r == nil || r.Filename != name {
			return r
		}
		m, found := at(r.Start.Byte)
		if !found {
			return r
		}
		c := *r
		shifter{name, m.dLine, m.dByte}.r(&c)
		return &c
	}
	for _, d := range diags {
		d.Subject = sh(d.Subject)
		d.Context = sh(d.Context)
	}
	return cfg, diags, true
}
