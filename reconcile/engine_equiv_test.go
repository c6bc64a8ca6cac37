package reconcile

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/schema"
)

// The incremental engine must reach the profiles a full evaluation
// (schema.Load + Build, what `sessctl plan` does) reaches, after every
// kind of edit. Each step edits the configuration, plans with the engine
// (applying nothing), and compares the engine's desired partitions with
// a fresh full build.
func TestEngineIncrementalEqualsFull(t *testing.T) {
	w := newWenv(t, map[string]string{
		"globals.hcl": `variable "ua" {
  default = "G/1"
}
locals {
  langs = ["en-US"]
}
profile "base" {
  accept_languages = local.langs
}
`,
		"a.hcl":      "partition \"persist:a\" {\n  profiles   = [profile.base]\n  user_agent = var.ua\n}\n",
		"b.hcl":      "partition \"persist:b\" {\n  user_agent = \"B/1\"\n  preload \"p\" {\n    path = \"${path.config}/preload.js\"\n  }\n}\n",
		"c.hcl":      "partition \"persist:c\" {\n  user_agent = \"C/1\"\n  preload \"p\" {\n    path = \"${path.config}/preload.js\"\n  }\n}\n",
		"preload.js": "// 1\n",
	})
	e := NewEngine(w.req)
	steps := []struct {
		name   string
		edit   func()
		reload string // expected LastStats.Reload
	}{
		{"initial", func() {}, "full"},
		{"nothing changed", func() {}, "none"},
		{"edit a partition file", func() { w.write("b.hcl", strings.Replace(readCfg(t, w, "b.hcl"), "B/1", "B/2", 1)) }, "partial"},
		{"add a partition file", func() { w.write("d.hcl", "partition \"persist:d\" {\n  user_agent = var.ua\n}\n") }, "partial"},
		{"delete a partition file", func() { os.Remove(filepath.Join(w.cfg, "c.hcl")) }, "partial"},
		{"move a partition between files", func() {
			w.write("d.hcl", "partition \"persist:d\" {\n  user_agent = var.ua\n}\npartition \"persist:b\" {\n  user_agent = \"B/moved\"\n}\n")
			os.Remove(filepath.Join(w.cfg, "b.hcl"))
		}, "partial"},
		{"rename a partition", func() { w.write("a.hcl", strings.Replace(readCfg(t, w, "a.hcl"), "persist:a", "persist:a2", 1)) }, "partial"},
		{"edit a referenced file", func() { w.write("preload.js", "// 2\n") }, "none"},
		{"edit a global file", func() { w.write("globals.hcl", strings.Replace(readCfg(t, w, "globals.hcl"), "G/1", "G/2", 1)) }, "full"},
		{"a partition file declares a local", func() {
			w.write("d.hcl", "locals {\n  x = 1\n}\npartition \"persist:d\" {\n  user_agent = var.ua\n}\n")
		}, "full"},
		{"it becomes partition-only again", func() { w.write("d.hcl", "partition \"persist:d\" {\n  user_agent = \"D/3\"\n}\n") }, "full"}, // it was global: full
		{"referenced file and partition file together", func() {
			w.write("preload.js", "// 3\n")
			w.write("d.hcl", "partition \"persist:d\" {\n  user_agent = \"D/4\"\n}\npartition \"persist:c\" {\n  preload \"p\" {\n    path = \"${path.config}/preload.js\"\n  }\n}\n")
		}, "partial"},
	}
	for _, st := range steps {
		st.edit()
		p, err := e.Plan(false)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if p.Diags.HasErrors() {
			t.Fatalf("%s: diagnostics %v", st.name, p.Diags)
		}
		if e.LastStats.Reload != st.reload {
			t.Errorf("%s: reload %q, want %q", st.name, e.LastStats.Reload, st.reload)
		}
		cfg, diags := schema.Load(w.req.Load)
		if diags.HasErrors() {
			t.Fatalf("%s: full load: %v", st.name, diags)
		}
		full, bd := Build(cfg)
		if bd.HasErrors() {
			t.Fatalf("%s: full build: %v", st.name, bd)
		}
		if got, want := digests(e.Desired()), digests(full); got != want {
			t.Errorf("%s: engine desired\n  %s\nfull build\n  %s", st.name, got, want)
		}
		// The configuration digest the engine records (from the hashes
		// it keeps) must be the one plan computes by reading every file,
		// or plan would never take its no-op fast path after watch.
		if p.Plan.HasChanges() {
			e.Owns(filepath.Join(p.Plan.OutputDir, IndexFile)) // index the old records' files
			if _, err := e.Apply(p); err != nil {
				t.Fatalf("%s: apply: %v", st.name, err)
			}
			// The file index, kept in step by Apply, names exactly the
			// recorded profiles.
			for _, rec := range e.snap.Records {
				if sum, ok := e.WrittenSHA(filepath.Join(p.Plan.OutputDir, rec.File)); !ok || sum != rec.ProfileSHA256 {
					t.Errorf("%s: WrittenSHA(%s) = %q, %v; want the record's %s", st.name, rec.File, sum, ok, rec.ProfileSHA256)
				}
			}
			if e.fileIdxOf == e.snap && len(e.fileIdx) != len(e.snap.Records) {
				t.Errorf("%s: the file index has %d entries for %d records", st.name, len(e.fileIdx), len(e.snap.Records))
			}
			want, err := inputDigest(w.req.Load)
			if err != nil {
				t.Fatal(err)
			}
			if e.snap.ConfigDigest != want {
				t.Errorf("%s: recorded digest %s, a fresh read gives %s", st.name, e.snap.ConfigDigest, want)
			}
		}
	}
}

func readCfg(t *testing.T, w *wenv, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(w.cfg, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// digests lists name=digest, and the referenced files with their digests.
func digests(m map[string]*Desired) string {
	var out []string
	for name, d := range m {
		s := name + "=" + d.Digest
		for _, in := range d.Inputs {
			s += " " + filepath.Base(in.Path) + ":" + in.SHA256[:min(8, len(in.SHA256))]
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, "\n  ")
}

// An invalid edit (in a partition-only file, or a duplicate name across
// files) leaves the engine on its last good configuration; the fix is
// picked up.
func TestEngineInvalidEditKeepsLastGood(t *testing.T) {
	w := newWenv(t, map[string]string{
		"a.hcl": "partition \"persist:a\" {\n  user_agent = \"A/1\"\n}\n",
		"b.hcl": "partition \"persist:b\" {\n  user_agent = \"B/1\"\n}\n",
	})
	e := NewEngine(w.req)
	if p, err := e.Plan(false); err != nil || p.Diags.HasErrors() {
		t.Fatal(err, p.Diags)
	}
	good := digests(e.Desired())
	for _, bad := range []struct{ file, content string }{
		{"b.hcl", "partition \"persist:b\" {\n  user_agnet = \"B/2\"\n}\n"},
		{"b.hcl", "partition \"persist:a\" {\n}\n"}, // duplicate of a.hcl's
		{"b.hcl", "partition \"persist:b\" {"},      // syntax error
	} {
		w.write(bad.file, bad.content)
		p, err := e.Plan(false)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Diags.HasErrors() || p.Plan != nil {
			t.Errorf("%q: no error diagnostics (plan %v)", bad.content, p.Plan)
		}
		if got := digests(e.Desired()); got != good {
			t.Errorf("%q: desired changed to\n  %s", bad.content, got)
		}
	}
	w.write("b.hcl", "partition \"persist:b\" {\n  user_agent = \"B/fixed\"\n}\n")
	p, err := e.Plan(false)
	if err != nil || p.Diags.HasErrors() {
		t.Fatal(err, p.Diags)
	}
	if d := e.Desired()["persist:b"]; d == nil || string(d.Fields["userAgent"]) != `"B/fixed"` {
		t.Fatalf("fix not picked up: %v", d)
	}
}

// Moving the state file in the settings block makes the engine read the
// new state, not keep the old one's snapshot.
func TestEngineFollowsMovedStateFile(t *testing.T) {
	w := newWenv(t, map[string]string{"a.hcl": "partition \"persist:a\" {\n  user_agent = \"A/1\"\n}\n"})
	settings := func(state string) {
		w.write("settings.hcl", "sessctl {\n  output = \""+w.out+"\"\n  state = \""+filepath.Join(w.dir, state)+"\"\n}\n")
	}
	settings("s1.db")
	req := w.req
	req.StateFlag = ""
	// s2.db will belong to another configuration: this one takes it over.
	req.TakeOwnership = true
	e := NewEngine(req)
	p, err := e.Plan(false)
	if err != nil || p.Plan == nil {
		t.Fatal(err, p.Diags)
	}
	if _, err := e.Apply(p); err != nil {
		t.Fatal(err)
	}
	// s2.db exists too, at the same serial, recording another partition.
	other := newWenv(t, map[string]string{"z.hcl": "partition \"persist:z\" {\n}\n"})
	other.req.StateFlag = filepath.Join(w.dir, "s2.db")
	op, err := MakePlan(other.req)
	if err != nil || op.Plan == nil {
		t.Fatal(err)
	}
	if res, err := Apply(op.Plan); err != nil || res.Serial != 1 {
		t.Fatal(err, res)
	}
	settings("s2.db")
	p, err = e.Plan(false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Plan == nil {
		t.Fatal(p.Diags)
	}
	if p.Plan.StatePath != filepath.Join(w.dir, "s2.db") {
		t.Fatalf("plan against %s, want s2.db", p.Plan.StatePath)
	}
	if add, _, destroy := p.Plan.Counts(); add != 1 || destroy != 1 {
		t.Fatalf("against s2.db the plan adds %d and destroys %d partitions, want 1 and 1 (persist:a, persist:z)", add, destroy)
	}
}

// Edits inside one large partition-only file take the block-level path
// (only the changed top-level blocks are decoded, the partitions after
// the edit keep their objects with moved ranges) and must give what a
// full load gives: the same profiles and the same decoded partitions,
// ranges included.
func TestEngineBlockEditsEqualFull(t *testing.T) {
	var b strings.Builder
	b.WriteString("# big.hcl { a comment with braces }\n")
	for i := 0; i < 30; i++ {
		switch {
		case i%7 == 3:
			fmt.Fprintf(&b, "partition \"persist:p%02d\" {\n  user_agent = trimspace(<<-EOF\n    UA } { ${\"p%02d\"}\n    EOF\n  )\n}\n", i, i)
		case i%5 == 2:
			fmt.Fprintf(&b, "/* } */\npartition \"persist:p%02d\" {\n  user_agent = \"UA {p%02d} }\" // }\n}\n", i, i)
		default:
			fmt.Fprintf(&b, "partition \"persist:p%02d\" {\n  profiles   = [profile.base]\n  user_agent = \"UA/p%02d\" # {\n}\n", i, i)
		}
		b.WriteString("\n")
	}
	w := newWenv(t, map[string]string{
		"globals.hcl": "profile \"base\" {\n  accept_languages = [\"en-US\"]\n}\n",
		"big.hcl":     b.String(),
	})
	e := NewEngine(w.req)
	edit := func(old, new string) func() {
		return func() {
			s := readCfg(t, w, "big.hcl")
			if !strings.Contains(s, old) {
				t.Fatalf("test bug: %q not in big.hcl", old)
			}
			w.write("big.hcl", strings.Replace(s, old, new, 1))
		}
	}
	steps := []struct {
		name   string
		edit   func()
		blocks int // blocks decoded; -1: the block path must not be taken
	}{
		{"initial", func() {}, -1},
		{"change an attribute (longer, more lines)", edit(`"UA/p05"`, "\"UA/p05-edited\"\n\n"), 1},
		{"change an attribute (shorter)", edit(`"UA/p11"`, `"U"`), 1},
		{"add a partition in the middle", edit("partition \"persist:p13\"", "partition \"persist:new\" {\n  user_agent = \"N/1\"\n}\n\npartition \"persist:p13\""), 1},
		{"remove a partition", edit("partition \"persist:new\" {\n  user_agent = \"N/1\"\n}\n\n", ""), 0},
		{"a comment between blocks gains braces and lines", edit("\n\npartition \"persist:p20\"", "\n# } {\n/* {\n{ */\npartition \"persist:p20\""), 0},
		{"a string with braces", edit(`"UA {p07} }"`, `"UA }}{{p07 ${"}"}"`), 1},
		{"a heredoc", edit("UA } { ${\"p10\"}", "UA {{ } ${\"p10-x\"} }"), 1},
		{"rename a partition", edit(`"persist:p28"`, `"persist:p28b"`), 1},
		{"two partitions change places' names", edit("\"persist:p01\" {\n  profiles   = [profile.base]\n  user_agent = \"UA/p01\"", "\"persist:p01\" {\n  user_agent = \"UA/p01x\""), 1},
		{"a for_each partition is not block-decoded", edit("partition \"persist:p29\" {", "partition \"persist:fe-${each.key}\" {\n  for_each = toset([\"a\", \"b\"])\n}\npartition \"persist:p29\" {"), -1},
		{"after the fallback, the block path again", edit(`"UA/p26"`, `"UA/p26!"`), 1},
		{"the first partition", edit(`"UA/p00"`, `"UA/p00 first"`), 1},
		{"the last partition", edit("partition \"persist:p29\" {\n  profiles   = [profile.base]\n  user_agent = \"UA/p29\"", "partition \"persist:p29\" {\n  user_agent = \"UA/p29 last\""), 1},
		{"two edits far apart in one save", func() {
			edit(`"UA/p04"`, `"UA/p04-a"`)()
			edit(`"UA/p25"`, `"UA/p25-b"`)()
		}, 2},
	}
	for _, st := range steps {
		st.edit()
		p, err := e.Plan(false)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if p.Diags.HasErrors() {
			t.Fatalf("%s: diagnostics %v", st.name, p.Diags)
		}
		if st.blocks < 0 && e.LastStats.BlockReload {
			t.Errorf("%s: took the block path", st.name)
		}
		if st.blocks >= 0 && (!e.LastStats.BlockReload || e.LastStats.BlocksDecoded != st.blocks || e.LastStats.Reload != "partial") {
			t.Errorf("%s: stats %+v, want the block path with %d blocks", st.name, e.LastStats, st.blocks)
		}
		cfg, diags := schema.Load(w.req.Load)
		if diags.HasErrors() {
			t.Fatalf("%s: full load: %v", st.name, diags)
		}
		full, bd := Build(cfg)
		if bd.HasErrors() {
			t.Fatalf("%s: full build: %v", st.name, bd)
		}
		if got, want := digests(e.Desired()), digests(full); got != want {
			t.Errorf("%s: engine desired\n  %s\nfull build\n  %s", st.name, got, want)
		}
		got := e.Config().Partitions
		if len(got) != len(cfg.Partitions) {
			t.Fatalf("%s: %d partitions, full load %d", st.name, len(got), len(cfg.Partitions))
		}
		for i, want := range cfg.Partitions {
			if !reflect.DeepEqual(got[i], want) {
				t.Errorf("%s: partition %d:\n  engine %+v\n  full   %+v", st.name, i, *got[i], *want)
			}
		}
		src := e.Config().Sources[filepath.Join(w.cfg, "big.hcl")]
		if src == nil || string(src.Bytes) != readCfg(t, w, "big.hcl") {
			t.Errorf("%s: the engine's source of big.hcl is not the file's content", st.name)
		}
	}
}

// An invalid edit inside a many-partition file is reported by the
// file-level path (the block path never reports errors itself) and keeps
// the last good configuration; the fix then takes the block path again.
func TestEngineBlockInvalidEdit(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&b, "partition \"persist:p%d\" {\n  user_agent = \"UA/%d\"\n}\n\n", i, i)
	}
	w := newWenv(t, map[string]string{"big.hcl": b.String()})
	e := NewEngine(w.req)
	if p, err := e.Plan(false); err != nil || p.Diags.HasErrors() {
		t.Fatal(err, p.Diags)
	}
	good := digests(e.Desired())
	bad := strings.Replace(b.String(), "user_agent = \"UA/2\"", "user_agnet = \"UA/2b\"", 1)
	w.write("big.hcl", bad)
	p, err := e.Plan(false)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Diags.HasErrors() || e.LastStats.BlockReload {
		t.Fatalf("invalid edit: diagnostics %v, stats %+v; want errors from the file-level path", p.Diags, e.LastStats)
	}
	if r := p.Diags[0].Subject; r == nil || r.Start.Line != 10 {
		t.Errorf("error at %v, want line 10 (the misspelt attribute)", r)
	}
	if got := digests(e.Desired()); got != good {
		t.Errorf("desired changed by an invalid edit:\n  %s", got)
	}
	w.write("big.hcl", strings.Replace(b.String(), "\"UA/2\"", "\"UA/2-fixed\"", 1))
	if p, err := e.Plan(false); err != nil || p.Diags.HasErrors() {
		t.Fatal(err, p.Diags)
	}
	if !e.LastStats.BlockReload || e.LastStats.BlocksDecoded != 1 {
		t.Errorf("fix: stats %+v, want the block path", e.LastStats)
	}
	if d := e.Desired()["persist:p2"]; d == nil || string(d.Fields["userAgent"]) != `"UA/2-fixed"` {
		t.Fatalf("fix not picked up: %v", d)
	}
}

// The digest the engine records must describe what it loaded: when a
// configuration file is created, or one that was loaded is removed,
// between the plan and the apply, no digest is recorded and the next plan
// evaluates everything (adding the new partition, destroying the gone
// one) instead of trusting a digest of what was not applied.
func TestEngineDigestOnlyOfWhatWasLoaded(t *testing.T) {
	for _, tc := range []struct {
		name   string
		extra  map[string]string
		change func(w *wenv) error
	}{
		{"a file created", nil, func(w *wenv) error {
			w.write("late.hcl", "partition \"persist:late\" {\n  user_agent = \"L/1\"\n}\n")
			return nil
		}},
		{"a loaded file removed", map[string]string{"gone.hcl": "partition \"persist:gone\" {\n  user_agent = \"G/1\"\n}\n"},
			func(w *wenv) error { return os.Remove(filepath.Join(w.cfg, "gone.hcl")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := baseFiles()
			for k, v := range tc.extra {
				files[k] = v
			}
			w := newWenv(t, files)
			e := NewEngine(w.req)
			p, err := e.Plan(false)
			if err != nil || p.Diags.HasErrors() {
				t.Fatal(err, p.Diags)
			}
			if err := tc.change(w); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Apply(p); err != nil {
				t.Fatal(err)
			}
			if e.snap.ConfigDigest != "" {
				t.Errorf("recorded digest %q does not describe what was loaded", e.snap.ConfigDigest)
			}
			next, err := MakePlan(w.req)
			if err != nil || next.Diags.HasErrors() {
				t.Fatal(err, next.Diags)
			}
			if next.FastPath || !next.Plan.HasChanges() {
				t.Fatalf("plan after the apply: fast path %v, changes %v; want the difference applied", next.FastPath, next.Plan.HasChanges())
			}
		})
	}
}
