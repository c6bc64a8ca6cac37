// Package maintenance is the maintenance setting family (see providers.Provider).
package maintenance
