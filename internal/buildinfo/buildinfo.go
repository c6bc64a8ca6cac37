// Package buildinfo says which sessctl build is running: module version
// and VCS revision, as the Go toolchain stamped them.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Info is what `sessctl version` prints.
type Info struct {
	// Version is the module version ("v1.2.0"), or "devel" for a build
	// from a work tree (go build, go run).
	Version string `json:"version"`
	// Commit is the VCS revision the binary was built from ("" when the
	// toolchain did not stamp one, e.g. go run outside a checkout).
	Commit string `json:"commit,omitempty"`
	// Modified is set when the work tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// GoVersion is the toolchain that built the binary.
	GoVersion string `json:"go_version"`
}

// Read returns the running binary's build information.
func Read() Info {
	in := Info{Version: "devel", GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return in
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		in.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	return in
}

// String is the one-line form: "v1.2.0 <commit>[+dirty]".
func (i Info) String() string {
	s := i.Version
	if i.Commit != "" {
		s += " " + i.Commit
		if i.Modified {
			s += "+dirty"
		}
	}
	return s
}
