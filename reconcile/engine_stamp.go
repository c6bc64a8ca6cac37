package reconcile

import (
	"os"
	"time"
)

// stamp is what stat says of a file: enough to notice that it was
// replaced, resized or rewritten, without reading it.
type stamp struct {
	size  int64
	mtime int64 // ns
	ctime int64 // ns, when the platform has it
	ino   uint64
	dev   uint64 // not compared by same: the plan cache's fileStamp does
	mode  os.FileMode
	seen  int64 // when the stamp was taken, ns (not compared)
}

// racyWindow is how close to the moment of checking a modification time
// may be before the stamp is not trusted: a second write within one
// clock tick keeps mtime, so only the content can tell.
const racyWindow = time.Second

func (s stamp) racy() bool {
	m := s.mtime
	if s.ctime > m {
		m = s.ctime
	}
	return s.seen-m < int64(racyWindow)
}

func (s stamp) same(o stamp) bool {
	return s.size == o.size && s.mtime == o.mtime && s.ctime == o.ctime && s.ino == o.ino && s.mode == o.mode
}

func toStamp(fi os.FileInfo) stamp {
	s := stamp{size: fi.Size(), mtime: fi.ModTime().UnixNano(), mode: fi.Mode(), seen: time.Now().UnixNano()}
	s.ino, s.ctime, s.dev = sysStamp(fi)
	return s
}

// lstamp stats path without following a final symlink.
func lstamp(path string) (stamp, bool) {
	fi, err := os.Lstat(path)
	if err != nil {
		return stamp{}, false
	}
	return toStamp(fi), true
}

// stampCache remembers the SHA-256 of files by stamp, so unchanged files
// are not read again.
type stampCache struct {
	m map[string]stampSum
}

type stampSum struct {
	st  stamp
	sum string
}

func newStampCache() *stampCache { return &stampCache{m: map[string]stampSum{}} }

// sha returns the SHA-256 of the regular file at path (following
// symlinks, as readers of the file do); ok is false when it cannot be
// read. force re-reads the file whatever its stamp says.
func (c *stampCache) sha(path string, force bool) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		delete(c.m, path)
		return "", false
	}
	return c.shaInfo(path, fi, force)
}

// shaInfo is sha with the result of os.Stat(path) already at hand.
func (c *stampCache) shaInfo(path string, fi os.FileInfo, force bool) (string, bool) {
	sum, _, ok := c.shaContent(path, fi, force)
	return sum, ok
}

// shaContent is shaInfo that also returns the content when it had to read
// the file (nil when the stamp vouched for the cached sum): a caller about
// to parse a changed file need not read it a second time.
func (c *stampCache) shaContent(path string, fi os.FileInfo, force bool) (string, []byte, bool) {
	if !fi.Mode().IsRegular() {
		delete(c.m, path)
		return "", nil, false
	}
	st := toStamp(fi)
	if e, ok := c.m[path]; ok && !force && e.st.same(st) && !e.st.racy() {
		return e.sum, nil, true
	}
	b, err := os.ReadFile(path)
	if err != nil {
		delete(c.m, path)
		return "", nil, false
	}
	sum := sha256Hex(b)
	c.m[path] = stampSum{st: st, sum: sum}
	return sum, b, true
}

// shaOrEmpty is sha with "" for a file that cannot be read, the way
// providers.Context records a missing input.
func (c *stampCache) shaOrEmpty(path string, force bool) (string, bool) {
	return c.sha(path, force)
}
