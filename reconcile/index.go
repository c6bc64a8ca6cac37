package reconcile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// IndexFile is the name of the index the Electron adapter reads first.
const IndexFile = "index.json"

// IndexEntry is one partition in index.json.
type IndexEntry struct {
	Partition  string `json:"partition"`
	File       string `json:"file"`
	Persistent bool   `json:"persistent"`
	Revision   uint64 `json:"revision"`
	Digest     string `json:"digest"`
}

// Index is index.json: every partition with its file and revision, sorted
// by partition name. It has no timestamps so that an unchanged set of
// profiles always renders the same bytes.
type Index struct {
	FormatVersion int          `json:"format_version"`
	Partitions    []IndexEntry `json:"partitions"`
}

// renderIndex returns the bytes of index.json for records.
func renderIndex(recs map[string]*Record) []byte {
	idx := Index{FormatVersion: ProfileFormatVersion, Partitions: []IndexEntry{}}
	for _, name := range sortedKeys(recs) {
		idx.Partitions = append(idx.Partitions, recs[name].indexEntry())
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(idx)
	return buf.Bytes()
}

// IndexDiffers reports whether index.json in outDir differs from the one
// recs imply (edited or deleted since they were applied). Drift reports it
// whatever else changed; a plan's IndexStale is set only when nothing else
// makes apply rewrite index.json anyway.
func IndexDiffers(outDir string, recs map[string]*Record) bool {
	return indexStaleRecords(outDir, recs)
}

// indexStaleRecords reports whether index.json in outDir differs from the
// one the records imply.
func indexStaleRecords(outDir string, recs map[string]*Record) bool {
	want := renderIndex(recs)
	got, err := os.ReadFile(filepath.Join(outDir, IndexFile))
	if err != nil {
		return len(recs) > 0 || !os.IsNotExist(err)
	}
	return !bytes.Equal(got, want)
}

// locationCacheDir is where MakePlan remembers, per configuration
// directory, which state file the configuration's settings chose: the fast
// path needs it without parsing. The cache only ever saves time: a wrong
// or stale entry fails the digest comparison and the slow path runs.
func locationCacheDir(environ []string) string {
	if d := getenv(environ, "XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "sessctl", "locations")
	}
	if h := getenv(environ, "HOME"); h != "" {
		return filepath.Join(h, ".cache", "sessctl", "locations")
	}
	return ""
}

func locationKey(req Request) string {
	abs, _ := filepath.Abs(req.Load.Path)
	h := sha256.New()
	for _, s := range []string{abs, req.StateFlag, getenv(req.Environ, "SESSCTL_STATE"),
		getenv(req.Environ, "XDG_STATE_HOME"), getenv(req.Environ, "HOME")} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

type cachedLoc struct {
	Digest string `json:"digest"`
	// Context is the context digest (configRead.ctx) of the same
	// configuration: the locations depend only on what it covers.
	Context string `json:"context,omitempty"`
	// Base is the context digest without the locals blocks (which
	// the locations never depend on: configRead.base is "" otherwise).
	Base string    `json:"base,omitempty"`
	Loc  Locations `json:"locations"`
}

func cachedLocation(req Request, digest string, pre *prefetch) (Locations, bool) {
	c, ok := pre.location()
	if pre == nil {
		c, ok = readCachedLoc(req)
	}
	if !ok || c.Digest != digest {
		return Locations{}, false
	}
	return c.Loc, true
}

// cachedLocationCtx is cachedLocation for a configuration whose context
// digest is ctx (its partition blocks may have changed).
func cachedLocationCtx(req Request, ctx, base string, pre *prefetch) (Locations, bool) {
	c, ok := pre.location()
	if pre == nil {
		c, ok = readCachedLoc(req)
	}
	if !ok || !(ctx != "" && c.Context == ctx || base != "" && c.Base == base) {
		return Locations{}, false
	}
	return c.Loc, true
}

func readCachedLoc(req Request) (cachedLoc, bool) {
	dir := locationCacheDir(req.Environ)
	if dir == "" {
		return cachedLoc{}, false
	}
	b, err := os.ReadFile(filepath.Join(dir, locationKey(req)+".json"))
	if err != nil {
		return cachedLoc{}, false
	}
	var c cachedLoc
	if json.Unmarshal(b, &c) != nil || c.Loc.StatePath == "" {
		return cachedLoc{}, false
	}
	return c, true
}

func rememberLocation(req Request, digest string, rd *configRead, loc Locations) {
	var ctx, base string
	if rd.split() {
		ctx, base = rd.ctx, rd.base
	}
	dir := locationCacheDir(req.Environ)
	if dir == "" || strings.TrimSpace(digest) == "" {
		return
	}
	b, err := json.Marshal(cachedLoc{Digest: digest, Context: ctx, Base: base, Loc: loc})
	if err != nil {
		return
	}
	if os.MkdirAll(dir, 0o700) != nil {
		return
	}
	_ = writeAtomic(filepath.Join(dir, locationKey(req)+".json"), b, 0o600)
}
