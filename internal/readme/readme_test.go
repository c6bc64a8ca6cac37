// Package readme checks the README and docs/ as a set of linked pages.
// The README is a short door into docs/: it no longer inlines the docs,
// so this test checks what keeps the two usable instead:
//
//   - every docs/*.md page is linked from README.md;
//   - every relative link in README.md and docs/ (and its same-page or
//     cross-page #anchor) points to a file and heading that exist;
//   - no page repeats a heading (GitHub would give the second one a
//     "-1" anchor that nobody links to on purpose);
//   - nothing cites a file outside the repository (shared/...).
//
// Run it with `go test ./internal/readme`; it has no -update mode because
// it generates nothing.
package readme

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var root = filepath.Join("..", "..")

var (
	nonWord  = regexp.MustCompile(`[^\w\- ]`)
	mdLink   = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	headLine = regexp.MustCompile(`^(#{1,6}) +(.*?)#*\s*$`)
)

// anchor is GitHub's heading anchor: lower case, punctuation other than
// '-' and '_' dropped, spaces turned into '-'.
func anchor(title string) string {
	a := nonWord.ReplaceAllString(strings.ToLower(strings.TrimSpace(title)), "")
	return strings.ReplaceAll(a, " ", "-")
}

// page is one Markdown file: its lines outside code fences.
type page struct {
	path  string // relative to root, slash-separated
	lines []string
}

func load(t *testing.T, rel string) page {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fence := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fence = !fence
			out = append(out, "")
			continue
		}
		if fence {
			out = append(out, "")
			continue
		}
		out = append(out, l)
	}
	return page{rel, out}
}

// headings returns the page's headings as (line number, anchor).
func (p page) headings() (anchors []string, lines []int) {
	for i, l := range p.lines {
		if m := headLine.FindStringSubmatch(l); m != nil {
			anchors = append(anchors, anchor(strings.ReplaceAll(m[2], "`", "")))
			lines = append(lines, i+1)
		}
	}
	return
}

// pages returns README.md and every Markdown file under docs/.
func pages(t *testing.T) []page {
	t.Helper()
	ps := []page{load(t, "README.md")}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		ps = append(ps, load(t, filepath.ToSlash(rel)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestNoDuplicateHeadings(t *testing.T) {
	for _, p := range pages(t) {
		seen := map[string]int{}
		anchors, lines := p.headings()
		for i, a := range anchors {
			if first, ok := seen[a]; ok {
				t.Errorf("%s:%d: heading #%s repeats the one on line %d", p.path, lines[i], a, first)
				continue
			}
			seen[a] = lines[i]
		}
	}
}

func TestLinksResolve(t *testing.T) {
	all := pages(t)
	heads := map[string]map[string]bool{}
	for _, p := range all {
		heads[p.path] = map[string]bool{}
		anchors, _ := p.headings()
		for _, a := range anchors {
			heads[p.path][a] = true
		}
	}
	for _, p := range all {
		for i, l := range p.lines {
			for _, m := range mdLink.FindAllStringSubmatch(l, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				file, frag, _ := strings.Cut(target, "#")
				dest := p.path
				if file != "" {
					dest = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(p.path), file)))
					if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(dest))); err != nil {
						t.Errorf("%s:%d: link %q: %s does not exist", p.path, i+1, target, dest)
						continue
					}
				}
				if frag == "" {
					continue
				}
				if hs, ok := heads[dest]; ok && !hs[frag] {
					t.Errorf("%s:%d: link %q: %s has no heading #%s", p.path, i+1, target, dest, frag)
				}
			}
		}
	}
}

func TestEveryDocsPageLinkedFromReadme(t *testing.T) {
	readme := load(t, "README.md")
	linked := map[string]bool{}
	for _, l := range readme.lines {
		for _, m := range mdLink.FindAllStringSubmatch(l, -1) {
			file, _, _ := strings.Cut(m[1], "#")
			linked[filepath.ToSlash(filepath.Clean(file))] = true
		}
	}
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for _, f := range files {
		rel := "docs/" + filepath.Base(f)
		if !linked[rel] {
			t.Errorf("README.md does not link %s: add it to the tour", rel)
		}
	}
	if !linked["docs/cli/sessctl.md"] {
		t.Errorf("README.md does not link the CLI reference docs/cli/sessctl.md")
	}
}

// TestNoOutsideReferences fails when README.md or docs/ cite a file that
// lives outside the repository, such as shared/reference/...: readers of
// the repository cannot open it. Restate what is needed in docs/ instead.
func TestNoOutsideReferences(t *testing.T) {
	check := func(rel string) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "shared/") {
				t.Errorf("%s:%d: mentions %q, which is not in the repository", rel, i+1, "shared/")
			}
		}
	}
	check("README.md")
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		check(filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
