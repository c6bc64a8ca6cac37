package reconcile

import (
	"encoding/binary"
	"errors"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/providers"
)

// The plan cache's stored form: a compact binary encoding, read on every
// plan (gob spent 50 ms decoding ten thousand entries by reflection; this
// takes a few). Decoding checks every length against what is left, so a
// damaged cache is refused, never trusted or panicked on.

var cacheMagic = []byte("sessctl-plan-cache\x00")

type cacheWriter struct {
	b []byte
	// texts numbers the repeated strings (warning summaries and
	// details, the same for thousands of partitions): each is written
	// once, then referred to by number.
	texts map[string]uint64
}

// text writes s, or the number of its first writing.
func (w *cacheWriter) text(s string) {
	if n, ok := w.texts[s]; ok {
		w.uint(n + 1)
		return
	}
	if w.texts == nil {
		w.texts = map[string]uint64{}
	}
	w.texts[s] = uint64(len(w.texts))
	w.uint(0)
	w.str(s)
}

func (w *cacheWriter) strs(l []string) {
	w.count(len(l))
	for _, x := range l {
		w.str(x)
	}
}

func (r *cacheReader) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	l := make([]string, n)
	for i := range l {
		l[i] = r.str()
	}
	return l
}

func (w *cacheWriter) rel(r relRange) {
	for _, v := range []int{r.StartLine, r.StartCol, r.StartByte, r.EndLine, r.EndCol, r.EndByte} {
		w.int(int64(v))
	}
}

func (w *cacheWriter) uint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *cacheWriter) int(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *cacheWriter) str(s string)  { w.uint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *cacheWriter) bool(v bool)   { w.b = append(w.b, boolByte(v)) }
func (w *cacheWriter) count(n int)   { w.uint(uint64(n)) }
func (w *cacheWriter) stamp(s fileStamp) {
	w.int(s.Size)
	w.int(s.Mtime)
	w.int(s.Ctime)
	w.uint(s.Ino)
	w.uint(s.Dev)
	w.uint(uint64(s.Mode))
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

var errCache = errors.New("damaged plan cache")

type cacheReader struct {
	b     []byte
	err   error
	texts []string
}

func (r *cacheReader) text() string {
	n := r.uint()
	if n == 0 {
		s := r.str()
		r.texts = append(r.texts, s)
		return s
	}
	if n > uint64(len(r.texts)) {
		r.fail()
		return ""
	}
	return r.texts[n-1]
}

func (r *cacheReader) rel() relRange {
	return relRange{int(r.int()), int(r.int()), int(r.int()), int(r.int()), int(r.int()), int(r.int())}
}

func (r *cacheReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// int reads a signed varint: binary.PutVarint's zig-zag form of an
// unsigned one.
func (r *cacheReader) int() int64 {
	u := r.uint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (r *cacheReader) str() string {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *cacheReader) bool() bool {
	if len(r.b) == 0 || r.b[0] > 1 {
		r.fail()
		return false
	}
	v := r.b[0] == 1
	r.b = r.b[1:]
	return v
}

// count reads a number of entries, each at least one byte long.
func (r *cacheReader) count() int {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *cacheReader) stamp() fileStamp {
	return fileStamp{Size: r.int(), Mtime: r.int(), Ctime: r.int(), Ino: r.uint(), Dev: r.uint(), Mode: uint32(r.uint())}
}

func (r *cacheReader) fail() {
	if r.err == nil {
		r.err = errCache
	}
	r.b = nil
}

func encodePlanCache(c *planCache) []byte {
	w := &cacheWriter{b: make([]byte, 0, 64+len(c.Parts)*160)}
	w.b = append(w.b, cacheMagic...)
	w.uint(uint64(c.Version))
	w.str(c.IndexSHA)
	w.int(c.IndexMtime)
	w.bool(c.InputsOK)
	w.count(len(c.Inputs))
	for _, k := range sortedKeys(c.Inputs) {
		w.str(k)
		w.str(c.Inputs[k])
	}
	w.count(len(c.Parts))
	for _, name := range sortedKeys(c.Parts) {
		p := c.Parts[name]
		w.str(name)
		w.str(p.File)
		w.str(p.ProfileSHA256)
		w.stamp(p.Stamp)
		w.count(len(p.Effects))
		for _, e := range p.Effects {
			w.str(string(e.Kind))
			w.str(e.Path)
			w.str(e.SHA256)
		}
	}
	w.count(len(c.Dirs))
	for _, k := range sortedKeys(c.Dirs) {
		w.str(k)
		w.stamp(c.Dirs[k])
	}
	w.bool(c.Eval != nil)
	if c.Eval != nil {
		w.evalTable(c.Eval)
	}
	return w.b
}

// decodePlanCache returns nil for anything but a whole cache of this
// version.
func decodePlanCache(b []byte) *planCache {
	if len(b) < len(cacheMagic) || string(b[:len(cacheMagic)]) != string(cacheMagic) {
		return nil
	}
	r := &cacheReader{b: b[len(cacheMagic):]}
	c := &planCache{Version: int(r.uint())}
	if c.Version != planCacheVersion {
		return nil
	}
	c.IndexSHA = r.str()
	c.IndexMtime = r.int()
	c.InputsOK = r.bool()
	n := r.count()
	c.Inputs = make(map[string]string, n)
	for i := 0; i < n; i++ {
		k := r.str()
		c.Inputs[k] = r.str()
	}
	n = r.count()
	c.Parts = make(map[string]cachePart, n)
	for i := 0; i < n; i++ {
		name := r.str()
		p := cachePart{File: r.str(), ProfileSHA256: r.str(), Stamp: r.stamp()}
		if fsx.CheckName(p.File) != nil {
			r.fail() // it is joined onto the output directory and read
		}
		if m := r.count(); m > 0 {
			p.Effects = make([]EffectRecord, m)
			for j := range p.Effects {
				p.Effects[j] = EffectRecord{Kind: providers.EffectKind(r.str()), Path: r.str(), SHA256: r.str()}
			}
		}
		c.Parts[name] = p
	}
	n = r.count()
	c.Dirs = make(map[string]fileStamp, n)
	for i := 0; i < n; i++ {
		k := r.str()
		c.Dirs[k] = r.stamp()
	}
	if r.bool() {
		c.Eval = r.evalTable()
	}
	if r.err != nil || len(r.b) != 0 {
		return nil
	}
	return c
}

func (r *cacheReader) evalTable() *evalTable {
	t := &evalTable{Context: r.str(), Base: r.str()}
	t.Files = make([]evalFile, r.count())
	for i := range t.Files {
		f := &t.Files[i]
		f.Path = r.str()
		f.Blocks = make([]evalBlock, r.count())
		for j := range f.Blocks {
			b := &f.Blocks[j]
			b.SHA, b.Diag = r.str(), r.bool()
			if m := r.count(); m > 0 {
				b.Names = make([]string, m)
				for k := range b.Names {
					b.Names[k] = r.str()
				}
			}
			if m := r.count(); m > 0 {
				b.Labels = make([]string, m)
				for k := range b.Labels {
					b.Labels[k] = r.str()
				}
			}
			b.EndLine, b.EndCol = int(r.int()), int(r.int())
			b.ForEachLocals, b.BodyLocals = r.strs(), r.strs()
			if m := r.count(); m > 0 {
				b.Inst = make([]instRec, m)
				for k := range b.Inst {
					b.Inst[k] = instRec{Key: r.str(), Sum: r.str(), Name: r.str()}
				}
			}
			if m := r.count(); m > 0 {
				b.Diags = make([]blockDiag, m)
				for k := range b.Diags {
					d := &b.Diags[k]
					d.Summary, d.Detail, d.Subject = r.text(), r.text(), r.rel()
					if r.bool() {
						c := r.rel()
						d.Context = &c
					}
					d.Code, d.Partition, d.Acknowledged, d.Count = r.text(), r.str(), r.bool(), int(r.int())
				}
			}
		}
	}
	n := r.count()
	t.Sigs = make(map[string]string, n)
	for i := 0; i < n; i++ {
		k := r.str()
		t.Sigs[k] = r.str()
	}
	return t
}

func (w *cacheWriter) evalTable(t *evalTable) {
	w.str(t.Context)
	w.str(t.Base)
	w.count(len(t.Files))
	for _, f := range t.Files {
		w.str(f.Path)
		w.count(len(f.Blocks))
		for _, b := range f.Blocks {
			w.str(b.SHA)
			w.bool(b.Diag)
			w.count(len(b.Names))
			for _, n := range b.Names {
				w.str(n)
			}
			w.count(len(b.Labels))
			for _, l := range b.Labels {
				w.str(l)
			}
			w.int(int64(b.EndLine))
			w.int(int64(b.EndCol))
			w.strs(b.ForEachLocals)
			w.strs(b.BodyLocals)
			w.count(len(b.Inst))
			for _, x := range b.Inst {
				w.str(x.Key)
				w.str(x.Sum)
				w.str(x.Name)
			}
			w.count(len(b.Diags))
			for _, d := range b.Diags {
				w.text(d.Summary)
				w.text(d.Detail)
				w.rel(d.Subject)
				w.bool(d.Context != nil)
				if d.Context != nil {
					w.rel(*d.Context)
				}
				w.text(d.Code)
				w.str(d.Partition)
				w.bool(d.Acknowledged)
				w.int(int64(d.Count))
			}
		}
	}
	w.count(len(t.Sigs))
	for _, k := range sortedKeys(t.Sigs) {
		w.str(k)
		w.str(t.Sigs[k])
	}
}
