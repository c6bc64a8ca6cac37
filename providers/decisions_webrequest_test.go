package providers_test

import (
	"encoding/json"
	"os"
	"os/exec"
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
	node := nodeOrSkip(t)
	out, err := exec.Command(node, "testdata/evaluate.js", webRequestVectors).CombinedOutput()
	if err != nil {
		t.Fatalf("evaluate.js: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
