package reconcile

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// The Electron adapter's status files are written by an app: sessctl reads
// them as untrusted input. ReadAppStatus reads at most MaxStatusFileSize
// bytes, and keeps at most MaxStatusEvents events and MaxStatusList entries
// of each read-back list (the adapter writes fewer: docs/electron-adapter.md
// "Events" and "Read-backs").
const (
	// MaxStatusFileSize is the largest status file sessctl reads.
	MaxStatusFileSize = 8 << 20
	// MaxStatusEvents is the most events kept from one status file (the
	// adapter's eventLimit is at most 1000).
	MaxStatusEvents = 1000
	// MaxStatusList is the most entries kept of one read-back list (the
	// adapter keeps at most 1000 dictionary words, 200 of the others).
	MaxStatusList = 1000
)

// AppStatus is a status file of the Electron adapter
// (docs/electron-adapter.md, "Status files").
type AppStatus struct {
	FormatVersion int    `json:"format_version"`
	Partition     string `json:"partition"`
	File          string `json:"file"`
	State         string `json:"state"`
	Revision      uint64 `json:"revision"`
	Digest        string `json:"digest"`
	AppliedAt     string `json:"applied_at"`
	UpdatedAt     string `json:"updated_at"`
	Errors        []struct {
		Field   string  `json:"field"`
		Call    *string `json:"call"`
		Message string  `json:"message"`
	} `json:"errors"`
	Rejected *struct {
		Revision uint64 `json:"revision"`
		Reason   string `json:"reason"`
	} `json:"rejected"`
	Retained []string `json:"retained"`
	// Maintenance is what the adapter's journal says of each maintenance
	// action, by Electron method (docs/actions.md).
	Maintenance map[string]struct {
		Generation int64   `json:"generation"`
		State      string  `json:"state"`
		Error      *string `json:"error"`
	} `json:"maintenance"`
	Readback        *AppReadback `json:"readback"`
	Events          *AppEvents   `json:"events"`
	ElectronVersion *string      `json:"electron_version"`
	AdapterVersion  string       `json:"adapter_version"`
	PID             int64        `json:"pid"`
}

// AppReadback is what Electron reported about the session (the status
// file's "readback"). A nil member is a getter that threw, or one this
// Electron does not have.
type AppReadback struct {
	ReadAt         string              `json:"read_at"`
	Persistent     *bool               `json:"persistent"`
	CacheSize      *float64            `json:"cache_size"`
	StoragePath    *string             `json:"storage_path"`
	UserAgent      *string             `json:"user_agent"`
	Extensions     *[]AppExtensionInfo `json:"extensions"`
	ExtMissing     *[]string           `json:"extensions_missing"`
	Preloads       *[]string           `json:"preloads"`
	PreloadScripts *[]struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		FilePath string `json:"file_path"`
	} `json:"preload_scripts"`
	SpellEnabled   *bool     `json:"spellchecker_enabled"`
	SpellLanguages *[]string `json:"spellchecker_languages"`
	SpellAvailable *[]string `json:"spellchecker_available_languages"`
	SpellWords     *[]string `json:"spellchecker_words"`
	SpellWordCount *uint64   `json:"spellchecker_word_count"`
	ServiceWorkers *struct {
		Count  uint64   `json:"count"`
		Scopes []string `json:"scopes"`
	} `json:"service_workers"`
	Errors []struct {
		Call    string `json:"call"`
		Message string `json:"message"`
	} `json:"errors"`
	Truncated []string `json:"truncated"`
}

// AppExtensionInfo is one loaded extension as Electron reports it.
type AppExtensionInfo struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Path    string `json:"path"`
}

// AppEvents is the status file's "events": counts since the app started
// and the last entries.
type AppEvents struct {
	Limit   uint64            `json:"limit"`
	Total   uint64            `json:"total"`
	Dropped uint64            `json:"dropped"`
	Counts  map[string]uint64 `json:"counts"`
	Recent  []AppEvent        `json:"recent"`
}

// AppEvent is one recorded Session event. Details holds the event's
// arguments as the adapter wrote them: strings, numbers, booleans, null
// and lists of strings.
type AppEvent struct {
	Seq     uint64                     `json:"seq"`
	At      string                     `json:"at"`
	Event   string                     `json:"event"`
	Details map[string]json.RawMessage `json:"details"`
}

// ErrStatusTooLarge is returned for a status file over MaxStatusFileSize.
var ErrStatusTooLarge = fmt.Errorf("larger than %d bytes", MaxStatusFileSize)

// ReadAppStatus reads and checks one status file: at most
// MaxStatusFileSize bytes, format_version 1, lists cut to their bounds.
// A missing file is an error for which errors.Is(err, fs.ErrNotExist).
func ReadAppStatus(path string) (*AppStatus, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxStatusFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxStatusFileSize {
		return nil, ErrStatusTooLarge
	}
	var s AppStatus
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	if s.FormatVersion != 1 {
		return nil, fmt.Errorf("format_version %d is not supported (this sessctl reads 1)", s.FormatVersion)
	}
	if e := s.Events; e != nil && len(e.Recent) > MaxStatusEvents {
		e.Recent = e.Recent[len(e.Recent)-MaxStatusEvents:]
	}
	if r := s.Readback; r != nil {
		for _, l := range []*[]string{r.ExtMissing, r.Preloads, r.SpellLanguages, r.SpellAvailable, r.SpellWords} {
			if l != nil && len(*l) > MaxStatusList {
				*l = (*l)[:MaxStatusList]
			}
		}
		if r.Extensions != nil && len(*r.Extensions) > MaxStatusList {
			*r.Extensions = (*r.Extensions)[:MaxStatusList]
		}
		if r.PreloadScripts != nil && len(*r.PreloadScripts) > MaxStatusList {
			*r.PreloadScripts = (*r.PreloadScripts)[:MaxStatusList]
		}
		if r.ServiceWorkers != nil && len(r.ServiceWorkers.Scopes) > MaxStatusList {
			r.ServiceWorkers.Scopes = r.ServiceWorkers.Scopes[:MaxStatusList]
		}
	}
	return &s, nil
}

// AppStatusPath is where the adapter writes the status of a profile file.
func AppStatusPath(outDir, profileFile string) string {
	return filepath.Join(outDir, StatusDir, profileFile)
}

// DetailString is an event detail as a string ("" when it is not one).
func (e AppEvent) DetailString(key string) string {
	var s string
	if json.Unmarshal(e.Details[key], &s) != nil {
		return ""
	}
	return s
}

// Event findings: what the app's events and read-backs say is not in
// effect although the app applied the revision sessctl applied.
const (
	// DriftAppDictionaryFailed: a spellchecker dictionary failed to
	// download and did not download since.
	DriftAppDictionaryFailed DriftKind = "app-dictionary-failed"
	// DriftAppExtensionNotLoaded: an extension of the profile is not
	// loaded in the app (Electron unloaded it, or does not list it).
	DriftAppExtensionNotLoaded DriftKind = "app-extension-not-loaded"
	// DriftAppPreloadMissing: a preload script of the profile is not
	// registered in the app's session.
	DriftAppPreloadMissing DriftKind = "app-preload-missing"
	// DriftAppPreloadFailed: a preload script of the profile threw in a
	// page of the app (a WebContents' preload-error, recorded when the app
	// passes its WebContents to the adapter).
	DriftAppPreloadFailed DriftKind = "app-preload-failed"
)

// eventFindings turns the events and read-backs of an in-sync status into
// findings (docs/watch.md "App findings"). fields are the recorded
// profile fields.
func eventFindings(s *AppStatus, fields map[string]json.RawMessage) []Finding {
	var out []Finding
	add := func(k DriftKind, field, msg string) {
		out = append(out, Finding{Kind: k, Message: msg, Fields: []string{field}})
	}
	dictionaryFindings(s, add)
	extensionFindings(s, fields, add)
	preloadFindings(s, fields, add)
	return out
}

// findingSink adds one finding about a profile field.
type findingSink func(k DriftKind, field, msg string)

// dictionaryFindings: the last download outcome of each dictionary.
func dictionaryFindings(s *AppStatus, add findingSink) {
	if s.Events == nil {
		return
	}
	last := map[string]string{}
	var order []string
	for _, e := range s.Events.Recent {
		switch e.Event {
		case "spellcheck-dictionary-download-failure", "spellcheck-dictionary-download-success", "spellcheck-dictionary-initialized":
			lang := e.DetailString("language")
			if _, seen := last[lang]; !seen {
				order = append(order, lang)
			}
			last[lang] = e.Event
		}
	}
	for _, lang := range order {
		if last[lang] == "spellcheck-dictionary-download-failure" {
			add(DriftAppDictionaryFailed, "spellChecker", fmt.Sprintf("the spellchecker dictionary %s failed to download and has not downloaded since (see 'sessctl events')", quoteText(lang)))
		}
	}
}

// extensionFindings: the profile's extensions, against what Electron
// lists and the last load/unload event of each.
func extensionFindings(s *AppStatus, fields map[string]json.RawMessage, add findingSink) {
	var exts []struct {
		Name string `json:"name"`
		ID   string `json:"id"`
	}
	raw, ok := fields["extensions"]
	if !ok || json.Unmarshal(raw, &exts) != nil {
		return
	}
	loaded := map[string]bool{}
	listed := s.Readback != nil && s.Readback.Extensions != nil
	if listed {
		for _, x := range *s.Readback.Extensions {
			loaded[x.ID] = true
		}
	}
	lastEvent := map[string]string{}
	if s.Events != nil {
		for _, e := range s.Events.Recent {
			if e.Event == "extension-loaded" || e.Event == "extension-unloaded" {
				lastEvent[e.DetailString("id")] = e.Event
			}
		}
	}
	for _, x := range exts {
		switch {
		case listed && !loaded[x.ID]:
			add(DriftAppExtensionNotLoaded, "extensions", fmt.Sprintf("extension %s (%s) is not loaded in the app", quoteText(x.Name), x.ID))
		case !listed && lastEvent[x.ID] == "extension-unloaded":
			add(DriftAppExtensionNotLoaded, "extensions", fmt.Sprintf("extension %s (%s) was unloaded in the app", quoteText(x.Name), x.ID))
		}
	}
}

// profilePreload is one element of the profile's preloads field.
type profilePreload struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	FilePath string `json:"filePath"`
}

// preloadFindings: the profile's preloads, against what the session has
// registered and the preload-error events.
func preloadFindings(s *AppStatus, fields map[string]json.RawMessage, add findingSink) {
	var pre []profilePreload
	raw, ok := fields["preloads"]
	if !ok || json.Unmarshal(raw, &pre) != nil {
		return
	}
	if have, checked := registeredPreloads(s.Readback, pre); checked {
		for _, p := range pre {
			if !have[p.ID] {
				add(DriftAppPreloadMissing, "preloads", fmt.Sprintf("preload %s (%s) is not registered in the app's session", quoteText(p.ID), quoteText(p.FilePath)))
			}
		}
	}
	if s.Events == nil {
		return
	}
	failed := map[string]string{}
	for _, e := range s.Events.Recent {
		if e.Event == "preload-error" {
			failed[e.DetailString("path")] = e.DetailString("message")
		}
	}
	for _, p := range pre {
		if msg, ok := failed[p.FilePath]; ok {
			add(DriftAppPreloadFailed, "preloads", fmt.Sprintf("preload %s threw in a page of the app: %s", quoteText(p.ID), quoteText(msg)))
		}
	}
}

// registeredPreloads returns the IDs of pre the read-back shows
// registered; checked is false when the read-back says nothing about it.
func registeredPreloads(r *AppReadback, pre []profilePreload) (have map[string]bool, checked bool) {
	have = map[string]bool{}
	switch {
	case r == nil:
		return have, false
	case r.PreloadScripts != nil:
		for _, p := range *r.PreloadScripts {
			have[p.ID] = true
		}
	case r.Preloads != nil:
		// Electron before 35: setPreloads paths, frame scripts only.
		byPath := map[string]bool{}
		for _, p := range *r.Preloads {
			byPath[p] = true
		}
		for _, p := range pre {
			if byPath[p.FilePath] || p.Type != "frame" {
				have[p.ID] = true
			}
		}
	default:
		return have, false
	}
	return have, true
}

// quoteText quotes s for a message, escaping every character that is not
// graphic (control characters, C1 controls, bidi overrides): status files
// are written by an app, and their bytes are never printed raw.
func quoteText(s string) string { return strconv.Quote(s) }
