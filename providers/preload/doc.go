// Package preload is the preload setting family (see providers.Provider).
package preload
