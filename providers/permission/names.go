package permission

import (
	"sort"
	"strings"

	"github.com/sessctl/sessctl/providers"
)

// Names is every permission string Electron 45 can pass to the permission
// request and check handlers: the full output set of
// Converter<blink::PermissionType>::ToV8 (electron
// shell/common/gin_converters/content_converter.cc 154-261 at 96f3996d8d,
// docs/electron-facts.md §5, docs/electron-facts.md permissions.all_converter_strings).
var Names = []string{
	"automatic-fullscreen", "ar", "background-fetch", "background-sync",
	"clipboard-read", "clipboard-sanitized-write", "local-fonts", "hand-tracking",
	"idle-detection", "keyboardLock", "midiSysex", "nfc", "notifications",
	"payment-handler", "periodic-background-sync", "persistent-storage",
	"geolocation", "media", "pointerLock", "mediaKeySystem", "midi",
	"screen-wake-lock", "sensors", "storage-access", "vr", "system-wake-lock",
	"window-management", "display-capture", "top-level-storage-access",
	"captured-surface-control", "smart-card", "web-printing", "speaker-selection",
	"web-app-installation", "local-network-access", "local-network",
	"loopback-network", "geolocation-approximate", "deprecated-sync-clipboard-read",
	"fileSystem", "fullscreen", "hid", "openExternal", "serial", "usb", "unknown",
}

// nameIndex maps a permission name to its bit in a rule's permission mask.
var nameIndex = func() map[string]int {
	m := make(map[string]int, len(Names))
	for i, n := range Names {
		m[n] = i
	}
	return m
}()

// checkOnly are raised by Electron only as permission checks, never as
// requests: serial (web_contents_permission_helper.cc 328-335), hid
// (electron_hid_delegate.cc 135-147), usb (electron_usb_delegate.cc 186),
// deprecated-sync-clipboard-read (electron_web_contents_utility_handler_impl.cc
// 85-110). docs/electron-facts.md §5 "Where Electron itself raises them".
var checkOnly = map[string]bool{"serial": true, "hid": true, "usb": true, "deprecated-sync-clipboard-read": true}

// requestOnly are raised only as requests: docs/electron-facts.md §5 found no
// check call site for fullscreen or openExternal in shell/ (the docs list them
// for the check handler anyway; the facts file wins).
var requestOnly = map[string]bool{"fullscreen": true, "openExternal": true}

// IsName reports whether s is a permission string Electron can pass.
func IsName(s string) bool { _, ok := nameIndex[s]; return ok }

// Closest returns the valid permission name nearest to s (case-insensitive
// edit distance), or "" when nothing is reasonably close.
func Closest(s string) string {
	return closest(s, Names)
}

func closest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := providers.EditDistance(ls, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := len(s) / 3
	if limit < 2 {
		limit = 2
	}
	if bestD > limit {
		return ""
	}
	return best
}

// sortedNames returns Names sorted, for "allowed values" details.
func sortedNames() []string {
	s := append([]string(nil), Names...)
	sort.Strings(s)
	return s
}
