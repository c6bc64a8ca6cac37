package actionq

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Append keeps every earlier entry byte for byte, numbers IDs in order
// with a random suffix, and leaves no temporary file behind.
func TestAppendIsAppendOnly(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 4, 7, 0, 0, 0, time.UTC)
	var ids []string
	var before []byte
	for i, a := range []Entry{
		{Partition: "persist:a", Action: "clear-cache"},
		{Partition: "persist:a", Action: "download-url", Args: map[string]any{"url": "https://a.example/x"}},
		{Partition: "", Action: "get-cache-size", RetryOf: "1-00000000"},
	} {
		e, err := Append(dir, a, now)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
		if !ValidID(e.ID) || !strings.HasPrefix(e.ID, string(rune('1'+i))+"-") {
			t.Errorf("ID %q", e.ID)
		}
		b, err := os.ReadFile(filepath.Join(dir, QueueFile))
		if err != nil {
			t.Fatal(err)
		}
		if before != nil && !bytes.HasPrefix(b, bytes.TrimSuffix(before, []byte("\n  ]\n}\n"))) {
			t.Errorf("append %d rewrote earlier entries:\n%s\nthen\n%s", i, before, b)
		}
		before = b
	}
	q, err := Read(dir)
	if err != nil || len(q) != 3 || q[1].Args["url"] != "https://a.example/x" || q[2].RetryOf != "1-00000000" || q[0].QueuedAt != "2026-12-04T07:00:00Z" {
		t.Fatalf("read back: %v %+v", err, q)
	}
	for i, e := range q {
		if e.ID != ids[i] {
			t.Errorf("entry %d: ID %s, appended %s", i, e.ID, ids[i])
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %v", ents)
	}
}

func TestReadRefuses(t *testing.T) {
	for _, text := range []string{
		`not json`,
		`{"format_version": 2, "actions": []}`,
		`{"format_version": 1, "actions": [{"id": "../x", "partition": "a", "action": "clear-cache"}]}`,
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, QueueFile), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(dir); err == nil {
			t.Errorf("%s: read", text)
		}
		if _, err := Append(dir, Entry{Partition: "a", Action: "clear-cache"}, time.Now()); err == nil {
			t.Errorf("%s: appended to", text)
		}
	}
	if q, err := Read(t.TempDir()); err != nil || len(q) != 0 {
		t.Errorf("no queue: %v %v", q, err)
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		action string
		args   map[string]any
		want   string // "" = ok
	}{
		{"clear-cache", nil, ""},
		{"flush-storage-data", nil, ""},
		{"force-reload-proxy-config", nil, ""},
		{"clear-cache", map[string]any{"origin": "https://a"}, `clear-cache takes no option "origin"`},
		{"rm", nil, `unknown action "rm"; the actions are clear-auth-cache, clear-cache`},
		{"clear-storage-data", map[string]any{"storages": []string{"cookies"}, "quotas": []string{"temporary"}, "origin": "https://a.example"}, ""},
		{"clear-storage-data", map[string]any{"storages": []string{"websql"}}, `unknown storage type "websql"`},
		{"clear-storage-data", map[string]any{"quotas": []string{"persistent"}}, `unknown quota type "persistent"`},
		{"clear-storage-data", map[string]any{"storages": []string{}}, "--storages is empty"},
		{"clear-storage-data", map[string]any{"origin": "https://a.example/path"}, "is not an origin"},
		{"download-url", map[string]any{"url": "https://a.example/f.zip"}, ""},
		{"download-url", map[string]any{"url": "file:///etc/passwd"}, "absolute http or https URL"},
		{"download-url", map[string]any{"url": "ftp://a.example/f"}, `not "ftp:"`},
		{"net-log", map[string]any{"command": "start", "max_file_size": int64(1000)}, ""},
		{"net-log", map[string]any{"command": "start", "max_file_size": int64(MaxNetLogBytes + 1)}, "--max-size must be from 1"},
		{"net-log", map[string]any{"command": "start", "max_file_size": int64(10), "capture_mode": "all"}, "--capture-mode must be"},
		{"net-log", map[string]any{"command": "stop"}, ""},
		{"net-log", map[string]any{"command": "pause"}, "net-log needs start or stop"},
	} {
		err := Check(tc.action, tc.args)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s %v: %v", tc.action, tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s %v: %v, want %q", tc.action, tc.args, err, tc.want)
		}
	}
}

// Status joins the queue with the adapter's results: pending without one,
// the result's state, result and error with one, and the retry links.
func TestStatus(t *testing.T) {
	dir := t.TempDir()
	status := filepath.Join(dir, "status")
	a, _ := Append(dir, Entry{Partition: "persist:a", Action: "get-cache-size"}, time.Now())
	b, _ := Append(dir, Entry{Partition: "persist:a", Action: "clear-cache"}, time.Now())
	c, _ := Append(dir, Entry{Partition: "persist:a", Action: "clear-cache", RetryOf: b.ID}, time.Now())
	if err := os.MkdirAll(filepath.Join(status, ResultsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	for id, text := range map[string]string{
		a.ID: `{"state": "done", "result": {"bytes": 12}, "error": null, "started_at": "s", "finished_at": "f"}`,
		b.ID: `{"state": "failed", "result": null, "error": "boom", "started_at": "s", "finished_at": "f"}`,
	} {
		if err := os.WriteFile(filepath.Join(status, ResultsDir, id+".json"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	vs, err := Status(dir, status)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3 || vs[0].State != "done" || string(vs[0].Result) != `{"bytes": 12}` ||
		vs[1].State != "failed" || *vs[1].Error != "boom" || len(vs[1].RetriedBy) != 1 || vs[1].RetriedBy[0] != c.ID ||
		vs[2].State != "pending" || string(vs[2].Result) != "null" {
		t.Errorf("%+v", vs)
	}
	if _, err := ReadResult(status, "../../etc/passwd"); err == nil {
		t.Error("ReadResult took a path as an ID")
	}
}
