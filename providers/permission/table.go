package permission

import (
	"hash/maphash"
	"strings"
)

// FormatVersion is the version of the compiled "permissions" table. The
// adapter refuses tables with a version it does not know.
const FormatVersion = 1

// Table is the compiled "permissions" profile field: what the Electron
// adapter's permission request and check handlers evaluate. Its shape and
// evaluation are specified in docs/permissions.md; Decide is the reference
// implementation.
type Table struct {
	FormatVersion int `json:"formatVersion"`
	// Default is "allow" or "deny": the decision when no rule matches.
	Default string `json:"default"`
	// Rules in source order; the first matching rule decides.
	Rules []Rule `json:"rules"`
}

// Rule is one compiled `rule "NAME" {}` block. A nil list means "any"; an
// empty list matches nothing.
type Rule struct {
	Name string `json:"name"`
	// Decision is "allow" or "deny".
	Decision string `json:"decision"`
	// Handlers the rule applies to: "request", "check" or both.
	Handlers []string `json:"handlers"`
	// Permissions are Electron permission strings.
	Permissions []string `json:"permissions"`
	// Origins are compiled content-settings patterns, matched against
	// details.requestingUrl (request handler) or requestingOrigin (check
	// handler).
	Origins []OriginPattern `json:"origins"`
	// MediaTypes restrict "media" permissions ("audio", "video", and for
	// checks "unknown"). Allow rules need every requested type listed; deny
	// rules match when any requested type is listed.
	MediaTypes []string `json:"mediaTypes"`
	// ExternalURLs restrict "openExternal" requests (details.externalURL).
	ExternalURLs []URLPattern `json:"externalUrls"`
	// MainFrameOnly requires details.isMainFrame.
	MainFrameOnly bool `json:"mainFrameOnly"`
}

// Request is one permission decision Electron asks for, as the adapter
// sees it.
type Request struct {
	// Handler is "request" (setPermissionRequestHandler) or "check"
	// (setPermissionCheckHandler).
	Handler string `json:"handler"`
	// Permission is the permission string.
	Permission string `json:"permission"`
	// Origin is details.requestingUrl for requests, requestingOrigin for
	// checks.
	Origin string `json:"origin"`
	// MediaTypes is details.mediaTypes for requests, [details.mediaType] for
	// checks; empty for other permissions.
	MediaTypes []string `json:"mediaTypes,omitempty"`
	// ExternalURL is details.externalURL of openExternal requests.
	ExternalURL string `json:"externalURL,omitempty"`
	// IsMainFrame is details.isMainFrame.
	IsMainFrame bool `json:"isMainFrame"`
}

// Decision is the outcome of Decide.
type Decision struct {
	// Allow is what the handler answers (callback(true) / return true).
	Allow bool `json:"allow"`
	// Decision is "allow" or "deny".
	Decision string `json:"decision"`
	// Rule is the name of the deciding rule; "" when the default decided.
	Rule string `json:"rule,omitempty"`
	// RuleIndex is the 0-based index of the deciding rule, -1 for defaults.
	RuleIndex int `json:"ruleIndex"`
	// Source is "rule", "default" (the table's default) or
	// "electron-default" (no permissions block: Electron's own behaviour).
	Source string `json:"source"`
}

func decision(allow bool, rule string, idx int, source string) Decision {
	d := Decision{Allow: allow, Decision: "deny", Rule: rule, RuleIndex: idx, Source: source}
	if allow {
		d.Decision = "allow"
	}
	return d
}

// prepared is a Rule with its lists turned into bit masks, so that the hot
// path compares integers before strings.
type prepared struct {
	rule       *Rule
	allow      bool
	handlers   uint8  // 1 request, 2 check
	anyPerm    bool   // Permissions == nil
	permMask   uint64 // bit i: Names[i]
	otherPerms []string
	media      uint8 // 1 audio, 2 video, 4 unknown; only when hasMedia
	hasMedia   bool
	mainFrame  bool
	keyed      bool // every origin pattern names a host: see Evaluator.keyed
	origins    []OriginPattern
	external   []URLPattern
}

// Evaluator decides requests against one Table. It is immutable and safe
// for concurrent use.
//
// It indexes the rules so that a decision looks only at rules that can
// match: rules whose origin patterns all name a host are filed under a key
// of the host's last two labels (or only label), since every host such a
// pattern matches ends with the same labels; the others are filed by
// handler and permission. Decide merges the candidate lists in rule order,
// so the first match is the same as a scan of the whole table. The index is
// an optimisation only; the table format does not depend on it.
type Evaluator struct {
	table *Table
	rules []prepared
	allow bool
	// unkeyed[h][k] lists, in order, the unkeyed rules handler h (0 request,
	// 1 check) may consult for Names[k]; unkeyedOther[h] for other names.
	unkeyed      [2][][]int32
	unkeyedOther [2][]int32
	// keyed maps a host key to the keyed rules, in order.
	keyed map[uint64][]int32
	// keyTab is keyed as an open-addressing table (keys are already hashes),
	// cheaper on the hot path than a Go map.
	keyTab  []keySlot
	keyMask uint64
}

type keySlot struct {
	key   uint64 // 0: empty
	rules []int32
}

// lookup returns the keyed rules filed under key.
func (e *Evaluator) lookup(key uint64) []int32 {
	for i := key & e.keyMask; ; i = (i + 1) & e.keyMask {
		s := &e.keyTab[i]
		if s.key == key {
			return s.rules
		}
		if s.key == 0 {
			return nil
		}
	}
}

// NewEvaluator prepares t for Decide. A nil table means the partition has
// no permissions block: Electron's defaults apply.
func NewEvaluator(t *Table) *Evaluator {
	e := &Evaluator{table: t}
	if t == nil {
		return e
	}
	e.allow = t.Default == "allow"
	e.rules = make([]prepared, len(t.Rules))
	for i := range t.Rules {
		r := &t.Rules[i]
		p := prepared{rule: r, allow: r.Decision == "allow", mainFrame: r.MainFrameOnly, origins: r.Origins, external: r.ExternalURLs}
		for _, h := range r.Handlers {
			switch h {
			case "request":
				p.handlers |= 1
			case "check":
				p.handlers |= 2
			}
		}
		p.anyPerm = r.Permissions == nil
		for _, n := range r.Permissions {
			if k, ok := nameIndex[n]; ok {
				p.permMask |= 1 << uint(k)
			} else {
				// A name sessctl does not know (allowed with a warning when
				// targeting another Electron version): compared as a string.
				p.otherPerms = append(p.otherPerms, n)
			}
		}
		if r.MediaTypes != nil {
			p.hasMedia = true
			for _, m := range r.MediaTypes {
				p.media |= mediaBit(m)
			}
		}
		if len(r.Origins) > 0 {
			p.keyed = true
			for _, o := range r.Origins {
				if o.Host == "" {
					p.keyed = false
				}
			}
		}
		if p.keyed {
			if e.keyed == nil {
				e.keyed = map[uint64][]int32{}
			}
			for _, o := range r.Origins {
				key := patternHostKey(o.Host)
				l := e.keyed[key]
				if len(l) == 0 || l[len(l)-1] != int32(i) {
					e.keyed[key] = append(l, int32(i))
				}
			}
		}
		e.rules[i] = p
	}
	if e.keyed != nil {
		size := 4
		for size < 2*len(e.keyed) {
			size *= 2
		}
		e.keyTab = make([]keySlot, size)
		e.keyMask = uint64(size - 1)
		for k, l := range e.keyed {
			i := k & e.keyMask
			for e.keyTab[i].key != 0 {
				i = (i + 1) & e.keyMask
			}
			e.keyTab[i] = keySlot{key: k, rules: l}
		}
	}
	for h := 0; h < 2; h++ {
		e.unkeyed[h] = make([][]int32, len(Names))
		for i := range e.rules {
			p := &e.rules[i]
			if p.keyed || p.handlers&(1<<uint(h)) == 0 {
				continue
			}
			for k := range Names {
				if p.anyPerm || p.permMask&(1<<uint(k)) != 0 {
					e.unkeyed[h][k] = append(e.unkeyed[h][k], int32(i))
				}
			}
			if p.anyPerm || len(p.otherPerms) > 0 {
				e.unkeyedOther[h] = append(e.unkeyedOther[h], int32(i))
			}
		}
	}
	return e
}

func mediaBit(m string) uint8 {
	switch m {
	case "audio":
		return 1
	case "video":
		return 2
	case "unknown":
		return 4
	}
	return 8 // matches no rule value
}

// Decide is the reference evaluation of a compiled table (docs/permissions.md
// "Evaluation"): the first rule whose every condition holds decides; without
// one, the table default decides; without a table, Electron's default.
func Decide(t *Table, r Request) Decision { return NewEvaluator(t).Decide(r) }

// Decide evaluates one request.
func (e *Evaluator) Decide(r Request) Decision {
	if e.table == nil {
		// electron_permission_manager.cc: without handlers every request is
		// granted; every check too except deprecated-sync-clipboard-read.
		return decision(!(r.Handler == "check" && r.Permission == "deprecated-sync-clipboard-read"), "", -1, "electron-default")
	}
	var hbit uint8
	h := 0
	switch r.Handler {
	case "request":
		hbit = 1
	case "check":
		hbit, h = 2, 1
	default:
		// Not a handler Electron has: no rule applies.
		return decision(e.allow, "", -1, "default")
	}
	k, known := lookupName(r.Permission)
	var l0, l1, l2 []int32
	if known {
		l0 = e.unkeyed[h][k]
	} else {
		l0 = e.unkeyedOther[h]
	}
	var origin URL
	originParsed := false
	if e.keyed != nil {
		parseOriginURL(&origin, r.Origin)
		originParsed = true
		k1, k2 := requestHostKeys(origin.Host)
		l1, l2 = e.lookup(k1), e.lookup(k2)
	}
	var reqMedia uint8
	for _, m := range r.MediaTypes {
		reqMedia |= mediaBit(m)
	}
	var ext URL
	extParsed := false
	for {
		// Next rule in table order among the three candidate lists.
		i := int32(-1)
		if len(l0) > 0 {
			i = l0[0]
		}
		if len(l1) > 0 && (i < 0 || l1[0] < i) {
			i = l1[0]
		}
		if len(l2) > 0 && (i < 0 || l2[0] < i) {
			i = l2[0]
		}
		if i < 0 {
			break
		}
		for len(l0) > 0 && l0[0] == i {
			l0 = l0[1:]
		}
		for len(l1) > 0 && l1[0] == i {
			l1 = l1[1:]
		}
		for len(l2) > 0 && l2[0] == i {
			l2 = l2[1:]
		}
		p := &e.rules[i]
		if p.keyed {
			// Keyed lists are not filtered by handler and permission.
			if p.handlers&hbit == 0 {
				continue
			}
			if !p.anyPerm {
				if known {
					if p.permMask&(1<<uint(k)) == 0 {
						continue
					}
				} else if !containsString(p.otherPerms, r.Permission) {
					continue
				}
			}
		} else if !known && !p.anyPerm && !containsString(p.otherPerms, r.Permission) {
			continue
		}
		if p.mainFrame && !r.IsMainFrame {
			continue
		}
		if p.hasMedia {
			if r.Permission != "media" {
				continue
			}
			if p.allow {
				// Every requested type must be allowed.
				if reqMedia&^p.media != 0 {
					continue
				}
			} else if reqMedia&p.media == 0 {
				// A deny rule matches when any requested type is listed.
				continue
			}
		}
		if p.external != nil {
			if r.Permission != "openExternal" {
				continue
			}
			if !extParsed {
				parseURL(&ext, r.ExternalURL)
				extParsed = true
			}
			if !anyURLPattern(p.external, &ext) {
				continue
			}
		}
		if p.origins != nil {
			if !originParsed {
				parseOriginURL(&origin, r.Origin)
				originParsed = true
			}
			if !anyOrigin(p.origins, &origin) {
				continue
			}
		}
		return decision(p.allow, p.rule.Name, int(i), "rule")
	}
	return decision(e.allow, "", -1, "default")
}

// parseOriginURL parses a request's origin; a filesystem: URL is
// replaced by its inner URL, which is what patterns match (also in the
// host index).
func parseOriginURL(u *URL, s string) {
	parseURL(u, s)
	if u.Scheme == "filesystem" {
		*u = innerURL(u)
	}
}

func anyOrigin(ps []OriginPattern, u *URL) bool {
	for i := range ps {
		if ps[i].Match(u) {
			return true
		}
	}
	return false
}

func anyURLPattern(ps []URLPattern, u *URL) bool {
	for i := range ps {
		if ps[i].Match(u) {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// hostKey hashes a host tail; seed 1 marks one-label tails, seed 2
// two-label tails. The keys only live inside one process (maphash seeds are
// random per process), which is all the index needs.
func hostKey(seed byte, s string) uint64 {
	var h uint64
	if seed == 1 {
		h = maphash.String(hostSeed1, s)
	} else {
		h = maphash.String(hostSeed2, s)
	}
	if h == 0 {
		h = 1 // 0 marks an empty slot of Evaluator.keyTab
	}
	return h
}

var hostSeed1, hostSeed2 = maphash.MakeSeed(), maphash.MakeSeed()

// patternHostKey keys a pattern host by its last two labels, or by its only
// label: every host the pattern matches (equal or a subdomain) ends with
// the same labels.
func patternHostKey(h string) uint64 {
	i := strings.LastIndexByte(h, '.')
	if i < 0 {
		return hostKey(1, h)
	}
	j := strings.LastIndexByte(h[:i], '.')
	return hostKey(2, h[j+1:])
}

// requestHostKeys returns the one-label and two-label keys of a URL host
// (one trailing dot ignored, as in hostMatches).
func requestHostKeys(h string) (uint64, uint64) {
	if n := len(h); n > 1 && h[n-1] == '.' {
		h = h[:n-1]
	}
	i := strings.LastIndexByte(h, '.')
	if i < 0 {
		return hostKey(1, h), hostKey(2, h)
	}
	j := strings.LastIndexByte(h[:i], '.')
	return hostKey(1, h[i+1:]), hostKey(2, h[j+1:])
}

// MayAllow reports whether some request of permission perm through
// handler could be allowed by t: an allow rule that can match it comes
// before any rule denying it unconditionally, or the default allows. Other
// families use it to warn when a feature they configure is always denied
// (navigator.serial needs the "serial" check). A nil table allows.
func MayAllow(t *Table, handler, perm string) bool {
	if t == nil {
		return !(handler == "check" && perm == "deprecated-sync-clipboard-read")
	}
	for i := range t.Rules {
		r := &t.Rules[i]
		if !containsString(r.Handlers, handler) || r.Permissions != nil && !containsString(r.Permissions, perm) {
			continue
		}
		if r.MediaTypes != nil && perm != "media" || r.ExternalURLs != nil && perm != "openExternal" {
			continue
		}
		if r.Origins != nil && len(r.Origins) == 0 {
			continue
		}
		if r.Decision == "allow" {
			return true
		}
		if r.Origins == nil && r.MediaTypes == nil && r.ExternalURLs == nil && !r.MainFrameOnly {
			return false // denies every such request; later rules never decide
		}
	}
	return t.Default == "allow"
}

// nameBuckets files Names by a cheap fingerprint (length and first and last
// bytes), so that the hot path finds a permission's index with one or two
// string comparisons instead of a map lookup.
var nameBuckets = func() (b [256][]uint8) {
	for i, n := range Names {
		f := nameFingerprint(n)
		b[f] = append(b[f], uint8(i))
	}
	return b
}()

func nameFingerprint(s string) uint8 {
	if s == "" {
		return 0
	}
	return uint8(len(s)*31 + int(s[0])*7 + int(s[len(s)-1]))
}

// lookupName is nameIndex[s] without hashing.
func lookupName(s string) (int, bool) {
	for _, i := range nameBuckets[nameFingerprint(s)] {
		if Names[i] == s {
			return int(i), true
		}
	}
	return 0, false
}
