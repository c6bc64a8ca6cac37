// Package certificate is the "certificates" setting family:
// `certificate "HOST_PATTERN" { verify = ... }` blocks compiled into the
// table the Electron adapter's ses.setCertificateVerifyProc callback
// evaluates. The first block matching request.hostname, in source order,
// gives the callback code: accept (0), reject (-2), chromium (-3) or a
// certificate error of Chromium's net_error_list.h; without a match the
// code is -3, Chromium's own result. Verify is the reference evaluation
// used by `sessctl verify-cert`.
package certificate
