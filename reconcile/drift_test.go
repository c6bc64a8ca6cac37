package reconcile

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// applied returns a wenv whose configuration was applied once by
// MakePlan + Apply (the path `sessctl apply` takes).
func applied(t *testing.T, files map[string]string) *wenv {
	t.Helper()
	w := newWenv(t, files)
	p, err := MakePlan(w.req)
	if err != nil || p.Plan == nil {
		t.Fatalf("plan: %v %v", err, p.Diags)
	}
	if _, err := Apply(p.Plan); err != nil {
		t.Fatal(err)
	}
	return w
}

func driftReport(t *testing.T, w *wenv) *DriftReport {
	t.Helper()
	p, err := MakePlan(w.req)
	if err != nil || p.Plan == nil {
		t.Fatalf("plan: %v %v", err, p.Diags)
	}
	r := NewDriftReport(p.Plan)
	st, err := ReadState(w.state)
	if err != nil {
		t.Fatal(err)
	}
	r.AddAppStatus(st)
	return r
}

func kinds(fs []Finding) string {
	var out []string
	for _, f := range fs {
		s := f.Partition + ":" + string(f.Kind)
		if len(f.Fields) > 0 {
			s += fmt.Sprint(f.Fields)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestDriftKinds(t *testing.T) {
	dl := `partition "persist:d" {
  user_agent    = "D/1"
  download_path = "${path.config}/../downloads/d"
  ignore_drift  = ["userAgent"]
}
`
	cases := []struct {
		name        string
		mutate      func(t *testing.T, w *wenv)
		corrective  string
		intentional string
	}{
		{"nothing", func(*testing.T, *wenv) {}, "", ""},
		{"profile field edited", func(t *testing.T, w *wenv) {
			replaceIn(t, w.profilePath("persist:b"), `"B/1"`, `"X/1"`)
		}, "persist:b:profile-modified[userAgent]", ""},
		{"profile field added", func(t *testing.T, w *wenv) {
			replaceIn(t, w.profilePath("persist:b"), `"format_version": 1,`, `"format_version": 1, "proxyRules": "evil:1",`)
		}, "persist:b:profile-modified[proxyRules]", ""},
		{"profile reformatted only", func(t *testing.T, w *wenv) {
			replaceIn(t, w.profilePath("persist:b"), "\n", "\n  ")
		}, "persist:b:profile-modified", ""},
		{"profile not JSON", func(t *testing.T, w *wenv) {
			mustWrite(t, w.profilePath("persist:b"), "{")
		}, "persist:b:profile-modified", ""},
		{"profile deleted", func(t *testing.T, w *wenv) {
			os.Remove(w.profilePath("persist:b"))
		}, "persist:b:profile-missing", ""},
		{"profile replaced by a symlink", func(t *testing.T, w *wenv) {
			os.Remove(w.profilePath("persist:b"))
			os.Symlink("/dev/null", w.profilePath("persist:b"))
		}, "persist:b:profile-not-regular", ""},
		{"ignored field edited", func(t *testing.T, w *wenv) {
			replaceIn(t, w.profilePath("persist:d"), `"D/1"`, `"Other/9"`)
		}, "", ""},
		{"ignored and other field edited", func(t *testing.T, w *wenv) {
			replaceIn(t, w.profilePath("persist:d"), `"D/1"`, `"Other/9"`)
			replaceIn(t, w.profilePath("persist:d"), `"cache": true`, `"cache": false`)
		}, "persist:d:profile-modified[cache userAgent]", ""},
		{"download directory removed", func(t *testing.T, w *wenv) {
			os.Remove(filepath.Join(w.dir, "downloads", "d"))
		}, "persist:d:directory-missing", ""},
		{"preload edited (unpinned)", func(t *testing.T, w *wenv) {
			mustWrite(t, filepath.Join(w.cfg, "preload.js"), "// v2\n")
		}, "persist:a:input-changed", "persist:a"},
		{"configuration edited", func(t *testing.T, w *wenv) {
			mustWrite(t, filepath.Join(w.cfg, "main.hcl"), wMain("A/2"))
		}, "", "persist:a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := baseFiles()
			files["d.hcl"] = dl
			w := applied(t, files)
			tc.mutate(t, w)
			r := driftReport(t, w)
			if got := kinds(r.Corrective); got != tc.corrective {
				t.Errorf("corrective = %q, want %q", got, tc.corrective)
			}
			var in []string
			for _, c := range r.Intentional {
				in = append(in, c.Partition)
			}
			if got := strings.Join(in, " "); got != tc.intentional {
				t.Errorf("intentional = %q, want %q", got, tc.intentional)
			}
			if r.HasDrift() != (tc.corrective != "") {
				t.Errorf("HasDrift = %v with corrective %q", r.HasDrift(), tc.corrective)
			}
			// Apply repairs every corrective finding.
			p, err := MakePlan(w.req)
			if err != nil || p.Plan == nil {
				t.Fatal(err)
			}
			if _, err := Apply(p.Plan); err != nil {
				t.Fatal(err)
			}
			if r := driftReport(t, w); len(r.Corrective) != 0 || len(r.Intentional) != 0 {
				t.Errorf("after apply: corrective %q intentional %v", kinds(r.Corrective), r.Intentional)
			}
		})
	}
}

// Status files as the adapter writes them (docs/electron-adapter.md,
// "Status files"): the app is in sync when the revision and digest match
// and the state is "applied".
func TestDriftAppStatus(t *testing.T) {
	w := applied(t, baseFiles())
	st, err := ReadState(w.state)
	if err != nil {
		t.Fatal(err)
	}
	if got := AppStatusFindings(w.out, st); got != nil {
		t.Fatalf("no status directory: findings %v, want none (the adapter never ran)", got)
	}
	status := func(name, state string, rev uint64, digest, extra string) {
		rec := st.Records[name]
		body := fmt.Sprintf(`{"format_version": 1, "partition": %q, "file": %q, "state": %q, "revision": %d, "digest": %q, "errors": [], "rejected": null, "retained": []%s}`,
			name, rec.File, state, rev, digest, extra)
		os.MkdirAll(filepath.Join(w.out, StatusDir), 0o755)
		mustWrite(t, filepath.Join(w.out, StatusDir, rec.File), body)
	}
	a, b := st.Records["persist:a"], st.Records["persist:b"]
	da, db := ContentDigest(a.Fields), ContentDigest(b.Fields)
	cases := []struct {
		name  string
		setup func()
		want  string
	}{
		{"in sync", func() {
			status("persist:a", "applied", a.Revision, da, "")
			status("persist:b", "applied", b.Revision, db, "")
		}, ""},
		{"one missing", func() {
			status("persist:a", "applied", a.Revision, da, "")
			os.Remove(filepath.Join(w.out, StatusDir, b.File))
		}, "persist:b:app-not-applied"},
		{"older revision", func() {
			status("persist:a", "applied", a.Revision, da, "")
			status("persist:b", "applied", b.Revision-1, "sha256:old", "")
		}, "persist:b:app-outdated"},
		{"rejected", func() {
			status("persist:a", "applied", a.Revision, da, "")
			status("persist:b", "rejected", 0, "", `, "rejected": {"revision": 1, "digest": "x", "reason": "unknown field"}`)
		}, "persist:b:app-rejected"},
		{"partial with errors", func() {
			status("persist:a", "partial", a.Revision, da, `, "errors": [{"field": "spellChecker", "call": "setSpellCheckerLanguages", "message": "Invalid language code"}]`)
			status("persist:b", "applied", b.Revision, db, "")
		}, "persist:a:app-errors[spellChecker]"},
		{"retained", func() {
			status("persist:a", "applied", a.Revision, da, `, "retained": ["preloads"]`)
			status("persist:b", "applied", b.Revision, db, "")
		}, "persist:a:app-retained[preloads]"},
		{"newer format", func() {
			status("persist:a", "applied", a.Revision, da, "")
			mustWrite(t, filepath.Join(w.out, StatusDir, b.File), `{"format_version": 2}`)
		}, "persist:b:app-status-invalid"},
		{"too large", func() {
			status("persist:a", "applied", a.Revision, da, "")
			status("persist:b", "applied", b.Revision, db, `, "pad": "`+strings.Repeat("x", MaxStatusFileSize)+`"`)
		}, "persist:b:app-status-invalid"},
		{"a dictionary that failed to download", func() {
			status("persist:a", "applied", a.Revision, da, `, "events": {"limit": 50, "total": 3, "dropped": 0, "counts": {}, "recent": [
				{"seq": 1, "at": "2026-12-01T10:00:00.000Z", "event": "spellcheck-dictionary-download-failure", "details": {"language": "fr"}},
				{"seq": 2, "at": "2026-12-01T10:00:01.000Z", "event": "spellcheck-dictionary-download-failure", "details": {"language": "de"}},
				{"seq": 3, "at": "2026-12-01T10:00:02.000Z", "event": "spellcheck-dictionary-download-success", "details": {"language": "de"}}]}`)
			status("persist:b", "applied", b.Revision-1, "sha256:old", `, "events": {"limit": 50, "total": 1, "dropped": 0, "counts": {}, "recent": [
				{"seq": 1, "at": "2026-12-01T10:00:00.000Z", "event": "spellcheck-dictionary-download-failure", "details": {"language": "fr"}}]}`)
		}, "persist:a:app-dictionary-failed[spellChecker] persist:b:app-outdated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			if got := kinds(AppStatusFindings(w.out, st)); got != tc.want {
				t.Errorf("findings = %q, want %q", got, tc.want)
			}
		})
	}
}

// eventFindings: what events and read-backs say is not in effect, for the
// profile's extensions and preloads (dictionaries: TestDriftAppStatus).
func TestDriftAppEventFindings(t *testing.T) {
	fields := map[string]json.RawMessage{
		"extensions": json.RawMessage(`[{"name": "devtools", "id": "aaaa"}, {"name": "pdf", "id": "bbbb"}]`),
		"preloads":   json.RawMessage(`[{"id": "telemetry", "type": "frame", "filePath": "/opt/t.js"}, {"id": "sw", "type": "service-worker", "filePath": "/opt/sw.js"}]`),
	}
	for _, tc := range []struct{ name, status, want string }{
		{"nothing reported", `{}`, ""},
		{"read-back lists one extension and one script", `{"readback": {"extensions": [{"id": "aaaa"}], "preload_scripts": [{"id": "sw"}]}}`,
			`app-extension-not-loaded: extension "pdf" (bbbb) is not loaded in the app; app-preload-missing: preload "telemetry" ("/opt/t.js") is not registered in the app's session`},
		{"everything loaded", `{"readback": {"extensions": [{"id": "aaaa"}, {"id": "bbbb"}], "preload_scripts": [{"id": "sw"}, {"id": "telemetry"}]}}`, ""},
		{"no read-back: the last unload event", `{"events": {"recent": [
			{"seq": 1, "event": "extension-loaded", "details": {"id": "aaaa"}},
			{"seq": 2, "event": "extension-unloaded", "details": {"id": "aaaa"}},
			{"seq": 3, "event": "extension-unloaded", "details": {"id": "bbbb"}},
			{"seq": 4, "event": "extension-loaded", "details": {"id": "bbbb"}}]}}`,
			`app-extension-not-loaded: extension "devtools" (aaaa) was unloaded in the app`},
		{"setPreloads (Electron < 35): frame scripts by path", `{"readback": {"extensions": [{"id": "aaaa"}, {"id": "bbbb"}], "preloads": ["/other.js"]}}`,
			`app-preload-missing: preload "telemetry" ("/opt/t.js") is not registered in the app's session`},
		{"a preload that threw", `{"readback": {"extensions": [{"id": "aaaa"}, {"id": "bbbb"}], "preload_scripts": [{"id": "sw"}, {"id": "telemetry"}]},
			"events": {"recent": [{"seq": 1, "event": "preload-error", "details": {"path": "/opt/t.js", "message": "Unexpected token"}},
				{"seq": 2, "event": "preload-error", "details": {"path": "/not/ours.js", "message": "x"}}]}}`,
			`app-preload-failed: preload "telemetry" threw in a page of the app: "Unexpected token"`},
		{"control characters are escaped", `{"events": {"recent": [{"seq": 1, "event": "spellcheck-dictionary-download-failure", "details": {"language": "fr\u001b[31m"}}]}}`,
			`app-dictionary-failed: the spellchecker dictionary "fr\x1b[31m" failed to download and has not downloaded since (see 'sessctl events')`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s AppStatus
			if err := json.Unmarshal([]byte(tc.status), &s); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range eventFindings(&s, fields) {
				got = append(got, string(f.Kind)+": "+f.Message)
			}
			if g := strings.Join(got, "; "); g != tc.want {
				t.Errorf("findings:\n got %s\nwant %s", g, tc.want)
			}
		})
	}
}

func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q:\n%s", path, old, b)
	}
	mustWrite(t, path, strings.Replace(string(b), old, new, -1))
}

// The app's maintenance journal against the generations applied: a
// generation not run yet (or running) is pending, one that ran and failed
// is a failure with Electron's error; generation 0 asks for nothing.
func TestMaintenanceFindings(t *testing.T) {
	rec := &Record{Fields: map[string]json.RawMessage{
		"maintenance": json.RawMessage(`{"clearCache":2,"clearAuthCache":1,"flushStorageData":3,"closeAllConnections":0,"forceReloadProxyConfig":1,"clearStorageData":5}`),
	}}
	var s AppStatus
	if err := json.Unmarshal([]byte(`{"maintenance": {
		"clearCache": {"generation": 1, "state": "done", "error": null},
		"clearAuthCache": {"generation": 1, "state": "failed", "error": "net::ERR_FAILED"},
		"flushStorageData": {"generation": 3, "state": "running", "error": null},
		"forceReloadProxyConfig": {"generation": 1, "state": "done", "error": null}
	}}`), &s); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range maintenanceFindings(rec, &s) {
		got = append(got, string(f.kind)+": "+f.msg)
	}
	want := []string{
		"app-maintenance-failed: maintenance.clear_auth_cache generation 1 failed in the app: net::ERR_FAILED (raise it to 2 to run it again)",
		"app-maintenance-pending: the app has not run maintenance.clear_cache generation 2 yet (it last ran generation 1)",
		"app-maintenance-pending: the app has not run maintenance.clear_storage_data generation 5 yet (it never ran it)",
		"app-maintenance-pending: the app is running maintenance.flush_storage_data generation 3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f := maintenanceFindings(&Record{Fields: map[string]json.RawMessage{}}, &s); f != nil {
		t.Errorf("no maintenance field: %v", f)
	}
}

// A maintenance generation lower than the last applied one is refused by
// the plan, at the attribute, by the one-shot path (MakePlan) and by an
// engine kept between cycles (watch), cycle after cycle, until the number
// is raised above the applied one.
func TestMaintenanceGenerationNeverGoesDown(t *testing.T) {
	cfg := func(n int) string {
		return fmt.Sprintf("partition \"persist:a\" {\n  maintenance {\n    clear_cache = %d\n  }\n}\n", n)
	}
	w := newWenv(t, map[string]string{"main.hcl": cfg(2)})
	e := NewEngine(w.req)
	p, err := e.Plan(false)
	if err != nil || p.Plan == nil {
		t.Fatalf("plan: %v %v", err, p.Diags)
	}
	if _, err := e.Apply(p); err != nil {
		t.Fatal(err)
	}
	w.write("main.hcl", cfg(1))
	for i, plan := range []func() (*Planned, error){
		func() (*Planned, error) { return MakePlan(w.req) },
		func() (*Planned, error) { return e.Plan(false) },
		func() (*Planned, error) { return e.Plan(false) },
		func() (*Planned, error) { return e.Plan(true) },
	} {
		p, err := plan()
		if err != nil {
			t.Fatal(err)
		}
		if p.Plan != nil || !p.Diags.HasErrors() {
			t.Fatalf("plan %d: not refused: %v", i, p.Diags)
		}
		d := p.Diags[len(p.Diags)-1]
		if d.Summary != "maintenance.clear_cache cannot go down from 2 to 1" || d.Subject == nil ||
			filepath.Base(d.Subject.Filename) != "main.hcl" || d.Subject.Start.Line != 3 {
			t.Errorf("plan %d: %v at %v", i, d.Summary, d.Subject)
		}
	}
	w.write("main.hcl", cfg(3))
	p, err = e.Plan(false)
	if err != nil || p.Plan == nil || len(p.Plan.Changes) != 1 || p.Diags.HasErrors() {
		t.Fatalf("raised: %v %v", err, p.Diags)
	}
	if a := p.Plan.Changes[0].Attrs; len(a) != 1 || a[0].Name != "maintenance" || string(a[0].Before) != `{"clearCache":2}` || string(a[0].After) != `{"clearCache":3}` {
		t.Errorf("raised: %+v", a)
	}
}
