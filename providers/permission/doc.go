// Package permission is the "permissions" setting family: ordered
// allow/deny rules for Electron's permission request and check handlers
// (ses.setPermissionRequestHandler / setPermissionCheckHandler).
//
// Origins use Chromium's content-settings pattern syntax, the one fleet
// administrators already write in Chrome policies
// (components/content_settings/core/common/content_settings_pattern.cc).
// Compile validates a partition's block and produces a Table, the
// "permissions" profile field; Decide evaluates a Table exactly as the
// Electron adapter does (docs/permissions.md specifies the evaluation), so
// `sessctl check-permission`, the tests and the app agree.
package permission
