// Package actionq is the queue of one-shot actions `sessctl action`
// writes into an output directory (actions.json) and the results the
// Electron adapter writes for them (status/actions/<id>.json); see
// docs/actions.md. The queue is append-only: an entry, once written, is
// never changed or removed, so an ID names one request for ever. Each
// append rewrites the whole file atomically (internal/fsx) with the
// earlier entries byte for byte; callers serialise appends (sessctl holds
// the state's writer lock).
package actionq

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/sessctl/sessctl/internal/fsx"
	"github.com/sessctl/sessctl/providers/maintenance"
)

// QueueFile is the queue's name in the output directory.
const QueueFile = "actions.json"

// ResultsDir is where the adapter writes results, inside its status
// directory (<output>/status).
const ResultsDir = "actions"

// NetLogDir is where net-log captures go, inside the status directory.
const NetLogDir = "netlog"

// FormatVersion is the queue's and the results' format_version.
const FormatVersion = 1

// MaxEntries bounds the queue (the adapter reads no more).
const MaxEntries = 10000

// Net log size bounds, in bytes: the default --max-size and the most the
// adapter accepts.
const (
	DefaultNetLogBytes = 100 << 20
	MaxNetLogBytes     = 1 << 30
)

// Entry is one queued action.
type Entry struct {
	ID        string         `json:"id"`
	Partition string         `json:"partition"`
	Action    string         `json:"action"`
	Args      map[string]any `json:"args"`
	QueuedAt  string         `json:"queued_at"`
	// RetryOf is the ID of the failed action this one repeats.
	RetryOf string `json:"retry_of,omitempty"`
}

// Result is what the adapter wrote for an action.
type Result struct {
	State      string          `json:"state"`
	Result     json.RawMessage `json:"result,omitempty"`
	Error      *string         `json:"error"`
	StartedAt  *string         `json:"started_at"`
	FinishedAt *string         `json:"finished_at"`
	PID        int             `json:"pid,omitempty"`
}

// Names are the actions, sorted.
var Names = func() []string {
	n := []string{"clear-storage-data", "get-cache-size", "download-url", "net-log"}
	for _, a := range maintenance.Actions {
		if a.Attr != "clear_storage_data" {
			n = append(n, strings.ReplaceAll(a.Attr, "_", "-"))
		}
	}
	sort.Strings(n)
	return n
}()

var idRE = regexp.MustCompile(`^[1-9][0-9]{0,9}-[0-9a-f]{8}$`)

// ValidID reports whether id has the shape of an action ID (a plain file
// name: `<sequence>-<8 hex digits>`).
func ValidID(id string) bool { return idRE.MatchString(id) }

// Check says why args are not what action takes (nil when they are), as
// the adapter checks them again (adapters/electron/lib/actions.js).
func Check(action string, args map[string]any) error {
	known := false
	for _, n := range Names {
		known = known || n == action
	}
	if !known {
		return fmt.Errorf("unknown action %q; the actions are %s", action, strings.Join(Names, ", "))
	}
	only := func(keys ...string) error {
		for k := range args {
			ok := false
			for _, x := range keys {
				ok = ok || k == x
			}
			if !ok {
				return fmt.Errorf("%s takes no option %q", action, k)
			}
		}
		return nil
	}
	switch action {
	case "clear-storage-data":
		if err := only("storages", "quotas", "origin"); err != nil {
			return err
		}
		for k, allowed := range map[string][]string{"storages": maintenance.Storages, "quotas": maintenance.Quotas} {
			v, ok := args[k]
			if !ok {
				continue
			}
			list, _ := v.([]string)
			if len(list) == 0 {
				return fmt.Errorf("--%s is empty; leave it out to clear every type", k)
			}
			for _, s := range list {
				if !contains(allowed, s) {
					return fmt.Errorf("unknown %s type %q: Electron 45 knows %s", strings.TrimSuffix(k, "s"), s, strings.Join(allowed, ", "))
				}
			}
		}
		if o, ok := args["origin"]; ok {
			s, _ := o.(string)
			if _, err := maintenance.CanonicalOrigin(s); err != nil {
				return fmt.Errorf("--origin %q is not an origin (scheme://host[:port]): %v", s, err)
			}
		}
		return nil
	case "download-url":
		if err := only("url"); err != nil {
			return err
		}
		s, _ := args["url"].(string)
		u, err := url.Parse(s)
		if err != nil || !u.IsAbs() || u.Host == "" || strings.ContainsAny(s, " \t\r\n") {
			return fmt.Errorf("download-url needs an absolute http or https URL, not %q", s)
		}
		if sc := strings.ToLower(u.Scheme); sc != "http" && sc != "https" {
			return fmt.Errorf("download-url needs an http or https URL, not %q", u.Scheme+":")
		}
		return nil
	case "net-log":
		if err := only("command", "max_file_size", "capture_mode"); err != nil {
			return err
		}
		switch args["command"] {
		case "stop":
			if len(args) != 1 {
				return errors.New("net-log stop takes no options")
			}
			return nil
		case "start":
		default:
			return errors.New("net-log needs start or stop")
		}
		n, _ := args["max_file_size"].(int64)
		if n < 1 || n > MaxNetLogBytes {
			return fmt.Errorf("--max-size must be from 1 to %d bytes", MaxNetLogBytes)
		}
		if m, ok := args["capture_mode"]; ok && m != "default" && m != "includeSensitive" && m != "everything" {
			return fmt.Errorf("--capture-mode must be default, includeSensitive or everything, not %q", m)
		}
		return nil
	}
	return only()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type queueFile struct {
	FormatVersion int               `json:"format_version"`
	Actions       []json.RawMessage `json:"actions"`
}

// Read returns the queue of dir, in order (empty when there is none).
func Read(dir string) ([]Entry, error) {
	raw, err := readRaw(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(raw))
	for i, r := range raw {
		var e Entry
		if err := json.Unmarshal(r, &e); err != nil || !ValidID(e.ID) {
			return nil, fmt.Errorf("%s: actions[%d] is malformed", filepath.Join(dir, QueueFile), i)
		}
		out = append(out, e)
	}
	return out, nil
}

func readRaw(dir string) ([]json.RawMessage, error) {
	b, err := os.ReadFile(filepath.Join(dir, QueueFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var q queueFile
	if err := json.Unmarshal(b, &q); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, QueueFile), err)
	}
	if q.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s: format_version %d is not supported (this sessctl writes %d)", filepath.Join(dir, QueueFile), q.FormatVersion, FormatVersion)
	}
	return q.Actions, nil
}

// Append adds e to the queue of dir with a new ID (the next sequence
// number and 8 random hex digits, so that an ID is never reused even if
// the queue file is deleted: the adapter keeps results by ID) and returns
// it. The caller holds a lock that serialises appends.
func Append(dir string, e Entry, now time.Time) (Entry, error) {
	// A queue this sessctl cannot read is not extended: its earlier
	// entries would be carried over unchecked.
	if _, err := Read(dir); err != nil {
		return e, err
	}
	raw, err := readRaw(dir)
	if err != nil {
		return e, err
	}
	if len(raw) >= MaxEntries {
		return e, fmt.Errorf("%s holds %d actions, the most the adapter reads; move it aside (the adapter keeps its results by ID) and queue again", filepath.Join(dir, QueueFile), len(raw))
	}
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return e, err
	}
	e.ID = fmt.Sprintf("%d-%s", len(raw)+1, hex.EncodeToString(rnd[:]))
	e.QueuedAt = now.UTC().Format(time.RFC3339Nano)
	if e.Args == nil {
		e.Args = map[string]any{}
	}
	line, err := json.Marshal(e)
	if err != nil {
		return e, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n  \"format_version\": %d,\n  \"actions\": [", FormatVersion)
	for i, r := range append(raw, line) {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    ")
		b.Write(r)
	}
	b.WriteString("\n  ]\n}\n")
	return e, fsx.WriteFileAtomic(filepath.Join(dir, QueueFile), b.Bytes(), 0o644)
}

// ReadResult returns the adapter's result for id (nil when it has none).
func ReadResult(statusDir, id string) (*Result, error) {
	if !ValidID(id) {
		return nil, fmt.Errorf("%q is not an action ID", id)
	}
	b, err := os.ReadFile(filepath.Join(statusDir, ResultsDir, id+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("result of %s: %v", id, err)
	}
	return &r, nil
}

// View is an action with what became of it.
type View struct {
	Entry
	// State is pending (no result yet), running, done or failed.
	State      string          `json:"state"`
	Result     json.RawMessage `json:"result"`
	Error      *string         `json:"error"`
	StartedAt  *string         `json:"started_at"`
	FinishedAt *string         `json:"finished_at"`
	// RetriedBy lists the IDs queued as retries of this one.
	RetriedBy []string `json:"retried_by,omitempty"`
}

// Status returns every queued action of dir with its result from
// statusDir, in queue order.
func Status(dir, statusDir string) ([]View, error) {
	q, err := Read(dir)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(q))
	byID := map[string]int{}
	for _, e := range q {
		v := View{Entry: e, State: "pending", Result: json.RawMessage("null")}
		r, err := ReadResult(statusDir, e.ID)
		if err != nil {
			msg := err.Error()
			v.State, v.Error = "failed", &msg
		} else if r != nil {
			v.State, v.Error, v.StartedAt, v.FinishedAt = r.State, r.Error, r.StartedAt, r.FinishedAt
			if len(r.Result) > 0 {
				v.Result = r.Result
			}
		}
		if i, ok := byID[e.RetryOf]; ok {
			out[i].RetriedBy = append(out[i].RetriedBy, e.ID)
		}
		byID[e.ID] = len(out)
		out = append(out, v)
	}
	return out, nil
}
