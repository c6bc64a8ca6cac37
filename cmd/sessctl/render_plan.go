package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sort"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/reconcile"
)

// colours used in plans on a terminal.
type palette struct{ green, yellow, red, bold, reset string }

func colors(on bool) palette {
	if !on {
		return palette{}
	}
	return palette{green: "\x1b[32m", yellow: "\x1b[33m", red: "\x1b[31m", bold: "\x1b[1m", reset: "\x1b[0m"}
}

func (p palette) action(a reconcile.Action) string {
	switch a {
	case reconcile.Create:
		return p.green
	case reconcile.Update:
		return p.yellow
	case reconcile.Delete, reconcile.Replace:
		return p.red
	}
	return ""
}

// renderPlan prints a plan the way Terraform users expect to read one.
// With verbose, attributes are the compiled profile fields (the Electron
// arguments); without, they are shown as the operator wrote them.
func renderPlan(w io.Writer, plan *reconcile.Plan, color bool) {
	renderPlanOpts(w, plan, color, planVerbose)
}

// planVerbose is --verbose of plan and apply.
var planVerbose bool

func renderPlanOpts(out io.Writer, plan *reconcile.Plan, color, verbose bool) {
	// A plan of thousands of partitions is hundreds of thousands of
	// lines: one write per line would be as many system calls.
	w := bufio.NewWriterSize(out, 64<<10)
	defer w.Flush()
	pal := colors(color)
	if !plan.HasChanges() {
		fmt.Fprintf(w, "%sNo changes.%s Your sessions match the configuration (%d partitions).\n", pal.bold, pal.reset, plan.Unchanged)
		if plan.FastPath {
			fmt.Fprintln(w, "(Every input is byte-identical to the last apply and every output is intact: the configuration was not re-evaluated.)")
		}
		return
	}
	if len(plan.Changes) > 0 {
		fmt.Fprintln(w, "sessctl will perform the following actions:")
		fmt.Fprintln(w)
	}
	if plan.MovedFrom != "" {
		fmt.Fprintf(w, "  %s# the output directory moves from %s to %s:%s every profile is written in the new one, then what sessctl wrote in the old one is deleted:\n", pal.bold, plan.MovedFrom, plan.OutputDir, pal.reset)
		for _, f := range plan.DeleteFiles {
			fmt.Fprintf(w, "  %s-%s %s\n", pal.red, pal.reset, f)
		}
		if len(plan.DeleteFiles) == 0 {
			fmt.Fprintln(w, "  # (nothing sessctl wrote is left there)")
		}
		fmt.Fprintln(w)
	}
	renderChanges(w, plan.Changes, pal, verbose)
	if plan.IndexStale {
		fmt.Fprintf(w, "  # %s in %s will be rewritten (it differs from what was applied)\n\n", reconcile.IndexFile, plan.OutputDir)
	}
	if plan.OwnerStale {
		fmt.Fprintf(w, "  # %s in %s will be written (it is missing or names another state)\n\n", reconcile.OwnerFile, plan.OutputDir)
	}
	add, change, destroy := plan.Counts()
	moved := ""
	if plan.MovedFrom != "" {
		moved = fmt.Sprintf("; %d files to delete in %s", len(plan.DeleteFiles), plan.MovedFrom)
	}
	fmt.Fprintf(w, "%sPlan:%s %d to add, %d to change, %d to destroy%s.\n", pal.bold, pal.reset, add, change, destroy, moved)
}

// renderChanges renders changes in order. A large plan (a first apply of
// thousands of partitions) is rendered in chunks on every core, each
// chunk into its own buffer, and the buffers are written in order as they
// complete: rendering is the only work between the plan and the writes,
// and on one core it took 0.65 s for 10,000 partitions. At most
// 2×GOMAXPROCS chunks are held at a time, so memory stays bounded.
func renderChanges(w io.Writer, changes []*reconcile.Change, pal palette, verbose bool) {
	const chunk = 64
	workers := runtime.GOMAXPROCS(0)
	if len(changes) < 2*chunk || workers < 2 {
		memo := &presentMemo{}
		for _, c := range changes {
			renderChange(w, c, pal, verbose, memo)
		}
		return
	}
	n := (len(changes) + chunk - 1) / chunk
	out := make([]chan *bytes.Buffer, n)
	for i := range out {
		out[i] = make(chan *bytes.Buffer, 1)
	}
	window := make(chan struct{}, 2*workers) // chunks rendered, not yet written
	next := make(chan int)
	go func() {
		defer close(next)
		for i := 0; i < n; i++ {
			window <- struct{}{}
			next <- i
		}
	}()
	for range workers {
		go func() {
			memo := &presentMemo{} // one per goroutine: no lock
			for i := range next {
				var b bytes.Buffer
				for _, c := range changes[i*chunk : min((i+1)*chunk, len(changes))] {
					renderChange(&b, c, pal, verbose, memo)
				}
				out[i] <- &b
			}
		}()
	}
	for i := range out {
		b := <-out[i]
		_, _ = w.Write(b.Bytes())
		<-window
	}
}

// renderChange renders one change; memo (nil: none) shares the
// presentation of values between changes.
func renderChange(w io.Writer, c *reconcile.Change, pal palette, verbose bool, memo *presentMemo) {
	var what string
	switch c.Action {
	case reconcile.Create:
		what = "will be created"
	case reconcile.Update:
		what = "will be updated in place"
		if len(c.Attrs) == 0 {
			what = "will be repaired (the configuration did not change; the world did)"
		}
	case reconcile.Delete:
		what = "will be destroyed"
	case reconcile.Replace:
		what = "must be replaced"
	}
	col := pal.action(c.Action)
	fmt.Fprintf(w, "  %s# partition %s %s%s\n", pal.bold, quote(c.Partition), what, pal.reset)
	if c.Reason != "" && c.Action != reconcile.Update {
		fmt.Fprintf(w, "  # (%s)\n", c.Reason)
	}
	for _, d := range c.Drift {
		fmt.Fprintf(w, "  # drift: %s\n", d)
	}
	sym := c.Action.Symbol()
	fmt.Fprintf(w, "%s%3s%s partition %s {\n", col, sym, pal.reset, quote(c.Partition))
	all := c.Attributes()
	attrs := make([]shownAttr, 0, len(all))
	var compiledOnly map[string]bool
	if verbose {
		for _, a := range all {
			attrs = append(attrs, shownAttr{AttrChange: a})
		}
	} else {
		compiledOnly = map[string]bool{}
		for _, a := range all {
			if pa, only, ok := memo.present(a); ok {
				attrs = append(attrs, pa)
				compiledOnly[pa.Name] = only
			}
		}
	}
	width := 0
	for _, a := range attrs {
		if len(a.Name) > width {
			width = len(a.Name)
		}
	}
	for _, a := range attrs {
		if renderGenerations(w, a.AttrChange, pal) {
			continue
		}
		if compiledOnly[a.Name] {
			fmt.Fprintf(w, "      %s~%s %-*s = %s\n", pal.action(a.Action), pal.reset, width, a.Name, valueText(a.After, "        "))
			fmt.Fprintf(w, "          # only the compiled form changes (see 'sessctl plan --verbose')\n")
			continue
		}
		renderAttr(w, a, width, pal)
	}
	if len(all) == 0 {
		// Nothing in the configuration changed: say what apply does about
		// each finding, never print an empty block.
		for _, f := range c.Findings {
			fmt.Fprintf(w, "      %s%s%s %s\n", col, "~", pal.reset, repairText(f))
		}
	}
	if c.Action != reconcile.Delete {
		for _, e := range c.Effects {
			what := "write file"
			if e.Kind == providers.EffectMkdir {
				what = "create directory"
			}
			reason := e.Family
			if e.Reason != "" {
				reason += ": " + e.Reason
			}
			fmt.Fprintf(w, "      # then %s %s (%s)\n", what, e.Path, reason)
		}
	}
	fmt.Fprintln(w, "    }")
	fmt.Fprintln(w)
}

func renderAttr(w io.Writer, a shownAttr, width int, pal palette) {
	col := pal.action(a.Action)
	name := fmt.Sprintf("%-*s", width, a.Name)
	suffix := ""
	if a.ForcesReplacement {
		suffix = pal.red + " # forces replacement" + pal.reset
	}
	ind := "      "
	switch a.Action {
	case reconcile.Create:
		text := a.afterText
		if text == "" {
			text = valueText(a.After, ind+"  ")
		}
		fmt.Fprintf(w, "%s%s+%s %s = %s%s\n", ind, col, pal.reset, name, text, suffix)
	case reconcile.Delete:
		fmt.Fprintf(w, "%s%s-%s %s = %s -> null%s\n", ind, col, pal.reset, name, valueText(a.Before, ind+"  "), suffix)
	default:
		if a.Reencoded || valueText(a.Before, ind+"  ") == valueText(a.After, ind+"  ") {
			fmt.Fprintf(w, "%s%s~%s %s = %s%s\n", ind, col, pal.reset, name, valueText(a.After, ind+"  "), suffix)
			fmt.Fprintf(w, "%s    %s\n", ind, encodingNote(a.Before, a.After))
			return
		}
		var bo, ao map[string]json.RawMessage
		if json.Unmarshal(a.Before, &bo) == nil && json.Unmarshal(a.After, &ao) == nil && bo != nil && ao != nil {
			fmt.Fprintf(w, "%s%s~%s %s = {%s\n", ind, col, pal.reset, name, suffix)
			renderObjectDiff(w, bo, ao, ind+"    ", pal)
			fmt.Fprintf(w, "%s    }\n", ind)
			return
		}
		fmt.Fprintf(w, "%s%s~%s %s = %s -> %s%s\n", ind, col, pal.reset, name, valueText(a.Before, ind+"  "), valueText(a.After, ind+"  "), suffix)
	}
}

// renderObjectDiff prints the keys of an object that changed, one level
// deep; nested values print whole.
func renderObjectDiff(w io.Writer, before, after map[string]json.RawMessage, ind string, pal palette) {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	width := 0
	for k := range keys {
		names = append(names, k)
		if len(k) > width {
			width = len(k)
		}
	}
	sort.Strings(names)
	unchanged := 0
	for _, k := range names {
		b, a := before[k], after[k]
		name := fmt.Sprintf("%-*s", width, k)
		switch {
		case b == nil:
			fmt.Fprintf(w, "%s%s+%s %s = %s\n", ind, pal.green, pal.reset, name, valueText(a, ind+"    "))
		case a == nil:
			fmt.Fprintf(w, "%s%s-%s %s = %s -> null\n", ind, pal.red, pal.reset, name, valueText(b, ind+"    "))
		case bytes.Equal(a, b):
			unchanged++
		case reconcile.SameJSONValue(b, a) || valueText(b, ind+"    ") == valueText(a, ind+"    "):
			fmt.Fprintf(w, "%s%s~%s %s = %s %s\n", ind, pal.yellow, pal.reset, name, valueText(a, ind+"    "), encodingNote(b, a))
		default:
			fmt.Fprintf(w, "%s%s~%s %s = %s -> %s\n", ind, pal.yellow, pal.reset, name, valueText(b, ind+"    "), valueText(a, ind+"    "))
		}
	}
	if unchanged > 0 {
		fmt.Fprintf(w, "%s  # (%d unchanged attributes hidden)\n", ind, unchanged)
	}
}

// generationFields are the profile fields whose whole-number members are
// generation numbers of one-shot actions (providers/maintenance): a number
// that rises is an action the app will run once.
var generationFields = map[string]bool{"maintenance": true}

// renderGenerations prints a created or updated generation field, each
// raised generation as "! clear_cache 1 → 2" (from 0 when the field is
// new), and reports whether it did. Other members print as object diffs.
func renderGenerations(w io.Writer, a reconcile.AttrChange, pal palette) bool {
	if !generationFields[a.Name] || a.Action != reconcile.Create && a.Action != reconcile.Update || a.Reencoded {
		return false
	}
	var bo, ao map[string]json.RawMessage
	if a.Before != nil && (json.Unmarshal(a.Before, &bo) != nil || bo == nil) {
		return false
	}
	if json.Unmarshal(a.After, &ao) != nil || ao == nil {
		return false
	}
	if bo == nil {
		bo = map[string]json.RawMessage{}
	}
	names := make([]string, 0, len(ao)+len(bo))
	width := 0
	for k := range ao {
		names = append(names, k)
	}
	for k := range bo {
		if _, ok := ao[k]; !ok {
			names = append(names, k)
		}
	}
	for _, k := range names {
		width = max(width, len(k))
	}
	sort.Strings(names)
	ind := "      "
	fmt.Fprintf(w, "%s%s%s%s %s = {\n", ind, pal.action(a.Action), a.Action.Symbol(), pal.reset, a.Name)
	rest := map[string]bool{}
	for _, k := range names {
		after, okA := generation(ao[k])
		before, okB := generation(bo[k])
		if bo[k] == nil {
			before, okB = 0, true
		}
		if okA && okB && after > before {
			fmt.Fprintf(w, "%s    %s!%s %-*s %d → %d   # the app runs it once\n", ind, pal.yellow, pal.reset, width, k, before, after)
			continue
		}
		rest[k] = true
	}
	rb, ra := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	for k := range rest {
		if bo[k] != nil {
			rb[k] = bo[k]
		}
		if ao[k] != nil {
			ra[k] = ao[k]
		}
	}
	if len(rest) > 0 {
		renderObjectDiff(w, rb, ra, ind+"    ", pal)
	}
	fmt.Fprintf(w, "%s    }\n", ind)
	return true
}

// generation decodes a generation number (a JSON whole number).
func generation(raw json.RawMessage) (int64, bool) {
	if raw == nil {
		return 0, false
	}
	var n int64
	if json.Unmarshal(raw, &n) != nil {
		return 0, false
	}
	return n, true
}

// repairText says what apply does about a drift finding.
func repairText(f reconcile.Finding) string {
	switch f.Kind {
	case reconcile.DriftProfileMissing:
		return "rewrite profile " + f.Path + " (it is missing)"
	case reconcile.DriftProfileNotRegular:
		return "replace " + f.Path + " with the profile (it is no longer a regular file)"
	case reconcile.DriftProfileModified:
		if len(f.Fields) > 0 {
			return fmt.Sprintf("rewrite profile %s (edited outside sessctl: %v)", f.Path, f.Fields)
		}
		return "rewrite profile " + f.Path + " (its bytes differ from what was applied)"
	case reconcile.DriftProfileRenamed:
		return "write the profile under its new name and remove " + f.Path
	case reconcile.DriftDirectoryMissing:
		return "re-create directory " + f.Path
	case reconcile.DriftFileModified:
		return "rewrite file " + f.Path + " (missing or edited)"
	case reconcile.DriftInputChanged, reconcile.DriftInputMissing:
		return "record the new state of referenced file " + f.Path + " (the profile does not change)"
	}
	return f.Message
}

// encodingNote explains a change whose before and after print alike: the
// same value in other bytes, or two values this plan prints the same way
// (then the raw JSON of both is shown).
func encodingNote(before, after json.RawMessage) string {
	if reconcile.SameJSONValue(before, after) {
		return "# re-encoded, same value (the profile's bytes and digest change)"
	}
	return fmt.Sprintf("# raw JSON: %s -> %s", before, after)
}

// valueText renders a JSON value for a plan line (see hclValue).
func valueText(v json.RawMessage, ind string) string { return hclValue(v, ind) }

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
