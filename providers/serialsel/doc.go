// Package serialsel is the serialsel setting family (see providers.Provider).
package serialsel
