package reconcile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sessctl/sessctl/providers/maintenance"
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
	// DriftAppMaintenancePending: a maintenance generation the app has
	// not run yet (or is running).
	DriftAppMaintenancePending DriftKind = "app-maintenance-pending"
	// DriftAppMaintenanceFailed: the app ran the generation asked for and
	// Electron failed it, or the app stopped in the middle; it runs again
	// only when the generation is raised.
	DriftAppMaintenanceFailed DriftKind = "app-maintenance-failed"
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
		for _, f := range maintenanceFindings(rec, s) {
			add(f.kind, f.msg, []string{maintenance.Field})
		}
	}
	return out
}

type maintenanceFinding struct {
	kind DriftKind
	msg  string
}

// maintenanceFindings compares the generations of rec's maintenance field
// with the ones the adapter ran (its status file's maintenance member).
func maintenanceFindings(rec *Record, s *AppStatus) []maintenanceFinding {
	raw := rec.Fields[maintenance.Field]
	if raw == nil {
		return nil
	}
	var want map[string]json.RawMessage
	if json.Unmarshal(raw, &want) != nil {
		return nil
	}
	var out []maintenanceFinding
	for _, a := range maintenance.Actions {
		var gen int64
		if want[a.Method] == nil || json.Unmarshal(want[a.Method], &gen) != nil || gen == 0 {
			continue
		}
		done, ok := s.Maintenance[a.Method]
		switch {
		case !ok || done.Generation < gen:
			ran := "never ran it"
			if ok {
				ran = fmt.Sprintf("last ran generation %d", done.Generation)
			}
			out = append(out, maintenanceFinding{DriftAppMaintenancePending,
				fmt.Sprintf("the app has not run maintenance.%s generation %d yet (it %s)", a.Attr, gen, ran)})
		case done.Generation == gen && done.State == "running":
			out = append(out, maintenanceFinding{DriftAppMaintenancePending,
				fmt.Sprintf("the app is running maintenance.%s generation %d", a.Attr, gen)})
		case done.Generation == gen && done.State == "failed":
			reason := ""
			if done.Error != nil {
				reason = ": " + *done.Error
			}
			out = append(out, maintenanceFinding{DriftAppMaintenanceFailed,
				fmt.Sprintf("maintenance.%s generation %d failed in the app%s (raise it to %d to run it again)", a.Attr, gen, reason, gen+1)})
		}
	}
	return out
}

// AddAppStatus adds the app's status findings to the report (see
// AppStatusFindings); they count as drift.
func (r *DriftReport) AddAppStatus(st *State) {
	r.App = append(r.App, AppStatusFindings(r.OutputDir, st)...)
}
