// Package displaymedia is the display_media family: a `display_media {}`
// block of ordered rules, compiled into the profile field "displayMedia",
// which the Electron adapter evaluates in the handler it installs with
// ses.setDisplayMediaRequestHandler(handler, {useSystemPicker})
// (docs/display-media.md).
package displaymedia
