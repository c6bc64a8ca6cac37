package statuspage

import "time"

// Snapshot is everything the page shows, read at one moment. The command
// that serves the page builds it (cmd/sessctl); this package only renders
// and serves it, so it knows nothing of the state or the families.
type Snapshot struct {
	// Config is the configuration path the server was started with.
	Config    string
	StatePath string
	OutputDir string
	// LastApply is the newest entry of the state's history (nil: none).
	LastApply *Apply
	// Errors are the configuration's diagnostics and the last apply's
	// errors (watch), newest last.
	Errors []Problem
	// Pending lists configuration changes not applied yet.
	Pending    []string
	Partitions []Partition
}

// Apply is one recorded apply.
type Apply struct {
	Time      time.Time
	Serial    uint64
	Operation string
	// Config is the identity of the configuration that applied.
	Config     string
	Digest     string
	WrittenBy  string
	Add        int
	Change     int
	Destroy    int
	Partitions []string
}

// Problem is one error with where it is (file:line:col, or "").
type Problem struct {
	Where   string
	Message string
}

// Partition is one section of the page.
type Partition struct {
	// Name is the Electron partition string ("" is the default session).
	Name     string
	File     string
	Revision uint64
	// Settings are the partition's settings as written in HCL.
	Settings []Setting
	// App is what the adapter's status file says (its state, revision,
	// Electron version), or why there is none.
	App AppInfo
	// Rows compare each applied field with what the app reports.
	Rows   []Row
	Drift  []Finding
	Events []Event
	// Actions are the pending, running and failed actions.
	Actions []Action
}

// Setting is one attribute or block of the configuration.
type Setting struct {
	Name string
	// Where is file:line.
	Where string
	// Source is the text as written.
	Source string
	// From names the profile it comes from ("" for the partition block).
	From string
}

// AppInfo summarises the partition's status file.
type AppInfo struct {
	Found           bool
	Note            string
	State           string
	Revision        uint64
	UpdatedAt       string
	ElectronVersion string
	Differences     int
}

// Row is one field: applied (desired) beside reported.
type Row struct {
	Field    string
	Desired  string
	Reported string
	// Match is same, differs, not-reported or report-only.
	Match string
	Note  string
}

// Finding is one drift finding.
type Finding struct {
	Kind    string
	Message string
}

// Event is one session event the app recorded.
type Event struct {
	At      string
	Event   string
	Details string
}

// Action is one queued action.
type Action struct {
	ID       string
	Action   string
	State    string
	QueuedAt string
	Error    string
}

// Problems counts what needs attention in the partition: differences
// with the app, drift findings and failed actions.
func (p *Partition) Problems() int {
	n := len(p.Drift)
	for _, r := range p.Rows {
		if r.Match == "differs" {
			n++
		}
	}
	for _, a := range p.Actions {
		if a.State == "failed" {
			n++
		}
	}
	return n
}

// DisplayName is the partition's name as the page shows it.
func (p *Partition) DisplayName() string {
	if p.Name == "" {
		return "(default session)"
	}
	return p.Name
}
