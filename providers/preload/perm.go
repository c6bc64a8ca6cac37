package preload

import (
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/providers/internal/safepath"
)

// writableByOthers returns an error diagnostic when a user other than the
// owner could replace the script: the file is world-writable, or a
// directory on its path is world-writable without the sticky bit (anyone
// may rename or delete its entries, so the path can be made to point
// elsewhere). A world-writable directory with the sticky bit, such as
// /tmp, only lets the owner of an entry replace it; there the entry on the
// path must belong to root or to the user running sessctl, otherwise its
// owner controls the script. The file or a directory above it belonging
// to another uid, or writable by a group other than the runner's primary
// group, lets that user or group replace it.
//
// The checks follow the path as written (symbolic links resolved by
// os.Stat at each level), which is what Electron opens (safepath.Check).
func writableByOthers(c *providers.Context, path string, st os.FileInfo, rng hcl.Range) *hcl.Diagnostic {
	return problemDiag(path, ownerProblem(c, path, st), rng)
}

// ownerProblem is safepath.Check(path, st), once per build for every
// partition that loads the script (the build and the audit share it).
func ownerProblem(c *providers.Context, path string, st os.FileInfo) *safepath.Problem {
	p, _ := c.Once("preload-owner:"+path, func() any {
		if st == nil {
			s, err := os.Stat(path)
			if err != nil || !s.Mode().IsRegular() {
				return (*safepath.Problem)(nil)
			}
			st = s
		}
		return safepath.Check(path, st)
	}).(*safepath.Problem)
	return p
}

// problemDiag is the error for the problem p that safepath found on path
// (nil for none).
func problemDiag(path string, p *safepath.Problem, rng hcl.Range) *hcl.Diagnostic {
	const detail = "A session preload runs with Node.js privileges in every page of the session, so whoever can replace it controls the app. Make the file and every directory above it writable by its owner only (chmod o-w), or move it under a directory such as /opt/APP."
	if p == nil {
		return nil
	}
	what := "directory " + p.What
	if p.What == "target" {
		what = "preload script " + path
	}
	switch p.Kind {
	case safepath.WorldWritable:
		return providers.Errorf(rng, detail, "preload script %s is world-writable", path)
	case safepath.InWorldWritableDir:
		return providers.Errorf(rng, detail, "preload script %s is in world-writable directory %s", path, p.Dir)
	case safepath.ForeignOwner:
		return providers.Errorf(rng, detail+fmt.Sprintf(" %s belongs to uid %d, who can replace the script.", what, p.ID),
			"preload script %s can be replaced by uid %d (%s belongs to it)", path, p.ID, what)
	case safepath.ForeignGroup:
		return providers.Errorf(rng, detail+fmt.Sprintf(" %s is writable by group %d, whose members can replace the script.", what, p.ID),
			"preload script %s can be replaced by group %d (%s is group-writable)", path, p.ID, what)
	default: // safepath.StickyForeignEntry
		return providers.Errorf(rng, detail+fmt.Sprintf(" %s is sticky, so only the owner of an entry can replace it, and %s belongs to uid %d.", p.Dir, p.Child, p.ID),
			"preload script %s can be replaced by uid %d through %s", path, p.ID, p.Child)
	}
}
