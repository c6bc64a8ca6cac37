package permission

import (
	"math/rand/v2"
	"testing"
)

// TestExplainAgreesWithDecide: the plain rule-by-rule replay and the
// indexed evaluator pick the same rule on random tables and requests.
func TestExplainAgreesWithDecide(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	origins := []string{"*", "[*.]example.com", "https://[*.]example.com:443", "example.com", "http://*:8080", "[::1]", "file:///*", "*://a.example.com:*", "[*.]corp"}
	urls := []string{"https://example.com/", "https://a.example.com:443/x", "http://example.com:8080/", "http://[::1]/", "file:///tmp/a.html", "null", "app://a.example.com/", "http://x.corp/"}
	exts := []string{"mailto:*", "https://[*.]zoom.us/j/*", "https://example.com/"}
	perms := []string{"notifications", "media", "openExternal", "geolocation"}
	for n := 0; n < 300; n++ {
		tab := &Table{FormatVersion: 1, Default: "deny"}
		for k := rnd.IntN(8); k > 0; k-- {
			r := Rule{Name: string(rune('a' + k)), Decision: []string{"allow", "deny"}[rnd.IntN(2)], Handlers: [][]string{{"request"}, {"check"}, {"request", "check"}}[rnd.IntN(3)], MainFrameOnly: rnd.IntN(4) == 0}
			if rnd.IntN(2) == 0 {
				r.Permissions = []string{perms[rnd.IntN(len(perms))]}
			}
			if rnd.IntN(2) == 0 {
				o, _, _ := ParseOrigin(origins[rnd.IntN(len(origins))])
				r.Origins = []OriginPattern{o}
			}
			if rnd.IntN(4) == 0 {
				r.MediaTypes = []string{[]string{"audio", "video"}[rnd.IntN(2)]}
			}
			if rnd.IntN(4) == 0 {
				u, _, _ := ParseURLPattern(exts[rnd.IntN(len(exts))])
				r.ExternalURLs = []URLPattern{u}
			}
			tab.Rules = append(tab.Rules, r)
		}
		e := NewEvaluator(tab)
		for q := 0; q < 30; q++ {
			req := Request{Handler: []string{"request", "check"}[rnd.IntN(2)], Permission: perms[rnd.IntN(len(perms))], Origin: urls[rnd.IntN(len(urls))],
				ExternalURL: urls[rnd.IntN(len(urls))], IsMainFrame: rnd.IntN(2) == 0}
			if rnd.IntN(2) == 0 {
				req.MediaTypes = []string{"audio", "video"}[:1+rnd.IntN(2)]
			}
			d := e.Decide(req)
			steps := Explain(tab, req)
			got := -1
			if len(steps) > 0 && steps[len(steps)-1].Matched {
				got = len(steps) - 1
			}
			if got != d.RuleIndex {
				t.Fatalf("table %+v request %+v: Decide picked %d, Explain %d (%+v)", tab, req, d.RuleIndex, got, steps)
			}
		}
	}
}

func TestExplainReasons(t *testing.T) {
	o, _, _ := ParseOrigin("https://chat.example")
	tab := &Table{Default: "deny", Rules: []Rule{
		{Name: "h", Decision: "allow", Handlers: []string{"check"}},
		{Name: "p", Decision: "allow", Handlers: []string{"request"}, Permissions: []string{"midi"}},
		{Name: "f", Decision: "allow", Handlers: []string{"request"}, MainFrameOnly: true},
		{Name: "m", Decision: "allow", Handlers: []string{"request"}, MediaTypes: []string{"audio"}},
		{Name: "o", Decision: "allow", Handlers: []string{"request"}, Origins: []OriginPattern{o}},
		{Name: "ok", Decision: "deny", Handlers: []string{"request"}},
	}}
	steps := Explain(tab, Request{Handler: "request", Permission: "media", Origin: "https://other.example/", MediaTypes: []string{"video"}})
	want := []string{"handler", "permission", "main frame", "media types", "origin", ""}
	if len(steps) != len(want) {
		t.Fatalf("steps = %+v", steps)
	}
	for i, w := range want {
		if steps[i].Reason != w || steps[i].Matched != (w == "") {
			t.Errorf("step %d = %+v, want reason %q", i, steps[i], w)
		}
	}
}
