package schema

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sort"
	"strings"
)

// Version is the version of the language and of the decoded model. It is
// part of InputDigest, so a sessctl whose loader decodes differently never
// trusts a digest computed by another version. Bump it whenever Load can
// produce a different Config from the same inputs.
const Version = "sessctl-schema-1"

// InputDigest returns a SHA-256 (hex) over everything that can change what
// Load returns, without parsing: the configuration files (sorted names and
// the SHA-256 of their bytes), the var files' names and SHA-256, the --var values, the
// SESSCTL_VAR_* environment entries (sorted), the host values and Version.
// Files read by file() and filesha256() are not included: the caller
// compares Config.Inputs with the files on disk separately.
func InputDigest(opts LoadOptions) (string, error) { return InputDigestKnown(opts, nil, false) }

// ErrNotHashed is returned by InputDigestKnown, when strict, for a file
// the caller did not hash.
var ErrNotHashed = errors.New("a configuration or var file was not among the hashed files")

// InputDigestKnown is InputDigest for a caller that already hashed some of
// the files: known maps a configuration file's absolute path, or a var
// file's path as given in opts, to the SHA-256 (hex) of its content. Those
// files are not read again (sessctl watch records the digest of the very
// bytes it loaded, without re-reading megabytes of configuration). When
// strict, known must hold exactly the configuration files listed now plus
// the var files: a file created since the caller loaded the configuration,
// or one it loaded that is gone, fails the digest with ErrNotHashed
// instead of being read or left out, since the digest must describe what
// was loaded, not what is on disk now.
func InputDigestKnown(opts LoadOptions, known map[string]string, strict bool) (string, error) {
	h := sha256.New()
	field := func(s string) { writeField(h, []byte(s)) }
	field(Version)
	dir, files, err := configFiles(opts.Path)
	if err != nil {
		return "", err
	}
	field(opts.Path) // range file names are built from it
	field(dir)
	field(fmt.Sprint(len(files)))
	for _, f := range files {
		sum, ok := known[f.path]
		if !ok && strict {
			return "", fmt.Errorf("%w: %s", ErrNotHashed, f.path)
		}
		if !ok {
			// Streamed: a file too large to load is still hashed in
			// constant memory (loading it refuses it, with a location).
			fh, err := os.Open(f.path)
			if err != nil {
				return "", err
			}
			h := sha256.New()
			_, err = io.Copy(h, fh)
			fh.Close()
			if err != nil {
				return "", err
			}
			sum = hex.EncodeToString(h.Sum(nil))
		}
		field(f.path)
		field(sum)
	}
	field(fmt.Sprint(len(opts.VarFiles)))
	for _, p := range opts.VarFiles {
		sum, ok := known[p]
		if !ok && strict {
			return "", fmt.Errorf("%w: %s", ErrNotHashed, p)
		}
		if !ok {
			b, err := readBounded(p)
			if err != nil {
				return "", err
			}
			sum = sha256Hex(b)
		}
		field(p)
		field(sum)
	}
	if strict && len(known) != len(files)+countDistinct(opts.VarFiles, files) {
		return "", fmt.Errorf("%w: a file that was hashed is no longer listed", ErrNotHashed)
	}
	field(fmt.Sprint(len(opts.Vars)))
	for _, v := range opts.Vars {
		field(v)
	}
	var env []string
	for _, kv := range opts.Environ {
		if strings.HasPrefix(kv, EnvVarPrefix) {
			env = append(env, kv)
		}
	}
	// Sorting is stable for equal keys only if entries are whole strings;
	// duplicates of one name keep their relative order so that "later wins"
	// stays part of the digest.
	sort.SliceStable(env, func(i, j int) bool { return envName(env[i]) < envName(env[j]) })
	field(fmt.Sprint(len(env)))
	for _, kv := range env {
		field(kv)
	}
	field(opts.Host.Name)
	field(opts.Host.OS)
	field(opts.Host.Arch)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func envName(kv string) string {
	name, _, _ := strings.Cut(kv, "=")
	return name
}

// writeField writes a length-prefixed field so that no two different
// sequences of fields hash the same.
func writeField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// countDistinct counts the var files that are not also listed
// configuration files (a var file in the configuration directory with a
// .hcl name is both, and one entry of known).
func countDistinct(varFiles []string, files []configFile) int {
	seen := map[string]bool{}
	for _, f := range files {
		seen[f.path] = true
	}
	n := 0
	for _, p := range varFiles {
		if !seen[p] {
			seen[p] = true
			n++
		}
	}
	return n
}
