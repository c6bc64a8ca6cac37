// Package tls is the tls setting family (see providers.Provider).
package tls
