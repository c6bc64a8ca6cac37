package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	bolt "go.etcd.io/bbolt"

	"github.com/sessctl/sessctl/internal/warning"
)

// incEnv is a configuration of a few dozen partitions in two files, with
// globals, download directories (mkdir effects), a preload script (an
// input) and NTLM domains (read by a configuration-wide check).
func incEnv(t *testing.T) *wenv {
	var main strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&main, "partition \"persist:p%d\" {\n  profiles      = [profile.base]\n  user_agent    = \"App/%d ${var.v}\"\n  download_path = \"${path.config}/downloads/p%d\"\n", i, i, i)
		if i%10 == 0 {
			fmt.Fprintf(&main, "  ntlm_domains  = [\"*.corp.example\"]\n")
		}
		if i == 39 {
			fmt.Fprintf(&main, "  accept_languages = [local.hosts[\"a\"]]\n")
		}
		if i%7 == 0 {
			fmt.Fprintf(&main, "  preload \"p\" {\n    path = \"${path.config}/preload.js\"\n  }\n")
		}
		main.WriteString("}\n\n")
	}
	main.WriteString("# a comment between blocks\npartition \"persist:fe-${each.key}\" {\n  for_each   = local.hosts\n  user_agent = \"FE ${each.value}\"\n  permissions {\n    default = \"deny\"\n  }\n}\n")
	return newWenv(t, map[string]string{
		"globals.hcl": "variable \"v\" {\n  default = \"1\"\n}\nlocals {\n  hosts = { a = \"x\", b = \"y\" }\n}\nprofile \"base\" {\n  accept_languages = [\"en-US\"]\n}\n",
		"main.hcl":    main.String(),
		"second.hcl":  "partition \"persist:s1\" {\n  user_agent = \"S1\"\n}\n\npartition \"persist:s2\" {\n  user_agent = \"S2\"\n}\n",
		"preload.js":  "// 1\n",
	})
}

func (w *wenv) edit(name, old, new string) {
	w.t.Helper()
	b := readCfg(w.t, w, name)
	if !strings.Contains(b, old) {
		w.t.Fatalf("%q not in %s", old, name)
	}
	w.write(name, strings.Replace(b, old, new, 1))
}

// planBoth plans w's configuration as plan does and with every input
// evaluated (--full), and fails unless both give the same plan and the
// same diagnostics. It returns the first.
func planBoth(t *testing.T, w *wenv) *Planned {
	t.Helper()
	got, err := MakePlan(w.req)
	if err != nil {
		t.Fatal(err)
	}
	full := w.req
	full.NoFastPath = true
	want, err := MakePlan(full)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := renderDiags(got), renderDiags(want); g != w {
		t.Fatalf("diagnostics:\n%s\nwant (full evaluation):\n%s", g, w)
	}
	if (got.Plan == nil) != (want.Plan == nil) {
		t.Fatalf("plan %v, full evaluation's %v", got.Plan != nil, want.Plan != nil)
	}
	if got.Plan != nil {
		if g, w := planText(t, got.Plan), planText(t, want.Plan); g != w {
			t.Fatalf("plan:\n%s\nwant (full evaluation):\n%s", g, w)
		}
	}
	return got
}

// renderDiags renders each diagnostic, with its count and acknowledgement,
// in sorted order (the CLI sorts them).
func renderDiags(p *Planned) string {
	var files map[string]*hcl.File
	if p.Config != nil {
		files = p.Config.Sources
	}
	var out []string
	for _, d := range p.Diags {
		var sb strings.Builder
		_ = hcl.NewDiagnosticTextWriter(&sb, files, 100, false).WriteDiagnostic(d)
		fmt.Fprintf(&sb, "code %q, count %d, acknowledged %v, partition %q\n", warning.CodeOf(d), warning.CountOf(d), warning.Acknowledged(d), warning.PartitionOf(d))
		out = append(out, sb.String())
	}
	sort.Strings(out)
	return strings.Join(out, "")
}

func planText(t *testing.T, p *Plan) string {
	t.Helper()
	c := *p
	c.FastPath = false
	b, err := json.MarshalIndent(&c, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func applyPlanned(t *testing.T, p *Planned) {
	t.Helper()
	if p.Plan == nil {
		t.Fatalf("no plan: %v", p.Diags)
	}
	if _, err := Apply(p.Plan); err != nil {
		t.Fatal(err)
	}
}

// TestIncrementalPlanEqualsFull: after an apply, a plan of an edited
// configuration re-evaluates only the partition blocks the edit touched,
// and gives exactly the plan and the diagnostics of a full evaluation,
// whatever the edit. Edits it cannot judge fall back to the full path.
func TestIncrementalPlanEqualsFull(t *testing.T) {
	w := incEnv(t)
	applyPlanned(t, planBoth(t, w))
	// Every partition but the for_each ones has a warning: a plan with
	// nothing to do prints them from the cache, evaluating nothing.
	if p := planBoth(t, w); p.FastPath || p.Incremental == nil || p.Incremental.Blocks != 0 || len(p.Diags) != 43 {
		t.Fatalf("no-op plan after apply: fast path %v, incremental %+v, %d warnings; want the partial plan of no block, with 43 warnings", p.FastPath, p.Incremental, len(p.Diags))
	}
	type step struct {
		name    string
		edit    func()
		blocks  int  // partition blocks re-evaluated; -1: the full path
		apply   bool // apply the plan before the next step
		changes int
		rebuilt int // partitions evaluated, when not 0
	}
	steps := []step{
		{name: "one attribute", edit: func() { w.edit("main.hcl", `"App/7 ${var.v}"`, `"App/7 edited ${var.v}"`) }, blocks: 1, changes: 1},
		{name: "whitespace and comments only", edit: func() {
			w.edit("main.hcl", "# a comment between blocks\n", "# another comment\n\n\n")
		}, blocks: 0, changes: 0},
		{name: "one attribute, applied", edit: func() { w.edit("main.hcl", `"App/8 ${var.v}"`, `"App/8 edited ${var.v}"`) }, blocks: 1, changes: 1, apply: true},
		{name: "after an incremental apply", edit: func() {}, blocks: -2},
		{name: "add a partition", edit: func() {
			w.edit("second.hcl", "partition \"persist:s2\"", "partition \"persist:s3\" {\n  cache = false\n}\n\npartition \"persist:s2\"")
		}, blocks: 1, changes: 1},
		{name: "remove a partition", edit: func() { w.edit("second.hcl", "partition \"persist:s1\" {\n  user_agent = \"S1\"\n}\n", "") }, blocks: 0, changes: 1},
		{name: "rename a partition", edit: func() { w.edit("second.hcl", "persist:s1", "persist:s1-renamed") }, blocks: 1, changes: 2},
		{name: "move a block within the file", edit: func() {
			w.edit("second.hcl", "partition \"persist:s1\" {\n  user_agent = \"S1\"\n}\n\npartition \"persist:s2\" {\n  user_agent = \"S2\"\n}\n",
				"partition \"persist:s2\" {\n  user_agent = \"S2\"\n}\n\npartition \"persist:s1\" {\n  user_agent = \"S1\"\n}\n")
		}, blocks: 0, changes: 0},
		{name: "move a block to another file", edit: func() {
			w.edit("second.hcl", "partition \"persist:s1\" {\n  user_agent = \"S1\"\n}\n", "")
			w.write("main.hcl", readCfg(t, w, "main.hcl")+"\npartition \"persist:s1\" {\n  user_agent = \"S1\"\n}\n")
		}, blocks: 1, changes: 0},
		{name: "a file left without partitions", edit: func() { w.write("second.hcl", "# nothing here\n") }, blocks: 0, changes: 2},
		{name: "another warning", edit: func() {
			w.edit("second.hcl", "partition \"persist:s2\"", "partition \"persist:\" {\n  cache = false\n}\n\npartition \"persist:s2\"")
		}, blocks: 1, changes: 1, apply: true},
		{name: "its warning is kept with its block", edit: func() { w.edit("second.hcl", "persist:s1", "persist:s1-renamed") }, blocks: 1, changes: 2},
		{name: "a duplicate name", edit: func() { w.edit("second.hcl", "persist:s2", "persist:p0") }, blocks: -1},
		{name: "a syntax error", edit: func() { w.edit("main.hcl", `"App/5 ${var.v}"`, `"App/5 ${var.v}" +`) }, blocks: -1},
		{name: "a global changed", edit: func() { w.edit("globals.hcl", "default = \"1\"", "default = \"2\"") }, blocks: -1},
		{name: "a configuration-wide check's input", edit: func() { w.edit("main.hcl", "\"*.corp.example\"]\n  preload", "\"*.other.example\"]\n  preload") }, blocks: -1},
		{name: "a referenced file", edit: func() { w.write("preload.js", "// 2\n") }, blocks: -1},
		{name: "a for_each block", edit: func() { w.edit("main.hcl", `"FE ${each.value}"`, `"FE2 ${each.value}"`) }, blocks: 1, changes: 2},
		// Only locals change: the blocks that read them are parsed again,
		// and only their instances whose inputs changed are evaluated.
		{name: "a for_each value", edit: func() { w.edit("globals.hcl", `a = "x"`, `a = "x9"`) }, blocks: 2, changes: 2},
		{name: "another for_each value", edit: func() { w.edit("globals.hcl", `b = "y"`, `b = "y9"`) }, blocks: 2, changes: 1, rebuilt: 2},
		{name: "a for_each key added", edit: func() { w.edit("globals.hcl", `b = "y"`, `b = "y", c = "z"`) }, blocks: 2, changes: 1, rebuilt: 2},
		{name: "a for_each key removed, applied", edit: func() { w.edit("globals.hcl", `a = "x", b = "y"`, `a = "x"`) }, blocks: 2, changes: 1, apply: true},
		{name: "after applying it", edit: func() {}, blocks: -2},
		{name: "a local nobody reads", edit: func() { w.edit("globals.hcl", "locals {\n", "locals {\n  unused = 1\n") }, blocks: 2, changes: 0},
		{name: "a value again after a locals apply", edit: func() { w.edit("globals.hcl", `a = "x"`, `a = "x8"`) }, blocks: 2, changes: 2},
		{name: "a local and a block", edit: func() {
			w.edit("globals.hcl", `a = "x"`, `a = "x7"`)
			w.edit("second.hcl", `"S1"`, `"S1 edited"`)
		}, blocks: 3, changes: 3},
		{name: "a local read by a global block", edit: func() {
			w.edit("globals.hcl", "profile \"base\" {\n  accept_languages = [\"en-US\"]", "profile \"base\" {\n  accept_languages = [local.hosts.a]")
		}, blocks: -1},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			orig := map[string]string{}
			for _, f := range []string{"main.hcl", "second.hcl", "globals.hcl", "preload.js"} {
				orig[f] = readCfg(t, w, f)
			}
			st.edit()
			p := planBoth(t, w)
			switch {
			case st.blocks == -2:
				if p.FastPath || p.Incremental == nil || p.Incremental.Blocks != 0 || len(p.Diags) == 0 {
					t.Fatalf("plan after applying an incremental plan: fast path %v, incremental %+v, %d warnings", p.FastPath, p.Incremental, len(p.Diags))
				}
			case st.blocks < 0:
				if p.Incremental != nil {
					t.Fatalf("incremental plan (%+v); want the full path", *p.Incremental)
				}
			case p.Incremental == nil:
				t.Fatalf("full evaluation; want an incremental plan of %d blocks", st.blocks)
			case p.Incremental.Blocks != st.blocks:
				t.Fatalf("%d blocks evaluated, want %d", p.Incremental.Blocks, st.blocks)
			case st.rebuilt != 0 && p.Incremental.Rebuilt != st.rebuilt:
				t.Fatalf("%d partitions evaluated, want %d", p.Incremental.Rebuilt, st.rebuilt)
			}
			if p.Plan != nil && st.blocks != -1 && len(p.Plan.Changes) != st.changes {
				t.Fatalf("%d changes, want %d", len(p.Plan.Changes), st.changes)
			}
			if st.apply {
				applyPlanned(t, p)
				return
			}
			for f, c := range orig {
				w.write(f, c)
			}
		})
	}
}

// TestIncrementalPlanSeesDrift: a partition that is not re-evaluated is
// still checked in the world; an edit that keeps a profile's size and
// puts its mtime back is seen by ctime, and a removed download directory
// by its parent's stamp.
func TestIncrementalPlanSeesDrift(t *testing.T) {
	w := incEnv(t)
	applyPlanned(t, planBoth(t, w))
	w.edit("main.hcl", `"App/7 ${var.v}"`, `"App/7 edited ${var.v}"`)
	if p := planBoth(t, w); p.Incremental == nil {
		t.Fatal("not incremental")
	}
	// Same size, same mtime, other content.
	prof := filepath.Join(w.out, ProfileFileName("persist:p12"))
	fi, err := os.Stat(prof)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(prof)
	b2 := bytes.Replace(b, []byte("App/12"), []byte("App/99"), 1)
	if bytes.Equal(b, b2) {
		t.Fatal("profile does not hold the user agent")
	}
	if err := os.WriteFile(prof, b2, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(prof, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	p := planBoth(t, w)
	if p.Incremental != nil || len(p.Plan.Changes) != 2 {
		t.Fatalf("drift: incremental %v, %d changes; want the full path and 2 changes", p.Incremental != nil, len(p.Plan.Changes))
	}
	if err := os.WriteFile(prof, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if p := planBoth(t, w); len(p.Plan.Changes) != 1 {
		t.Fatalf("%d changes after the profile was put back", len(p.Plan.Changes))
	}
	if err := os.Remove(filepath.Join(w.cfg, "downloads", "p13")); err != nil {
		t.Fatal(err)
	}
	if p := planBoth(t, w); p.Incremental != nil || len(p.Plan.Changes) != 2 {
		t.Fatalf("removed directory: incremental %v, %d changes", p.Incremental != nil, len(p.Plan.Changes))
	}
}

// TestStampVouches: the git rule. A stamp proves a file unchanged only when
// stat gives it back exactly, the platform has a ctime, and the file's last
// change is strictly older than the reference (index.json's mtime).
func TestStampVouches(t *testing.T) {
	base := fileStamp{Size: 10, Mtime: 100, Ctime: 200, Ino: 7, Dev: 3, Mode: 0o644}
	now := stamp{size: 10, mtime: 100, ctime: 200, ino: 7, dev: 3, mode: 0o644}
	cases := []struct {
		name string
		s    fileStamp
		now  stamp
		ref  int64
		want bool
	}{
		{"same, older than the reference", base, now, 201, true},
		{"changed in the reference's tick", base, now, 200, false},
		{"size", base, stamp{size: 11, mtime: 100, ctime: 200, ino: 7, dev: 3, mode: 0o644}, 300, false},
		{"ctime (mtime put back)", base, stamp{size: 10, mtime: 100, ctime: 250, ino: 7, dev: 3, mode: 0o644}, 300, false},
		{"inode (replaced)", base, stamp{size: 10, mtime: 100, ctime: 200, ino: 8, dev: 3, mode: 0o644}, 300, false},
		{"mode", base, stamp{size: 10, mtime: 100, ctime: 200, ino: 7, dev: 3, mode: 0o600}, 300, false},
		{"no ctime on this platform", fileStamp{Size: 10, Mtime: 100}, stamp{size: 10, mtime: 100}, 300, false},
	}
	for _, c := range cases {
		if got := c.s.vouches(c.now, c.ref); got != c.want {
			t.Errorf("%s: vouches = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestPlanCacheCodec: the cache decodes to what was encoded, and any
// truncation or damage is refused rather than trusted.
func TestPlanCacheCodec(t *testing.T) {
	c := &planCache{Version: planCacheVersion, IndexSHA: "abc", IndexMtime: -5, InputsOK: true,
		Inputs: map[string]string{"/a": "1", "/b": ""},
		Parts: map[string]cachePart{"": {File: "d.json", ProfileSHA256: "s"},
			"persist:x": {File: "x.json", ProfileSHA256: "t", Stamp: fileStamp{Size: 1, Mtime: 2, Ctime: 3, Ino: 4, Dev: 5, Mode: 6},
				Effects: []EffectRecord{{Kind: "mkdir", Path: "/d/x"}, {Kind: "write-file", Path: "/f", SHA256: "u"}}}},
		Dirs: map[string]fileStamp{"/d": {Size: 9, Ctime: 1 << 62}},
		Eval: &evalTable{Context: "ctx", Sigs: map[string]string{"persist:x": "\x00\xff"},
			Files: []evalFile{{Path: "/c/main.hcl", Blocks: []evalBlock{{SHA: strings.Repeat("\x01", 32), Names: []string{"", "persist:x"}, Diag: true}, {SHA: "z"}}}, {Path: "/c/b.hcl"}}}}
	b := encodePlanCache(c)
	got := decodePlanCache(b)
	if got == nil {
		t.Fatal("does not decode")
	}
	if !bytes.Equal(encodePlanCache(got), b) {
		t.Fatalf("round trip differs:\n%+v\n%+v", got, c)
	}
	if got.Parts["persist:x"].Effects[1].SHA256 != "u" || got.Eval.Files[0].Blocks[0].Names[1] != "persist:x" || !got.Eval.Files[0].Blocks[0].Diag || got.Dirs["/d"].Ctime != 1<<62 {
		t.Fatalf("decoded %+v", got)
	}
	for i := 0; i < len(b); i++ {
		if decodePlanCache(b[:i]) != nil {
			t.Fatalf("a cache cut at %d of %d bytes decodes", i, len(b))
		}
	}
	if decodePlanCache(append(append([]byte(nil), b...), 0)) != nil {
		t.Fatal("trailing bytes accepted")
	}
	for i := len(cacheMagic); i < len(b); i++ {
		d := append([]byte(nil), b...)
		d[i] ^= 0xff
		_ = decodePlanCache(d) // must not panic; may decode to other values
	}
	hostile := *c
	hostile.Parts = map[string]cachePart{"persist:x": {File: "../../etc/shadow", ProfileSHA256: "t"}}
	if decodePlanCache(encodePlanCache(&hostile)) != nil {
		t.Fatal("a profile file name outside the output directory accepted")
	}
	old := *c
	old.Version = planCacheVersion + 1
	if decodePlanCache(encodePlanCache(&old)) != nil {
		t.Fatal("another version accepted")
	}
}

// TestApplyLeavesStamps: the cache an apply leaves stamps every profile
// it wrote, takes index.json's mtime as the reference, and a plan cache
// is refreshed by an apply that had nothing to do.
func TestApplyLeavesStamps(t *testing.T) {
	w := incEnv(t)
	applyPlanned(t, planBoth(t, w))
	_, pc, err := readPlanCache(w.state)
	if err != nil || pc == nil || pc.Eval == nil {
		t.Fatalf("no plan cache with a block table after the first apply: %v", err)
	}
	if len(pc.Parts) != 44 || pc.Eval.names() != 44 {
		t.Fatalf("%d parts, %d names in the table; want 44", len(pc.Parts), pc.Eval.names())
	}
	for name, p := range pc.Parts {
		if p.Stamp.Ctime == 0 || p.Stamp.Size == 0 {
			t.Fatalf("%q has no stamp", name)
		}
		if p.Stamp.Mtime > pc.IndexMtime {
			t.Fatalf("%q was stamped after index.json was written", name)
		}
	}
	if len(pc.Dirs) != 1 {
		t.Fatalf("dirs %v, want the downloads directory", pc.Dirs)
	}
	// A commit without a cache (an older sessctl, a recovery) drops it;
	// an apply with nothing to do writes it again.
	if err := dropCache(w.state); err != nil {
		t.Fatal(err)
	}
	if _, pc, _ := readPlanCache(w.state); pc != nil {
		t.Fatal("cache survived")
	}
	full := w.req
	full.NoFastPath = true
	p, err := MakePlan(full)
	if err != nil || p.Plan == nil || p.Plan.HasChanges() {
		t.Fatalf("plan: %v %v", err, p.Diags)
	}
	applyPlanned(t, p)
	if _, pc, _ := readPlanCache(w.state); pc == nil || pc.Eval == nil || len(pc.Parts) != 44 {
		t.Fatal("an apply with nothing to do left no cache")
	}
}

// dropCache deletes the state's cache key, as a writer that does not
// know it would leave the state.
func dropCache(path string) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Delete([]byte("cache")) })
}

// TestDirStatIsLstat: stamps taken through a directory descriptor are the
// ones lstat gives (mode bits, symbolic links, set-id bits included).
func TestDirStatIsLstat(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o640))
	must(os.Chmod(filepath.Join(dir, "f"), 0o640|os.ModeSetgid))
	must(os.Mkdir(filepath.Join(dir, "d"), 0o751))
	must(os.Symlink("f", filepath.Join(dir, "l")))
	ds := openDirStat(dir)
	defer ds.close()
	for _, n := range []string{"f", "d", "l"} {
		got, ok1 := ds.lstamp(n)
		want, ok2 := lstamp(filepath.Join(dir, n))
		got.seen, want.seen = 0, 0
		if !ok1 || !ok2 || got != want {
			t.Errorf("%s: %+v (%v), lstat %+v (%v)", n, got, ok1, want, ok2)
		}
	}
	if _, ok := ds.lstamp("missing"); ok {
		t.Error("a missing file has a stamp")
	}
}
