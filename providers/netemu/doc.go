// Package netemu is the netemu setting family (see providers.Provider).
package netemu
