package providers_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/sessctl/sessctl/providers/certificate"
	"github.com/sessctl/sessctl/providers/devices"
	"github.com/sessctl/sessctl/providers/displaymedia"
	"github.com/sessctl/sessctl/providers/downloads"
	"github.com/sessctl/sessctl/providers/permission"
	"github.com/sessctl/sessctl/providers/serialsel"
	"github.com/sessctl/sessctl/serial"
)

// decisionsFile is the vector file shared with the Electron adapter's
// tests: compiled tables, requests as the adapter sees them, and decisions
// derived by hand from the documented semantics.
type decisionsFile struct {
	FormatVersion int                        `json:"formatVersion"`
	Tables        map[string]json.RawMessage `json:"tables"`
	Vectors       []struct {
		ID       string          `json:"id"`
		Family   string          `json:"family"`
		Table    string          `json:"table"`
		Request  json.RawMessage `json:"request"`
		Expected json.RawMessage `json:"expected"`
		Why      string          `json:"why"`
	} `json:"vectors"`
}

// strict decodes JSON refusing unknown fields, so that a typo in the
// vector file cannot silently turn a condition into "any".
func strict(t *testing.T, id string, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v in %s", id, err, data)
	}
}

func isNull(b json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(b), []byte("null")) }

func TestDecisionVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/decisions.json")
	if err != nil {
		t.Fatal(err)
	}
	var f decisionsFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) < 200 {
		t.Errorf("only %d vectors; the file promises at least 200", len(f.Vectors))
	}
	counts := map[string]int{}
	for _, v := range f.Vectors {
		raw, ok := f.Tables[v.Table]
		if !ok {
			t.Errorf("%s: unknown table %q", v.ID, v.Table)
			continue
		}
		counts[v.Family]++
		switch v.Family {
		case "permissions":
			tab := vectorTable[permission.Table](t, v.Table, raw)
			var req permission.Request
			strict(t, v.ID, v.Request, &req)
			var want struct {
				Decision string  `json:"decision"`
				Rule     *string `json:"rule"`
				Source   string  `json:"source"`
			}
			strict(t, v.ID, v.Expected, &want)
			got := permission.Decide(tab, req)
			wantRule := ""
			if want.Rule != nil {
				wantRule = *want.Rule
			}
			if got.Decision != want.Decision || got.Rule != wantRule || got.Source != want.Source {
				t.Errorf("%s (%s): got %s by %q (%s), want %s by %q (%s) — %s", v.ID, v.Table, got.Decision, got.Rule, got.Source, want.Decision, wantRule, want.Source, v.Why)
			}
		case "certificates":
			tab := vectorTable[certificate.Table](t, v.Table, raw)
			var req certificate.Request
			strict(t, v.ID, v.Request, &req)
			var want struct {
				Code   int     `json:"code"`
				Rule   *string `json:"rule"`
				Source string  `json:"source"`
			}
			strict(t, v.ID, v.Expected, &want)
			got := certificate.VerifyRequest(tab, &req)
			wantRule := ""
			if want.Rule != nil {
				wantRule = *want.Rule
			}
			if got.Code != want.Code || got.Rule != wantRule || got.Source != want.Source {
				t.Errorf("%s (%s): got %d by %q (%s), want %d by %q (%s) — %s", v.ID, v.Table, got.Code, got.Rule, got.Source, want.Code, wantRule, want.Source, v.Why)
			}
		case "serial":
			tab := vectorTable[serialsel.Table](t, v.Table, raw)
			var req struct {
				Ports []serial.Port `json:"ports"`
			}
			strict(t, v.ID, v.Request, &req)
			var want struct {
				PortID    string `json:"portId"`
				RuleIndex int    `json:"ruleIndex"`
				Source    string `json:"source"`
			}
			strict(t, v.ID, v.Expected, &want)
			got := serialsel.Select(tab, req.Ports)
			if got.PortID != want.PortID || got.RuleIndex != want.RuleIndex || got.Source != want.Source {
				t.Errorf("%s (%s): got %q rule %d (%s), want %q rule %d (%s) — %s", v.ID, v.Table, got.PortID, got.RuleIndex, got.Source, want.PortID, want.RuleIndex, want.Source, v.Why)
			}
		case "display_media":
			tab := vectorTable[displaymedia.Table](t, v.Table, raw)
			var req displaymedia.Request
			strict(t, v.ID, v.Request, &req)
			var want struct {
				Allow     bool                 `json:"allow"`
				Source    *displaymedia.Source `json:"source"`
				Audio     *string              `json:"audio"`
				Rule      *string              `json:"rule"`
				RuleIndex int                  `json:"ruleIndex"`
				Reason    string               `json:"reason"`
			}
			strict(t, v.ID, v.Expected, &want)
			got := displaymedia.Decide(tab, req)
			deref := func(p *string) string {
				if p == nil {
					return ""
				}
				return *p
			}
			sameSource := (got.Source == nil) == (want.Source == nil) && (got.Source == nil || *got.Source == *want.Source)
			if got.Allow != want.Allow || !sameSource || got.Audio != deref(want.Audio) || got.Rule != deref(want.Rule) ||
				got.RuleIndex != want.RuleIndex || got.Reason != want.Reason {
				t.Errorf("%s (%s): got %+v source %+v, want %+v source %+v — %s", v.ID, v.Table, got, got.Source, want, want.Source, v.Why)
			}
		case "downloads":
			sameDecision(t, v.ID, v.Table, v.Why, raw, v.Request, v.Expected, downloads.Decide)
		case "devices":
			// A null rule or deviceId decodes as "" (none).
			sameDecision(t, v.ID, v.Table, v.Why, raw, v.Request, v.Expected, devices.Decide)
		default:
			t.Errorf("%s: unknown family %q", v.ID, v.Family)
		}
	}
	for _, fam := range []string{"permissions", "certificates", "serial", "display_media", "downloads", "devices"} {
		if counts[fam] == 0 {
			t.Errorf("no vectors for %s", fam)
		}
	}
}

// sameDecision decides a vector whose expected value decodes into the
// evaluator's own comparable result.
func sameDecision[T, Q any, R comparable](t *testing.T, id, table, why string, raw, request, expected json.RawMessage, decide func(*T, Q) R) {
	t.Helper()
	tab := vectorTable[T](t, table, raw)
	var req Q
	strict(t, id, request, &req)
	var want R
	strict(t, id, expected, &want)
	if got := decide(tab, req); got != want {
		t.Errorf("%s (%s): got %+v, want %+v — %s", id, table, got, want, why)
	}
}

// vectorTable decodes a vector file's table strictly; nil for a null table
// (the block is absent).
func vectorTable[T any](t *testing.T, name string, raw json.RawMessage) *T {
	t.Helper()
	if isNull(raw) {
		return nil
	}
	tab := new(T)
	strict(t, name, raw, tab)
	return tab
}
