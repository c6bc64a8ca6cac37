package state

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// profileOfSize builds a realistic profile: proxy, TLS, permission rules,
// about n bytes.
func benchProfile(i, n int) string {
	p := map[string]any{
		"format_version": 1,
		"proxy":          map[string]any{"mode": "fixed_servers", "proxyRules": fmt.Sprintf("http=proxy%d.corp.example:3128", i), "proxyBypassRules": "<local>,*.corp.example"},
		"ssl":            map[string]any{"minVersion": "tls1.2"},
		"pad":            strings.Repeat("p", max(0, n-250)),
	}
	b, _ := json.Marshal(p)
	return string(b)
}

func fill(b *testing.B, s *Store, n, size int) {
	b.Helper()
	_, err := s.Commit(0, func(tx *Tx) error {
		tx.SetOutputDir("/out")
		for i := range n {
			r := rec(fmt.Sprintf("persist:part-%05d", i), benchProfile(i, size))
			r.Inputs = []FileInput{{Path: fmt.Sprintf("/opt/app/preload-%d.js", i), SHA256: shaHex("x")}}
			if err := tx.Put(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSnapshot10k loads a state of 10,000 partitions with ~1 KiB
// profiles; plan does this once per run. Target: well under 100ms.
func BenchmarkSnapshot10k(b *testing.B) {
	s, _ := newStore(b, filepath.Join(b.TempDir(), "state.db"))
	fill(b, s, 10000, 1024)
	b.ResetTimer()
	for b.Loop() {
		snap, err := s.Load()
		if err != nil || len(snap.Partitions) != 10000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommit10kOneChange is a watch cycle on a large state: one
// partition changed, every other Put identical.
func BenchmarkCommit10kOneChange(b *testing.B) {
	s, _ := newStore(b, filepath.Join(b.TempDir(), "state.db"))
	fill(b, s, 10000, 1024)
	// Build the desired records once, outside the measured loop: only the
	// store's work is measured.
	recs := make([]PartitionRecord, 10000)
	for i := range recs {
		recs[i] = rec(fmt.Sprintf("persist:part-%05d", i), benchProfile(i, 1024))
		recs[i].Inputs = []FileInput{{Path: fmt.Sprintf("/opt/app/preload-%d.js", i), SHA256: shaHex("x")}}
	}
	serial := uint64(1)
	for b.Loop() {
		changed := rec(recs[0].Name, benchProfile(int(serial)+100000, 1024))
		changed.Inputs = recs[0].Inputs
		n, err := s.Commit(serial, func(tx *Tx) error {
			if err := tx.Put(changed); err != nil {
				return err
			}
			for _, r := range recs[1:] {
				if err := tx.Put(r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || n != serial+1 {
			b.Fatal(n, err)
		}
		serial = n
	}
}

// BenchmarkCommitSmall is the fixed cost of one commit (open, fsync,
// close) on a small state.
func BenchmarkCommitSmall(b *testing.B) {
	s, _ := newStore(b, filepath.Join(b.TempDir(), "state.db"))
	serial := uint64(0)
	for i := 0; b.Loop(); i++ {
		n, err := s.Commit(serial, func(tx *Tx) error { return tx.Put(rec("a", fmt.Sprintf(`{"v":%d}`, i))) })
		if err != nil {
			b.Fatal(err)
		}
		serial = n
	}
}
