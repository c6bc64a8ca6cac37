package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeStatusFile writes a status file the way the adapter does: a
// temporary file in the same directory, then a rename.
func writeStatusFile(t *testing.T, dir, file string, pid int, events ...[2]string) {
	t.Helper()
	var recent []string
	for i, e := range events {
		recent = append(recent, fmt.Sprintf(`{"seq": %d, "at": %q, "event": %q, "details": {"language": "fr"}}`, i+1, e[0], e[1]))
	}
	body := fmt.Sprintf(`{"format_version": 1, "partition": "persist:a", "file": %q, "state": "applied", "revision": 1,
		"events": {"limit": 50, "total": %d, "dropped": 0, "counts": {}, "recent": [%s]}, "pid": %d}`,
		file, len(events), strings.Join(recent, ", "), pid)
	tmp := filepath.Join(dir, "."+file+".tmp")
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, file)); err != nil {
		t.Fatal(err)
	}
}

// TestEventsFollow runs `events --follow` on a real fsnotify watch: each
// status write the adapter makes prints its new events once, an app
// restart (another pid) prints the new process's events, and a status
// directory created after the command started is picked up. No timing is
// asserted: the test waits for lines (the deadline only ends a hung run).
func TestEventsFollow(t *testing.T) {
	for _, tc := range []struct {
		name      string
		statusDir bool // whether status/ exists before --follow starts
	}{{"status directory exists", true}, {"status directory created later", false}} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			status := filepath.Join(out, "status")
			const file = "p-persist_a-000000000000.json"
			if tc.statusDir {
				if err := os.Mkdir(status, 0o755); err != nil {
					t.Fatal(err)
				}
				writeStatusFile(t, status, file, 10, [2]string{"2026-12-01T10:00:00.000Z", "spellcheck-dictionary-download-begin"})
			}
			v := &eventsView{outDir: out, parts: []eventsPartition{{Name: "persist:a", File: file}}}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			pr, pw := io.Pipe()
			ready := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				done <- v.follow(ctx, pw, func() { close(ready) })
				pw.Close()
			}()
			lines := bufio.NewScanner(pr)
			next := func() string {
				t.Helper()
				if !lines.Scan() {
					t.Fatalf("follow ended early: %v", lines.Err())
				}
				return lines.Text()
			}
			if tc.statusDir {
				if l := next(); !strings.Contains(l, "spellcheck-dictionary-download-begin") {
					t.Fatalf("first line %q, want the event already recorded", l)
				}
			} else if l := next(); l != "No events." {
				t.Fatalf("first line %q, want No events.", l)
			}
			if !tc.statusDir {
				// The summary line for the missing file.
				if l := next(); !strings.Contains(l, "no status file") {
					t.Fatalf("second line %q", l)
				}
			}
			<-ready
			if !tc.statusDir {
				if err := os.Mkdir(status, 0o755); err != nil {
					t.Fatal(err)
				}
				writeStatusFile(t, status, file, 10, [2]string{"2026-12-01T10:00:00.000Z", "spellcheck-dictionary-download-begin"})
				if l := next(); !strings.Contains(l, "spellcheck-dictionary-download-begin") {
					t.Fatalf("after the status directory appeared: %q", l)
				}
			}
			// A new event: only it is printed.
			writeStatusFile(t, status, file, 10,
				[2]string{"2026-12-01T10:00:00.000Z", "spellcheck-dictionary-download-begin"},
				[2]string{"2026-12-01T10:00:05.000Z", "spellcheck-dictionary-download-failure"})
			if l := next(); !strings.Contains(l, "spellcheck-dictionary-download-failure") || !strings.Contains(l, `"persist:a"`) {
				t.Fatalf("after a new event: %q", l)
			}
			// The app restarted: its first event has seq 1 again.
			writeStatusFile(t, status, file, 11, [2]string{"2026-12-01T11:00:00.000Z", "spellcheck-dictionary-download-success"})
			if l := next(); !strings.Contains(l, "spellcheck-dictionary-download-success") {
				t.Fatalf("after a restart: %q", l)
			}
			// A rewrite with nothing new prints nothing: the next line is
			// the event after it.
			writeStatusFile(t, status, file, 11, [2]string{"2026-12-01T11:00:00.000Z", "spellcheck-dictionary-download-success"})
			writeStatusFile(t, status, file, 11,
				[2]string{"2026-12-01T11:00:00.000Z", "spellcheck-dictionary-download-success"},
				[2]string{"2026-12-01T11:00:01.000Z", "spellcheck-dictionary-initialized"})
			if l := next(); !strings.Contains(l, "spellcheck-dictionary-initialized") {
				t.Fatalf("after an unchanged rewrite then a new event: %q", l)
			}
			cancel()
			go io.Copy(io.Discard, pr)
			if err := <-done; err != nil {
				t.Fatalf("follow: %v", err)
			}
		})
	}
}

// TestEventsFollowJSON: with --json each batch is one object on one line,
// in the shape of docs/schema/events.json.
func TestEventsFollowJSON(t *testing.T) {
	out := t.TempDir()
	status := filepath.Join(out, "status")
	if err := os.Mkdir(status, 0o755); err != nil {
		t.Fatal(err)
	}
	const file = "p-persist_a-000000000000.json"
	v := &eventsView{outDir: out, parts: []eventsPartition{{Name: "persist:a", File: file}}, asJSON: true}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- v.follow(ctx, pw, func() { close(ready) })
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	schemas := loadJSONSchemas(t)
	read := func() map[string]any {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("follow ended early: %v", lines.Err())
		}
		obj, err := checkJSONOutput(schemas["events.json"], lines.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", lines.Text(), err)
		}
		return obj
	}
	if first := read(); len(list(first["events"])) != 0 {
		t.Fatalf("first batch: %v", first)
	}
	<-ready
	writeStatusFile(t, status, file, 7, [2]string{"2026-12-01T10:00:00.000Z", "spellcheck-dictionary-download-failure"})
	b := read()
	if e := list(b["events"]); len(e) != 1 || field(e[0], "event") != "spellcheck-dictionary-download-failure" || field(e[0], "pid") != json.Number("7") {
		t.Fatalf("second batch: %v", b)
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Text from a status file is printed with every non-printable character
// escaped, and long values cut.
func TestEventsTextIsEscaped(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, é":         "plain text, é",
		"esc\x1b[31mred":        `esc\x1b[31mred`,
		"c1\u009bcsi":           `c1\u009bcsi`,
		"bidi\u202egnp.exe":     `bidi\u202egnp.exe`,
		"bad utf8 \xff end":     `bad utf8 \xff end`,
		"new\nline\ttab\x00nul": `new\nline\ttab\x00nul`,
	} {
		if got := safeText(in); got != want {
			t.Errorf("safeText(%q) = %s, want %s", in, got, want)
		}
	}
	long := json.RawMessage(`"` + strings.Repeat("a", 10000) + `"`)
	if got := valueTextSafe(long); len(got) > maxDetailText+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("a 10000-character value printed as %d bytes", len(got))
	}
	if got := detailsText(map[string]json.RawMessage{"k\x1b": json.RawMessage(`["a\u0007", "b"]`), "n": json.RawMessage(`{"x": "\u001b"}`)}); got != ` k\x1b=["a\a", "b"] n={"x":"\u001b"}` {
		t.Errorf("detailsText = %s", got)
	}
}
