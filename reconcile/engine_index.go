package reconcile

import (
	"bytes"
	"encoding/json"
)

// renderIndex renders index.json exactly as renderIndex does, reusing the
// rendered entry of every record seen before: a cycle that changed one
// partition of 10,000 encodes one entry and hashes one profile, not all.
func (e *Engine) renderIndex(recs map[string]*Record) []byte {
	if e.idxEntries == nil {
		e.idxEntries = make(map[*Record][]byte, len(recs))
	}
	names := e.recNames
	if !sameKeys(names, recs) {
		names = sortedKeys(recs)
		e.recNames = names
	}
	if len(names) == 0 {
		return renderIndex(recs)
	}
	var buf bytes.Buffer
	buf.WriteString("{\n  \"format_version\": ")
	buf.WriteString(itoa(ProfileFormatVersion))
	buf.WriteString(",\n  \"partitions\": [\n")
	live := make(map[*Record][]byte, len(names))
	for i, name := range names {
		r := recs[name]
		b, ok := e.idxEntries[r]
		if !ok {
			b = renderIndexEntry(r)
		}
		live[r] = b
		buf.Write(b)
		if i < len(names)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("  ]\n}\n")
	e.idxEntries = live
	return buf.Bytes()
}

// renderIndexEntry encodes one entry at the depth json.Encoder's
// SetIndent("", "  ") puts array elements of "partitions".
func renderIndexEntry(r *Record) []byte {
	persistent := false
	if v, ok := r.Fields["persistent"]; ok {
		persistent = string(v) == "true"
	}
	ent := IndexEntry{Partition: r.Name, File: r.File, Persistent: persistent, Revision: r.Revision, Digest: contentDigest(r.Fields)}
	var buf bytes.Buffer
	buf.WriteString("    ")
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	_ = enc.Encode(ent)
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// sameKeys reports whether names are exactly the keys of recs (names has
// no duplicates: it came from sortedKeys).
func sameKeys(names []string, recs map[string]*Record) bool {
	if names == nil || len(names) != len(recs) {
		return false
	}
	for _, n := range names {
		if _, ok := recs[n]; !ok {
			return false
		}
	}
	return true
}
