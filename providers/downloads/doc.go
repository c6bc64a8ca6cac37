// Package downloads is the downloads family: the `downloads {}` block of a
// partition, compiled into the profile field "downloads", the table the
// Electron adapter's `will-download` listener decides with (docs/downloads.md).
package downloads
