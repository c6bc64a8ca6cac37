// Package preconnect is the preconnect setting family (see providers.Provider).
package preconnect
