package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Partition headers are stored in a small binary form rather than JSON:
// plan loads every header of a state on each run, and decoding 10,000 JSON
// headers with encoding/json took over 100ms where this takes a few. Meta,
// history and profiles stay JSON (they are few, or are copied without
// being parsed).
//
// Layout (all integers unsigned varints, strings length-prefixed):
//
//	tag 0x01 | name | file | revision | applied-at (Unix ns, zig-zag varint)
//	| profile_sha256 | len(inputs) {path sha256} | len(effects) {kind path sha256}
//
// The leading tag lets a later schema version change the layout.
const headerTag = 1

// maxListLen bounds the input and effect counts read from a header, so a
// damaged length cannot make the decoder allocate gigabytes.
const maxListLen = 1 << 20

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// encodeHeader appends the stored form of h to b.
func encodeHeader(b []byte, h *recordHeader) []byte {
	b = append(b, headerTag)
	b = appendString(b, h.Name)
	b = appendString(b, h.File)
	b = binary.AppendUvarint(b, h.Revision)
	var ns int64
	if !h.AppliedAt.IsZero() {
		ns = h.AppliedAt.UnixNano()
	}
	b = binary.AppendVarint(b, ns)
	b = appendString(b, h.ProfileSHA256)
	b = binary.AppendUvarint(b, uint64(len(h.Inputs)))
	for _, in := range h.Inputs {
		b = appendString(b, in.Path)
		b = appendString(b, in.SHA256)
	}
	b = binary.AppendUvarint(b, uint64(len(h.Effects)))
	for _, ef := range h.Effects {
		b = appendString(b, ef.Kind)
		b = appendString(b, ef.Path)
		b = appendString(b, ef.SHA256)
	}
	return b
}

// headerReader decodes with bounds checks; the first error sticks.
type headerReader struct {
	b   []byte
	err error
}

var errTruncated = errors.New("record is truncated")

func (r *headerReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errTruncated
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *headerReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errTruncated
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *headerReader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = errTruncated
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *headerReader) count() int {
	n := r.uvarint()
	if r.err != nil {
		return 0
	}
	// Each entry takes at least two bytes (two length prefixes), which
	// bounds a plausible count by the bytes left.
	if n > maxListLen || n > uint64(len(r.b)) {
		r.err = fmt.Errorf("record claims %d entries", n)
		return 0
	}
	return int(n)
}

// decodeHeader is the inverse of encodeHeader.
func decodeHeader(b []byte, h *recordHeader) error {
	if len(b) == 0 || b[0] != headerTag {
		return errors.New("record has an unknown format")
	}
	r := headerReader{b: b[1:]}
	h.Name = r.string()
	h.File = r.string()
	h.Revision = r.uvarint()
	if ns := r.varint(); ns != 0 {
		h.AppliedAt = time.Unix(0, ns).UTC()
	} else {
		h.AppliedAt = time.Time{}
	}
	h.ProfileSHA256 = r.string()
	h.Inputs = nil
	if n := r.count(); n > 0 {
		h.Inputs = make([]FileInput, n)
		for i := range h.Inputs {
			h.Inputs[i] = FileInput{Path: r.string(), SHA256: r.string()}
		}
	}
	h.Effects = nil
	if n := r.count(); n > 0 {
		h.Effects = make([]EffectRecord, n)
		for i := range h.Effects {
			h.Effects[i] = EffectRecord{Kind: r.string(), Path: r.string(), SHA256: r.string()}
		}
	}
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return fmt.Errorf("record has %d trailing bytes", len(r.b))
	}
	return nil
}
