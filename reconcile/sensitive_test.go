package reconcile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/providers"
)

const sensitiveSecret = "pw-9f8e7d-NEVER-SHOWN"

const sensitiveConfig = `
variable "pw" {
  type      = string
  sensitive = true
}
partition "persist:work" {
  permissions { default = "deny" }
  cookie "sid" {
    url   = "https://app.corp.example/"
    value = "v1.${var.pw}"
  }
}
`

func sensitiveEnv(t *testing.T, value string) *env {
	e := newEnv(t, map[string]string{"cfg/main.hcl": sensitiveConfig})
	e.setSecret(value)
	return e
}

func (e *env) setSecret(value string) {
	e.req.Load.Environ = append(e.req.Load.Environ[:2:2], "SESSCTL_VAR_pw="+value)
}

// noSecret fails when b holds the secret (or any value derived from it).
func noSecret(t *testing.T, what string, b []byte) {
	t.Helper()
	if bytes.Contains(b, []byte(sensitiveSecret)) {
		t.Errorf("%s shows the sensitive value", what)
	}
}

// TestSensitiveValueStaysInTheProfile: only the profile file (mode
// 0600) holds a sensitive value; plan, plan JSON, state, saved plan's plan
// member and drift reports hold its token, and a change of the value still
// shows as a change.
func TestSensitiveValueStaysInTheProfile(t *testing.T) {
	e := sensitiveEnv(t, sensitiveSecret)
	p := e.plan()
	pj, _ := json.Marshal(p.Plan)
	noSecret(t, "plan JSON", pj)
	tok := providers.SecretToken("v1." + sensitiveSecret)
	if !bytes.Contains(pj, []byte(tok)) {
		t.Fatalf("plan JSON lacks the token %s", tok)
	}

	// A saved plan carries the value beside its plan member (the file is
	// 0600), so that `apply PLANFILE` writes it.
	pf := filepath.Join(e.dir, "saved.plan")
	if err := WritePlanFile(pf, p.Plan); err != nil {
		t.Fatal(err)
	}
	saved, err := ReadPlanFile(pf)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(pf)
	var h planFileHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	noSecret(t, "saved plan's plan member", h.Plan)
	if st, _ := os.Stat(pf); st.Mode().Perm() != 0o600 {
		t.Errorf("saved plan mode %v", st.Mode().Perm())
	}
	if _, err := Apply(saved); err != nil {
		t.Fatal(err)
	}

	prof := filepath.Join(e.outDir(), ProfileFileName("persist:work"))
	body, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte(`"$sensitive": "v1.`+sensitiveSecret+`"`)) || bytes.Contains(body, []byte(tok)) {
		t.Fatalf("profile does not carry the value in its file form:\n%s", body)
	}
	if st, _ := os.Stat(prof); st.Mode().Perm() != 0o600 {
		t.Errorf("profile mode %v, want 0600", st.Mode().Perm())
	}
	stateDB, err := os.ReadFile(e.req.StateFlag)
	if err != nil {
		t.Fatal(err)
	}
	noSecret(t, "state file", stateDB)
	if !bytes.Contains(stateDB, []byte(tok[1:len(tok)-1])) {
		t.Errorf("state does not record the token")
	}

	// Nothing to do afterwards: the file form reads back as the token.
	if p := e.plan(); p.Plan.HasChanges() {
		t.Fatalf("after apply: %s", actions(p.Plan))
	}

	// Someone edits the value in the profile: drift names the field, and
	// neither value.
	edited := bytes.Replace(body, []byte(sensitiveSecret), []byte("other-secret"), 1)
	if err := os.WriteFile(prof, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	p = e.plan()
	pj, _ = json.Marshal(p.Plan)
	noSecret(t, "drift plan", pj)
	if bytes.Contains(pj, []byte("other-secret")) {
		t.Errorf("drift shows the edited value")
	}
	if len(p.Plan.Changes) != 1 || len(p.Plan.Changes[0].Findings) != 1 || strings.Join(p.Plan.Changes[0].Findings[0].Fields, ",") != "cookies" {
		t.Fatalf("want a drift finding on field cookies, got %s", pj)
	}
	e.apply()
	if got, _ := os.ReadFile(prof); !bytes.Equal(got, body) {
		t.Errorf("repair did not restore the profile")
	}

	// A new value is a change, shown by its token.
	e.setSecret("rotated")
	p = e.plan()
	if got := actions(p.Plan); got != "update persist:work;" {
		t.Fatalf("plan = %q", got)
	}
	pj, _ = json.Marshal(p.Plan)
	if !bytes.Contains(pj, []byte(providers.SecretToken("v1.rotated"))) || !bytes.Contains(pj, []byte(tok)) {
		t.Errorf("the change does not show both tokens: %s", pj)
	}
}

// TestRevealRefusesUnknownToken: a token whose value the run does not
// know is never written in place of the value.
func TestRevealRefusesUnknownToken(t *testing.T) {
	tok := mustJSON(providers.SecretToken("x"))
	fields := map[string]json.RawMessage{"cookies": json.RawMessage(`{"a":{"value":` + string(tok) + `}}`)}
	if _, err := revealFields(fields, nil); err == nil {
		t.Fatal("an unknown token was accepted")
	}
	got, err := revealFields(fields, secretMap([]string{"x"}))
	if err != nil || string(got["cookies"]) != `{"a":{"value":{"$sensitive":"x"}}}` {
		t.Fatalf("got %s, %v", got["cookies"], err)
	}
	// The same text inside another string (after an escaped quote) is
	// not a token.
	inner := json.RawMessage(`{"a":"q\"(sensitive value, sha256:` + strings.Repeat("0", 16) + `)"}`)
	if out := replaceUnescaped(inner, secretTokenRE, func([]byte) []byte { return []byte("BAD") }); !bytes.Equal(out, inner) {
		t.Errorf("replaced inside a string: %s", out)
	}
	// And the file form reads back as the token.
	if got := redactJSON(json.RawMessage("{\n  \"a\": {\"$sensitive\": \"x\"}\n}")); string(got) != `{"a":`+string(tok)+`}` {
		t.Errorf("redactJSON = %s", got)
	}
}
