package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sessctl/sessctl/internal/telemetry"
)

const (
	fleetBegin = "<!-- BEGIN generated metric reference -->\n"
	fleetEnd   = "<!-- END generated metric reference -->\n"
)

// TestFleetDoc keeps the metric reference in docs/fleet.md (between the
// markers) equal to internal/telemetry's definitions; -update-docs
// rewrites it.
func TestFleetDoc(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "fleet.md")
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(have, []byte(fleetBegin))
	j := bytes.Index(have, []byte(fleetEnd))
	if i < 0 || j < i {
		t.Fatalf("docs/fleet.md lacks the markers %q and %q", fleetBegin, fleetEnd)
	}
	var want bytes.Buffer
	want.Write(have[:i+len(fleetBegin)])
	want.WriteString(telemetry.Reference())
	want.Write(have[j:])
	if *updateDocs || os.Getenv("SESSCTL_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(have, want.Bytes()) {
		t.Error("docs/fleet.md's metric reference is out of date; regenerate with: go test ./cmd/sessctl -run TestFleetDoc -update-docs")
	}
}
