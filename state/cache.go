package state

import (
	"bytes"
	"encoding/binary"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// keyCache holds, in the meta bucket, what the caller chose to leave for
// its next reads (reconcile's plan cache: stamps of the files an apply
// wrote, the block table of the configuration it applied). The state
// package does not interpret it; it only guarantees that a cache read back
// describes the state as it is: the value is prefixed with the serial of
// the commit that wrote it, every commit that does not set it deletes it,
// and Cache returns nothing when the prefix is not the current serial (a
// writer that knows nothing of the cache, an older sessctl, committed
// since).
var keyCache = []byte("cache")

// SetCache sets the cache stored with this commit (see keyCache). A commit
// that changes nothing else still writes a changed cache, without a
// history entry or a new serial.
func (tx *Tx) SetCache(b []byte) {
	tx.cache, tx.cacheSet = append([]byte(nil), b...), true
}

// putCache writes the cache for serial, or deletes it when none was set.
func (tx *Tx) putCache(serial uint64) error {
	b := tx.btx.Bucket(bucketMeta)
	if !tx.cacheSet {
		if b.Get(keyCache) == nil {
			return nil
		}
		return b.Delete(keyCache)
	}
	v := make([]byte, 8, 8+len(tx.cache))
	binary.BigEndian.PutUint64(v, serial)
	return b.Put(keyCache, append(v, tx.cache...))
}

// cacheChanged reports whether the cache set in tx differs from the stored
// one (for a commit that changes nothing else).
func (tx *Tx) cacheChanged() bool {
	if !tx.cacheSet {
		return false
	}
	old := tx.btx.Bucket(bucketMeta).Get(keyCache)
	return len(old) < 8 || binary.BigEndian.Uint64(old) != tx.orig.Serial || !bytes.Equal(old[8:], tx.cache)
}

// Cache returns the state's metadata and the cache the last commit left
// (nil when it left none, or when the state moved on without it). It reads
// no partition.
func (s *Store) Cache() (Meta, []byte, error) {
	var m Meta
	var c []byte
	err := s.read(nil, func(btx *bolt.Tx, meta Meta) error {
		m, c = meta, cacheOf(btx, meta)
		return nil
	})
	return m, c, err
}

// cacheOf copies the cache out of btx when it is the current serial's.
func cacheOf(btx *bolt.Tx, meta Meta) []byte {
	b := btx.Bucket(bucketMeta)
	if b == nil {
		return nil
	}
	if v := b.Get(keyCache); len(v) >= 8 && binary.BigEndian.Uint64(v) == meta.Serial {
		return append([]byte(nil), v[8:]...)
	}
	return nil
}

// LoadSome reads the metadata and the records of the named partitions
// only (absent names are left out): a plan that knows which partitions it
// rebuilt need not decode ten thousand others.
func (s *Store) LoadSome(names []string) (*Snapshot, error) {
	snap := &Snapshot{Path: s.path, Partitions: map[string]*PartitionRecord{}}
	err := s.read(snap, func(btx *bolt.Tx, meta Meta) error {
		snap.Meta = meta
		parts, profs := btx.Bucket(bucketPartitions), btx.Bucket(bucketProfiles)
		if parts == nil {
			return nil
		}
		for _, n := range names {
			k := []byte(n)
			if len(k) == 0 || len(k) > bolt.MaxKeySize {
				continue
			}
			hdr := parts.Get(k)
			if hdr == nil {
				continue
			}
			var prof []byte
			if profs != nil {
				prof = profs.Get(k)
			}
			r, err := decodeRecord(s.path, k, hdr, prof, true)
			if err != nil {
				return err
			}
			if _, dup := snap.Partitions[n]; !dup {
				snap.names = append(snap.names, n)
			}
			snap.Partitions[n] = r
		}
		slices.Sort(snap.names)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}
