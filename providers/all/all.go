// Package all links every setting family into the binary; import it for
// its side effect of registering the providers.
package all

import (
	"github.com/sessctl/sessctl/providers"

	_ "github.com/sessctl/sessctl/providers/certificate"
	_ "github.com/sessctl/sessctl/providers/cookies"
	_ "github.com/sessctl/sessctl/providers/devices"
	_ "github.com/sessctl/sessctl/providers/displaymedia"
	_ "github.com/sessctl/sessctl/providers/download"
	_ "github.com/sessctl/sessctl/providers/downloads"
	_ "github.com/sessctl/sessctl/providers/extension"
	_ "github.com/sessctl/sessctl/providers/maintenance"
	_ "github.com/sessctl/sessctl/providers/netemu"
	_ "github.com/sessctl/sessctl/providers/ntlm"
	_ "github.com/sessctl/sessctl/providers/permission"
	_ "github.com/sessctl/sessctl/providers/preconnect"
	_ "github.com/sessctl/sessctl/providers/preload"
	_ "github.com/sessctl/sessctl/providers/proxy"
	_ "github.com/sessctl/sessctl/providers/serialsel"
	_ "github.com/sessctl/sessctl/providers/spellcheck"
	_ "github.com/sessctl/sessctl/providers/tls"
	_ "github.com/sessctl/sessctl/providers/useragent"
	_ "github.com/sessctl/sessctl/providers/webrequest"
)

// The audit codes (docs/audit.md) are known once every family above has
// registered its checks, so that ignore_warnings can name them.
func init() { providers.RegisterAuditCodes() }
