//go:build !linux

package reconcile

import "path/filepath"

// dirStat stats the files of one directory (by path off Linux).
type dirStat struct{ dir string }

func openDirStat(dir string) *dirStat { return &dirStat{dir: dir} }

func (d *dirStat) lstamp(name string) (stamp, bool) { return lstamp(filepath.Join(d.dir, name)) }

func (d *dirStat) close() {}
