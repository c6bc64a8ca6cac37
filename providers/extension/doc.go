// Package extension is the extension setting family (see providers.Provider).
package extension
