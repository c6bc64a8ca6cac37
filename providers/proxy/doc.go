// Package proxy is the proxy setting family (see providers.Provider).
package proxy
