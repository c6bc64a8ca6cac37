package schema

import (
	"bytes"
	"runtime"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/sessctl/sessctl/internal/warning"
)

// A streamed load (LoadOptions.Stream) parses each large native-syntax
// file in spans of whole top-level blocks cut by SplitBlocks, as
// parse_chunks.go does, but parses the spans of partition blocks only
// while decodePartitions walks them, a few spans ahead on other cores,
// and drops each span's syntax tree once its partitions are decoded. The
// other blocks (settings, variables, locals, profiles) are parsed first,
// since every partition may use them. What stays of a partition block in
// Config.Sources is its header (streamStub), enough for diagnostics'
// "in partition ..." context and for the engine to tell which files hold
// only partitions.
//
// The streamed load gives up (ok false) on any error diagnostic and on any
// span whose parse is not exactly the blocks SplitBlocks saw; the caller
// then loads without streaming, so error output is the whole-file load's.

// streamSpanBytes is the size of a span of partition blocks (a few
// blocks): large enough that handing spans to goroutines costs nothing
// next to parsing them, small enough that the tokens hcl's lexer
// accumulates in one slice for a span (about 100 bytes per token, grown by
// append) stay small. Measured with BenchmarkLoadLiteral at 10,000
// partitions: 1.59 GB allocated with 8 KiB spans, 1.63 GB with 16 KiB,
// 1.84 GB with 32 KiB or 256 KiB, for the same time.
var streamSpanBytes = 8 << 10

// streamAhead, when positive, replaces GOMAXPROCS as the number of spans
// parsed ahead (tests).
var streamAhead = 0

// streamStats counts, for tests, the spans a streamed load parsed and the
// most that were parsed (or being parsed) and not yet closed at once.
var streamStats struct {
	sync.Mutex
	parsed, open, maxOpen int
}

// streamSpan is a run of consecutive partition blocks of one file.
type streamSpan struct {
	sf       *streamFile
	first    int // index of its first block in sf.blocks
	blocks   []TopBlock
	from, to int
	pos      hcl.Pos
	res      chan spanParse
}

type spanParse struct {
	f     *hcl.File
	diags hcl.Diagnostics
	ok    bool
}

// streamFile is a file being streamed: its source, SplitBlocks' blocks and
// the body that ends up in Config.Sources.
type streamFile struct {
	name   string
	path   string // absolute, for LoadOptions.Skip
	src    []byte
	blocks []TopBlock
	body   *hclsyntax.Body // Blocks filled as spans are parsed
	// firstRange and lastRange are the body ranges of the first and last
	// spans, for the whole body's SrcRange and EndRange.
	firstRange, lastRange, lastEnd hcl.Range
}

// streamer parses spans ahead of the decoder on a bounded number of
// goroutines: at most one span per processor is parsed and not yet
// decoded, which bounds the syntax trees alive at once.
type streamer struct {
	sfiles []*streamFile
	spans  []*streamSpan
	sem    chan struct{}
	stop   chan struct{}
	once   sync.Once
}

// loadStreaming is loadSources for LoadOptions.Stream; ok false means the
// caller must load without streaming.
func loadStreaming(dir string, srcs []srcFile, opts LoadOptions) (cfg *Config, diags hcl.Diagnostics, ok bool) {
	l := newLoader(dir, opts, len(srcs))
	l.pathsOf(srcs)
	st := &streamer{}
	l.stream = st
	defer st.halt()
	cfg = &Config{Dir: dir, Sources: l.sources}
	var top topBlocks
	for _, s := range srcs {
		if sf, ok := l.streamable(s); ok {
			if !st.plan(l, sf, &top) {
				return nil, nil, false
			}
			continue
		}
		if opts.Skip != nil {
			return nil, nil, false // blocks cannot be left out of this file
		}
		if f := l.parseSource(s); f != nil {
			top.add(l, f.Body)
		}
	}
	if l.diags.HasErrors() {
		return nil, nil, false
	}
	if !opts.SettingsOnly {
		st.start()
	}
	cfg, ok = l.decode(cfg, &top)
	if !ok || l.diags.HasErrors() {
		return nil, nil, false
	}
	for _, sf := range st.sfiles {
		if opts.Skip != nil {
			sf.leftOut()
		}
		sf.body.SrcRange = hcl.RangeBetween(sf.firstRange, sf.lastRange)
		sf.body.EndRange = sf.lastEnd
	}
	return cfg, warning.Dedupe(cfg.AcknowledgeWarnings(nil, l.diags)), true
}

// streamable reports whether s is worth streaming and cut into blocks.
// A selective load (LoadOptions.Skip) streams every native file.
func (l *loader) streamable(s srcFile) (*streamFile, bool) {
	selective := l.opts.Skip != nil
	if s.json || !selective && len(s.bytes) < chunkParseMinBytes {
		return nil, false
	}
	if d := checkNesting(s.bytes, s.name); d.HasErrors() {
		return nil, false // parseSource reports it
	}
	blocks, ok := s.blocks, s.blocks != nil
	if !ok {
		blocks, ok = SplitBlocks(s.bytes)
	}
	if !ok || !selective && len(blocks) < 2 {
		return nil, false
	}
	return &streamFile{name: s.name, path: s.path, src: s.bytes, blocks: blocks}, true
}

// leftOut drops the blocks a selective load skipped from the file's body
// and gives the body the whole file's range when its first or last
// block was skipped.
func (sf *streamFile) leftOut() {
	kept := sf.body.Blocks[:0]
	for _, b := range sf.body.Blocks {
		if b != nil {
			kept = append(kept, b)
		}
	}
	sf.body.Blocks = kept
	if sf.firstRange.Filename == "" {
		sf.firstRange = hcl.Range{Filename: sf.name, Start: hcl.InitialPos, End: hcl.InitialPos}
	}
	if sf.lastRange.Filename == "" {
		end := hcl.Pos{Line: 1 + countNL(sf.src), Column: 1 + len(sf.src) - (bytes.LastIndexByte(sf.src, '\n') + 1), Byte: len(sf.src)}
		sf.lastRange = hcl.Range{Filename: sf.name, Start: end, End: end}
		sf.lastEnd = sf.lastRange
	}
}

// plan parses sf's runs of non-partition blocks now and queues its runs of
// partition blocks as spans, filing both in top in source order.
func (st *streamer) plan(l *loader, sf *streamFile, top *topBlocks) bool {
	// The Sources entry: a body whose navigation is hcl's own (from an
	// empty parse), its blocks the file's, filled in as they are parsed.
	empty, _ := hclsyntax.ParseConfig(nil, sf.name, hcl.InitialPos)
	body, ok := empty.Body.(*hclsyntax.Body)
	if !ok {
		return false
	}
	body.Blocks = make(hclsyntax.Blocks, len(sf.blocks))
	sf.body = body
	st.sfiles = append(st.sfiles, sf)
	l.sources[sf.name] = &hcl.File{Body: body, Bytes: sf.src, Nav: empty.Nav}
	skip := func(i int) bool {
		return l.opts.Skip != nil && sf.blocks[i].Type == "partition" && l.opts.Skip(sf.path, sf.blocks[i])
	}
	for i := 0; i < len(sf.blocks); {
		if skip(i) {
			i++
			continue
		}
		isPart := sf.blocks[i].Type == "partition"
		j, size := i, 0
		for j < len(sf.blocks) && (sf.blocks[j].Type == "partition") == isPart && !skip(j) {
			if isPart && j > i && size >= streamSpanBytes {
				break
			}
			size += sf.blocks[j].End - sf.blocks[j].Start
			j++
		}
		sp := &streamSpan{sf: sf, first: i, blocks: sf.blocks[i:j], pos: hcl.InitialPos, to: len(sf.src)}
		if i > 0 {
			b := sf.blocks[i]
			sp.from, sp.pos = b.Start, hcl.Pos{Line: b.Line, Column: 1, Byte: b.Start}
		}
		if j < len(sf.blocks) {
			sp.to = sf.blocks[j].Start
		}
		if isPart {
			sp.res = make(chan spanParse, 1)
			st.spans = append(st.spans, sp)
			top.partitions = append(top.partitions, partItem{span: sp})
		} else {
			r := sp.parse()
			if !r.ok || len(r.diags) > 0 {
				return false
			}
			sp.keep(r.f, false)
			top.add(l, r.f.Body)
		}
		i = j
	}
	return true
}

// parse parses the span alone, with its real start position.
func (sp *streamSpan) parse() (r spanParse) {
	defer func() {
		if recover() != nil {
			r = spanParse{}
		}
	}()
	f, d := parseSpan(sp.sf.src[sp.from:sp.to:sp.to], sp.sf.name, sp.pos)
	return spanParse{f: f, diags: d, ok: spanMatches(f, sp.blocks) && onlyLabelTemplates(f, d)}
}

// keep files the span's blocks in the file's body: whole, or as headers.
func (sp *streamSpan) keep(f *hcl.File, stub bool) {
	sf := sp.sf
	b := f.Body.(*hclsyntax.Body)
	for i, blk := range b.Blocks {
		if stub {
			blk = streamStub(blk)
		}
		sf.body.Blocks[sp.first+i] = blk
	}
	if sp.first == 0 {
		sf.firstRange = b.SrcRange
	}
	if sp.first+len(sp.blocks) == len(sf.blocks) {
		sf.lastRange, sf.lastEnd = b.SrcRange, b.EndRange
	}
}

// streamStub is what Config.Sources keeps of a streamed partition block:
// its type, labels and ranges, with an empty body.
func streamStub(b *hclsyntax.Block) *hclsyntax.Block {
	return &hclsyntax.Block{
		Type:            b.Type,
		Labels:          b.Labels,
		TypeRange:       b.TypeRange,
		LabelRanges:     b.LabelRanges,
		OpenBraceRange:  b.OpenBraceRange,
		CloseBraceRange: b.CloseBraceRange,
		Body:            &hclsyntax.Body{SrcRange: b.Body.SrcRange, EndRange: b.Body.EndRange},
	}
}

// start begins parsing the queued spans in order, one goroutine per span,
// at most GOMAXPROCS of them parsed and not yet closed.
func (st *streamer) start() {
	if len(st.spans) == 0 {
		return
	}
	ahead := runtime.GOMAXPROCS(0)
	if streamAhead > 0 {
		ahead = streamAhead
	}
	st.sem = make(chan struct{}, max(1, ahead))
	st.stop = make(chan struct{})
	go func() {
		for _, sp := range st.spans {
			select {
			case st.sem <- struct{}{}:
			case <-st.stop:
				return
			}
			streamStats.Lock()
			streamStats.parsed++
			streamStats.open++
			streamStats.maxOpen = max(streamStats.maxOpen, streamStats.open)
			streamStats.Unlock()
			go func() { sp.res <- sp.parse() }()
		}
	}()
}

// halt stops parsing ahead (spans being parsed finish into their buffered
// channels and are dropped).
func (st *streamer) halt() {
	if st.stop != nil {
		st.once.Do(func() { close(st.stop) })
	}
}

// open waits for the span's parse and returns its blocks for decoding; ok
// is false when the span must not be used.
func (st *streamer) open(sp *streamSpan, l *loader) ([]*hcl.Block, bool) {
	r := <-sp.res
	if !r.ok {
		return nil, false
	}
	// Ranges are offsets in the whole file: so must be the bytes.
	d := l.setAsideLabelTemplates(&hcl.File{Body: r.f.Body, Bytes: sp.sf.src}, r.diags)
	l.diags = append(l.diags, d...)
	var top topBlocks
	top.add(l, r.f.Body)
	if l.diags.HasErrors() {
		return nil, false
	}
	sp.keep(r.f, true)
	blocks := make([]*hcl.Block, len(top.partitions))
	for i, it := range top.partitions {
		blocks[i] = it.block
	}
	return blocks, len(blocks) == len(sp.blocks)
}

// close releases the span's place among the spans parsed ahead.
func (st *streamer) close(sp *streamSpan) {
	streamStats.Lock()
	streamStats.open--
	streamStats.Unlock()
	<-st.sem
}
