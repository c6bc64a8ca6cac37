package reconcile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLocateReadIsReusedOnce: apply's plan reuses the bytes LocateRead
// read when no configuration file changed since, once; a file edited,
// added or touched in between is read again, and the plan is of what is
// on disk then.
func TestLocateReadIsReusedOnce(t *testing.T) {
	old := readRacyWindow
	readRacyWindow = 0 // the files were written a moment ago
	t.Cleanup(func() { readRacyWindow = old })
	cfg := func(ua string) string { return strings.ReplaceAll(twoPartitions, "Work/1.0", ua) }

	e := newEnv(t, map[string]string{"cfg/main.hcl": cfg("Work/1.0")})
	loc, read, err := LocateRead(e.req.Load, e.req.StateFlag, e.req.Environ)
	if err != nil || read == nil || read.rd == nil {
		t.Fatalf("LocateRead: %v, %v", read, err)
	}
	if loc.StatePath != e.req.StateFlag {
		t.Fatalf("state path %q, want %q", loc.StatePath, e.req.StateFlag)
	}
	rd := read.rd
	if got := read.take(e.req.Load); got != rd {
		t.Fatal("an unchanged configuration was not reused")
	}
	if read.take(e.req.Load) != nil {
		t.Fatal("a read was reused twice")
	}

	edits := map[string]func(){
		"edited": func() { e.write(map[string]string{"cfg/main.hcl": cfg("Work/2.0")}) },
		"file added": func() {
			e.write(map[string]string{"cfg/more.hcl": `partition "persist:more" {}`})
		},
		"touched": func() {
			now := time.Now().Add(time.Minute)
			if err := os.Chtimes(filepath.Join(e.dir, "cfg", "main.hcl"), now, now); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			_, read, err := LocateRead(e.req.Load, e.req.StateFlag, e.req.Environ)
			if err != nil || read == nil {
				t.Fatalf("LocateRead: %v", err)
			}
			edit()
			if read.take(e.req.Load) != nil {
				t.Fatal("a configuration changed after LocateRead was reused")
			}
		})
	}

	// End to end: the plan is of the bytes on disk when it runs.
	e.write(map[string]string{"cfg/main.hcl": cfg("Work/3.0")})
	_, read, err = LocateRead(e.req.Load, e.req.StateFlag, e.req.Environ)
	if err != nil {
		t.Fatal(err)
	}
	e.write(map[string]string{"cfg/main.hcl": cfg("Work/4.0 longer")})
	e.req.Read = read
	p := e.plan()
	ua := ""
	for _, c := range p.Plan.Changes {
		if c.Partition == "persist:work" {
			ua = string(c.Fields["userAgent"])
		}
	}
	if ua != `"Work/4.0 longer"` {
		t.Fatalf("plan after an edit made during the lock wait has user agent %s", ua)
	}

	// A file changed within the racy window is read again, whatever
	// its stamp says.
	readRacyWindow = time.Hour
	_, read, _ = LocateRead(e.req.Load, e.req.StateFlag, e.req.Environ)
	if read.take(e.req.Load) != nil {
		t.Fatal("a file written within the racy window was reused")
	}
}
