// Package certificate is the certificate setting family (see providers.Provider).
package certificate
