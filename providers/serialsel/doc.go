// Package serialsel is the "serial" setting family: the ordered
// `serial { select { … } }` rules the Electron adapter's
// `select-serial-port` listener applies. Compile validates them (USB IDs as
// numbers or "0x…" strings, normalised to the decimal strings Electron
// passes) into the "serialRules" profile field; Select is the reference
// evaluation used by `sessctl serial match`.
package serialsel
