package providers_test

import (
	"os/exec"
	"testing"
)

// TestDecisionVectorsJS runs testdata/evaluate.js — the evaluation
// algorithms of docs/permissions.md, docs/certificates.md and
// docs/serial.md written in JavaScript from the documentation alone, with
// WHATWG URL — over the same vectors, so that the documentation the adapter
// is written from agrees with the Go evaluators. Skipped without node.
func TestDecisionVectorsJS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	out, err := exec.Command(node, "testdata/evaluate.js", "testdata/decisions.json").CombinedOutput()
	if err != nil {
		t.Fatalf("evaluate.js: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
