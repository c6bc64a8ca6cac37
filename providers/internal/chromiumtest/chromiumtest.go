// Package chromiumtest finds and launches the headless Chromium that the
// providers' real-browser tests compare sessctl's decisions with.
package chromiumtest

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Path is where Debian's chromium package installs the browser.
const Path = "/usr/bin/chromium"

// Require skips the test in -short mode, and when Chromium is not
// installed; under CI=true a missing browser fails the test instead. what
// names the test in the messages ("cookie", "proxy").
func Require(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: the real-Chromium %s test runs in the full suite", what)
	}
	if _, err := os.Stat(Path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; CI must install Debian's chromium package (apt-get install chromium): %v", Path, err)
		}
		t.Skipf("%s not installed (apt-get install chromium); skipping the real-browser %s test", Path, what)
	}
}

// Flags are the headless flags every test starts Chromium with: no
// sandbox, GPU, first-run UI, background traffic, component updates or
// extensions, and its own profile in userDataDir.
func Flags(userDataDir string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-extensions",
		"--user-data-dir=" + userDataDir,
	}
}

// DumpDOM loads u in a headless Chromium with a fresh profile (Flags
// plus extra) and returns the DOM it dumps and what it wrote to stderr; it
// fails the test when the browser fails or takes over a minute.
func DumpDOM(t testing.TB, u string, extra ...string) (dom []byte, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append(Flags(filepath.Join(t.TempDir(), "profile")), extra...)
	args = append(args, "--dump-dom", u)
	cmd := exec.CommandContext(ctx, Path, args...)
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", u, err, errBuf.String())
	}
	return dom, errBuf.String()
}

// Answer loads u as DumpDOM does and returns the page's answer: the text
// it wrote as "BEGIN" + encodeURIComponent(answer) + "END" (URI-encoded so
// that HTML escaping in the dumped DOM cannot alter it).
func Answer(t testing.TB, u string, extra ...string) string {
	t.Helper()
	dom, stderr := DumpDOM(t, u, extra...)
	_, rest, ok1 := strings.Cut(string(dom), "BEGIN")
	enc, _, ok2 := strings.Cut(rest, "END")
	if !ok1 || !ok2 {
		t.Fatalf("no answer in the dumped DOM of %s:\n%s\n%s", u, dom, stderr)
	}
	answer, err := url.QueryUnescape(enc)
	if err != nil {
		t.Fatal(err)
	}
	return answer
}
