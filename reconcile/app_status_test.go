package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// ReadAppStatus treats a status file as untrusted: missing, too large,
// malformed, another format, and lists over their bounds.
func TestReadAppStatusBounds(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.json")
	if _, err := ReadAppStatus(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	mustWrite(t, path, `{"format_version": 1, "pad": "`+strings.Repeat("x", MaxStatusFileSize)+`"}`)
	if _, err := ReadAppStatus(path); !errors.Is(err, ErrStatusTooLarge) {
		t.Errorf("a file over %d bytes: %v", MaxStatusFileSize, err)
	}
	mustWrite(t, path, `{"format_version": 2}`)
	if _, err := ReadAppStatus(path); err == nil || !strings.Contains(err.Error(), "format_version 2") {
		t.Errorf("format 2: %v", err)
	}
	mustWrite(t, path, `[1, 2]`)
	if _, err := ReadAppStatus(path); err == nil {
		t.Error("an array was accepted")
	}
	var ev, words []string
	for i := 0; i < MaxStatusEvents+10; i++ {
		ev = append(ev, fmt.Sprintf(`{"seq": %d, "at": "t", "event": "preconnect", "details": {}}`, i+1))
	}
	for i := 0; i < MaxStatusList+10; i++ {
		words = append(words, fmt.Sprintf(`"w%d"`, i))
	}
	mustWrite(t, path, `{"format_version": 1, "events": {"recent": [`+strings.Join(ev, ",")+`]},
		"readback": {"spellchecker_words": [`+strings.Join(words, ",")+`], "service_workers": {"count": 1, "scopes": [`+strings.Join(words, ",")+`]}}}`)
	s, err := ReadAppStatus(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Events.Recent); n != MaxStatusEvents || s.Events.Recent[n-1].Seq != MaxStatusEvents+10 {
		t.Errorf("events: %d kept, last seq %d; want the last %d", n, s.Events.Recent[n-1].Seq, MaxStatusEvents)
	}
	if n := len(*s.Readback.SpellWords); n != MaxStatusList {
		t.Errorf("words: %d kept", n)
	}
	if n := len(s.Readback.ServiceWorkers.Scopes); n != MaxStatusList {
		t.Errorf("scopes: %d kept", n)
	}
}
