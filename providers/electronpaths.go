package providers

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/sessctl/sessctl/schema"
)

// This file reproduces where Electron stores a session on disk, so that
// providers (the spellcheck custom dictionary) and reconcile (watch, drift)
// agree with the app about which directory belongs to which partition.
//
// Source: electron/electron shell/browser/electron_browser_context.cc
// (constructor, lines 359-392; MakePartitionName, lines 235-238) at commit
// 96f3996d8d, summarised in docs/electron-facts.md §1.

// PartitionsDirName is the subdirectory of sessionData holding every named
// persistent partition (the literal "Partitions" in the constructor above).
const PartitionsDirName = "Partitions"

// ErrInMemoryPartition is returned by PartitionDir for partitions Electron
// keeps in memory: they have no storage directory (getStoragePath() is null).
var ErrInMemoryPartition = errors.New("in-memory partition has no storage directory")

// escapedPathBytes is base::EscapePath's kPathCharmap (base/strings/escape.cc
// @ 0e4923935ca2): every control byte, every byte >= 0x80, and
// space " # % : < > ? [ \ ] ^ ` { | }. Everything else, notably / . * and
// ! $ & ' ( ) + , ; = @ ~, passes through.
var escapedPathBytes = func() (m [256]bool) {
	for c := 0; c < 0x20; c++ {
		m[c] = true
	}
	for c := 0x7f; c < 0x100; c++ {
		m[c] = true
	}
	for _, c := range []byte(" \"#%:<>?[\\]^`{|}") {
		m[c] = true
	}
	return m
}()

// MakePartitionName returns the directory name Electron derives from a
// persistent partition's name (the part after "persist:"): ASCII A-Z
// lowercased (base::ToLowerASCII; other letters are kept), then
// base::EscapePath with uppercase hex. The result may contain "/" and so
// name a nested directory; see PartitionDir for the checks.
func MakePartitionName(name string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if escapedPathBytes[c] {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// PartitionDir returns the storage directory Electron uses for the session
// of partition (the Electron partition string: "" or "persist:" for the
// default session, "persist:NAME" for a named persistent one) when the
// app's sessionData directory is sessionData:
//
//	""/"persist:"   -> sessionData
//	"persist:NAME"  -> sessionData/Partitions/MakePartitionName(NAME)
//
// In-memory partitions return ErrInMemoryPartition. Because EscapePath does
// not escape "/" or ".", Electron would happily use Partitions/.. (the
// sessionData root) for "persist:.."; PartitionDir refuses every name whose
// directory is not strictly inside sessionData/Partitions, so that no file
// sessctl writes for a partition can land outside it.
func PartitionDir(sessionData, partition string) (string, error) {
	if sessionData == "" || !filepath.IsAbs(sessionData) {
		return "", fmt.Errorf("session data directory %q is not an absolute path", sessionData)
	}
	if partition == "" || partition == schema.PersistPrefix {
		return filepath.Clean(sessionData), nil
	}
	if !strings.HasPrefix(partition, schema.PersistPrefix) {
		return "", ErrInMemoryPartition
	}
	rel := MakePartitionName(partition[len(schema.PersistPrefix):])
	for _, seg := range strings.Split(rel, "/") {
		if seg == ".." {
			return "", fmt.Errorf("partition %q: directory %q climbs out of %s/ (Electron does not escape \"..\")", partition, rel, PartitionsDirName)
		}
	}
	joined := path.Join(PartitionsDirName, rel)
	if !strings.HasPrefix(joined, PartitionsDirName+"/") {
		return "", fmt.Errorf("partition %q: directory %q is %s/ itself, not a directory inside it", partition, rel, PartitionsDirName)
	}
	return filepath.Join(filepath.Clean(sessionData), filepath.FromSlash(joined)), nil
}
