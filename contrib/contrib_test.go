// Package contrib tests the monitoring files in contrib/: the Prometheus
// alert rules (checked and unit-tested with promtool) and the Grafana
// dashboard, and that every metric they query is one sessctl exports
// (internal/telemetry).
package contrib

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sessctl/sessctl/internal/telemetry"
)

// promtool comes with Debian's prometheus package (.ci/run installs it).
// Under CI=true its absence is a failure.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool not found (apt-get install prometheus); CI=true requires it")
		}
		t.Skip("promtool not found (apt-get install prometheus)")
	}
	return p
}

func TestAlertRulesPromtool(t *testing.T) {
	bin := promtool(t)
	for _, args := range [][]string{
		{"check", "rules", "alerts.yml"},
		{"test", "rules", "alerts_test.yml"},
	} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = "prometheus"
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// metricNames returns the sessctl_ metric names a PromQL expression
// selects, and for each the label names its braces match on. It is a
// tokenizer, not a parser: string literals are skipped (a label value
// cannot pass for a metric), durations and numbers are skipped, and every
// identifier that starts with sessctl_ is a metric name (no function,
// keyword or label sessctl queries has that prefix).
func metricNames(t *testing.T, expr string) map[string][]string {
	out := map[string][]string{}
	last := ""
	depth := 0 // inside the braces of last
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(expr) && expr[j] != c {
				if expr[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			if j >= len(expr) {
				t.Errorf("%q: unterminated string", expr)
				return out
			}
			i = j + 1
		case c >= '0' && c <= '9':
			for i < len(expr) && (isIdent(expr[i]) || expr[i] == '.') {
				i++
			}
		case isIdent(c) || c == ':':
			j := i
			for j < len(expr) && (isIdent(expr[j]) || expr[j] == ':') {
				j++
			}
			id := expr[i:j]
			if depth > 0 && last != "" {
				out[last] = append(out[last], id)
			} else if strings.HasPrefix(id, "sessctl_") {
				last = id
				if _, ok := out[id]; !ok {
					out[id] = nil
				}
			} else if depth == 0 {
				last = ""
			}
			i = j
		case c == '{':
			depth++
			i++
		case c == '}':
			depth--
			if depth == 0 {
				last = ""
			}
			i++
		default:
			i++
		}
	}
	return out
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// checkExpr fails unless expr queries only exported sessctl metrics, by
// labels they have (or the scrape's instance and job), and at least one.
func checkExpr(t *testing.T, where, expr string, onlyApply bool, seen map[string]bool) {
	t.Helper()
	names := metricNames(t, expr)
	if len(names) == 0 {
		t.Errorf("%s: %q queries no sessctl metric", where, expr)
	}
	for name, labels := range names {
		def := lookup(name)
		if def == nil {
			t.Errorf("%s: %q queries %s, which sessctl does not export", where, expr, name)
			continue
		}
		seen[def.Name] = true
		if onlyApply && def.Source != telemetry.Both {
			t.Errorf("%s: %s is exported by watch only; a host that runs apply from a timer would never fire it", where, name)
		}
		for _, l := range labels {
			if l != "instance" && l != "job" && l != "le" && !contains(def.Labels, l) {
				t.Errorf("%s: %q matches label %q, which %s does not have (labels: %v)", where, expr, l, name, def.Labels)
			}
		}
	}
}

func lookup(series string) *telemetry.Def {
	if !telemetry.Exported(series) {
		return nil
	}
	for _, d := range telemetry.All {
		if series == d.Name {
			return d
		}
	}
	for _, d := range telemetry.All {
		if d.Type == telemetry.Histogram && strings.HasPrefix(series, d.Name+"_") {
			return d
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestAlertsQueryExportedMetrics(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("prometheus", "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	n := 0
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			n++
			checkExpr(t, "alert "+r.Alert, r.Expr, true, seen)
		}
	}
	if n < 5 {
		t.Fatalf("%d rules read from alerts.yml", n)
	}
}

func TestDashboardQueriesExportedMetrics(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("grafana", "sessctl.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash any
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	n := 0
	// Every "expr" (panel targets) and every variable's query string.
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && (k == "expr" || k == "definition" || k == "query" && strings.Contains(s, "(")) {
					n++
					checkExpr(t, path+"."+k, s, false, seen)
				}
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		}
	}
	walk("dashboard", dash)
	if n < 10 {
		t.Fatalf("only %d queries found in the dashboard", n)
	}
	// The dashboard shows every metric sessctl exports.
	for _, d := range telemetry.All {
		if !seen[d.Name] {
			t.Errorf("the dashboard queries nothing of %s", d.Name)
		}
	}
}

// The tokenizer itself: what it must and must not take for a metric.
func TestMetricNames(t *testing.T) {
	got := metricNames(t, `sum by (partition) (rate(sessctl_a_total{instance=~"sessctl_fake.*", job='x'}[5m] offset 1h)) / on(instance) sessctl_b > 3e2 or vector(0) and sessctl_c{le="+Inf"}`)
	want := map[string][]string{"sessctl_a_total": {"instance", "job"}, "sessctl_b": nil, "sessctl_c": {"le"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if strings.Join(got[k], ",") != strings.Join(v, ",") {
			t.Errorf("%s: labels %v, want %v", k, got[k], v)
		}
	}
}
