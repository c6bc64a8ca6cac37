package providers_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sessctl/sessctl/providers/displaymedia"
	"github.com/sessctl/sessctl/providers/permission"
)

// TestRandomDisplayMediaAgreementJS is the differential test of the
// display_media evaluators: random tables (name patterns with '*' in every
// position, origins from a pool) and random requests decided by
// displaymedia.Decide, then re-decided by testdata/evaluate.js with the
// adapter's displayMediaDecision. Skipped without node.
func TestRandomDisplayMediaAgreementJS(t *testing.T) {
	node := nodeOrSkip(t)
	rnd := rand.New(rand.NewPCG(3, 4))
	patternPool := []string{"*", "**", "a*", "*a", "a*a", "a*b*c", "Screen *", "Entire Screen", "*Slides*", "ab", "", "é*", "*.*", "[a]", "?"}
	namePool := []string{"", "a", "aa", "ab", "abc", "acb", "axxbyybc", "Screen 1", "Screen ", "Entire Screen", "entire screen",
		"Team Slides", "slides", "é", "éa", "x.y", "[a]", "?", "ba"}
	originPool := []string{"*", "[*.]example.com", "https://a.example.com", "http://*:8080", "file:///*"}
	urlPool := []string{"https://example.com", "https://a.example.com", "http://x.example:8080", "", "null", "file:///tmp/a.html",
		"filesystem:https://a.example.com/temporary/"}
	pick := picker(rnd)
	type vector struct {
		ID       string               `json:"id"`
		Family   string               `json:"family"`
		Table    string               `json:"table"`
		Request  displaymedia.Request `json:"request"`
		Expected map[string]any       `json:"expected"`
	}
	file := struct {
		Tables  map[string]*displaymedia.Table `json:"tables"`
		Vectors []vector                       `json:"vectors"`
	}{Tables: map[string]*displaymedia.Table{"none": nil}}
	for ti := 0; ti < 40; ti++ {
		tab := &displaymedia.Table{FormatVersion: displaymedia.FormatVersion, Rules: []displaymedia.Rule{}}
		for ri := rnd.IntN(5); ri > 0; ri-- {
			r := displaymedia.Rule{Name: fmt.Sprintf("r%d", ri), Decision: []string{"allow", "allow", "deny"}[rnd.IntN(3)],
				Screens: pick(patternPool, 2), Windows: pick(patternPool, 2), Audio: rnd.IntN(2) == 0}
			if rnd.IntN(3) > 0 {
				r.Origins = []permission.OriginPattern{}
				for _, s := range pick(originPool, 2) {
					if o, _, ok := permission.ParseOrigin(s); ok {
						r.Origins = append(r.Origins, o)
					}
				}
			}
			tab.Rules = append(tab.Rules, r)
		}
		file.Tables[fmt.Sprintf("t%d", ti)] = tab
	}
	// In a fixed order: the requests come from the one random source.
	for ti := -1; ti < 40; ti++ {
		name := "none"
		if ti >= 0 {
			name = fmt.Sprintf("t%d", ti)
		}
		tab := file.Tables[name]
		for qi := 0; qi < 40; qi++ {
			req := displaymedia.Request{Origin: urlPool[rnd.IntN(len(urlPool))], AudioRequested: rnd.IntN(2) == 0, Sources: []displaymedia.Source{}}
			for si, n := range pick(namePool, 4) {
				typ := []string{"screen", "window"}[rnd.IntN(2)]
				req.Sources = append(req.Sources, displaymedia.Source{ID: fmt.Sprintf("%s:%d:0", typ, si), Type: typ, Name: n})
			}
			d := displaymedia.Decide(tab, req)
			exp := map[string]any{"allow": d.Allow, "ruleIndex": d.RuleIndex, "reason": d.Reason, "rule": nil, "audio": nil, "source": nil}
			if d.Rule != "" {
				exp["rule"] = d.Rule
			}
			if d.Audio != "" {
				exp["audio"] = d.Audio
			}
			if d.Source != nil {
				exp["source"] = d.Source
			}
			file.Vectors = append(file.Vectors, vector{ID: fmt.Sprintf("%s-%d", name, qi), Family: "display_media", Table: name, Request: req, Expected: exp})
		}
	}
	reDecideJS(t, node, file)
}
