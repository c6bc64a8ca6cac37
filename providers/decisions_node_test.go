package providers_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sessctl/sessctl/providers/permission"
)

// TestDecisionVectorsJS runs testdata/evaluate.js — the adapter's evaluation
// algorithms of docs/permissions.md, docs/certificates.md and
// docs/serial.md written in JavaScript from the documentation alone, with
// WHATWG URL — over the same vectors, so that the documentation the adapter
// is written from agrees with the Go evaluators. Skipped without node.
func TestDecisionVectorsJS(t *testing.T) {
	evaluateJS(t, nodeOrSkip(t), "testdata/decisions.json")
}

// TestRandomAgreementJS is a differential test: random tables built from
// pools of patterns, random requests from pools of URLs, decided by the Go
// evaluator, then re-decided by testdata/evaluate.js. It catches
// disagreements between the Go code and the documented algorithm that the
// hand-written vectors do not reach. Skipped without node.
func TestRandomAgreementJS(t *testing.T) {
	node := nodeOrSkip(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	originPool := []string{"*", "[*.]example.com", "https://[*.]example.com:443", "example.com", "http://*:8080", "[::1]",
		"192.168.0.1", "https://192.168.0.1:8443", "file:///*", "file:///tmp/a.html", "*://a.example.com:*", "http://127.1", "[*.]corp", "https://[0:0::1]"}
	urlPool := []string{"https://example.com/", "https://a.example.com:443/x", "http://example.com:8080/", "https://example.com.:8443/",
		"http://[::1]/", "https://[0::1]:443/", "http://192.168.0.1/", "https://192.168.0.1:8443/", "file:///tmp/a.html", "file://localhost/tmp/a.html",
		"null", "", "app://a.example.com/index", "https://EXAMPLE.com/", "http://127.0.0.1/", "http://x.corp/", "https://exa mple.com/", "wss://example.com/",
		"mailto:a@example.com", "https://zoom.us/j/1", "https://x.zoom.us/j/1?p", "zoommtg://zoom.us/join", "https://example.com:99999/"}
	extPool := []string{"mailto:*", "https://[*.]zoom.us/j/*", "https://example.com/", "https://example.com", "zoommtg://*", "wss://example.com:443/*", "https://*:8443/*"}
	perms := []string{"notifications", "media", "openExternal", "geolocation", "serial"}
	pick := picker(rnd)
	type vector struct {
		ID       string         `json:"id"`
		Family   string         `json:"family"`
		Table    string         `json:"table"`
		Request  any            `json:"request"`
		Expected map[string]any `json:"expected"`
	}
	file := struct {
		Tables  map[string]*permission.Table `json:"tables"`
		Vectors []vector                     `json:"vectors"`
	}{Tables: map[string]*permission.Table{}}
	for ti := 0; ti < 40; ti++ {
		tab := &permission.Table{FormatVersion: 1, Default: []string{"allow", "deny"}[rnd.IntN(2)], Rules: []permission.Rule{}}
		for ri := rnd.IntN(8); ri > 0; ri-- {
			r := permission.Rule{Name: fmt.Sprintf("r%d", ri), Decision: []string{"allow", "deny"}[rnd.IntN(2)],
				Handlers: [][]string{{"request"}, {"check"}, {"request", "check"}}[rnd.IntN(3)], MainFrameOnly: rnd.IntN(4) == 0}
			if rnd.IntN(3) > 0 {
				r.Permissions = pick(perms, 3)
			}
			if rnd.IntN(3) > 0 {
				r.Origins = []permission.OriginPattern{}
				for _, s := range pick(originPool, 3) {
					if o, _, ok := permission.ParseOrigin(s); ok {
						r.Origins = append(r.Origins, o)
					}
				}
			}
			if rnd.IntN(4) == 0 {
				r.MediaTypes = pick([]string{"audio", "video", "unknown"}, 2)
			}
			if rnd.IntN(4) == 0 {
				r.ExternalURLs = []permission.URLPattern{}
				for _, s := range pick(extPool, 2) {
					if u, _, ok := permission.ParseURLPattern(s); ok {
						r.ExternalURLs = append(r.ExternalURLs, u)
					}
				}
			}
			tab.Rules = append(tab.Rules, r)
		}
		name := fmt.Sprintf("t%d", ti)
		file.Tables[name] = tab
		e := permission.NewEvaluator(tab)
		for qi := 0; qi < 50; qi++ {
			req := permission.Request{Handler: []string{"request", "check"}[rnd.IntN(2)], Permission: perms[rnd.IntN(len(perms))],
				Origin: urlPool[rnd.IntN(len(urlPool))], IsMainFrame: rnd.IntN(2) == 0, MediaTypes: pick([]string{"audio", "video", "unknown"}, 2)}
			if rnd.IntN(2) == 0 {
				req.ExternalURL = urlPool[rnd.IntN(len(urlPool))]
			}
			d := e.Decide(req)
			var rule any
			if d.Rule != "" {
				rule = d.Rule
			}
			file.Vectors = append(file.Vectors, vector{ID: fmt.Sprintf("%s-%d", name, qi), Family: "permissions", Table: name, Request: req,
				Expected: map[string]any{"decision": d.Decision, "rule": rule, "source": d.Source}})
		}
	}
	reDecideJS(t, node, file)
}

// reDecideJS writes a vector file the Go evaluators decided and has
// testdata/evaluate.js (the adapter's evaluators) decide it again; any
// disagreement fails the test.
func reDecideJS(t *testing.T, node string, file any) {
	t.Helper()
	data, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "random.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	evaluateJS(t, node, path)
}

// evaluateJS has testdata/evaluate.js (the adapter's evaluators) decide
// the vector file at path; any disagreement fails the test.
func evaluateJS(t *testing.T, node, path string) {
	t.Helper()
	out, err := exec.Command(node, "testdata/evaluate.js", path).CombinedOutput()
	if err != nil {
		t.Fatalf("evaluate.js: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// picker returns a function that draws up to max elements of pool (with
// repeats) from rnd, for the random agreement tests.
func picker(rnd *rand.Rand) func(pool []string, max int) []string {
	return func(pool []string, max int) []string {
		out := []string{}
		for n := rnd.IntN(max + 1); n > 0; n-- {
			out = append(out, pool[rnd.IntN(len(pool))])
		}
		return out
	}
}

// nodeOrSkip returns the node binary, or skips the test without one.
func nodeOrSkip(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	return node
}
