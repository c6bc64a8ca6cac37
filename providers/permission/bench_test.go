package permission

import (
	"fmt"
	"runtime"
	"testing"
)

// table50 is a realistic 50-rule table: per-site rules for several
// permissions, media rules with types, openExternal rules, and a final
// broad rule, so a decision scans most of the table.
func table50(tb testing.TB) *Table {
	t := &Table{FormatVersion: FormatVersion, Default: "deny"}
	perms := []string{"notifications", "geolocation", "clipboard-read", "midi", "fullscreen"}
	for i := 0; i < 40; i++ {
		o, _, ok := ParseOrigin(fmt.Sprintf("https://[*.]site%d.example:443", i))
		if !ok {
			tb.Fatal("bad pattern")
		}
		t.Rules = append(t.Rules, Rule{Name: fmt.Sprintf("site%d", i), Decision: "allow", Handlers: []string{"request", "check"},
			Permissions: []string{perms[i%len(perms)], "media"}, Origins: []OriginPattern{o}, MediaTypes: nil})
	}
	for i := 0; i < 5; i++ {
		o, _, _ := ParseOrigin(fmt.Sprintf("meet%d.example", i))
		t.Rules = append(t.Rules, Rule{Name: fmt.Sprintf("media%d", i), Decision: "allow", Handlers: []string{"request"},
			Permissions: []string{"media"}, MediaTypes: []string{"audio", "video"}, Origins: []OriginPattern{o}})
	}
	for i := 0; i < 4; i++ {
		u, _, _ := ParseURLPattern(fmt.Sprintf("https://[*.]docs%d.example/*", i))
		t.Rules = append(t.Rules, Rule{Name: fmt.Sprintf("ext%d", i), Decision: "allow", Handlers: []string{"request"},
			Permissions: []string{"openExternal"}, ExternalURLs: []URLPattern{u}})
	}
	all, _, _ := ParseOrigin("[*.]corp.example")
	t.Rules = append(t.Rules, Rule{Name: "corp", Decision: "allow", Handlers: []string{"request", "check"}, Origins: []OriginPattern{all}})
	return t
}

func BenchmarkDecide50(b *testing.B) {
	e := NewEvaluator(table50(b))
	reqs := []Request{
		{Handler: "request", Permission: "notifications", Origin: "https://www.site35.example/page", IsMainFrame: true},
		{Handler: "check", Permission: "geolocation", Origin: "https://unknown.example/"},
		{Handler: "request", Permission: "media", Origin: "https://meet3.example/room", MediaTypes: []string{"audio", "video"}, IsMainFrame: true},
		{Handler: "request", Permission: "openExternal", Origin: "https://app.corp.example/", ExternalURL: "https://docs2.example/a/b"},
		{Handler: "check", Permission: "serial", Origin: "https://tools.corp.example"},
	}
	// Sanity: the table decides these the way the rules read.
	want := []string{"site35", "", "media3", "ext2", "corp"}
	for i, r := range reqs {
		if d := e.Decide(r); d.Rule != want[i] {
			b.Fatalf("request %d decided by %q, want %q", i, d.Rule, want[i])
		}
	}
	// Wall time overstates the cost on a shared machine: also report
	// decisions per second of CPU time of the benchmark thread, which is the
	// per-core figure the requirement (≥ 5M/s on 50 rules) is about.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = e.Decide(reqs[i%len(reqs)])
	}
	b.StopTimer()
	if cpu := threadCPU() - cpu0; cpu > 0 && b.N > 1000 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "decisions/cpu-s")
	}
}
