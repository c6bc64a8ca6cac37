package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/fsnotify/fsnotify"
	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/reconcile"
)

func init() { rootCmd.AddCommand(newEventsCmd()) }

func newEventsCmd() *cobra.Command {
	var asJSON, follow bool
	var since string
	cmd := &cobra.Command{
		Use:   "events [PARTITION]",
		Short: "Show the session events the Electron app recorded (downloads, extensions, dictionaries, serial ports)",
		Long: `events prints the Session events the Electron adapter recorded in its status
files (<output>/status; docs/electron-adapter.md "Events"): will-download,
extension-loaded/-unloaded/-ready, preconnect, the spellchecker dictionary
events, select-serial-port (which rule chose which port),
display-media-request (which rule shared which screen or window), the
serial, HID and USB device events, and preload-error. Every partition of the state, or PARTITION alone, oldest
first. The adapter keeps a count of each event since the app started and
its last entries (eventLimit, 50 by default): older entries are counted,
not listed.

--since keeps the events recorded at or after a time: RFC 3339
(2026-12-01T10:00:00Z) or a duration before now (15m, 2h).

--follow keeps running and prints each new event as the adapter writes it
(a file-system watch on the status directory), until interrupted. With
--json, each batch is one JSON object on one line. The partitions are the
state's when the command starts.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, loc, err := openRecorded(cmd)
			if err != nil {
				return err
			}
			var cutoff time.Time
			if since != "" {
				cutoff, err = parseSince(since, time.Now())
				if err != nil {
					return fail(cmd, "invalid --since: "+err.Error(), "give an RFC 3339 time (2026-12-01T10:00:00Z) or a duration (15m, 2h)")
				}
			}
			var parts []eventsPartition
			for _, name := range st.Names() {
				rec := st.Records[name]
				parts = append(parts, eventsPartition{Name: rec.Name, File: rec.File})
			}
			if len(args) == 1 {
				rec, err := recordedPartition(cmd, st, loc, args[0])
				if err != nil {
					return err
				}
				parts = []eventsPartition{{Name: rec.Name, File: rec.File}}
			}
			ev := &eventsView{outDir: st.OutputDirOr(loc.OutputDir), parts: parts, since: cutoff, asJSON: asJSON}
			if !follow {
				return ev.printOnce(cmd.OutOrStdout())
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := ev.follow(ctx, cmd.OutOrStdout(), nil); err != nil {
				return fail(cmd, err.Error(), "")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (with --follow: one object per line and batch)")
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new events until interrupted")
	cmd.Flags().StringVar(&since, "since", "", "only events at or after `TIME` (RFC 3339, or a duration before now: 15m, 2h)")
	addDirFlag(cmd)
	return cmd
}

// parseSince reads --since: an RFC 3339 time, or a duration before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration", s)
	}
	if d < 0 {
		return time.Time{}, fmt.Errorf("%q is a negative duration", s)
	}
	return now.Add(-d), nil
}

// eventsPartition is one partition whose events are shown.
type eventsPartition struct {
	Name, File string
}

// eventsView reads the partitions' status files and prints their events.
type eventsView struct {
	outDir string
	parts  []eventsPartition
	since  time.Time
	asJSON bool
	// seen is, per partition, the app process and the last event
	// printed (follow).
	seen map[string]eventsCursor
}

type eventsCursor struct {
	pid int64
	seq uint64
}

// eventsPartitionJSON is one partition of `events --json`.
type eventsPartitionJSON struct {
	Partition string `json:"partition"`
	File      string `json:"file"`
	// Status is "ok", "missing" (no status file) or "invalid".
	Status  string            `json:"status"`
	Error   string            `json:"error,omitempty"`
	PID     int64             `json:"pid"`
	Limit   uint64            `json:"limit"`
	Total   uint64            `json:"total"`
	Dropped uint64            `json:"dropped"`
	Counts  map[string]uint64 `json:"counts"`
}

// eventJSON is one event of `events --json`.
type eventJSON struct {
	Partition string                     `json:"partition"`
	PID       int64                      `json:"pid"`
	Seq       uint64                     `json:"seq"`
	At        string                     `json:"at"`
	Event     string                     `json:"event"`
	Details   map[string]json.RawMessage `json:"details"`
}

// eventsJSON is `events --json`.
type eventsJSON struct {
	FormatVersion string                `json:"format_version"`
	OutputDir     string                `json:"output_dir"`
	Partitions    []eventsPartitionJSON `json:"partitions"`
	Events        []eventJSON           `json:"events"`
}

// read reads every partition's status file and returns the partitions'
// summaries and the events not printed yet (all of them when seen is
// nil), oldest first. changed limits the partitions to the ones whose
// file name it holds (nil: all).
func (v *eventsView) read(changed map[string]bool) eventsJSON {
	out := eventsJSON{FormatVersion: jsonFormatVersion, OutputDir: v.outDir, Partitions: []eventsPartitionJSON{}, Events: []eventJSON{}}
	for _, p := range v.parts {
		if changed != nil && !changed[p.File] {
			continue
		}
		pj := eventsPartitionJSON{Partition: p.Name, File: p.File, Status: "ok", Counts: map[string]uint64{}}
		s, err := reconcile.ReadAppStatus(reconcile.AppStatusPath(v.outDir, p.File))
		switch {
		case err != nil && os.IsNotExist(err):
			pj.Status = "missing"
		case err != nil:
			pj.Status, pj.Error = "invalid", err.Error()
		}
		if s != nil {
			pj.PID = s.PID
			if e := s.Events; e != nil {
				pj.Limit, pj.Total, pj.Dropped = e.Limit, e.Total, e.Dropped
				for k, n := range e.Counts {
					pj.Counts[k] = n
				}
				cur, had := v.seen[p.Name]
				last := cur
				for _, ev := range e.Recent {
					if had && cur.pid == s.PID && ev.Seq <= cur.seq {
						continue
					}
					if !v.since.IsZero() {
						t, err := time.Parse(time.RFC3339Nano, ev.At)
						if err != nil || t.Before(v.since) {
							continue
						}
					}
					d := ev.Details
					if d == nil {
						d = map[string]json.RawMessage{}
					}
					out.Events = append(out.Events, eventJSON{Partition: p.Name, PID: s.PID, Seq: ev.Seq, At: ev.At, Event: ev.Event, Details: d})
					if last.pid != s.PID || ev.Seq > last.seq {
						last = eventsCursor{pid: s.PID, seq: ev.Seq}
					}
				}
				if v.seen != nil {
					if last.pid != s.PID {
						last = eventsCursor{pid: s.PID}
					}
					v.seen[p.Name] = last
				}
			}
		}
		out.Partitions = append(out.Partitions, pj)
	}
	sort.SliceStable(out.Events, func(i, j int) bool {
		a, b := out.Events[i], out.Events[j]
		if a.At != b.At {
			return a.At < b.At
		}
		if a.Partition != b.Partition {
			return a.Partition < b.Partition
		}
		return a.Seq < b.Seq
	})
	return out
}

// printOnce prints the events recorded so far.
func (v *eventsView) printOnce(w io.Writer) error {
	r := v.read(nil)
	if v.asJSON {
		return writeJSON(w, r)
	}
	v.printText(w, r, true)
	return nil
}

// printText prints events one per line, then (summary) what the status
// files do not hold: missing or invalid files, events no longer listed.
func (v *eventsView) printText(w io.Writer, r eventsJSON, summary bool) {
	for _, e := range r.Events {
		fmt.Fprintf(w, "%s  %s  %s%s\n", safeText(e.At), quote(e.Partition), safeText(e.Event), detailsText(e.Details))
	}
	if !summary {
		return
	}
	if len(r.Events) == 0 {
		fmt.Fprintln(w, "No events.")
	}
	for _, p := range r.Partitions {
		switch {
		case p.Status == "missing":
			fmt.Fprintf(w, "# partition %s: no status file (has the app applied it with the adapter?)\n", quote(p.Partition))
		case p.Status == "invalid":
			fmt.Fprintf(w, "# partition %s: status file cannot be read: %s\n", quote(p.Partition), safeText(p.Error))
		case p.Dropped > 0:
			fmt.Fprintf(w, "# partition %s: %d events since the app started (pid %d), the %d oldest no longer kept (limit %d)\n",
				quote(p.Partition), p.Total, p.PID, p.Dropped, p.Limit)
		}
	}
}

// detailsText prints an event's details as " key=value" pairs, sorted by
// key, every value as JSON with non-graphic characters escaped.
func detailsText(d map[string]json.RawMessage) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(" " + safeText(k) + "=" + valueTextSafe(d[k]))
	}
	return b.String()
}

// maxDetailText is the longest detail value printed as text (the adapter
// cuts strings at 1024 characters; a status file that does not is cut
// here).
const maxDetailText = 2048

// valueTextSafe renders a detail value: strings quoted and escaped,
// lists of strings as [a, b], anything else as compact JSON, escaped;
// cut to maxDetailText bytes.
func valueTextSafe(raw json.RawMessage) string {
	s := valueText1(raw)
	if len(s) > maxDetailText {
		s = strings.ToValidUTF8(s[:maxDetailText], "") + "…"
	}
	return s
}

func valueText1(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strconv.Quote(s)
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		q := make([]string, len(l))
		for i, x := range l {
			q[i] = strconv.Quote(x)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "?"
	}
	b, _ := json.Marshal(v)
	return safeText(string(b))
}

// safeText is s with every character that is not printable (control
// characters, C1 controls, bidi overrides, invalid UTF-8) escaped as in a
// Go string literal, and the rest as is: a status file is written by an
// app, and its bytes are never printed raw to a terminal.
func safeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == ' ' || strconv.IsPrint(r):
			b.WriteString(s[i : i+size])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

// follow prints the events so far, then every new one until ctx ends.
// ready, when not nil, is called once the watch is in place.
func (v *eventsView) follow(ctx context.Context, w io.Writer, ready func()) error {
	w2, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("cannot watch %s: %v", v.outDir, err)
	}
	defer w2.Close()
	statusDir := filepath.Join(v.outDir, reconcile.StatusDir)
	// The status directory appears when the adapter first runs: until
	// then, the output directory is watched for it.
	watching := false
	if err := w2.Add(statusDir); err == nil {
		watching = true
	} else if err := w2.Add(v.outDir); err != nil {
		return fmt.Errorf("cannot watch %s: %v", v.outDir, err)
	} else if err := w2.Add(statusDir); err == nil {
		// Created between the two calls: its Create event was missed.
		watching = true
		_ = w2.Remove(v.outDir)
	}
	v.seen = map[string]eventsCursor{}
	files := map[string]bool{}
	for _, p := range v.parts {
		files[p.File] = true
	}
	emit := func(r eventsJSON, first bool) error {
		if v.asJSON {
			if !first && len(r.Events) == 0 {
				return nil
			}
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(w, "%s\n", b)
			return err
		}
		v.printText(w, r, first)
		return nil
	}
	if err := emit(v.read(nil), true); err != nil {
		return err
	}
	if ready != nil {
		ready()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-w2.Errors:
			if !ok {
				return nil
			}
			return fmt.Errorf("watching %s: %v", statusDir, err)
		case e, ok := <-w2.Events:
			if !ok {
				return nil
			}
			if !watching {
				if filepath.Clean(e.Name) == statusDir {
					if err := w2.Add(statusDir); err == nil {
						watching = true
						_ = w2.Remove(v.outDir)
						if err := emit(v.read(nil), false); err != nil {
							return err
						}
					}
				}
				continue
			}
			name := filepath.Base(e.Name)
			if !files[name] || e.Op&(fsnotify.Create|fsnotify.Write|fsnotify.Rename) == 0 {
				continue
			}
			if err := emit(v.read(map[string]bool{name: true}), false); err != nil {
				return err
			}
		}
	}
}
