package serialsel

import (
	"encoding/json"
	"sort"

	"github.com/sessctl/sessctl/providers"
	"github.com/sessctl/sessctl/serial"
)

// Hotplug follows the serial ports of the machine for `sessctl watch`:
// each poll lists the ports and reports those that appeared or went, with
// the partitions whose compiled rules now select another port (or none).
type Hotplug struct {
	lister serial.PortLister
	ports  []serial.Port
	listed bool
	tables map[string]*Table // partition -> decoded rule table
	src    map[string]string // partition -> digest the table came from
}

var _ providers.DeviceWatcher = (*Hotplug)(nil)

// NewHotplug returns a watcher over lister; the ports it lists now are the
// baseline of the first Poll.
func NewHotplug(lister serial.PortLister) *Hotplug {
	h := &Hotplug{lister: lister, tables: map[string]*Table{}, src: map[string]string{}}
	if ports, err := lister.ListPorts(); err == nil {
		h.ports, h.listed = ports, true
	}
	return h
}

// Poll implements providers.DeviceWatcher. A failed listing reports
// nothing and keeps the last good list.
func (h *Hotplug) Poll(profiles providers.Profiles) []providers.DeviceEvent {
	ports, err := h.lister.ListPorts()
	if err != nil {
		return nil
	}
	if !h.listed {
		h.ports, h.listed = ports, true
		return nil
	}
	added, removed := serial.Diff(h.ports, ports)
	if len(added) == 0 && len(removed) == 0 {
		return nil
	}
	old := h.ports
	h.ports = ports
	changed := h.selectionChanges(profiles, old, ports)
	var out []providers.DeviceEvent
	for _, p := range added {
		out = append(out, providers.DeviceEvent{Kind: "serial-port-added", Device: p.PortName, Partitions: changed})
	}
	for _, p := range removed {
		out = append(out, providers.DeviceEvent{Kind: "serial-port-removed", Device: p.PortName, Partitions: changed})
	}
	return out
}

// selectionChanges returns the partitions whose compiled serial rules
// select another port (or none) in ports than in old.
func (h *Hotplug) selectionChanges(profiles providers.Profiles, old, ports []serial.Port) []string {
	var out []string
	profiles(func(name, digest string, fields map[string]json.RawMessage) {
		raw, ok := fields[Field]
		if !ok {
			return
		}
		t := h.tables[name]
		if h.src[name] != digest || t == nil {
			t = &Table{}
			if json.Unmarshal(raw, t) != nil {
				return
			}
			h.tables[name], h.src[name] = t, digest
		}
		a, b := Select(t, old), Select(t, ports)
		if a.RuleIndex != b.RuleIndex || portName(a.Port) != portName(b.Port) {
			out = append(out, name)
		}
	})
	sort.Strings(out)
	return out
}

func portName(p *serial.Port) string {
	if p == nil {
		return ""
	}
	return p.PortName
}
