package telemetry

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The checkout is read as files, never by running git: a fleet host need
// not have git, and a configuration directory is untrusted input. Every
// read is bounded and every value checked; anything unexpected gives "".
const (
	maxGitSmallFile  = 4 << 10
	maxGitPackedRefs = 16 << 20
	maxGitDepth      = 64
)

// isCommit reports whether s is a full SHA-1 or SHA-256 object name in
// lowercase hex; isRef whether s is "refs/" and 1 to 240 of
// [A-Za-z0-9._/-]. Checked by hand: the regular expressions they were
// expanded their counted repetitions at every process start (2,700
// allocations, 4 ms of each command's start-up).
func isCommit(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func isRef(s string) bool {
	rest, ok := strings.CutPrefix(s, "refs/")
	if !ok || len(rest) < 1 || len(rest) > 240 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '/' || c == '-') {
			return false
		}
	}
	return true
}

// GitRevision returns the commit checked out in the Git work tree that
// contains path (a configuration file or directory), or "" when there is
// none or it cannot be read. It follows a ".git" directory or a ".git"
// file ("gitdir: …", as in worktrees and submodules), HEAD (detached, or a
// symbolic ref resolved through the loose ref or packed-refs, in the
// worktree's git directory and then in its commondir). An empty path has
// none.
func GitRevision(path string) string {
	if path == "" {
		return ""
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	dir := abs
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		dir = filepath.Dir(abs)
	}
	for range maxGitDepth {
		gitdir, ok := findGitDir(dir)
		if ok {
			return headCommit(gitdir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
	return ""
}

// findGitDir returns the git directory of the work tree dir, if dir is one.
func findGitDir(dir string) (string, bool) {
	p := filepath.Join(dir, ".git")
	fi, err := os.Stat(p)
	if err != nil {
		return "", false
	}
	if fi.IsDir() {
		return p, true
	}
	b, ok := readSmall(p)
	if !ok {
		return "", false
	}
	target, ok := strings.CutPrefix(strings.TrimSpace(b), "gitdir: ")
	if !ok || target == "" {
		return "", false
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	return target, true
}

func headCommit(gitdir string) string {
	head, ok := readSmall(filepath.Join(gitdir, "HEAD"))
	if !ok {
		return ""
	}
	head = strings.TrimSpace(head)
	ref, symbolic := strings.CutPrefix(head, "ref: ")
	if !symbolic {
		return checked(head)
	}
	if !isRef(ref) || strings.Contains(ref, "..") || strings.Contains(ref, "//") {
		return ""
	}
	dirs := []string{gitdir}
	if common, ok := readSmall(filepath.Join(gitdir, "commondir")); ok {
		c := strings.TrimSpace(common)
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitdir, c)
		}
		dirs = append(dirs, c)
	}
	for _, d := range dirs {
		if s, ok := readSmall(filepath.Join(d, filepath.FromSlash(ref))); ok {
			return checked(strings.TrimSpace(s))
		}
	}
	for _, d := range dirs {
		if c, ok := packedRef(filepath.Join(d, "packed-refs"), ref); ok {
			return checked(c)
		}
	}
	return ""
}

// packedRef looks ref up in a packed-refs file ("<commit> <ref>" lines).
func packedRef(path, ref string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, maxGitPackedRefs))
	for sc.Scan() {
		commit, name, ok := strings.Cut(sc.Text(), " ")
		if ok && name == ref {
			return commit, true
		}
	}
	return "", false
}

func readSmall(path string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	b, err := io.ReadAll(io.LimitReader(f, maxGitSmallFile+1))
	if err != nil || len(b) > maxGitSmallFile {
		return "", false
	}
	return string(b), true
}

func checked(commit string) string {
	if isCommit(commit) {
		return commit
	}
	return ""
}
