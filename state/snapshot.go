package state

import (
	"bytes"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Snapshot is the whole state as read by one transaction, held in memory.
// It is a read view: callers must not modify it.
type Snapshot struct {
	// Path is the state file the snapshot was read from.
	Path string
	// Exists is false when there is no state file yet (nothing applied).
	Exists bool
	// Meta is the state-wide record; its zero value for a fresh state.
	Meta Meta
	// Partitions maps partition name to its record.
	Partitions map[string]*PartitionRecord
	// Cache is the cache the last commit left (nil: none; see Store.Cache).
	Cache []byte
	names []string // sorted, as the bucket cursor returns them
}

// Get returns the record of a partition.
func (s *Snapshot) Get(name string) (*PartitionRecord, bool) {
	r, ok := s.Partitions[name]
	return r, ok
}

// Names returns the partition names, sorted (bytewise, as bbolt orders
// keys).
func (s *Snapshot) Names() []string { return slices.Clone(s.names) }

// Records returns the records sorted by name.
func (s *Snapshot) Records() []*PartitionRecord {
	out := make([]*PartitionRecord, len(s.names))
	for i, n := range s.names {
		out[i] = s.Partitions[n]
	}
	return out
}

// slabSize is the size of the chunks profile bytes are copied into: one
// allocation per chunk instead of one per record.
const slabSize = 1 << 20

// loadPartitions copies every partition out of the transaction (bbolt's
// memory is only valid inside it). Headers are decoded; profiles are raw
// JSON and only copied.
func loadPartitions(btx *bolt.Tx, path string, snap *Snapshot) error {
	parts, profs := btx.Bucket(bucketPartitions), btx.Bucket(bucketProfiles)
	if parts == nil {
		return nil
	}
	var slab []byte
	// Both buckets hold the same keys in the same order (a partition
	// without a profile has no entry in profiles), so walk them side by
	// side instead of one Get per record.
	var pc *bolt.Cursor
	var pk, pv []byte
	if profs != nil {
		pc = profs.Cursor()
		pk, pv = pc.First()
	}
	c := parts.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		for pk != nil && bytes.Compare(pk, k) < 0 {
			pk, pv = pc.Next()
		}
		var prof []byte
		if pk != nil && bytes.Equal(pk, k) {
			prof = pv
		}
		if len(prof) > 0 {
			if len(prof) > slabSize/4 {
				prof = clone(prof)
			} else {
				if cap(slab)-len(slab) < len(prof) {
					slab = make([]byte, 0, slabSize)
				}
				start := len(slab)
				slab = append(slab, prof...)
				prof = slab[start:len(slab):len(slab)]
			}
		}
		r, err := decodeRecord(path, k, v, prof, false)
		if err != nil {
			return err
		}
		snap.Partitions[r.Name] = r
		snap.names = append(snap.names, r.Name)
	}
	return nil
}

// decodeRecord decodes a stored header; profile is used as is unless
// copyProfile.
func decodeRecord(path string, key, hdr, profile []byte, copyProfile bool) (*PartitionRecord, error) {
	var h recordHeader
	if err := decodeHeader(hdr, &h); err != nil {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("partition %q does not decode: %v", key, err)}
	}
	if h.Name != string(key) {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("partition %q is stored under the key %q", h.Name, key)}
	}
	if copyProfile {
		profile = clone(profile)
	}
	if len(profile) == 0 {
		profile = nil
	}
	return h.record(profile), nil
}
