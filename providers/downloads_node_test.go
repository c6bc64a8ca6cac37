package providers_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sessctl/sessctl/providers/downloads"
	"github.com/sessctl/sessctl/providers/permission"
)

// TestRandomDownloadsAgreementJS is TestRandomAgreementJS for the downloads
// family: random tables and hostile downloads (separators, dot names,
// control characters, non-ASCII case, MIME parameters, odd URLs) decided
// by downloads.Decide, then re-decided by the adapter's decideDownload
// through testdata/evaluate.js. A disagreement is a download the adapter
// treats differently from what check-download predicts. Skipped without node.
func TestRandomDownloadsAgreementJS(t *testing.T) {
	node := nodeOrSkip(t)
	rnd := rand.New(rand.NewPCG(3, 4))
	extPool := []string{"pdf", "exe", "tar.gz", "gz", "msi", "csv", "bad.pdf", "i", "pdk"}
	mimePool := []string{"application/pdf", "text/*", "text/html", "application/*", "image/png", "application/x-msdownload"}
	originPool := []string{"*", "https://[*.]corp.example", "corp.example", "http://*:8080", "https://untrusted.corp.example", "[*.]example.com", "file:///*"}
	namePool := []string{"q3.pdf", "Q3.PDF", "../../etc/passwd.pdf", `..\..\evil.exe`, "..", ".", "", "dir/", "a\x00.pdf", "a\x7f.csv",
		"x.bad.pdf", "bad.pdf", "r.tar.gz", "r.gz", "setup.EXE", "setup.MS\u0130", "caf\u00e9.CSV", "report", "a.b.c.i", "\u212a.pdf", "x.pdf\u200b", "x.I", "r.PD\u212a"}
	mimes := []string{"application/pdf", "Application/PDF; charset=binary", "", "text/plain", "TEXT/HTML", " text/csv\t", "textual/plain", "image/png", "application/x-msdownload", "text/\u0130"}
	urls := []string{"https://files.corp.example/x", "https://corp.example/", "https://untrusted.corp.example:8443/d", "http://a.example:8080/", "not a url",
		"https://files.corp.example./x", "file:///tmp/x.pdf", "https://EXAMPLE.com/", "blob:https://corp.example/uuid", "data:application/pdf,x", ""}
	pick := func(pool []string) []string {
		out := []string{}
		for i := rnd.IntN(3) + 1; i > 0; i-- {
			out = append(out, pool[rnd.IntN(len(pool))])
		}
		return out
	}
	type vector struct {
		ID       string         `json:"id"`
		Family   string         `json:"family"`
		Table    string         `json:"table"`
		Request  any            `json:"request"`
		Expected map[string]any `json:"expected"`
	}
	file := struct {
		Tables  map[string]*downloads.Table `json:"tables"`
		Vectors []vector                    `json:"vectors"`
	}{Tables: map[string]*downloads.Table{}}
	origins := func() []permission.OriginPattern {
		out := []permission.OriginPattern{}
		for _, s := range pick(originPool) {
			if o, _, ok := permission.ParseOrigin(s); ok {
				out = append(out, o)
			}
		}
		return out
	}
	for ti := 0; ti < 30; ti++ {
		tab := &downloads.Table{FormatVersion: 1, Directory: "/srv/dl", Ask: rnd.IntN(3) == 0}
		if rnd.IntN(2) == 0 {
			tab.MaxSize = int64(rnd.IntN(2000))
		}
		if rnd.IntN(2) == 0 {
			tab.AllowedExtensions = pick(extPool)
		}
		if rnd.IntN(2) == 0 {
			tab.BlockedExtensions = pick(extPool)
		}
		if rnd.IntN(2) == 0 {
			tab.AllowedMIMETypes = pick(mimePool)
		}
		if rnd.IntN(2) == 0 {
			tab.BlockedMIMETypes = pick(mimePool)
		}
		if rnd.IntN(2) == 0 {
			tab.AllowedOrigins = origins()
		}
		if rnd.IntN(2) == 0 {
			tab.BlockedOrigins = origins()
		}
		name := fmt.Sprintf("d%d", ti)
		file.Tables[name] = tab
		for qi := 0; qi < 60; qi++ {
			req := downloads.Request{URL: urls[rnd.IntN(len(urls))], Filename: namePool[rnd.IntN(len(namePool))],
				MIMEType: mimes[rnd.IntN(len(mimes))], TotalBytes: int64(rnd.IntN(3000))}
			d := downloads.Decide(tab, req)
			exp := map[string]any{"decision": d.Decision, "rule": d.Rule}
			if d.Decision == downloads.Save {
				exp["filename"], exp["path"] = d.Filename, d.Path
			}
			file.Vectors = append(file.Vectors, vector{ID: fmt.Sprintf("%s-%d", name, qi), Family: "downloads", Table: name, Request: req, Expected: exp})
		}
	}
	reDecideJS(t, node, file)
}
