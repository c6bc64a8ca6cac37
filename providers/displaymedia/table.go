package displaymedia

import (
	"strings"

	"github.com/sessctl/sessctl/providers/permission"
)

// FormatVersion is the version of the compiled "displayMedia" table.
const FormatVersion = 1

// Table is the compiled "displayMedia" profile field.
type Table struct {
	FormatVersion int `json:"formatVersion"`
	// UseSystemPicker is the useSystemPicker option of
	// setDisplayMediaRequestHandler (macOS 15+ only; there Electron does
	// not call the handler).
	UseSystemPicker bool `json:"useSystemPicker"`
	// Rules in source order: the first whose origins match the request's
	// securityOrigin decides; none matching denies.
	Rules []Rule `json:"rules"`
}

// Rule is one compiled `rule "NAME" {}` block.
type Rule struct {
	Name     string `json:"name"`
	Decision string `json:"decision"` // "allow" or "deny"
	// Origins nil (null) matches every origin; an empty list none.
	Origins []permission.OriginPattern `json:"origins"`
	// Screens and Windows are name patterns (Glob) of the screen and
	// window sources the rule may grant; empty grants none of that type.
	Screens []string `json:"screens"`
	Windows []string `json:"windows"`
	// Audio grants audio: 'loopback' when the page asked for audio.
	Audio bool `json:"audio"`
}

// Source is one desktopCapturer source as the handler sees it: its type
// (the part of DesktopCapturerSource.id before the first ':', "screen"
// or "window") and its name.
type Source struct {
	ID   string `json:"id,omitempty"`
	Type string `json:"type"`
	Name string `json:"name"`
}

// Request is what the handler decides on: the request's securityOrigin
// and audioRequested, and the sources desktopCapturer.getSources listed,
// in its order.
type Request struct {
	Origin         string   `json:"origin"`
	AudioRequested bool     `json:"audioRequested"`
	Sources        []Source `json:"sources"`
}

// Decision is the outcome of Decide.
type Decision struct {
	// Allow is true when the callback receives a video source.
	Allow bool `json:"allow"`
	// Source is the granted source, nil when denied.
	Source *Source `json:"source,omitempty"`
	// Audio is "loopback" when audio is granted, "" otherwise.
	Audio string `json:"audio,omitempty"`
	// Rule is the deciding rule's name, "" when none matched.
	Rule      string `json:"rule,omitempty"`
	RuleIndex int    `json:"ruleIndex"`
	// Reason is "rule" (an allow rule granted a source), "deny-rule",
	// "no-source" (the allow rule matched no listed source), "default"
	// (no rule matched the origin) or "no-handler" (no display_media
	// block: Electron's own behaviour, which rejects getDisplayMedia).
	Reason string `json:"reason"`
}

// Glob reports whether name matches pattern: '*' matches any run of
// characters (also none), every other character matches itself,
// case-sensitively, and the whole name must match.
func Glob(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return len(name) >= len(last) && strings.HasSuffix(name, last)
}

func anyGlob(ps []string, name string) bool {
	for _, p := range ps {
		if Glob(p, name) {
			return true
		}
	}
	return false
}

// SourceType is the type of a DesktopCapturerSource id ("screen:ZZ:0",
// "window:XX:YY"): the part before the first ':'.
func SourceType(id string) string {
	t, _, _ := strings.Cut(id, ":")
	return t
}

// Grants reports whether the rule may grant the source.
func (r *Rule) Grants(s *Source) bool {
	switch s.Type {
	case "screen":
		return anyGlob(r.Screens, s.Name)
	case "window":
		return anyGlob(r.Windows, s.Name)
	}
	return false
}

// MatchIndex is the index of the first rule whose origins match origin,
// -1 if none.
func MatchIndex(t *Table, origin string) int {
	for i := range t.Rules {
		if t.Rules[i].Origins == nil || permission.MatchOrigin(t.Rules[i].Origins, origin) {
			return i
		}
	}
	return -1
}

// Decide is the reference evaluation the adapter's handler implements
// (adapters/electron/lib/decide.js displayMediaDecision): the first rule
// matching the origin decides; an allow rule grants the first listed
// source it may grant, and audio loopback if it allows audio and the page
// asked for audio.
func Decide(t *Table, r Request) Decision {
	if t == nil {
		return Decision{RuleIndex: -1, Reason: "no-handler"}
	}
	i := MatchIndex(t, r.Origin)
	if i < 0 {
		return Decision{RuleIndex: -1, Reason: "default"}
	}
	rule := &t.Rules[i]
	d := Decision{Rule: rule.Name, RuleIndex: i}
	if rule.Decision != "allow" {
		d.Reason = "deny-rule"
		return d
	}
	for j := range r.Sources {
		if rule.Grants(&r.Sources[j]) {
			s := r.Sources[j]
			d.Allow, d.Source, d.Reason = true, &s, "rule"
			if rule.Audio && r.AudioRequested {
				d.Audio = "loopback"
			}
			return d
		}
	}
	d.Reason = "no-source"
	return d
}
