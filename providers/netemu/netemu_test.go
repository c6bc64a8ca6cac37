package netemu

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/familytest"
	"github.com/sessctl/sessctl/schema"
)

func rng(line int) hcl.Range {
	return hcl.Range{Filename: "t.hcl", Start: hcl.Pos{Line: line, Column: 3}, End: hcl.Pos{Line: line, Column: 20}}
}

func f(v float64, line int) schema.Value[float64] {
	return schema.Value[float64]{V: v, Set: true, Range: rng(line)}
}

func buildPart(ne *Spec) (*providers.Result, hcl.Diagnostics) {
	p := &schema.Partition{Name: "x"}
	Key.Set(p, ne)
	return Provider{}.Build(providers.NewContext(&schema.Config{}), p)
}

func TestBuild(t *testing.T) {
	// The docs' "GPRS 50kbps" example: 500 ms, 6400 bytes/s both ways.
	res, diags := buildPart(&Spec{DeclRange: rng(1), LatencyMs: f(500, 2), DownloadBps: f(6400, 3), UploadBps: f(6400, 4)})
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	b, _ := json.Marshal(res.Fields[Field])
	if string(b) != `{"offline":false,"latency":500,"downloadThroughput":6400,"uploadThroughput":6400}` {
		t.Errorf("field = %s", b)
	}
	res, diags = buildPart(&Spec{DeclRange: rng(1), Offline: schema.Value[bool]{V: true, Set: true}})
	b, _ = json.Marshal(res.Fields[Field])
	if len(diags) != 0 || string(b) != `{"offline":true,"latency":0,"downloadThroughput":0,"uploadThroughput":0}` {
		t.Errorf("offline: %v %s", diags, b)
	}
}

func TestDiagnostics(t *testing.T) {
	res, diags := buildPart(&Spec{DeclRange: rng(1), LatencyMs: f(-1, 2), UploadBps: f(-0.5, 4)})
	if len(diags) != 2 ||
		diags[0].Summary != "network_emulation.latency_ms must not be negative (got -1)" || diags[0].Subject.Start.Line != 2 ||
		!strings.Contains(diags[0].Detail, "milliseconds of round-trip time and cannot be negative; 0 means no added latency.") ||
		diags[1].Summary != "network_emulation.upload_bps must not be negative (got -0.5)" || diags[1].Subject.Start.Line != 4 ||
		!strings.Contains(diags[1].Detail, "bytes per second and cannot be negative; 0 means unthrottled.") {
		for _, d := range diags {
			t.Logf("%q %q", d.Summary, d.Detail)
		}
		t.Error("unexpected diagnostics")
	}
	if _, ok := res.Fields[Field]; ok {
		t.Error("rendered despite errors")
	}
	res, diags = buildPart(&Spec{DeclRange: rng(1), LatencyMs: f(0, 2)})
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Summary != "network_emulation emulates nothing" ||
		!strings.Contains(diags[0].Detail, "latency 0 adds no latency and throughput 0 means unthrottled") || diags[0].Subject.Start.Line != 1 {
		t.Errorf("no-op block: %v", diags)
	}
	if _, ok := res.Fields[Field]; !ok {
		t.Error("a no-op block is still rendered")
	}
}

// The block is declared to the language by the family: loaded through the
// real loader in both syntaxes, with number expressions (functions) and a
// profile merged attribute by attribute.
func TestDeclaredLanguage(t *testing.T) {
	hclSrc := `
profile "slow" {
  network_emulation {
    latency_ms = max(1, 5, 3)
  }
}
partition "persist:a" {
  profiles = [profile.slow]
  network_emulation {
    download_bps = try(tonumber("x"), 42)
    upload_bps   = length("h\u00e9llo")
    offline      = true
  }
}
`
	jsonSrc := `{
  "profile": {"slow": {"network_emulation": {"latency_ms": "${max(1, 5, 3)}"}}},
  "partition": {"persist:a": {"profiles": ["profile.slow"],
    "network_emulation": {"download_bps": "${try(tonumber(\"x\"), 42)}", "upload_bps": "${length(\"h\u00e9llo\")}", "offline": true}}}
}`
	for name, file := range map[string]string{"main.hcl": hclSrc, "main.hcl.json": jsonSrc} {
		cfg := familytest.MustLoad(t, map[string]string{name: file})
		ne := Key.Of(cfg.Partitions[0])
		if ne == nil || ne.LatencyMs.V != 5 || ne.DownloadBps.V != 42 || ne.UploadBps.V != 5 || !ne.Offline.V {
			t.Fatalf("%s: %+v", name, ne)
		}
		if name == "main.hcl" && (ne.LatencyMs.Range.Start.Line != 4 || ne.DownloadBps.Range.Start.Line != 10) {
			t.Errorf("ranges: latency %v, download %v", ne.LatencyMs.Range, ne.DownloadBps.Range)
		}
	}
	if _, diags := familytest.Load(t, map[string]string{"main.hcl": "partition \"a\" {\n  network_emulation {\n    latency_mss = 1\n  }\n}\n"}); !diags.HasErrors() || !strings.Contains(diags[0].Detail, `Did you mean "latency_ms"?`) {
		t.Errorf("unknown attribute: %v", diags)
	}
}
