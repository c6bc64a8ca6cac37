// Package download is the download setting family (see providers.Provider).
package download
