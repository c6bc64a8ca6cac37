package main

// The --json contract (docs/json.md): every command with --json prints one
// JSON object whose first key is "format_version" with the string value
// jsonFormatVersion, on success and on failure, and the object validates
// against docs/schema/<command>.json. TestJSONContract runs every such
// command over a copy of examples/ (and small fixtures) as a user would,
// in a subprocess, and checks each output; TestJSONFlags checks that the
// set of commands with --json, the set the issue asks for and the set of
// schemas agree.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/spf13/cobra"
)

var jsonSchemaDir = filepath.Join("..", "..", "docs", "schema")

// jsonReadCommands are the read commands that must have --json (issue 11,
// "One JSON contract").
var jsonReadCommands = []string{
	"validate", "plan", "show", "drift", "state list", "state history",
	"resolve-proxy", "check-permission", "check-display-media", "check-download", "check-device", "check-request", "verify-cert", "serial list",
	"serial match", "extension-id", "fmt", "version", "warnings", "events", "audit",
}

// sharedSchemas are the schema files that belong to no one command.
var sharedSchemas = map[string]bool{"common.json": true, "diagnostic.json": true, "failure.json": true}

// schemaName is the schema file of a command path ("state list" →
// state-list.json).
func schemaName(cmdPath string) string { return strings.ReplaceAll(cmdPath, " ", "-") + ".json" }

// commandsWithJSON walks the cobra tree and returns the paths (without
// "sessctl ") of the commands that have a --json flag, and what that flag
// is.
func commandsWithJSON() map[string]string {
	out := map[string]string{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("json"); f != nil {
			out[strings.TrimPrefix(c.CommandPath(), rootCmd.Name()+" ")] = f.Value.Type()
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(rootCmd)
	return out
}

func TestJSONFlags(t *testing.T) {
	have := commandsWithJSON()
	for _, c := range jsonReadCommands {
		typ, ok := have[c]
		switch {
		case !ok:
			t.Errorf("sessctl %s has no --json flag", c)
		case typ != "bool":
			t.Errorf("sessctl %s --json is a %s flag, want bool", c, typ)
		}
	}
	for c := range have {
		if _, err := os.Stat(filepath.Join(jsonSchemaDir, schemaName(c))); err != nil {
			t.Errorf("sessctl %s has --json but no schema: %v", c, err)
		}
	}
	files, err := filepath.Glob(filepath.Join(jsonSchemaDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no schemas in %s", jsonSchemaDir)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if sharedSchemas[name] {
			continue
		}
		if _, ok := have[strings.ReplaceAll(strings.TrimSuffix(name, ".json"), "-", " ")]; !ok {
			// A command name may hold a dash itself (check-permission).
			if _, ok := have[strings.TrimSuffix(name, ".json")]; !ok {
				t.Errorf("%s names no command with --json", name)
			}
		}
	}
}

// loadJSONSchemas compiles every schema of docs/schema, by file name.
func loadJSONSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(jsonSchemaDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	out := map[string]*jsonschema.Schema{}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(abs)
		if err != nil {
			t.Fatalf("schema %s: %v", f, err)
		}
		out[filepath.Base(f)] = s
	}
	return out
}

// checkJSONOutput checks one --json output against the contract: a single
// JSON object, "format_version" its first key with the string value
// jsonFormatVersion, valid against sch. It returns the decoded object.
func checkJSONOutput(sch *jsonschema.Schema, out []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(out))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("the output is not a JSON object (starts with %v)", tok)
	}
	key, err := dec.Token()
	if err != nil || key != "format_version" {
		return nil, fmt.Errorf("the first key is %v, not format_version", key)
	}
	val, err := dec.Token()
	if s, ok := val.(string); err != nil || !ok || s != jsonFormatVersion {
		return nil, fmt.Errorf("format_version is %#v, not the string %q", val, jsonFormatVersion)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out)) // one value, nothing after it
	if err != nil {
		return nil, fmt.Errorf("not one JSON value: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		return nil, fmt.Errorf("does not match its schema: %v", err)
	}
	var obj map[string]any
	d := json.NewDecoder(bytes.NewReader(out))
	d.UseNumber()
	if err := d.Decode(&obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// TestJSONContractRejects: the checks TestJSONContract relies on catch a
// bare array, a numeric or misplaced format_version, a field the schema
// does not know, a missing list, and a second object.
func TestJSONContractRejects(t *testing.T) {
	schemas := loadJSONSchemas(t)
	okVersion := `{"format_version": "1.0", "version": "devel", "go_version": "go1", "engine": "e", "electron_major": 45}`
	okDiag := `{"format_version": "1.0", "valid": true, "error_count": 0, "warning_count": 1, "acknowledged_count": 0,
		"diagnostics": [{"severity": "warning", "code": "W001", "summary": "s"}]}`
	if _, err := checkJSONOutput(schemas["version.json"], []byte(okVersion)); err != nil {
		t.Fatalf("a valid version object was rejected: %v", err)
	}
	if _, err := checkJSONOutput(schemas["validate.json"], []byte(okDiag)); err != nil {
		t.Fatalf("a diagnostic with a code was rejected: %v", err)
	}
	for _, c := range []struct{ schema, doc string }{
		{"serial-list.json", `[]`},
		{"version.json", `{"format_version": 1, "version": "devel", "go_version": "go1", "engine": "e", "electron_major": 45}`},
		{"version.json", `{"version": "devel", "format_version": "1.0", "go_version": "go1", "engine": "e", "electron_major": 45}`},
		{"version.json", strings.Replace(okVersion, `"engine"`, `"surprise": true, "engine"`, 1)},
		{"version.json", okVersion + "\n" + okVersion},
		{"drift.json", `{"format_version": "1.0", "state_path": "s", "output_dir": "o", "state_serial": 1, "partitions": 0,
			"has_drift": false, "corrective": [], "unknown_files": [], "app": [], "intentional": []}`},
		{"validate.json", strings.Replace(okDiag, `"W001"`, `"X1"`, 1)},
		{"failure.json", strings.Replace(okDiag, `"valid": true`, `"valid": false`, 1)}, // no error
		{"show.json", `{"format_version": "1.0", "valid": true, "error_count": 0, "warning_count": 0, "diagnostics": []}`},
	} {
		if _, err := checkJSONOutput(schemas[c.schema], []byte(c.doc)); err == nil {
			t.Errorf("%s accepted %s", c.schema, c.doc)
		}
	}
}

// jsonRunner runs sessctl in a subprocess (this test binary, which
// TestMain turns into sessctl when argv[0] says so) with an isolated
// environment, and checks each --json output.
type jsonRunner struct {
	t       *testing.T
	exe     string
	dir     string
	env     []string
	schemas map[string]*jsonschema.Schema
	// results and failures count, per command, the outputs checked.
	results, failures map[string]int
}

// run runs `sessctl ARGS...` (cmdPath is the command, for its schema),
// expects exit status code, and returns the checked JSON object.
func (r *jsonRunner) run(cmdPath, stdin string, code int, args ...string) map[string]any {
	r.t.Helper()
	cmd := exec.Command(r.exe, args...)
	cmd.Args[0] = "sessctl"
	cmd.Dir = r.dir
	cmd.Env = r.env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		r.t.Fatalf("sessctl %s: %v", strings.Join(args, " "), err)
	}
	if got != code {
		r.t.Fatalf("sessctl %s exited %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, code, stdout.Bytes(), stderr.Bytes())
	}
	sch := r.schemas[schemaName(cmdPath)]
	if sch == nil {
		r.t.Fatalf("no schema %s", schemaName(cmdPath))
	}
	obj, err := checkJSONOutput(sch, stdout.Bytes())
	if err != nil {
		r.t.Fatalf("sessctl %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	if v, isFailure := obj["valid"]; isFailure && v == false && cmdPath != "validate" {
		r.failures[cmdPath]++
		if stderr.Len() == 0 {
			r.t.Errorf("sessctl %s failed with nothing on stderr", strings.Join(args, " "))
		}
	} else {
		r.results[cmdPath]++
	}
	return obj
}

// fail runs a command expected to fail with exit status 1 and checks that
// the failure envelope names the error.
func (r *jsonRunner) fail(cmdPath, stdin, wantSummary string, args ...string) {
	r.t.Helper()
	obj := r.run(cmdPath, stdin, 1, args...)
	if obj["valid"] != false {
		r.t.Fatalf("sessctl %s: not the failure envelope: %v", strings.Join(args, " "), obj)
	}
	for _, d := range list(obj["diagnostics"]) {
		if s, _ := field(d, "summary").(string); strings.Contains(s, wantSummary) {
			return
		}
	}
	r.t.Errorf("sessctl %s: no diagnostic says %q: %v", strings.Join(args, " "), wantSummary, obj["diagnostics"])
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func field(v any, key string) any {
	m, _ := v.(map[string]any)
	return m[key]
}

// kinds returns the "kind" of each object of a list.
func kinds(v any) []string {
	var out []string
	for _, f := range list(v) {
		k, _ := field(f, "kind").(string)
		out = append(out, k)
	}
	return out
}

func has(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies the regular files and directories under src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fakeSerialTree builds, under root, the sysfs/procfs entries of one USB
// serial port (an Arduino Uno on ttyACM0), as serial_match.txtar does.
func fakeSerialTree(t *testing.T, root string) {
	t.Helper()
	for _, d := range []string{"sys/class/tty/ttyACM0", "sys/devices/usb1/1-1/1-1:1.0", "sys/bus/usb", "dev"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"sys/class/tty/ttyACM0/device":           "../../../devices/usb1/1-1/1-1:1.0",
		"sys/devices/usb1/1-1/1-1:1.0/subsystem": "../../../../bus/usb",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{
		"sys/devices/usb1/1-1/idVendor":  "2341\n",
		"sys/devices/usb1/1-1/idProduct": "0043\n",
		"sys/devices/usb1/1-1/serial":    "75833353035351C0E1A1\n",
		"sys/devices/usb1/1-1/product":   "Arduino Uno\n",
		"sys/class/tty/ttyACM0/dev":      "166:0\n",
		"proc/tty/drivers":               "acm                  /dev/ttyACM   166 0-255 serial\n",
	} {
		writeFile(t, filepath.Join(root, name), content)
	}
}

// A manifest key whose extension ID is melddjfinppjdikinhbgehiennejpfhp
// (families_extension_id.txtar).
const testManifestKey = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC4fysg3HybDNxRYZkNNg/UZogIVYTVOr8rpGSFewwEEz+N9Lw4DUn+a8RasEBTOtdmCQ+eNnQw2ooxTx8UUNfHIJQX3k65V15+CuWyZXqJTrZH/xy9tzgTr0eFhDIz8xdJv+mW0NYUbxONxfwscrqs6n4YU1amg6LOk5PnHw/mDwIDAQAB"

func TestJSONContract(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Join(tmp, "home"),
		"XDG_STATE_HOME=" + filepath.Join(tmp, "home", "state"), "XDG_CACHE_HOME=" + filepath.Join(tmp, "home", "cache"),
		"NO_COLOR=1", "TMPDIR=" + os.TempDir()}
	r := &jsonRunner{t: t, exe: exe, dir: tmp, env: env, schemas: loadJSONSchemas(t),
		results: map[string]int{}, failures: map[string]int{}}

	// The examples, copied: apply creates directories beside them.
	conf := filepath.Join(tmp, "conf")
	examples, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.hcl"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples/*.hcl (%v)", err)
	}
	for _, f := range examples {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(conf, filepath.Base(f)), string(b))
	}
	copyTree(t, filepath.Join("..", "..", "examples", "files"), filepath.Join(conf, "files"))
	writeFile(t, filepath.Join(tmp, "bad", "main.hcl"), "partition \"persist:x\" {\n  bogus = 1\n}\n")
	statePath := filepath.Join(tmp, "state", "state.db")
	st := "--state=" + statePath

	// version
	v := r.run("version", "", 0, "version", "--json")
	if v["version"] == "" || v["engine"] == "" {
		t.Errorf("version --json: %v", v)
	}
	r.fail("version", "", "unknown command", "version", "--json", "extra")
	r.run("version", "", 0, "version", "-json") // Terraform's spelling
	r.fail("version", "", "unknown command", "version", "-json=true", "extra")
	r.fail("plan", "", "unknown flag: --bogus", "plan", "--bogus", "--json") // parsing stopped before --json

	// validate: warnings only, then errors.
	// The examples acknowledge W101 twice and the dev partition's W971.
	v = r.run("validate", "", 0, "validate", "--json", conf)
	if v["valid"] != true || v["warning_count"] != json.Number("0") || v["acknowledged_count"] != json.Number("3") {
		t.Errorf("validate --json of the examples: valid %v, %v warnings, %v acknowledged", v["valid"], v["warning_count"], v["acknowledged_count"])
	}

	// warnings: the table, one code, an unknown code.
	v = r.run("warnings", "", 0, "warnings", "--json")
	if ws := list(v["warnings"]); len(ws) < 50 || field(ws[0], "code") != "W001" {
		t.Errorf("warnings --json: %d codes, first %v", len(ws), field(list(v["warnings"])[0], "code"))
	}
	v = r.run("warnings", "", 0, "warnings", "--json", "W101")
	if ws := list(v["warnings"]); len(ws) != 1 || field(ws[0], "family") != "proxy" {
		t.Errorf("warnings --json W101: %v", v["warnings"])
	}
	r.fail("warnings", "", "no warning", "warnings", "--json", "W999")
	v = r.run("validate", "", 1, "validate", "--json", "bad")
	if d := list(v["diagnostics"]); len(d) == 0 || field(d[0], "range") == nil {
		t.Errorf("validate --json of bad/: %v", v["diagnostics"])
	}

	// audit: the examples have two medium findings (an unpinned preload,
	// an extension with allow_file_access):
	// exit 0 at the default threshold, 2 at medium; bad flags and a bad
	// configuration get the failure envelope.
	v = r.run("audit", "", 0, "audit", "--json", conf)
	if fs := list(v["findings"]); v["failed"] != false || len(fs) != 2 || field(fs[0], "code") != "A010" || field(fs[1], "code") != "A012" {
		t.Errorf("audit --json of the examples: %v", v)
	}
	v = r.run("audit", "", 2, "audit", "--json", "--fail-on", "medium", conf)
	if v["failed"] != true || v["fail_on"] != "medium" {
		t.Errorf("audit --json --fail-on medium: %v", v)
	}
	r.fail("audit", "", "unknown severity", "audit", "--json", "--fail-on", "severe", conf)
	r.fail("audit", "", "no audit check", "audit", "--json", "--ignore", "W101", conf)
	r.fail("audit", "", "Unsupported argument", "audit", "--json", "bad")

	// fmt: the examples are formatted; a file that is not, checked, on
	// standard input, then rewritten; a syntax error.
	v = r.run("fmt", "", 0, "fmt", "--check", "--json", conf)
	if len(list(v["files"])) != 0 || v["check"] != true {
		t.Errorf("fmt --check --json of the examples: %v", v)
	}
	unformatted := "partition \"persist:a\" {\ncache=true\n}\n"
	writeFile(t, filepath.Join(tmp, "fmtdir", "a.hcl"), unformatted)
	v = r.run("fmt", "", 1, "fmt", "--check", "--diff", "--json", "fmtdir")
	if f := list(v["files"]); len(f) != 1 || field(f[0], "name") != filepath.Join("fmtdir", "a.hcl") ||
		!strings.Contains(fmt.Sprint(field(f[0], "diff")), "+  cache = true") {
		t.Errorf("fmt --check --diff --json: %v", v["files"])
	}
	v = r.run("fmt", unformatted, 1, "fmt", "--check", "--json", "-")
	if f := list(v["files"]); len(f) != 1 || field(f[0], "name") != "<stdin>" {
		t.Errorf("fmt --check --json -: %v", v["files"])
	}
	v = r.run("fmt", "", 0, "fmt", "--json", "fmtdir")
	if f := list(v["files"]); len(f) != 1 || v["check"] != false {
		t.Errorf("fmt --json: %v", v)
	}
	if b, _ := os.ReadFile(filepath.Join(tmp, "fmtdir", "a.hcl")); string(b) == unformatted {
		t.Errorf("fmt --json did not rewrite fmtdir/a.hcl")
	}
	writeFile(t, filepath.Join(tmp, "fmtbad", "a.hcl"), "partition \"x\" {\n")
	r.fail("fmt", "", "Unclosed configuration block", "fmt", "--json", "fmtbad")
	r.fail("fmt", "", "only with --check", "fmt", "--json", "-")

	// plan before the first apply: every partition created, with effects.
	v = r.run("plan", "", 0, "plan", "--json", st, conf)
	if field(v["summary"], "add") != json.Number("6") || len(list(v["changes"])) != 6 {
		t.Errorf("plan --json: summary %v, %d changes", v["summary"], len(list(v["changes"])))
	}
	r.fail("plan", "", "Unsupported argument", "plan", "--json", st, "bad")

	// Before any apply: nothing recorded, lists empty.
	v = r.run("show", "", 0, "show", "--json", st)
	if p, ok := v["partitions"].([]any); !ok || len(p) != 0 || v["lineage"] != "" {
		t.Errorf("show --json before apply: %v", v)
	}
	v = r.run("state history", "", 0, "state", "history", "--json", st)
	if e, ok := v["entries"].([]any); !ok || len(e) != 0 {
		t.Errorf("state history --json before apply: %v", v)
	}

	r.apply(st, conf)

	// show and state: the recorded partitions, one partition, history.
	v = r.run("show", "", 0, "show", "--json", st)
	if len(list(v["partitions"])) != 6 {
		t.Errorf("show --json: %v", v["partitions"])
	}
	outDir, _ := v["output_dir"].(string)
	v = r.run("show", "", 0, "show", "--json", st, "persist:work")
	if field(v["profile"], "userAgent") != "WorkApp/1.0" || v["partition"] != "persist:work" {
		t.Errorf("show --json persist:work: %v", v)
	}
	r.fail("show", "", `partition "persist:nope" is not in the state`, "show", "--json", st, "persist:nope")
	v = r.run("state list", "", 0, "state", "list", "--json", st)
	if len(list(v["partitions"])) != 6 {
		t.Errorf("state list --json: %v", v["partitions"])
	}
	r.fail("state list", "", "Unsupported argument", "state", "list", "--json", st, "--dir", "bad")
	v = r.run("state history", "", 0, "state", "history", "--json", st)
	if e := list(v["entries"]); len(e) != 1 || field(e[0], "operation") != "apply" {
		t.Errorf("state history --json: %v", v["entries"])
	}
	r.fail("state history", "", "Unsupported argument", "state", "history", "--json", st, "--dir", "bad")

	// drift: none, then every kind of finding at once.
	v = r.run("drift", "", 0, "drift", "--json", st, conf)
	if v["has_drift"] != false || len(list(v["index"])) != 0 || len(list(v["corrective"])) != 0 {
		t.Errorf("drift --json after apply: %v", v)
	}
	work := filepath.Join(outDir, "p-persist_work-ca49179c791a.json")
	b, err := os.ReadFile(work)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, work, strings.Replace(string(b), "WorkApp/1.0", "Evil/6.6", 1))
	writeFile(t, filepath.Join(outDir, "stray.txt"), "not sessctl's\n")
	if err := os.Remove(filepath.Join(outDir, "index.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(outDir, "status"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(conf, "extra.hcl"), "partition \"persist:extra\" {}\n")
	v = r.run("drift", "", 2, "drift", "--json", "--detailed-exitcode", st, conf)
	if v["has_drift"] != true || !has(kinds(v["corrective"]), "profile-modified") || !has(kinds(v["app"]), "app-not-applied") {
		t.Errorf("drift --json: corrective %v, app %v", v["corrective"], v["app"])
	}
	if k := kinds(v["index"]); len(k) != 1 || k[0] != "index-missing" {
		t.Errorf("drift --json with index.json removed: index %v", v["index"])
	}
	if u := list(v["unknown_files"]); len(u) != 1 || u[0] != "stray.txt" {
		t.Errorf("drift --json: unknown_files %v", v["unknown_files"])
	}
	if i := list(v["intentional"]); len(i) != 1 || field(i[0], "partition") != "persist:extra" || field(i[0], "action") != "create" {
		t.Errorf("drift --json: intentional %v", v["intentional"])
	}
	v = r.run("show", "", 0, "show", "--json", st)
	if a := list(field(list(v["partitions"])[0], "app")); len(a) == 0 {
		t.Errorf("show --json with an empty status directory: no app finding in %v", v["partitions"])
	}
	// events and show --status: no status file, then one as the adapter
	// writes it (events, read-back), then one that is not JSON.
	v = r.run("events", "", 0, "events", "--json", st)
	if len(list(v["events"])) != 0 || len(list(v["partitions"])) != 6 || field(list(v["partitions"])[0], "status") != "missing" {
		t.Errorf("events --json without status files: %v", v)
	}
	v = r.run("show", "", 0, "show", "--json", "--status", st, "persist:work")
	if field(v["status"], "found") != false || field(v["status"], "readback") != nil {
		t.Errorf("show --json --status without a status file: %v", v["status"])
	}
	workStatus := filepath.Join(outDir, "status", "p-persist_work-ca49179c791a.json")
	writeFile(t, workStatus, `{"format_version": 1, "partition": "persist:work", "file": "p-persist_work-ca49179c791a.json",
		"state": "applied", "revision": 1, "digest": "sha256:x", "errors": [], "rejected": null, "retained": [],
		"readback": {"read_at": "2026-12-01T10:00:00.000Z", "persistent": true, "cache_size": 10, "user_agent": "WorkApp/1.0",
			"extensions": [], "extensions_missing": [], "preloads": [], "preload_scripts": [], "spellchecker_enabled": true,
			"spellchecker_languages": ["en-US"], "spellchecker_available_languages": ["en-US", "fr"], "spellchecker_words": [],
			"spellchecker_word_count": 0, "service_workers": {"count": 0, "scopes": []}, "errors": [], "truncated": []},
		"events": {"limit": 50, "total": 2, "dropped": 0, "counts": {"preconnect": 1, "spellcheck-dictionary-download-failure": 1},
			"recent": [{"seq": 1, "at": "2026-12-01T10:00:00.000Z", "event": "preconnect", "details": {"url": "https://a.example/", "allow_credentials": false}},
				{"seq": 2, "at": "2026-12-01T10:01:00.000Z", "event": "spellcheck-dictionary-download-failure", "details": {"language": "fr"}}]},
		"pid": 42}`)
	v = r.run("events", "", 0, "events", "--json", st, "persist:work")
	if e := list(v["events"]); len(e) != 2 || field(e[1], "event") != "spellcheck-dictionary-download-failure" || field(e[0], "pid") != json.Number("42") {
		t.Errorf("events --json persist:work: %v", v["events"])
	}
	v = r.run("events", "", 0, "events", "--json", "--since", "2026-12-01T10:00:30Z", st)
	if e := list(v["events"]); len(e) != 1 {
		t.Errorf("events --json --since: %v", v["events"])
	}
	v = r.run("show", "", 0, "show", "--json", "--status", st, "persist:work")
	if field(v["status"], "found") != true || field(v["status"], "differences") == json.Number("0") || len(list(field(v["status"], "fields"))) == 0 {
		t.Errorf("show --json --status persist:work: %v", v["status"])
	}
	r.fail("events", "", `partition "persist:nope" is not in the state`, "events", "--json", st, "persist:nope")
	r.fail("events", "", "invalid --since", "events", "--json", "--since", "yesterday", st)
	r.fail("show", "", "--status needs a PARTITION", "show", "--json", "--status", st)
	writeFile(t, workStatus, "{not json")
	v = r.run("events", "", 0, "events", "--json", st, "persist:work")
	if p := list(v["partitions"]); len(p) != 1 || field(p[0], "status") != "invalid" {
		t.Errorf("events --json with a broken status file: %v", v["partitions"])
	}
	if err := os.Remove(workStatus); err != nil {
		t.Fatal(err)
	}
	// The plan of the same world: a repair with findings, a create,
	// index.json rewritten.
	v = r.run("plan", "", 0, "plan", "--json", st, conf)
	var findings []string
	for _, c := range list(v["changes"]) {
		findings = append(findings, kinds(field(c, "findings"))...)
	}
	if !has(findings, "profile-modified") || field(v["summary"], "add") != json.Number("1") {
		t.Errorf("plan --json after drift: findings %v, summary %v", findings, v["summary"])
	}
	r.apply(st, conf)
	b, err = os.ReadFile(filepath.Join(outDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(outDir, "index.json"), string(b)+" ")
	v = r.run("drift", "", 0, "drift", "--json", st, conf)
	if k := kinds(v["index"]); len(k) != 1 || k[0] != "index-modified" || v["has_drift"] != true {
		t.Errorf("drift --json with index.json edited: index %v", v["index"])
	}
	r.fail("drift", "", "Unsupported argument", "drift", "--json", st, "bad")
	v = r.run("plan", "", 0, "plan", "--json", "--destroy", st, conf)
	if field(v["summary"], "destroy") != json.Number("7") {
		t.Errorf("plan --json --destroy: %v", v["summary"])
	}

	// action: queue one, refuse a partition that was not applied; status
	// of all and of one; the adapter fails it; retry it, and refuse to
	// retry one that is not failed.
	v = r.run("action", "", 0, "action", "--json", st, "persist:work", "clear-storage-data", "--storages", "cookies", "--origin", "https://a.example/")
	actionID, _ := field(v["action"], "id").(string)
	if field(v["action"], "state") != "pending" || field(field(v["action"], "args"), "origin") != "https://a.example" {
		t.Errorf("action --json: %v", v)
	}
	r.fail("action", "", `partition "persist:nope" is not in the state`, "action", "--json", st, "persist:nope", "clear-cache")
	r.fail("action", "", "unknown action", "action", "--json", st, "persist:work", "rm-rf")
	v = r.run("action status", "", 0, "action", "status", "--json", st)
	if a := list(v["actions"]); len(a) != 1 || field(a[0], "state") != "pending" {
		t.Errorf("action status --json: %v", v)
	}
	writeFile(t, filepath.Join(outDir, "status", "actions", actionID+".json"),
		`{"format_version": 1, "id": "`+actionID+`", "partition": "persist:work", "action": "clear-storage-data", "state": "failed",
		  "result": null, "error": "Failed to clear storage", "started_at": "2026-12-04T00:00:00.000Z", "finished_at": "2026-12-04T00:00:01.000Z", "pid": 1}`)
	v = r.run("action retry", "", 0, "action", "retry", "--json", st, actionID)
	retryID, _ := field(v["action"], "id").(string)
	if field(v["action"], "retry_of") != actionID || retryID == actionID {
		t.Errorf("action retry --json: %v", v)
	}
	v = r.run("action status", "", 0, "action", "status", "--json", st, actionID)
	if a := list(v["actions"]); len(a) != 1 || field(a[0], "error") != "Failed to clear storage" || len(list(field(a[0], "retried_by"))) != 1 {
		t.Errorf("action status --json %s: %v", actionID, v)
	}
	r.fail("action status", "", "no action", "action", "status", "--json", st, "9-00000000")
	r.fail("action retry", "", "only a failed action is retried", "action", "retry", "--json", st, retryID)

	// resolve-proxy: fixed servers, a PAC script, no proxy block, an
	// invalid URL (a result with an error, exit 1), an invalid mode.
	v = r.run("resolve-proxy", "", 0, "resolve-proxy", "--json", "--partition", "persist:work", conf, "http://a.example/", "http://x.corp.example/")
	if res := list(v["results"]); len(res) != 2 || field(res[0], "result") != "PROXY proxy.corp.example:3128" {
		t.Errorf("resolve-proxy --json: %v", v["results"])
	}
	r.run("resolve-proxy", "", 0, "resolve-proxy", "--json", "--partition", "persist:kiosk", conf, "http://intranet/", "https://b.example/")
	v = r.run("resolve-proxy", "", 0, "resolve-proxy", "--json", "--partition", "persist:extra", conf, "https://b.example/")
	if v["mode"] != "system" || v["note"] == nil {
		t.Errorf("resolve-proxy --json without a proxy block: %v", v)
	}
	v = r.run("resolve-proxy", "", 1, "resolve-proxy", "--json", "--partition", "persist:work", conf, "bad")
	if res := list(v["results"]); len(res) != 1 || field(res[0], "error") == nil {
		t.Errorf("resolve-proxy --json of an invalid URL: %v", v["results"])
	}
	r.fail("resolve-proxy", "", "Invalid mode", "resolve-proxy", "--json", "--config", `{"mode":"bogus"}`, "http://a.example/")

	// check-permission: a rule (with --explain), the default, Electron's
	// default; a missing flag; a partition that does not exist.
	v = r.run("check-permission", "", 0, "check-permission", "--json", "--explain", conf, "--partition", "persist:chat",
		"--permission", "media", "--media-types", "audio,video", "--origin", "https://chat.corp.example/")
	if v["decision"] != "allow" || v["source"] != "rule" || len(list(v["steps"])) == 0 {
		t.Errorf("check-permission --json: %v", v)
	}
	v = r.run("check-permission", "", 0, "check-permission", "--json", conf, "--partition", "persist:work",
		"--permission", "geolocation", "--origin", "https://evil.example/")
	if v["decision"] != "deny" || v["source"] != "default" {
		t.Errorf("check-permission --json: %v", v)
	}
	v = r.run("check-permission", "", 0, "check-permission", "--json", conf, "--partition", "persist:extra",
		"--permission", "geolocation", "--origin", "https://evil.example/")
	if v["source"] != "electron-default" {
		t.Errorf("check-permission --json without a permissions block: %v", v)
	}
	r.fail("check-permission", "", "--partition is required", "check-permission", "--json", conf, "--permission", "media", "--origin", "https://x/")
	r.fail("check-permission", "", `no partition "persist:nope"`, "check-permission", "--json", conf, "--partition", "persist:nope",
		"--permission", "media", "--origin", "https://x/")

	// check-display-media: a granted source with audio asked, the default,
	// no block; a bad --source; a partition that does not exist.
	v = r.run("check-display-media", "", 0, "check-display-media", "--json", conf, "--partition", "persist:chat", "--audio",
		"https://meet.chat.corp.example", "--source", "window:Mail", "--source", "screen:Entire Screen")
	if v["allow"] != true || v["reason"] != "rule" || field(v["source"], "name") != "Entire Screen" {
		t.Errorf("check-display-media --json: %v", v)
	}
	v = r.run("check-display-media", "", 0, "check-display-media", "--json", conf, "--partition", "persist:chat",
		"https://evil.example", "--source", "screen:Entire Screen")
	if v["allow"] != false || v["reason"] != "default" {
		t.Errorf("check-display-media --json by default: %v", v)
	}
	v = r.run("check-display-media", "", 0, "check-display-media", "--json", conf, "--partition", "persist:work", "https://x.example")
	if v["reason"] != "no-handler" {
		t.Errorf("check-display-media --json without a block: %v", v)
	}
	r.fail("check-display-media", "", "TYPE:NAME", "check-display-media", "--json", conf, "--partition", "persist:chat", "https://x/", "--source", "tab:1")
	r.fail("check-display-media", "", `no partition "persist:nope"`, "check-display-media", "--json", conf, "--partition", "persist:nope", "https://x/")
	// check-download: saved, cancelled by a rule, no downloads block; a
	// missing flag; a partition that does not exist.
	dl := filepath.Join(tmp, "dlconf")
	writeFile(t, filepath.Join(dl, "main.hcl"), `partition "persist:dl" {
  downloads {
    directory          = "`+filepath.Join(tmp, "dl")+`"
    blocked_extensions = ["exe"]
  }
}
partition "persist:none" {}
`)
	v = r.run("check-download", "", 0, "check-download", "--json", dl, "persist:dl", "https://a.example/r.pdf", "--filename", "../r.pdf", "--mime", "application/pdf", "--size", "10")
	if v["decision"] != "save" || v["rule"] != "directory" || v["path"] != filepath.Join(tmp, "dl", "r.pdf") || field(v["request"], "totalBytes") != json.Number("10") {
		t.Errorf("check-download --json: %v", v)
	}
	v = r.run("check-download", "", 0, "check-download", "--json", dl, "persist:dl", "https://a.example/s.exe", "--filename", "S.EXE", "--mime", "")
	if v["decision"] != "cancel" || v["rule"] != "blocked_extensions" || v["path"] != nil {
		t.Errorf("check-download --json of a blocked extension: %v", v)
	}
	v = r.run("check-download", "", 0, "check-download", "--json", dl, "persist:none", "https://a.example/s.exe", "--filename", "s.exe", "--mime", "")
	if v["decision"] != "default" || v["rule"] != "no-block" {
		t.Errorf("check-download --json without a downloads block: %v", v)
	}
	r.fail("check-download", "", "--mime is required", "check-download", "--json", dl, "persist:dl", "https://a.example/", "--filename", "x")
	r.fail("check-download", "", `no partition "persist:nope"`, "check-download", "--json", dl, "persist:nope", "https://a.example/", "--filename", "x", "--mime", "")
	// check-device: an allow rule, a serial port by default, a pairing, no
	// devices block; a bad ID; a partition that does not exist.
	dev := filepath.Join(tmp, "devconf")
	writeFile(t, filepath.Join(dev, "main.hcl"), `partition "persist:dev" {
  devices {
    hid "key" {
      origins    = ["https://login.example"]
      vendor_id  = "0x1050"
      usage_page = "0xF1D0"
      action     = "allow"
    }
    bluetooth "pair" {
      origins = ["https://login.example"]
      action  = "confirm"
    }
  }
}
partition "persist:none" {}
`)
	v = r.run("check-device", "", 0, "check-device", "--json", dev, "persist:dev", "--type", "hid", "--origin", "https://login.example", "--vendor-id", "0x1050", "--product-id", "0x0407", "--usage-page", "0xf1d0")
	if v["decision"] != "allow" || v["rule"] != "key" || !strings.Contains(fmt.Sprint(v["source"]), "main.hcl:3") || field(v["request"], "type") != "hid" {
		t.Errorf("check-device --json: %v", v)
	}
	v = r.run("check-device", "", 0, "check-device", "--json", dev, "persist:dev", "--type", "serial", "--origin", "https://login.example", "--vendor-id", "9025", "--product-id", "67", "--serial-number", "A1")
	if v["decision"] != "deny" || v["reason"] != "default" || v["rule"] != nil {
		t.Errorf("check-device --json of a serial port: %v", v)
	}
	v = r.run("check-device", "", 0, "check-device", "--json", dev, "persist:dev", "--type", "bluetooth", "--origin", "https://login.example", "--pairing-kind", "providePin")
	if v["decision"] != "deny" || v["reason"] != "default" {
		t.Errorf("check-device --json of providePin: %v", v)
	}
	v = r.run("check-device", "", 0, "check-device", "--json", dev, "persist:none", "--type", "usb", "--origin", "https://login.example", "--vendor-id", "1", "--product-id", "2")
	if v["reason"] != "no-handler" || v["decision"] != "deny" {
		t.Errorf("check-device --json without a devices block: %v", v)
	}
	r.fail("check-device", "", "looks like hex without", "check-device", "--json", dev, "persist:dev", "--type", "hid", "--origin", "https://a/", "--vendor-id", "abcd", "--product-id", "1")
	r.fail("check-device", "", `no partition "persist:nope"`, "check-device", "--json", dev, "persist:nope", "--type", "hid", "--origin", "https://a/", "--vendor-id", "1", "--product-id", "1")

	// check-request: cancelled, headers, no web_request block; a bad
	// flag; a partition that does not exist.
	wr := filepath.Join(tmp, "wrconf")
	writeFile(t, filepath.Join(wr, "main.hcl"), `partition "persist:wr" {
  web_request "ads" {
    urls   = ["*://ads.example/*"]
    cancel = true
  }
  web_request "corp" {
    urls        = ["https://*.corp.example/*"]
    set_headers = ["X-Corp: 1"]
  }
}
partition "persist:none" {}
`)
	v = r.run("check-request", "", 0, "check-request", "--json", wr, "persist:wr", "http://ads.example/a.js", "--resource-type", "script")
	if v["decision"] != "cancel" || v["rule"] != "ads" || v["ruleIndex"] != json.Number("0") {
		t.Errorf("check-request --json: %v", v)
	}
	v = r.run("check-request", "", 0, "check-request", "--json", wr, "persist:wr", "https://a.corp.example/")
	if v["decision"] != "headers" || v["rule"] != "" || v["ruleIndex"] != json.Number("-1") {
		t.Errorf("check-request --json of a header rule: %v", v)
	}
	v = r.run("check-request", "", 0, "check-request", "--json", wr, "persist:none", "https://a.corp.example/")
	if v["decision"] != "allow" {
		t.Errorf("check-request --json without a block: %v", v)
	}
	r.fail("check-request", "", "--resource-type", "check-request", "--json", wr, "persist:wr", "https://a.example/", "--resource-type", "main_frame")
	r.fail("check-request", "", `no partition "persist:nope"`, "check-request", "--json", wr, "persist:nope", "https://a.example/")

	// verify-cert: a certificate block, the default, no blocks; a URL.
	for host, src := range map[string]string{"x.corp.example": "rule", "github.com": "default"} {
		v = r.run("verify-cert", "", 0, "verify-cert", "--json", "--partition", "persist:chat", conf, host)
		if v["source"] != src {
			t.Errorf("verify-cert --json %s: %v", host, v)
		}
	}
	v = r.run("verify-cert", "", 0, "verify-cert", "--json", "--partition", "persist:work", conf, "github.com")
	if v["source"] != "no-proc" {
		t.Errorf("verify-cert --json without certificate blocks: %v", v)
	}
	r.fail("verify-cert", "", "is not a host name", "verify-cert", "--json", "--partition", "persist:chat", conf, "https://github.com/")

	// serial list over a fake sysfs tree, and over none.
	fakeSerialTree(t, filepath.Join(tmp, "serial"))
	sysfs := func(root string) []string {
		return []string{"--sysfs", filepath.Join(root, "sys"), "--dev", filepath.Join(root, "dev"),
			"--proc", filepath.Join(tmp, "serial", "proc"), "--udev-data", filepath.Join(root, "udev")}
	}
	v = r.run("serial list", "", 0, append(append([]string{"serial"}, sysfs(filepath.Join(tmp, "serial"))...), "list", "--json")...)
	if p := list(v["ports"]); len(p) != 1 || field(p[0], "portName") != "ttyACM0" || field(p[0], "vendorIdHex") != "0x2341" {
		t.Errorf("serial list --json: %v", v["ports"])
	}
	v = r.run("serial list", "", 0, append(append([]string{"serial"}, sysfs(filepath.Join(tmp, "nothing"))...), "list", "--json")...)
	if p, ok := v["ports"].([]any); !ok || len(p) != 0 {
		t.Errorf("serial list --json without ports: %v", v)
	}
	r.fail("serial list", "", "unknown command", "serial", "list", "--json", "extra")

	// serial match: a rule, no match, no listener; a missing flag.
	writeFile(t, filepath.Join(tmp, "ports.json"), `[{"portId": "UNO", "portName": "ttyACM0", "vendorId": "9025", "productId": "67"},
		{"portId": "S0", "portName": "ttyS0"}]`)
	v = r.run("serial match", "", 0, "serial", "match", "--json", conf, "--partition", "persist:dev", "--ports", "ports.json")
	if v["source"] != "rule" || v["portId"] != "UNO" || field(v["port"], "portName") != "ttyACM0" || v["ports"] != json.Number("2") {
		t.Errorf("serial match --json: %v", v)
	}
	v = r.run("serial match", `[{"portId": "S0", "portName": "ttyS0"}]`, 0, "serial", "match", "--json", conf, "--partition", "persist:dev", "--ports", "-")
	if v["source"] != "no-match" || v["portId"] != "" {
		t.Errorf("serial match --json, no match: %v", v)
	}
	v = r.run("serial match", "", 0, "serial", "match", "--json", conf, "--partition", "persist:work", "--ports", "ports.json")
	if v["source"] != "no-listener" {
		t.Errorf("serial match --json without a serial block: %v", v)
	}
	r.fail("serial match", "", "--partition is required", "serial", "match", "--json", conf, "--ports", "ports.json")

	// extension-id: the path's ID, a key's, --path-only, a manifest
	// Chromium would refuse; a relative path.
	ext := filepath.Join(conf, "files", "devtools-ext")
	v = r.run("extension-id", "", 0, "extension-id", "--json", ext)
	if v["source"] != "path" || v["manifest"] != filepath.Join(ext, "manifest.json") {
		t.Errorf("extension-id --json: %v", v)
	}
	writeFile(t, filepath.Join(tmp, "keyed", "manifest.json"),
		`{"key": "`+testManifestKey+`", "manifest_version": 3, "name": "k", "version": "1.0"}`)
	v = r.run("extension-id", "", 0, "extension-id", "--json", filepath.Join(tmp, "keyed"))
	if v["source"] != "key" || v["id"] != "melddjfinppjdikinhbgehiennejpfhp" {
		t.Errorf("extension-id --json of a keyed manifest: %v", v)
	}
	writeFile(t, filepath.Join(tmp, "badversion", "manifest.json"),
		`{"key": "`+testManifestKey+`", "manifest_version": 3, "name": "b", "version": "one"}`)
	v = r.run("extension-id", "", 0, "extension-id", "--json", filepath.Join(tmp, "badversion"))
	if v["load_error"] == nil {
		t.Errorf("extension-id --json of a manifest Chromium refuses: %v", v)
	}
	v = r.run("extension-id", "", 0, "extension-id", "--json", "--path-only", "relative/ext")
	if v["source"] != "path" || v["manifest"] != nil {
		t.Errorf("extension-id --json --path-only: %v", v)
	}
	r.fail("extension-id", "", "is not an absolute path", "extension-id", "--json", "relative/ext")

	// state recover: from the profiles once the state is gone; refused
	// while the state opens.
	r.fail("state recover", "", "the state opens", "state", "recover", "--json", st, "--dir", conf)
	if err := os.Remove(statePath); err != nil {
		t.Fatal(err)
	}
	v = r.run("state recover", "", 0, "state", "recover", "--json", st, "--dir", conf)
	if len(list(v["partitions"])) != 7 {
		t.Errorf("state recover --json: %v", v)
	}

	// Every command with --json was checked, with a result and failing.
	var missing []string
	for c := range commandsWithJSON() {
		if r.results[c] == 0 {
			missing = append(missing, c+" (result)")
		}
		if r.failures[c] == 0 && c != "validate" {
			missing = append(missing, c+" (failure)")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("not exercised with --json: %s", strings.Join(missing, ", "))
	}
}

// apply runs `sessctl apply --auto-approve` (text output).
func (r *jsonRunner) apply(args ...string) {
	r.t.Helper()
	cmd := exec.Command(r.exe, append([]string{"apply", "--auto-approve"}, args...)...)
	cmd.Args[0] = "sessctl"
	cmd.Dir = r.dir
	cmd.Env = r.env
	cmd.Stdin = strings.NewReader("")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, io.Discard
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("sessctl apply: %v\n%s", err, out.Bytes())
	}
}

// TestJSONDocExamples: every example in docs/json.md is valid for the
// schema of the command its section is about ("### state list" →
// state-list.json; "## Failures" → failure.json), so the documentation
// cannot drift from the schemas either.
func TestJSONDocExamples(t *testing.T) {
	schemas := loadJSONSchemas(t)
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatal(err)
	}
	section, n := "", 0
	var block []string
	inBlock := false
	for i, line := range strings.Split(string(b), "\n") {
		switch {
		case inBlock && line == "```":
			inBlock = false
			name := schemaName(section)
			if section == "Failures" {
				name = "failure.json"
			}
			sch := schemas[name]
			if sch == nil {
				t.Errorf("docs/json.md:%d: an example under %q, which has no schema %s", i+1, section, name)
				continue
			}
			if _, err := checkJSONOutput(sch, []byte(strings.Join(block, "\n"))); err != nil {
				t.Errorf("docs/json.md:%d: the example of %q: %v", i+1, section, err)
			}
			n++
		case inBlock:
			block = append(block, line)
		case line == "```json":
			inBlock, block = true, nil
		case strings.HasPrefix(line, "### ") || strings.HasPrefix(line, "## "):
			section = strings.TrimSpace(strings.TrimLeft(line, "#"))
		}
	}
	if n < len(jsonReadCommands) {
		t.Errorf("docs/json.md has %d JSON examples, fewer than the %d read commands", n, len(jsonReadCommands))
	}
}
