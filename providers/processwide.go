package providers

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/sessctl/sessctl/internal/warning"
)

// LastCallWins reports the values of a process-wide Electron setting (one
// that is called on a session but applies to the whole process, such as
// setSpellCheckerDictionaryDownloadURL or allowNTLMCredentialsForDomains)
// that a later partition overrides. The adapter applies partitions in
// index order, which is sorted by partition name, so the last partition
// that sets the value wins for every session. get(i) returns the partition
// name, its rendered value and the attribute's range, for the n partitions
// that set the value, in that order. Equal values do not warn.
func LastCallWins(n int, get func(i int) (partition, value string, rng hcl.Range), attr, call string) hcl.Diagnostics {
	if n < 2 {
		return nil
	}
	winName, winVal, _ := get(n - 1)
	var diags hcl.Diagnostics
	for i := 0; i < n-1; i++ {
		name, val, rng := get(i)
		if val == winVal {
			continue
		}
		diags = append(diags, warning.ForPartition(Warnf(warning.ProcessWideOverridden, rng,
			fmt.Sprintf("Electron's %s is process-wide: the last call wins for every session. The adapter applies partitions in index order (sorted by name), so partition %q's value %q is used by all sessions. Give every partition the same value, or set it in one partition only.", call, winName, winVal),
			"%s of partition %q (%q) is overridden by partition %q", attr, name, val, winName), name))
	}
	return diags
}
