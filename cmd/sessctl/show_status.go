package main

// `sessctl show PARTITION --status`: the recorded profile beside what the
// Electron app reports (the adapter's status file, its "readback" member;
// docs/electron-adapter.md "Read-backs"), field by field, each row marked.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/sessctl/sessctl/reconcile"
)

// Marks of a `show --status` row.
const (
	statusSame        = "same"         // the app reports the desired value
	statusDiffers     = "differs"      // the app reports another value
	statusNotReported = "not-reported" // desired, but the app says nothing (no getter, or the getter failed)
	statusReportOnly  = "report-only"  // nothing desired: what the app reports, for information
)

// statusRow is one field of `show --status`.
type statusRow struct {
	Field    string          `json:"field"`
	Desired  json.RawMessage `json:"desired"`
	Reported json.RawMessage `json:"reported"`
	Match    string          `json:"match"`
	// Note says why a value is not reported, or what a difference means.
	Note string `json:"note,omitempty"`
}

// appStatusJSON is the "status" member of `show --json --status`.
type appStatusJSON struct {
	Path            string                 `json:"path"`
	Found           bool                   `json:"found"`
	Error           string                 `json:"error,omitempty"`
	State           string                 `json:"state,omitempty"`
	Revision        uint64                 `json:"revision"`
	UpdatedAt       string                 `json:"updated_at,omitempty"`
	ReadAt          string                 `json:"read_at,omitempty"`
	PID             int64                  `json:"pid"`
	ElectronVersion string                 `json:"electron_version,omitempty"`
	AdapterVersion  string                 `json:"adapter_version,omitempty"`
	Differences     int                    `json:"differences"`
	Fields          []statusRow            `json:"fields"`
	Readback        *reconcile.AppReadback `json:"readback"`
}

var jsonNull = json.RawMessage("null")

func rawOf(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return jsonNull
	}
	return json.RawMessage(bytes.TrimSpace(buf.Bytes()))
}

// compareStatus reads the partition's status file and compares it with
// the recorded fields.
func compareStatus(outDir string, rec *reconcile.Record) appStatusJSON {
	path := reconcile.AppStatusPath(outDir, rec.File)
	out := appStatusJSON{Path: path, Fields: []statusRow{}}
	s, err := reconcile.ReadAppStatus(path)
	if err != nil {
		if os.IsNotExist(err) {
			out.Error = "no status file: the app has not applied this partition with the adapter"
		} else {
			out.Error = "status file cannot be read: " + err.Error()
		}
	} else {
		out.Found = true
		out.State, out.Revision, out.UpdatedAt, out.PID, out.AdapterVersion = s.State, s.Revision, s.UpdatedAt, s.PID, s.AdapterVersion
		if s.ElectronVersion != nil {
			out.ElectronVersion = *s.ElectronVersion
		}
		out.Readback = s.Readback
		if s.Readback != nil {
			out.ReadAt = s.Readback.ReadAt
		}
	}
	rows := &out.Fields
	add := func(field string, desired, reported json.RawMessage, match, note string) {
		if desired == nil {
			desired = jsonNull
		}
		if reported == nil {
			reported = jsonNull
		}
		*rows = append(*rows, statusRow{field, desired, reported, match, note})
		if match == statusDiffers {
			out.Differences++
		}
	}
	// cmp marks a desired value against a reported one (nil: not
	// reported).
	cmp := func(field string, desired any, reported any, reportedOK bool, why string) {
		d := rawOf(desired)
		if !reportedOK {
			add(field, d, nil, statusNotReported, why)
			return
		}
		r := rawOf(reported)
		if bytes.Equal(d, r) {
			add(field, d, r, statusSame, "")
		} else {
			add(field, d, r, statusDiffers, "")
		}
	}
	var rb *reconcile.AppReadback
	if s != nil {
		rb = s.Readback
	}
	noRead := "the app reported no read-back"
	if s == nil {
		noRead = out.Error
	}

	// The revision in effect.
	if s != nil {
		cmp("revision", rec.Revision, s.Revision, true, "")
	} else {
		cmp("revision", rec.Revision, nil, false, noRead)
	}
	// partition and persistent are the row above; the rest of the core
	// keys are not settings.
	handled := map[string]bool{"partition": true, "persistent": true, "format_version": true, "revision": true, "digest": true}
	persistent := rec.Name == "" || strings.HasPrefix(rec.Name, "persist:")
	if rb != nil && rb.Persistent != nil {
		cmp("persistent", persistent, *rb.Persistent, true, "")
	} else {
		cmp("persistent", persistent, nil, false, noRead)
	}

	// userAgent.
	handled["userAgent"] = true
	if raw, ok := rec.Fields["userAgent"]; ok {
		var ua string
		_ = json.Unmarshal(raw, &ua)
		if rb != nil && rb.UserAgent != nil {
			cmp("userAgent", ua, *rb.UserAgent, true, "")
		} else {
			cmp("userAgent", ua, nil, false, noRead)
		}
	} else if rb != nil && rb.UserAgent != nil {
		add("userAgent", nil, rawOf(*rb.UserAgent), statusReportOnly, "")
	}

	// spellChecker, member by member.
	var sc struct {
		Enabled   *bool     `json:"enabled"`
		Languages *[]string `json:"languages"`
		Words     *[]string `json:"words"`
	}
	if raw, ok := rec.Fields["spellChecker"]; ok {
		handled["spellChecker"] = true
		_ = json.Unmarshal(raw, &sc)
		var full map[string]json.RawMessage
		_ = json.Unmarshal(raw, &full)
		if sc.Enabled != nil {
			if rb != nil && rb.SpellEnabled != nil {
				cmp("spellChecker.enabled", *sc.Enabled, *rb.SpellEnabled, true, "")
			} else {
				cmp("spellChecker.enabled", *sc.Enabled, nil, false, noRead)
			}
		}
		if sc.Languages != nil {
			if rb != nil && rb.SpellLanguages != nil {
				cmp("spellChecker.languages", *sc.Languages, *rb.SpellLanguages, true, "")
				if rb.SpellAvailable != nil {
					avail := map[string]bool{}
					for _, l := range *rb.SpellAvailable {
						avail[l] = true
					}
					var missing []string
					for _, l := range *sc.Languages {
						if !avail[l] {
							missing = append(missing, l)
						}
					}
					if len(missing) > 0 {
						add("spellChecker.languages (available)", rawOf(missing), rawOf([]string{}), statusDiffers,
							"Electron does not offer these languages (availableSpellCheckerLanguages)")
					}
				}
			} else {
				cmp("spellChecker.languages", *sc.Languages, nil, false, noRead)
			}
		}
		if sc.Words != nil {
			want := append([]string(nil), *sc.Words...)
			sort.Strings(want)
			switch {
			case rb != nil && rb.SpellWords != nil && rb.SpellWordCount != nil && *rb.SpellWordCount > uint64(len(*rb.SpellWords)):
				cmp("spellChecker.words", want, nil, false, fmt.Sprintf("the dictionary has %d words, more than the status file holds", *rb.SpellWordCount))
			case rb != nil && rb.SpellWords != nil:
				have := append([]string(nil), *rb.SpellWords...)
				sort.Strings(have)
				cmp("spellChecker.words", want, have, true, "")
			default:
				cmp("spellChecker.words", want, nil, false, noRead)
			}
		}
		if u, ok := full["dictionaryDownloadURL"]; ok {
			add("spellChecker.dictionaryDownloadURL", u, nil, statusNotReported, "Electron has no getter")
		}
	}

	// extensions, by ID.
	var exts []struct {
		Name    string `json:"name"`
		ID      string `json:"id"`
		Version string `json:"version"`
		Path    string `json:"path"`
	}
	if raw, ok := rec.Fields["extensions"]; ok && json.Unmarshal(raw, &exts) == nil {
		handled["extensions"] = true
		loaded := map[string]reconcile.AppExtensionInfo{}
		if rb != nil && rb.Extensions != nil {
			for _, x := range *rb.Extensions {
				loaded[x.ID] = x
			}
		}
		for _, x := range exts {
			field := fmt.Sprintf("extensions[%s]", x.Name)
			desired := map[string]string{"id": x.ID, "version": x.Version}
			switch {
			case rb == nil || rb.Extensions == nil:
				cmp(field, desired, nil, false, noRead)
			case loaded[x.ID].ID == "":
				add(field, rawOf(desired), jsonNull, statusDiffers, "not loaded")
			default:
				l := loaded[x.ID]
				v := l.Version
				if x.Version == "" {
					v = ""
				}
				cmp(field, desired, map[string]string{"id": l.ID, "version": v}, true, "")
			}
		}
	}

	// preloads, by ID.
	var pre []struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		FilePath string `json:"filePath"`
	}
	if raw, ok := rec.Fields["preloads"]; ok && json.Unmarshal(raw, &pre) == nil {
		handled["preloads"] = true
		handled["preloadApi"] = true
		reg := map[string]string{}
		if rb != nil && rb.PreloadScripts != nil {
			for _, p := range *rb.PreloadScripts {
				reg[p.ID] = p.FilePath
			}
		}
		for _, p := range pre {
			field := fmt.Sprintf("preloads[%s]", p.ID)
			switch {
			case rb == nil || rb.PreloadScripts == nil:
				cmp(field, p.FilePath, nil, false, noRead)
			case reg[p.ID] == "":
				add(field, rawOf(p.FilePath), jsonNull, statusDiffers, "not registered")
			default:
				cmp(field, p.FilePath, reg[p.ID], true, "")
			}
		}
	}

	// Every other field: Electron has no getter for it.
	var rest []string
	for k := range rec.Fields {
		if !handled[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		note := "Electron has no getter"
		switch k {
		case "cache":
			note = "applied when the session is created (fromPartition); Electron has no getter"
		case "permissions":
			note = "a handler the adapter installs; Electron has no getter (see sessctl check-permission)"
		case "certificateRules":
			note = "a handler the adapter installs; Electron has no getter (see sessctl verify-cert)"
		case "serialRules":
			note = "a handler the adapter installs; its decisions are select-serial-port events (sessctl events)"
		case "displayMedia":
			note = "a handler the adapter installs; its decisions are display-media-request events (sessctl events; see sessctl check-display-media)"
		case "devices":
			note = "handlers and chooser listeners the adapter installs; Electron has no getter (see sessctl check-device)"
		}
		add(k, rec.Fields[k], nil, statusNotReported, note)
	}

	// What only the app knows.
	if rb != nil {
		if rb.CacheSize != nil {
			add("cache size", nil, rawOf(*rb.CacheSize), statusReportOnly, "bytes (getCacheSize)")
		}
		if rb.StoragePath != nil {
			add("storage path", nil, rawOf(*rb.StoragePath), statusReportOnly, "getStoragePath")
		}
		if rb.ServiceWorkers != nil {
			add("service workers", nil, rawOf(rb.ServiceWorkers), statusReportOnly, "serviceWorkers.getAllRunning()")
		}
		if rb.Extensions != nil {
			ids := make([]string, 0, len(*rb.Extensions))
			for _, x := range *rb.Extensions {
				ids = append(ids, x.ID)
			}
			add("extensions loaded", nil, rawOf(ids), statusReportOnly, "every extension Electron lists, the app's own too")
		}
		for _, e := range rb.Errors {
			add("getter "+e.Call, nil, rawOf(e.Message), statusReportOnly, "the getter threw")
		}
	}
	return out
}

// statusMarks are the row marks of the text output.
var statusMarks = map[string]string{statusSame: "=", statusDiffers: "!", statusNotReported: "?", statusReportOnly: " "}

// printStatusComparison prints `show PARTITION --status`.
func printStatusComparison(w io.Writer, rec *reconcile.Record, c appStatusJSON) {
	fmt.Fprintf(w, "partition %s: desired (sessctl) beside reported (the app)\n", quote(rec.Name))
	if c.Found {
		fmt.Fprintf(w, "# status %s\n# state %s, app pid %d, Electron %s, adapter %s, written %s",
			c.Path, safeText(c.State), c.PID, safeText(orDash(c.ElectronVersion)), safeText(orDash(c.AdapterVersion)), safeText(orDash(c.UpdatedAt)))
		if c.ReadAt != "" {
			fmt.Fprintf(w, ", read back %s", safeText(c.ReadAt))
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "# %s (%s)\n", c.Error, c.Path)
	}
	fw := len("FIELD")
	dw := len("DESIRED")
	for _, r := range c.Fields {
		fw = max(fw, len(safeText(r.Field)))
		dw = max(dw, len(rowValue(r.Desired, r.Match == statusReportOnly)))
	}
	fw, dw = min(fw, 40), min(dw, 48)
	fmt.Fprintf(w, "  %-*s  %-*s  %s\n", fw, "FIELD", dw, "DESIRED", "REPORTED")
	for _, r := range c.Fields {
		rep := rowValue(r.Reported, false)
		if r.Match == statusNotReported {
			rep = "-"
		}
		if r.Note != "" {
			rep += "  # " + safeText(r.Note)
		}
		fmt.Fprintf(w, "%s %-*s  %-*s  %s\n", statusMarks[r.Match], fw, safeText(r.Field), dw, rowValue(r.Desired, r.Match == statusReportOnly), rep)
	}
	switch c.Differences {
	case 0:
		fmt.Fprintln(w, "No differences.")
	case 1:
		fmt.Fprintln(w, "1 difference (marked !).")
	default:
		fmt.Fprintf(w, "%d differences (marked !).\n", c.Differences)
	}
}

// rowValue renders a value of a row: compact JSON, non-graphic
// characters escaped, long values cut.
func rowValue(raw json.RawMessage, none bool) string {
	s := compactValue(raw, none)
	if len(s) > 60 {
		s = s[:59] + "…"
	}
	return s
}

// compactValue is a value of a row as `show --status` and the status page
// show it, before either cuts it: compact JSON with non-graphic characters
// escaped, "-" for no value (none, or nil), "?" for JSON that does not parse.
func compactValue(raw json.RawMessage, none bool) string {
	if none || raw == nil {
		return "-"
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "?"
	}
	return safeText(buf.String())
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
