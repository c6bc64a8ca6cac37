// Package state is sessctl's record of what it last applied, kept in a
// bbolt database (default $XDG_STATE_HOME/sessctl/state.db).
//
// # Contents
//
// Four buckets:
//
//   - meta (JSON): lineage (a UUID fixed on the first write), serial (bumped by one
//     on every committed write), schema version, digest of the configuration
//     last applied, output directory, time of the last apply.
//   - partitions: one PartitionRecord header per applied partition (profile
//     file name, revision, applied-at, SHA-256 of the bytes written, the
//     referenced input files and side effects with their digests), in a
//     small binary form (codec.go) because every plan decodes all of them.
//   - profiles (JSON): the normalized profile of each partition, kept apart from
//     the header so that loading 10,000 records copies profile bytes instead
//     of parsing them.
//   - history (JSON): append-only, keyed by the big-endian serial, one
//     HistoryEntry per committed write (operation, time, config digest,
//     counts of added/changed/destroyed partitions).
//
// # Access and locking
//
// bbolt takes flock(2) on the database file for as long as it is open:
// exclusive for a read-write open, shared for a read-only one. A Store
// therefore never keeps the database open across a command: View opens it
// read-only, loads everything into memory and closes it before calling the
// caller's function; Commit opens it read-write for exactly one
// transaction. A long-running `watch` blocks a concurrent `plan` or `show`
// only for the duration of one commit (milliseconds), never for a whole
// reconcile. Every open first passes a turnstile (a brief flock on the
// state directory) so that a writer committing back to back cannot starve
// readers: bbolt itself only retries its lock every 50ms.
//
// Writers coordinate through a separate advisory lock on "<state>.lock"
// (AcquireLock). It serialises whole apply operations (write profiles,
// then commit) and records who holds it (pid, host, operation, since) so a
// second writer can say whom it waited for. Readers never take it. Commit
// does not depend on it for correctness: its serial check (ErrStale)
// refuses a write based on an outdated read.
//
// # What survives a crash
//
//   - A committed transaction survives a crash of the process or of the
//     machine: bbolt writes changed pages copy-on-write, fsyncs them, then
//     writes and fsyncs the meta page that makes them current.
//   - A crash during a commit leaves the previous committed state, exactly:
//     the meta page of the interrupted transaction was never written (or
//     fails its checksum), so bbolt opens on the other meta page. Nothing
//     of a transaction is ever half-visible.
//   - apply writes the profile files (atomically, see internal/fsx) before
//     it commits the state transaction. A crash between the two leaves new
//     profiles on disk that state does not yet record; the next plan sees
//     the difference as drift and repairs it. State never claims a profile
//     that was not written.
//   - A crash while creating the state file for the first time can leave an
//     empty bbolt file or an empty file; both read as "nothing applied yet".
//   - The writer lock is an flock(2): the kernel releases it when the
//     holding process dies, so a crashed apply or watch never leaves a lock
//     that blocks the next run. The owner information in the lock file may
//     outlive the process; it is only read to explain a lock that is
//     actually held.
//
// Not protected: a damaged disk or a file edited by hand. A state file that
// is not a valid bbolt database, or that bbolt trips over while reading,
// is reported as an error naming the file, never as a panic; moving it
// aside and running apply rebuilds state (the profiles are rewritten).
// A state file written by a newer sessctl (higher schema version) is
// refused rather than misread.
package state
