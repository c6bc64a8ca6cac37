package schema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// testSinkFam is a test-only family with one attribute that accepts
// sensitive values (Decoder.SensitiveString) and one that does not.
type testSinkFam struct {
	Secret Value[string]
	Plain  Value[string]
}

var testSinkKey = RegisterFamily(FamilySpec[*testSinkFam]{
	Name: "testsink",
	Blocks: []*BlockSpec{{Type: "testsink", Doc: "test only", Attrs: []AttrSpec{
		{Name: "secret", Doc: "may be sensitive"}, {Name: "plain", Doc: "never sensitive"}}}},
	Decode: func(d *Decoder, b Body) *testSinkFam {
		blk, ok := b.Single("testsink")
		if !ok {
			return nil
		}
		return &testSinkFam{Secret: d.SensitiveString(blk.Body, "secret"), Plain: d.String(blk.Body, "plain")}
	},
})

const secretText = "hunter2-TOPSECRET"

// TestSensitiveVariables: sensitive = true marks the value, and the mark
// survives locals, functions and string templates (as Terraform's
// sensitive variables do); an attribute that did not ask for sensitive
// values refuses it with an error at the expression that never shows it.
func TestSensitiveVariables(t *testing.T) {
	vars := `
variable "pw" {
  type      = string
  sensitive = true
}
variable "open" {
  type    = string
  default = "visible"
}
locals {
  wrapped = "x-${var.pw}"
  upper   = upper(local.wrapped)
  obj     = { inner = var.pw }
}
`
	cases := []struct {
		name, body string
		sensitive  bool
		want       string // the decoded secret
		errs       []string
	}{
		{"direct", `secret = var.pw`, true, secretText, nil},
		{"template", `secret = "a${var.pw}b"`, true, "a" + secretText + "b", nil},
		{"local through function", `secret = local.upper`, true, strings.ToUpper("x-" + secretText), nil},
		{"object attribute", `secret = local.obj.inner`, true, secretText, nil},
		{"conditional", `secret = var.open == "" ? "" : var.pw`, true, secretText, nil},
		{"length of it", `secret = "n${length(var.pw)}"`, true, fmt.Sprintf("n%d", len(secretText)), nil},
		{"not sensitive", `secret = var.open`, false, "visible", nil},
		{"refused elsewhere", "secret = \"s\"\n  plain = local.wrapped", false, "s", []string{"error: Sensitive value not allowed here @18:11"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.hcl": vars + "partition \"persist:a\" {\n  testsink {\n  " + tc.body + "\n  }\n}\n"})
			cfg, diags := Load(LoadOptions{Path: dir, Vars: []string{"pw=" + secretText}})
			diffLines(t, diagLines(diags), tc.errs)
			for _, d := range diags {
				if strings.Contains(d.Summary+d.Detail, secretText) {
					t.Errorf("diagnostic shows the secret: %s: %s", d.Summary, d.Detail)
				}
			}
			if len(tc.errs) > 0 {
				return
			}
			f := testSinkKey.Of(find(cfg.Partitions, "persist:a"))
			if f == nil || f.Secret.V != tc.want || f.Secret.Sensitive != tc.sensitive {
				t.Fatalf("secret = %+v, want %q sensitive=%v", f, tc.want, tc.sensitive)
			}
			if f.Secret.Exact {
				t.Errorf("a derived value cannot be Exact")
			}
		})
	}
}

// TestSensitiveRefusedInStructure: for_each keys and partition labels
// name things in plans, so a sensitive value may not make them.
func TestSensitiveRefusedInStructure(t *testing.T) {
	for name, body := range map[string]string{
		"for_each": "partition \"persist:${each.key}\" {\n  for_each = toset([var.pw])\n}\n",
		"label":    "partition \"persist:${each.key}${var.pw}\" {\n  for_each = toset([\"a\"])\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.hcl": "variable \"pw\" {\n  sensitive = true\n}\n" + body})
			_, diags := Load(LoadOptions{Path: dir, Vars: []string{"pw=" + secretText}})
			if !diags.HasErrors() || !hasSummary(diags, "Sensitive value not allowed here") {
				t.Fatalf("want a sensitive-value error, got %v", diagLines(diags))
			}
			for _, d := range diags {
				if strings.Contains(d.Summary+d.Detail, secretText) {
					t.Errorf("diagnostic shows the secret: %s", d.Detail)
				}
			}
		})
	}
}

// TestSensitiveValidationMessage: an error_message built from the value
// is not shown.
func TestSensitiveValidationMessage(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": `
variable "pw" {
  sensitive = true
  validation {
    condition     = length(var.pw) > 100
    error_message = "too short: ${var.pw}"
  }
}
`})
	_, diags := Load(LoadOptions{Path: dir, Vars: []string{"pw=" + secretText}})
	if !diags.HasErrors() {
		t.Fatal("validation should fail")
	}
	for _, d := range diags {
		if strings.Contains(d.Summary+d.Detail, secretText) {
			t.Errorf("diagnostic shows the secret: %s", d.Detail)
		}
	}
}

func hasSummary(diags hcl.Diagnostics, s string) bool {
	for _, d := range diags {
		if d.Summary == s {
			return true
		}
	}
	return false
}
