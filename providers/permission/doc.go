// Package permission is the permission setting family (see providers.Provider).
package permission
