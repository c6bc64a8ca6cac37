package providers_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	"github.com/sessctl/sessctl/providers/webrequest"
)

const webRequestVectors = "testdata/decisions_webrequest.json"

// TestWebRequestVectors decides every vector of decisions_webrequest.json
// with webrequest.Decide; each expected member must be equal. It also
// re-parses every compiled pattern from its source, so that the tables in
// the file stay what the compiler produces.
func TestWebRequestVectors(t *testing.T) {
	data, err := os.ReadFile(webRequestVectors)
	if err != nil {
		t.Fatal(err)
	}
	var f decisionsFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) < 50 {
		t.Errorf("only %d vectors", len(f.Vectors))
	}
	tables := map[string]*webrequest.Table{}
	for name, raw := range f.Tables {
		tab := vectorTable[webrequest.Table](t, name, raw)
		tables[name] = tab
		if tab == nil {
			continue
		}
		for _, r := range tab.Rules {
			for _, p := range append(append([]webrequest.Pattern{}, r.URLs...), r.ExcludeURLs...) {
				if q, _, ok := webrequest.ParsePattern(p.Source); !ok || q != p {
					t.Errorf("table %s: pattern %q compiles to %+v, the file has %+v", name, p.Source, q, p)
				}
			}
		}
	}
	for _, v := range f.Vectors {
		if v.Family != "web_request" {
			t.Errorf("%s: family %q", v.ID, v.Family)
			continue
		}
		tab, ok := tables[v.Table]
		if !ok {
			t.Errorf("%s: unknown table %q", v.ID, v.Table)
			continue
		}
		var req webrequest.Request
		strict(t, v.ID, v.Request, &req)
		got := webrequest.Decide(tab, req)
		b, _ := json.Marshal(got)
		var gotMap, want map[string]any
		json.Unmarshal(b, &gotMap)
		if err := json.Unmarshal(v.Expected, &want); err != nil {
			t.Fatalf("%s: %v", v.ID, err)
		}
		for k, w := range want {
			if g, ok := gotMap[k]; !ok || !reflect.DeepEqual(g, w) {
				t.Errorf("%s (%s): %s = %v, want %v — %s", v.ID, v.Table, k, gotMap[k], w, v.Why)
			}
		}
	}
}

// TestWebRequestVectorsJS runs the same vectors through the adapter's
// evaluator (adapters/electron/lib/webrequest.js). Skipped without node.
func TestWebRequestVectorsJS(t *testing.T) {
	evaluateJS(t, nodeOrSkip(t), webRequestVectors)
}

// TestRandomWebRequestAgreementJS is the differential test of the two
// web_request evaluators: random tables of rules built from a pool of
// patterns, random requests from a pool of canonical URLs (what
// details.url holds), decided by webrequest.Decide, then re-decided by
// testdata/evaluate.js with the adapter's decideWebRequest. Skipped
// without node.
func TestRandomWebRequestAgreementJS(t *testing.T) {
	node := nodeOrSkip(t)
	rnd := rand.New(rand.NewPCG(5, 6))
	patternPool := []string{"<all_urls>", "*://*/*", "http://*/*", "https://*.example.com/*", "*://example.com/a*", "http://127.0.0.1/*",
		"http://*.0.0.1/*", "file:///tmp/*", "data:*", "about:blank", "https://example.com:8443/*", "http://example.com:80/x", "ws://*/*",
		"*://*/*?q*", "https://[::1]/*", "chrome-extension://*/*", "https://EXAMPLE.com/*", "*://*.example.com/x/*", "https://*/*.js"}
	urlPool := []string{"https://example.com/", "https://a.example.com/x?q=1", "http://example.com/a/b", "https://example.com:8443/p",
		"http://127.0.0.1/", "http://[::1]/", "https://[::1]/x", "file:///tmp/a", "data:text/plain,hi", "about:blank", "ws://example.com/s",
		"wss://a.example.com/", "https://example.com./", "http://example.com/x#frag", "https://a.example.com/x/?q*", "chrome-extension://abc/",
		"javascript:", "http://example.com:80/x", "https://b.example.com/x", "https://cdn.example.org/app.js", "http://example.com/a?q"}
	types := append([]string{"other"}, webrequest.ResourceTypes...)
	pick := picker(rnd)
	pats := func(srcs []string) []webrequest.Pattern {
		out := []webrequest.Pattern{}
		for _, s := range srcs {
			p, _, ok := webrequest.ParsePattern(s)
			if !ok {
				t.Fatalf("pool pattern %q does not parse", s)
			}
			out = append(out, p)
		}
		return out
	}
	type vector struct {
		ID       string             `json:"id"`
		Family   string             `json:"family"`
		Table    string             `json:"table"`
		Request  webrequest.Request `json:"request"`
		Expected webrequest.Result  `json:"expected"`
	}
	file := struct {
		Tables  map[string]*webrequest.Table `json:"tables"`
		Vectors []vector                     `json:"vectors"`
	}{Tables: map[string]*webrequest.Table{}}
	for ti := 0; ti < 40; ti++ {
		tab := &webrequest.Table{FormatVersion: webrequest.FormatVersion, Rules: []webrequest.Rule{}}
		for ri := rnd.IntN(6); ri >= 0; ri-- {
			r := webrequest.Rule{Name: fmt.Sprintf("r%d", ri), URLs: pats(append(pick(patternPool, 2), patternPool[rnd.IntN(len(patternPool))]))}
			if rnd.IntN(3) == 0 {
				r.ExcludeURLs = pats(pick(patternPool, 2))
			}
			if rnd.IntN(3) == 0 {
				r.Types = pick(webrequest.ResourceTypes, 3)
			}
			if rnd.IntN(4) == 0 {
				r.Methods = pick([]string{"GET", "POST", "PATCH"}, 2)
			}
			switch rnd.IntN(3) {
			case 0:
				r.Action = webrequest.ActionCancel
			case 1:
				r.Action, r.RedirectURL = webrequest.ActionRedirect, "https://r.example/"+r.Name
			default:
				r.Action = webrequest.ActionHeaders
				r.SetHeaders = []webrequest.Header{}
				for _, n := range pick([]string{"X-A", "x-a", "DNT", "Cookie"}, 2) {
					r.SetHeaders = append(r.SetHeaders, webrequest.Header{Name: n, Value: r.Name})
				}
				r.RemoveHeaders = pick([]string{"x-A", "cookie", "Accept"}, 2)
			}
			tab.Rules = append(tab.Rules, r)
		}
		name := fmt.Sprintf("t%d", ti)
		file.Tables[name] = tab
		for qi := 0; qi < 40; qi++ {
			req := webrequest.Request{URL: urlPool[rnd.IntN(len(urlPool))], Method: []string{"GET", "get", "POST", "PATCH", "patch"}[rnd.IntN(5)],
				ResourceType: types[rnd.IntN(len(types))]}
			file.Vectors = append(file.Vectors, vector{ID: fmt.Sprintf("%s-%d", name, qi), Family: "web_request", Table: name, Request: req,
				Expected: webrequest.Decide(tab, req)})
		}
	}
	reDecideJS(t, node, file)
}
