// Package safepath answers one question for the files sessctl hands to
// Electron to run (preload scripts, extensions): can a user other than
// root and the one running sessctl replace what the path names? It
// checks the real file (symbolic links followed) and every directory up
// to the root, as OpenSSH's safe_path does for authorized_keys.
package safepath

// Kind says how another user can replace the path.
type Kind int

// The kinds of Problem.
const (
	// WorldWritable: the target itself is world-writable.
	WorldWritable Kind = iota + 1
	// InWorldWritableDir: Dir is world-writable without the sticky bit, so
	// anyone may rename or delete its entries.
	InWorldWritableDir
	// ForeignOwner: What (the target or a directory above it) belongs to
	// uid ID.
	ForeignOwner
	// ForeignGroup: What is writable by group ID, not the runner's own.
	ForeignGroup
	// StickyForeignEntry: Dir is world-writable with the sticky bit (as
	// /tmp), and its entry Child on the path belongs to uid ID, who can
	// replace it.
	StickyForeignEntry
)

// Problem is the first way found in which another user can replace the
// path. What is "target" for the target itself, otherwise the directory.
type Problem struct {
	Kind  Kind
	What  string
	Dir   string
	Child string
	ID    uint32
}
