// Package spellcheck is the spellcheck setting family (see providers.Provider).
package spellcheck
