package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/providers"
)

// auditDoc renders docs/audit.md from the checks the families declare.
func auditDoc() []byte {
	var b bytes.Buffer
	b.WriteString(`# Audit checks

<!-- Generated from the families' audit checks (providers.Auditor) by
     go test ./cmd/sessctl -run TestAuditDoc -update-docs
     Do not edit by hand. -->

` + "`sessctl audit`" + ` reviews a configuration against Electron's
[security checklist](https://www.electronjs.org/docs/latest/tutorial/security)
(electron/electron ` + "`docs/tutorial/security.md`" + `). Each check has a stable
code (never renumbered or reused), a severity (low, medium, high, critical)
and the checklist item it applies; each finding points at what the
configuration wrote (file:line:col and the source line), or at the
partition when the problem is something missing.

- ` + "`sessctl audit [PATH] [--json] [--fail-on SEVERITY] [--ignore CODE]...`" + `
  ([reference](cli/sessctl_audit.md), [JSON schema](schema/audit.json)).
- Exit codes: 0 when no finding is at or above ` + "`--fail-on`" + ` (default
  ` + "`high`" + `), 2 when one is, 1 on an error (a configuration that does not
  load, an unknown severity or code), as ` + "`plan`" + ` and ` + "`drift`" + ` use 2
  for "found something" with ` + "`--detailed-exitcode`" + ` ([usage](usage.md#exit-codes)).
- A finding you reviewed and accept is acknowledged like a warning, with
  its code in ` + "`ignore_warnings`" + ` (partition, profile or ` + "`sessctl`" + ` block),
  or for one run with ` + "`--ignore CODE`" + `; acknowledged findings are counted,
  not listed, and do not fail the run.
- ` + "`plan`" + `, ` + "`apply`" + `, ` + "`validate`" + ` and ` + "`watch`" + ` show the findings of high and
  critical severity as warnings with the same codes, except where the family
  already warns about the same thing with a W code (named below). A partition
  with errors shows its errors only.
- The audit reads the configuration and the files it names; it does not
  need the configuration to validate, and does not read the state.

Each family declares its checks in its own package (` + "`providers.Auditor`" + `);
a family whose profile fields decide what pages may do declares them
(` + "`providers.SecurityFielder`" + `) for A001.

| code | severity | family | finding | checklist | what to do |
|---|---|---|---|---|---|
`)
	for _, c := range providers.AuditChecks() {
		item := c.Why
		if i := strings.IndexByte(item, '#'); i >= 0 {
			item = item[i+1:]
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | [%s](%s) | %s |\n", c.Code, c.Severity, c.Family,
			strings.ReplaceAll(c.Title, "|", `\|`), item, c.Why, strings.ReplaceAll(c.Fix, "|", `\|`))
	}
	b.WriteString(`
Findings already warned with a W code, and so not repeated by ` + "`plan`" + `: A002 (W301,
no permissions block) and A007 for ` + "`certificate \"*\"`" + ` without pins (W401).

## How the checks decide

- **A001** names the fields the families declare security-relevant: ` + securityFields() + `.
- **A004**: an allow rule without ` + "`permissions`" + ` (every permission) whose
  ` + "`origins`" + ` is unset or holds a pattern matching every host (` + "`*`" + `,
  ` + "`https://*`" + `, ` + "`*://*:*`" + `).
- **A005**: an allow rule covering ` + "`openExternal`" + ` without ` + "`external_urls`" + `,
  or with a ` + "`file:`" + ` or ` + "`javascript:`" + ` pattern, or one matching every
  http(s) host (` + "`https:*`" + `, ` + "`https://*`" + `, ` + "`https://*/path`" + `).
- **A006**: an allow rule covering ` + "`media`" + ` without ` + "`origins`" + `, or with an
  ` + "`http://`" + ` pattern or a pattern matching every host; loopback hosts
  (` + "`localhost`" + `, ` + "`127.0.0.1`" + `, ` + "`[::1]`" + `) are secure contexts and do not count.
- **A007**: ` + "`verify = \"accept\"`" + ` without ` + "`pins`" + ` for ` + "`*`" + `, or for
  ` + "`*.S`" + ` / ` + "`[*.]S`" + ` where S is a public suffix by the
  [Public Suffix List](https://publicsuffix.org/) (ICANN and private
  sections, golang.org/x/net/publicsuffix): ` + "`*.com`" + `, ` + "`*.co.uk`" + `,
  ` + "`*.github.io`" + ` and an unlisted TLD such as ` + "`*.corp`" + ` are too wide;
  ` + "`*.example.com`" + ` is one registrable domain.
- **A009**, **A011**: the file (extension directory) and every directory above
  it, both along the path as written and along its real path (symbolic
  links followed), as OpenSSH's ` + "`safe_path`" + ` does: another owner than root
  or the user running sessctl, group-writable by a group other than that
  user's primary group, world-writable, in a world-writable directory
  without the sticky bit, or an entry of a sticky directory owned by
  another user. Build refuses a preload so (an error); the audit lists it.
- **A013**: the manifest's ` + "`background`" + ` scripts, page and service worker,
  ` + "`content_scripts`" + ` js and css, ` + "`icons`" + `, popups and icons of ` + "`action`" + `,
  ` + "`browser_action`" + ` and ` + "`page_action`" + `, ` + "`options_page`" + `, ` + "`options_ui.page`" + `,
  ` + "`devtools_page`" + `, ` + "`chrome_url_overrides`" + `, ` + "`sandbox.pages`" + ` and
  ` + "`side_panel.default_path`" + `: absolute, climbing out with ` + "`..`" + `, or a
  symbolic link resolving outside the directory's real path.
`)
	return b.Bytes()
}

// securityFields lists the fields of every SecurityFielder, quoted.
func securityFields() string {
	var fs []string
	for _, p := range providers.All() {
		if s, ok := p.(providers.SecurityFielder); ok {
			for _, f := range s.SecurityFields() {
				fs = append(fs, "`"+f+"`")
			}
		}
	}
	sort.Strings(fs)
	return strings.Join(fs, ", ")
}

func TestAuditDoc(t *testing.T) {
	checkGeneratedDoc(t, "audit.md", "TestAuditDoc", auditDoc())
}

// docs/security.md lists every audit code (the acceptance: it
// lists what is refused, warned and audited, with codes).
func TestSecurityDocListsAuditCodes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range providers.AuditChecks() {
		if !strings.Contains(string(b), "| "+string(c.Code)+" | "+c.Severity.String()+" |") {
			t.Errorf("docs/security.md has no row for %s (%s)", c.Code, c.Severity)
		}
	}
}
