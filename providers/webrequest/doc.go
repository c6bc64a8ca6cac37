// Package webrequest is the web_request family: the `web_request "NAME" {}`
// blocks of a partition, compiled into the profile field "webRequest", the
// rule table the Electron adapter's single onBeforeRequest and
// onBeforeSendHeaders listeners evaluate (docs/web-request.md).
//
// URL filters are Chromium's extension match patterns as Electron parses
// them: URLPattern(SCHEME_ALL).Parse in extensions/common/url_pattern.cc,
// called from WebRequest::RequestFilter::AddUrlPatterns in Electron's
// shell/browser/api/electron_api_web_request.cc.
package webrequest
