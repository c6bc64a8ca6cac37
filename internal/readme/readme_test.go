// Package readme keeps README.md's reference sections in step with
// docs/*.md: the README is the single page users read, the docs files are
// what code comments point at, and this test fails when they differ.
// `go test ./internal/readme -update` rewrites the README's sections.
package readme

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite README.md's sections from docs/*.md")

type section struct{ file, title string }

// before go ahead of "## CLI reference", after ahead of "## Performance".
var (
	before = []section{
		{"language", "The configuration language"},
		{"proxy", "Proxy"},
		{"pac", "PAC scripts"},
		{"families", "Setting families"},
		{"permissions", "Permissions"},
		{"certificates", "Certificates"},
		{"serial", "Serial port selection"},
	}
	after = []section{
		{"watch", "Watch and drift"},
		{"electron-adapter", "Using sessctl from an Electron app"},
		{"state", "State details"},
	}
)

var (
	heading  = regexp.MustCompile(`^#{1,5} `)
	docLink  = regexp.MustCompile(`\((?:\.\./)?(?:docs/)?([a-z-]+)\.md(?:#[^)]*)?\)`)
	nonWord  = regexp.MustCompile(`[^\w\- ]`)
	blockRes = map[string]*regexp.Regexp{}
)

func anchor(title string) string {
	a := nonWord.ReplaceAllString(strings.ToLower(strings.TrimSpace(title)), "")
	return strings.ReplaceAll(a, " ", "-")
}

func titles() map[string]string {
	m := map[string]string{}
	for _, s := range append(append([]section{}, before...), after...) {
		m[s.file] = s.title
	}
	return m
}

// fold renders one docs file as a README section: its first heading
// becomes "## title", every other heading outside code fences goes one
// level down, and links to other docs files become README anchors.
func fold(t *testing.T, root string, s section) string {
	b, err := os.ReadFile(filepath.Join(root, "docs", s.file+".md"))
	if err != nil {
		t.Fatal(err)
	}
	tt := titles()
	var out []string
	fence, first := false, true
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "```") {
			fence = !fence
		}
		if !fence && heading.MatchString(l) {
			if first {
				l, first = "## "+s.title, false
			} else {
				l = "#" + l
			}
		}
		out = append(out, l)
	}
	text := strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n\n"
	text = docLink.ReplaceAllStringFunc(text, func(m string) string {
		k := docLink.FindStringSubmatch(m)[1]
		if title, ok := tt[k]; ok {
			return "(#" + anchor(title) + ")"
		}
		return m
	})
	for k, title := range tt {
		text = strings.ReplaceAll(text, "`docs/"+k+".md`", "["+title+"](#"+anchor(title)+")")
		text = strings.ReplaceAll(text, "docs/"+k+".md", "the "+title+" section")
	}
	return text
}

func block(name string) *regexp.Regexp {
	if r, ok := blockRes[name]; ok {
		return r
	}
	r := regexp.MustCompile(`(?s)<!-- BEGIN ` + name + ` -->\n.*?<!-- END ` + name + ` -->\n`)
	blockRes[name] = r
	return r
}

func render(t *testing.T, root string, secs []section, name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- BEGIN %s -->\n", name)
	b.WriteString("<!-- Generated from docs/*.md by `go test ./internal/readme -update`; edit those files. -->\n\n")
	for _, s := range secs {
		b.WriteString(fold(t, root, s))
	}
	fmt.Fprintf(&b, "<!-- END %s -->\n", name)
	return b.String()
}

func TestReadmeMatchesDocs(t *testing.T) {
	root := filepath.Join("..", "..")
	path := filepath.Join(root, "README.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	want := readme
	for _, part := range []struct {
		name   string
		secs   []section
		anchor string
	}{{"docs-before", before, "## CLI reference"}, {"docs-after", after, "## Performance"}} {
		gen := render(t, root, part.secs, part.name)
		if block(part.name).MatchString(want) {
			want = block(part.name).ReplaceAllLiteralString(want, gen)
		} else if i := strings.Index(want, part.anchor); i >= 0 {
			want = want[:i] + gen + want[i:]
		} else {
			t.Fatalf("README.md has neither the %s block nor %q", part.name, part.anchor)
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != readme {
		t.Errorf("README.md is out of step with docs/*.md: run go test ./internal/readme -update")
	}
	// Every README anchor link must name a heading that exists.
	heads := map[string]bool{}
	fence := false
	for _, l := range strings.Split(want, "\n") {
		if strings.HasPrefix(l, "```") {
			fence = !fence
		}
		if !fence && strings.HasPrefix(l, "#") {
			heads[anchor(strings.TrimLeft(l, "# "))] = true
		}
	}
	for _, m := range regexp.MustCompile(`\]\(#([^)]+)\)`).FindAllStringSubmatch(want, -1) {
		if !heads[m[1]] {
			t.Errorf("README.md links to #%s, which is no heading", m[1])
		}
	}
}
