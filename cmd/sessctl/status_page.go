package main

// The data of the live status page (`watch --listen`, `serve`; package
// internal/statuspage renders and serves it): the configuration as
// written, what the last apply recorded, what the app reports, drift,
// events and actions, read again for each page and each change check.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/sessctl/sessctl/internal/actionq"
	"github.com/sessctl/sessctl/internal/statuspage"
	"github.com/sessctl/sessctl/reconcile"
	"github.com/sessctl/sessctl/schema"
)

// Bounds of what one partition's section lists.
const (
	pageEvents     = 20   // last events
	pageSourceMax  = 2000 // bytes of one setting's source text
	pageValueMax   = 2000 // bytes of one applied or reported value
	pageErrorsKept = 10   // watch errors remembered
)

// pageSource builds the status page's data for the configuration at path.
type pageSource struct {
	path string
	// mu guards errs: the errors of the last cycles (watch).
	mu   sync.Mutex
	errs []statuspage.Problem
}

// noteEvent remembers a failed or invalid cycle, and forgets the errors
// once a cycle succeeds.
func (s *pageSource) noteEvent(ev reconcile.WatchEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev.Kind {
	case "cycle":
		s.errs = nil
	case "error", "watch-error":
		s.errs = append(s.errs, statuspage.Problem{Message: ev.Time.UTC().Format(time.RFC3339) + " " + ev.Kind + " (" + ev.Trigger + "): " + ev.Error})
	case "invalid":
		s.errs = append(s.errs, statuspage.Problem{Message: fmt.Sprintf("%s invalid configuration (%s): %d error(s); profiles left as they were",
			ev.Time.UTC().Format(time.RFC3339), ev.Trigger, ev.Diagnostics)})
	}
	if len(s.errs) > pageErrorsKept {
		s.errs = s.errs[len(s.errs)-pageErrorsKept:]
	}
}

// plan plans like `sessctl drift` (nothing written, no lock): the
// configuration, its diagnostics and the plan against the world.
func (s *pageSource) plan() (*reconcile.Planned, *reconcile.State, reconcile.Locations, error) {
	p, err := reconcile.MakePlan(reconcile.Request{Load: loadOptions(s.path), StateFlag: global.state, Environ: os.Environ(), NoFastPath: true})
	if err != nil {
		return nil, nil, reconcile.Locations{}, err
	}
	loc := p.Loc
	if loc.StatePath == "" {
		// An invalid configuration: locate the state from flags and
		// environment alone.
		if loc, err = reconcile.Locate(nil, s.path, global.state, os.Environ()); err != nil {
			return p, nil, loc, err
		}
	}
	st, err := reconcile.ReadState(loc.StatePath)
	if err != nil {
		return p, nil, loc, err
	}
	return p, st, loc, nil
}

// Snapshot is statuspage.Options.Snapshot.
func (s *pageSource) Snapshot(context.Context) (*statuspage.Snapshot, error) {
	p, st, loc, err := s.plan()
	if err != nil {
		return nil, err
	}
	outDir := st.OutputDirOr(loc.OutputDir)
	snap := &statuspage.Snapshot{Config: s.path, StatePath: loc.StatePath, OutputDir: outDir}
	if abs, err := filepath.Abs(s.path); err == nil {
		snap.Config = abs
	}
	if h, err := reconcile.History(loc.StatePath, 1); err == nil && len(h) > 0 {
		e := h[0]
		snap.LastApply = &statuspage.Apply{Time: e.Time, Serial: e.Serial, Operation: string(e.Operation),
			Config: strings.TrimPrefix(strings.TrimPrefix(st.Config, "path:"), "name:"), Digest: e.ConfigDigest,
			WrittenBy: e.WrittenBy, Add: e.Add, Change: e.Change, Destroy: e.Destroy, Partitions: e.Partitions}
	}
	for _, d := range p.Diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		pr := statuspage.Problem{Message: d.Summary}
		if d.Detail != "" {
			pr.Message += ": " + d.Detail
		}
		if d.Subject != nil {
			pr.Where = fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		snap.Errors = append(snap.Errors, pr)
	}
	s.mu.Lock()
	snap.Errors = append(snap.Errors, s.errs...)
	s.mu.Unlock()

	drift := map[string][]statuspage.Finding{}
	if p.Plan != nil {
		r := reconcile.NewDriftReport(p.Plan)
		r.AddAppStatus(st)
		for _, f := range append(r.Corrective, r.App...) {
			drift[f.Partition] = append(drift[f.Partition], statuspage.Finding{Kind: string(f.Kind), Message: f.Message})
		}
		for _, c := range r.Intentional {
			line := fmt.Sprintf("%s partition %s", c.Action, quote(c.Partition))
			if len(c.Fields) > 0 {
				line += ": " + strings.Join(c.Fields, ", ")
			}
			snap.Pending = append(snap.Pending, line)
		}
	} else {
		for _, f := range reconcile.AppStatusFindings(outDir, st) {
			drift[f.Partition] = append(drift[f.Partition], statuspage.Finding{Kind: string(f.Kind), Message: f.Message})
		}
	}
	actions := map[string][]statuspage.Action{}
	if views, err := actionq.Status(outDir, filepath.Join(outDir, reconcile.StatusDir)); err == nil {
		for _, v := range views {
			if v.State == "done" {
				continue
			}
			a := statuspage.Action{ID: v.ID, Action: describeAction(v.Entry), State: v.State, QueuedAt: v.QueuedAt}
			if v.Error != nil {
				a.Error = *v.Error
			}
			actions[v.Partition] = append(actions[v.Partition], a)
		}
	} else {
		snap.Errors = append(snap.Errors, statuspage.Problem{Message: "cannot read the action queue: " + err.Error()})
	}
	settings := configSettings(p.Config)
	for _, name := range st.Names() {
		rec := st.Records[name]
		part := statuspage.Partition{Name: rec.Name, File: rec.File, Revision: rec.Revision,
			Settings: settings[rec.Name], Drift: drift[rec.Name], Actions: actions[rec.Name]}
		c := compareStatus(outDir, rec)
		part.App = statuspage.AppInfo{Found: c.Found, Note: c.Error, State: c.State, Revision: c.Revision,
			UpdatedAt: c.UpdatedAt, ElectronVersion: c.ElectronVersion, Differences: c.Differences}
		for _, r := range c.Fields {
			row := statuspage.Row{Field: r.Field, Desired: pageValue(r.Desired, r.Match == statusReportOnly), Reported: pageValue(r.Reported, false), Match: r.Match, Note: r.Note}
			if r.Match == statusNotReported {
				row.Reported = "-"
			}
			part.Rows = append(part.Rows, row)
		}
		if as, err := reconcile.ReadAppStatus(reconcile.AppStatusPath(outDir, rec.File)); err == nil && as.Events != nil {
			recent := as.Events.Recent
			if len(recent) > pageEvents {
				recent = recent[len(recent)-pageEvents:]
			}
			for i := len(recent) - 1; i >= 0; i-- { // newest first
				ev := recent[i]
				part.Events = append(part.Events, statuspage.Event{At: ev.At, Event: ev.Event, Details: detailsText(ev.Details)})
			}
		}
		snap.Partitions = append(snap.Partitions, part)
	}
	return snap, nil
}

// recorded reads the state of the configuration (located as show does,
// without planning).
func (s *pageSource) recorded() (*reconcile.State, reconcile.Locations, error) {
	var cfg *schema.Config
	if c, diags := schema.Load(loadOptions(s.path)); !diags.HasErrors() {
		cfg = c
	}
	loc, err := reconcile.Locate(cfg, s.path, global.state, os.Environ())
	if err != nil {
		return nil, loc, err
	}
	st, err := reconcile.ReadState(loc.StatePath)
	return st, loc, err
}

// outputDir is where the last apply wrote (for the app's event counts on
// /metrics), "" when the state cannot be read.
func (s *pageSource) outputDir() string {
	st, loc, err := s.recorded()
	if err != nil {
		return ""
	}
	return st.OutputDirOr(loc.OutputDir)
}

// Status is statuspage.Options.Status: what `show --json` prints, each
// partition as `show --json --status PARTITION` prints it.
func (s *pageSource) Status(context.Context) (any, error) {
	st, loc, err := s.recorded()
	if err != nil {
		return nil, err
	}
	out := newStateHeadJSON[*showPartitionOut](st, loc)
	for _, name := range st.Names() {
		rec := st.Records[name]
		one := showPartitionJSON(st, loc, rec)
		c := compareStatus(st.OutputDirOr(loc.OutputDir), rec)
		one.Status = &c
		out.Partitions = append(out.Partitions, one)
	}
	return out, nil
}

// configSettings lists, by partition name, the attributes and blocks of
// each partition's block and of the profiles it merges, as written.
func configSettings(cfg *schema.Config) map[string][]statuspage.Setting {
	out := map[string][]statuspage.Setting{}
	if cfg == nil {
		return out
	}
	profiles := map[string][]statuspage.Setting{}
	for _, f := range sortedSourceNames(cfg) {
		body, ok := cfg.Sources[f].Body.(*hclsyntax.Body)
		if !ok {
			continue // JSON syntax: no source text to show
		}
		for _, b := range body.Blocks {
			if b.Type == "profile" && len(b.Labels) == 1 {
				profiles[b.Labels[0]] = bodySettings(cfg.Sources[f].Bytes, b.Body, b.Labels[0])
			}
		}
	}
	for _, p := range cfg.Partitions {
		src := cfg.Sources[p.DeclRange.Filename]
		if src == nil {
			continue
		}
		body, ok := src.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		var list []statuspage.Setting
		for _, b := range body.Blocks {
			if b.Type == "partition" && b.DefRange().Start.Byte == p.DeclRange.Start.Byte {
				list = bodySettings(src.Bytes, b.Body, "")
			}
		}
		for _, name := range p.Profiles {
			list = append(list, profiles[name]...)
		}
		out[p.Name] = list
	}
	return out
}

func sortedSourceNames(cfg *schema.Config) []string {
	names := make([]string, 0, len(cfg.Sources))
	for n := range cfg.Sources {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// bodySettings lists a body's attributes and blocks in source order.
func bodySettings(src []byte, body *hclsyntax.Body, from string) []statuspage.Setting {
	var out []statuspage.Setting
	text := func(r hcl.Range) string {
		if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte > r.End.Byte {
			return ""
		}
		t := string(src[r.Start.Byte:r.End.Byte])
		if len(t) > pageSourceMax {
			t = t[:pageSourceMax] + "\n…"
		}
		return t
	}
	type item struct {
		start int
		s     statuspage.Setting
	}
	var items []item
	for _, a := range body.Attributes {
		r := a.SrcRange
		items = append(items, item{r.Start.Byte, statuspage.Setting{Name: a.Name, Where: fmt.Sprintf("%s:%d", r.Filename, r.Start.Line), Source: text(r), From: from}})
	}
	for _, b := range body.Blocks {
		r := b.Range()
		name := b.Type
		for _, l := range b.Labels {
			name += " " + quote(l)
		}
		items = append(items, item{r.Start.Byte, statuspage.Setting{Name: name, Where: fmt.Sprintf("%s:%d", r.Filename, r.Start.Line), Source: text(r), From: from}})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].start < items[j].start })
	for _, it := range items {
		out = append(out, it.s)
	}
	return out
}

// pageValue renders a value of a row for the page: compact JSON, invisible
// characters escaped as `show --status` does, cut after pageValueMax bytes
// (wider than the terminal's 60: a difference must be visible).
func pageValue(raw json.RawMessage, none bool) string {
	s := compactValue(raw, none)
	if len(s) > pageValueMax {
		s = strings.ToValidUTF8(s[:pageValueMax], "") + "…"
	}
	return s
}
