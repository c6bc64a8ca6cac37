package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/internal/warning"
)

// warningsDoc renders docs/warnings.md from the code table.
func warningsDoc() []byte {
	var b bytes.Buffer
	b.WriteString(`# Warning codes

<!-- Generated from internal/warning/codes.go by
     go test ./cmd/sessctl -run TestWarningsDoc -update-docs
     Do not edit by hand. -->

Every warning sessctl prints has a stable code: it is printed before the
warning's summary, in the ` + "`code`" + ` field of ` + "`--json`" + ` diagnostics, and listed
here and by ` + "`sessctl warnings`" + `. A code keeps its meaning forever: codes
are never renumbered or reused, and a code sessctl no longer raises stays
listed as retired so that configurations naming it keep loading.

A warning that you reviewed and that describes what you mean can be
acknowledged with ` + "`ignore_warnings = [\"W101\"]`" + ` in the partition, in a
profile it uses, or in the ` + "`sessctl`" + ` block; see
[the configuration language](language.md#warning-codes-and-ignore_warnings).
"When to acknowledge" says when that is the right answer; "rarely right"
means the warning points at a mistake.

Codes are grouped by family: W0xx the language and drift, W1xx proxy,
W2xx TLS, W3xx permissions, W4xx certificates, W5xx serial, W6xx
spellcheck, W7xx extensions, W8xx user agent, network emulation and NTLM.
`)
	// One section per family, in the order of their first code.
	var families []string
	byFamily := map[string][]warning.Info{}
	for _, in := range warning.All() {
		if byFamily[in.Family] == nil {
			families = append(families, in.Family)
		}
		byFamily[in.Family] = append(byFamily[in.Family], in)
	}
	for _, family := range families {
		fmt.Fprintf(&b, "\n## %s\n\n| code | warning | when to acknowledge |\n|---|---|---|\n", family)
		for _, in := range byFamily[family] {
			writeWarningRow(&b, in)
		}
	}
	return b.Bytes()
}

func writeWarningRow(b *bytes.Buffer, in warning.Info) {
	title := strings.ReplaceAll(in.Title, "|", `\|`)
	if in.Retired {
		title += " (retired)"
	}
	fmt.Fprintf(b, "| %s | %s | %s |\n", in.Code, title, strings.ReplaceAll(in.Acknowledge, "|", `\|`))
}

func TestWarningsDoc(t *testing.T) {
	checkGeneratedDoc(t, "warnings.md", "TestWarningsDoc", warningsDoc())
}

// checkGeneratedDoc compares docs/NAME with want, or rewrites it with
// -update-docs (or SESSCTL_UPDATE_DOCS set); test names the test that
// regenerates it.
func checkGeneratedDoc(t *testing.T, name, test string, want []byte) {
	t.Helper()
	path := filepath.Join("..", "..", "docs", name)
	if *updateDocs || os.Getenv("SESSCTL_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Errorf("docs/%s is out of date; regenerate with: go test ./cmd/sessctl -run %s -update-docs", name, test)
	}
}
