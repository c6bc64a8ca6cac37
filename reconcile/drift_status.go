package reconcile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// StatusDir is the directory, inside the output directory, where the
// Electron adapter writes one status file per partition
// (docs/electron-adapter.md, "Status files").
const StatusDir = "status"

// App drift kinds: the app (through the adapter) did not apply what
// sessctl applied. Reported only once the adapter has run on this output
// directory (the status directory exists): before that, an app that never
// started is not drift.
const (
	// DriftAppNotApplied: no status file for a recorded partition.
	DriftAppNotApplied DriftKind = "app-not-applied"
	// DriftAppOutdated: the status names another revision or digest than
	// the one applied (the app has not picked up the update).
	DriftAppOutdated DriftKind = "app-outdated"
	// DriftAppRejected: the adapter refused the newest profile as a whole.
	DriftAppRejected DriftKind = "app-rejected"
	// DriftAppErrors: applied, but Electron refused some fields.
	DriftAppErrors DriftKind = "app-errors"
	// DriftAppRetained: fields removed from the profile whose old value
	// stays in effect until the app restarts.
	DriftAppRetained DriftKind = "app-retained"
	// DriftAppStatusInvalid: the status file cannot be read or has a
	// format this sessctl does not know.
	DriftAppStatusInvalid DriftKind = "app-status-invalid"
)

// AppStatusFindings compares the adapter's status files in outDir with
// the recorded state: the app is in sync for a partition when its status
// file exists, names the recorded revision and digest, and says
// "applied". It returns nil when the status directory does not exist.
func AppStatusFindings(outDir string, st *State) []Finding {
	dir := filepath.Join(outDir, StatusDir)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil
	}
	var out []Finding
	for _, name := range st.Names() {
		rec := st.Records[name]
		path := filepath.Join(dir, rec.File)
		add := func(k DriftKind, msg string, fields []string) {
			out = append(out, Finding{Partition: name, Kind: k, Path: path, Message: msg, Fields: fields})
		}
		s, err := ReadAppStatus(path)
		if errors.Is(err, fs.ErrNotExist) {
			add(DriftAppNotApplied, "the app has not applied this partition (no status file; is the app running the adapter?)", nil)
			continue
		}
		if err != nil {
			add(DriftAppStatusInvalid, "status file "+path+" cannot be read: "+err.Error(), nil)
			continue
		}
		want := contentDigest(rec.Fields)
		switch {
		case s.State == "rejected" || s.Rejected != nil && s.Rejected.Revision == rec.Revision:
			reason := ""
			if s.Rejected != nil {
				reason = ": " + s.Rejected.Reason
			}
			add(DriftAppRejected, fmt.Sprintf("the app refused revision %d%s", rec.Revision, reason), nil)
		case s.Revision != rec.Revision || s.Digest != want:
			add(DriftAppOutdated, fmt.Sprintf("the app runs revision %d, sessctl applied revision %d", s.Revision, rec.Revision), nil)
		case len(s.Errors) > 0:
			var fields, msgs []string
			for _, e := range s.Errors {
				fields = append(fields, e.Field)
				msgs = append(msgs, e.Field+": "+e.Message)
			}
			add(DriftAppErrors, "Electron refused "+strings.Join(msgs, "; "), fields)
		}
		if s.State != "rejected" && s.Revision == rec.Revision && s.Digest == want {
			for _, f := range eventFindings(s, rec.Fields) {
				add(f.Kind, f.Message, f.Fields)
			}
		}
		if len(s.Retained) > 0 && s.Revision == rec.Revision {
			add(DriftAppRetained, "removed fields keep their old value until the app restarts: "+strings.Join(s.Retained, ", "), s.Retained)
		}
	}
	return out
}

// AddAppStatus adds the app's status findings to the report (see
// AppStatusFindings); they count as drift.
func (r *DriftReport) AddAppStatus(st *State) {
	r.App = append(r.App, AppStatusFindings(r.OutputDir, st)...)
}
