package statuspage

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"time"
)

//go:embed assets
var assets embed.FS

var pageTmpl = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"anchor":  func(i int) string { return "p" + strconv.Itoa(i) },
}).ParseFS(assets, "assets/page.html"))

// pageData is what the template renders.
type pageData struct {
	Snap *Snapshot
	Err  string
	// Names lists every partition, for the filter.
	Names []nameOption
	// Shown are the partitions the filters keep, with their index in
	// Snap.Partitions.
	Shown    []shownPartition
	Filter   string
	Problems bool
	Read     time.Time
}

type nameOption struct {
	Value, Label string
	Selected     bool
}

type shownPartition struct {
	Index int
	*Partition
}

// page renders the whole page, server-side: it reads the same without
// JavaScript; app.js only refreshes #content when /events says so.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := pageData{Filter: q.Get("partition"), Problems: q.Get("problems") != "", Read: time.Now()}
	snap, err := s.opt.Snapshot(r.Context())
	if err != nil {
		d.Err = err.Error()
		snap = &Snapshot{}
	}
	d.Snap = snap
	d.Names = append(d.Names, nameOption{"", "all partitions", d.Filter == ""})
	for i := range snap.Partitions {
		p := &snap.Partitions[i]
		// "persist:" names the default session too.
		sel := q.Has("partition") && (d.Filter == p.Name || p.Name == "" && d.Filter == "persist:")
		if d.Filter == "" {
			sel = false
		}
		d.Names = append(d.Names, nameOption{p.Name, p.DisplayName(), sel})
		if d.Filter != "" && !sel {
			continue
		}
		if d.Problems && p.Problems() == 0 {
			continue
		}
		d.Shown = append(d.Shown, shownPartition{i, p})
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, d); err != nil {
		http.Error(w, "rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}

// asset serves an embedded file.
func asset(name, ctype string) http.HandlerFunc {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot happen
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	}
}
